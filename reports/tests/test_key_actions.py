"""Key actions: marked for closer tracking, first in the board report, reminded weekly, and
at least one for each Future-basing success area with achievements."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from actions.models import Action
from actions.tests.factories import ActionFactory
from actions.tests.test_pages import action_data
from methods import lenses
from outcomes.tests.factories import AchievementFactory, OutcomeFactory
from reports import reports
from reviews.reminders import Kind, build_digests

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 23)


@pytest.fixture
def outcome(world):
    return OutcomeFactory(plan=world.plan, statement="Fewer households lose their home")


def _key(world, outcome):
    action = ActionFactory(
        plan=world.plan,
        lead_organisation=world.housing,
        owner=world.partner,
        title="Open the rent rescue fund",
        is_key=True,
        start=date(2026, 10, 5),
        due=date(2027, 3, 31),
    )
    action.outcomes.add(outcome)
    return action


@pytest.fixture
def key(world, outcome):
    return _key(world, outcome)


def test_a_lead_marks_an_action_key_and_the_change_is_in_its_history(lead_client, world, outcome):
    action = ActionFactory(plan=world.plan, lead_organisation=world.housing, owner=world.partner)
    data = action_data(world, outcome, is_key="on", version=action.version)
    response = lead_client.post(reverse("actions:action_edit", args=[action.pk]), data)
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.is_key
    assert action.history.first().is_key and not action.history.last().is_key
    page = lead_client.get(action.get_absolute_url()).content.decode()
    assert "Key action" in page


def test_key_actions_are_marked_in_the_action_plan_and_my_actions(partner_client, world, key):
    ActionFactory(plan=world.plan, lead_organisation=world.housing, title="An ordinary one")
    plan_page = partner_client.get(reverse("actions:plan", args=[world.plan.pk])).content.decode()
    assert plan_page.count("Key action</span>") == 1
    mine = partner_client.get(reverse("actions:my_actions")).content.decode()
    assert mine.count("Key action</span>") == 1
    assert mine.index("Key action") < mine.index("An ordinary one")


def test_key_actions_come_first_in_the_board_report(world, outcome):
    plain = ActionFactory(plan=world.plan, lead_organisation=world.housing, title="Plain")
    plain.outcomes.add(outcome)
    key = _key(world, outcome)
    # A key action cancelled is no longer tracked.
    ActionFactory(plan=world.plan, lead_organisation=world.housing, is_key=True, status="cancelled")
    context = reports.board_report_context(world.plan, year=2026, quarter=4, today=MONDAY)
    assert context["key_actions"] == [key]
    html = reports.report_html(world.plan, kind="board", year=2026, quarter=4, today=MONDAY)
    assert html.index('id="key-actions-title"') < html.index('id="changes-title"')
    section = html[html.index('id="key-actions-title"') : html.index('id="changes-title"')]
    assert "Open the rent rescue fund" in section and "Plain" not in section
    # Under its outcome too, before the action with a lower number, and marked Key.
    assert plain.number < key.number
    under = html[html.index(f'id="outcome-{outcome.pk}-title"') :]
    assert under.index("Open the rent rescue fund") < under.index("Plain")
    assert f"{key.reference}<br>Key" in under


def test_a_key_actions_owner_is_reminded_of_it_each_monday(world, key):
    monday = build_digests(MONDAY)[world.partner.pk]
    items = [item for item in monday.items if item.kind == Kind.KEY]
    assert [item.text for item in items] == [f"{key.reference} Open the rent rescue fund"]
    assert items[0].detail == "not started, 0% done, due 31 March 2027"
    tuesday = build_digests(date(2026, 11, 24)).get(world.partner.pk)
    assert tuesday is None or Kind.KEY not in {item.kind for item in tuesday.items}


def test_a_finished_key_action_is_not_reminded(world, key):
    Action.objects.filter(pk=key.pk).update(status=Action.Status.COMPLETE, progress=100)
    digest = build_digests(MONDAY).get(world.partner.pk)
    assert digest is None or Kind.KEY not in {item.kind for item in digest.items}


def test_future_basing_asks_for_a_key_action_for_each_success_area_with_achievements():
    area = lenses.SuccessArea(
        lenses.Thing(1, "Nobody sleeps rough"),
        (lenses.Thing(2, "Nobody has slept rough for a year."),),
        actions=2,
        key_actions=0,
        first_action=7,
    )
    facts = lenses.FutureFacts(
        plan=1, vision=True, vision_date=date(2030, 3, 31), areas=(area,), actions=()
    )
    lacks = lenses.future_lacks(facts)
    assert [(lack.page, lack.pk) for lack in lacks] == [("action_edit", 7)]
    assert "No key action leads to the achievements of “Nobody sleeps rough”" in lacks[0].text
    marked = lenses.FutureFacts(
        plan=1,
        vision=True,
        vision_date=date(2030, 3, 31),
        areas=(lenses.SuccessArea(area.outcome, area.achievements, 2, 1, 7),),
        actions=(),
    )
    assert lenses.future_lacks(marked) == []


def test_the_future_basing_page_asks_until_a_key_action_is_marked(lead_client, world, outcome):
    AchievementFactory(outcome=outcome, statement="Nobody loses their home for want of advice.")
    action = ActionFactory(plan=world.plan, lead_organisation=world.housing)
    action.outcomes.add(outcome)
    url = reverse("methods:future_basing", args=[world.plan.pk])
    assert "No key action leads to" in lead_client.get(url).content.decode()
    Action.objects.filter(pk=action.pk).update(is_key=True)
    assert "No key action leads to" not in lead_client.get(url).content.decode()
