"""A favoured option may state its expected effects before it is turned into actions (issue
26): the forecast with the plan counts them until an action made from the option states its
own effect on the same indicator, never both."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from django.urls import reverse

from actions.models import ExpectedEffect, Option, OptionEffect, Scenario
from actions.scenarios import compare
from actions.tests.factories import ActionFactory, OptionFactory
from actions.tests.scenario_world import families_in_temporary_accommodation
from outcomes import hooks

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(world):
    return families_in_temporary_accommodation(world)


@pytest.fixture
def option(world, setting):
    indicator, _, _ = setting
    return OptionFactory(
        outcome=indicator.outcome,
        title="Private rented sector offer",
        decision=Option.Decision.FAVOURED,
        decision_reason="Cheapest per family housed.",
    )


def effect_data(indicator, size="-12", low="-20", high="-4") -> dict:
    return {
        "indicator": indicator.pk,
        "size": size,
        "low": low,
        "high": high,
        "starts": "2025-10-01",
        "build_up_months": "6",
    }


def names(indicator) -> list[str]:
    return sorted(effect.name for effect in hooks.effects_for([indicator])[indicator.pk])


def test_a_lead_states_a_favoured_options_effect_and_the_forecast_counts_it(
    lead_client,
    world,
    setting,
    option,
):
    indicator, _, _ = setting
    url = reverse("actions:option_effect_create", args=[option.pk])
    response = lead_client.post(url, effect_data(indicator))
    assert response.status_code == 302
    assert "Private rented sector offer (favoured option)" in names(indicator)
    page = lead_client.get(reverse("actions:appraisal", args=[option.outcome_id])).content.decode()
    assert "Counted in the forecast with the plan." in page
    indicator_page = lead_client.get(indicator.get_absolute_url()).content.decode()
    assert "Private rented sector offer (favoured option)" in indicator_page
    # The chart draws the forecast with the plan, and its table gives it.
    assert 'class="with-plan"' in indicator_page
    assert "with its 95% range" in indicator_page and '<th scope="row">With the plan</th>' in (
        indicator_page
    )


def test_an_option_not_favoured_cannot_state_one(lead_client, world, setting, option):
    indicator, _, _ = setting
    option.decision, option.decision_reason = Option.Decision.UNDECIDED, ""
    option.save()
    url = reverse("actions:option_effect_create", args=[option.pk])
    response = lead_client.post(url, effect_data(indicator))
    assert response.status_code == 200
    assert "Only a favoured option&#x27;s expected effects are counted" in response.content.decode()
    assert not OptionEffect.objects.exists()


def test_bad_estimates_are_refused(lead_client, world, setting, option):
    indicator, _, _ = setting
    url = reverse("actions:option_effect_create", args=[option.pk])
    response = lead_client.post(url, effect_data(indicator, size="-30", low="-20", high="-4"))
    assert "The expected size must lie between the low and high estimates." in (
        response.content.decode()
    )
    assert not OptionEffect.objects.exists()


def test_no_double_counting_once_an_action_from_it_states_its_own(world, setting, option):
    indicator, _, _ = setting
    OptionEffect.objects.create(
        option=option, indicator=indicator, size=-12, low=-20, high=-4, starts=date(2025, 10, 1)
    )
    made = ActionFactory(plan=world.plan, option=option, title="Offer landlords a guarantee")
    # An action made from it with no effect on this indicator yet: the option's still counts.
    assert "Private rented sector offer (favoured option)" in names(indicator)
    ExpectedEffect.objects.create(
        action=made, indicator=indicator, size=-10, low=-15, high=-5, starts=date(2025, 10, 1)
    )
    counted = names(indicator)
    assert f"{made.reference} Offer landlords a guarantee" in counted
    assert "Private rented sector offer (favoured option)" not in counted


def test_an_option_set_aside_no_longer_counts(world, setting, option):
    indicator, _, _ = setting
    OptionEffect.objects.create(
        option=option, indicator=indicator, size=-12, low=-20, high=-4, starts=date(2025, 10, 1)
    )
    option.decision = Option.Decision.NOT_FAVOURED
    option.save()
    assert "Private rented sector offer (favoured option)" not in names(indicator)


def test_a_scenario_may_count_on_a_favoured_option(world, setting, option):
    indicator, _, _ = setting
    OptionEffect.objects.create(
        option=option, indicator=indicator, size=-12, low=-12, high=-12, starts=date(2025, 4, 1)
    )
    Scenario.objects.create(plan=world.plan, name="Trend and the offer").options.add(option)
    _, [compared] = compare(world.plan)
    rows = {row.name: row.value for row in compared.rows}
    assert rows["The trend alone"] - rows["Trend and the offer"] == pytest.approx(12)


def test_the_kept_outcome_page_draws_a_new_option_effect_at_once(
    lead_client, world, setting, option
):
    indicator, _, _ = setting
    url = reverse("outcomes:outcome", args=[indicator.outcome_id])

    def with_the_plan() -> int:
        page = html.unescape(lead_client.get(url).content.decode())
        return int(re.search(r"With the plan's expected effects, forecast (\d+)", page).group(1))

    before = with_the_plan()
    OptionEffect.objects.create(
        option=option, indicator=indicator, size=-12, low=-20, high=-4, starts=date(2025, 10, 1)
    )
    assert with_the_plan() == before - 12
