"""Readings of periods in the trend: each placed at its period's middle; suppressed readings,
readings before a break or the lead's start, of another length or overlapping a later pooled
period left out; a trend from fewer readings than the plan's minimum says so. Checked against
numpy (which the module must not use)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from outcomes.arithmetic import (
    DAYS_PER_YEAR,
    Direction,
    Point,
    Status,
    judge,
    placed_like,
    rate_needed_per_year,
    trend,
    trend_readings,
)

HIGHER, LOWER = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER


def year(ending: int, value: float | None, **extra) -> Point:
    """A financial year, April to March, ending in March of `ending`."""
    return Point(date(ending, 3, 31), value, start=date(ending - 1, 4, 1), **extra)


def pooled(first: int, value: float | None, years: int = 3, **extra) -> Point:
    """Calendar years pooled, labelled as the public health profiles write them."""
    last = first + years - 1
    label = f"{first} - {last % 100:02d}"
    return Point(date(last, 12, 31), value, start=date(first, 1, 1), label=label, **extra)


def test_a_reading_is_placed_at_its_periods_middle_and_read_by_its_label():
    assert year(2024, 1.0).x == date(2023, 9, 30)
    assert pooled(2020, 1.0).x == date(2021, 7, 1)  # the middle of 2020 - 22, not its end
    assert pooled(2020, 1.0).months == 36 and year(2024, 1.0).months == 12
    assert pooled(2020, 1.0).period_text == "2020 - 22"
    assert year(2024, 1.0).period_text == "2023/24"
    # A bare date (no period) is a single day, read as its month, as before.
    assert Point(date(2024, 3, 31), 1.0).x == date(2024, 3, 31)
    assert Point(date(2024, 3, 31), 1.0).period_text == "March 2024"


def test_the_trend_through_pooled_periods_is_numpys_line_through_their_middles():
    readings = [pooled(2011 + 3 * i, value) for i, value in enumerate([171.6, 168.8, 166.9, 160.2])]

    fitted = trend(readings)

    days = np.array([(p.x - readings[0].x).days for p in readings], dtype=float)
    slope, intercept = np.polyfit(days, [p.value for p in readings], 1)
    assert fitted.origin == readings[0].x
    assert fitted.slope_per_year == pytest.approx(slope * float(DAYS_PER_YEAR), rel=1e-12)
    assert fitted.intercept == pytest.approx(intercept, rel=1e-12)


def test_a_forecast_is_for_a_reading_like_the_latest_ending_on_the_target_date():
    latest = pooled(2021, 150.0)

    assert placed_like(date(2030, 12, 31), latest) == pooled(2028, 0.0).x
    assert placed_like(date(2029, 3, 31), year(2024, 1.0)) == year(2029, 1.0).x
    assert placed_like(date(2029, 3, 31), None) == date(2029, 3, 31)
    # The change needed a year runs from the latest reading's middle to the target's.
    needed = rate_needed_per_year(year(2024, 20.0), 15.0, date(2029, 3, 31))
    assert needed == pytest.approx(-5.0 / ((year(2029, 0).x - year(2024, 0).x).days / 365.25))


# Which readings a trend uses --------------------------------------------------------------------


def test_suppressed_readings_are_left_out():
    readings = [year(2020, 10.0), year(2021, None, mark="*"), year(2022, 12.0)]

    chosen = trend_readings(readings)

    assert [p.when.year for p in chosen.points] == [2020, 2022]
    assert chosen.suppressed == 1
    assert chosen.left_out == "Left out of the trend: 1 reading suppressed by the source."


def test_the_trend_starts_at_the_latest_break_in_the_series():
    readings = [
        year(2018, 10.0),
        year(2019, 11.0, series_break=True),
        year(2020, 12.0),
        year(2021, 30.0, series_break=True),
        year(2022, 31.0),
    ]

    chosen = trend_readings(readings)

    assert [p.when.year for p in chosen.points] == [2021, 2022]
    assert chosen.before_break == 3
    assert chosen.break_at == readings[3]
    assert "3 readings from before the break in the series at 2020/21" in chosen.left_out


def test_the_lead_may_start_the_trend_at_a_chosen_period():
    readings = [year(2019 + i, 10.0 + i) for i in range(6)]

    chosen = trend_readings(readings, start_from=date(2021, 3, 31))

    # The reading whose period ends on the chosen day is the first one used.
    assert [p.when.year for p in chosen.points] == [2021, 2022, 2023, 2024]
    assert chosen.before_start == 2


def test_periods_of_another_length_are_never_mixed_in():
    """A yearly series whose source turned to three-year pooled figures: the trend is of the
    pooled ones, not of years and pools as if all were years."""
    readings = [
        Point(date(2017 + i, 12, 31), 20.0 - i, start=date(2017 + i, 1, 1)) for i in range(4)
    ] + [pooled(2019, 16.5), pooled(2022, 15.0)]

    chosen = trend_readings(readings)

    assert [p.period_text for p in chosen.points] == ["2019 - 21", "2022 - 24"]
    assert chosen.other_length == 4


def test_overlapping_pooled_periods_count_each_year_once():
    rolling = [pooled(2014 + i, 170.0 - i) for i in range(8)]  # 2014 - 16 to 2021 - 23

    chosen = trend_readings(rolling)

    assert [p.period_text for p in chosen.points] == ["2015 - 17", "2018 - 20", "2021 - 23"]
    assert chosen.overlapping == 5
    # Yearly readings side by side do not overlap: every one is used.
    assert len(trend_readings([year(2015 + i, 1.0) for i in range(8)]).points) == 8


def test_readings_are_taken_in_date_order_whatever_order_they_come_in():
    readings = [year(2022, 3.0), year(2020, 1.0), year(2021, 2.0)]

    assert [p.value for p in trend_readings(readings).points] == [1.0, 2.0, 3.0]


# Fewer readings than the plan calls a trend ----------------------------------------------------


def judge_yearly(values: list[float], minimum_points: int, **kwargs):
    return judge(
        [year(2021 + i, value) for i, value in enumerate(values)],
        target_value=12.0,
        target_date=date(2029, 3, 31),
        direction=LOWER,
        unit="%",
        today=date(2026, 12, 6),
        months_per_reading=12,
        minimum_points=minimum_points,
        **kwargs,
    )


def test_a_status_from_fewer_readings_than_the_plans_minimum_says_so_and_keeps_its_interval():
    few = judge_yearly([16.8, 16.1, 15.9, 15.0], minimum_points=5)
    enough = judge_yearly([16.8, 16.1, 15.9, 15.0], minimum_points=4)

    assert few.sentence.startswith("Based on only 4 readings (a trend needs 5): forecast ")
    assert few.few_readings and not enough.few_readings
    assert few.sentence.removeprefix("Based on only 4 readings (a trend needs 5): f") == (
        enough.sentence.removeprefix("F")
    )
    assert "(between " in few.sentence  # the forecast's interval is still shown
    assert few.status == enough.status != Status.NOT_ENOUGH_DATA
    assert few.forecast == enough.forecast and few.forecast.lower is not None


def test_too_few_readings_in_the_trend_says_the_others_are_not_in_it():
    judgement = judge_yearly(
        [16.8, 16.1], minimum_points=5, passed_readings=[year(2015 + i, 20.0) for i in range(6)]
    )

    assert judgement.status is Status.NOT_ENOUGH_DATA
    assert judgement.sentence == (
        "Only 2 readings in the trend: at least three are needed to forecast."
    )


def test_the_forecast_for_a_target_is_placed_at_its_periods_middle():
    """Yearly readings rising by one a year from 2020/21: the reading for 2028/29 is forecast
    at 2028/29's middle, on the line, so exactly eight more than 2020/21's."""
    judgement = judge(
        [year(2021 + i, 10.0 + i) for i in range(5)],
        target_value=100.0,
        target_date=date(2029, 3, 31),
        direction=HIGHER,
        today=date(2026, 12, 6),
    )

    middle = year(2029, 0).x
    assert judgement.forecast.when == middle
    expected = 10.0 + (middle - year(2021, 0).x) / timedelta(days=365.25)
    assert judgement.forecast.value == pytest.approx(expected, abs=0.01)
