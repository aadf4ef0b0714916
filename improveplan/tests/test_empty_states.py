"""An empty plan's pages say what to do first, never that all is done (issue 16, item 8)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from improveplan.models import PlanVersion
from outcomes.tests.factories import OutcomeFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    assert response.status_code in (200, 422), response.status_code
    return response.content.decode().replace("&#x27;", "'")


def test_still_to_do_on_an_empty_plan_says_to_add_an_outcome(lead_client, world):
    page = text(lead_client.get(reverse("methods:still_to_do", args=[world.plan.pk])))
    assert "Nothing is missing" not in page
    assert "This plan has no outcomes yet" in page
    assert reverse("outcomes:outcome_create", args=[world.plan.pk]) in page


def test_who_is_up_to_date_with_nothing_to_update_does_not_say_everyone_is(lead_client, world):
    page = text(lead_client.get(reverse("reviews:up_to_date", args=[world.plan.pk])))
    assert "Everyone is up to date" not in page
    assert "Nothing to update yet" in page


def test_a_plan_with_no_outcomes_is_not_agreed(lead_client, world):
    url = reverse("improveplan:plan_agree", args=[world.plan.pk])
    page = text(lead_client.get(url))
    assert "A plan with no outcomes cannot be agreed" in page, "said before the button is pressed"
    refused = text(lead_client.post(url, {}))
    assert "A plan with no outcomes cannot be agreed" in refused
    assert not PlanVersion.objects.filter(plan=world.plan).exists()
    OutcomeFactory(plan=world.plan)
    assert lead_client.post(url, {}).status_code == 302
    assert PlanVersion.objects.filter(plan=world.plan).count() == 1


def test_the_agree_page_names_the_actions_that_are_not_smart_before_any_submit(lead_client, world):
    from actions.tests.factories import ActionFactory

    OutcomeFactory(plan=world.plan)
    vague = ActionFactory(plan=world.plan, lead_organisation=world.council, title="Do things")
    page = text(lead_client.get(reverse("improveplan:plan_agree", args=[world.plan.pk])))
    assert f"1 action is not yet SMART ({vague.reference})" in page
