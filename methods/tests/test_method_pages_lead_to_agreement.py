"""Each method's own page as a new lead meets it: from an empty plan, following only the
page's "still lacking" links and the forms they lead to, to an agreed plan with SMART
actions serving its outcome."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from actions.tests.factories import ActionFactory
from improveplan.models import Plan
from methods import facts
from methods.tests import pages
from outcomes.models import Outcome
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory

pytestmark = pytest.mark.django_db

# Each method, the link that opens its page from the plan page, and that page.
METHODS = [
    (Plan.Method.RBA, "Turn the curve", "methods:rba"),
    (Plan.Method.LEAP, "Where the plan stands in the LEAP cycle", "methods:leap"),
    (Plan.Method.FUTURE_BASING, "The future, worked backwards", "methods:future_basing"),
    (Plan.Method.CARE_SERVICE, "The improvement action plan", "methods:care_service"),
]


@pytest.mark.parametrize("method, opens_with, page", METHODS, ids=[m[0] for m in METHODS])
def test_a_new_lead_follows_the_methods_page_from_an_empty_plan_to_an_agreed_plan(
    lead_client, world, method, opens_with, page
):
    # An empty plan: no vision yet, no vision date, no outcomes.
    world.plan.method, world.plan.vision, world.plan.vision_date = method, "", None
    world.plan.save(update_fields=["method", "vision", "vision_date"])
    assert not world.plan.outcomes.exists()
    plan_html = lead_client.get(world.plan.get_absolute_url()).content.decode()
    url = pages.link(plan_html, opens_with)
    assert url == reverse(page, args=[world.plan.pk])
    html = lead_client.get(url).content.decode()
    for _ in range(40):
        if "Nothing is lacking" in html:
            break
        html = pages.put_right(lead_client, url, html, world.lead)
    else:
        pytest.fail(f"The {method} page still lacks: {pages.missing_list(html)}")

    agree = pages.link(html, "Agree the plan")
    assert agree == reverse("improveplan:plan_agree", args=[world.plan.pk])
    form = pages.form(lead_client.get(agree).content.decode(), "Agree the plan")
    plan_html = lead_client.post(form.action or agree, follow=True).content.decode()
    assert "This is version 1" in plan_html
    world.plan.refresh_from_db()
    assert world.plan.status == Plan.Status.AGREED
    assert world.plan.versions.get().number == 1
    outcome = Outcome.objects.get(plan=world.plan)
    actions = list(facts.plan_actions(world.plan))
    assert actions and all(list(action.outcomes.all()) == [outcome] for action in actions)
    assert all(not facts.smart_gaps(action) for action in actions)
    # Agreed with nothing lacking, the page still offers to agree again (a new version).
    assert "Agree the plan" in lead_client.get(url).content.decode()


def test_partners_put_right_only_what_their_organisation_may(partner_client, world):
    outcome = OutcomeFactory(plan=world.plan)
    ours = IndicatorFactory(outcome=outcome, owner=world.housing)  # the partner's organisation
    theirs = IndicatorFactory(outcome=outcome, owner=world.council)
    html = partner_client.get(reverse("methods:rba", args=[world.plan.pk])).content.decode()
    assert f"{theirs} has no readings yet" in html and f"{ours} has no readings yet" in html
    assert reverse("outcomes:reading_create", args=[ours.pk]) in html
    assert reverse("outcomes:reading_create", args=[theirs.pk]) not in html
    assert reverse("outcomes:target_create", args=[ours.pk]) not in html  # leads' work
    assert "Agree the plan" not in html


def test_a_partner_reports_on_an_action_from_the_leap_cycle_and_comes_back(partner_client, world):
    action = ActionFactory(plan=world.plan, lead_organisation=world.housing, start=date(2026, 1, 5))
    leap = reverse("methods:leap", args=[world.plan.pk])
    html = partner_client.get(leap).content.decode()
    assert f"{action.reference} has had no update yet." in html
    fix = pages.link(html, "Post an update")
    target, data = pages.fill(fix, partner_client.get(fix).content.decode(), world.partner)
    response = partner_client.post(target, data, follow=True)
    assert response.redirect_chain[-1][0] == leap
    assert f"{action.reference} has had no update yet." not in response.content.decode()


def test_readers_see_what_each_method_lacks_without_links(board_client, world):
    OutcomeFactory(plan=world.plan)
    for _, _, page in METHODS:
        html = board_client.get(reverse(page, args=[world.plan.pk])).content.decode()
        [listed] = pages.missing_list(html)[:1]
        assert "<li>" in listed and "<a " not in listed, page


def test_a_curves_own_page_leads_back_to_itself(lead_client, world):
    indicator = IndicatorFactory(outcome=OutcomeFactory(plan=world.plan), owner=world.council)
    url = reverse("methods:turn_the_curve", args=[indicator.pk])
    html = pages.put_right(lead_client, url, lead_client.get(url).content.decode(), world.lead)
    assert indicator.readings.count() == 1
    assert "has no readings yet" not in html and "has no target" in html
