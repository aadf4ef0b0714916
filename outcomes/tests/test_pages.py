"""Steps 1–3 in the browser's terms: what each member can see and do, and bad input refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from improveplan.models import Role
from improveplan.tests.factories import MembershipFactory
from outcomes.models import ComparatorReading, Indicator, Outcome, Reading, Target
from outcomes.tests.factories import (
    ComparatorFactory,
    IndicatorFactory,
    OutcomeFactory,
    ReadingFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicator(world):
    outcome = OutcomeFactory(plan=world.plan, statement="Fewer people smoke")
    return IndicatorFactory(
        outcome=outcome, owner=world.housing, code="SM-01", name="Adults who smoke"
    )


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode().replace("&#x27;", "'")


def add_readings(indicator, values, *, year=2021, breakdown=""):
    for offset, value in enumerate(values):
        ReadingFactory(
            indicator=indicator,
            period=date(year + offset, 3, 31),
            value=Decimal(str(value)),
            breakdown=breakdown,
        )


# Building the plan ---------------------------------------------------------------------


def test_lead_adds_an_outcome_and_an_indicator(lead_client, world):
    response = lead_client.post(
        reverse("outcomes:outcome_create", args=[world.plan.pk]),
        {"statement": "Fewer children live in cold homes", "priority": 1},
    )
    outcome = Outcome.objects.get(statement="Fewer children live in cold homes")
    assert response["Location"] == world.plan.get_absolute_url()
    response = lead_client.post(
        reverse("outcomes:indicator_create", args=[outcome.pk]),
        {
            "code": "ch-01",
            "name": "Children in fuel poverty",
            "kind": Indicator.Kind.POPULATION,
            "unit": Indicator.Unit.RATE,
            "rate_per": 1000,
            "direction": Indicator.Direction.LOWER,
            "frequency": Indicator.Frequency.ANNUAL,
            "owner": world.council.pk,
            "denominator": 12000,
        },
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get(code="CH-01")
    assert (indicator.plan, indicator.outcome, indicator.owner) == (
        world.plan,
        outcome,
        world.council,
    )
    assert "Children in fuel poverty" in page(lead_client, world.plan.get_absolute_url())


def test_a_rate_needs_to_say_per_how_many(lead_client, world, indicator):
    response = lead_client.post(
        reverse("outcomes:indicator_edit", args=[indicator.pk]),
        {
            "code": "SM-01",
            "name": "Adults who smoke",
            "kind": "population",
            "unit": "rate",
            "direction": "lower",
            "frequency": "annual",
            "owner": world.housing.pk,
        },
    )
    assert "Say what the rate is per" in response.content.decode()
    indicator.refresh_from_db()
    assert indicator.unit == Indicator.Unit.PERCENT


def test_two_indicators_in_a_plan_may_not_share_a_reference(lead_client, world, indicator):
    response = lead_client.post(
        reverse("outcomes:indicator_create", args=[indicator.outcome.pk]),
        {
            "code": "sm-01",
            "name": "Another",
            "kind": "population",
            "unit": "percent",
            "direction": "lower",
            "frequency": "annual",
            "owner": world.housing.pk,
        },
    )
    assert "Another indicator in this plan has that reference" in response.content.decode()
    assert Indicator.objects.count() == 1


# Readings ----------------------------------------------------------------------------------


def reading_url(indicator):
    return reverse("outcomes:reading_create", args=[indicator.pk])


def test_a_partner_enters_a_reading_for_their_organisations_indicator(
    partner_client, world, indicator
):
    response = partner_client.post(
        reading_url(indicator),
        {"period": "2025-03-31", "value": "17.2", "lower": "16.1", "upper": "18.3"},
    )
    assert response.status_code == 302
    reading = Reading.objects.get(indicator=indicator)
    assert reading.entered_by == world.partner
    assert "17.2" in page(partner_client, indicator.get_absolute_url())


def test_a_partner_of_another_organisation_may_not(client, world, indicator):
    council_partner = MembershipFactory(organisation=world.council, role=Role.PARTNER).user
    client.force_login(council_partner)
    assert client.get(reading_url(indicator)).status_code == 403
    assert (
        client.post(reading_url(indicator), {"period": "2025-03-31", "value": "1"}).status_code
        == 403
    )
    assert not Reading.objects.exists()
    assert "Add a reading" not in page(client, indicator.get_absolute_url())


def test_a_partner_may_not_change_targets(partner_client, indicator):
    response = partner_client.post(
        reverse("outcomes:target_create", args=[indicator.pk]),
        {
            "kind": "local",
            "baseline_value": "20",
            "baseline_date": "2024-03-31",
            "target_value": "15",
            "target_date": "2029-03-31",
        },
    )
    assert response.status_code == 403
    assert not Target.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # The form reads a reading as the import does (outcomes/readings_io.py), and says so.
        ({"value": "ten"}, "The value “ten” is not a number."),
        ({"value": "NaN"}, "The value “NaN” is not a number."),
        ({"period": "2025-02-30"}, "“2025-02-30” is not a real date."),
        ({"period": "2206-03-31"}, "2206-03-31 is outside 1990–2100."),
        ({"lower": "18"}, "The lower bound 18 is above the value 17.2."),
        ({"upper": "17"}, "The upper bound 17 is below the value 17.2."),
        ({"value": "1" * 20}, "at most 12 digits may come before the decimal point."),
    ],
)
def test_bad_readings_are_refused_with_a_message(lead_client, indicator, data, message):
    response = lead_client.post(
        reading_url(indicator), {"period": "2025-03-31", "value": "17.2", **data}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Reading.objects.exists()


def test_a_second_reading_for_the_same_period_and_group_is_refused(lead_client, indicator):
    ReadingFactory(indicator=indicator, period=date(2025, 3, 31), breakdown="Northfield")
    response = lead_client.post(
        reading_url(indicator), {"period": "2025-03-31", "value": "3", "breakdown": "Northfield"}
    )
    assert (
        "There is already a reading for Northfield for 31 March 2025." in response.content.decode()
    )
    # The same period for the whole area is another reading, and fine.
    lead_client.post(reading_url(indicator), {"period": "2025-03-31", "value": "3"})
    assert Reading.objects.filter(indicator=indicator).count() == 2


def test_a_target_must_come_after_its_baseline(lead_client, indicator):
    response = lead_client.post(
        reverse("outcomes:target_create", args=[indicator.pk]),
        {
            "kind": "local",
            "baseline_value": "20",
            "baseline_date": "2029-03-31",
            "target_value": "15",
            "target_date": "2024-03-31",
        },
    )
    assert "The target date must come after the baseline date." in response.content.decode()
    assert not Target.objects.exists()


# What the pages say ----------------------------------------------------------------------------


def test_the_indicator_page_gives_an_honest_forecast(lead_client, indicator):
    add_readings(indicator, [21.0, 20.2, 19.1, 18.4, 17.9])
    TargetFactory(indicator=indicator, target_value=Decimal("15"), target_date=date(2029, 3, 31))
    html = page(lead_client, indicator.get_absolute_url())
    assert "Forecast" in html and "by March 2029" in html and "against a target of 15.0%" in html
    assert "chance" in html


def test_without_a_target_the_status_says_so(lead_client, indicator):
    add_readings(indicator, [21.0, 20.2, 19.1])
    html = page(lead_client, indicator.get_absolute_url())
    assert "Not enough data" in html
    assert "No target has been set" in html


def test_a_lead_overrules_the_status_with_a_reason_that_is_shown(client, world, indicator):
    add_readings(indicator, [21.0, 20.2, 19.1, 18.4])
    TargetFactory(indicator=indicator)
    url = reverse("outcomes:indicator_status", args=[indicator.pk])
    client.force_login(world.lead)
    refused = client.post(url, {"status": "off_track", "reason": "  "}, follow=True)
    assert "Say why the computed status is wrong." in refused.content.decode()
    indicator.refresh_from_db()
    assert indicator.status_override == ""

    client.post(url, {"status": "off_track", "reason": "The 2026 survey shows a rise."})
    indicator.refresh_from_db()
    assert (indicator.status_override, indicator.overridden_by) == ("off_track", world.lead)
    client.force_login(world.board)
    html = page(client, indicator.get_absolute_url())
    assert "Off track" in html and "The 2026 survey shows a rise." in html

    client.force_login(world.lead)
    client.post(url, {"status": "", "reason": ""})
    indicator.refresh_from_db()
    assert (indicator.status_override, indicator.override_reason) == ("", "")


def test_the_outcome_page_walks_steps_one_to_three(lead_client, world, indicator):
    add_readings(indicator, [21.0, 20.2, 19.1])
    add_readings(indicator, [25.0, 24.1, 26.3], breakdown="Northfield")
    add_readings(indicator, [12.0, 11.5, 11.0], breakdown="Riverside Park")
    html = page(lead_client, indicator.outcome.get_absolute_url())
    for heading in (
        "Step 1: Where are we now?",
        "Step 2: What evidence do we have for priorities?",
        "Step 3: Where are we trying to reach?",
    ):
        assert heading in html
    assert "best Riverside Park (11.0%), worst Northfield (26.3%)" in html
    assert "still missing" in html  # no evidence yet, no target yet


def test_the_plan_warns_when_it_has_too_many_outcomes_or_indicators(lead_client, world):
    world.plan.outcome_limit = 2
    world.plan.indicator_limit = 1
    world.plan.save()
    outcomes = [OutcomeFactory(plan=world.plan) for _ in range(3)]
    IndicatorFactory.create_batch(2, outcome=outcomes[0], owner=world.council)
    html = page(lead_client, world.plan.get_absolute_url())
    assert "more than its limit of 2" in html
    assert f"“{outcomes[0]}” has more than 1 indicators" in html


def _grow(world, outcomes: int, indicators: int, readings: int) -> None:
    for _ in range(outcomes):
        outcome = OutcomeFactory(plan=world.plan)
        for _ in range(indicators):
            indicator = IndicatorFactory(outcome=outcome, owner=world.council)
            TargetFactory(indicator=indicator)
            Reading.objects.bulk_create(
                Reading(
                    indicator=indicator, period=date(1995 + i, 3, 31), value=Decimal(20 - i / 10)
                )
                for i in range(readings)
            )
            # Comparators with values, and one without: each is compared on the dashboard.
            england = ComparatorFactory(indicator=indicator, name="England")
            ComparatorFactory(indicator=indicator, name="Similar areas")
            ComparatorReading.objects.bulk_create(
                ComparatorReading(comparator=england, period=date(1995 + i, 3, 31), value=19)
                for i in range(readings)
            )


def test_the_dashboard_query_count_does_not_grow_with_its_rows(lead_client, world):
    url = world.plan.get_absolute_url()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert lead_client.get(url).status_code == 200
        return len(queries)

    # The dashboard is computed after any change to the plan, and kept until the next one:
    # both cost the same queries whatever the number of rows.
    count()
    _grow(world, 1, 1, 3)
    computed, kept = count(), count()
    _grow(world, 4, 5, 20)
    assert count() == computed
    assert count() == kept
    # Computed: 12, 3 for each outcome's progress through the Five Steps, 1 for the plan's
    # latest agreed version (issue 5), 2 for what waits for a lead (completions to confirm
    # and due-date requests, issue 16), and 6 for the stamps of the plan, its indicators and
    # actions with the lists of them (issue 19), 1 for the comparators and their values
    # (issue 17), and (issue 24) 1 for the agreed version's sign-ups and 4 for the resources
    # by partner and by outcome (the actions, their outcomes, the outcomes, the spend) and 3
    # for the pooled budget (the budget, its contributions, its allocations).
    # Issue 24, next year's plan: 1 for the plans copied forward from it (kept too) and 1 for
    # the indicators that share readings with another plan's.
    # Kept: the session, the person, the membership, the plan and its stamp.
    assert computed <= 35
    assert kept <= 6


def test_the_outcome_page_query_count_does_not_grow_with_its_rows(lead_client, world, indicator):
    url = indicator.outcome.get_absolute_url()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert lead_client.get(url).status_code == 200
        return len(queries)

    def grow(n: int) -> None:
        for _ in range(n):
            extra = IndicatorFactory(outcome=indicator.outcome, owner=world.council)
            add_readings(extra, [1, 2, 3, 4])
            TargetFactory(indicator=extra)

    # Computed after any change to the plan, kept until the next one: both cost the same
    # queries whatever the number of indicators.
    count()
    grow(1)
    computed, kept = count(), count()
    assert kept < computed
    grow(5)
    assert count() == computed
    assert count() == kept
