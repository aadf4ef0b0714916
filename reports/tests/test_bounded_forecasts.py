"""Forecasts stay where the indicator can go: a percentage between 0 and 100, a count at least 0,
and inside the lowest and highest values a lead sets. Proved over many series by hypothesis, and
on the pages with the demo's own shapes of data."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from outcomes import arithmetic, charts
from outcomes.arithmetic import Bounds, Direction, Point
from outcomes.tests.factories import (
    IndicatorFactory,
    OutcomeFactory,
    ReadingFactory,
    TargetFactory,
)
from outcomes.units import Measure
from reports import reports
from reports.tests.pdf import read

SVG = "{http://www.w3.org/2000/svg}"


# The property, over series inside the bounds --------------------------------------------------


@st.composite
def bounded_series(draw):
    kind = draw(st.sampled_from(["percent", "count", "upper only", "lead's range"]))
    if kind == "percent":
        bounds = Bounds(0.0, 100.0)
    elif kind == "count":
        bounds = Bounds(0.0, None)
    elif kind == "upper only":
        bounds = Bounds(None, draw(st.integers(-1000, 1000)) / 4)
    else:
        low = draw(st.integers(-1000, 1000)) / 4
        bounds = Bounds(low, low + draw(st.integers(1, 4000)) / 8)
    low = bounds.lower if bounds.lower is not None else bounds.upper - 10_000
    high = bounds.upper if bounds.upper is not None else bounds.lower + 10_000
    value = st.one_of(
        st.sampled_from([low, high]),  # readings on a bound, as 0 errors or 100% are
        st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False),
    )
    values = draw(st.lists(value, min_size=3, max_size=16))
    gaps = draw(st.lists(st.integers(1, 400), min_size=len(values), max_size=len(values)))
    when, points = date(2015, 3, 31), []
    for gap, reading in zip(gaps, values, strict=True):
        when += timedelta(days=gap)
        points.append(Point(when, reading))
    horizon = when + timedelta(days=draw(st.integers(1, 3650)))
    return bounds, points, horizon


def _plot_box(root: ET.Element) -> tuple[float, float]:
    """The plot's top and bottom, in viewBox units: the bottom is the axis line."""
    axes = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "axes")
    bottom = next(
        float(line.get("y1"))
        for line in axes.iter(f"{SVG}line")
        if line.get("y1") == line.get("y2") and line.get("stroke") == charts.MUTED
    )
    return bottom - charts.PLOT_HEIGHT, bottom


def _ys(element: ET.Element) -> list[float]:
    return [float(pair.split(",")[1]) for pair in element.get("points").split()]


def _days(values: list[float]) -> list[Point]:
    return [Point(date(2015, 4, 1 + day), value) for day, value in enumerate(values)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bounded_series())
# Found by hypothesis: a flat series whose forecast differs from it by float rounding alone, and
# a reading so close to a bound that the logit of its place in the range was log(0).
@example((Bounds(0.0, 100.0), _days([1.8528757291877977] * 3), date(2015, 4, 4)))
@example((Bounds(-72.75, -9.625), _days([-72.75, -72.75, -9.625000000000002]), date(2015, 4, 4)))
def test_forecasts_intervals_and_axes_stay_inside_the_bounds(case):
    bounds, points, horizon = case

    predicted = arithmetic.forecast(points, horizon, bounds=bounds)
    assert predicted is not None
    for figure in (predicted.value, predicted.lower, predicted.upper):
        assert figure is None or bounds.contains(figure), (figure, bounds)
    chance = arithmetic.likelihood_of_meeting(
        points, points[0].value, horizon, Direction.HIGHER_IS_BETTER, bounds=bounds
    )
    assert chance is None or 0.0 <= chance <= 1.0

    chart = charts.indicator_chart(
        title="Bounded",
        unit="",
        measure=Measure("score"),
        readings=points,
        direction=Direction.HIGHER_IS_BETTER,
        forecast_to=horizon,
        bounds=bounds,
    )
    for drawn in charts._forecast(points, horizon, bounds):
        for figure in (drawn.value, drawn.lower, drawn.upper):
            assert figure is None or bounds.contains(figure)
    root = ET.fromstring(chart.svg)  # noqa: S314 (our own output)
    axes = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "axes")
    labels = [t.text for t in axes.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert labels
    for label in labels:
        assert bounds.contains(float(label.replace(",", ""))), (label, bounds)
    top, bottom = _plot_box(root)
    for element in root.iter():
        if element.get("class") in ("forecast-band", "forecast"):
            shapes = [element] if element.get("points") else list(element)
            for shape in shapes:
                if shape.get("points"):
                    assert all(top - 0.1 <= y <= bottom + 0.1 for y in _ys(shape))


def test_unbounded_forecasts_are_the_straight_line_unchanged():
    points = [Point(date(2019 + i, 3, 31), v) for i, v in enumerate([12.0, 7.5, 4.0, 1.0])]

    plain = arithmetic.forecast(points, date(2027, 3, 31))
    fitted = arithmetic.trend(points)

    assert plain == arithmetic._forecast_from(fitted, date(2027, 3, 31), 0.95)
    assert plain.value < 0, "a score may fall below 0; nothing bounds it"


def test_a_series_on_its_bound_is_forecast_to_stay_there():
    full = [Point(date(2020 + i, 3, 31), 100.0) for i in range(4)]

    predicted = arithmetic.forecast(full, date(2027, 3, 31), bounds=Bounds(0.0, 100.0))

    assert (predicted.value, predicted.lower, predicted.upper) == (100.0, 100.0, 100.0)


def test_a_target_of_zero_has_a_chance_once_readings_reach_zero():
    """Zero medication errors is a common target; fitted just above 0, it can be met."""
    errors = [Point(date(2020 + i, 3, 31), v) for i, v in enumerate([9.0, 5.0, 2.0, 0.0, 0.0])]

    chance = arithmetic.likelihood_of_meeting(
        errors, 0.0, date(2027, 3, 31), Direction.LOWER_IS_BETTER, bounds=Bounds(0.0, None)
    )

    assert chance > 0.5


# The demo's examples, as a board member reads them --------------------------------------------


MEDICATION_ERRORS = [14, 12, 15, 11, 8, 6]  # the care homes' quarterly audit, from Sep 2025
READY = [90.0, 93.0, 95.0, 97.0, 98.5, 99.4]  # a percentage closing on 100


def _signed_figures(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in re.findall(r"(-?\d[\d,]*(?:\.\d+)?)", text)]


@pytest.fixture
def care_home(world):
    outcome = OutcomeFactory(plan=world.plan, statement="Residents get their medicines safely")
    errors = IndicatorFactory(
        outcome=outcome,
        owner=world.council,
        code="CH-01",
        name="Medicine administration errors",
        unit="count",
        direction="lower",
    )
    periods = [date(2025, 3, 31), date(2025, 6, 30), date(2025, 9, 30), date(2025, 12, 31)]
    periods += [date(2026, 3, 31), date(2026, 6, 30)]
    for period, value in zip(periods, MEDICATION_ERRORS, strict=True):
        ReadingFactory(indicator=errors, period=period, value=Decimal(value))
    TargetFactory(
        indicator=errors,
        baseline_value=Decimal(15),
        baseline_date=date(2025, 3, 31),
        target_value=Decimal(2),
        target_date=date(2026, 9, 30),
    )
    ready = IndicatorFactory(
        outcome=outcome,
        owner=world.council,
        code="CH-02",
        name="Residents with a medicines review",
        unit="percent",
        direction="higher",
    )
    for year, value in enumerate(READY):
        ReadingFactory(indicator=ready, period=date(2020 + year, 3, 31), value=Decimal(str(value)))
    TargetFactory(
        indicator=ready,
        baseline_value=Decimal("90"),
        baseline_date=date(2020, 3, 31),
        target_value=Decimal("99"),
        target_date=date(2028, 3, 31),
    )
    return errors, ready


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_a_count_is_never_forecast_below_zero_on_its_page(lead_client, care_home):
    errors, _ = care_home
    html = _page(lead_client, errors.get_absolute_url())

    # Before: "Forecast 5 by September 2026 (between -2.0 and 12.8)", an axis down to -5.
    sentences = re.findall(r"[Ff]orecast [^()<]*\([^)]*\)", html)
    assert sentences, "the page gives the forecast with its range"
    for sentence in sentences:
        assert all(figure >= 0 for figure in _signed_figures(sentence)), sentence
    # The chart's drawing: the first picture with axes (the bell in the header is one too).
    drawings = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    found = (ET.fromstring(svg).find(f"{SVG}g[@class='axes']") for svg in drawings)  # noqa: S314
    axes = next(axes for axes in found if axes is not None)
    ticks = [t.text for t in axes.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert min(float(tick) for tick in ticks) == 0
    assert "fitted on the log scale, so the forecast and its range stay above 0." in html


@pytest.mark.django_db
def test_a_percentage_is_never_forecast_above_100_on_its_page(lead_client, care_home):
    _, ready = care_home
    html = _page(lead_client, ready.get_absolute_url())

    # Before: "Forecast 113.3% by March 2028 (between 108.4% and 118.1%)".
    percentages = [float(n) for n in re.findall(r"(-?\d+(?:\.\d+)?)%", html)]
    assert percentages and max(percentages) <= 100.0
    assert "fitted on the logit scale, so the forecast and its range stay between 0.0% and " in html


@pytest.mark.django_db
def test_the_board_report_keeps_the_forecasts_in_range(care_home, world):
    pdf = read(
        reports.render_board_report(world.plan, year=2026, quarter=3, today=date(2026, 8, 14))
    )

    # What the page says and what a screen reader reads for each chart (its alt text, which
    # the caption no longer repeats: issue 25).
    said = " ".join([pdf.text, *pdf.figure_alts()])
    assert "between -" not in said
    assert max(float(n) for n in re.findall(r"(\d+(?:\.\d+)?)%", said)) <= 100.0
    assert "fitted on the log scale" in said and "fitted on the logit scale" in said
