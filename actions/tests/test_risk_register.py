"""Issue 24, item 3: the plan's risk register. Risks of the whole plan and of each outcome,
with the actions and options they threaten, an owner, a mitigation, a review date and the score
after mitigation; a heat map on the page and in the board report; overdue reviews in the
owner's reminders; an option's risks and unintended effects recorded at appraisal."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from actions.models import Option
from actions.tests.factories import ActionFactory, OptionFactory
from outcomes import arithmetic, charts
from outcomes.models import Risk
from outcomes.tests.factories import OutcomeFactory, RiskFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_the_heat_map_counts_each_cell_and_says_so_in_words():
    chart = charts.risk_heat_map([(4, 4), (4, 4), (1, 2), (3, 5)], title="Risks")
    assert chart.summary == (
        "4 risks: 3 high, 0 medium, 1 low. The highest scores 16 (likelihood 4, impact 4)."
    )
    by_likelihood = {row[0]: row[1:] for row in chart.table_rows}
    assert by_likelihood["4 (likely)"] == ["0", "0", "0", "2", "0"]
    assert by_likelihood["1 (rare)"] == ["0", "1", "0", "0", "0"]
    assert chart.svg.startswith("<svg") and "<desc" in chart.svg
    assert arithmetic.risk_rating(15) == "High" and arithmetic.risk_rating(14) == "Medium"


def test_a_lead_adds_a_plan_wide_risk_linked_to_what_it_threatens(lead_client, world):
    action = ActionFactory(plan=world.plan, lead_organisation=world.council)
    option = OptionFactory(outcome=OutcomeFactory(plan=world.plan))
    response = lead_client.post(
        reverse("actions:plan_risk_create", args=[world.plan.pk]),
        {
            "outcome": "",
            "description": "A partner pulls out of the pooled budget",
            "likelihood": "4",
            "impact": "5",
            "owned_by": world.lead.pk,
            "mitigation": "Two-year agreements signed in March.",
            "likelihood_after": "2",
            "impact_after": "4",
            "review_date": "2027-01-15",
            "threatened_actions": [action.pk],
            "threatened_options": [option.pk],
            "manageable_locally": "on",
        },
    )
    assert response.status_code == 302
    risk = Risk.objects.get(description="A partner pulls out of the pooled budget")
    assert risk.plan == world.plan and risk.outcome is None
    assert (risk.score, risk.score_after, risk.rating_after) == (20, 8, "Medium")
    assert list(risk.threatened_actions.all()) == [action]
    assert list(action.risks.all()) == [risk] and list(option.risks.all()) == [risk]
    assert risk.history.count() == 1
    page = text(lead_client.get(reverse("actions:risk_register", args=[world.plan.pk])))
    assert "A partner pulls out of the pooled budget The whole plan 20 (high) 8 (medium)" in page
    assert "Lena Lead" in page and action.reference in page
    assert "1 risk: 1 high, 0 medium, 0 low." in page  # the heat map's words


def test_the_scores_after_mitigation_come_both_or_neither(lead_client, world):
    response = lead_client.post(
        reverse("actions:plan_risk_create", args=[world.plan.pk]),
        {"description": "Half scored", "likelihood": "3", "impact": "3", "likelihood_after": "2"},
    )
    assert response.status_code == 200
    assert "Give both the likelihood and the impact after mitigation" in text(response)
    assert not Risk.objects.filter(description="Half scored").exists()


def test_a_partner_reads_the_register_but_may_not_add_to_it(partner_client, world):
    RiskFactory(outcome=OutcomeFactory(plan=world.plan), description="Staff leave")
    page = partner_client.get(reverse("actions:risk_register", args=[world.plan.pk]))
    assert "Staff leave" in text(page)
    assert reverse("actions:plan_risk_create", args=[world.plan.pk]) not in page.content.decode()
    response = partner_client.post(
        reverse("actions:plan_risk_create", args=[world.plan.pk]),
        {"description": "Nope", "likelihood": "1", "impact": "1"},
    )
    assert response.status_code == 403


def test_the_register_keeps_its_query_count_flat(lead_client, world, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            risk = RiskFactory(outcome=OutcomeFactory(plan=world.plan), owned_by=world.lead)
            risk.threatened_actions.add(ActionFactory(plan=world.plan))
            risk.threatened_options.add(OptionFactory(outcome=risk.outcome))

    add(2)
    url = reverse("actions:risk_register", args=[world.plan.pk])
    lead_client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as two:
        lead_client.get(url)
    add(6)
    with django_assert_max_num_queries(len(two)):
        lead_client.get(url)


def test_an_options_risks_and_unintended_effects_are_recorded_at_appraisal(lead_client, world):
    outcome = OutcomeFactory(plan=world.plan)
    lead_client.post(
        reverse("actions:option_create", args=[outcome.pk]),
        {
            "kind": Option.Kind.NEW,
            "title": "Late-night clinics",
            "risk_notes": "Staff may not want late shifts.",
            "unintended_effects": "Daytime clinics may lose staff.",
        },
    )
    option = Option.objects.get(title="Late-night clinics")
    assert option.unintended_effects == "Daytime clinics may lose staff."
    page = text(lead_client.get(reverse("actions:appraisal", args=[outcome.pk])))
    assert "Its risks Staff may not want late shifts." in page
    assert "Unintended effects Daytime clinics may lose staff." in page


def test_another_partnerships_outcome_owner_and_actions_are_refused(lead_client, world):
    theirs = OutcomeFactory(plan=world.other_plan)
    their_action = ActionFactory(plan=world.other_plan, lead_organisation=world.other_organisation)
    for field, value in (
        ("outcome", theirs.pk),
        ("owned_by", world.outsider.pk),
        ("threatened_actions", [their_action.pk]),
    ):
        response = lead_client.post(
            reverse("actions:plan_risk_create", args=[world.plan.pk]),
            {"description": "Foreign", "likelihood": "2", "impact": "2", field: value},
        )
        assert response.status_code == 200, field
        assert not Risk.objects.filter(description="Foreign").exists(), field
