"""Step 3's arithmetic (outcomes/trajectories.py), checked against Python's own `statistics`
module and published worked examples. scipy and statsmodels are not installed here, so
`statistics.correlation`, `statistics.linear_regression` and `statistics.NormalDist` (whose
sum of two independent normals is exact) are the independent package; Anscombe's quartet
(Anscombe 1973, The American Statistician 27:17-21) is the published example."""

from __future__ import annotations

import math
import statistics
from datetime import date

import pytest

from outcomes.arithmetic import Bounds, Direction, Forecast, Point
from outcomes.trajectories import (
    Effect,
    Shape,
    Step,
    Trajectory,
    check,
    correlation,
    least_squares,
    out_of_range,
    period_ends,
    relate,
    stepped,
    straight,
    with_plan,
)
from outcomes.units import Measure

PERCENT = Measure("percent")
HIGHER = Direction.HIGHER_IS_BETTER
LOWER = Direction.LOWER_IS_BETTER

# Anscombe's quartet, sets I and III: the same r (0.816) and line (y = 3.00 + 0.500x) to the
# published three figures; set III's point (13, 12.74) lies far off the line the others make.
X = [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5]
Y1 = [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68]
Y3 = [7.46, 6.77, 12.74, 7.11, 7.81, 8.84, 6.08, 5.39, 8.15, 6.42, 5.73]


# Trajectories -----------------------------------------------------------------------------------


def test_period_ends_follow_month_ends_and_stop_at_the_target():
    assert period_ends(date(2024, 3, 31), date(2025, 3, 31), 3) == [
        date(2024, 6, 30),
        date(2024, 9, 30),
        date(2024, 12, 31),
        date(2025, 3, 31),
    ]
    # A target between two period ends is the last period's end.
    assert period_ends(date(2024, 3, 31), date(2025, 2, 14), 12) == [date(2025, 2, 14)]
    assert period_ends(date(2024, 1, 15), date(2024, 3, 15), 1) == [
        date(2024, 2, 15),
        date(2024, 3, 15),
    ]


def test_a_straight_trajectory_asks_for_the_same_progress_every_day():
    steps = straight((date(2024, 3, 31), 50.0), (date(2027, 3, 31), 62.0), 12)
    assert [(s.when, s.value) for s in steps] == [
        (date(2025, 3, 31), 54.0),  # 365 of 1,095 days: a third of the way
        (date(2026, 3, 31), 58.0),
        (date(2027, 3, 31), 62.0),
    ]


def test_a_stepped_trajectory_holds_then_moves_in_equal_steps():
    steps = stepped((date(2024, 3, 31), 50.0), (date(2026, 3, 31), 62.0), 3, 4)
    assert [s.value for s in steps] == [50.0, 53.0, 53.0, 56.0, 56.0, 59.0, 59.0, 62.0]
    # More steps than periods: one step a period.
    few = stepped((date(2024, 3, 31), 0.0), (date(2026, 3, 31), 4.0), 12, 9)
    assert [s.value for s in few] == [2.0, 4.0]


def test_a_falling_trajectory_falls():
    steps = straight((date(2024, 3, 31), 20.0), (date(2026, 3, 31), 10.0), 12)
    assert [round(s.value, 6) for s in steps] == [round(20 - 10 * 365 / 730, 6), 10.0]


def test_typed_values_outside_the_possible_range_are_found():
    steps = [Step(date(2025, 3, 31), 99.0), Step(date(2026, 3, 31), 101.0)]
    assert out_of_range(steps, Bounds(0.0, 100.0)) == [steps[1]]
    assert out_of_range(steps, Bounds()) == []


def test_a_straight_trajectory_has_a_value_between_its_periods_and_none_outside():
    line = Trajectory(
        Shape.STRAIGHT,
        tuple(straight((date(2024, 3, 31), 50.0), (date(2026, 3, 31), 60.0), 12)),
        baseline=(date(2024, 3, 31), 50.0),
    )
    assert line.value_for(date(2025, 3, 31)) == pytest.approx(50 + 10 * 365 / 730)
    assert line.value_for(date(2024, 9, 30)) == pytest.approx(50 + 10 * 183 / 730)
    assert line.value_for(date(2027, 3, 31)) is None
    assert line.value_for(date(2023, 3, 31)) is None
    typed = Trajectory(Shape.VALUES, (Step(date(2025, 3, 31), 55.0),))
    assert typed.value_for(date(2025, 3, 31)) == 55.0
    assert typed.value_for(date(2025, 6, 30)) is None


def test_a_reading_below_trajectory_within_its_margin_of_error():
    reading = Point(date(2025, 3, 31), 51.9, lower=49.0, upper=54.8)
    result = check(reading, 54.0, HIGHER, PERCENT)
    assert result.words == "2.1 percentage points below trajectory, within its margin of error"
    assert result.within_margin is True
    assert result.ahead is False


def test_a_reading_beyond_its_margin_of_error():
    reading = Point(date(2025, 3, 31), 51.9, lower=51.0, upper=52.8)
    result = check(reading, 54.0, HIGHER, PERCENT)
    assert result.words == "2.1 percentage points below trajectory, beyond its margin of error"
    assert result.within_margin is False


def test_below_trajectory_is_ahead_when_lower_is_better():
    reading = Point(date(2025, 3, 31), 11.0)
    result = check(reading, 12.5, LOWER, Measure("rate", 1000))
    assert result.ahead is True
    assert result.words == "1.5 per 1,000 below trajectory (the reading gives no margin of error)"


def test_on_trajectory_when_the_difference_rounds_to_nothing():
    result = check(Point(date(2025, 3, 31), 54.02), 54.0, HIGHER, PERCENT)
    assert result.words == "On trajectory"
    assert result.ahead is True
    assert check(Point(date(2025, 3, 31), None), 54.0, HIGHER, PERCENT) is None


# With and without the plan ----------------------------------------------------------------------


def test_an_effect_builds_up_in_a_straight_line():
    effect = Effect("Reading clubs", 4.0, 2.0, 6.0, date(2025, 1, 1), build_up_months=12)
    assert effect.share_at(date(2024, 12, 31)) == 0.0
    assert effect.share_at(date(2025, 7, 2)) == pytest.approx(0.5, abs=0.01)
    assert effect.share_at(date(2027, 1, 1)) == 1.0
    assert Effect("At once", 1.0, 0.0, 2.0, date(2025, 1, 1)).share_at(date(2025, 1, 1)) == 1.0


def test_an_effect_outside_its_own_range_is_refused():
    with pytest.raises(ValueError, match="between the low estimate"):
        Effect("Muddle", 7.0, 2.0, 6.0, date(2025, 1, 1))


def test_the_plan_adds_its_effects_and_their_uncertainty_as_independent_normals():
    """Checked against statistics.NormalDist: the sum of independent normals."""
    base = Forecast(date(2028, 3, 31), 58.0, 54.0, 62.0)
    effects = [
        Effect("Reading clubs", 3.0, 1.0, 5.0, date(2025, 1, 1)),
        Effect("Speech and language", 1.5, 0.5, 2.5, date(2026, 1, 1), build_up_months=12),
    ]
    planned = with_plan(base, effects)
    z = statistics.NormalDist().inv_cdf(0.975)
    total = (
        statistics.NormalDist(58.0, 4.0 / z)
        + statistics.NormalDist(3.0, 2.0 / z)
        + statistics.NormalDist(1.5, 1.0 / z)
    )
    assert planned.value == pytest.approx(total.mean)
    assert planned.lower == pytest.approx(total.inv_cdf(0.025))
    assert planned.upper == pytest.approx(total.inv_cdf(0.975))
    assert (planned.effect, planned.effect_low, planned.effect_high) == pytest.approx(
        (4.5, 4.5 - math.sqrt(5), 4.5 + math.sqrt(5))
    )


def test_an_uneven_range_widens_only_its_own_side():
    base = Forecast(date(2028, 3, 31), 58.0, 55.0, 61.0)
    planned = with_plan(base, [Effect("Pilot", 2.0, 2.0, 6.0, date(2025, 1, 1))])
    assert planned.lower == pytest.approx(57.0)  # 60 − 3: nothing added below
    assert planned.upper == pytest.approx(60.0 + 5.0)  # √(3² + 4²)


def test_an_effect_not_yet_started_changes_nothing():
    base = Forecast(date(2026, 3, 31), 58.0, 55.0, 61.0)
    planned = with_plan(base, [Effect("Later", 5.0, 1.0, 9.0, date(2027, 1, 1))])
    assert (planned.value, planned.lower, planned.upper) == (58.0, 55.0, 61.0)


def test_the_plan_stays_inside_the_possible_range():
    base = Forecast(date(2028, 3, 31), 96.0, 93.0, 99.0)
    planned = with_plan(base, [Effect("Big", 6.0, 4.0, 8.0, date(2025, 1, 1))], Bounds(0, 100))
    assert planned.value == 100.0
    assert planned.upper == 100.0
    assert planned.lower <= 100.0


def test_no_interval_without_the_trends_own():
    planned = with_plan(
        Forecast(date(2028, 3, 31), 58.0, None, None),
        [Effect("Clubs", 2.0, 1.0, 3.0, date(2025, 1, 1))],
    )
    assert (planned.value, planned.lower, planned.upper) == (60.0, None, None)


# Relationships ----------------------------------------------------------------------------------


def test_correlation_agrees_with_the_statistics_module_and_anscombe():
    found = correlation(X, Y1)
    assert found.r == pytest.approx(statistics.correlation(X, Y1), abs=1e-12)
    assert round(found.r, 3) == 0.816  # as Anscombe published it
    assert round(correlation(X, Y3).r, 3) == 0.816


def test_the_correlations_interval_is_fishers():
    """By hand: atanh(0.8164) = 1.1476; ± 1.96/√8 = 0.6930; tanh back: 0.424 to 0.951."""
    found = correlation(X, Y1)
    z = statistics.NormalDist().inv_cdf(0.975)
    spread = z / math.sqrt(len(X) - 3)
    assert found.lower == pytest.approx(math.tanh(math.atanh(found.r) - spread))
    assert found.upper == pytest.approx(math.tanh(math.atanh(found.r) + spread))
    assert (round(found.lower, 3), round(found.upper, 3)) == (0.424, 0.951)


def test_a_published_fisher_interval():
    """A worked example: r = 0.6 from 30 pairs gives a 95% interval of 0.31 to 0.79."""
    xs = [float(i) for i in range(30)]
    # Any 30 pairs with r = 0.6 will do: build y from x and a part uncorrelated with it.
    noise = [(-1) ** i * (1 + (i % 3)) for i in range(30)]
    mean_n = statistics.fmean(noise)
    noise = [n - mean_n for n in noise]
    slope, _ = statistics.linear_regression(xs, noise)
    noise = [n - slope * x for n, x in zip(noise, xs, strict=True)]
    sx, sn = statistics.stdev(xs), statistics.stdev(noise)
    ys = [0.6 * x / sx + 0.8 * n / sn for x, n in zip(xs, noise, strict=True)]
    found = correlation(xs, ys)
    assert found.r == pytest.approx(0.6)
    assert (round(found.lower, 2), round(found.upper, 2)) == (0.31, 0.79)


def test_too_few_pairs_for_an_interval():
    found = correlation([1, 2, 3], [2, 1, 4])
    assert found.lower is None and found.upper is None
    with pytest.raises(ValueError, match="same in every area"):
        correlation([1, 2, 3, 4], [5, 5, 5, 5])


def test_the_line_agrees_with_the_statistics_module_and_anscombe():
    line = least_squares(X, Y1)
    slope, intercept = statistics.linear_regression(X, Y1)
    assert (line.slope, line.intercept) == pytest.approx((slope, intercept))
    assert (round(line.slope, 3), round(line.intercept, 2)) == (0.5, 3.0)


def test_the_point_far_from_the_line_is_named():
    assert relate(X, Y3).outliers == (2,)  # (13, 12.74)
    assert relate(X, Y1).outliers == ()
    assert relate(X, Y3).residuals[2] == pytest.approx(3.0, abs=0.01)


def test_the_strength_in_words():
    assert relate(X, Y1).strength == "a strong positive relationship"
    assert relate(X, [-y for y in Y1]).strength == "a strong negative relationship"
