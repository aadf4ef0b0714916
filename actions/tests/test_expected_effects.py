"""An action's expected effect on an indicator, and the indicator's forecast with and without
the plan (issue 26)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from actions.models import ExpectedEffect
from actions.tests.factories import ActionFactory
from improveplan.tests.factories import PlanFactory
from outcomes.models import ExternalFactor, Indicator, Reading
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory, TargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicator(world):
    """Families in temporary accommodation: rising, against a target of 200 by March 2028."""
    indicator = IndicatorFactory(
        outcome=OutcomeFactory(plan=world.plan),
        owner=world.council,
        code="HS-02",
        unit=Indicator.Unit.COUNT,
        direction=Indicator.Direction.LOWER,
        frequency=Indicator.Frequency.ANNUAL,
    )
    for year, value in enumerate([240, 252, 261, 270, 283], start=2021):
        Reading.objects.create(indicator=indicator, period=date(year, 3, 31), value=value)
    TargetFactory(
        indicator=indicator,
        baseline_value=Decimal("270"),
        baseline_date=date(2024, 3, 31),
        target_value=Decimal("200"),
        target_date=date(2028, 3, 31),
    )
    return indicator


@pytest.fixture
def action(world):
    return ActionFactory(plan=world.plan, lead_organisation=world.council, title="Lease homes")


def effect_data(indicator, **changes) -> dict:
    data = {
        "indicator": indicator.pk,
        "size": "-25",
        "low": "-30",
        "high": "-15",
        "starts": "2025-04-01",
        "build_up_months": "12",
    }
    return data | changes


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode().replace("&#x27;", "'")


def test_a_lead_states_an_actions_expected_effect_and_the_indicator_shows_both_forecasts(
    lead_client, indicator, action
):
    html = page(lead_client, indicator.get_absolute_url())
    assert "No action or external factor states an expected effect" in html
    response = lead_client.post(
        reverse("actions:expected_effect_create", args=[action.pk]), effect_data(indicator)
    )
    assert response.status_code == 302
    effect = ExpectedEffect.objects.get(action=action)
    assert (effect.indicator, effect.size) == (indicator, Decimal("-25"))
    assert "HS-02" in page(lead_client, action.get_absolute_url())
    html = page(lead_client, indicator.get_absolute_url())
    assert "Without the plan" in html and "With the plan" in html
    # The trend rises about 10 a year to about 318 by 2027/28; the leased homes take 25 off.
    without = html.split("Without the plan</th><td>")[1].split("<")[0]
    with_plan = html.split("With the plan</th><td>")[1].split("<")[0]
    assert int(without) - int(with_plan) == 25
    assert f"{int(with_plan) - 200} short of the target" in html
    assert f"{effect.action.reference} Lease homes" in html


def test_an_external_factor_is_marked_outside_the_partnerships_control(lead_client, indicator):
    response = lead_client.post(
        reverse("outcomes:external_factor_create", args=[indicator.pk]),
        {
            "name": "Local housing allowance frozen",
            "size": "15",
            "low": "5",
            "high": "25",
            "starts": "2025-04-01",
            "build_up_months": "0",
        },
    )
    assert response.status_code == 302
    html = page(lead_client, indicator.get_absolute_url())
    assert "Local housing allowance frozen" in html
    assert "Outside the partnership's control" in html


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"size": "-35"}, "The expected size must lie between the low and high estimates."),
        ({"starts": "2206-01-01"}, "Give a date between 1990 and 2100."),
        ({"build_up_months": "-1"}, "Ensure this value is greater than or equal to 0."),
    ],
)
def test_bad_effects_are_refused_and_nothing_is_saved(
    lead_client, indicator, action, changes, message
):
    response = lead_client.post(
        reverse("actions:expected_effect_create", args=[action.pk]),
        effect_data(indicator, **changes),
    )
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not ExpectedEffect.objects.exists()


def test_a_percentage_cannot_move_more_than_its_whole_range(lead_client, world, action):
    percent = IndicatorFactory(outcome=OutcomeFactory(plan=world.plan), owner=world.council)
    response = lead_client.post(
        reverse("actions:expected_effect_create", args=[action.pk]),
        effect_data(percent, size="-150", low="-160", high="-140"),
    )
    assert "can only move 100.0 percentage points in all" in response.content.decode()
    assert not ExpectedEffect.objects.exists()


def test_only_the_plans_own_indicators_may_be_chosen(lead_client, world, action):
    elsewhere = IndicatorFactory(outcome=OutcomeFactory(plan=PlanFactory()))
    response = lead_client.post(
        reverse("actions:expected_effect_create", args=[action.pk]), effect_data(elsewhere)
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ExpectedEffect.objects.exists()


def test_partners_may_not_state_effects(partner_client, indicator, action):
    for client in (partner_client,):
        response = client.post(
            reverse("actions:expected_effect_create", args=[action.pk]), effect_data(indicator)
        )
        assert response.status_code == 403
        response = client.post(
            reverse("outcomes:external_factor_create", args=[indicator.pk]),
            {"name": "X", "size": "1", "low": "0", "high": "2", "starts": "2025-04-01"},
        )
        assert response.status_code == 403
    assert not ExpectedEffect.objects.exists() and not ExternalFactor.objects.exists()
