"""How a status is judged and worded: a passed target by its reading, and a chance in words
that never contradicts the status beside it."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from outcomes.arithmetic import (
    Direction,
    Point,
    Status,
    chance_in_words,
    judge,
    months_before,
    reading_for,
    status_for_chance,
)

HIGHER, LOWER = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER


def yearly(first_year: int, values: list[float], month: int = 3, day: int = 31) -> list[Point]:
    return [Point(date(first_year + i, month, day), value) for i, value in enumerate(values)]


# A target whose date has passed -----------------------------------------------------------------

# The example: yearly readings 2016–2024, 14.9 in March 2020, and a target of at most 15
# by 31 March 2020. The trend line, pulled up by the other years, said "about a 14% chance".
SMOKING = yearly(2016, [15.8, 15.6, 15.9, 16.1, 14.9, 16.4, 16.2, 16.6, 16.5])


def judge_smoking(points=SMOKING, *, target_value=15.0, months_per_reading=12, **kwargs):
    return judge(
        points,
        target_value=target_value,
        target_date=date(2020, 3, 31),
        direction=LOWER,
        unit="%",
        today=date(2026, 12, 6),
        months_per_reading=months_per_reading,
        **kwargs,
    )


def test_a_passed_target_met_by_its_reading_is_met_whatever_the_trend_line_says():
    judgement = judge_smoking()

    assert judgement.status is Status.ON_TRACK
    assert judgement.sentence == (
        "Target met: 14.9% for March 2020, against a target of 15.0% by March 2020."
    )
    assert "chance" not in judgement.sentence
    assert judgement.likelihood is None


def test_a_passed_target_missed_by_its_reading_is_missed():
    judgement = judge_smoking(target_value=14.5)

    assert judgement.status is Status.OFF_TRACK
    assert judgement.sentence == (
        "Target missed: 14.9% for March 2020, against a target of 14.5% by March 2020."
    )


def test_a_passed_target_without_a_reading_for_its_date_says_so():
    before_the_date = [point for point in SMOKING if point.when.year < 2020]
    after_the_date = [point for point in SMOKING if point.when.year > 2020]

    for points in (before_the_date, after_the_date, []):
        judgement = judge_smoking(points)
        assert judgement.status is Status.NOT_ENOUGH_DATA
        assert "no reading for the target date" in judgement.sentence
        assert "15.0% by March 2020" in judgement.sentence


def test_the_nearest_reading_before_the_date_counts_only_within_one_reading_period():
    quarterly = [Point(date(2019, 12, 31), 14.0), Point(date(2020, 3, 31), 16.0)]
    target_date = date(2020, 4, 30)

    # Quarterly: March's reading (a month before the date) stands for it.
    assert reading_for(quarterly, target_date, months_per_reading=3) == quarterly[1]
    # Monthly: April's reading is missing, and March's is a whole period before.
    assert reading_for(quarterly, target_date, months_per_reading=1) is None
    # A reading exactly one period before belongs to the period before.
    assert reading_for(quarterly, date(2020, 3, 31), months_per_reading=3) == quarterly[1]
    assert reading_for(quarterly[:1], date(2020, 3, 31), months_per_reading=3) is None


@pytest.mark.parametrize(
    "day, months, before",
    [
        (date(2020, 3, 31), 1, date(2020, 2, 29)),
        (date(2020, 4, 30), 1, date(2020, 3, 31)),
        (date(2020, 3, 15), 3, date(2019, 12, 15)),
        (date(2021, 2, 28), 12, date(2020, 2, 29)),  # a month's last day, a year before
        (date(2020, 1, 31), 3, date(2019, 10, 31)),
    ],
)
def test_months_before(day, months, before):
    assert months_before(day, months) == before


def test_a_target_date_not_yet_passed_is_still_forecast():
    judgement = judge(
        SMOKING,
        target_value=15.0,
        target_date=date(2020, 3, 31),
        direction=LOWER,
        unit="%",
        today=date(2020, 3, 31),
        months_per_reading=12,
    )

    assert judgement.sentence.startswith("Forecast ")
    assert judgement.likelihood is not None


# The chance in words and the status ------------------------------------------------------------

CHANCE = re.compile(r"(less than a 1%|more than a 99%|about an? (\d+)%) chance")


def printed_percent(words: str) -> float:
    """The chance a reader takes from the words: 0.5 for "less than 1%", 99.5 for "more than
    99%", else the number printed."""
    match = CHANCE.search(words)
    assert match, words
    if match[1].startswith("less"):
        return 0.5
    if match[1].startswith("more"):
        return 99.5
    return int(match[2])


def status_a_reader_expects(percent: float) -> Status:
    if percent >= 70:
        return Status.ON_TRACK
    if percent >= 30:
        return Status.AT_RISK
    return Status.OFF_TRACK


@given(st.floats(min_value=0.0, max_value=1.0))
@example(0.6996)
@example(0.2996)
@example(0.695)
@example(0.295)
@example(0.005)
@example(0.995)
def test_the_status_agrees_with_the_chance_in_words_for_every_chance(likelihood):
    words = chance_in_words(likelihood)

    assert status_for_chance(likelihood) is status_a_reader_expects(printed_percent(words))


def test_a_chance_that_rounds_to_70_percent_is_on_track_and_to_30_percent_at_risk():
    assert chance_in_words(0.6996) == "about a 70% chance"
    assert status_for_chance(0.6996) is Status.ON_TRACK
    assert chance_in_words(0.2996) == "about a 30% chance"
    assert status_for_chance(0.2996) is Status.AT_RISK
    assert status_for_chance(0.6949) is Status.AT_RISK  # "about a 69% chance"
    assert status_for_chance(0.2949) is Status.OFF_TRACK  # "about a 29% chance"


# Readings that scatter about a rising line, so the chance moves smoothly with the target.
SCATTERED = yearly(2019, [55.0, 57.5, 56.8, 58.9, 59.6, 60.1])
FORECAST_DATE = date(2028, 3, 31)


def judge_scattered(target_value: float):
    return judge(
        SCATTERED,
        target_value=target_value,
        target_date=FORECAST_DATE,
        direction=HIGHER,
        today=date(2025, 6, 1),
    )


def target_with_chance(wanted: float) -> float:
    """The target whose chance of being met is `wanted`, by bisection (the chance falls as the
    target rises)."""
    low, high = 0.0, 200.0
    for _ in range(200):
        middle = (low + high) / 2
        if judge_scattered(middle).likelihood > wanted:
            low = middle
        else:
            high = middle
    return (low + high) / 2


@given(st.floats(min_value=0.0, max_value=1.0))
@example(0.6996)
@example(0.2996)
@example(0.69951)
@example(0.29951)
def test_a_judgement_never_prints_a_chance_its_status_contradicts(wanted):
    judgement = judge_scattered(target_with_chance(wanted))

    if "chance" in judgement.sentence:
        percent = printed_percent(judgement.sentence)
        assert judgement.status is status_a_reader_expects(percent), judgement.sentence
    else:  # already at the target and forecast to stay there
        assert judgement.status is Status.ON_TRACK
