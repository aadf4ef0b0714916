"""Relationships between two of a plan's indicators across their breakdowns (issue 26): the
page, its words and its chart, with Anscombe's third set as the areas' figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from improveplan.tests.factories import PlanFactory
from outcomes.models import Indicator, Reading
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory

pytestmark = pytest.mark.django_db

X = [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5]
Y3 = [7.46, 6.77, 12.74, 7.11, 7.81, 8.84, 6.08, 5.39, 8.15, 6.42, 5.73]
WARDS = [f"Ward {letter}" for letter in "ABCDEFGHIJK"]


def _indicator(plan, code, values, period=date(2025, 3, 31)):
    indicator = IndicatorFactory(
        outcome=OutcomeFactory(plan=plan),
        code=code,
        name=f"Indicator {code}",
        frequency=Indicator.Frequency.ANNUAL,
    )
    for ward, value in zip(WARDS, values, strict=False):
        Reading.objects.create(
            indicator=indicator,
            period_start=date(period.year - 1, 4, 1),
            period=period,
            breakdown=ward,
            value=Decimal(str(value)),
        )
    return indicator


@pytest.fixture
def pair(world):
    return _indicator(world.plan, "SM-01", X), _indicator(world.plan, "OP-01", Y3)


def url(plan, **asked) -> str:
    address = reverse("outcomes:relationships", args=[plan.pk])
    return address + ("?" + "&".join(f"{k}={v}" for k, v in asked.items()) if asked else "")


def test_the_scatter_gives_r_its_interval_the_line_and_names_the_outlier(board_client, world, pair):
    first, second = pair
    response = board_client.get(url(world.plan, first=first.pk, second=second.pk))
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert "Across the 11 areas or groups with both figures for 2024/25, r is 0.82" in html
    assert "(95% interval 0.42 to 0.95): a strong positive relationship." in html
    # Ward C is Anscombe's (13, 12.74): 3.2 points above the line 3.00 + 0.500x.
    assert "Far from the line, and worth a look: Ward C (OP-01 3.2 percentage points higher" in html
    assert "A correlation is not a cause." in html
    assert 'class="outlier"' in html and 'class="fitted-line"' in html
    assert '<th scope="row">Ward C</th><td>13.0</td><td>12.7</td><td>Far from the line</td>' in html


def test_too_few_areas_say_so(lead_client, world):
    first = _indicator(world.plan, "SM-01", [10, 12])
    second = _indicator(world.plan, "OP-01", [3, 4])
    html = lead_client.get(url(world.plan, first=first.pk, second=second.pk)).content.decode()
    assert "Only 2 areas or groups have both figures for 2024/25" in html
    assert 'class="fitted-line"' not in html


def test_no_shared_period_says_so(lead_client, world):
    first = _indicator(world.plan, "SM-01", X)
    second = _indicator(world.plan, "OP-01", Y3, period=date(2024, 3, 31))
    html = lead_client.get(url(world.plan, first=first.pk, second=second.pk)).content.decode()
    assert "have no breakdowns for the same period" in html


def test_another_partnerships_indicator_cannot_be_chosen(lead_client, world, pair):
    theirs = _indicator(PlanFactory(), "XX-01", Y3)
    response = lead_client.get(url(world.plan, first=pair[0].pk, second=theirs.pk))
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert "XX-01" not in html and "Ward C" not in html


def test_the_same_indicator_twice_is_refused(lead_client, world, pair):
    html = lead_client.get(url(world.plan, first=pair[0].pk, second=pair[0].pk)).content.decode()
    assert "Choose two different indicators." in html
