"""Hostile input: random and malicious values posted into every form and POST endpoint.

Each app's tests post into its own forms (``<app>/tests/test_hostile_input.py``, each with
its ``FORMS``); the values, the kinds of field and the checks every post must pass are in
improveplan/tests/hostile.py. Here are the core's forms and the shell's (users, partnerships,
organisations, memberships, invitations, plans, signing in), and the checks of the
assembled product, which read every app's ``FORMS``:

- a POST endpoint in the access sweep's ROUTES without an entry in any app's ``FORMS`` fails
  ``test_every_post_endpoint_is_covered``;
- every other URL must refuse a POST (``test_every_other_url_refuses_a_post``).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.urls import get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import strategies as st

from actions.tests import test_hostile_input as actions_hostile
from actions.versions import plan_agree
from api.tests import test_hostile_input as api_hostile
from comments.tests import test_hostile_input as comments_hostile
from conftest import World
from improveplan.models import Organisation, Plan, Role, User
from improveplan.services import invitation_token
from improveplan.tests.hostile import (
    ABSENT_IDS,
    ACCOUNT_EMAIL,
    BOOLEAN,
    DATE,
    EXAMPLES_PER_BUTTON,
    FIXED,
    KNOWN_PASSWORD,
    NEW_EMAIL,
    NEW_PASSWORD,
    NEXT,
    NUMBER,
    ORGANISATION_ID,
    ORGANISATION_NAME,
    RANDOM_TEXT,
    SCRIPT,
    TEXT,
    Address,
    HostileForm,
    Kind,
    Layer,
    Targets,
    Value,
    anonymous,
    at,
    by_pk,
    check_typical_input,
    choice,
    fixed,
    foreign_or_absent_ids,
    hostile_tests_of,
    no_slash,
    other_partnership,
    our,
    our_partnership,
    rolled_back,
    sign_in,
    targets_in,
    their,
)
from improveplan.tests.kept_rows import kept_rows
from improveplan.tests.test_access_sweep import ROUTES, Route, url_names
from methods.tests import test_hostile_input as methods_hostile
from outcomes.tests import test_hostile_input as outcomes_hostile
from publishing.tests import test_hostile_input as publishing_hostile
from reviews.tests import test_hostile_input as reviews_hostile

pytestmark = pytest.mark.django_db


def _agreed(plan, owner, made) -> dict:
    """Issue 24: the plan agreed, so that its members have something to sign up to."""
    plan_agree(plan=plan, by=plan.partnership.memberships.filter(role="lead").first().user)
    return {}


# The plan's agreement needs its actions, so the core's forms are tried in every app's world,
# the plan agreed on top of it.
LAYERS = (*comments_hostile.LAYERS, Layer(contents=_agreed))


@kept_rows  # built once for the tests in a row (improveplan/tests/kept_rows.py)
def targets(world: World) -> Targets:
    return targets_in(world, LAYERS)


# The forms ------------------------------------------------------------------------------


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
            reverse("improveplan:invitation_accept", args=[no_slash(token)]), status=410
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
    ).map(no_slash)
    partner = User.objects.get(pk=w.partner.pk)
    tokens = st.one_of(
        st.sampled_from([default_token_generator.make_token(partner), "set-password"]),
        st.sampled_from(FIXED),
        RANDOM_TEXT,
    ).map(no_slash)
    return st.builds(lambda uid, token: Address(_reset_link(uid, token), status=200), uids, tokens)


def _invitations(t: Targets) -> list[int]:
    return [t.invitation.pk, t.cancelled_invitation.pk]


def _other_invitation(t: Targets) -> list[int]:
    return [t.other_invitation.pk]


def _memberships(t: Targets) -> list[int]:
    w = t.world
    return [w.membership(user).pk for user in (w.partner, w.board, w.lead)]


def _other_membership(t: Targets) -> list[int]:
    return [t.other_membership.pk]


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
    "trend_minimum_points": NUMBER,
    # Issue 24: the plan's frame
    "scope": TEXT,
    "manager": Kind(  # a member of the partnership; an outsider is refused
        typical=lambda t: str(t.world.lead.pk),
        plausible=lambda t: st.sampled_from(["", str(t.world.lead.pk), str(t.world.partner.pk)]),
        edges={
            "other-partnerships": lambda t: str(t.world.outsider.pk),
            "absent": str(2**31 - 1),
            "beyond-64-bits": str(2**63),
            "sql": "1 OR 1=1",
        },
        odd=foreign_or_absent_ids,
    ),
    "expected_rating": choice(["", *Plan.ExpectedRating.values]),
    "reinspection_date": DATE,
}
PLAN_PERIOD: dict[str, Value] = {"period_start": "2027-04-01", "period_end": "2030-03-31"}
NEW_PASSWORD_FIELDS = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}

FORMS: dict[str, HostileForm] = {
    "improveplan:organisation_create": HostileForm(
        fields=ORGANISATION_FIELDS,
        **by_pk("improveplan:organisation_create", own=our_partnership, foreign=other_partnership),
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
        **by_pk("improveplan:invitation_create", own=our_partnership, foreign=other_partnership),
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
        user=anonymous,
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
        **by_pk("improveplan:plan_create", own=our_partnership, foreign=other_partnership),
    ),
    "improveplan:plan_edit": HostileForm(
        fields=PLAN_FIELDS,
        typical=PLAN_PERIOD,
        **by_pk("improveplan:plan_edit", own=our("plan"), foreign=their("plan")),
    ),
    "login": HostileForm(
        fields={"username": ACCOUNT_EMAIL, "password": KNOWN_PASSWORD},
        extra={"next": NEXT},
        pages=at("login"),
        user=anonymous,
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
        fields={"email": ACCOUNT_EMAIL}, pages=at("password_reset"), user=anonymous
    ),
    "password_reset_confirm": HostileForm(
        fields=NEW_PASSWORD_FIELDS,
        twins={"new_password2": "new_password1"},
        pages=_reset_links,
        refused=_broken_reset_links,
        user=anonymous,
    ),
}


# Issue 5: agreeing a plan (which freezes a version), archiving and reopening it.
FORMS.update(
    {
        "improveplan:plan_agree": HostileForm(
            # Our plan has actions that are not yet SMART, so the form asks why.
            fields={"smart_exception_reason": TEXT},
            **by_pk("improveplan:plan_agree", own=our("plan"), foreign=their("plan")),
        ),
        # Issue 24: a lead or partner signs up for their own organisation (none is named).
        "improveplan:plan_sign_up": HostileForm(
            fields={"job_title": TEXT, "confirm": BOOLEAN},
            **by_pk("improveplan:plan_sign_up", own=our("plan"), foreign=their("plan")),
        ),
        "improveplan:plan_archive": HostileForm(
            fields={},
            examples=EXAMPLES_PER_BUTTON,
            **by_pk("improveplan:plan_archive", own=our("plan"), foreign=their("plan")),
        ),
        "improveplan:plan_reopen": HostileForm(
            fields={},
            examples=EXAMPLES_PER_BUTTON,
            **by_pk("improveplan:plan_reopen", own=our("plan"), foreign=their("plan")),
        ),
    }
)


# Issue 22: one's own notifications, marked read one at a time or all at once.
FORMS.update(
    {
        "improveplan:notification_read": HostileForm(
            fields={},
            extra={"page": NUMBER},
            examples=EXAMPLES_PER_BUTTON,
            **by_pk("improveplan:notification_read", own=our("notice"), foreign=their("notice")),
        ),
        "improveplan:notifications_read_all": HostileForm(
            fields={},
            extra={"page": NUMBER},
            pages=at("improveplan:notifications_read_all"),
            examples=EXAMPLES_PER_BUTTON,
        ),
    }
)


# Issue 23: two-factor sign-in. The codes an authenticator app would show now.
def _code_now(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(totp.token()).zfill(device.digits)


def _code_of_new_app(t: Targets) -> str:
    """The lead is setting up an app: the code it shows now."""
    lead = t.world.lead
    device = TOTPDevice.objects.filter(user=lead, confirmed=False).first()
    return _code_now(device or TOTPDevice.objects.create(user=lead, name="App", confirmed=False))


def _board_with_app(t: Targets) -> User:
    """The board member has an app, so signing in owes its code."""
    TOTPDevice.objects.get_or_create(user=t.world.board, defaults={"name": "App"})
    return t.world.board


def _code_of_boards_app(t: Targets) -> str:
    return _code_now(TOTPDevice.objects.get(user=_board_with_app(t)))


CODE = Kind(
    typical="000000",
    plausible=fixed(["123456", "000000", " 123 456 ", "abcd2345ef", "1234567"]),
    edges={
        "21-characters": "1" * 21,
        "null": "123\x00456",
        "script": SCRIPT,
        "astral": "😀😀😀😀😀😀",
        "10001-characters": "1" * 10_001,
    },
)

FORMS.update(
    {
        "two_factor_set_up": HostileForm(
            fields={"code": CODE}, typical={"code": _code_of_new_app}, pages=at("two_factor_set_up")
        ),
        "two_factor_verify": HostileForm(
            fields={"code": CODE},
            typical={"code": _code_of_boards_app},
            pages=at("two_factor_verify"),
            user=_board_with_app,
        ),
        "two_factor_new_codes": HostileForm(
            fields={}, pages=at("two_factor_new_codes"), examples=EXAMPLES_PER_BUTTON
        ),
        "two_factor_turn_off": HostileForm(
            fields={"code": CODE},
            shown_on=lambda t: (reverse("two_factor"), "form"),
            pages=at("two_factor_turn_off"),
        ),
        "improveplan:two_factor_requirement": HostileForm(
            fields={"require_two_factor": BOOLEAN},
            shown_on=lambda t: (t.world.partnership.get_absolute_url(), "two_factor_form"),
            examples=EXAMPLES_PER_BUTTON,
            **by_pk(
                "improveplan:two_factor_requirement",
                own=our_partnership,
                foreign=other_partnership,
            ),
        ),
    }
)


# Every app's forms ----------------------------------------------------------------------

APPS_FORMS = {
    "improveplan": FORMS,
    "outcomes": outcomes_hostile.FORMS,
    "actions": actions_hostile.FORMS,
    "methods": methods_hostile.FORMS,
    "reviews": reviews_hostile.FORMS,
    "comments": comments_hostile.FORMS,
    "publishing": publishing_hostile.FORMS,
    "api": api_hostile.FORMS,
}
HOSTILE_FORMS: dict[str, HostileForm] = {
    name: entry for forms in APPS_FORMS.values() for name, entry in forms.items()
}

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
    "improveplan:notifications_read_all",  # Issue 22: one's own notifications
    # Issue 23: one's own tokens and two-factor sign-in; a reminder's link to post an update
    "api:tokens",
    "two_factor_set_up",
    "two_factor_verify",
    "two_factor_new_codes",
    "two_factor_turn_off",
    "actions:update_from_email",
}
# The API's writes take JSON, not forms: they are tried against the API's own schema with
# schemathesis (api/tests/test_schema_fuzz.py), and swept with every role's token.
API_WRITES = {name for name, route in ROUTES.items() if route.api and route.writes}


def post_endpoints(routes: dict[str, Route]) -> set[str]:
    return {name for name, route in routes.items() if route.writes and not route.api} | (
        POST_FORMS_THAT_DO_NOT_WRITE & set(routes)
    )


def test_every_post_endpoint_is_covered():
    missing = post_endpoints(ROUTES) - set(HOSTILE_FORMS)
    assert not missing, f"Add these POST endpoints to their app's FORMS: {sorted(missing)}"
    stale = set(HOSTILE_FORMS) - set(ROUTES)
    assert not stale, f"FORMS name URLs that no longer exist: {sorted(stale)}"


def test_the_coverage_check_notices_a_new_post_endpoint():
    routes = {**ROUTES, "improveplan:secret": Route(writes=True)}
    assert post_endpoints(routes) - set(HOSTILE_FORMS) == {"improveplan:secret"}


def test_each_app_registers_its_own_forms_once():
    """An app's forms are posted by its own tests, in the world it knows; the core's tests
    post the core's and the shell's, and the sign-in pages (which have no namespace)."""
    names = [name for forms in APPS_FORMS.values() for name in forms]
    assert len(names) == len(set(names)), "a form is in two apps' FORMS"
    for app, forms in APPS_FORMS.items():
        elsewhere = [name for name in forms if name.partition(":")[0] not in (app, name)]
        assert not elsewhere, f"{app}'s FORMS name another app's URLs: {elsewhere}"


@pytest.mark.parametrize("name", sorted(set(HOSTILE_FORMS) - set(FORMS)))
def test_every_apps_forms_accept_typical_input_in_the_whole_world(client, targets, name):
    """Each app's tests post into its forms in a world of what it knows; here the plan has
    everything every app hangs off it (an outcome with actions, a review), as a real one."""
    check_typical_input(client, targets, name, HOSTILE_FORMS[name])


@pytest.fixture
def route_world(targets: Targets) -> World:
    """The world with one of everything, as ROUTES names them."""
    w = targets.world
    for kind, thing in targets.ours.items():
        setattr(w, kind, thing)
    return w


@pytest.mark.parametrize("name", sorted(set(ROUTES) - set(HOSTILE_FORMS) - API_WRITES))
def test_every_other_url_refuses_a_post(client, route_world, name):
    """A URL that answers a POST but is not in ROUTES as one would escape the hostile posts."""
    route = ROUTES[name]
    parameters = url_names(get_resolver().url_patterns)[name]
    kwargs = route.kwargs(route_world) if route.kwargs else dict.fromkeys(parameters, 1)
    with rolled_back():
        sign_in(client, route_world.lead)
        response = client.post(reverse(name, kwargs=kwargs or None), {"name": SCRIPT})
    assert response.status_code == 405, (
        f"{name} answers a POST with {response.status_code}: add it to its app's FORMS"
    )


# The tests ------------------------------------------------------------------------------

(
    _write_example_counts,
    test_the_registry_names_every_field_the_form_takes,
    test_each_form_accepts_its_typical_input,
    test_each_edge_value_in_each_field,
    test_hostile_input_is_refused_or_saved_safely,
) = hostile_tests_of(FORMS)
