"""The indicator chart draws the forecast with the plan beside the trend's (issue 26): a line
and its range in the drawing, a sentence in its words, two rows in its table, and the same
numbers as the arithmetic, which a simulation with numpy checks independently."""

from __future__ import annotations

from datetime import date

import numpy
import pytest

from outcomes.arithmetic import Direction, Forecast
from outcomes.charts import PLAIN_KEY, indicator_chart
from outcomes.tests.test_charts import FALLING, TARGET, chart, in_class, parse
from outcomes.trajectories import Effect, with_plan

CLUBS = Effect("A1 Holiday clubs", -1.5, -2.5, -0.5, date(2024, 1, 1), build_up_months=12)
BENEFIT = Effect("Benefit change", -0.8, -1.6, 0.0, date(2025, 4, 1), external=True)


def test_the_chart_draws_the_forecast_with_the_plan_and_its_range():
    drawn = chart(effects=[CLUBS, BENEFIT])
    root = parse(drawn.svg)
    [group] = in_class(root, "with-plan")
    lines = [e for e in group.iter() if e.tag.endswith("polyline")]
    assert len(lines) == 3  # the forecast with the plan, and its range's two edges
    keys = [e.text for e in in_class(root, "key")[0].iter() if e.tag.endswith("text")]
    assert "Forecast without the plan" in keys
    assert "Forecast with the plan" in keys
    assert "95% range with the plan" in keys


def test_the_words_and_table_give_both_forecasts_at_the_target_date():
    drawn = chart(effects=[CLUBS, BENEFIT])
    assert drawn.forecast_caption == "Forecast for March 2028, with its 95% range (%)"
    without, planned = drawn.forecast_rows
    assert without[0] == "Without the plan" and planned[0] == "With the plan"
    # The readings' table is unchanged.
    assert drawn.table_rows == chart().table_rows
    value, lower, upper = (float(cell) for cell in planned[1:4])
    assert value < float(without[1]) - 2  # both effects fully built up: 2.3 points lower
    assert lower < value < upper
    assert "With the plan's expected effects, forecast" in drawn.summary
    assert "without the plan" in drawn.summary


def test_the_table_agrees_with_the_arithmetic():
    drawn = chart(effects=[CLUBS])
    without, planned = drawn.forecast_rows
    base = Forecast(TARGET.target_date, float(without[1]), float(without[2]), float(without[3]))
    expected = with_plan(base, [CLUBS])
    assert float(planned[1]) == pytest.approx(expected.value, abs=0.06)
    assert float(planned[2]) == pytest.approx(expected.lower, abs=0.06)
    assert float(planned[3]) == pytest.approx(expected.upper, abs=0.06)


def test_no_with_the_plan_series_without_effects_or_before_they_start():
    for drawn in (chart(), chart(effects=[Effect("Later", -1, -2, 0, date(2040, 1, 1))])):
        assert not in_class(parse(drawn.svg), "with-plan")
        assert "with the plan" not in drawn.summary
        assert drawn.forecast_rows == [] and drawn.forecast_caption == ""


def test_the_small_chart_stays_a_sparkline():
    drawn = chart(effects=[CLUBS], small=True)
    assert not in_class(parse(drawn.svg), "with-plan")
    assert drawn.table_rows == [] and drawn.forecast_rows == []


def test_the_public_summary_says_it_in_everyday_words():
    drawn = chart(effects=[CLUBS], plain=True)
    keys = [e.text for e in in_class(parse(drawn.svg), "key")[0].iter() if e.tag.endswith("text")]
    assert PLAIN_KEY["with-plan"] in keys
    assert "With what our plan is expected to do, it should be about" in drawn.summary


def test_too_few_readings_for_a_forecast_draw_no_plan_either():
    drawn = indicator_chart(
        title="Two readings",
        unit="%",
        readings=FALLING[:2],
        direction=Direction.LOWER_IS_BETTER,
        target=TARGET,
        effects=[CLUBS],
    )
    assert not in_class(parse(drawn.svg), "with-plan")


def test_combining_effects_agrees_with_a_simulation():
    """Independent of the quadrature: draw the trend's forecast and each effect from normals
    with numpy, scale each by its share built up by the date, add them, and read the
    percentiles."""
    base = Forecast(date(2028, 3, 31), 58.0, 54.0, 62.0)
    effects = [
        Effect("Reading clubs", 3.0, 1.0, 5.0, date(2025, 1, 1)),
        Effect("Speech and language", 1.5, 0.5, 2.5, date(2027, 9, 30), build_up_months=12),
        Effect("National funding", 2.0, 0.5, 3.5, date(2026, 1, 1), external=True),
    ]
    planned = with_plan(base, effects)
    generator = numpy.random.default_rng(26)
    z = 1.959963984540054
    draws = 400_000
    total = generator.normal(58.0, 4.0 / z, draws)
    for effect in effects:
        share = effect.share_at(base.when)
        spread = (effect.high - effect.low) / 2 / z
        total = total + share * generator.normal(effect.size, spread, draws)
    low, middle, high = numpy.percentile(total, [2.5, 50, 97.5])
    assert planned.value == pytest.approx(middle, abs=0.03)
    assert planned.lower == pytest.approx(low, abs=0.05)
    assert planned.upper == pytest.approx(high, abs=0.05)
