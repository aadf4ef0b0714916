"""Agreeing a plan freezes a numbered version; versions are read and compared; an archived
plan is read only."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.tests.factories import ActionFactory, MilestoneFactory
from actions.versions import plan_agree
from improveplan.models import Plan, PlanVersion
from outcomes.models import Outcome
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory, TargetFactory

pytestmark = pytest.mark.django_db

REASON = "Owners are being named this month; the board agreed on 20 November."


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def planned(world):
    """An outcome with a target, and an action owned by the lead with a milestone."""
    outcome = OutcomeFactory(plan=world.plan, statement="Fewer adults smoke")
    indicator = IndicatorFactory(
        outcome=outcome, owner=world.council, code="HW-01", name="Adults who smoke"
    )
    target = TargetFactory(indicator=indicator, target_date=date(2027, 3, 31))
    action = ActionFactory(
        plan=world.plan,
        lead_organisation=world.council,
        owner=world.lead,
        title="Stop-smoking clinics",
        due=date(2027, 1, 31),
    )
    action.outcomes.add(outcome)
    MilestoneFactory(action=action, title="Clinics open", due=date(2026, 9, 30))
    return target, action


def agree(client, plan: Plan):
    return client.post(
        reverse("improveplan:plan_agree", args=[plan.pk]), {"smart_exception_reason": REASON}
    )


def test_agreeing_freezes_version_one_with_who_and_when(lead_client, world, planned):
    with time_machine.travel(datetime(2026, 11, 20, 10, 30, tzinfo=UTC), tick=False):
        response = agree(lead_client, world.plan)
        page = text(lead_client.get(world.plan.get_absolute_url()))
    assert response.status_code == 302
    world.plan.refresh_from_db()
    assert world.plan.status == Plan.Status.AGREED
    version = PlanVersion.objects.get(plan=world.plan)
    assert (version.number, version.agreed_by) == (1, world.lead)
    assert version.agreed_at == datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
    assert version.snapshot["actions"][0]["owner"] == "Lena Lead"
    assert version.snapshot["targets"][0]["target_date"] == "2027-03-31"
    assert version.snapshot["actions"][0]["milestones"][0]["title"] == "Clinics open"
    assert "Agreed: version 1, agreed by Lena Lead on 20 November 2026" in page
    assert "Agree again as version 2" in page


def move_the_target_and_reassign_the_action(world, target, action) -> None:
    target.target_date = date(2028, 3, 31)
    target.save()
    action.owner = world.partner
    action.lead_organisation = world.housing
    action.save()


def test_comparing_two_versions_shows_a_moved_target_date_and_a_reassigned_action(
    lead_client, world, planned
):
    target, action = planned
    agree(lead_client, world.plan)
    move_the_target_and_reassign_the_action(world, target, action)
    agree(lead_client, world.plan)
    assert list(world.plan.versions.values_list("number", flat=True)) == [1, 2]

    response = lead_client.get(
        reverse("improveplan:plan_versions", args=[world.plan.pk]), {"old": 1, "new": 2}
    )
    page = text(response)
    assert "What changed from version 1 to version 2" in page
    assert "Changed: Local target for HW-01 Adults who smoke" in page
    assert "Target date 31 March 2027 31 March 2028" in page
    assert "Changed: A-" in page and "Stop-smoking clinics" in page
    assert "Owner Lena Lead Pat Partner" in page
    assert "Lead organisation Riverside Council Riverside Housing" in page
    # Nothing else moved: the outcome and the milestone are not listed.
    assert "Fewer adults smoke" not in page.split("What changed")[1]
    assert "Added:" not in page and "Removed:" not in page


def test_a_version_stays_readable_after_the_plan_changes(board_client, world, planned):
    _, action = planned
    plan_agree(plan=world.plan, by=world.lead, smart_exception_reason=REASON)
    Outcome.objects.filter(plan=world.plan).delete()
    action.delete()
    page = text(board_client.get(reverse("improveplan:plan_version", args=[world.plan.pk, 1])))
    assert "Healthier Riverside, version 1" in page
    assert "Fewer adults smoke" in page
    assert "Stop-smoking clinics" in page and "Lena Lead" in page
    assert "Clinics open, 30 Sep 2026" in page
    assert REASON in page
    # And the current draft says what has gone since.
    page = text(board_client.get(reverse("improveplan:plan_versions", args=[world.plan.pk])))
    assert "What changed from version 1 to the current draft" in page
    assert "Removed: Fewer adults smoke" in page


def test_a_version_that_does_not_exist_is_404(lead_client, world):
    url = reverse("improveplan:plan_version", args=[world.plan.pk, 1])
    assert lead_client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"old": "7", "new": "draft"}, "Choose two of the versions listed, or the current draft."),
        ({"old": "1", "new": "x"}, "Choose two of the versions listed, or the current draft."),
        ({"old": "1", "new": "1"}, "Choose two different versions to compare."),
    ],
)
def test_a_bad_comparison_gets_a_message(lead_client, world, planned, query, message):
    plan_agree(plan=world.plan, by=world.lead, smart_exception_reason=REASON)
    response = lead_client.get(reverse("improveplan:plan_versions", args=[world.plan.pk]), query)
    assert response.status_code == 200
    assert message in text(response)


def test_agreeing_asks_why_when_actions_are_not_yet_smart(lead_client, world, planned):
    url = reverse("improveplan:plan_agree", args=[world.plan.pk])
    _, action = planned
    refused = lead_client.post(url, {"smart_exception_reason": "  "})
    assert f"1 action is not yet SMART ({action.reference})" in text(refused)
    world.plan.refresh_from_db()
    assert world.plan.status == Plan.Status.DRAFT and not world.plan.versions.exists()
    assert agree(lead_client, world.plan).status_code == 302
    world.plan.refresh_from_db()
    assert world.plan.smart_exception_reason == REASON
    assert world.plan.versions.get().smart_exception_reason == REASON


def test_a_plan_without_unsmart_actions_is_agreed_without_a_reason(lead_client, world):
    OutcomeFactory(plan=world.plan)  # a plan with no outcomes is not agreed (test_empty_states)
    url = reverse("improveplan:plan_agree", args=[world.plan.pk])
    assert "Why the plan may be agreed" not in text(lead_client.get(url))
    assert lead_client.post(url, {}).status_code == 302
    assert world.plan.versions.get().number == 1


def test_an_archived_plan_is_read_only_until_a_lead_reopens_it(lead_client, world, planned):
    target, action = planned
    plan = world.plan
    lead_client.post(reverse("improveplan:plan_archive", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == Plan.Status.ARCHIVED
    page = text(lead_client.get(plan.get_absolute_url()))
    assert "This plan is archived" in page and "Edit the plan" not in page

    # Reading still works; every kind of change is refused with the reason.
    assert lead_client.get(target.indicator.get_absolute_url()).status_code == 200
    partner_client = Client()
    partner_client.force_login(world.partner)
    assert partner_client.get(action.get_absolute_url()).status_code == 200
    update = reverse("actions:update_create", args=[action.pk])
    assert partner_client.post(update, {"status": "on_track", "progress": 5}).status_code == 403
    refused = [
        lead_client.get(reverse("improveplan:plan_edit", args=[plan.pk])),
        lead_client.post(reverse("outcomes:outcome_create", args=[plan.pk]), {"statement": "x"}),
        lead_client.post(reverse("outcomes:target_delete", args=[target.pk])),
        lead_client.post(reverse("actions:action_delete", args=[action.pk])),
        lead_client.post(reverse("improveplan:plan_agree", args=[plan.pk])),
        lead_client.post(reverse("improveplan:plan_archive", args=[plan.pk])),
    ]
    for response in refused:
        assert response.status_code == 403
        assert "This plan is archived, so it is read only" in text(response)
    assert Outcome.objects.filter(plan=plan).count() == 1
    assert target.__class__.objects.filter(pk=target.pk).exists()
    assert not plan.versions.exists()

    lead_client.post(reverse("improveplan:plan_reopen", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT  # never agreed, so back to a draft
    assert lead_client.get(reverse("improveplan:plan_edit", args=[plan.pk])).status_code == 200


def test_reopening_an_agreed_plan_returns_it_to_agreed(lead_client, world):
    OutcomeFactory(plan=world.plan)
    plan_agree(plan=world.plan, by=world.lead)
    lead_client.post(reverse("improveplan:plan_archive", args=[world.plan.pk]))
    lead_client.post(reverse("improveplan:plan_reopen", args=[world.plan.pk]))
    world.plan.refresh_from_db()
    assert world.plan.status == Plan.Status.AGREED


def test_reopening_a_plan_that_is_not_archived_changes_nothing(lead_client, world):
    response = lead_client.post(
        reverse("improveplan:plan_reopen", args=[world.plan.pk]), follow=True
    )
    assert "This plan is not archived." in text(response)
    world.plan.refresh_from_db()
    assert world.plan.status == Plan.Status.DRAFT


def test_partners_and_board_read_versions_but_see_no_agree_button(client, world, planned):
    plan_agree(plan=world.plan, by=world.lead, smart_exception_reason=REASON)
    for user in (world.partner, world.board):
        client.force_login(user)
        page = text(client.get(reverse("improveplan:plan_versions", args=[world.plan.pk])))
        assert "Version 1" in page
        assert "Agree again" not in text(client.get(world.plan.get_absolute_url()))


def _grow(world, n: int) -> None:
    for _ in range(n):
        outcome = OutcomeFactory(plan=world.plan)
        TargetFactory(indicator=IndicatorFactory(outcome=outcome, owner=world.council))
        action = ActionFactory(plan=world.plan, lead_organisation=world.council, owner=world.lead)
        action.outcomes.add(outcome)
        action.supporting_organisations.add(world.housing)
        MilestoneFactory(action=action)


def test_the_versions_page_does_not_grow_its_queries_with_the_plan(lead_client, world):
    url = reverse("improveplan:plan_versions", args=[world.plan.pk])

    def count() -> int:
        lead_client.get(url)  # the session's own bookkeeping, so it is not counted below
        with CaptureQueriesContext(connection) as queries:
            assert lead_client.get(url).status_code == 200
        return len(queries)

    _grow(world, 2)
    plan_agree(plan=world.plan, by=world.lead, smart_exception_reason=REASON)
    plan_agree(plan=world.plan, by=world.lead, smart_exception_reason=REASON)
    small = count()
    _grow(world, 12)
    plan_agree(plan=world.plan, by=world.lead, smart_exception_reason=REASON)
    assert count() == small
    assert count() <= 20


def test_a_version_links_to_the_history_of_what_the_plan_still_has(board_client, world, planned):
    target, action = planned
    gone = ActionFactory(plan=world.plan, lead_organisation=world.council, title="Old idea")
    plan_agree(plan=world.plan, by=world.lead, smart_exception_reason=REASON)
    gone_pk = gone.pk
    gone.delete()
    page = board_client.get(reverse("improveplan:plan_version", args=[world.plan.pk, 1]))
    page = page.content.decode()
    outcome = target.indicator.outcome
    assert reverse("outcomes:outcome_history", args=[outcome.pk]) in page
    assert reverse("outcomes:indicator_history", args=[target.indicator.pk]) in page
    assert reverse("actions:action_history", args=[action.pk]) in page
    # A deleted action is still read in the version, but has no history page to go to.
    assert "Old idea" in page
    assert reverse("actions:action_history", args=[gone_pk]) not in page


def test_each_change_between_versions_links_to_who_made_it(lead_client, world, planned):
    target, action = planned
    agree(lead_client, world.plan)
    move_the_target_and_reassign_the_action(world, target, action)
    response = lead_client.get(
        reverse("improveplan:plan_versions", args=[world.plan.pk]), {"old": 1, "new": "draft"}
    )
    page = response.content.decode()
    changed = page.split("What changed")[1]
    # The target's changes are in its indicator's history; the action's in its own.
    assert reverse("outcomes:indicator_history", args=[target.indicator.pk]) in changed
    assert reverse("actions:action_history", args=[action.pk]) in changed
    # The outcome did not change: no link for it.
    assert reverse("outcomes:outcome_history", args=[target.indicator.outcome.pk]) not in changed
    history = text(lead_client.get(reverse("actions:action_history", args=[action.pk])))
    assert "Owner Lena Lead Pat Partner" in history
