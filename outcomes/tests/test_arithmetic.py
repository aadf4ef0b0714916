"""The forecast arithmetic, checked against numpy and scipy (which the module must not use)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import numpy as np
import pytest
from scipy import stats

from outcomes.arithmetic import (
    Direction,
    Point,
    Spread,
    Status,
    change_is_significant,
    forecast,
    format_value,
    gap,
    gap_in_people,
    judge,
    likelihood_of_meeting,
    rate_needed_per_year,
    recent_rate_per_year,
    spread,
    student_t_cdf,
    student_t_quantile,
    student_t_sf,
    trend,
)

HIGHER = Direction.HIGHER_IS_BETTER
LOWER = Direction.LOWER_IS_BETTER
TARGET_DATE = date(2028, 3, 31)


def readings(pairs: list[tuple[date, float]]) -> list[Point]:
    return [Point(when, value) for when, value in pairs]


def yearly(first_year: int, values: list[float]) -> list[Point]:
    return [Point(date(first_year + i, 3, 31), value) for i, value in enumerate(values)]


# School readiness (% of children), one reading a year.
READINESS = yearly(2019, [55.0, 57.5, 56.8, 58.9, 59.6, 60.1])
TWO_POINTS = yearly(2021, [50.0, 54.0])
FLAT = yearly(2019, [61.2] * 5)
# Quarterly, with the whole of 2020 after the first quarter missing.
MISSING_PERIODS = readings(
    [
        (date(2019, 3, 31), 12.1),
        (date(2019, 6, 30), 12.4),
        (date(2019, 9, 30), 12.2),
        (date(2019, 12, 31), 12.9),
        (date(2020, 3, 31), 13.0),
        (date(2021, 3, 31), 13.8),
        (date(2021, 6, 30), 13.6),
        (date(2021, 9, 30), 14.2),
    ]
)
UNEVEN = readings(
    [
        (date(2017, 1, 15), 40.2),
        (date(2017, 11, 3), 41.0),
        (date(2019, 2, 28), 43.9),
        (date(2019, 4, 1), 43.1),
        (date(2022, 8, 19), 47.5),
        (date(2024, 12, 2), 49.8),
    ]
)
# Smoking prevalence (%), falling: lower is better.
SMOKING = yearly(2016, [19.3, 18.4, 17.9, 16.6, 16.8, 15.1, 14.7, 13.8])
# Breastfeeding at 6–8 weeks (%), already above its target of 45%.
ALREADY_MET = yearly(2020, [46.0, 47.1, 47.9, 48.6])


def _noisy() -> list[Point]:
    rng = np.random.default_rng(7)
    start = date(2015, 1, 1)
    days = np.sort(rng.choice(np.arange(0, 10 * 365), size=60, replace=False))
    values = 30 + 1.5 * days / 365.25 + rng.normal(0, 2, size=days.size)
    return [
        Point(start + timedelta(days=int(day)), float(value))
        for day, value in zip(days, values, strict=True)
    ]


NOISY = _noisy()

SERIES = {
    "two points": TWO_POINTS,
    "flat": FLAT,
    "missing periods": MISSING_PERIODS,
    "uneven spacing": UNEVEN,
    "long and noisy": NOISY,
    "lower is better": SMOKING,
    "already met": ALREADY_MET,
    "readiness": READINESS,
}
SERIES_WITH_SCATTER = {name: points for name, points in SERIES.items() if len(points) > 2}
SERIES_OFF_THE_LINE = {
    name: points for name, points in SERIES_WITH_SCATTER.items() if name != "flat"
}


def years_since_first(points: list[Point], when: date | None = None) -> np.ndarray | float:
    origin = min(point.when for point in points)
    if when is not None:
        return (when - origin).days / 365.25
    return np.array([(point.when - origin).days / 365.25 for point in points])


def reference_prediction(points: list[Point], when: date, level: float = 0.95):
    """The forecast and its prediction interval, worked out with numpy and scipy."""
    x = years_since_first(points)
    y = np.array([point.value for point in points])
    slope, intercept = np.polyfit(x, y, 1)
    n = len(points)
    residuals = y - (intercept + slope * x)
    s = np.sqrt(residuals @ residuals / (n - 2))
    x0 = years_since_first(points, when)
    scale = s * np.sqrt(1 + 1 / n + (x0 - x.mean()) ** 2 / np.sum((x - x.mean()) ** 2))
    value = intercept + slope * x0
    half_width = stats.t.ppf((1 + level) / 2, n - 2) * scale
    return value, value - half_width, value + half_width, scale


# Student's t --------------------------------------------------------------------------------------

PROBABILITIES = [0.5, 0.5001, 0.51, 0.6, 0.7, 0.75, 0.8, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999]


@pytest.mark.parametrize("df", range(1, 201))
def test_t_quantile_matches_scipy(df):
    for p in PROBABILITIES:
        assert student_t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("df", [1, 2.5, 7, 60])
def test_t_quantile_is_symmetric_below_a_half(df):
    for p in [0.001, 0.025, 0.2, 0.4999]:
        assert student_t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-9, abs=1e-9)
        assert student_t_quantile(p, df) == -student_t_quantile(1 - p, df)


@pytest.mark.parametrize("df", [0.5, 1, 2, 3, 4.5, 10, 30, 100, 200, 1000])
def test_t_cdf_matches_scipy(df):
    for t in np.linspace(-60, 60, 241):
        assert student_t_cdf(float(t), df) == pytest.approx(stats.t.cdf(t, df), abs=1e-13)


@pytest.mark.parametrize("df", [1, 2, 5, 30, 200])
def test_t_upper_tail_keeps_its_digits_far_out(df):
    for t in [0.0, 0.3, 2.0, 5.0, 12.0, 40.0, 300.0]:
        assert student_t_sf(t, df) == pytest.approx(stats.t.sf(t, df), rel=1e-11)


def test_t_quantile_inverts_the_cdf():
    for df in [1, 3, 8, 25]:
        for p in [0.6, 0.9, 0.999]:
            assert student_t_cdf(student_t_quantile(p, df), df) == pytest.approx(p, rel=1e-13)


def test_t_rejects_impossible_arguments():
    with pytest.raises(ValueError, match="probability"):
        student_t_quantile(1.0, 5)
    with pytest.raises(ValueError, match="probability"):
        student_t_quantile(0.0, 5)
    with pytest.raises(ValueError, match="degrees of freedom"):
        student_t_cdf(1.0, 0)


def test_t_cdf_at_the_extremes():
    assert student_t_cdf(float("inf"), 3) == 1.0
    assert student_t_cdf(float("-inf"), 3) == 0.0
    assert student_t_cdf(0.0, 3) == 0.5


# Trend ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("points", SERIES.values(), ids=SERIES.keys())
def test_trend_matches_numpy_polyfit(points):
    fitted = trend(points)
    slope, intercept = np.polyfit(years_since_first(points), [p.value for p in points], 1)

    assert fitted.slope_per_year == pytest.approx(slope, rel=1e-9, abs=1e-9)
    assert fitted.intercept == pytest.approx(intercept, rel=1e-9, abs=1e-9)
    assert fitted.origin == min(point.when for point in points)
    assert fitted.n == len(points)


@pytest.mark.parametrize(
    "points",
    [MISSING_PERIODS, UNEVEN, NOISY, SMOKING, READINESS],
    ids=["missing periods", "uneven spacing", "long and noisy", "lower is better", "readiness"],
)
def test_trend_matches_scipy_linregress(points):
    fitted = trend(points)
    result = stats.linregress(years_since_first(points), [p.value for p in points])

    assert fitted.slope_per_year == pytest.approx(result.slope, rel=1e-9)
    assert fitted.intercept == pytest.approx(result.intercept, rel=1e-9)


def test_trend_intercept_is_the_value_on_the_first_reading_date():
    points = readings([(date(2020, 1, 1), 10.0), (date(2022, 1, 1), 14.0)])

    fitted = trend(points)

    assert fitted.intercept == pytest.approx(10.0)
    assert fitted.value_at(date(2020, 1, 1)) == pytest.approx(10.0)
    assert fitted.slope_per_year == pytest.approx(4.0 / (731 / 365.25))


def test_trend_does_not_depend_on_the_order_of_readings():
    shuffled = list(NOISY)
    random.Random(7).shuffle(shuffled)

    assert trend(shuffled) == trend(NOISY)


def test_trend_needs_two_readings():
    assert trend([]) is None
    assert trend(TWO_POINTS[:1]) is None


def test_readings_all_on_one_date_give_no_trend_rather_than_dividing_by_zero():
    same_day = readings([(date(2024, 3, 31), value) for value in [10.0, 12.0, 11.0]])

    assert trend(same_day) is None
    assert forecast(same_day, TARGET_DATE) is None
    assert likelihood_of_meeting(same_day, 12.0, TARGET_DATE, HIGHER) is None
    assert recent_rate_per_year(same_day) is None


def test_two_readings_on_one_date_and_one_on_another_still_make_a_trend():
    points = readings(
        [(date(2023, 1, 1), 10.0), (date(2023, 1, 1), 12.0), (date(2024, 1, 1), 13.0)]
    )

    fitted = trend(points)

    slope, _ = np.polyfit(years_since_first(points), [10.0, 12.0, 13.0], 1)
    assert fitted.slope_per_year == pytest.approx(slope)
    assert fitted.residual_standard_error == pytest.approx(np.sqrt(2.0))  # (±1)² over 1 df


# Forecast ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("points", SERIES_WITH_SCATTER.values(), ids=SERIES_WITH_SCATTER.keys())
@pytest.mark.parametrize("level", [0.95, 0.8])
def test_forecast_prediction_interval_matches_numpy_and_scipy(points, level):
    value, lower, upper, _ = reference_prediction(points, TARGET_DATE, level)

    predicted = forecast(points, TARGET_DATE, level=level)

    assert predicted.when == TARGET_DATE
    assert predicted.value == pytest.approx(value, rel=1e-9)
    assert predicted.lower == pytest.approx(lower, rel=1e-9, abs=1e-9)
    assert predicted.upper == pytest.approx(upper, rel=1e-9, abs=1e-9)


def test_forecast_is_a_prediction_interval_not_the_narrower_confidence_interval():
    x = years_since_first(NOISY)
    y = np.array([p.value for p in NOISY])
    n = len(NOISY)
    slope, intercept = np.polyfit(x, y, 1)
    s = np.sqrt(np.sum((y - intercept - slope * x) ** 2) / (n - 2))
    x0 = years_since_first(NOISY, TARGET_DATE)
    confidence_half_width = (
        stats.t.ppf(0.975, n - 2)
        * s
        * np.sqrt(1 / n + (x0 - x.mean()) ** 2 / np.sum((x - x.mean()) ** 2))
    )

    predicted = forecast(NOISY, TARGET_DATE)

    assert (predicted.upper - predicted.lower) / 2 > 2 * confidence_half_width


def test_forecast_from_two_readings_has_no_interval():
    predicted = forecast(TWO_POINTS, date(2023, 3, 31))

    assert predicted.value == pytest.approx(58.0, abs=0.01)  # 4 a year, one more year on
    assert predicted.lower is None
    assert predicted.upper is None
    assert trend(TWO_POINTS).residual_standard_error is None


def test_flat_series_forecasts_an_interval_of_zero_width():
    predicted = forecast(FLAT, TARGET_DATE)

    assert trend(FLAT).residual_standard_error == 0.0
    assert predicted.value == 61.2
    assert predicted.lower == predicted.upper == 61.2


def test_forecast_rejects_a_level_outside_zero_to_one():
    with pytest.raises(ValueError, match="level"):
        forecast(NOISY, TARGET_DATE, level=95)


# Likelihood of meeting the target ---------------------------------------------------------------


@pytest.mark.parametrize("points", SERIES_OFF_THE_LINE.values(), ids=SERIES_OFF_THE_LINE.keys())
def test_likelihood_matches_scipy_t_distribution(points):
    value, _, _, scale = reference_prediction(points, TARGET_DATE)
    df = len(points) - 2
    for target in [value - 2 * scale, value - 0.3 * scale, value, value + scale, value + 4 * scale]:
        higher = likelihood_of_meeting(points, target, TARGET_DATE, HIGHER)
        lower = likelihood_of_meeting(points, target, TARGET_DATE, LOWER)

        assert higher == pytest.approx(stats.t.sf((target - value) / scale, df), abs=1e-9)
        assert lower == pytest.approx(stats.t.cdf((target - value) / scale, df), abs=1e-9)
        assert higher + lower == pytest.approx(1.0)


def test_likelihood_for_lower_is_better():
    value, _, _, scale = reference_prediction(SMOKING, TARGET_DATE)

    likelihood = likelihood_of_meeting(SMOKING, 12.0, TARGET_DATE, LOWER)

    assert likelihood == pytest.approx(stats.t.cdf((12.0 - value) / scale, len(SMOKING) - 2))
    assert likelihood > 0.5  # smoking is falling well below 12% by 2028


def test_likelihood_from_a_flat_series_is_certain_either_way():
    assert likelihood_of_meeting(FLAT, 60.0, TARGET_DATE, HIGHER) == 1.0
    assert likelihood_of_meeting(FLAT, 61.2, TARGET_DATE, HIGHER) == 1.0
    assert likelihood_of_meeting(FLAT, 65.0, TARGET_DATE, HIGHER) == 0.0
    assert likelihood_of_meeting(FLAT, 65.0, TARGET_DATE, LOWER) == 1.0


def test_likelihood_needs_three_readings():
    assert likelihood_of_meeting(TWO_POINTS, 60.0, TARGET_DATE, HIGHER) is None
    assert likelihood_of_meeting(TWO_POINTS[:1], 60.0, TARGET_DATE, HIGHER) is None


# Gaps and rates ---------------------------------------------------------------------------------


def test_gap_is_what_is_left_to_do():
    assert gap(61.2, 65.0, HIGHER) == pytest.approx(3.8)
    assert gap(14.7, 12.0, LOWER) == pytest.approx(2.7)


def test_gap_is_zero_once_the_target_is_met_or_beaten():
    assert gap(65.0, 65.0, HIGHER) == 0.0
    assert gap(70.0, 65.0, HIGHER) == 0.0
    assert gap(12.0, 12.0, LOWER) == 0.0
    assert gap(9.5, 12.0, LOWER) == 0.0


def test_gap_in_people():
    assert gap_in_people(2.5, per=100, denominator=12_000) == pytest.approx(300)
    assert gap_in_people(1.2, per=1_000, denominator=85_000) == pytest.approx(102)
    with pytest.raises(ValueError, match="per"):
        gap_in_people(1.0, per=0, denominator=100)


def test_rate_needed_per_year():
    current = Point(date(2025, 3, 31), 60.0)

    rate = rate_needed_per_year(current, 65.0, TARGET_DATE)

    assert rate == pytest.approx(5.0 / ((TARGET_DATE - current.when).days / 365.25))
    assert rate == pytest.approx(5.0 / 3, rel=1e-3)
    assert rate_needed_per_year(Point(date(2025, 3, 31), 15.0), 12.0, TARGET_DATE) < 0


def test_rate_needed_is_none_once_the_target_date_is_reached():
    assert rate_needed_per_year(Point(TARGET_DATE, 60.0), 65.0, TARGET_DATE) is None
    assert rate_needed_per_year(Point(date(2029, 1, 1), 60.0), 65.0, TARGET_DATE) is None


def test_recent_rate_is_the_slope_of_the_latest_readings():
    shuffled = list(UNEVEN)
    random.Random(3).shuffle(shuffled)
    latest = UNEVEN[-3:]

    expected, _ = np.polyfit(years_since_first(latest), [p.value for p in latest], 1)

    assert recent_rate_per_year(shuffled) == pytest.approx(expected)
    assert recent_rate_per_year(shuffled, last_n=100) == pytest.approx(trend(UNEVEN).slope_per_year)


def test_recent_rate_needs_two_readings():
    assert recent_rate_per_year(TWO_POINTS[:1]) is None
    assert recent_rate_per_year(TWO_POINTS) == pytest.approx(4.0 / (365 / 365.25))
    with pytest.raises(ValueError, match="two readings"):
        recent_rate_per_year(NOISY, last_n=1)


# Significance of a change -----------------------------------------------------------------------


def test_change_larger_than_the_combined_margin_is_significant():
    earlier = Point(date(2022, 3, 31), 60.0, lower=58.0, upper=62.0)  # ±2
    later = Point(date(2024, 3, 31), 63.0, lower=61.0, upper=65.0)  # ±2, combined ±2.83

    assert change_is_significant(earlier, later) is True
    assert change_is_significant(later, earlier) is True


def test_change_within_the_combined_margin_is_not_significant():
    earlier = Point(date(2022, 3, 31), 60.0, lower=58.0, upper=62.0)
    later = Point(date(2024, 3, 31), 62.5, lower=60.5, upper=64.5)  # 2.5 < 2.83

    assert change_is_significant(earlier, later) is False


def test_change_without_margins_cannot_be_judged():
    with_margin = Point(date(2022, 3, 31), 60.0, lower=58.0, upper=62.0)

    assert change_is_significant(with_margin, Point(date(2024, 3, 31), 70.0)) is None
    assert change_is_significant(Point(date(2022, 3, 31), 50.0, lower=49.0), with_margin) is None


# Spread between groups --------------------------------------------------------------------------

WARDS = {"Northgate": 58.1, "Riverside": 66.4, "Hillside": 61.0, "Eastfield": 54.9}


def test_spread_when_higher_is_better():
    result = spread(WARDS, HIGHER)

    assert result == Spread(
        best_group="Riverside",
        best=66.4,
        worst_group="Eastfield",
        worst=54.9,
        gap=pytest.approx(11.5),
        standard_deviation=pytest.approx(np.std(list(WARDS.values()), ddof=1)),
    )


def test_spread_when_lower_is_better():
    result = spread(WARDS, LOWER)

    assert (result.best_group, result.worst_group) == ("Eastfield", "Riverside")
    assert result.gap == pytest.approx(11.5)


def test_spread_of_one_group_has_no_standard_deviation():
    result = spread({"Northgate": 58.1}, HIGHER)

    assert result.best_group == result.worst_group == "Northgate"
    assert result.gap == 0.0
    assert result.standard_deviation is None


def test_spread_of_no_groups_is_none():
    assert spread({}, HIGHER) is None


# Judgement --------------------------------------------------------------------------------------


def test_status_labels():
    assert [status.label for status in Status] == [
        "On track",
        "At risk",
        "Off track",
        "Not enough data",
    ]
    assert Status.AT_RISK == "at_risk"


def judge_readiness(target_value: float, **kwargs):
    return judge(
        READINESS,
        target_value=target_value,
        target_date=TARGET_DATE,
        direction=HIGHER,
        unit="%",
        today=date(2025, 6, 1),
        **kwargs,
    )


def test_judge_on_track_by_likelihood():
    judgement = judge_readiness(63.0)

    assert judgement.status is Status.ON_TRACK
    assert judgement.likelihood == pytest.approx(
        likelihood_of_meeting(READINESS, 63.0, TARGET_DATE, HIGHER)
    )
    assert judgement.likelihood >= 0.7
    assert judgement.sentence == (
        "Forecast 64.3% by March 2028 (between 60.5% and 68.0%), against a target of 63.0%: "
        "about an 80% chance of meeting it."
    )


def test_judge_at_risk():
    value, lower, upper, _ = reference_prediction(READINESS, TARGET_DATE)

    judgement = judge_readiness(65.0)

    assert judgement.status is Status.AT_RISK
    assert 0.3 <= judgement.likelihood < 0.7
    assert judgement.forecast == forecast(READINESS, TARGET_DATE)
    assert judgement.sentence == (
        f"Forecast {value:.1f}% by March 2028 (between {lower:.1f}% and {upper:.1f}%), "
        f"against a target of 65.0%: about a {round(judgement.likelihood * 100)}% chance of "
        "meeting it."
    )


def test_judge_off_track():
    judgement = judge_readiness(67.0)

    assert judgement.status is Status.OFF_TRACK
    assert judgement.likelihood < 0.3
    assert "Forecast 64.3% by March 2028" in judgement.sentence
    assert "against a target of 67.0%" in judgement.sentence
    assert judgement.sentence.endswith("about a 6% chance of meeting it.")


def test_judge_very_unlikely_says_less_than_one_percent():
    judgement = judge_readiness(75.0)

    assert judgement.status is Status.OFF_TRACK
    assert judgement.sentence.endswith("less than a 1% chance of meeting it.")


def test_judge_target_already_met_and_staying_met_is_on_track():
    judgement = judge(
        ALREADY_MET,
        target_value=45.0,
        target_date=TARGET_DATE,
        direction=HIGHER,
        unit="%",
        today=date(2025, 6, 1),
    )
    value, lower, upper, _ = reference_prediction(ALREADY_MET, TARGET_DATE)

    assert judgement.status is Status.ON_TRACK
    assert judgement.sentence == (
        f"Already at 48.6% against a target of 45.0%, and forecast {value:.1f}% by March 2028 "
        f"(between {lower:.1f}% and {upper:.1f}%)."
    )


def test_judge_met_now_but_forecast_to_slip_falls_back_on_likelihood():
    slipping = yearly(2021, [70.0, 68.0, 67.0, 66.5])

    judgement = judge(
        slipping,
        target_value=66.0,
        target_date=TARGET_DATE,
        direction=HIGHER,
        today=date(2025, 1, 1),
    )

    assert judgement.status is Status.OFF_TRACK
    assert judgement.sentence.startswith("Forecast ")


def test_judge_lower_is_better():
    value, lower, upper, _ = reference_prediction(SMOKING, TARGET_DATE)

    judgement = judge(
        SMOKING,
        target_value=12.0,
        target_date=TARGET_DATE,
        direction=LOWER,
        unit="%",
        today=date(2025, 6, 1),
    )

    assert judgement.status is Status.ON_TRACK
    assert judgement.likelihood == pytest.approx(
        likelihood_of_meeting(SMOKING, 12.0, TARGET_DATE, LOWER)
    )
    assert judgement.sentence.startswith(
        f"Forecast {value:.1f}% by March 2028 (between {lower:.1f}% and {upper:.1f}%), "
        "against a target of 12.0%:"
    )


@pytest.mark.parametrize(
    ("points", "sentence"),
    [
        ([], "No readings yet: at least three are needed to forecast."),
        (TWO_POINTS[:1], "Only 1 reading: at least three are needed to forecast."),
        (TWO_POINTS, "Only 2 readings: at least three are needed to forecast."),
    ],
)
def test_judge_not_enough_data(points, sentence):
    judgement = judge(points, target_value=60.0, target_date=TARGET_DATE, direction=HIGHER)

    assert judgement.status is Status.NOT_ENOUGH_DATA
    assert judgement.sentence == sentence
    assert judgement.forecast is None
    assert judgement.likelihood is None


def test_judge_readings_all_on_one_date_is_not_enough_data():
    same_day = readings([(date(2024, 3, 31), value) for value in [10.0, 12.0, 11.0]])

    judgement = judge(same_day, target_value=12.0, target_date=TARGET_DATE, direction=HIGHER)

    assert judgement.status is Status.NOT_ENOUGH_DATA
    assert judgement.sentence.startswith("All 3 readings share one date")


def test_judge_flat_series_leaves_out_an_interval_of_zero_width():
    judgement = judge(FLAT, target_value=65.0, target_date=TARGET_DATE, direction=HIGHER, unit="%")

    assert judgement.status is Status.OFF_TRACK
    assert judgement.sentence == (
        "Forecast 61.2% by March 2028, against a target of 65.0%: less than a 1% chance of "
        "meeting it."
    )


def test_judge_counts_of_a_hundred_or_more_are_whole_numbers_with_separators():
    admissions = yearly(2019, [12_480, 12_310, 12_050, 11_870, 11_920, 11_600])

    judgement = judge(
        admissions,
        target_value=11_000,
        target_date=TARGET_DATE,
        direction=LOWER,
        unit="admissions",
        today=date(2025, 6, 1),
    )
    predicted = forecast(admissions, TARGET_DATE)

    assert f"Forecast {predicted.value:,.0f} admissions by March 2028" in judgement.sentence
    assert "against a target of 11,000 admissions" in judgement.sentence


def test_judge_rate_unit_follows_the_number_after_a_space():
    judgement = judge(
        MISSING_PERIODS,
        target_value=15.0,
        target_date=TARGET_DATE,
        direction=HIGHER,
        unit="per 1,000 people",
        today=date(2025, 6, 1),
    )

    value, lower, upper, _ = reference_prediction(MISSING_PERIODS, TARGET_DATE)
    assert judgement.sentence.startswith(
        f"Forecast {value:.1f} per 1,000 people by March 2028 "
        f"(between {lower:.1f} and {upper:.1f} per 1,000 people), "
        "against a target of 15.0 per 1,000 people: "
    )


def test_judge_after_the_target_date_goes_by_the_reading_not_the_trend_line():
    # More cases in test_judgement.py.
    judgement = judge(
        READINESS,
        target_value=62.0,
        target_date=date(2024, 12, 31),
        direction=HIGHER,
        unit="%",
        today=date(2025, 6, 1),
        months_per_reading=12,
    )

    assert judgement.status is Status.OFF_TRACK
    assert judgement.sentence == (
        "Target missed: 60.1% for March 2024, against a target of 62.0% by December 2024."
    )
    assert judgement.likelihood is None


def test_format_value():
    assert format_value(61.234, "%") == "61.2%"
    assert format_value(12.44, "per 1,000 people") == "12.4 per 1,000 people"
    assert format_value(12_000, "people", decimals=0) == "12,000 people"
    assert format_value(1234.56) == "1,234.6"
    assert format_value(-0.04) == "0.0"
