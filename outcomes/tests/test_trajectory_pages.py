"""A target's planned trajectory as a lead enters it and members read it: the indicator page,
the dashboard row, the chart and the board report (issue 26)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outcomes.models import Indicator, Reading, Target
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory, TargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicator(world):
    outcome = OutcomeFactory(plan=world.plan, statement="More children ready for school")
    indicator = IndicatorFactory(
        outcome=outcome,
        owner=world.council,
        code="SR-01",
        name="Children ready for school",
        direction=Indicator.Direction.HIGHER,
        frequency=Indicator.Frequency.ANNUAL,
    )
    for year, value, lower, upper in [
        (2022, "50.0", None, None),
        (2023, "51.0", None, None),
        (2024, "51.9", "49.0", "54.8"),  # 2.1 below a straight line's 54.0, inside its limits
    ]:
        Reading.objects.create(
            indicator=indicator,
            period_start=date(year - 1, 4, 1),
            period=date(year, 3, 31),
            value=Decimal(value),
            lower=lower and Decimal(lower),
            upper=upper and Decimal(upper),
        )
    return indicator


def target_data(**changes) -> dict:
    data = {
        "kind": "local",
        "baseline_value": "50",
        "baseline_date": "2023-03-31",
        "target_value": "62",
        "target_date": "2026-03-31",
        "trajectory_shape": "straight",
        "trajectory_steps": "4",
        "trajectory_text": "",
    }
    return data | changes


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode().replace("&#x27;", "'")


def test_a_lead_sets_a_straight_trajectory_and_each_reading_is_judged_against_it(
    lead_client, indicator
):
    response = lead_client.post(
        reverse("outcomes:target_create", args=[indicator.pk]), target_data()
    )
    assert response.status_code == 302
    target = Target.objects.get(indicator=indicator)
    assert target.trajectory_shape == "straight"
    html = page(lead_client, indicator.get_absolute_url())
    assert "Planned trajectory" in html
    # 2023/24 is a year into three from 50 to 62: 54.0, and the reading 51.9 (49.0 to 54.8).
    assert "2.1 percentage points below trajectory, within its margin of error" in html
    assert "Behind:" in html
    # The chart draws the trajectory, names it in its key and words, and gives its column.
    assert 'class="trajectory"' in html
    assert "Planned trajectory: 54.0% in March 2024, to 62.0% by March 2026." in html
    assert '<th scope="col">Trajectory</th>' in html


def test_a_reading_beyond_its_margin_of_error_says_so(lead_client, indicator):
    Reading.objects.filter(period=date(2024, 3, 31)).update(
        lower=Decimal("51.0"), upper=Decimal("52.8")
    )
    lead_client.post(reverse("outcomes:target_create", args=[indicator.pk]), target_data())
    html = page(lead_client, indicator.get_absolute_url())
    assert "2.1 percentage points below trajectory, beyond its margin of error" in html


def test_a_stepped_trajectory_holds_until_its_step(lead_client, indicator):
    lead_client.post(
        reverse("outcomes:target_create", args=[indicator.pk]),
        target_data(trajectory_shape="stepped", trajectory_steps="1"),
    )
    html = page(lead_client, indicator.get_absolute_url())
    # One step, at the target date: the trajectory for 2023/24 is still the baseline, 50.0.
    assert "1.9 percentage points above trajectory, within its margin of error" in html
    assert "Ahead:" in html


def test_pasted_values_are_read_as_sources_write_their_periods(lead_client, indicator):
    text = "2023/24\t53.5\n2024/25, 57\n2025/26; 62%\n"
    response = lead_client.post(
        reverse("outcomes:target_create", args=[indicator.pk]),
        target_data(trajectory_shape="values", trajectory_text=text),
    )
    assert response.status_code == 302
    target = Target.objects.get(indicator=indicator)
    assert target.trajectory_values == [
        ["2024-03-31", 53.5],
        ["2025-03-31", 57.0],
        ["2026-03-31", 62.0],
    ]
    html = page(lead_client, indicator.get_absolute_url())
    assert "1.6 percentage points below trajectory, within its margin of error" in html
    # Editing shows the values back, one a line.
    html = page(lead_client, reverse("outcomes:target_edit", args=[target.pk]))
    assert "2024-03-31\t53.5" in html


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Type or paste a value for each period"),
        ("2024/25", "Line 1: give a period, then its value."),
        ("Smarch 2025, 54", "Line 1: “Smarch 2025” is not a period we recognise"),
        ("2024/25, 54\n2024/25, 55", "Line 2: that period has a value already."),
        ("2024/25, 104", "Line 1: 104.0% is outside what SR-01 can be"),
        ("2019/20, 54", "Line 1: 2019/20 is not after the baseline date and by the target date."),
    ],
)
def test_bad_pasted_values_are_refused_and_nothing_changes(lead_client, indicator, text, message):
    target = TargetFactory(
        indicator=indicator,
        baseline_date=date(2023, 3, 31),
        baseline_value=Decimal("50"),
        target_value=Decimal("62"),
        target_date=date(2026, 3, 31),
    )
    response = lead_client.post(
        reverse("outcomes:target_edit", args=[target.pk]),
        target_data(trajectory_shape="values", trajectory_text=text, target_value="70"),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    target.refresh_from_db()
    assert (target.trajectory_shape, target.trajectory_values, target.target_value) == (
        "",
        [],
        Decimal("62"),
    )


def test_a_partner_may_not_set_a_trajectory(partner_client, indicator):
    target = TargetFactory(indicator=indicator, target_date=date(2026, 3, 31))
    response = partner_client.post(reverse("outcomes:target_edit", args=[target.pk]), target_data())
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.trajectory_shape == ""


def test_the_dashboard_row_judges_the_latest_reading_and_changes_with_the_trajectory(
    lead_client, world, indicator
):
    url = world.plan.get_absolute_url()
    target = TargetFactory(
        indicator=indicator,
        baseline_date=date(2023, 3, 31),
        baseline_value=Decimal("50"),
        target_value=Decimal("62"),
        target_date=date(2026, 3, 31),
        trajectory_shape="straight",
    )
    assert "Behind: 2.1 percentage points below trajectory" in page(lead_client, url)
    # The row is kept; a change to the trajectory shows at once.
    lead_client.post(
        reverse("outcomes:target_edit", args=[target.pk]),
        target_data(trajectory_shape="stepped", trajectory_steps="1"),
    )
    html = page(lead_client, url)
    assert "Ahead: 1.9 percentage points above trajectory" in html
    assert "below trajectory" not in html


def test_the_dashboard_query_count_stays_flat_with_trajectories(lead_client, world):
    url = world.plan.get_absolute_url()

    def grow(count: int) -> None:
        outcome = OutcomeFactory(plan=world.plan)
        for _ in range(count):
            indicator = IndicatorFactory(outcome=outcome, owner=world.council)
            TargetFactory(
                indicator=indicator,
                baseline_date=date(2020, 3, 31),
                target_date=date(2030, 3, 31),
                trajectory_shape="straight",
            )
            Reading.objects.bulk_create(
                Reading(indicator=indicator, period=date(2021 + i, 3, 31), value=20 - i)
                for i in range(4)
            )

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert lead_client.get(url).status_code == 200
        return len(queries)

    count()  # the first visit sets up what every later one reuses
    grow(1)
    computed = count()
    grow(6)
    assert count() == computed
