"""seed_demo: a demo partnership to explore, one sign-in per role, safe to run again."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from actions import versions as agreeing
from improveplan import versions
from improveplan.management.commands.seed_demo import PLAN
from improveplan.models import Membership, Organisation, Partnership, Plan, Role, User
from improveplan.tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "improve-together-2026"
RIVERSIDE = "Riverside Health and Wellbeing Partnership"
LEAD = "lead@demo.improveplan.test"
PARTNERS = ["housing@demo.improveplan.test", "health@demo.improveplan.test"]
BOARD = "board@demo.improveplan.test"
HILLSIDE_LEAD = "hillside@demo.improveplan.test"
PEER_REVIEWER = "peer@demo.improveplan.test"  # reads the demo plan only (reviews/demo.py)
EVERY_EMAIL = [LEAD, *PARTNERS, BOARD, HILLSIDE_LEAD, PEER_REVIEWER]


def seed(settings, *args: str) -> str:
    """Run the command as a developer would, with DEBUG on; the pages are then seen with it off."""
    out = StringIO()
    settings.DEBUG = True
    try:
        call_command("seed_demo", *args, stdout=out)
    finally:
        settings.DEBUG = False
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (User, Partnership, Organisation, Membership, Plan)
    }


def test_seed_demo_creates_the_riverside_partnership(demo):
    riverside = Partnership.objects.get(name=RIVERSIDE)
    assert riverside.organisations.count() == 5
    # One plan for each method, besides the plan before the main one and a template (issue 24).
    working = riverside.plans.filter(is_template=False, carried_into=None)
    assert sorted(working.values_list("method", flat=True)) == sorted(Plan.Method.values)
    roles = {m.user.email: m for m in riverside.memberships.select_related("user")}
    assert set(roles) == {LEAD, *PARTNERS, BOARD}
    assert roles[LEAD].role == Role.LEAD
    assert roles[BOARD].role == Role.BOARD
    assert [roles[email].role for email in PARTNERS] == [Role.PARTNER, Role.PARTNER]
    assert roles[PARTNERS[0]].organisation != roles[PARTNERS[1]].organisation


def test_seed_demo_creates_a_second_partnership_whose_lead_sees_none_of_riverside(demo):
    hillside_lead = User.objects.get(email=HILLSIDE_LEAD)
    other = Partnership.objects.exclude(name=RIVERSIDE).get()
    assert other.memberships.get(user=hillside_lead).role == Role.LEAD
    assert not Membership.objects.filter(user=hillside_lead, partnership__name=RIVERSIDE).exists()


def test_seed_demo_prints_every_sign_in_and_the_password(demo):
    output = demo  # what the command printed
    for email in EVERY_EMAIL:
        assert email in output
    assert DEMO_PASSWORD in output


def test_seed_demo_run_twice_changes_nothing(settings, demo):
    first = counts()
    seed(settings)
    assert counts() == first
    assert first == {
        "User": 6,  # with the peer reviewer, who is no member
        "Partnership": 2,
        "Organisation": 6,
        "Membership": 5,
        "Plan": 8,  # with the plan before the main one and a template (issue 24)
    }


def test_seed_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists()
    assert not Partnership.objects.exists()


def test_seed_demo_if_empty_leaves_a_database_with_partnerships_alone(settings):
    PartnershipFactory(name="A real partnership")
    output = seed(settings, "--if-empty")
    assert "not added" in output
    assert list(Partnership.objects.values_list("name", flat=True)) == ["A real partnership"]
    assert not User.objects.exists()


def test_seed_demo_if_empty_seeds_an_empty_database(settings):
    seed(settings, "--if-empty")
    assert Partnership.objects.filter(name=RIVERSIDE).exists()


@pytest.mark.parametrize("email", EVERY_EMAIL)
def test_every_demo_sign_in_works_through_the_sign_in_form(client, demo, email):
    response = client.post(
        reverse("login"), {"username": email, "password": DEMO_PASSWORD}, follow=True
    )
    assert response.redirect_chain == [(reverse("improveplan:home"), 302)]
    assert response.status_code == 200
    assert response.context["user"].email == email
    assert "My partnerships" in response.content.decode()


def sign_in(client, email: str) -> None:
    response = client.post(reverse("login"), {"username": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302


def riverside_page() -> str:
    return reverse("improveplan:partnership", args=[Partnership.objects.get(name=RIVERSIDE).pk])


def test_the_demo_lead_may_invite_people(client, demo):
    sign_in(client, LEAD)
    response = client.get(riverside_page())
    assert response.status_code == 200
    assert "Invite someone" in response.content.decode()


@pytest.mark.parametrize("email", [BOARD, *PARTNERS])
def test_demo_partners_and_board_members_may_not_invite_people(client, demo, email):
    sign_in(client, email)
    response = client.get(riverside_page())
    assert response.status_code == 200
    assert RIVERSIDE in response.content.decode()
    assert "Invite someone" not in response.content.decode()


def test_the_hillside_lead_cannot_see_riverside(client, demo):
    sign_in(client, HILLSIDE_LEAD)
    assert client.get(riverside_page()).status_code == 404


def test_the_demo_is_not_added_beside_real_partnerships_without_force(settings, world):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="not the demo's"):
        call_command("seed_demo", stdout=StringIO())
    assert not Partnership.objects.filter(name__startswith="Riverside Health").exists()
    call_command("seed_demo", "--force", stdout=StringIO())
    assert Partnership.objects.filter(name__startswith="Riverside Health").exists()


# Issue 5: each method's page has something real to show, to every role.
LENS_PAGES = {
    # method: (page, words it shows when it has real content)
    Plan.Method.FIVE_STEPS: ("methods:still_to_do", "steps done"),
    Plan.Method.RBA: ("methods:rba", "Turn the curve: RS-01"),
    Plan.Method.LEAP: ("methods:leap", "The plan stands at"),
    Plan.Method.FUTURE_BASING: ("methods:future_basing", "Close the Mill Street night shelter"),
    Plan.Method.CARE_SERVICE: ("methods:care_service", "Gaps in medicine administration"),
}


@pytest.mark.parametrize("email", [LEAD, PARTNERS[0], BOARD])
def test_every_methods_page_shows_its_demo_plan_to_every_role(client, demo, email):
    sign_in(client, email)
    riverside = Partnership.objects.get(name=RIVERSIDE)
    for method, (page, words) in LENS_PAGES.items():
        plan = riverside.plans.get(method=method, is_template=False, carried_into=None)
        response = client.get(reverse(page, args=[plan.pk]))
        assert response.status_code == 200, (method, email)
        assert words in response.content.decode(), (method, email)
        plan_page = client.get(plan.get_absolute_url()).content.decode()
        assert f"This plan follows <strong>{plan.get_method_display()}</strong>" in plan_page
    rba = riverside.plans.get(method=Plan.Method.RBA)
    curve = client.get(
        reverse("methods:turn_the_curve", args=[rba.indicators.get(code="RS-01").pk])
    )
    page = curve.content.decode()
    assert "No cost" in page and "Low cost" in page
    assert ("The story behind the curve" in page and "Few" in page) or "Fewer books" in page
    outcome = riverside.plans.get(title=PLAN["title"]).outcomes.first()
    for step in range(1, 6):
        walk = client.get(reverse("methods:walk_step", args=[outcome.pk, step]))
        assert walk.status_code == 200 and f"Step {step}:" in walk.content.decode()


def test_the_demo_plan_has_two_agreed_versions_with_a_moved_target_and_a_reassigned_action(
    client, settings, demo
):
    seed(settings)  # and a second run keeps them as they were
    plan = Plan.objects.get(partnership__name=RIVERSIDE, title=PLAN["title"])
    assert plan.status == Plan.Status.AGREED
    assert list(plan.versions.values_list("number", flat=True)) == [1, 2]
    diff = agreeing.compare(plan, 1, 2)
    [target] = diff.section("targets").changed
    assert [change.label for change in target.changes] == ["Target date"]
    [action] = diff.section("actions").changed
    assert {"Owner", "Lead organisation"} <= {change.label for change in action.changes}
    assert agreeing.compare(plan, 2, versions.DRAFT).empty
    client.force_login(User.objects.get(email=BOARD))
    url = reverse("improveplan:plan_versions", args=[plan.pk])
    page = client.get(url, {"old": 1, "new": 2}).content.decode()
    assert "What changed from version 1 to version 2" in page


@time_machine.travel(date(2026, 12, 6), tick=False)  # an answer shows on My actions for a month
def test_the_demo_shows_requests_for_new_due_dates_waiting_and_answered(client, settings):
    seed(settings)
    seed(settings)  # a second run adds no second request
    sign_in(client, LEAD)
    home = client.get(reverse("improveplan:home")).content.decode()
    waiting = home[home.index("Awaiting your confirmation") :]
    assert "Lease 30 homes from private landlords" in waiting
    assert "Tom" in waiting or "asks for 30 Sep 2027" in waiting
    assert "Hold 46 people" not in waiting
    client.force_login(User.objects.get(email=PARTNERS[1]))  # Grace, at the ICB
    mine = client.get(reverse("actions:my_actions")).content.decode().replace("&#x27;", "'")
    assert "declined it: The sessions' funding ended in October." in mine


@time_machine.travel(date(2026, 12, 6), tick=False)
def test_the_demo_has_no_reading_for_a_period_not_yet_over(settings):
    """A reading whose period ends after today is refused (issue 15): the demo keeps to it."""
    from outcomes.models import Reading

    seed(settings)
    assert list(Reading.objects.filter(period__gt=date(2026, 12, 6)).values_list("period")) == []
