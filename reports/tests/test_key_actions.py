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


def test_future_basing_asks_for_a_key_action_for_each_achievement():
    rough = lenses.Thing(2, "Nobody has slept rough for a year.")
    homes = lenses.Thing(3, "Every care leaver has a home of their own.")
    area = lenses.SuccessArea(
        lenses.Thing(1, "Nobody sleeps rough"),
        (rough, homes),
        actions=2,
        without_key_action=(homes,),
    )
    facts = lenses.FutureFacts(
        plan=1, vision=True, vision_date=date(2030, 3, 31), areas=(area,), actions=()
    )
    lacks = lenses.future_lacks(facts)
    assert [(lack.page, lack.pk) for lack in lacks] == [("achievement_actions", 3)]
    assert "No key action leads to “Every care leaver has a home of their own.”" in lacks[0].text
    marked = lenses.FutureFacts(
        plan=1,
        vision=True,
        vision_date=date(2030, 3, 31),
        areas=(lenses.SuccessArea(area.outcome, area.achievements, 2),),
        actions=(),
    )
    assert lenses.future_lacks(marked) == []


def test_the_future_basing_page_asks_for_a_key_action_for_each_achievement(
    lead_client, world, outcome
):
    first = AchievementFactory(
        outcome=outcome, statement="Nobody loses their home for want of advice."
    )
    second = AchievementFactory(outcome=outcome, statement="Every care leaver has a home.")
    action = ActionFactory(plan=world.plan, lead_organisation=world.housing, is_key=True)
    action.outcomes.add(outcome)
    url = reverse("methods:future_basing", args=[world.plan.pk])
    page = lead_client.get(url).content.decode()
    # A key action serving the outcome is not enough: each achievement needs its own.
    assert "No key action leads to “Nobody loses their home for want of advice.”" in page
    assert "No key action leads to “Every care leaver has a home.”" in page
    response = lead_client.post(
        reverse("methods:achievement_actions", args=[first.pk]),
        {"actions": [action.pk], "key": [action.pk]},
    )
    assert response.status_code == 302
    page = lead_client.get(url).content.decode()
    assert "No key action leads to “Nobody loses their home for want of advice.”" not in page
    assert "No key action leads to “Every care leaver has a home.”" in page
    # Linked but not key does not count; nor does a cancelled key action.
    lead_client.post(
        reverse("methods:achievement_actions", args=[second.pk]), {"actions": [action.pk]}
    )
    action.refresh_from_db()
    assert not action.is_key and set(action.achievements.all()) == {first, second}
    page = lead_client.get(url).content.decode()
    assert "No key action leads to “Nobody loses their home for want of advice.”" in page
    lead_client.post(
        reverse("methods:achievement_actions", args=[second.pk]),
        {"actions": [action.pk], "key": [action.pk]},
    )
    assert "No key action leads to" not in lead_client.get(url).content.decode()
    Action.objects.filter(pk=action.pk).update(status=Action.Status.CANCELLED)
    assert "No key action leads to “Every care leaver has a home.”" in (
        lead_client.get(url).content.decode()
    )
    # The history of changes says the action was linked and marked key.
    assert action.history.filter(is_key=True).exists()


def test_linking_actions_to_an_achievement_refuses_what_is_not_of_the_plan(
    lead_client, world, outcome
):
    achievement = AchievementFactory(outcome=outcome)
    action = ActionFactory(plan=world.plan, lead_organisation=world.housing)
    url = reverse("methods:achievement_actions", args=[achievement.pk])
    response = lead_client.post(url, {"actions": ["2" * 30], "key": []})
    assert response.status_code == 200 and "Choose from this plan." in response.content.decode()
    response = lead_client.post(url, {"actions": [], "key": [action.pk]})
    assert "A key action must also be one that leads to it." in response.content.decode()
    assert not action.achievements.exists() and not Action.objects.get(pk=action.pk).is_key


def test_only_a_lead_links_actions_to_an_achievement(partner_client, world, outcome):
    achievement = AchievementFactory(outcome=outcome)
    action = ActionFactory(plan=world.plan, lead_organisation=world.housing)
    url = reverse("methods:achievement_actions", args=[achievement.pk])
    assert partner_client.post(url, {"actions": [action.pk]}).status_code == 403
    assert not action.achievements.exists()
