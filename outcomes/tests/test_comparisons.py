"""Better, similar or worse than a comparator, as the public health profiles compare an area
with a benchmark: the benchmark's value against the area's 95% or 99.8% confidence interval,
or the two intervals where both have them at the same level; which is better follows the
indicator's direction; not compared without a value or an interval."""

from __future__ import annotations

from datetime import date

import pytest

from outcomes.arithmetic import (
    Compared,
    Comparison,
    Direction,
    Point,
    compare,
    comparison_words,
    wilson_interval,
)

HIGHER, LOWER = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER
YEAR = {"when": date(2024, 3, 31), "start": date(2023, 4, 1)}


def reading(value, lower=None, upper=None, level=0.95, **extra) -> Point:
    return Point(value=value, lower=lower, upper=upper, level=level, **YEAR, **extra)


def percent(count: int, denominator: int, level: float = 0.95) -> Point:
    low, high = wilson_interval(count, denominator, level)
    return reading(100 * count / denominator, 100 * low, 100 * high, level)


@pytest.mark.parametrize(
    ("area", "benchmark", "direction", "verdict"),
    [
        # 62 of 80 (77.5%, Wilson 95% 67.2% to 85.3%) against England's 64.0%: England is
        # below the interval, so higher is significantly better.
        (percent(62, 80), reading(64.0), HIGHER, Comparison.BETTER),
        (percent(62, 80), reading(64.0), LOWER, Comparison.WORSE),
        # Against 80.0%, inside the interval: similar, whichever way is better.
        (percent(62, 80), reading(80.0), HIGHER, Comparison.SIMILAR),
        (percent(62, 80), reading(80.0), LOWER, Comparison.SIMILAR),
        # Against 90.0%, above it.
        (percent(62, 80), reading(90.0), HIGHER, Comparison.WORSE),
    ],
)
def test_the_benchmarks_value_against_the_areas_interval(area, benchmark, direction, verdict):
    assert compare(area, benchmark, direction).verdict is verdict


def test_the_level_of_the_areas_limits_decides():
    """66.0% lies below 62 of 80's 95% interval (67.2% to 85.3%) but inside its 99.8% one:
    better at 95%, similar at 99.8%."""
    at_95, at_99_8 = percent(62, 80), percent(62, 80, level=0.998)
    assert at_95.lower > 66.0 > at_99_8.lower

    assert compare(at_95, reading(66.0), HIGHER) == Compared(Comparison.BETTER, 0.95)
    assert compare(at_99_8, reading(66.0), HIGHER) == Compared(Comparison.SIMILAR, 0.998)


def test_where_both_have_intervals_at_the_same_level_the_intervals_are_compared():
    area = reading(165.3, 153.3, 178.0, level=0.998)  # deaths under 75 per 100,000, 2021 - 23
    north_west = reading(150.2, 148.2, 152.2, level=0.998)  # outside ours, intervals apart
    overlapping = reading(150.2, 140.0, 160.4, level=0.998)  # outside ours, intervals overlap
    at_95 = reading(150.2, 140.0, 160.4)  # another level: its value alone is compared

    assert compare(area, north_west, LOWER) == Compared(Comparison.WORSE, 0.998, True)
    assert compare(area, overlapping, LOWER) == Compared(Comparison.SIMILAR, 0.998, True)
    assert compare(area, at_95, LOWER) == Compared(Comparison.WORSE, 0.998, False)


def test_asymmetric_limits_are_compared_as_given():
    area = reading(2.0, 1.2, 3.3)  # a small rate: a long upper side

    assert compare(area, reading(3.2), LOWER).verdict is Comparison.SIMILAR
    assert compare(area, reading(1.1), LOWER).verdict is Comparison.WORSE


@pytest.mark.parametrize(
    ("area", "benchmark", "reason"),
    [
        (None, reading(64.0), "no reading yet"),
        (reading(None, mark="*"), reading(64.0), "our 2023/24 is suppressed"),
        (percent(62, 80), None, "no value for 2023/24"),
        (percent(62, 80), reading(None, mark="x"), "its 2023/24 is suppressed"),
        (reading(77.5), reading(64.0), "our reading has no confidence interval"),
    ],
)
def test_what_cannot_be_compared_says_why(area, benchmark, reason):
    compared = compare(area, benchmark, HIGHER)

    assert compared == Compared(Comparison.NOT_COMPARED, reason=reason)
    assert comparison_words(compared, "England") == f"Not compared with England: {reason}"


def test_the_words():
    assert comparison_words(Compared(Comparison.BETTER, 0.95), "England") == "Better than England"
    assert comparison_words(Compared(Comparison.SIMILAR, 0.95), "the North West") == (
        "Similar to the North West"
    )
    assert comparison_words(Compared(Comparison.WORSE, 0.95), "England") == "Worse than England"
