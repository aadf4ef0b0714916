"""What every app's hostile-input tests share: hostile values, the kinds of field they are
posted into, the registry's entries, and the checks each post must pass.

Each app's ``tests/test_hostile_input.py`` names its own forms (``FORMS``: for every URL of
the app that takes a POST, which fields its form has, what kind of value each takes, who may
post it and where) and the layers its world is built from (``LAYERS``: the core's, then each
app's up to its own), and calls the checks below from four tests:

- ``check_the_form_takes``: the registry names every field the form really takes;
- ``check_typical_input``: typical input is accepted, so that each edge value below is all
  that is wrong with its post;
- ``check_edge_value``: every field gets each edge value of its kind in turn, the rest of the
  form being typical input, so a value that only bites when the rest of the form is valid (a
  database limit, say) is tried every run;
- ``check_hostile_input``: Hypothesis posts random mixtures of hostile values (markup,
  control characters, unusual Unicode, 10,000+ character strings, odd numbers and dates, the
  other partnership's ids, junk fields) to our addresses and to the other partnership's, as
  multipart, urlencoded and JSON bodies.

Every post must
- never get a server error (the test client raises the view's exception, with its trace);
- never echo a script payload unescaped, in its answer or in the page it redirects to;
- when refused (a 200 page showing what is wrong, or a 4xx), have saved nothing;
- when accepted, leave the other partnership's data alone and link nothing of ours to theirs,
  and redirect within this site.

``improveplan/tests/test_hostile_input.py`` checks that every POST endpoint of every app has
an entry, and that every other URL refuses a POST.

This module is the core's: it imports no app above it, so that every app's tests may use it.
"""

from __future__ import annotations

import copy
import functools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.db.models import F, Model, QuerySet
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from conftest import World
from improveplan.models import (
    Invitation,
    Membership,
    Notification,
    Organisation,
    Partnership,
    Plan,
    User,
)
from improveplan.tests.artifacts import ARTIFACTS, write_from_every_process
from improveplan.tests.factories import PASSWORD, InvitationFactory
from improveplan.tests.rows import found, tables
from improveplan.two_factor import owed_at_sign_in

EXAMPLES_PER_FORM = 25
EXAMPLES_PER_BUTTON = 10  # endpoints without fields: only the address and junk vary
# The actions, methods and reviews apps add many endpoints; fewer examples each keeps their
# runs short. Their edge values are all tried every run regardless.
EXAMPLES_PER_ACTIONS_FORM = 12
EXAMPLES_PER_ACTIONS_BUTTON = 5
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

# What a hostile post aims at -----------------------------------------------------


def _no_contents(plan: Plan, owner: Organisation, made: dict[str, Model]) -> dict[str, Model]:
    return {}


def _no_links() -> dict[str, QuerySet]:
    return {}


def _no_dates(ours: dict[str, Model]) -> list[date]:
    return []


@dataclass(frozen=True)
class Layer:
    """What one app adds to the hostile-input tests: things in a plan for posts to aim at,
    and what to check after each post. An app's tests list the layers below theirs and their
    own, bottom up, so that each app's world holds what it knows and no more."""

    # One of everything the app hangs off a plan, keyed by the apps' URL kinds, as the access
    # sweep's world has them; ``made`` is what the layers below made.
    contents: Callable[[Plan, Organisation, dict[str, Model]], dict[str, Model]] = _no_contents
    # How each of its models' rows reach the partnership they belong to: an accepted post
    # leaves the other partnership's rows as they were.
    partnership_of: dict[type[Model], str] = field(default_factory=dict)
    # Its rows of one partnership that point at another partnership's, each kind of link
    # found by a queryset, named by what it finds: there must be none. Built once a process.
    crossed_links: Callable[[], dict[str, QuerySet]] = _no_links
    # Dates already taken (one reading a period), which forms' dates now and then repeat.
    taken_dates: Callable[[dict[str, Model]], list[date]] = _no_dates


def _crossed_core_links() -> dict[str, QuerySet]:
    return {
        "organisation elsewhere": Membership.objects.exclude(
            organisation__partnership=F("partnership")
        ),
        "invited to an organisation elsewhere": Invitation.objects.exclude(
            organisation__partnership=F("partnership")
        ),
    }


def _core_contents(plan: Plan, owner: Organisation, made: dict[str, Model]) -> dict[str, Model]:
    """The plan; and (issue 22) a notification for its partnership's first lead."""
    lead = plan.partnership.memberships.filter(role="lead").first()
    notice = Notification.objects.create(
        user=lead.user,
        partnership=plan.partnership,
        plan=plan,
        kind=Notification.Kind.REVIEW,
        channel=Notification.Channel.SITE,
        text=f"The review of {plan} is open",
        url=plan.get_absolute_url(),
    )
    return {"plan": plan, "notice": notice}


CORE = Layer(
    contents=_core_contents,
    partnership_of={
        Partnership: "pk",
        Organisation: "partnership",
        Membership: "partnership",
        Invitation: "partnership",
        Plan: "partnership",
        Notification: "partnership",
    },
    crossed_links=_crossed_core_links,
)


def _plan_contents(plan: Plan, owner: Organisation, layers: Sequence[Layer]) -> dict[str, Model]:
    made: dict[str, Model] = {}
    for layer in layers:
        made.update(layer.contents(plan, owner, made))
    return made


@dataclass
class Targets:
    """The world, and the invitations, memberships and plan contents hostile posts aim at."""

    world: World
    layers: tuple[Layer, ...]  # what the world holds, and what each post is checked for
    invitation: Invitation  # pending, to an address with no account yet
    cancelled_invitation: Invitation
    other_invitation: Invitation  # pending, in the other partnership
    other_membership: Membership  # the outsider's
    ours: dict[str, Model]  # in our plan
    theirs: dict[str, Model]  # in the other partnership's plan
    # Each person of the world signed in once as the targets are built (by ``force_login``,
    # as ``sign_in`` does): their session key, and what signing in made the session owe.
    sessions: dict[int, tuple[str, str | None]] = field(default_factory=dict)

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

    @property
    def taken_dates(self) -> list[date]:
        return [day for layer in self.layers for day in layer.taken_dates(self.ours)]


def targets_in(world: World, layers: Sequence[Layer]) -> Targets:
    """For an app's ``targets`` fixture: the world with the contents of the layers given."""
    return Targets(
        world=world,
        layers=tuple(layers),
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
        ours=_plan_contents(world.plan, world.housing, layers),
        theirs=_plan_contents(world.other_plan, world.other_organisation, layers),
        sessions=_signed_in(world.lead, world.partner, world.board, world.outsider),
    )


def _signed_in(*people: User) -> dict[int, tuple[str, str | None]]:
    """Each person signed in by the test client, as ``sign_in`` does: their session key, and
    what the session owes (a second factor). Kept with the targets (improveplan/tests/
    kept_rows.py), a post starts from its person's session as it was just after signing in,
    without signing in again: a session, the sign-in's log and the last sign-in time are
    some ten queries, a tenth of a post's time."""
    from django.test import Client

    sessions = {}
    for person in people:
        someone = Client()
        someone.force_login(person, backend=MODEL_BACKEND)
        key = someone.cookies[django_settings.SESSION_COOKIE_NAME].value
        sessions[person.pk] = (key, owed_at_sign_in(person))
    return sessions


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


def value_of(value: Value, t: Targets) -> str:
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


def choice(values: list[str]) -> Kind:
    last = values[-1]
    capitals = {"capitals": last.upper()} if last.upper() != last else {}
    return Kind(
        typical=values[0],
        plausible=fixed(values),
        edges={**capitals, "unknown": "nonsense", "empty": ""},
        odd=lambda t: st.sampled_from(values).map(str.upper) | st.just(f" {last} "),
    )


def foreign_or_absent_ids(t: Targets) -> st.SearchStrategy:
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
    odd=foreign_or_absent_ids,
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


def dates_taken(t: Targets) -> list[st.SearchStrategy[str]]:
    taken = t.taken_dates
    return [st.sampled_from(taken).map(date.isoformat)] if taken else []


DATE = Kind(
    typical="2031-06-30",
    plausible=lambda t: st.one_of(
        st.dates(date(1990, 1, 1), date(2100, 12, 31)).map(date.isoformat),
        *dates_taken(t),
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


class Upload(SimpleUploadedFile):
    """An uploaded file that shows its contents when Hypothesis reports a failing example."""

    def __repr__(self) -> str:
        return f"Upload({self.name!r}, {self.file.getvalue()[:300]!r}, {self.size} bytes)"


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
        odd=foreign_or_absent_ids,
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
        odd=lambda t: st.lists(foreign_or_absent_ids(t) | hostile(t), min_size=1, max_size=3),
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


def lead(t: Targets) -> User | None:
    return t.world.lead


def partner(t: Targets) -> User | None:
    return t.world.partner


def board(t: Targets) -> User | None:
    return t.world.board


def anonymous(t: Targets) -> User | None:
    return None


@dataclass(frozen=True)
class HostileForm:
    fields: dict[str, Kind]  # every field the form takes, and what to post into it
    pages: Pages  # where the user may post
    refused: Callable[[Targets], st.SearchStrategy[Address]] | None = None  # hostile addresses
    user: Callable[[Targets], User | None] = lead
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


def no_slash(value: str) -> str:
    return value.replace("/", "") or "x"


def our_partnership(t: Targets) -> list[int]:
    return [t.world.partnership.pk]


def other_partnership(t: Targets) -> list[int]:
    return [t.world.other_partnership.pk]


def our(kind: str) -> Callable[[Targets], list[int]]:
    return lambda t: [t.ours[kind].pk]


def their(kind: str) -> Callable[[Targets], list[int]]:
    return lambda t: [t.theirs[kind].pk]


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
    return {
        name: value_of(entry.typical.get(name, kind.typical), t) for name, kind in kinds.items()
    }


# Checking what a post did -------------------------------------------------------------

# Refusals are rightly written to the security log; that is not the input being saved.
LOG_MODELS = {"SecurityEvent"}


def snapshot() -> dict:
    """Every row of the partnership data, in every app of the project's own (but when people
    last signed in): equal to an earlier snapshot exactly when no row changed."""
    return tables("snapshot", _snapshot_models())


@functools.cache
def _snapshot_models() -> tuple[tuple[str, Callable[[int], QuerySet]], ...]:
    found = []
    for app in apps.get_app_configs():
        if Path(app.path).parent != django_settings.BASE_DIR:
            continue  # Django's and other libraries' apps
        for model in app.get_models():
            if model.__name__ in LOG_MODELS:
                continue
            columns = [f.attname for f in model._meta.concrete_fields if f.name != "last_login"]
            every_row = functools.partial(_values_list, model, columns)
            found.append((model._meta.label, every_row))
    return tuple(found)


def _values_list(model: type[Model], columns: list[str], slot: int) -> QuerySet:
    return model.objects.values_list(*columns)


def _values_list_of_one(model: type[Model], path: str, slot: int) -> QuerySet:
    return model.objects.filter(**{path: slot}).values_list()


def other_partnerships_rows(t: Targets) -> dict:
    """Every row of the other partnership's, in every model of the layers, and its people:
    equal to an earlier reading exactly when none of these rows changed."""
    models = tuple(item for layer in t.layers for item in layer.partnership_of.items())
    key, querysets = _their_tables(models)
    return tables(key, querysets, t.world.other_partnership.pk)


def _their_people(slot: int) -> QuerySet:
    return User.objects.filter(memberships__partnership=slot).values_list(
        "email", "full_name", "is_active", "password"
    )


@functools.cache
def _their_tables(models: tuple[tuple[type[Model], str], ...]) -> tuple[str, tuple]:
    """The statement's key and its querysets, for these models and how their rows reach
    their partnership."""
    querysets = tuple(
        (f"{model._meta.label} {path}", functools.partial(_values_list_of_one, model, path))
        for model, path in models
    )
    return _key("theirs", models), (*querysets, ("their people", _their_people))


def crossed_links(t: Targets) -> list[tuple[str, object]]:
    """Rows of one partnership that point at another partnership's: what each is (its model,
    and the link the layer looks for), and its primary key."""
    key, querysets = _crossed_checks(tuple(layer.crossed_links for layer in t.layers))
    return found(key, querysets)


@functools.cache
def _crossed_checks(checks: tuple[Callable[[], dict[str, QuerySet]], ...]) -> tuple[str, tuple]:
    """The statement's key and its querysets, for the links these layers look for."""
    querysets = tuple(
        (f"{queryset.model._meta.label}: {what}", queryset)
        for layer_checks in checks
        for what, queryset in layer_checks().items()
    )
    return _key("crossed", checks), querysets


_KEYS: dict[tuple, str] = {}


def _key(prefix: str, layers: tuple) -> str:
    """A name for the statement of what these layers hold: a process may run the tests of
    several apps, each with layers of its own."""
    return _KEYS.setdefault((prefix, layers), f"{prefix}_{len(_KEYS)}")


SCRIPT_URL = re.compile(
    r"""\b(?:href|src|action|formaction)\s*=\s*["']?\s*(?:java|vb)script:""", re.I
)


def assert_escaped(response) -> None:
    page = response.content.decode(errors="replace")
    for payload in RAW_PAYLOADS:
        assert payload not in page, f"{payload!r} is on the page unescaped"
    assert not SCRIPT_URL.search(page), "a link on the page runs a script"


def on_this_site(location: str) -> bool:
    # Browsers read a backslash as a slash and skip leading spaces and control characters.
    parts = urlsplit(location.replace("\\", "/").lstrip("".join(map(chr, range(33)))))
    if parts.scheme or parts.netloc:
        return parts.scheme in ("http", "https") and parts.netloc == "testserver"
    return True


def form_on(response, name: str = "form"):
    return response.context.get(name) if response.context is not None else None


@contextmanager
def rolled_back() -> Iterator[None]:
    """Whatever happens inside is undone, so that examples do not leak into each other."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def sign_in(client, user: User | None, t: Targets | None = None) -> None:
    """The client signed out, then signed in as ``user`` (if any): with the session the
    targets keep for them when signing in now would make the same (it owes the same second
    factor: the test may have given the person an app since), else signed in now."""
    client.logout()
    if user is None:
        return
    key, owed = t.sessions.get(user.pk, (None, None)) if t is not None else (None, None)
    if key and owed == owed_at_sign_in(user):
        client.cookies[django_settings.SESSION_COOKIE_NAME] = key
    else:
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

    rows: dict
    theirs: dict


def post_and_check(
    client, t: Targets, before: Before, name: str, to: Address, data: dict, encoding: str
):
    response = _send(client, to, data, encoding)
    status = response.status_code
    ANSWERS[name][status] += 1
    assert 200 <= status < 500
    assert_escaped(response)
    if to.status is not None:
        # 400: a body too large for Django to read is refused before the view decides.
        assert status in (to.status, 400), f"{to.path} should answer {to.status}"
    if 300 <= status < 400 or status == to.accepted:
        if status != to.accepted:
            location = response["Location"]
            assert on_this_site(location), f"redirects away from the site: {location!r}"
            page = client.get(location)
            assert page.status_code < 500
            assert_escaped(page)
        assert other_partnerships_rows(t) == before.theirs, "the other partnership's data changed"
        assert not crossed_links(t), "something of ours now points at another partnership's"
    else:
        form = form_on(response)
        if status == 200 and form is not None and form.is_bound:
            # The form's errors; or, for the readings import, the file's.
            assert form.errors or form_on(response, "errors"), "a refusal must say why"
        # All the data, the other partnership's too.
        assert snapshot() == before.rows, "a refused post saved something"
    return response


# What the tests of each app call --------------------------------------------------------

EXAMPLES: Counter[str] = Counter()  # random examples per form
EDGE_POSTS: Counter[str] = Counter()  # edge values per form
ANSWERS: defaultdict[str, Counter[int]] = defaultdict(Counter)  # the statuses each form gave
COUNTS_FILE = ARTIFACTS / "hostile-input-counts.txt"


def write_example_counts() -> None:
    """What every form was sent in this run, and what it answered: each app's tests write
    the file when they end, with the counts of every app whose tests have run, in this
    process and in the others of a parallel run."""
    if EXAMPLES or EDGE_POSTS:
        mine = {"examples": EXAMPLES, "edges": EDGE_POSTS, "answers": ANSWERS}
        write_from_every_process(COUNTS_FILE, mine, _counts_text)


def _counts_text(parts: list[dict]) -> str:
    examples, edges, answers = Counter(), Counter(), defaultdict(Counter)
    for part in parts:
        examples.update(part["examples"])
        edges.update(part["edges"])
        for name, statuses in part["answers"].items():
            answers[name].update({int(status): n for status, n in statuses.items()})
    lines = ["form\trandom examples\tedge values\tanswers to all its posts"]
    for name in sorted(examples | edges):
        statuses = ", ".join(f"{status}: {n}" for status, n in sorted(answers[name].items()))
        lines.append(f"{name}\t{examples[name]}\t{edges[name]}\t{statuses}")
    lines.append(f"total\t{examples.total()}\t{edges.total()}")
    return "\n".join(lines) + "\n"


def check_the_form_takes(client, t: Targets, name: str, entry: HostileForm) -> None:
    """The form the page really shows, so that a new field without a strategy fails."""
    page = entry.pages(t)[0]
    with rolled_back():
        sign_in(client, entry.user(t), t)
        if page.visit_first:
            client.get(page.visit_first)
        if entry.shown_on:
            path, context_name = entry.shown_on(t)
            form = form_on(client.get(path), context_name)
        else:
            response = client.get(page.path)
            if response.status_code == 405:  # a button: what it answers to a post
                response = client.post(page.path)
            form = form_on(response)
    real = set(form.fields) if form is not None else set()
    names = entry.real_names(t) if entry.real_names else {}
    assert {names.get(n, n) for n in entry.fields} == real, f"{name} takes {sorted(real)}"


def _post_once(client, t: Targets, name: str, entry: HostileForm, data: dict):
    to = entry.pages(t)[0]
    before = Before(rows=snapshot(), theirs=other_partnerships_rows(t))
    sign_in(client, entry.user(t), t)
    if to.visit_first:
        client.get(to.visit_first)
    return post_and_check(client, t, before, name, to, data, "multipart")


def check_typical_input(client, t: Targets, name: str, entry: HostileForm) -> None:
    """The edge values start from this input, so each is all that is wrong with its post."""
    response = _post_once(client, t, name, entry, typical_data(entry, t))
    assert response.status_code == 302, (form_on(response).errors, form_on(response, "errors"))


ON_POSTGRESQL = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
# Application bugs these tests found, by test case: remove a mark once its bug is fixed.
KNOWN_BUGS: dict[str, pytest.MarkDecorator] = {}


def edge_cases(forms: dict[str, HostileForm]) -> list:
    """Every edge value of every field of these forms, as test cases."""
    cases = []
    for name, entry in forms.items():
        shared = name.endswith("_edit") and name.removesuffix("_edit") + "_create" in forms
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


def check_edge_value(
    client, t: Targets, name: str, entry: HostileForm, field_name: str, label: str
) -> None:
    """Typical input but for one field, which gets one of its kind's edge values."""
    data = typical_data(entry, t)
    real_name = entry.real_names(t).get(field_name, field_name) if entry.real_names else field_name
    data[real_name] = value_of({**entry.fields, **entry.extra}[field_name].edges[label], t)
    for twin, original in entry.twins.items():
        if original == field_name:
            data[twin] = data[real_name]
    EDGE_POSTS[name] += 1
    _post_once(client, t, name, entry, data)


def check_hostile_input(client, t: Targets, name: str, entry: HostileForm) -> None:
    """Random hostile input, refused or saved safely."""
    before = Before(rows=snapshot(), theirs=other_partnerships_rows(t))
    assert not crossed_links(t)
    # Signed in once, not for every example: each example is rolled back to just after (the
    # session's row, the sign-in's own writes) and starts with the client's cookies of then,
    # as if it had signed in itself.
    sign_in(client, entry.user(t), t)
    signed_in = copy.deepcopy(client.cookies)

    @settings(
        max_examples=entry.examples,
        deadline=None,
        database=None,  # the seed decides the examples, not failures saved from earlier runs
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @seed(name)  # the same examples every run, so that a failure is never a fluke
    @given(
        to=address(entry, t),
        data=form_data(entry, t),
        encoding=st.sampled_from(ENCODINGS),
    )
    def post_hostile_input(to: Address, data: dict, encoding: str) -> None:
        EXAMPLES[name] += 1
        with rolled_back():
            client.cookies = copy.deepcopy(signed_in)
            if to.visit_first:
                client.get(to.visit_first)
            post_and_check(client, t, before, name, to, data, encoding)

    post_hostile_input()


def hostile_tests_of(forms: dict[str, HostileForm]) -> tuple:
    """The tests every app's test_hostile_input.py runs over its ``forms``, for the module to
    take under these names:

        (_write_example_counts, test_the_registry_names_every_field_the_form_takes,
         test_each_form_accepts_its_typical_input, test_each_edge_value_in_each_field,
         test_hostile_input_is_refused_or_saved_safely) = hostile_tests_of(FORMS)
    """

    @pytest.fixture(scope="module", autouse=True)
    def write_counts():
        yield
        write_example_counts()

    @pytest.mark.parametrize("name", sorted(forms))
    def registry_names_every_field(client, targets, name):
        check_the_form_takes(client, targets, name, forms[name])

    @pytest.mark.parametrize("name", sorted(forms))
    def typical_input(client, targets, name):
        check_typical_input(client, targets, name, forms[name])

    @pytest.mark.parametrize(("name", "field_name", "label"), edge_cases(forms))
    @override_settings(AXES_ENABLED=False)
    def edge_values(client, targets, name, field_name, label):
        check_edge_value(client, targets, name, forms[name], field_name, label)

    @pytest.mark.parametrize("name", sorted(forms))
    @override_settings(AXES_ENABLED=False)  # thousands of failed sign-ins must not lock anyone out
    def hostile_input(client, targets, name):
        check_hostile_input(client, targets, name, forms[name])

    return write_counts, registry_names_every_field, typical_input, edge_values, hostile_input
