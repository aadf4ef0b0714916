"""Data as analysts publish it, in the board report and the review's movements: each
comparison in words and colour, suppressed values and breaks in the appendix, and a change
judged by its method (a suppressed reading is never a movement)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings

from outcomes import arithmetic
from outcomes.models import Comparator, ComparatorReading, Indicator, Reading
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory, TargetFactory
from reports import reports
from reviews import changes

pytestmark = pytest.mark.django_db

TODAY = date(2026, 8, 14)


def year(indicator, ending: int, **fields) -> Reading:
    return Reading.objects.create(
        indicator=indicator,
        period_start=date(ending - 1, 4, 1),
        period=date(ending, 3, 31),
        **fields,
    )


def counted(indicator, ending: int, count: int, denominator: int) -> Reading:
    lower, upper = arithmetic.wilson_interval(count, denominator)
    return year(
        indicator,
        ending,
        value=Decimal(str(round(100 * count / denominator, 1))),
        lower=Decimal(str(round(100 * lower, 2))),
        upper=Decimal(str(round(100 * upper, 2))),
        count=count,
        denominator=denominator,
    )


@pytest.fixture
def screening(world) -> Indicator:
    outcome = OutcomeFactory(plan=world.plan, statement="Cancers are found early")
    indicator = IndicatorFactory(
        outcome=outcome,
        owner=world.council,
        code="CS-01",
        name="Screening uptake",
        direction=Indicator.Direction.HIGHER,
        frequency=Indicator.Frequency.ANNUAL,
    )
    counted(indicator, 2021, 60, 100)
    year(indicator, 2022, suppression_mark="*", value_note="Fewer than 5 screened in a ward")
    year(indicator, 2023, value=Decimal("70.0"), series_break=True)
    counted(indicator, 2024, 5, 100)
    counted(indicator, 2025, 28, 250)
    TargetFactory(indicator=indicator, target_value=Decimal("40.0"))
    england = Comparator.objects.create(indicator=indicator, name="England")
    ComparatorReading.objects.create(
        comparator=england, period_start=date(2024, 4, 1), period=date(2025, 3, 31), value=20
    )
    return indicator


def test_the_board_report_compares_in_words_and_colour(world, screening):
    html = reports.report_html(world.plan, kind="board", year=2026, quarter=3, today=TODAY)

    # 28 of 250 (11.2%, Wilson 7.9% to 15.7%) against England's 20.0%: worse.
    assert (
        '<p class="comparisons">Compared: <span class="comparison comparison-worse">Worse than '
        "England</span></p>" in html
    )
    # The appendix says what the chart's gaps are.
    assert "Suppressed (*); Fewer than 5 screened in a ward" in html
    assert "Break in the series: collected differently from here" in html
    css = (settings.BASE_DIR / "static/reports/print.css").read_text()
    assert ".comparison-worse {" in css


def test_a_review_counts_a_change_by_its_method_and_skips_suppressed_readings(world, screening):
    """From 5 of 100 to 28 of 250: bigger than the margins combined as symmetric 95% ones, but
    not a significant change by Newcombe's method, so not a movement."""
    indicators = [screening]

    moved = changes.significant_movements(
        indicators, since=date(2025, 1, 1), until=date(2025, 12, 31)
    )
    across_the_suppressed_year = changes.significant_movements(
        indicators, since=date(2022, 1, 1), until=date(2022, 12, 31)
    )

    assert moved == []
    assert across_the_suppressed_year == []  # its only reading in the period has no value
