"""The board report says where each indicator's latest reading stands against the target's
planned trajectory (issue 26)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from outcomes.models import Indicator, Reading
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory, TargetFactory
from reports import reports

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


def test_the_board_report_says_where_the_latest_reading_stands(world, indicator):
    TargetFactory(
        indicator=indicator,
        baseline_date=date(2023, 3, 31),
        baseline_value=Decimal("50"),
        target_value=Decimal("62"),
        target_date=date(2026, 3, 31),
        trajectory_shape="straight",
    )
    html = reports.report_html(
        world.plan, kind="board", year=2024, quarter=2, today=date(2024, 8, 1)
    )
    assert (
        "Latest 51.9% (Mar 2024), 2.1 percentage points below trajectory, within its margin "
        "of error; target by Mar 2026." in html
    )
    # The appendix's data table gives the trajectory for each period.
    assert '<th scope="col" class="number">Trajectory</th>' in html
