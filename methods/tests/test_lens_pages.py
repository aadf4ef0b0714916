"""The other methods' pages: the same plan's data, seen as each method sees it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Action, Finding
from actions.tests.factories import ActionFactory, FindingFactory, MilestoneFactory, OptionFactory
from outcomes.models import Evidence, Indicator, Proofing
from outcomes.tests.factories import (
    AchievementFactory,
    EvidenceFactory,
    IndicatorFactory,
    OutcomeFactory,
    ReadingFactory,
)

pytestmark = pytest.mark.django_db


def _page(client, name: str, pk: int) -> str:
    response = client.get(reverse(name, args=[pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_turn_the_curve_tells_the_story_names_partners_and_marks_cheap_ideas(board_client, world):
    outcome = OutcomeFactory(plan=world.plan, statement="Children start school ready to learn")
    indicator = IndicatorFactory(outcome=outcome, owner=world.council, name="Good development")
    IndicatorFactory(
        outcome=outcome,
        owner=world.council,
        kind=Indicator.Kind.HOW_WELL,
        name="Visits within 14 days",
    )
    EvidenceFactory(outcome=outcome, kind=Evidence.Kind.CAUSE, summary="Few books at home")
    OptionFactory(outcome=outcome, title="Library cards at the one-year check", cost=Decimal(0))
    OptionFactory(outcome=outcome, title="Outreach workers", cost=Decimal(120000))
    action = ActionFactory(plan=world.plan, lead_organisation=world.housing, title="Visit homes")
    action.outcomes.add(outcome)
    action.supporting_organisations.add(world.council)
    html = _page(board_client, "methods:turn_the_curve", indicator.pk)
    assert "Few books at home" in html
    assert "owns this indicator&#x27;s data; supports A-" in html
    assert f"leads {action.reference}" in html
    assert "No cost</span> <strong>Library cards" in html
    assert "Low cost</span> <strong>Outreach" not in html
    assert "Visits within 14 days" in html  # a performance measure, grouped as how well
    assert f"{indicator} has no readings yet: there is no curve to turn." in html
    # A board member reads what is lacking, with no way to change it.
    assert reverse("outcomes:reading_create", args=[indicator.pk]) not in html
    overview = _page(board_client, "methods:rba", world.plan.pk)
    assert "Turn the curve: " + indicator.code in overview


def test_leap_shows_where_the_plan_stands(board_client, world):
    outcome = OutcomeFactory(plan=world.plan, why_it_matters="Because.", target_groups="All")
    world.plan.vision = "A better place."
    world.plan.save()
    html = _page(board_client, "methods:leap", world.plan.pk)
    assert "The plan stands at <strong>indicators and baseline</strong>" in html
    assert f"{outcome} has no indicator." in html
    assert reverse("outcomes:indicator_create", args=[outcome.pk]) not in html


def test_future_basing_works_back_from_the_vision_date_along_the_critical_path(board_client, world):
    world.plan.vision_date = date(2030, 3, 31)
    world.plan.save()
    outcome = OutcomeFactory(plan=world.plan, statement="Nobody sleeps rough")
    AchievementFactory(outcome=outcome, statement="We will end rough sleeping.")
    first = ActionFactory(plan=world.plan, start=date(2026, 4, 1), due=date(2027, 3, 31))
    second = ActionFactory(plan=world.plan, start=date(2027, 4, 1), due=date(2029, 3, 31))
    second.depends_on.add(first)
    ActionFactory(plan=world.plan, start=date(2026, 4, 1), due=date(2026, 6, 30))
    MilestoneFactory(action=second, title="Half the tenancies", due=date(2029, 3, 31))
    html = _page(board_client, "methods:future_basing", world.plan.pk)
    assert "It is Sunday 31 March 2030" in html
    assert "write it as already true" in html
    assert "Half the tenancies" in html and "12 months" in html
    path = html[html.index('id="path-heading"') :]
    assert path.index(first.reference) < path.index(second.reference)
    assert "31 March 2029" in path


def test_the_care_service_plan_maps_findings_to_actions(board_client, world):
    quick = ActionFactory(plan=world.plan, term=Action.Term.QUICK_WIN, title="Check records")
    ActionFactory(plan=world.plan, term=Action.Term.LONG, title="Quality meeting")
    ActionFactory(
        plan=world.plan,
        title="Brief night staff",
        closure=Action.Closure.CLOSED,
        status=Action.Status.COMPLETE,
        lessons_learned="Night staff need their own briefing.",
    )
    finding = FindingFactory(plan=world.plan, summary="Gaps in medicine records")
    finding.actions.add(quick)
    FindingFactory(plan=world.plan, key_question=Finding.KeyQuestion.WELL_LED, summary="Audits")
    html = _page(board_client, "methods:care_service", world.plan.pk)
    assert "No action answers the finding “Audits” yet." in html
    assert "Gaps in medicine records” yet" not in html
    safe = html[html.index(">Safe<") : html.index(">Effective<")]
    assert "Gaps in medicine records" in safe and quick.reference in safe
    quick_wins = html[html.index(">Quick wins<") : html.index(">Longer-term actions<")]
    assert "Check records" in quick_wins and "Quality meeting" not in quick_wins
    closed = html[html.index('id="closed-heading"') :]
    assert "Night staff need their own briefing." in closed and "Check records" not in closed


def test_a_lead_answers_the_policy_proofing_and_the_walk_stops_flagging_it(lead_client, world):
    outcome = OutcomeFactory(plan=world.plan)
    url = reverse("methods:proofing_edit", args=[outcome.pk])
    data = {f"finding_{topic}": "none" for topic in Proofing.Topic.values}
    data["finding_rural"] = "concern"
    response = lead_client.post(url, data)
    assert response.status_code == 200
    assert "Say what was found, and what will be done." in response.content.decode()
    assert not Proofing.objects.exists()
    data["note_rural"] = "Two villages have no bus to the clinic."
    assert lead_client.post(url, data).status_code == 302
    assert Proofing.objects.filter(outcome=outcome).count() == 4
    walk_url = reverse("methods:walk_step", args=[outcome.pk, 1])
    html = lead_client.get(walk_url).content.decode()
    assert "All four questions answered." in html
    assert "Two villages have no bus" in _page(lead_client, "methods:proofing", outcome.pk)


def test_a_finding_may_be_answered_only_by_this_plans_actions(lead_client, world):
    ours = ActionFactory(plan=world.plan)
    theirs = ActionFactory(plan=world.other_plan)
    url = reverse("methods:finding_create", args=[world.plan.pk])
    data = {"key_question": "safe", "summary": "Records", "actions": [theirs.pk]}
    assert lead_client.post(url, data).status_code == 200
    assert not Finding.objects.exists()
    data["actions"] = [ours.pk]
    assert lead_client.post(url, data).status_code == 302
    assert list(Finding.objects.get().actions.all()) == [ours]


@pytest.mark.parametrize(
    "name", ["methods:rba", "methods:leap", "methods:future_basing", "methods:care_service"]
)
def test_lens_pages_do_not_grow_their_queries_with_the_plan(lead_client, world, name):
    url = reverse(name, args=[world.plan.pk])

    def grow() -> None:
        outcome = OutcomeFactory(plan=world.plan)
        indicator = IndicatorFactory(outcome=outcome, owner=world.council)
        ReadingFactory(indicator=indicator)
        AchievementFactory(outcome=outcome)
        action = ActionFactory(plan=world.plan)
        action.outcomes.add(outcome)
        MilestoneFactory(action=action)
        FindingFactory(plan=world.plan).actions.add(action)

    grow()
    lead_client.get(url)
    with CaptureQueriesContext(connection) as small:
        lead_client.get(url)
    for _ in range(4):
        grow()
    with CaptureQueriesContext(connection) as large:
        lead_client.get(url)
    assert len(large) == len(small)


def test_a_curves_page_does_not_grow_its_queries_with_its_outcome(lead_client, world):
    outcome = OutcomeFactory(plan=world.plan)
    indicator = IndicatorFactory(outcome=outcome, owner=world.council)
    url = reverse("methods:turn_the_curve", args=[indicator.pk])

    def grow() -> None:
        ReadingFactory(indicator=indicator)
        EvidenceFactory(outcome=outcome, kind=Evidence.Kind.CAUSE)
        OptionFactory(outcome=outcome, cost=Decimal(0))
        action = ActionFactory(plan=world.plan)
        action.outcomes.add(outcome)
        action.supporting_organisations.add(world.housing)
        MilestoneFactory(action=action)

    grow()
    lead_client.get(url)
    with CaptureQueriesContext(connection) as small:
        lead_client.get(url)
    for _ in range(4):
        grow()
    with CaptureQueriesContext(connection) as large:
        lead_client.get(url)
    assert len(large) == len(small)
