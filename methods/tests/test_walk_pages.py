"""The Five Steps walk as a new lead meets it: from an empty plan to SMART actions, following
only the links and forms the walk's pages show, then agrees the plan."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from actions.models import Action
from methods import walk
from methods.tests import pages
from outcomes.models import Outcome
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory

pytestmark = pytest.mark.django_db


def test_a_new_lead_walks_an_empty_plan_to_agreed_smart_actions(lead_client, world):
    plan_html = lead_client.get(world.plan.get_absolute_url()).content.decode()
    add_outcome = pages.link(plan_html, "Add the first outcome")
    target, data = pages.fill(
        add_outcome, lead_client.get(add_outcome).content.decode(), world.lead
    )
    plan_html = lead_client.post(target, data, follow=True).content.decode()
    outcome = Outcome.objects.get(plan=world.plan)

    walk_url = pages.link(plan_html, outcome.statement, inside='id="walk-heading"')
    assert walk_url == reverse("methods:walk_step", args=[outcome.pk, 1])
    html = lead_client.get(walk_url).content.decode()
    for step in range(1, 6):
        assert f"<h1>Step {step}:" in html
        for _ in range(12):
            if "Nothing: this step is done." in html:
                break
            if "Add the suggested criteria" in html:
                form = pages.form(html, "Add the suggested criteria")
                html = lead_client.post(form.action, follow=True).content.decode()
                continue
            html = pages.put_right(lead_client, walk_url, html, world.lead)
        else:
            pytest.fail(f"Step {step} is still missing something: {html}")
        if step < 5:
            walk_url = pages.link(html, f"Next: Step {step + 1}")
            html = lead_client.get(walk_url).content.decode()

    action = Action.objects.get(plan=world.plan)
    assert list(action.outcomes.all()) == [outcome]
    assert action.option.decision == "favoured" if action.option else True
    assert "is SMART" in html
    plan_html = lead_client.get(world.plan.get_absolute_url()).content.decode()
    assert "5 of 5 steps done" in plan_html
    # Policy proofing is the only thing left, and the plan says so.
    assert "4 of 4 unanswered" in plan_html
    # The last step leads on to agreeing the plan, which freezes its first version.
    agree = pages.link(html, "Agree the plan")
    assert agree == reverse("improveplan:plan_agree", args=[world.plan.pk])
    form = pages.form(lead_client.get(agree).content.decode(), "Agree the plan")
    plan_html = lead_client.post(form.action or agree, follow=True).content.decode()
    assert "This is version 1" in plan_html
    world.plan.refresh_from_db()
    assert world.plan.status == "agreed"
    assert world.plan.versions.get().snapshot["actions"][0]["title"] == action.title


def test_each_step_says_what_is_missing_and_what_is_answered(lead_client, world):
    outcome = OutcomeFactory(plan=world.plan, statement="Fewer adults smoke")
    IndicatorFactory(outcome=outcome, name="Adults who smoke", code="SM-01")
    html = lead_client.get(reverse("methods:walk_step", args=[outcome.pk, 1])).content.decode()
    assert "Adults who smoke has no readings yet." in html
    assert "How do we compare with the rest of the country" in html  # a guiding question
    assert "Next: Step 2" in html
    html = lead_client.get(reverse("methods:walk_step", args=[outcome.pk, 3])).content.decode()
    assert "SM-01 Adults who smoke has no target." in html


def test_readers_see_what_is_missing_without_links_to_change_it(board_client, world):
    outcome = OutcomeFactory(plan=world.plan)
    html = board_client.get(reverse("methods:walk_step", args=[outcome.pk, 1])).content.decode()
    assert "No indicator yet" in html
    assert reverse("outcomes:indicator_create", args=[outcome.pk]) not in html


def test_a_step_beyond_five_is_not_found(lead_client, world):
    outcome = OutcomeFactory(plan=world.plan)
    assert lead_client.get(f"/outcomes/{outcome.pk}/steps/6/").status_code == 404
    assert lead_client.get(f"/outcomes/{outcome.pk}/steps/0/").status_code == 404


def test_the_plan_lists_everything_still_missing(lead_client, world):
    OutcomeFactory(plan=world.plan, statement="Fewer adults smoke")
    OutcomeFactory(plan=world.plan, statement="Fewer homeless households")
    html = lead_client.get(reverse("methods:still_to_do", args=[world.plan.pk])).content.decode()
    assert html.count(">Add an indicator<") == 2
    assert html.count(">Answer the proofing questions<") == 8
    assert re.search(r"\d+ things still missing across the plan", html)


def test_the_still_to_do_list_does_not_grow_its_queries_with_outcomes(
    lead_client, world, django_assert_max_num_queries
):
    url = reverse("methods:still_to_do", args=[world.plan.pk])
    OutcomeFactory(plan=world.plan)
    lead_client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        lead_client.get(url)
    for _ in range(6):
        IndicatorFactory(outcome=OutcomeFactory(plan=world.plan))
    with django_assert_max_num_queries(len(small)):
        lead_client.get(url)


@pytest.mark.parametrize("step", [1, 2, 3, 4, 5])
def test_a_step_page_does_not_grow_its_queries_with_the_outcome(lead_client, world, step):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from actions.tests.factories import ActionFactory, MilestoneFactory, OptionFactory
    from outcomes.tests.factories import EvidenceFactory, ReadingFactory, RiskFactory

    outcome = OutcomeFactory(plan=world.plan)
    url = reverse("methods:walk_step", args=[outcome.pk, step])

    def grow() -> None:
        indicator = IndicatorFactory(outcome=outcome, owner=world.council)
        ReadingFactory(indicator=indicator)
        EvidenceFactory(outcome=outcome)
        RiskFactory(outcome=outcome)
        OptionFactory(outcome=outcome)
        action = ActionFactory(plan=world.plan)
        action.outcomes.add(outcome)
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


def test_the_options_page_names_the_five_steps_as_the_walk_does(lead_client, world):
    outcome = OutcomeFactory(plan=world.plan)
    html = lead_client.get(reverse("actions:appraisal", args=[outcome.pk])).content.decode()
    for number, (title, _subtitle, _questions) in enumerate(walk.STEPS, 1):
        link = reverse("methods:walk_step", args=[outcome.pk, number])
        assert re.search(rf'href="{link}"[^>]*>.*?Step {number}.*?{re.escape(title)}', html), (
            f"Step {number} ({title}) is not linked"
        )


def test_step_3_leads_to_the_trajectory_the_plan_with_and_without_and_relationships(
    lead_client, world
):
    from datetime import date
    from decimal import Decimal

    from outcomes.models import Reading
    from outcomes.tests.factories import TargetFactory

    outcome = OutcomeFactory(plan=world.plan, statement="Fewer adults smoke")
    indicator = IndicatorFactory(outcome=outcome, name="Adults who smoke", code="SM-01")
    Reading.objects.create(indicator=indicator, period=date(2025, 3, 31), value=Decimal("16"))
    target = TargetFactory(indicator=indicator, baseline_date=date(2024, 3, 31))
    step_3 = reverse("methods:walk_step", args=[outcome.pk, 3])
    html = lead_client.get(step_3).content.decode()
    assert "No planned trajectory yet" in html
    assert reverse("outcomes:target_edit", args=[target.pk]) in html
    assert f"{indicator.get_absolute_url()}#with-plan-heading" in html
    assert reverse("outcomes:relationships", args=[world.plan.pk]) in html
    assert reverse("actions:scenarios", args=[world.plan.pk]) in html
    target.trajectory_shape = "straight"
    target.save()
    html = lead_client.get(step_3).content.decode().replace("&#x27;", "'")
    assert "Planned trajectory: a straight line to the target." in html
