from __future__ import annotations

import pytest
from django.urls import reverse

from improveplan.models import Plan
from outcomes.tests.factories import OutcomeFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "title": "Safer Streets 2026–2028",
    "period_start": "2026-04-01",
    "period_end": "2028-03-31",
    "vision": "Everyone feels safe walking home.",
    "method": Plan.Method.RBA,
    "outcome_limit": 7,
    "indicator_limit": 5,
    "trend_minimum_points": 5,
}


def test_lead_creates_a_plan(lead_client, world):
    response = lead_client.post(
        reverse("improveplan:plan_create", args=[world.partnership.pk]), GOOD
    )
    plan = Plan.objects.get(title=GOOD["title"])
    assert response["Location"] == plan.get_absolute_url()
    assert plan.partnership == world.partnership
    page = lead_client.get(plan.get_absolute_url()).content.decode()
    assert "Everyone feels safe walking home." in page
    assert "Results-Based Accountability" in page


def test_lead_edits_a_plan_and_agrees_it(lead_client, world):
    data = {**GOOD, "title": "Healthier Riverside", "status": Plan.Status.AGREED}
    response = lead_client.post(reverse("improveplan:plan_edit", args=[world.plan.pk]), data)
    assert response.status_code == 302
    world.plan.refresh_from_db()
    # Editing never agrees: agreeing freezes a version, on its own page.
    assert world.plan.status == Plan.Status.DRAFT
    OutcomeFactory(plan=world.plan)  # a plan with no outcomes is not agreed (test_empty_states)
    lead_client.post(reverse("improveplan:plan_agree", args=[world.plan.pk]))
    world.plan.refresh_from_db()
    assert world.plan.status == Plan.Status.AGREED


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"period_end": "2026-03-01"}, "The plan must end after it starts."),
        ({"period_start": "2026-02-30"}, "Enter a valid date."),
        ({"title": ""}, "This field is required."),
        ({"method": "astrology"}, "Select a valid choice."),
    ],
)
def test_bad_input_gets_a_message_and_changes_nothing(lead_client, world, change, message):
    response = lead_client.post(
        reverse("improveplan:plan_edit", args=[world.plan.pk]), {**GOOD, **change}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    world.plan.refresh_from_db()
    assert world.plan.title == "Healthier Riverside"
    # The page's heading still names the plan as saved, not as typed.
    assert "<h1>Edit Healthier Riverside</h1>" in response.content.decode()


def test_partner_and_board_read_the_plan_without_an_edit_button(client, world):
    for user in (world.partner, world.board):
        client.force_login(user)
        page = client.get(world.plan.get_absolute_url()).content.decode()
        assert "Healthier Riverside" in page
        assert "Edit the plan" not in page


def test_lead_sees_the_edit_button(lead_client, world):
    assert "Edit the plan" in lead_client.get(world.plan.get_absolute_url()).content.decode()
