"""A page kept in the cache (improveplan/kept.py) shows every kind of change at once: the
plan's dashboard, an outcome's page, the action plan and My actions are each opened, the
data changed (in each of the ways a write can be made), and the page opened again."""

from __future__ import annotations

import gzip
import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from actions import services
from actions.models import Action, Milestone
from actions.tests.factories import ActionFactory, MilestoneFactory, UpdateFactory
from improveplan.models import Plan
from outcomes.models import Indicator, Outcome, Reading, Target
from outcomes.readings_io import import_readings
from outcomes.tests.factories import (
    ComparatorFactory,
    ComparatorReadingFactory,
    EvidenceFactory,
    IndicatorFactory,
    OutcomeFactory,
    ReadingFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 6)
OVERDUE = '<span class="badge text-bg-danger">Overdue</span>'


@pytest.fixture
def kept_world(world):
    outcome = OutcomeFactory(plan=world.plan, statement="Fewer adults smoke")
    indicator = IndicatorFactory(
        outcome=outcome, owner=world.council, code="SMK", name="Adults who smoke"
    )
    for year, value in [(2022, "21.5"), (2023, "21.2"), (2024, "20.0")]:
        ReadingFactory(indicator=indicator, period=date(year, 3, 31), value=Decimal(value))
    TargetFactory(indicator=indicator, target_value=Decimal("15.0"))
    action = ActionFactory(
        plan=world.plan,
        lead_organisation=world.housing,
        owner=world.partner,
        title="Open four evening clinics",
        start=date(2026, 4, 1),
        due=date(2027, 12, 31),
    )
    action.outcomes.add(outcome)
    MilestoneFactory(action=action, title="First clinic opens")
    UpdateFactory(action=action, author=world.partner, note="Venue booked.")
    world.outcome, world.indicator, world.action = outcome, indicator, action
    return world


def _url(w, page: str) -> str:
    if page == "outcome":
        return reverse("outcomes:outcome", args=[w.outcome.pk])
    if page == "action plan":
        return reverse("actions:plan", args=[w.plan.pk])
    if page == "my actions":
        return reverse("actions:my_actions")
    return w.plan.get_absolute_url()


def _page(w, page: str, client: Client | None = None) -> str:
    if client is None:
        client = Client()
        client.force_login(w.partner if page == "my actions" else w.lead)
    response = client.get(_url(w, page))
    assert response.status_code == 200
    return response.content.decode()


def _same(page: str) -> str:
    """The page without what differs on every request: the CSRF token, the CSP nonce and the
    one-time token of a form that adds something (the comment box, which is never kept)."""
    return re.sub(r'(name="(csrfmiddlewaretoken|form_token)" value|nonce)="[^"]*"', "", page)


def _save(obj, **values) -> None:
    for field, value in values.items():
        setattr(obj, field, value)
    obj.save()


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _answered(w) -> None:
    proposal = services.due_date_propose(
        action=w.action, by=w.partner, proposed_due=date(2028, 3, 31), reason="Staff left."
    )
    services.due_date_answer(proposal=proposal, by=w.lead, accept=True, reason="Agreed.")


# (page, what it shows once changed, the change)
CHANGES = {
    "a reading saved": (
        "dashboard",
        "19.5%",
        lambda w: ReadingFactory(indicator=w.indicator, period=date(2025, 3, 31), value=19.5),
    ),
    "readings changed with QuerySet.update": (
        "dashboard",
        "17.3%",
        lambda w: Reading.objects.filter(indicator=w.indicator).update(value=Decimal("17.3")),
    ),
    "readings changed in raw SQL": (
        "dashboard",
        "16.4%",
        lambda w: _raw(
            f"UPDATE {Reading._meta.db_table} SET value = 16.4 WHERE indicator_id = %s",  # noqa: S608
            [w.indicator.pk],
        ),
    ),
    "readings added with bulk_create": (
        "dashboard",
        "12.1%",
        lambda w: Reading.objects.bulk_create(
            [Reading(indicator=w.indicator, period=date(2026, 3, 31), value=Decimal("12.1"))]
        ),
    ),
    "readings imported": (
        "dashboard",
        "18.8%",
        lambda w: import_readings(
            plan=w.plan,
            rows=[{"indicator": "SMK", "period": "2025-03-31", "value": "18.8"}],
            user=w.lead,
            membership=w.membership(w.lead),
        ),
    ),
    "the target changed": (
        "dashboard",
        "11.7%",
        lambda w: _save(w.indicator.targets.get(), target_value=Decimal("11.7")),
    ),
    "a target deleted": (
        "dashboard",
        "None set",
        lambda w: Target.objects.filter(indicator=w.indicator).delete(),
    ),
    "the status overruled": (
        "dashboard",
        "The survey is late.",
        lambda w: Indicator.objects.filter(pk=w.indicator.pk).update(
            status_override="off_track", override_reason="The survey is late.", overridden_by=w.lead
        ),
    ),
    "the indicator renamed": (
        "dashboard",
        "Smokers aged 18 and over",
        lambda w: _save(w.indicator, name="Smokers aged 18 and over"),
    ),
    "its owner renamed": (
        "dashboard",
        "Riverside Borough Council",
        lambda w: _save(w.council, name="Riverside Borough Council"),
    ),
    "a new indicator": (
        "dashboard",
        "Quit attempts",
        lambda w: IndicatorFactory(outcome=w.outcome, owner=w.council, name="Quit attempts"),
    ),
    "a new outcome, on the walk too": (
        "dashboard",
        "More people walk to work",
        lambda w: OutcomeFactory(plan=w.plan, statement="More people walk to work"),
    ),
    "a comparator added": (
        "outcome",
        "England average",
        lambda w: ComparatorReadingFactory(
            comparator=ComparatorFactory(indicator=w.indicator, name="England average"),
            period=date(2024, 3, 31),
        ),
    ),
    "evidence added": (
        "outcome",
        "Clinics open only in office hours",
        lambda w: EvidenceFactory(
            outcome=w.outcome, kind="barrier", summary="Clinics open only in office hours"
        ),
    ),
    "the outcome's assumptions": (
        "outcome",
        "People will come in the evening",
        lambda w: Outcome.objects.filter(pk=w.outcome.pk).update(
            assumptions="People will come in the evening"
        ),
    ),
    "an action renamed with QuerySet.update": (
        "action plan",
        "Open six evening clinics",
        lambda w: Action.objects.filter(pk=w.action.pk).update(title="Open six evening clinics"),
    ),
    "actions renamed with bulk_update": (
        "action plan",
        "Run evening clinics",
        lambda w: Action.objects.bulk_update(
            [Action(pk=w.action.pk, title="Run evening clinics")], ["title"]
        ),
    ),
    "an update edited": (
        "action plan",
        "The first clinic saw twelve people.",
        lambda w: w.action.updates.update(note="The first clinic saw twelve people."),
    ),
    "its milestones deleted": (
        "action plan",
        "over a year long with no milestones",
        lambda w: Milestone.objects.filter(action=w.action).delete(),
    ),
    "its owner's name": (
        "action plan",
        "Pat Renamed",
        lambda w: _save(w.partner, full_name="Pat Renamed"),
    ),
    "a new action": (
        "my actions",
        "Train twenty advisers",
        lambda w: ActionFactory(
            plan=w.plan, lead_organisation=w.housing, title="Train twenty advisers"
        ),
    ),
    "the plan renamed": (
        "my actions",
        "Healthier Riverside 2027",
        lambda w: Plan.objects.filter(pk=w.plan.pk).update(title="Healthier Riverside 2027"),
    ),
    "the partnership renamed": (
        "my actions",
        "Riverside Together",
        lambda w: _save(w.partnership, name="Riverside Together"),
    ),
    "a new due date agreed": ("my actions", "Due-date request accepted", _answered),
}


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("change", CHANGES)
def test_a_kept_page_shows_each_kind_of_change_at_once(kept_world, change):
    page, shown, make = CHANGES[change]
    before = _page(kept_world, page)
    assert shown not in before
    assert _same(_page(kept_world, page)) == _same(before)  # kept, and the same
    make(kept_world)
    assert shown in _page(kept_world, page)


@time_machine.travel(TODAY, tick=False)
def test_a_deleted_outcome_leaves_the_dashboard_at_once(kept_world):
    assert "Adults who smoke" in _page(kept_world, "dashboard")
    kept_world.outcome.delete()
    page = _page(kept_world, "dashboard")
    assert "Fewer adults smoke" not in page
    assert "Adults who smoke" not in page


@time_machine.travel(TODAY, tick=False)
def test_a_link_to_an_outcome_removed_leaves_the_action_plan_at_once(kept_world):
    before = _page(kept_world, "action plan").count("Fewer adults smoke")
    kept_world.action.outcomes.clear()
    assert _page(kept_world, "action plan").count("Fewer adults smoke") == before - 1


def test_a_kept_page_is_as_of_its_day(kept_world):
    Action.objects.filter(pk=kept_world.action.pk).update(due=date(2026, 12, 31))
    with time_machine.travel(date(2026, 12, 30), tick=False):
        assert OVERDUE not in _page(kept_world, "my actions")
    with time_machine.travel(date(2027, 1, 1), tick=False):
        assert OVERDUE in _page(kept_world, "my actions")


@time_machine.travel(TODAY, tick=False)
def test_another_plans_change_keeps_the_page(kept_world, django_assert_max_num_queries):
    client = Client()
    client.force_login(kept_world.lead)
    _page(kept_world, "dashboard", client)
    other = IndicatorFactory(
        outcome=OutcomeFactory(plan=kept_world.other_plan), owner=kept_world.other_organisation
    )
    ReadingFactory(indicator=other)
    # Kept: the session, the person, the membership, the plan, the plans copied forward from
    # it (issue 24) and their stamps; no query reads the indicators, readings or actions again.
    with django_assert_max_num_queries(6):
        _page(kept_world, "dashboard", client)


@time_machine.travel(TODAY, tick=False)
def test_each_role_gets_its_own_kept_page(kept_world):
    client = Client()
    client.force_login(kept_world.board)
    as_board = client.get(kept_world.plan.get_absolute_url()).content.decode()
    as_lead = _page(kept_world, "dashboard")
    assert "Add an outcome" in as_lead
    assert "Add an outcome" not in as_board


def test_pages_are_sent_compressed_to_browsers_that_accept_it_and_workbooks_as_they_are(
    kept_world,
):
    client = Client()
    client.force_login(kept_world.lead)
    page = client.get(kept_world.plan.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip")
    assert page["Content-Encoding"] == "gzip"
    assert "Adults who smoke" in gzip.decompress(page.content).decode()
    assert "Accept-Encoding" in page["Vary"]
    plain = client.get(kept_world.plan.get_absolute_url())
    assert not plain.has_header("Content-Encoding")
    assert len(page.content) < len(plain.content) / 2
    workbook = client.get(
        reverse("actions:export_xlsx", args=[kept_world.plan.pk]), HTTP_ACCEPT_ENCODING="gzip"
    )
    assert workbook.status_code == 200
    assert not workbook.has_header("Content-Encoding")


@time_machine.travel(TODAY, tick=False)
def test_a_kept_pages_forms_carry_each_persons_own_csrf_token(kept_world):
    def lead() -> Client:
        client = Client(enforce_csrf_checks=True)
        client.force_login(kept_world.lead)
        return client

    first, second = lead(), lead()
    first.get(kept_world.plan.get_absolute_url())  # computed, and kept
    page = second.get(kept_world.plan.get_absolute_url()).content.decode()
    assert "csrf-token-of-the-request" not in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    archive = reverse("improveplan:plan_archive", args=[kept_world.plan.pk])
    assert first.post(archive, {"csrfmiddlewaretoken": token}).status_code == 403
    assert second.post(archive, {"csrfmiddlewaretoken": token}).status_code == 302
    kept_world.plan.refresh_from_db()
    assert kept_world.plan.status == Plan.Status.ARCHIVED


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("page", ["dashboard", "action plan"])
def test_each_role_gets_its_own_links_on_a_kept_page(kept_world, page):
    def seen_by(user) -> str:
        client = Client()
        client.force_login(user)
        return client.get(_url(kept_world, page)).content.decode()

    as_lead, as_partner, as_board = map(
        seen_by, [kept_world.lead, kept_world.partner, kept_world.board]
    )
    criteria = reverse("actions:criteria", args=[kept_world.plan.pk])
    assert criteria in as_lead
    assert criteria not in as_partner
    assert "Who is up to date" in as_partner
    assert "Who is up to date" not in as_board
