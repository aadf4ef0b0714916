"""Hostile input: random and malicious values posted into every form and POST endpoint.

HOSTILE_FORMS says, for every URL in the access sweep's ROUTES that takes a POST, which
fields its form has, what kind of value each takes, who may post it and where. A POST
endpoint without an entry fails ``test_every_post_endpoint_is_covered``; a form that grows a
field without a kind fails ``test_the_registry_names_every_field_the_form_takes``.

Two ways of posting:
- ``test_hostile_input_is_refused_or_saved_safely``: Hypothesis posts random mixtures of
  hostile values (markup, control characters, unusual Unicode, 10,000+ character strings,
  odd numbers and dates, the other partnership's ids, junk fields) to our addresses and to
  the other partnership's, as multipart, urlencoded and JSON bodies;
- ``test_each_edge_value_in_each_field``: every field gets each edge value of its kind in
  turn, the rest of the form being typical input, so a value that only bites when the rest
  of the form is valid (a database limit, say) is tried every run.

Every post must
- never get a server error (the test client raises the view's exception, with its trace);
- never echo a script payload unescaped, in its answer or in the page it redirects to;
- when refused (a 200 page showing what is wrong, or a 4xx), have saved nothing;
- when accepted, leave the other partnership's data alone and link nothing of ours to theirs,
  and redirect within this site.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.db.models import F, Model
from django.test import override_settings
from django.urls import get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from actions.models import (
    Action,
    Criterion,
    DueDateProposal,
    Finding,
    Milestone,
    Option,
    Score,
    Update,
)
from actions.tests.factories import (
    ActionFactory,
    CriterionFactory,
    FindingFactory,
    MilestoneFactory,
    OptionFactory,
    UpdateFactory,
)
from conftest import World
from improveplan.models import Invitation, Membership, Organisation, Partnership, Plan, Role, User
from improveplan.services import invitation_token
from improveplan.tests.factories import PASSWORD, InvitationFactory
from improveplan.tests.test_access_sweep import ROUTES, Route, url_names
from outcomes import arithmetic
from outcomes.models import (
    Comparator,
    ComparatorReading,
    Evidence,
    Indicator,
    Outcome,
    Proofing,
    Reading,
    Risk,
    Target,
)
from outcomes.tests.factories import (
    AchievementFactory,
    ComparatorFactory,
    ComparatorReadingFactory,
    EvidenceFactory,
    IndicatorFactory,
    OutcomeFactory,
    ReadingFactory,
    RiskFactory,
    TargetFactory,
)
from reviews import peer
from reviews.ingredients import INGREDIENTS
from reviews.models import OutcomeJudgement, ReminderPreference
from reviews.periods import periods_around
from reviews.services import peer_token
from reviews.tests.factories import HealthCheckFactory, PeerReviewerFactory, ReviewFactory

pytestmark = pytest.mark.django_db

EXAMPLES_PER_FORM = 25
EXAMPLES_PER_BUTTON = 10  # endpoints without fields: only the address and junk vary
# Steps 4–5 (the actions app) add twenty endpoints; fewer examples each keeps the whole file
# near a minute and a half. Their edge values are all tried every run regardless.
EXAMPLES_PER_ACTIONS_FORM = 12
EXAMPLES_PER_ACTIONS_BUTTON = 5
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

# What a hostile post aims at -----------------------------------------------------


def _plan_contents(plan: Plan, owner: Organisation) -> dict[str, Model]:
    """One of everything Steps 1–5 hang off a plan, keyed by the apps' URL kinds, as the
    access sweep's world has them; and a second action, awaiting confirmation that it is
    complete, that depends on the first (so that the first depending on it makes a circle)."""
    outcome = OutcomeFactory(plan=plan)
    indicator = IndicatorFactory(outcome=outcome, owner=owner)
    comparator = ComparatorFactory(indicator=indicator)
    action = ActionFactory(plan=plan, lead_organisation=owner)  # the partner's, in ours
    action.outcomes.add(outcome)
    second_action = ActionFactory(
        plan=plan,
        lead_organisation=owner,
        status=Action.Status.COMPLETE,
        progress=100,
        closure=Action.Closure.AWAITING,
        completion_evidence="The clinic opened.",
        lessons_learned="Start sooner.",
    )
    second_action.depends_on.add(action)
    # As if the actions had been numbered by the site, so that the next one follows them.
    Plan.objects.filter(pk=plan.pk).update(last_action_number=second_action.number)
    update = UpdateFactory(action=action, author=plan.partnership.memberships.first().user)
    # Issue 16: the second action's owner asked for more time; a lead has not answered yet.
    due_proposal = DueDateProposal.objects.create(
        action=second_action, proposed_due=date(2031, 6, 30), reason="The provider starts late."
    )
    return {
        "criterion": CriterionFactory(plan=plan),
        "option": OptionFactory(outcome=outcome, decision="favoured", decision_reason="Works."),
        "action": action,
        "second_action": second_action,
        "milestone": MilestoneFactory(action=action),
        "update": update,
        "plan": plan,
        "outcome": outcome,
        "indicator": indicator,
        "reading": ReadingFactory(indicator=indicator),
        "target": TargetFactory(indicator=indicator),
        "comparator": comparator,
        "comparator_reading": ComparatorReadingFactory(comparator=comparator),
        "evidence": EvidenceFactory(outcome=outcome, lead_organisation=owner),
        "risk": RiskFactory(outcome=outcome),
        # Issue 5
        "achievement": AchievementFactory(outcome=outcome),
        "finding": FindingFactory(plan=plan),
        # Issue 6: a review, and a reading of a period a signed-off review closed
        "review": ReviewFactory(plan=plan),
        "closed_review": ReviewFactory(
            plan=plan,
            period_start=date(1999, 10, 1),
            period_end=date(1999, 12, 31),
            meets_on=date(2000, 1, 20),
            signed_off_at=timezone.now(),
        ),
        "closed_reading": ReadingFactory(indicator=indicator, period=date(1999, 12, 31)),
        "health_check": HealthCheckFactory(partnership=plan.partnership),
        # Issue 6: peer challenge: a reviewer reading the plan, and one not yet arrived
        "peer_reviewer": PeerReviewerFactory(plan=plan),
        "peer_invited": PeerReviewerFactory(
            plan=plan, user=None, accepted_at=None, email=f"peer{plan.pk}@elsewhere.example.org"
        ),
        "due_proposal": due_proposal,  # Issue 16
    }


@dataclass
class Targets:
    """The world, and the invitations, memberships and plan contents hostile posts aim at."""

    world: World
    invitation: Invitation  # pending, to an address with no account yet
    cancelled_invitation: Invitation
    other_invitation: Invitation  # pending, in the other partnership
    other_membership: Membership  # the outsider's
    ours: dict[str, Model]  # in our plan
    theirs: dict[str, Model]  # in the other partnership's plan

    @property
    def foreign_ids(self) -> list[int]:
        """An id of every kind of object the other partnership has."""
        w = self.world
        return [
            w.other_partnership.pk,
            w.other_organisation.pk,
            w.outsider.pk,
            self.other_membership.pk,
            self.other_invitation.pk,
            *(thing.pk for thing in self.theirs.values()),
        ]


@pytest.fixture
def targets(world: World) -> Targets:
    return Targets(
        world=world,
        invitation=InvitationFactory(
            organisation=world.housing, email="newcomer@example.org", invited_by=world.lead
        ),
        cancelled_invitation=InvitationFactory(
            organisation=world.council,
            email="changed-mind@example.org",
            cancelled_at=timezone.now(),
        ),
        other_invitation=InvitationFactory(
            organisation=world.other_organisation, email="hillside@example.org"
        ),
        other_membership=world.other_partnership.memberships.get(user=world.outsider),
        ours=_plan_contents(world.plan, owner=world.housing),
        theirs=_plan_contents(world.other_plan, owner=world.other_organisation),
    )


# Hostile values --------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
ONERROR = '"><img src=x onerror=alert(1)>'
# None of these may ever reach a page unescaped.
RAW_PAYLOADS = (SCRIPT, "onerror=alert(1)>", "<svg onload=alert(1)>")

MARKUP = [
    SCRIPT,
    ONERROR,
    "<svg onload=alert(1)>",
    "</textarea></title><script>alert(1)</script>",
    "javascript:alert(1)",
    "'\"><!--",
    "{{ 7|add:7 }}{% now 'Y' %}",
    "${7*7}#{7*7}",
    "' OR '1'='1' --",
    "Robert'); DROP TABLE improveplan_plan;--",
    "%s%d%n%x",
    "../../../../etc/passwd",
    "&lt;script&gt;",
]
CONTROL = [
    "\x00",
    "a\x00b",
    "\x1b[2J\x1b[31mred",
    "\u202eevil\u202c",
    "\r\n\r\nSet-Cookie: x=1",
    "\t",
    "\x7f\x08",
    "\ufeff",
    "\u200b\u200d",
    "\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029",
]
# Lone surrogates cannot be encoded in a request at all; astral-plane characters can.
UNICODE = [
    "😀",
    "👩\u200d👩\u200d👧\u200d👦🏳️\u200d🌈",
    "e\u0301\u0302\u0303\u0304",
    "Z\u0351\u0352\u0353a\u0354l\u0355g\u0356o",
    "مدينة الشراكة",
    "שותפות",
    "𝕽𝖎𝖛𝖊𝖗𝖘𝖎𝖉𝖊",
    "\U0001f4a9\U0001f4a9\U0001f4a9",
    "\U0010fffd",
    "\uffff\ufffe",
    "ﷺ",
    "İıß ẞ K ǅ",
    "ﬃ",
    "\u3000",
    "\u00a0",
]
NUMBERS = [
    *["-1", "0", "-0", "1.5", "+1", " 1 ", "1e308", "-1e308", "1e309", "0x1F", "1_000"],
    *["NaN", "nan", "Infinity", "-Infinity", "١٢٣", "１２３", "1 OR 1=1", "9" * 400],
    *map(str, (2**31, 2**63, -(2**63) - 1)),
]
DATES = [
    *["2026-02-30", "0000-00-00", "99999-01-01", "yesterday", "2026-13-01", "2026-00-10"],
    *["30/02/2026", "-2026-01-01", "0001-01-01", "9999-12-31", "2026-02-29", "2028-02-29"],
    *["1970-01-01T00:00:00Z", " 2026-04-01 ", "２０２６-０４-０１", "2026-04-01\x00"],
]
FIXED = [*MARKUP, *CONTROL, *UNICODE, *NUMBERS, *DATES, ""]
ABSENT_IDS = (0, 2**31 - 1, 2**63 - 1, 2**63, 10**30)


def _long(piece: str, length: int | None) -> str:
    """A piece repeated to a length; None: just over the largest request body Django reads."""
    if length is None:
        return "x" * ((django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440) + 1)
    return (piece * (length // len(piece) + 1))[:length]


LONG = st.builds(
    _long,
    st.sampled_from([SCRIPT, ONERROR, "A", "\x00", "\u202e", "😀", "e\u0301", "\u0301", "9"]),
    st.sampled_from([10_001, 10_001, 10_001, 10_001, 25_000, 100_000, None]),
)
RANDOM_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
MIXED = st.lists(st.sampled_from(FIXED) | RANDOM_TEXT, min_size=2, max_size=4).map("".join)


def hostile(t: Targets) -> st.SearchStrategy[str]:
    """Any hostile value, whatever the field."""
    return st.one_of(
        st.sampled_from(FIXED),
        RANDOM_TEXT,
        MIXED,
        LONG,
        st.sampled_from([*t.foreign_ids, *ABSENT_IDS]).map(str),
    )


# What each kind of field receives ---------------------------------------------------

Values = Callable[[Targets], st.SearchStrategy]
Value = str | Callable[[Targets], object]  # a string, or a file


def _value(value: Value, t: Targets) -> str:
    return value(t) if callable(value) else value


@dataclass(frozen=True)
class Kind:
    """What to post into one kind of field."""

    typical: Value  # a value the form accepts
    # Values it may accept: what it accepts is shown again on the next page, so that page's
    # escaping is tested too.
    plausible: Values
    edges: dict[str, Value] = field(default_factory=dict)  # each tried alone, in every field
    odd: Values | None = None  # more values of its own to refuse

    def refusable(self, t: Targets) -> st.SearchStrategy:
        return st.one_of(self.odd(t), hostile(t)) if self.odd else hostile(t)

    def anything(self, t: Targets) -> st.SearchStrategy:
        return st.one_of(self.plausible(t), self.refusable(t))


def fixed(values: list) -> Values:
    return lambda t: st.sampled_from(values)


PLAUSIBLE_TEXT = st.one_of(
    st.sampled_from(
        ["Riverside Youth Trust", f"Youth {SCRIPT} Trust", ONERROR, "Tom & Jerry's <b>Café</b>"]
    ),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cc",)), min_size=1, max_size=80),
)
TEXT_EDGES: dict[str, Value] = {
    "script": SCRIPT + ONERROR,
    "null": "a\x00b",
    "astral": "😀𝕽\U0010fffd e\u0301\u0302",
    "10001-characters": "A" * 10_001,
}
TEXT = Kind(
    typical="Healthy homes for every family", plausible=lambda t: PLAUSIBLE_TEXT, edges=TEXT_EDGES
)


def named(typical: str, taken: Callable[[Targets], str]) -> Kind:
    """A name that must be unique, and one that is taken written so that a database may or
    may not count it as the same name."""
    return Kind(
        typical=typical,
        plausible=lambda t: PLAUSIBLE_TEXT,
        edges={
            "capitals": lambda t: taken(t).upper(),
            "dotted-capital-I": lambda t: taken(t).replace("i", "\u0130").replace("I", "\u0130"),
            "padded": lambda t: f"  {taken(t)}  ",
            "zero-width-space": lambda t: f"{taken(t)}\u200b",
            **{label: TEXT_EDGES[label] for label in ("script", "null", "10001-characters")},
        },
    )


ORGANISATION_NAME = named("Riverside Youth Trust", lambda t: t.world.council.name)
INDICATOR_CODE = named("NEW-01", lambda t: t.ours["indicator"].code)
COMPARATOR_NAME = named("Similar areas", lambda t: t.ours["comparator"].name)


def choice(values: list[str]) -> Kind:
    last = values[-1]
    capitals = {"capitals": last.upper()} if last.upper() != last else {}
    return Kind(
        typical=values[0],
        plausible=fixed(values),
        edges={**capitals, "unknown": "nonsense", "empty": ""},
        odd=lambda t: st.sampled_from(values).map(str.upper) | st.just(f" {last} "),
    )


def _foreign_or_absent_ids(t: Targets) -> st.SearchStrategy:
    """The other partnership's ids, of every kind, and ids nothing has."""
    return st.sampled_from([*t.foreign_ids, *t.foreign_ids, *ABSENT_IDS]).map(str)


ORGANISATION_ID = Kind(
    typical=lambda t: str(t.world.council.pk),
    plausible=lambda t: st.sampled_from([t.world.council.pk, t.world.housing.pk]).map(str),
    edges={
        "other-partnerships": lambda t: str(t.world.other_organisation.pk),
        "absent": str(2**31 - 1),
        "beyond-64-bits": str(2**63),
        "negative": "-1",
        "sql": "1 OR 1=1",
    },
    odd=_foreign_or_absent_ids,
)
NUMBER = Kind(
    typical="5",
    plausible=lambda t: st.integers(1, 50).map(str),
    edges={
        "negative": "-1",
        "zero": "0",
        "2**31": str(2**31),
        "2**63": str(2**63),
        "1e308": "1e308",
        "NaN": "NaN",
    },
    odd=lambda t: st.one_of(
        st.integers(-5, 60).map(str),
        st.integers().map(str),
        st.floats().map(str),
        st.sampled_from(NUMBERS),
    ),
)
DECIMAL = Kind(
    typical="12.5",
    plausible=lambda t: st.one_of(
        st.decimals(-(10**6), 10**6, places=4, allow_nan=False, allow_infinity=False).map(str),
        st.integers(-100, 100).map(str),
    ),
    edges={
        "NaN": "NaN",
        "Infinity": "-Infinity",
        "huge-exponent": "1E+999999999",
        "tiny-exponent": "1e-999999999",
        "17-digits": "9" * 17,
    },
    odd=lambda t: st.one_of(
        st.decimals().map(str),  # NaN, sNaN, Infinity and huge exponents among them
        st.floats().map(str),
        st.sampled_from([*NUMBERS, "0.00001", "1,5", "£12", "12%"]),
    ),
)
BOOLEAN = Kind(
    typical="on",
    plausible=fixed(["on", "true", "false", "", "1", "0"]),
    edges={"false": "false", "emoji": "😀"},
)


def _taken_dates(t: Targets) -> list[date]:
    ours = t.ours
    return [
        ours["reading"].period,
        ours["comparator_reading"].period,
        ours["target"].baseline_date,
        ours["target"].target_date,
    ]


DATE = Kind(
    typical="2031-06-30",
    plausible=lambda t: st.one_of(
        st.dates(date(1990, 1, 1), date(2100, 12, 31)).map(date.isoformat),
        st.sampled_from(_taken_dates(t)).map(date.isoformat),
    ),
    edges={
        "30-february": "2026-02-30",
        "zeros": "0000-00-00",
        "five-digit-year": "99999-01-01",
        "yesterday": "yesterday",
        "year-1": "0001-01-01",
        "year-9999": "9999-12-31",
    },
    odd=lambda t: st.one_of(
        st.dates().map(date.isoformat),
        st.dates(min_value=date(1000, 1, 1)).map(lambda d: d.strftime("%d/%m/%Y")),
        st.sampled_from(DATES),
    ),
)
# A reading's period: one that has ended (a period after today is refused, issue 15).
PAST_DATE = Kind(
    typical="2024-06-30",
    plausible=lambda t: st.one_of(
        st.dates(date(1990, 1, 1), date(2025, 12, 31)).map(date.isoformat),
        st.sampled_from(_taken_dates(t)).map(date.isoformat),
    ),
    edges=DATE.edges,
    odd=DATE.odd,
)
LINK = Kind(
    typical="https://example.org/report",
    plausible=fixed(
        [
            "https://example.org/report.pdf",
            "example.org/report",
            "https://例子.广告/",
            "http://[::1]/x",
            "ftp://example.org/x",
        ]
    ),
    edges={
        "javascript": "javascript:alert(1)",
        "data-url": f"data:text/html,{SCRIPT}",
        "script-in-query": f"https://example.org/?q={SCRIPT}",
        "300-character-host": "https://" + "a" * 300 + ".org",
    },
    odd=fixed(
        [
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "vbscript:msgbox(1)",
            "file:///etc/passwd",
            "//evil.example",
            "http://",
            "https://[::1",
        ]
    ),
)

LONG_VALID_EMAIL = "l" * 100 + "@" + ".".join(["d" * 63] * 3) + ".org"  # 296 characters
VALID_BUT_ODD_EMAILS = [
    f'"{SCRIPT}"@example.org',  # a quoted local part may hold markup and still be valid
    '"\\"><img/src=x/onerror=alert(1)>"@example.org',
    "x@[127.0.0.1]",
    "newcomer@例子.广告",
    "newcomer@xn--fsqu00a.xn--4rr70v",
    "NEW.PERSON@EXAMPLE.ORG",
]
INVALID_EMAILS = [
    "newcomer@example.org\nBcc: everyone@example.org",
    "newcomer@example.org\r\n",
    "new\x00comer@example.org",
    "newcomer@@example.org",
    "@example.org",
    "newcomer@",
    "newcomer@localhost",
    "l" * 65 + "@" + "d" * 64 + ".org",
]
EMAIL_EDGES: dict[str, Value] = {
    "296-characters": LONG_VALID_EMAIL,  # valid, but longer than the 254 the models keep
    "quoted-script": f'"{SCRIPT}"@example.org',
    "header-injection": "new.person@example.org\r\nBcc: everyone@example.org",
    "null": "new\x00person@example.org",
}


def _members_emails(t: Targets) -> st.SearchStrategy:
    w = t.world
    known = [u.email for u in (w.lead, w.partner, w.board, w.outsider)]
    return st.sampled_from([*known, *(e.upper() for e in known), *(f" {e} " for e in known)])


# An address for someone new (an invitation), and an address that may have an account.
NEW_EMAIL = Kind(
    typical="new.person@example.org",
    plausible=lambda t: st.emails() | st.sampled_from(VALID_BUT_ODD_EMAILS),
    edges={**EMAIL_EDGES, "a-members-in-capitals": lambda t: t.world.partner.email.upper()},
    odd=lambda t: _members_emails(t) | st.sampled_from(INVALID_EMAILS),
)
ACCOUNT_EMAIL = Kind(
    typical=lambda t: t.world.lead.email,
    plausible=_members_emails,
    edges={**EMAIL_EDGES, "capitals": lambda t: t.world.lead.email.upper()},
    odd=lambda t: st.emails() | st.sampled_from([*VALID_BUT_ODD_EMAILS, *INVALID_EMAILS]),
)
KNOWN_PASSWORD = Kind(  # the factories' password: some posts get past the check
    typical=PASSWORD,
    plausible=fixed([PASSWORD]),
    edges={"null": PASSWORD + "\x00", "10001-characters": "A" * 10_001, "empty": ""},
)
NEW_PASSWORD = Kind(
    typical="a-fresh-walk-by-the-river-2027",
    plausible=lambda t: st.text(
        st.characters(codec="utf-8", exclude_categories=("Cc",)), min_size=12, max_size=64
    ),
    edges={
        "10001-characters": "Walk by the river! " * 527,
        "null": "a-fresh-walk\x00by-the-river",
        "common": "password",
        "astral": "😀𝕽\U0010fffd" * 4,
        "empty": "",
    },
    odd=lambda t: st.sampled_from(["12345678", "riverside", t.world.lead.email]),
)

OFFSITE = {
    "other-site": "https://evil.example/",
    "scheme-relative": "//evil.example/",
    "backslash": "/\\evil.example",
    "two-backslashes": "\\\\evil.example",
    "no-slashes": "https:evil.example",
    "leading-space": " //evil.example",
    "leading-null": "\x00//evil.example",
    "user-at-host": "http://testserver@evil.example/",
    "javascript": "javascript:alert(1)",
    "data-url": f"data:text/html,{SCRIPT}",
}
NEXT = Kind(
    typical="/",
    plausible=lambda t: st.sampled_from(
        ["/", t.world.other_plan.get_absolute_url(), f"/{SCRIPT}/", "/account/password/"]
    ),
    edges=OFFSITE,
    odd=fixed(list(OFFSITE.values())),
)

JUNK_NAMES = [
    *["partnership", "organisation", "plan", "outcome", "indicator", "user", "owner", "pk"],
    *["id", "role", "email", "password", "is_staff", "is_superuser", "invited_by", "next"],
    *["entered_by", "status_override", "organisation[]", "__proto__", SCRIPT, "😀", "a" * 300],
]


@st.composite
def junk_fields(draw, t: Targets, taken: set[str]) -> dict:
    """Fields the form does not have; now and then more than Django will read."""
    if draw(st.integers(0, 19)) == 19:
        limit = django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS or 1000
        return {f"field{i}": "x" for i in range(limit + 1)}
    names = st.sampled_from([n for n in JUNK_NAMES if n not in taken])
    values = st.one_of(st.sampled_from(t.foreign_ids).map(str), hostile(t))
    return draw(st.dictionaries(names, values, max_size=3))


@st.composite
def posted(draw, values: st.SearchStrategy):
    """One value mostly; sometimes the field is left out, or sent several times."""
    shape = draw(st.integers(0, 9))
    if shape == 8:
        return None
    if shape == 9:
        return draw(st.lists(values, min_size=2, max_size=3))
    return draw(values)


# Spreadsheets of readings ---------------------------------------------------------------


class Upload(SimpleUploadedFile):
    """An uploaded file that shows its contents when Hypothesis reports a failing example."""

    def __repr__(self) -> str:
        return f"Upload({self.name!r}, {self.file.getvalue()[:300]!r}, {self.size} bytes)"


READINGS_HEADER = ["indicator", "period", "value", "lower", "upper", "breakdown", "source_note"]


def _csv(rows: list[list[str]], *, name: str = "readings.csv", before: bytes = b"") -> Upload:
    text = io.StringIO()
    csv.writer(text).writerows([READINGS_HEADER, *rows])
    return Upload(name, before + text.getvalue().encode(), "text/csv")


def _row(t: Targets, **cells: str) -> list[str]:
    """A row a lead may import, with some cells changed."""
    row = {
        "indicator": t.ours["indicator"].code,
        "period": "2024-06-30",
        "value": "12.5",
        "lower": "",
        "upper": "",
        "breakdown": "Northfield",
        "source_note": "APS 2030/31",
        **cells,
    }
    return [row[column] for column in READINGS_HEADER]


def _workbook(rows: list[list]) -> Upload:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in [READINGS_HEADER, *rows]:
        workbook.active.append(row)
    content = io.BytesIO()
    workbook.save(content)
    return Upload("readings.xlsx", content.getvalue(), "application/octet-stream")


FILE_EDGES: dict[str, Value] = {
    "script-in-every-cell": lambda t: _csv([[SCRIPT, ONERROR, SCRIPT, SCRIPT, "", SCRIPT, ""]]),
    "other-partnerships-indicator": lambda t: _csv([_row(t, indicator=t.theirs["indicator"].code)]),
    "formulas": lambda t: _csv(
        [_row(t, breakdown='=HYPERLINK("https://evil.example","x")', source_note="@SUM(1+1)")]
    ),
    "controls": lambda t: _csv([_row(t, breakdown="\x1b[31m\u202eevil", source_note="\x7f\x08")]),
    # A NUL in the first 8 KB marks a file as binary; after them it reaches the rows.
    "null-after-8-KB": lambda t: _csv([_row(t, breakdown="North\x00field")], before=b"\n" * 8200),
    "impossible-periods": lambda t: _csv(
        [_row(t, period=period) for period in ("2026-02-30", "0000-00-00", "99999-01-01", "2101")]
    ),
    "huge-numbers": lambda t: _csv([_row(t, value="1e308", lower="NaN", upper="Infinity")]),
    "10001-character-cell": lambda t: _csv([_row(t, breakdown="A" * 10_001)]),
    "10000-columns": lambda t: Upload(
        "readings.csv", (",".join(READINGS_HEADER + ["x"] * 10_000) + "\n").encode(), "text/csv"
    ),
    "header-only": lambda t: _csv([]),
    "empty": lambda t: Upload("readings.csv", b"", "text/csv"),
    "utf-16": lambda t: Upload("readings.csv", "indicator,period,value\n".encode("utf-16"), ""),
    "latin-1": lambda t: Upload(
        "readings.csv", "indicator,period,value\nCafé,".encode("latin-1"), ""
    ),
    "png": lambda t: Upload("readings.csv", b"\x89PNG\r\n\x1a\n" + bytes(100), "image/png"),
    "broken-zip": lambda t: Upload("readings.xlsx", b"PK\x03\x04" + b"\xff" * 100, ""),
    "workbook-with-hostile-cells": lambda t: _workbook(
        [
            [t.ours["indicator"].code, date(2031, 6, 30), 1e308, None, None, SCRIPT, "=1+1"],
            [SCRIPT, "2026-02-30", float("inf"), -1, 2**63, ONERROR, "😀" * 100],
        ]
    ),
    "script-file-name": lambda t: _csv([_row(t)], name=f'{SCRIPT}"><.csv'),
}


def _any_cell(t: Targets) -> st.SearchStrategy[str]:
    known = [t.ours["indicator"].code, t.theirs["indicator"].code, "2024-06-30", "12.5", ""]
    return st.one_of(st.sampled_from(known), st.sampled_from(FIXED), RANDOM_TEXT)


FILE = Kind(
    typical=lambda t: _csv([_row(t)]),
    plausible=lambda t: st.builds(
        _csv, st.lists(st.lists(_any_cell(t), min_size=3, max_size=7), max_size=4)
    ),
    edges=FILE_EDGES,
    odd=lambda t: st.sampled_from(list(FILE_EDGES.values())).map(lambda upload: upload(t)),
)


def _action_plan_workbook(t: Targets, edit: Callable | None = None) -> Upload:
    """Our plan's action plan as downloaded, perhaps with hostile cells written into it."""
    from openpyxl import load_workbook

    from actions.spreadsheets import write_xlsx

    out = io.BytesIO()
    write_xlsx(t.ours["plan"], out)
    if edit is not None:
        workbook = load_workbook(io.BytesIO(out.getvalue()))
        edit(workbook["Open actions"])
        out = io.BytesIO()
        workbook.save(out)
    return Upload("action-plan.xlsx", out.getvalue(), "application/octet-stream")


def _hostile_row(sheet) -> None:
    sheet.append(
        [
            SCRIPT,
            ONERROR,
            "😀" * 100,
            "99",
            SCRIPT,
            "nobody@example.org",
            SCRIPT,
            "2026-02-30",
            "0000-00-00",
            SCRIPT,
            "-1",
            SCRIPT,
            "\u202e RTL",
            SCRIPT,
            SCRIPT,
            SCRIPT,
            "=1+1",
            SCRIPT,
            "@SUM(1)",
            SCRIPT,
            "101",
            "A-99, A-01",
        ]
    )


ACTION_PLAN_EDGES: dict[str, Value] = {
    "hostile-new-row": lambda t: _action_plan_workbook(t, _hostile_row),
    "their-lead-organisation": lambda t: _action_plan_workbook(
        t, lambda sheet: sheet.cell(row=2, column=5, value=t.world.other_organisation.name)
    ),
    "circle": lambda t: _action_plan_workbook(
        t, lambda sheet: sheet.cell(row=2, column=22, value=sheet.cell(row=2, column=1).value)
    ),
    "readings-file": FILE_EDGES["script-in-every-cell"],
    "broken-zip": FILE_EDGES["broken-zip"],
    "empty": FILE_EDGES["empty"],
    "png": FILE_EDGES["png"],
}

ACTION_PLAN_FILE = Kind(
    typical=lambda t: _action_plan_workbook(t),
    plausible=lambda t: st.sampled_from(list(ACTION_PLAN_EDGES.values())).map(lambda u: u(t)),
    edges=ACTION_PLAN_EDGES,
    odd=lambda t: st.sampled_from(list(ACTION_PLAN_EDGES.values())).map(lambda u: u(t)),
)


# Where to post, as whom ----------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    path: str
    status: int | None = None  # the answer a hostile address must get
    visit_first: str = ""  # a page to open first: a password reset link sets up the session
    headers: dict[str, str] = field(default_factory=dict)  # e.g. htmx's HX-Request
    # A status, besides a redirect, that means the post was accepted (htmx gets the new row).
    accepted: int | None = None


Pages = Callable[[Targets], list[Address]]


def _lead(t: Targets) -> User | None:
    return t.world.lead


def _anonymous(t: Targets) -> User | None:
    return None


@dataclass(frozen=True)
class HostileForm:
    fields: dict[str, Kind]  # every field the form takes, and what to post into it
    pages: Pages  # where the user may post
    refused: Callable[[Targets], st.SearchStrategy[Address]] | None = None  # hostile addresses
    user: Callable[[Targets], User | None] = _lead
    extra: dict[str, Kind] = field(default_factory=dict)  # request parameters, not fields
    twins: dict[str, str] = field(default_factory=dict)  # usually typed the same as another
    # A form posted from another page: that page, and the form's name in its context.
    shown_on: Callable[[Targets], tuple[str, str]] | None = None
    typical: dict[str, Value] = field(default_factory=dict)  # where a kind's typical won't do
    examples: int = EXAMPLES_PER_FORM
    # Fields named after ids (score_<criterion pk>): a field's name here, and its real name.
    real_names: Callable[[Targets], dict[str, str]] | None = None
    # An edit form shares its create form's edges; but for these fields, tried here too.
    own_edges: tuple[str, ...] = ()


def kinds_of(entry: HostileForm, t: Targets) -> dict[str, Kind]:
    """What to post into each field and request parameter, by the name the form gives it."""
    kinds = {**entry.fields, **entry.extra}
    if entry.real_names is None:
        return kinds
    names = entry.real_names(t)
    return {names.get(name, name): kind for name, kind in kinds.items()}


def at(name: str) -> Pages:
    return lambda t: [Address(reverse(name))]


def by_pk(
    name: str, *, own: Callable[[Targets], list[int]], foreign: Callable[[Targets], list[int]]
) -> dict:
    """Our objects' addresses, and the other partnership's and absent ones, which get 404."""

    def refused(t: Targets) -> st.SearchStrategy[Address]:
        ids = [*foreign(t), *ABSENT_IDS]
        return st.sampled_from([Address(reverse(name, args=[pk]), status=404) for pk in ids])

    return {
        "pages": lambda t: [Address(reverse(name, args=[pk])) for pk in own(t)],
        "refused": refused,
    }


def _no_slash(value: str) -> str:
    return value.replace("/", "") or "x"


def _invitation_links(t: Targets) -> list[Address]:
    token = invitation_token(t.invitation)
    return [Address(reverse("improveplan:invitation_accept", args=[token]))]


def _broken_invitation_links(t: Targets) -> st.SearchStrategy[Address]:
    token = invitation_token(t.invitation)
    forged = [
        invitation_token(t.cancelled_invitation),
        signing.dumps(t.invitation.pk),  # signed, but not as an invitation
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        str(t.invitation.pk),
    ]
    tokens = st.one_of(st.sampled_from(forged), st.sampled_from(FIXED), RANDOM_TEXT)
    return tokens.map(
        lambda token: Address(
            reverse("improveplan:invitation_accept", args=[_no_slash(token)]), status=410
        )
    )


def _reset_link(uidb64: str, token: str) -> str:
    return reverse("password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})


def _reset_links(t: Targets) -> list[Address]:
    partner = User.objects.get(pk=t.world.partner.pk)
    uidb64 = urlsafe_base64_encode(force_bytes(partner.pk))
    link = _reset_link(uidb64, default_token_generator.make_token(partner))
    return [Address(_reset_link(uidb64, "set-password"), visit_first=link)]


def _broken_reset_links(t: Targets) -> st.SearchStrategy[Address]:
    """Another person's id with the partner's token, and junk: 'this link no longer works'."""
    w = t.world
    ids = [w.outsider.pk, w.lead.pk, *ABSENT_IDS, *FIXED[:5]]
    uids = st.one_of(
        st.sampled_from(ids).map(lambda pk: urlsafe_base64_encode(force_bytes(pk))),
        st.sampled_from(FIXED),
        RANDOM_TEXT,
    ).map(_no_slash)
    partner = User.objects.get(pk=w.partner.pk)
    tokens = st.one_of(
        st.sampled_from([default_token_generator.make_token(partner), "set-password"]),
        st.sampled_from(FIXED),
        RANDOM_TEXT,
    ).map(_no_slash)
    return st.builds(lambda uid, token: Address(_reset_link(uid, token), status=200), uids, tokens)


def _partnership(t: Targets) -> list[int]:
    return [t.world.partnership.pk]


def _other_partnership(t: Targets) -> list[int]:
    return [t.world.other_partnership.pk]


def _invitations(t: Targets) -> list[int]:
    return [t.invitation.pk, t.cancelled_invitation.pk]


def _other_invitation(t: Targets) -> list[int]:
    return [t.other_invitation.pk]


def _memberships(t: Targets) -> list[int]:
    w = t.world
    return [w.membership(user).pk for user in (w.partner, w.board, w.lead)]


def _other_membership(t: Targets) -> list[int]:
    return [t.other_membership.pk]


def _ours(kind: str) -> Callable[[Targets], list[int]]:
    return lambda t: [t.ours[kind].pk]


def _theirs(kind: str) -> Callable[[Targets], list[int]]:
    return lambda t: [t.theirs[kind].pk]


ORGANISATION_FIELDS = {"name": ORGANISATION_NAME, "kind": choice(Organisation.Kind.values)}
PLAN_FIELDS = {
    "title": TEXT,
    "period_start": DATE,
    "period_end": DATE,
    "vision": TEXT,
    "vision_date": DATE,
    "method": choice(Plan.Method.values),
    "outcome_limit": NUMBER,
    "indicator_limit": NUMBER,
}
PLAN_PERIOD: dict[str, Value] = {"period_start": "2027-04-01", "period_end": "2030-03-31"}
NEW_PASSWORD_FIELDS = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}

HOSTILE_FORMS: dict[str, HostileForm] = {
    "improveplan:organisation_create": HostileForm(
        fields=ORGANISATION_FIELDS,
        **by_pk("improveplan:organisation_create", own=_partnership, foreign=_other_partnership),
    ),
    "improveplan:organisation_edit": HostileForm(
        fields=ORGANISATION_FIELDS,
        **by_pk(
            "improveplan:organisation_edit",
            own=lambda t: [t.world.council.pk, t.world.housing.pk],
            foreign=lambda t: [t.world.other_organisation.pk],
        ),
    ),
    "improveplan:invitation_create": HostileForm(
        fields={"email": NEW_EMAIL, "organisation": ORGANISATION_ID, "role": choice(Role.values)},
        **by_pk("improveplan:invitation_create", own=_partnership, foreign=_other_partnership),
    ),
    "improveplan:invitation_resend": HostileForm(
        fields={},
        examples=EXAMPLES_PER_BUTTON,
        **by_pk("improveplan:invitation_resend", own=_invitations, foreign=_other_invitation),
    ),
    "improveplan:invitation_cancel": HostileForm(
        fields={},
        examples=EXAMPLES_PER_BUTTON,
        **by_pk("improveplan:invitation_cancel", own=_invitations, foreign=_other_invitation),
    ),
    "improveplan:invitation_accept": HostileForm(
        fields={"full_name": TEXT, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        twins={"password2": "password1"},
        pages=_invitation_links,
        refused=_broken_invitation_links,
        user=_anonymous,
    ),
    "improveplan:membership_edit": HostileForm(
        fields={"role": choice(Role.values), "organisation": ORGANISATION_ID},
        **by_pk("improveplan:membership_edit", own=_memberships, foreign=_other_membership),
    ),
    "improveplan:membership_remove": HostileForm(
        fields={},
        examples=EXAMPLES_PER_BUTTON,
        **by_pk("improveplan:membership_remove", own=_memberships, foreign=_other_membership),
    ),
    "improveplan:plan_create": HostileForm(
        fields=PLAN_FIELDS,
        typical=PLAN_PERIOD,
        **by_pk("improveplan:plan_create", own=_partnership, foreign=_other_partnership),
    ),
    "improveplan:plan_edit": HostileForm(
        fields=PLAN_FIELDS,
        typical=PLAN_PERIOD,
        **by_pk("improveplan:plan_edit", own=_ours("plan"), foreign=_theirs("plan")),
    ),
    "login": HostileForm(
        fields={"username": ACCOUNT_EMAIL, "password": KNOWN_PASSWORD},
        extra={"next": NEXT},
        pages=at("login"),
        user=_anonymous,
    ),
    "logout": HostileForm(
        fields={}, extra={"next": NEXT}, pages=at("logout"), examples=EXAMPLES_PER_BUTTON
    ),
    "password_change": HostileForm(
        fields={"old_password": KNOWN_PASSWORD, **NEW_PASSWORD_FIELDS},
        twins={"new_password2": "new_password1"},
        pages=at("password_change"),
    ),
    "password_reset": HostileForm(
        fields={"email": ACCOUNT_EMAIL}, pages=at("password_reset"), user=_anonymous
    ),
    "password_reset_confirm": HostileForm(
        fields=NEW_PASSWORD_FIELDS,
        twins={"new_password2": "new_password1"},
        pages=_reset_links,
        refused=_broken_reset_links,
        user=_anonymous,
    ),
}

# Steps 1–3: each kind is added under its parent, and edited and deleted by its own id.
OUTCOME_FORMS: dict[str, tuple[str, dict[str, Kind]]] = {
    "outcome": (
        "plan",
        {
            "statement": TEXT,
            "why_it_matters": TEXT,
            "priority": NUMBER,
            "target_groups": TEXT,
            "places": TEXT,
            "assumptions": TEXT,
        },
    ),
    "indicator": (
        "outcome",
        {
            "code": INDICATOR_CODE,
            "name": TEXT,
            "definition": TEXT,
            "kind": choice(Indicator.Kind.values),
            "unit": choice(Indicator.Unit.values),
            "rate_per": NUMBER,
            "direction": choice(Indicator.Direction.values),
            "frequency": choice(Indicator.Frequency.values),
            "source": TEXT,
            "owner": ORGANISATION_ID,
            "denominator": NUMBER,
            # A percentage from 1 to 99, around the readings already entered.
            "minimum": Kind(typical="1", plausible=DECIMAL.plausible, edges=DECIMAL.edges),
            "maximum": Kind(typical="99", plausible=DECIMAL.plausible, edges=DECIMAL.edges),
        },
    ),
    "reading": (
        "indicator",
        {
            "period": PAST_DATE,
            "value": DECIMAL,
            "lower": DECIMAL,
            "upper": DECIMAL,
            "breakdown": TEXT,
            "source_note": TEXT,
        },
    ),
    "target": (
        "indicator",
        {
            "kind": choice(Target.Kind.values),
            "baseline_value": DECIMAL,
            "baseline_date": DATE,
            "target_value": DECIMAL,
            "target_date": DATE,
        },
    ),
    "comparator": ("indicator", {"name": COMPARATOR_NAME, "kind": choice(Comparator.Kind.values)}),
    "comparator_reading": ("comparator", {"period": DATE, "value": DECIMAL}),
    "evidence": (
        "outcome",
        {
            "kind": choice(Evidence.Kind.values),
            "summary": TEXT,
            "detail": TEXT,
            "level": choice(["", *Evidence.Level.values]),
            "lead_organisation": ORGANISATION_ID,
            "scale": TEXT,
            "cost": DECIMAL,
            "effect": TEXT,
            "link": LINK,
        },
    ),
    "risk": (
        "outcome",
        {
            "description": TEXT,
            "likelihood": choice(["1", "2", "3", "4", "5"]),
            "impact": choice(["1", "2", "3", "4", "5"]),
            "owner": TEXT,
            "mitigation": TEXT,
            "manageable_locally": BOOLEAN,
        },
    ),
}
# A target of the existing target's kind, or one that ends before it starts, is refused.
OUTCOME_TYPICAL: dict[str, dict[str, Value]] = {
    "target": {"kind": Target.Kind.STRETCH, "baseline_date": "2026-03-31"},
}
for _kind, (_parent, _fields) in OUTCOME_FORMS.items():
    HOSTILE_FORMS[f"outcomes:{_kind}_create"] = HostileForm(
        fields=_fields,
        typical=OUTCOME_TYPICAL.get(_kind, {}),
        **by_pk(f"outcomes:{_kind}_create", own=_ours(_parent), foreign=_theirs(_parent)),
    )
    HOSTILE_FORMS[f"outcomes:{_kind}_edit"] = HostileForm(
        fields=_fields,
        typical=OUTCOME_TYPICAL.get(_kind, {}),
        **by_pk(f"outcomes:{_kind}_edit", own=_ours(_kind), foreign=_theirs(_kind)),
    )
    HOSTILE_FORMS[f"outcomes:{_kind}_delete"] = HostileForm(
        fields={},
        examples=EXAMPLES_PER_BUTTON,
        **by_pk(f"outcomes:{_kind}_delete", own=_ours(_kind), foreign=_theirs(_kind)),
    )
HOSTILE_FORMS["outcomes:readings_import"] = HostileForm(
    fields={"file": FILE},
    **by_pk("outcomes:readings_import", own=_ours("plan"), foreign=_theirs("plan")),
)
HOSTILE_FORMS["actions:import_xlsx"] = HostileForm(
    fields={"file": ACTION_PLAN_FILE},
    **by_pk("actions:import_xlsx", own=_ours("plan"), foreign=_theirs("plan")),
)
HOSTILE_FORMS["outcomes:indicator_status"] = HostileForm(
    fields={
        "status": choice(["", *(status.value for status in arithmetic.Status)]),
        "reason": TEXT,
    },
    shown_on=lambda t: (t.ours["indicator"].get_absolute_url(), "override_form"),
    **by_pk("outcomes:indicator_status", own=_ours("indicator"), foreign=_theirs("indicator")),
)


# Steps 4–5: criteria, options and their appraisal, actions, milestones and updates.


def one_of_ours(kind: str, *, required: bool = True) -> Kind:
    """The id of one of our plan's things, where the form offers only the plan's."""
    return Kind(
        typical=lambda t: str(t.ours[kind].pk),
        plausible=lambda t: st.sampled_from(
            [str(t.ours[kind].pk)] if required else [str(t.ours[kind].pk), ""]
        ),
        edges={
            "other-partnerships": lambda t: str(t.theirs[kind].pk),
            "absent": str(2**31 - 1),
            "beyond-64-bits": str(2**63),
            "negative": "-1",
            "sql": "1 OR 1=1",
        },
        odd=_foreign_or_absent_ids,
    )


def many_of(own: Callable[[Targets], list[Model]], theirs: Callable[[Targets], list[Model]]):
    """Ids for a checkbox list: ours, and now and then theirs or ids nothing has."""

    def ids(things: Callable[[Targets], list[Model]]) -> Callable[[Targets], list[str]]:
        return lambda t: [str(thing.pk) for thing in things(t)]

    return Kind(
        typical=ids(own),
        plausible=lambda t: st.lists(st.sampled_from(ids(own)(t)), max_size=3, unique=True),
        edges={
            "ours": ids(own),  # on an edit page, maybe a circle
            "other-partnerships": ids(theirs),
            "ours-and-theirs": lambda t: ids(own)(t) + ids(theirs)(t),
            "ours-twice": lambda t: ids(own)(t) * 2,
            "absent": [str(2**31 - 1)],
            "beyond-64-bits": [str(2**63)],
            "negative": ["-1"],
            "sql": ["1 OR 1=1"],
            "none": [],
        },
        odd=lambda t: st.lists(_foreign_or_absent_ids(t) | hostile(t), min_size=1, max_size=3),
    )


def _members(t: Targets) -> list[User]:
    w = t.world
    return [w.partner, w.lead, w.board]


OWNER = Kind(  # a member of the lead organisation; the others are refused
    typical=lambda t: str(t.world.partner.pk),
    plausible=lambda t: st.sampled_from(["", *(str(u.pk) for u in _members(t))]),
    edges={
        "other-partnerships": lambda t: str(t.world.outsider.pk),
        "another-organisations": lambda t: str(t.world.lead.pk),
        "absent": str(2**31 - 1),
        "beyond-64-bits": str(2**63),
        "sql": "1 OR 1=1",
    },
    odd=_foreign_or_absent_ids,
)
PERCENT = Kind(
    typical="40",
    plausible=lambda t: st.integers(0, 100).map(str),
    edges={"101": "101", "negative": "-1", "2**63": str(2**63), "half": "50.5", "NaN": "NaN"},
    odd=lambda t: st.one_of(st.integers().map(str), st.sampled_from(NUMBERS)),
)
WEIGHT = Kind(
    typical="3",
    plausible=lambda t: st.integers(1, 10).map(str),
    edges={"zero": "0", "11": "11", "negative": "-1", "2**31": str(2**31), "NaN": "NaN"},
    odd=NUMBER.odd,
)
SCORE = Kind(
    typical="3",
    plausible=fixed(["", "0", "1", "2", "3", "4", "5"]),
    edges={"6": "6", "negative": "-1", "3.0": "3.0", "2**63": str(2**63), "word": "three"},
    odd=NUMBER.odd,
)
VERSION = Kind(  # the version the form was read at: any other is a conflict, saving nothing
    typical=lambda t: str(t.ours["action"].version),
    plausible=lambda t: st.sampled_from([str(t.ours["action"].version), "", "0", "2"]),
    edges={
        "stale": "0",
        "ahead": "99",
        "negative": "-1",
        "2**31": str(2**31),
        "2**63": str(2**63),
        "NaN": "NaN",
        "empty": "",
    },
    odd=NUMBER.odd,
)


def _pdf(name: str = "minutes.pdf", content: bytes = b"%PDF-1.7\nminutes") -> Upload:
    return Upload(name, content, "application/pdf")


EVIDENCE_FILE_EDGES: dict[str, Value] = {
    "script-file-name": lambda t: _pdf(f'{SCRIPT}"><.pdf'),
    "path-in-name": lambda t: _pdf("../../../../etc/passwd.pdf"),
    "300-character-name": lambda t: _pdf("m" * 296 + ".pdf"),
    "astral-name": lambda t: _pdf("😀\u202eevil\U0010fffd.pdf"),
    "html-as-pdf": lambda t: Upload("minutes.pdf", f"<html>{SCRIPT}</html>".encode(), "text/html"),
    "svg": lambda t: Upload("x.svg", f"<svg onload=alert(1)>{SCRIPT}</svg>".encode(), ""),
    "exe": lambda t: Upload("minutes.pdf", b"MZ\x90\x00" + bytes(100), "application/pdf"),
    "empty": lambda t: Upload("minutes.pdf", b"", "application/pdf"),
    "broken-zip": lambda t: Upload("minutes.docx", b"PK\x03\x04" + b"\xff" * 100, ""),
    "png": lambda t: Upload("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(100), "image/png"),
    "csv-with-formulas": lambda t: Upload("sums.csv", b'=HYPERLINK("https://evil.example")\n', ""),
}
EVIDENCE_FILE = Kind(
    typical=lambda t: _pdf(),
    plausible=lambda t: st.sampled_from([_pdf, *EVIDENCE_FILE_EDGES.values()]).map(
        lambda upload: upload() if upload is _pdf else upload(t)
    ),
    edges=EVIDENCE_FILE_EDGES,
)

CRITERION_FIELDS = {
    "name": named("Reach", lambda t: t.ours["criterion"].name),
    "description": TEXT,
    "weight": WEIGHT,
    "order": NUMBER,
}
OPTION_FIELDS = {
    "kind": choice(Option.Kind.values),
    "title": TEXT,
    "description": TEXT,
    "evidence": TEXT,
    "cost": DECIMAL,
    "plausibility": choice(Option.Plausibility.values),
    "is_pilot": BOOLEAN,
    "pilot_evaluation": TEXT,
    "exit_plan": TEXT,
}
MILESTONE_FIELDS = {"title": TEXT, "due": DATE, "done": BOOLEAN}
OUR_ORGANISATIONS = many_of(
    lambda t: [t.world.council, t.world.housing], lambda t: [t.world.other_organisation]
)
ACTION_FIELDS = {
    "title": TEXT,
    "description": TEXT,
    "outcomes": many_of(lambda t: [t.ours["outcome"]], lambda t: [t.theirs["outcome"]]),
    "option": one_of_ours("option", required=False),
    "lead_organisation": ORGANISATION_ID,
    "owner": OWNER,
    "supporting_organisations": OUR_ORGANISATIONS,
    "start": DATE,
    "due": DATE,
    "term": choice(Action.Term.values),
    "resource_amount": DECIMAL,
    "resource_provider": ORGANISATION_ID,
    "staff_time": TEXT,
    "expected_outputs": TEXT,
    "expected_outcomes": TEXT,
    "success_indicator": one_of_ours("indicator", required=False),
    "success_measure": TEXT,
    "monitoring": TEXT,
    "corporate_plan_ref": TEXT,
    "status": choice(Action.Status.values),
    "progress": PERCENT,
    # On the edit page: the other action, which depends on this one, would make a circle.
    "depends_on": many_of(lambda t: [t.ours["second_action"]], lambda t: [t.theirs["action"]]),
    "version": VERSION,
}
ACTION_TYPICAL: dict[str, Value] = {
    "lead_organisation": lambda t: str(t.world.housing.pk),  # the owner's organisation
    "start": "2027-04-01",
    "due": "2028-03-31",
}
UPDATE_FIELDS = {
    "status": choice(Action.Status.values),
    "progress": PERCENT,
    "note": TEXT,
    "evidence_link": LINK,
    "evidence_file": EVIDENCE_FILE,
    "completion_evidence": TEXT,
    "lessons_learned": TEXT,
}


def _partner(t: Targets) -> User | None:
    return t.world.partner


def _our_actions(t: Targets) -> list[int]:
    return [t.ours["action"].pk, t.ours["second_action"].pk]


def _update_pages(t: Targets) -> list[Address]:
    """The action's page posts a form; My actions posts by htmx and gets the row back, 200
    when saved and 422 (or 409, the action closed) when not."""
    path = reverse("actions:update_create", args=[t.ours["action"].pk])
    return [Address(path), Address(path, headers={"HX-Request": "true"}, accepted=200)]


def _scored_fields(t: Targets) -> dict[str, str]:
    pk = t.ours["criterion"].pk
    return {"score_<criterion>": f"score_{pk}", "note_<criterion>": f"note_{pk}"}


for _kind, (_parent, _fields) in {
    "criterion": ("plan", CRITERION_FIELDS),
    "option": ("outcome", OPTION_FIELDS),
    "milestone": ("action", MILESTONE_FIELDS),
}.items():
    HOSTILE_FORMS[f"actions:{_kind}_create"] = HostileForm(
        fields=_fields,
        examples=EXAMPLES_PER_ACTIONS_FORM,
        **by_pk(f"actions:{_kind}_create", own=_ours(_parent), foreign=_theirs(_parent)),
    )
    HOSTILE_FORMS[f"actions:{_kind}_edit"] = HostileForm(
        fields=_fields,
        examples=EXAMPLES_PER_ACTIONS_FORM,
        **by_pk(f"actions:{_kind}_edit", own=_ours(_kind), foreign=_theirs(_kind)),
    )
    HOSTILE_FORMS[f"actions:{_kind}_delete"] = HostileForm(
        fields={},
        examples=EXAMPLES_PER_ACTIONS_BUTTON,
        **by_pk(f"actions:{_kind}_delete", own=_ours(_kind), foreign=_theirs(_kind)),
    )
HOSTILE_FORMS.update(
    {
        "actions:criteria_defaults": HostileForm(
            fields={},
            examples=EXAMPLES_PER_ACTIONS_BUTTON,
            **by_pk("actions:criteria_defaults", own=_ours("plan"), foreign=_theirs("plan")),
        ),
        "actions:option_scores": HostileForm(
            fields={"score_<criterion>": SCORE, "note_<criterion>": TEXT},
            real_names=_scored_fields,
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("actions:option_scores", own=_ours("option"), foreign=_theirs("option")),
        ),
        "actions:option_decision": HostileForm(
            fields={"decision": choice(Option.Decision.values), "decision_reason": TEXT},
            typical={"decision": Option.Decision.FAVOURED},
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("actions:option_decision", own=_ours("option"), foreign=_theirs("option")),
        ),
        "actions:option_to_actions": HostileForm(
            fields={"titles": TEXT, "lead_organisation": ORGANISATION_ID},
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("actions:option_to_actions", own=_ours("option"), foreign=_theirs("option")),
        ),
        "actions:action_create": HostileForm(
            fields=ACTION_FIELDS,
            typical=ACTION_TYPICAL,
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("actions:action_create", own=_ours("plan"), foreign=_theirs("plan")),
        ),
        "actions:action_edit": HostileForm(
            fields=ACTION_FIELDS,
            typical={**ACTION_TYPICAL, "depends_on": lambda t: []},
            own_edges=("depends_on", "version"),
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("actions:action_edit", own=_ours("action"), foreign=_theirs("action")),
        ),
        "actions:action_delete": HostileForm(
            fields={},
            examples=EXAMPLES_PER_ACTIONS_BUTTON,
            **by_pk("actions:action_delete", own=_our_actions, foreign=_theirs("action")),
        ),
        "actions:update_create": HostileForm(
            fields=UPDATE_FIELDS,
            user=_partner,
            typical={"status": Action.Status.ON_TRACK},
            shown_on=lambda t: (t.ours["action"].get_absolute_url(), "update_form"),
            examples=EXAMPLES_PER_ACTIONS_FORM,
            pages=_update_pages,
            refused=by_pk("actions:update_create", own=_ours("action"), foreign=_theirs("action"))[
                "refused"
            ],
        ),
        # The second action awaits a lead's confirmation that it is complete; the first not.
        "actions:closure_confirm": HostileForm(
            fields={},
            examples=EXAMPLES_PER_ACTIONS_BUTTON,
            **by_pk("actions:closure_confirm", own=_our_actions, foreign=_theirs("action")),
        ),
        "actions:closure_return": HostileForm(
            fields={"reason": TEXT},
            shown_on=lambda t: (t.ours["second_action"].get_absolute_url(), "return_form"),
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk(
                "actions:closure_return",
                own=lambda t: [t.ours["second_action"].pk, t.ours["action"].pk],
                foreign=_theirs("action"),
            ),
        ),
        "actions:milestone_toggle": HostileForm(
            fields={},
            user=_partner,
            examples=EXAMPLES_PER_ACTIONS_BUTTON,
            **by_pk(
                "actions:milestone_toggle", own=_ours("milestone"), foreign=_theirs("milestone")
            ),
        ),
        # Issue 16: a partner asks for a new due date; a lead answers.
        "actions:due_date_propose": HostileForm(
            fields={"proposed_due": DATE, "reason": TEXT},
            user=_partner,
            shown_on=lambda t: (t.ours["action"].get_absolute_url(), "due_form"),
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("actions:due_date_propose", own=_ours("action"), foreign=_theirs("action")),
        ),
        "actions:due_date_answer": HostileForm(
            fields={"answer": choice(["accept", "decline"]), "answer_reason": TEXT},
            shown_on=lambda t: (t.ours["second_action"].get_absolute_url(), "answer_form"),
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk(
                "actions:due_date_answer",
                own=_ours("due_proposal"),
                foreign=_theirs("due_proposal"),
            ),
        ),
    }
)

# Issue 5: agreeing a plan (which freezes a version), archiving and reopening it.
HOSTILE_FORMS.update(
    {
        "improveplan:plan_agree": HostileForm(
            # Our plan has actions that are not yet SMART, so the form asks why.
            fields={"smart_exception_reason": TEXT},
            **by_pk("improveplan:plan_agree", own=_ours("plan"), foreign=_theirs("plan")),
        ),
        "improveplan:plan_archive": HostileForm(
            fields={},
            examples=EXAMPLES_PER_BUTTON,
            **by_pk("improveplan:plan_archive", own=_ours("plan"), foreign=_theirs("plan")),
        ),
        "improveplan:plan_reopen": HostileForm(
            fields={},
            examples=EXAMPLES_PER_BUTTON,
            **by_pk("improveplan:plan_reopen", own=_ours("plan"), foreign=_theirs("plan")),
        ),
    }
)


# Issue 6: reviews and reminders


def _review_periods(t: Targets) -> list[str]:
    return [first.isoformat() for first, _ in periods_around(timezone.localdate())]


REVIEW_PERIOD = Kind(
    typical=lambda t: _review_periods(t)[0],  # next quarter's: the plan has none yet
    plausible=lambda t: st.sampled_from(_review_periods(t)),
    edges={
        "taken": lambda t: t.ours["review"].period_start.isoformat(),
        "unknown": "2001-01-01",
        "empty": "",
    },
)
RATING = choice(OutcomeJudgement.Rating.values)
REVIEW_OUTCOME = Kind(
    typical=lambda t: str(t.ours["outcome"].pk),
    plausible=lambda t: st.just(str(t.ours["outcome"].pk)),
    edges={"other-partnerships": lambda t: str(t.theirs["outcome"].pk), "absent": "0"},
    odd=_foreign_or_absent_ids,
)
REVIEW_OUTCOMES = many_of(lambda t: [t.ours["outcome"]], lambda t: [t.theirs["outcome"]])
REVIEW_ACTIONS = many_of(
    lambda t: [t.ours["action"], t.ours["second_action"]], lambda t: [t.theirs["action"]]
)


def _board(t: Targets) -> User | None:
    return t.world.board


HEALTH_SCORE = Kind(
    typical="4",
    plausible=fixed(["1", "2", "3", "4", "5"]),
    edges={"zero": "0", "six": "6", "negative": "-1", "half": "4.5", "empty": "", "huge": "1e308"},
    odd=lambda t: st.integers().map(str),
)
HEALTH_FIELDS = {
    **{f"score_{slug}": HEALTH_SCORE for slug in INGREDIENTS},
    **{f"comment_{slug}": TEXT for slug in INGREDIENTS},
}


HOSTILE_FORMS.update(
    {
        "reviews:schedule": HostileForm(
            fields={"months": choice(["3", "6", "12"])},
            shown_on=lambda t: (
                reverse("reviews:reviews", args=[t.ours["plan"].pk]),
                "schedule_form",
            ),
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("reviews:schedule", own=_ours("plan"), foreign=_theirs("plan")),
        ),
        "reviews:review_create": HostileForm(
            fields={"period": REVIEW_PERIOD, "meets_on": DATE, "attendees": TEXT},
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("reviews:review_create", own=_ours("plan"), foreign=_theirs("plan")),
        ),
        "reviews:review_edit": HostileForm(
            fields={
                "meets_on": DATE,
                "attendees": TEXT,
                "lessons_learned": TEXT,
                "actions_checked": REVIEW_ACTIONS,
            },
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("reviews:review_edit", own=_ours("review"), foreign=_theirs("review")),
        ),
        "reviews:review_judge": HostileForm(
            fields={"outcome": REVIEW_OUTCOME, "rating": RATING, "note": TEXT},
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("reviews:review_judge", own=_ours("review"), foreign=_theirs("review")),
        ),
        "reviews:decision_create": HostileForm(
            fields={
                "text": TEXT,
                "taken_on": DATE,
                "outcomes": REVIEW_OUTCOMES,
                "actions": REVIEW_ACTIONS,
            },
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("reviews:decision_create", own=_ours("review"), foreign=_theirs("review")),
        ),
        "reviews:review_sign_off": HostileForm(
            fields={},
            user=_board,
            examples=EXAMPLES_PER_ACTIONS_BUTTON,
            **by_pk("reviews:review_sign_off", own=_ours("review"), foreign=_theirs("review")),
        ),
        "reviews:health_check_create": HostileForm(
            fields={"title": TEXT, "opened_on": DATE},
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("reviews:health_check_create", own=_partnership, foreign=_other_partnership),
        ),
        "reviews:health_check_score": HostileForm(
            fields=HEALTH_FIELDS,
            user=_partner,
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk(
                "reviews:health_check_score",
                own=_ours("health_check"),
                foreign=_theirs("health_check"),
            ),
        ),
        "reviews:remind_behind": HostileForm(
            fields={},
            examples=EXAMPLES_PER_ACTIONS_BUTTON,
            **by_pk("reviews:remind_behind", own=_ours("plan"), foreign=_theirs("plan")),
        ),
        "reviews:reading_correct": HostileForm(
            fields={
                "value": DECIMAL,
                "lower": DECIMAL,
                "upper": DECIMAL,
                "source_note": TEXT,
                "reason": TEXT,
            },
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk(
                "reviews:reading_correct",
                own=_ours("closed_reading"),
                foreign=_theirs("closed_reading"),
            ),
        ),
        "reviews:preferences": HostileForm(
            fields={
                "frequency": choice(ReminderPreference.Frequency.values),
                "due_soon": BOOLEAN,
                "missing_updates": BOOLEAN,
                "readings_due": BOOLEAN,
                "reviews": BOOLEAN,
            },
            pages=at("reviews:preferences"),
        ),
    }
)


# Issue 5: policy proofing, Future-basing's achievements and a care service's findings.
PROOFING_FIELDS = {
    name: kind
    for topic in Proofing.Topic.values
    for name, kind in (
        (f"finding_{topic}", choice(["", *Proofing.Finding.values])),
        (f"note_{topic}", TEXT),
    )
}
HOSTILE_FORMS["methods:proofing_edit"] = HostileForm(
    fields=PROOFING_FIELDS,
    typical={f"finding_{topic}": "concern" for topic in Proofing.Topic.values},
    examples=EXAMPLES_PER_ACTIONS_FORM,
    **by_pk("methods:proofing_edit", own=_ours("outcome"), foreign=_theirs("outcome")),
)
for _kind, (_parent, _fields) in {
    "achievement": ("outcome", {"statement": TEXT, "order": NUMBER}),
    "finding": (
        "plan",
        {
            "key_question": choice(Finding.KeyQuestion.values),
            "summary": TEXT,
            "detail": TEXT,
            "source": TEXT,
            "actions": many_of(
                lambda t: [t.ours["action"], t.ours["second_action"]],
                lambda t: [t.theirs["action"]],
            ),
        },
    ),
}.items():
    HOSTILE_FORMS[f"methods:{_kind}_create"] = HostileForm(
        fields=_fields,
        examples=EXAMPLES_PER_ACTIONS_FORM,
        **by_pk(f"methods:{_kind}_create", own=_ours(_parent), foreign=_theirs(_parent)),
    )
    HOSTILE_FORMS[f"methods:{_kind}_edit"] = HostileForm(
        fields=_fields,
        examples=EXAMPLES_PER_ACTIONS_FORM,
        **by_pk(f"methods:{_kind}_edit", own=_ours(_kind), foreign=_theirs(_kind)),
    )
    HOSTILE_FORMS[f"methods:{_kind}_delete"] = HostileForm(
        fields={},
        examples=EXAMPLES_PER_ACTIONS_BUTTON,
        **by_pk(f"methods:{_kind}_delete", own=_ours(_kind), foreign=_theirs(_kind)),
    )


@st.composite
def address(draw, entry: HostileForm, t: Targets) -> Address:
    """Mostly where the user may post; a quarter of the time a hostile address."""
    if entry.refused is not None and draw(st.integers(0, 3)) == 3:
        return draw(entry.refused(t))
    return draw(st.sampled_from(entry.pages(t)))


@st.composite
def form_data(draw, entry: HostileForm, t: Targets) -> dict:
    """Anything in every field; or plausible values with one hostile field; or plausible
    values only (which the form may accept, so that what it saves is shown again)."""
    kinds = kinds_of(entry, t)
    mode = draw(st.sampled_from(["anything", "one hostile field", "plausible"]))
    spoiled = (
        draw(st.sampled_from(sorted(kinds))) if kinds and mode == "one hostile field" else None
    )
    data = {}
    for name, kind in kinds.items():
        if mode == "anything":
            value = draw(posted(kind.anything(t)))
        elif name == spoiled:
            value = draw(posted(kind.refusable(t)))
        else:
            value = draw(kind.plausible(t))
        if value is not None:
            data[name] = value
    for twin, original in entry.twins.items():
        if original in data and draw(st.integers(0, 3)) < 3:  # mostly typed twice alike
            data[twin] = data[original]
    return {**draw(junk_fields(t, set(kinds))), **data}


def typical_data(entry: HostileForm, t: Targets) -> dict:
    """What a careful person would post: every field its kind's typical value."""
    kinds = kinds_of(entry, t)
    return {name: _value(entry.typical.get(name, kind.typical), t) for name, kind in kinds.items()}


# Public forms and the signed-in person's own forms take a POST without writing
# partnership data, so ROUTES does not mark them ``writes``.
POST_FORMS_THAT_DO_NOT_WRITE = {
    "login",
    "logout",
    "password_reset",
    "password_reset_confirm",
    "improveplan:invitation_accept",
    "password_change",
    "reviews:preferences",  # Issue 6: one's own reminder settings
}


def post_endpoints(routes: dict[str, Route]) -> set[str]:
    return {name for name, route in routes.items() if route.writes} | (
        POST_FORMS_THAT_DO_NOT_WRITE & set(routes)
    )


# Checking what a post did -------------------------------------------------------------

# Refusals are rightly written to the security log; that is not the input being saved.
LOG_MODELS = {"SecurityEvent"}


def _snapshot() -> dict[str, list[str]]:
    """Every row of the partnership data (but when people last signed in)."""
    rows = {}
    for app in ("improveplan", "outcomes", "actions", "reviews"):
        for model in apps.get_app_config(app).get_models():
            if model.__name__ in LOG_MODELS:
                continue
            columns = [f.attname for f in model._meta.concrete_fields if f.name != "last_login"]
            rows[model._meta.label] = sorted(map(repr, model.objects.values_list(*columns)))
    return rows


# How each model's rows reach the partnership they belong to.
PARTNERSHIP_OF = {
    Partnership: "pk",
    Organisation: "partnership",
    Membership: "partnership",
    Invitation: "partnership",
    Plan: "partnership",
    Outcome: "plan__partnership",
    Indicator: "plan__partnership",
    Reading: "indicator__plan__partnership",
    Target: "indicator__plan__partnership",
    Comparator: "indicator__plan__partnership",
    ComparatorReading: "comparator__indicator__plan__partnership",
    Evidence: "outcome__plan__partnership",
    Risk: "outcome__plan__partnership",
    Criterion: "plan__partnership",
    Option: "outcome__plan__partnership",
    Score: "option__outcome__plan__partnership",
    Action: "plan__partnership",
    Milestone: "action__plan__partnership",
    Update: "action__plan__partnership",
}


def _other_partnerships_rows(t: Targets) -> list:
    other = t.world.other_partnership.pk
    rows = [
        sorted(model.objects.filter(**{path: other}).values_list())
        for model, path in PARTNERSHIP_OF.items()
    ]
    people = User.objects.filter(memberships__partnership=other)
    return [*rows, sorted(people.values_list("email", "full_name", "is_active", "password"))]


def _crossed_links() -> list:
    """Rows of one partnership that point at another partnership's organisation."""
    return [
        *Membership.objects.exclude(organisation__partnership=F("partnership")),
        *Invitation.objects.exclude(organisation__partnership=F("partnership")),
        *Indicator.objects.exclude(owner__partnership=F("plan__partnership")),
        *Evidence.objects.filter(lead_organisation__isnull=False).exclude(
            lead_organisation__partnership=F("outcome__plan__partnership")
        ),
        *_crossed_action_links(),
    ]


def _crossed_action_links() -> list:
    """Actions, and their options' scores, that point outside their own plan or partnership."""
    through = Action.outcomes.through.objects
    supporting = Action.supporting_organisations.through.objects
    depends = Action.depends_on.through.objects
    owners_elsewhere = [
        action
        for action in Action.objects.filter(owner__isnull=False)
        if not Membership.objects.filter(
            user=action.owner_id, partnership=action.plan.partnership_id
        ).exists()
    ]
    return [
        *Action.objects.exclude(lead_organisation__partnership=F("plan__partnership")),
        *Action.objects.filter(resource_provider__isnull=False).exclude(
            resource_provider__partnership=F("plan__partnership")
        ),
        *Action.objects.filter(option__isnull=False).exclude(option__outcome__plan=F("plan")),
        *Action.objects.filter(success_indicator__isnull=False).exclude(
            success_indicator__plan=F("plan")
        ),
        *owners_elsewhere,
        *through.exclude(outcome__plan=F("action__plan")),
        *supporting.exclude(organisation__partnership=F("action__plan__partnership")),
        *depends.exclude(to_action__plan=F("from_action__plan")),
        *Score.objects.exclude(criterion__plan=F("option__outcome__plan")),
    ]


SCRIPT_URL = re.compile(
    r"""\b(?:href|src|action|formaction)\s*=\s*["']?\s*(?:java|vb)script:""", re.I
)


def _assert_escaped(response) -> None:
    page = response.content.decode(errors="replace")
    for payload in RAW_PAYLOADS:
        assert payload not in page, f"{payload!r} is on the page unescaped"
    assert not SCRIPT_URL.search(page), "a link on the page runs a script"


def _on_this_site(location: str) -> bool:
    # Browsers read a backslash as a slash and skip leading spaces and control characters.
    parts = urlsplit(location.replace("\\", "/").lstrip("".join(map(chr, range(33)))))
    if parts.scheme or parts.netloc:
        return parts.scheme in ("http", "https") and parts.netloc == "testserver"
    return True


def _form_on(response, name: str = "form"):
    return response.context.get(name) if response.context is not None else None


@contextmanager
def _rolled_back() -> Iterator[None]:
    """Whatever happens inside is undone, so that examples do not leak into each other."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _sign_in(client, user: User | None) -> None:
    client.logout()
    if user is not None:
        client.force_login(user, backend=MODEL_BACKEND)


ENCODINGS = ("multipart", "urlencoded", "json")


def _as_text(value):
    """A form can carry a file; a urlencoded or JSON body only its name."""
    if isinstance(value, list):
        return [_as_text(item) for item in value]
    return value.name if isinstance(value, UploadedFile) else value


def _send(client, to: Address, data: dict, encoding: str):
    if encoding != "multipart":
        data = {name: _as_text(value) for name, value in data.items()}
    path, headers = to.path, to.headers
    if encoding == "urlencoded":
        body = urlencode(data, doseq=True)
        return client.post(
            path, body, content_type="application/x-www-form-urlencoded", headers=headers
        )
    if encoding == "json":
        return client.post(path, data, content_type="application/json", headers=headers)
    return client.post(path, data, headers=headers)


@dataclass
class Before:
    """The data as every example starts: each one is rolled back, so it is the same."""

    rows: dict[str, list[str]]
    theirs: list


def _post_and_check(
    client, t: Targets, before: Before, name: str, to: Address, data: dict, encoding: str
):
    response = _send(client, to, data, encoding)
    status = response.status_code
    ANSWERS[name][status] += 1
    assert 200 <= status < 500
    _assert_escaped(response)
    if to.status is not None:
        # 400: a body too large for Django to read is refused before the view decides.
        assert status in (to.status, 400), f"{to.path} should answer {to.status}"
    if 300 <= status < 400 or status == to.accepted:
        if status != to.accepted:
            location = response["Location"]
            assert _on_this_site(location), f"redirects away from the site: {location!r}"
            page = client.get(location)
            assert page.status_code < 500
            _assert_escaped(page)
        assert _other_partnerships_rows(t) == before.theirs, "the other partnership's data changed"
        assert not _crossed_links(), "something of ours now points at another partnership's"
    else:
        form = _form_on(response)
        if status == 200 and form is not None and form.is_bound:
            # The form's errors; or, for the readings import, the file's.
            assert form.errors or _form_on(response, "errors"), "a refusal must say why"
        # All the data, the other partnership's too.
        assert _snapshot() == before.rows, "a refused post saved something"
    return response


# Issue 6: peer challenge


def _peer_links(t: Targets) -> list[Address]:
    return [Address(reverse("reviews:peer_accept", args=[peer_token(t.ours["peer_invited"])]))]


def _broken_peer_links(t: Targets) -> st.SearchStrategy[Address]:
    """Used, forged and mangled links, and the other partnership's reviewer's used one."""
    token = peer_token(t.ours["peer_invited"])
    forged = [
        peer_token(t.ours["peer_reviewer"]),  # already used
        invitation_token(t.invitation),  # signed, but as a membership invitation
        signing.dumps(t.ours["peer_invited"].pk),
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        str(t.ours["peer_invited"].pk),
    ]
    tokens = st.one_of(st.sampled_from(forged), st.sampled_from(FIXED), RANDOM_TEXT)
    return tokens.map(
        lambda token: Address(reverse("reviews:peer_accept", args=[_no_slash(token)]), status=410)
    )


def _peer_reviewer(t: Targets) -> User | None:
    return t.ours["peer_reviewer"].user


PEER_DAYS = Kind(
    typical="30",
    plausible=lambda t: st.integers(1, 90).map(str),
    edges={**NUMBER.edges, "one-over": "91", "half": "1.5"},
    odd=NUMBER.odd,
)

HOSTILE_FORMS.update(
    {
        "reviews:peer_invite": HostileForm(
            fields={"name": TEXT, "email": NEW_EMAIL, "days": PEER_DAYS},
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("reviews:peer_invite", own=_ours("plan"), foreign=_theirs("plan")),
        ),
        "reviews:peer_revoke": HostileForm(
            fields={},
            examples=EXAMPLES_PER_ACTIONS_BUTTON,
            **by_pk(
                "reviews:peer_revoke", own=_ours("peer_reviewer"), foreign=_theirs("peer_reviewer")
            ),
        ),
        "reviews:peer_answers": HostileForm(
            fields={
                f"answer_{number}_{slug}": TEXT
                for number, _title, questions in peer.steps()
                for slug, _question in questions
            },
            extra={"submit": BOOLEAN},
            user=_peer_reviewer,
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk(
                "reviews:peer_answers", own=_ours("peer_reviewer"), foreign=_theirs("peer_reviewer")
            ),
        ),
        "reviews:peer_accept": HostileForm(
            fields={"full_name": TEXT, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
            twins={"password2": "password1"},
            pages=_peer_links,
            refused=_broken_peer_links,
            user=_anonymous,
            examples=EXAMPLES_PER_ACTIONS_FORM,
        ),
    }
)


# The tests --------------------------------------------------------------------------

EXAMPLES: Counter[str] = Counter()  # random examples per form
EDGE_POSTS: Counter[str] = Counter()  # edge values per form
ANSWERS: defaultdict[str, Counter[int]] = defaultdict(Counter)  # the statuses each form gave
COUNTS_FILE = Path(__file__).resolve().parents[2] / "test-artifacts" / "hostile-input-counts.txt"


@pytest.fixture(scope="module", autouse=True)
def _write_example_counts() -> Iterator[None]:
    yield
    if EXAMPLES or EDGE_POSTS:
        COUNTS_FILE.parent.mkdir(exist_ok=True)
        lines = ["form\trandom examples\tedge values\tanswers to all its posts"]
        for name in sorted(EXAMPLES | EDGE_POSTS):
            answers = ", ".join(f"{status}: {n}" for status, n in sorted(ANSWERS[name].items()))
            lines.append(f"{name}\t{EXAMPLES[name]}\t{EDGE_POSTS[name]}\t{answers}")
        lines.append(f"total\t{EXAMPLES.total()}\t{EDGE_POSTS.total()}")
        COUNTS_FILE.write_text("\n".join(lines) + "\n")


def test_every_post_endpoint_is_covered():
    missing = post_endpoints(ROUTES) - set(HOSTILE_FORMS)
    assert not missing, f"Add these POST endpoints to HOSTILE_FORMS: {sorted(missing)}"
    stale = set(HOSTILE_FORMS) - set(ROUTES)
    assert not stale, f"HOSTILE_FORMS names URLs that no longer exist: {sorted(stale)}"


def test_the_coverage_check_notices_a_new_post_endpoint():
    routes = {**ROUTES, "improveplan:secret": Route(writes=True)}
    assert post_endpoints(routes) - set(HOSTILE_FORMS) == {"improveplan:secret"}


@pytest.fixture
def route_world(targets: Targets) -> World:
    """The world with one of everything, as ROUTES names them."""
    w = targets.world
    for kind, thing in targets.ours.items():
        setattr(w, kind, thing)
    return w


@pytest.mark.parametrize("name", sorted(set(ROUTES) - set(HOSTILE_FORMS)))
def test_every_other_url_refuses_a_post(client, route_world, name):
    """A URL that answers a POST but is not in ROUTES as one would escape the hostile posts."""
    route = ROUTES[name]
    parameters = url_names(get_resolver().url_patterns)[name]
    kwargs = route.kwargs(route_world) if route.kwargs else dict.fromkeys(parameters, 1)
    with _rolled_back():
        _sign_in(client, route_world.lead)
        response = client.post(reverse(name, kwargs=kwargs or None), {"name": SCRIPT})
    assert response.status_code == 405, (
        f"{name} answers a POST with {response.status_code}: add it to HOSTILE_FORMS"
    )


@pytest.mark.parametrize("name", sorted(HOSTILE_FORMS))
def test_the_registry_names_every_field_the_form_takes(client, targets, name):
    """The form the page really shows, so that a new field without a strategy fails."""
    entry = HOSTILE_FORMS[name]
    page = entry.pages(targets)[0]
    with _rolled_back():
        _sign_in(client, entry.user(targets))
        if page.visit_first:
            client.get(page.visit_first)
        if entry.shown_on:
            path, context_name = entry.shown_on(targets)
            form = _form_on(client.get(path), context_name)
        elif ROUTES[name].get:
            form = _form_on(client.get(page.path))
        else:
            form = _form_on(client.post(page.path))
    real = set(form.fields) if form is not None else set()
    names = entry.real_names(targets) if entry.real_names else {}
    assert {names.get(n, n) for n in entry.fields} == real, f"{name} takes {sorted(real)}"


def _post_once(client, t: Targets, name: str, data: dict):
    entry = HOSTILE_FORMS[name]
    to = entry.pages(t)[0]
    before = Before(rows=_snapshot(), theirs=_other_partnerships_rows(t))
    _sign_in(client, entry.user(t))
    if to.visit_first:
        client.get(to.visit_first)
    return _post_and_check(client, t, before, name, to, data, "multipart")


@pytest.mark.parametrize("name", sorted(HOSTILE_FORMS))
def test_each_form_accepts_its_typical_input(client, targets, name):
    """The edge values below start from this input, so each is all that is wrong with its post."""
    response = _post_once(client, targets, name, typical_data(HOSTILE_FORMS[name], targets))
    assert response.status_code == 302, (_form_on(response).errors, _form_on(response, "errors"))


ON_POSTGRESQL = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
# Application bugs these tests found, by test case: remove a mark once its bug is fixed.
KNOWN_BUGS: dict[str, pytest.MarkDecorator] = {}


def _edge_cases() -> list:
    cases = []
    for name, entry in HOSTILE_FORMS.items():
        shared = name.endswith("_edit") and name.removesuffix("_edit") + "_create" in HOSTILE_FORMS
        for field_name, kind in {**entry.fields, **entry.extra}.items():
            if shared and field_name not in entry.own_edges:
                continue  # the create page's form: its edges are tried there
            if field_name in entry.twins:
                continue  # typed again: it gets its original's edges
            for label in kind.edges:
                case = f"{name}-{field_name}-{label}"
                marks = KNOWN_BUGS.get(case, ())
                cases.append(pytest.param(name, field_name, label, id=case, marks=marks))
    return cases


@pytest.mark.parametrize(("name", "field_name", "label"), _edge_cases())
@override_settings(AXES_ENABLED=False)
def test_each_edge_value_in_each_field(client, targets, name, field_name, label):
    """Typical input but for one field, which gets one of its kind's edge values."""
    entry = HOSTILE_FORMS[name]
    data = typical_data(entry, targets)
    real_name = (
        entry.real_names(targets).get(field_name, field_name) if entry.real_names else field_name
    )
    data[real_name] = _value({**entry.fields, **entry.extra}[field_name].edges[label], targets)
    for twin, original in entry.twins.items():
        if original == field_name:
            data[twin] = data[real_name]
    EDGE_POSTS[name] += 1
    _post_once(client, targets, name, data)


@pytest.mark.parametrize("name", sorted(HOSTILE_FORMS))
@override_settings(AXES_ENABLED=False)  # thousands of failed sign-ins must not lock anyone out
def test_hostile_input_is_refused_or_saved_safely(client, targets, name):
    entry = HOSTILE_FORMS[name]
    before = Before(rows=_snapshot(), theirs=_other_partnerships_rows(targets))
    assert not _crossed_links()

    @settings(
        max_examples=entry.examples,
        deadline=None,
        database=None,  # the seed decides the examples, not failures saved from earlier runs
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @seed(name)  # the same examples every run, so that a failure is never a fluke
    @given(
        to=address(entry, targets),
        data=form_data(entry, targets),
        encoding=st.sampled_from(ENCODINGS),
    )
    def post_hostile_input(to: Address, data: dict, encoding: str) -> None:
        EXAMPLES[name] += 1
        with _rolled_back():
            _sign_in(client, entry.user(targets))
            if to.visit_first:
                client.get(to.visit_first)
            _post_and_check(client, targets, before, name, to, data, encoding)

    post_hostile_input()
