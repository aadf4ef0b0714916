"""Issue 24, item 8 (in part): the plan's frame. A scope statement, and for a care-service plan
the rating expected, the re-inspection date and the named person who manages the plan: set by
a lead, shown on the plan's page and in the delivery plan, and in the demo."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Communication, Stakeholder
from actions.tests.factories import ActionFactory
from actions.tests.test_plan_frame import COMMUNICATION, STAKEHOLDER
from improveplan.models import Plan
from reports import reports
from reports.tests.pdf import read

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def frame(world, **changes) -> dict:
    plan = world.plan
    return {
        "title": plan.title,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "method": Plan.Method.CARE_SERVICE,
        "outcome_limit": plan.outcome_limit,
        "indicator_limit": plan.indicator_limit,
        "trend_minimum_points": plan.trend_minimum_points,
        "scope": "The council's three care homes.",
        "manager": world.lead.pk,
        "expected_rating": Plan.ExpectedRating.GOOD,
        "reinspection_date": "2027-04-30",
        **changes,
    }


def test_a_lead_sets_the_frame_and_it_shows_on_the_page_and_in_the_delivery_plan(
    lead_client, world
):
    response = lead_client.post(
        reverse("improveplan:plan_edit", args=[world.plan.pk]), frame(world)
    )
    assert response.status_code == 302
    world.plan.refresh_from_db()
    assert world.plan.manager == world.lead
    page = text(lead_client.get(world.plan.get_absolute_url()))
    assert "Scope The council's three care homes." in page
    assert "Manages the plan Lena Lead" in page
    assert "Rating we expect Good, at the re-inspection expected by 30 April 2027" in page
    pdf = read(
        reports.render_report(
            world.plan, kind="plan", year=2026, quarter=3, today=date(2026, 8, 14)
        )
    )
    assert "The rating we expect: Good, at the re-inspection expected by 30 April 2027." in (
        pdf.text
    )
    assert "Lena Lead manages the plan." in pdf.text


def test_the_manager_must_be_a_member_of_the_partnership(lead_client, world):
    response = lead_client.post(
        reverse("improveplan:plan_edit", args=[world.plan.pk]),
        frame(world, manager=world.outsider.pk),
    )
    assert response.status_code == 200
    assert "Choose a member of this partnership." in text(response)
    world.plan.refresh_from_db()
    assert world.plan.manager is None and world.plan.scope == ""


def test_the_demo_care_service_plan_has_its_frame(demo):
    care = Plan.objects.get(title="Riverside Care Homes 2026–2027")
    assert care.expected_rating == Plan.ExpectedRating.GOOD
    assert care.reinspection_date == date(2027, 4, 30)
    assert care.manager.email == "lead@demo.improveplan.test"
    assert Plan.objects.get(title="Healthier Riverside 2026–2029").scope


def test_an_indicators_data_sharing_agreement_shows_on_its_page_and_in_the_delivery_plan(
    lead_client, planned
):
    indicator = planned.indicator
    indicator.data_sharing = "Agreement DSA-7 with the ICB, to March 2028"
    indicator.save()
    assert indicator.history.first().data_sharing == indicator.data_sharing  # tracked
    page = text(lead_client.get(indicator.get_absolute_url()))
    assert "Data-sharing agreement Agreement DSA-7 with the ICB, to March 2028" in page
    pdf = read(
        reports.render_report(
            planned.plan, kind="plan", year=2026, quarter=3, today=date(2026, 8, 14)
        )
    )
    assert "data-sharing agreement: Agreement DSA-7" in pdf.text


def test_the_demo_names_a_data_sharing_agreement(demo):
    from outcomes.models import Indicator

    assert Indicator.objects.exclude(data_sharing="").filter(source="Hospital Episode Statistics")


# Issue 24: whom the plan consults and whom it tells, in the delivery plan


def test_the_delivery_plan_shows_the_stakeholders_and_the_communications_plan(world):
    action = ActionFactory(plan=world.plan, lead_organisation=world.council, title="Newsletter")
    Stakeholder.objects.create(plan=world.plan, relationship_holder=world.lead, **STAKEHOLDER)
    Communication.objects.create(plan=world.plan, action=action, **COMMUNICATION)
    pdf = read(
        reports.render_report(
            world.plan, kind="plan", year=2026, quarter=3, today=date(2026, 8, 14)
        )
    )
    assert "Stakeholders and communications" in pdf.text
    assert "Carers' forum" in pdf.text and "Lena Lead" in pdf.text
    assert "Residents of Northfield" in pdf.text
    assert action.reference in pdf.text.split("Residents of Northfield", 1)[1]


def test_the_delivery_plan_reads_the_frame_in_a_fixed_number_of_queries(world):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            reports.delivery_plan_context(world.plan, today=date(2026, 8, 14))
        return len(queries)

    few = count()
    for n in range(5):
        action = ActionFactory(plan=world.plan, lead_organisation=world.council)
        Stakeholder.objects.create(
            plan=world.plan, relationship_holder=world.lead, **{**STAKEHOLDER, "name": f"Group {n}"}
        )
        Communication.objects.create(plan=world.plan, action=action, **COMMUNICATION)
    assert count() == few
