"""Indicator charts drawn on the server as SVG, for the pages and for the PDF reports.

The SVG is written with the standard library (docs/charts.md says why). It passes the site's
Content-Security-Policy unchanged: no script, no style element or attribute (only SVG
presentation attributes such as fill= and stroke=) and no external reference. Text stays
<text>, so it can be selected, searched and read in the PDF. Every series differs by line
pattern or marker as well as colour, because reports are printed in greyscale.

No Django here: plain values in, strings out.
"""

from __future__ import annotations

import math
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from outcomes import arithmetic
from outcomes.arithmetic import Bounds, Direction, Point, format_month, format_value
from outcomes.trajectories import Effect, PlannedForecast, with_plan
from outcomes.units import Measure


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[Point]


@dataclass(frozen=True)
class TargetLine:
    baseline_date: date
    baseline_value: float
    target_date: date
    target_value: float
    label: str = "Target"


@dataclass(frozen=True)
class Mark:
    """An action completed or a decision taken, drawn as a vertical line with a short label."""

    when: date
    label: str


@dataclass(frozen=True)
class Chart:
    svg: str
    summary: str
    table_headers: list[str]
    table_rows: list[list[str]]
    # The forecast at its end without and with the plan (issue 26), a table of its own beside
    # the readings': [label, value, lower, upper] rows under `forecast_caption`.
    forecast_caption: str = ""
    forecast_rows: list[list[str]] = field(default_factory=list)

    @property
    def has_notes(self) -> bool:
        """Whether the table's last column is the source's notes: words, not figures."""
        return self.table_headers[-1:] == [NOTE]


NOTE = "Note"  # the readings table's column of the source's notes

# Colours keep at least 3:1 against white (WCAG 1.4.11) where they carry meaning.
INK = "#222222"
MUTED = "#595959"
GRID = "#dddddd"
READINGS = "#1d4e89"
MARGIN = "#5a7fae"
BAND = "#dde6f2"
TARGET = "#9a4a00"
TRAJECTORY = "#6a3d9a"
WITH_PLAN = "#1a6e3c"  # the forecast with the plan's expected effects
COMPARATOR = "#666666"
MARK = "#404040"
COMPARATOR_DASHES = ("1 3", "8 3", "6 2 1 2", "3 2")

WIDTH = 400  # viewBox units: on a 390 px phone the text is drawn at about 0.9 of its size
LEFT, RIGHT = 44, 14
PLOT_HEIGHT = 200
FONT = 12  # ticks, legend and captions; the title is larger, mark labels 11
CHAR_WIDTH = 0.6  # of the font size: a generous average for a sans-serif, to lay out by
SMALL_WIDTH, SMALL_HEIGHT, SMALL_PAD = 160, 48, 4
FORECAST_STEPS = 12
FORECAST_LEVEL = 0.95

TABLE_HEADERS = ["Period", "Value", "Lower", "Upper"]


def indicator_chart(
    *,
    title: str,
    unit: str,
    readings: Sequence[Point],
    direction: Direction,
    target: TargetLine | None = None,
    comparators: Sequence[Series] = (),
    marks: Sequence[Mark] = (),
    forecast_to: date | None = None,
    small: bool = False,
    titled: bool = True,
    chart_id: str = "chart",
    measure: Measure | None = None,
    bounds: Bounds | None = None,
    plain: bool = False,
    trend_from: date | None = None,
    minimum_points: int = 3,
    trajectory: Sequence = (),
    effects: Sequence[Effect] = (),
) -> Chart:
    """The chart of an indicator's readings, with the words and (unless small) the table that
    say the same. ``titled=False`` leaves the title out of the drawing (it stays the SVG's
    <title>): the PDF reports put it in a heading above the chart, and WeasyPrint lays SVG
    text out letter by letter, so a title drawn again costs their render time for nothing.
    ``measure`` writes the figures in the indicator's unit (without it, `unit` follows the
    numbers); ``bounds`` keeps the forecast, its band and the value axis inside them.
    ``plain`` writes the key and the summary in everyday words, for the public summary.
    ``trajectory``: the target's planned trajectory (`outcomes.trajectories.Step`s), drawn as
    a line of its own with a column in the table.
    ``effects``: the plan's expected effects and external factors (`trajectories.Effect`).
    With a forecast, the full chart draws the forecast "with the plan" (the trend plus the
    effects, `trajectories.with_plan` at each of the forecast's dates) and its range beside
    the trend's ("without the plan"); the words and the table give both at the forecast's end.

    Each reading is drawn at its period's middle and labelled as its source wrote the period
    (`Point.period_text`); its limits are drawn as given, however asymmetric. A suppressed
    reading leaves a gap in the line and says so in the table; a break in the series is a gap
    with a marked line, and the words and the table say where. The forecast comes from the
    readings `arithmetic.trend_readings` picks (from the break on, from ``trend_from``), as the
    status's does; with fewer than ``minimum_points`` of them the words say so."""
    bounds = bounds or arithmetic.UNBOUNDED
    readings = sorted(readings, key=lambda point: (point.when, point.first_day))
    valued = [point for point in readings if point.value is not None]
    notes = _notes(readings)
    headers = TABLE_HEADERS + [series.name for series in comparators]
    headers = _limit_headers(readings, headers) + (["Trajectory"] if trajectory else [])
    headers += [NOTE] if any(notes.values()) else []
    steps = {step.when: step.value for step in trajectory}
    if measure is None and not valued:
        measure = _Legacy(unit, 1)
    if not valued:
        summary = "No readings yet." if not readings else _all_suppressed(readings)
        svg = _no_readings_svg(title, summary, chart_id, small)
        rows = (
            []
            if small or not readings
            else _table_rows(readings, comparators, measure, notes, steps if trajectory else None)
        )
        return Chart(svg=svg, summary=summary, table_headers=headers, table_rows=rows)
    if forecast_to is None and target is not None:
        forecast_to = target.target_date
    trend = arithmetic.trend_readings(readings, start_from=trend_from)
    forecast = _forecast(trend.points, forecast_to, bounds)
    planned = _with_plan(forecast, effects, bounds) if not small else []
    decimals = arithmetic.decimals_for(  # the judgement's sentence rounds the same way
        valued, target.target_value if target else valued[-1].value
    )
    if measure is None:
        measure = _Legacy(unit, decimals)
    if plain:
        summary = _plain_summary(valued, measure, target, forecast)
    else:
        summary = _summary(
            readings, measure, target, forecast, bounds, trend, minimum_points, forecast_to
        )
        if trajectory:
            first, last = trajectory[0], trajectory[-1]
            summary += (
                f" Planned trajectory: {measure.value(first.value)} in "
                f"{format_month(first.when)}, to {measure.value(last.value)} by "
                f"{format_month(last.when)}."
            )
    if planned:
        summary += " " + _with_plan_words(forecast[-1], planned[-1], measure, plain)
    extra = {} if small else {"titled": titled, "bounds": bounds, "plain": plain, "trend": trend}
    if planned:
        extra["planned"] = planned
    if trajectory and not small:
        latest = valued[-1]
        extra["trajectory"] = [
            (arithmetic.placed_like(step.when, latest), step.value) for step in trajectory
        ]
    svg = (_draw_small if small else _draw_full)(
        title=title,
        summary=summary,
        unit=unit,
        readings=readings,
        direction=direction,
        target=_placed(target, valued[-1]),
        comparators=comparators,
        marks=marks,
        forecast=forecast,
        chart_id=chart_id,
        **extra,
    )
    # A sparkline shows no table (templates/outcomes/_chart.html): formatting its 60 rows cost
    # the dashboard of 200 indicators a fifth of its time for nothing.
    rows = (
        []
        if small
        else _table_rows(readings, comparators, measure, notes, steps if trajectory else None)
    )
    if not planned:
        return Chart(svg=svg, summary=summary, table_headers=headers, table_rows=rows)
    return Chart(
        svg=svg,
        summary=summary,
        table_headers=headers,
        table_rows=rows,
        forecast_caption=f"Forecast for {format_month(planned[-1].when)}, with its 95% range"
        + (f" ({unit})" if unit else ""),
        forecast_rows=_with_plan_rows(forecast[-1], planned[-1], measure),
    )


def _with_plan(
    forecast: Sequence[arithmetic.Forecast], effects: Sequence[Effect], bounds: Bounds
) -> list[PlannedForecast]:
    """The forecast with the plan at each of the trend's forecast dates; none when there is no
    forecast or no effect has begun by its end."""
    if not forecast or not effects:
        return []
    planned = [with_plan(point, effects, bounds) for point in forecast]
    return planned if planned[-1].effect != 0 or planned[-1].effect_high != 0 else []


def _with_plan_words(
    without: arithmetic.Forecast, planned: PlannedForecast, measure, plain: bool
) -> str:
    show = measure.value
    if plain:
        return (
            f"With what our plan is expected to do, it should be about {show(planned.value)}"
            f" by {format_month(planned.when)}."
        )
    interval = ""
    if planned.lower is not None and planned.upper is not None:
        interval = f" ({measure.interval(planned.lower, planned.upper)})"
    return (
        f"With the plan's expected effects, forecast {show(planned.value)}{interval} by "
        f"{format_month(planned.when)}, against {show(without.value)} without the plan."
    )


def _with_plan_rows(
    without: arithmetic.Forecast, planned: PlannedForecast, measure
) -> list[list[str]]:
    """The forecast at its end without the plan and with it, each with its range."""

    def cell(value: float | None) -> str:
        return "" if value is None else measure.number(value)

    return [
        ["Without the plan", cell(without.value), cell(without.lower), cell(without.upper)],
        ["With the plan", cell(planned.value), cell(planned.lower), cell(planned.upper)],
    ]


def _placed(target: TargetLine | None, latest: Point) -> TargetLine | None:
    """The target line drawn where the readings it speaks of would be: at the middle of the
    periods, like the latest reading's, that end on its baseline and target dates."""
    if target is None:
        return None
    return TargetLine(
        baseline_date=arithmetic.placed_like(target.baseline_date, latest),
        baseline_value=target.baseline_value,
        target_date=arithmetic.placed_like(target.target_date, latest),
        target_value=target.target_value,
        label=target.label,
    )


def _all_suppressed(readings: Sequence[Point]) -> str:
    count = len(readings)
    return (
        f"No values yet: the source suppressed {'the only reading' if count == 1 else 'all'}"
        f"{'' if count == 1 else f' {count} readings'}."
    )


def _notes(readings: Sequence[Point]) -> dict[tuple[date, date], str]:
    """What the table's Note column says of each reading: suppressed (with the source's mark
    and note), a break in the series, or the source's value note."""
    notes = {}
    for point in readings:
        said = []
        if point.series_break:
            said.append("Break in the series: collected differently from here")
        if point.value is None:
            said.append(f"Suppressed{f' ({point.mark})' if point.mark else ''}")
        if point.note:
            said.append(point.note)
        notes[(point.first_day, point.when)] = "; ".join(said)
    return notes


def _limit_headers(readings: Sequence[Point], headers: list[str]) -> list[str]:
    """The limits' columns name their level when it is not 95% for every reading."""
    levels = {point.level for point in readings if point.has_interval}
    if levels and levels != {0.95}:
        level = arithmetic.level_text(levels.pop()) if len(levels) == 1 else "95% or 99.8%"
        return [
            f"{header} ({level})" if header in ("Lower", "Upper") else header for header in headers
        ]
    return headers


# The numbers ------------------------------------------------------------------------------------


def _forecast(
    readings: Sequence[Point], forecast_to: date | None, bounds: Bounds = arithmetic.UNBOUNDED
) -> list[arithmetic.Forecast]:
    """The trend from the last reading to `forecast_to`, at 13 dates; none from under 3 readings.

    The same numbers as arithmetic.forecast at each date, but the line is fitted and the t
    quantile found once rather than 13 times (2 ms instead of 21 for 60 readings). It runs from
    the last reading's place (its period's middle) to where a reading like it, ending on
    `forecast_to`, would be placed (`arithmetic.placed_like`), as the status's forecast is.
    """
    if len(readings) < 3 or forecast_to is None or forecast_to <= readings[-1].when:
        return []
    last = readings[-1].x
    span = (arithmetic.placed_like(forecast_to, readings[-1]) - last).days
    steps = [
        last + timedelta(days=round(span * step / FORECAST_STEPS))
        for step in range(FORECAST_STEPS + 1)
    ]
    model = arithmetic.fit(readings, bounds)  # the plain line when there are no bounds
    if model is None:
        return []
    fitted = model.line
    back = model.scale.from_line if model.scale else float  # onto the indicator's own scale
    t = arithmetic.student_t_quantile((1 + FORECAST_LEVEL) / 2, fitted.n - 2)
    forecasts = []
    for when in steps:
        value, scale = fitted.value_at(when), fitted.prediction_scale(when)
        if scale is None:
            forecasts.append(arithmetic.Forecast(when, back(value), None, None))
        else:
            lower, upper = back(value - t * scale), back(value + t * scale)
            forecasts.append(arithmetic.Forecast(when, back(value), lower, upper))
    return forecasts


@dataclass(frozen=True)
class _Legacy:
    """Figures for a chart drawn without an indicator's Measure: the unit symbol after the
    number, to the decimals the readings call for."""

    unit: str
    decimals: int

    def value(self, value: float) -> str:
        return format_value(value, self.unit, decimals=self.decimals)

    def interval(self, lower: float, upper: float) -> str:
        return f"between {self.value(lower)} and {self.value(upper)}"

    def number(self, value: float) -> str:
        return format_value(value, decimals=self.decimals)


def bounds_note(bounds: Bounds, measure) -> str:
    """How the forecast keeps to the indicator's range, for the chart's note and the guide."""
    low, high = bounds.lower, bounds.upper
    if low is not None and high is not None:
        return (
            "The trend is fitted on the logit scale, so the forecast and its range stay between "
            f"{measure.value(low)} and {measure.value(high)}."
        )
    if low is not None:
        return (
            "The trend is fitted on the log scale, so the forecast and its range stay above "
            f"{measure.value(low)}."
        )
    return (
        "The trend is fitted on the log scale of the distance from the highest possible value, "
        f"so the forecast and its range stay below {measure.value(high)}."
    )


def _summary(
    readings: Sequence[Point],
    measure,
    target: TargetLine | None,
    forecast: Sequence[arithmetic.Forecast],
    bounds: Bounds,
    trend: arithmetic.TrendReadings,
    minimum_points: int,
    forecast_to: date | None,
) -> str:
    show = measure.value
    valued = [point for point in readings if point.value is not None]
    first, latest = valued[0], valued[-1]
    sentences = [f"Latest {show(latest.value)} in {latest.period_text}"]
    if len(valued) == 1:
        sentences[0] += ", the only reading so far."
    elif show(latest.value) == show(first.value):
        sentences[0] += f", the same as in {first.period_text}."
    else:
        change = "up" if latest.value > first.value else "down"
        sentences[0] += f", {change} from {show(first.value)} in {first.period_text}."
    if target is not None:
        sentences.append(
            f"Target {show(target.target_value)} by {format_month(target.target_date)}."
        )
    if forecast:
        end = forecast[-1]
        by_then = target is not None and forecast_to == target.target_date
        when = "by then" if by_then else f"by {format_month(forecast_to)}"
        interval = ""
        if end.lower is not None and end.upper is not None and show(end.lower) != show(end.upper):
            interval = f" ({measure.interval(end.lower, end.upper)})"
        sentences.append(f"Forecast {show(end.value)} {when}{interval}.")
        if len(trend.points) < minimum_points:
            sentences.append(
                f"The forecast is based on only {len(trend.points)} readings (a trend needs "
                f"{minimum_points})."
            )
        if bounds.limited:
            sentences.append(bounds_note(bounds, measure))
    if trend.break_at is not None:
        sentences.append(
            f"The series breaks at {trend.break_at.period_text}: it is collected differently "
            "from then on, so the trend starts there."
        )
    suppressed = [point.period_text for point in readings if point.value is None]
    if suppressed:
        listed = ", ".join(suppressed[:3]) + (" and more" if len(suppressed) > 3 else "")
        sentences.append(f"Suppressed by the source: {listed}.")
    return " ".join(sentences)


def _plain_summary(
    readings: Sequence[Point],
    measure,
    target: TargetLine | None,
    forecast: Sequence[arithmetic.Forecast],
) -> str:
    """What the chart shows in everyday words: no margins of error, ranges or scales."""
    show = measure.value
    first, latest = readings[0], readings[-1]
    sentences = [f"In {format_month(latest.when)} it was {show(latest.value)}."]
    if len(readings) > 1 and show(first.value) != show(latest.value):
        sentences.append(f"In {format_month(first.when)} it was {show(first.value)}.")
    if target is not None:
        sentences.append(
            f"Our aim is {show(target.target_value)} by {format_month(target.target_date)}."
        )
    if forecast:
        end = forecast[-1]
        sentences.append(
            f"If things go on as they are, it will be about {show(end.value)} by "
            f"{format_month(end.when)}."
        )
    return " ".join(sentences)


def _table_rows(
    readings: Sequence[Point],
    comparators: Sequence[Series],
    measure,
    notes: dict[tuple[date, date], str],
    planned: dict[date, float] | None = None,
) -> list[list[str]]:
    """A row a period, oldest first: ours and each comparator's value for the same period
    (the same first and last day), a suppressed value as "Suppressed", and a Note column
    when any reading has a note."""

    def cell(value: float | None) -> str:  # the unit is in the table's heading
        return "" if value is None else measure.number(value)

    def limit(point: Point | None, value: float | None) -> str:
        if point is None or value is None:
            return ""
        mixed = len(levels) > 1 and point.level != 0.95
        return cell(value) + (f" ({arithmetic.level_text(point.level)})" if mixed else "")

    levels = {point.level for point in readings if point.has_interval}
    by_period = {(point.first_day, point.when): point for point in readings}
    comparator_points = [{(p.first_day, p.when): p for p in s.points} for s in comparators]
    periods = {key: point for values in comparator_points for key, point in values.items()}
    periods.update(by_period)
    with_notes = any(notes.values())
    rows = []
    for key in sorted(periods, key=lambda key: (key[1], key[0])):
        reading = by_period.get(key)
        value = cell(reading.value if reading else None)
        if reading is not None and reading.value is None:
            value = "Suppressed"
        row = [
            periods[key].period_text,
            value,
            limit(reading, reading.lower if reading else None),
            limit(reading, reading.upper if reading else None),
        ]
        for values in comparator_points:
            other = values.get(key)
            shown = cell(other.value if other else None)
            row.append("Suppressed" if other is not None and other.value is None else shown)
        if planned is not None:
            row.append(cell(planned.get(key[1])))
        if with_notes:
            row.append(notes.get(key, ""))
        rows.append(row)
    return rows


# Scales -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scale:
    """Maps a domain (days since 1 AD, or values) onto a range of viewBox units."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        return self.start + (value - self.low) / (self.high - self.low) * (self.end - self.start)


def _spread(low: float, high: float, pad: float) -> tuple[float, float]:
    return (low - pad, high + pad) if low == high else (low, high)


def _value_ticks(low: float, high: float) -> tuple[list[float], int]:
    """About five round ticks (1, 2, 2.5 or 5 times a power of ten) covering low to high."""
    low, high = _spread(low, high, max(abs(low) * 0.1, 1.0))
    rough = (high - low) / 5
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= rough)
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9) + (1 if step / power == 2.5 else 0))
    return [i * step for i in range(first, last + 1)], decimals


def _decimals_in(value: float) -> int:
    """The decimal places a bound needs to be written exactly (up to four)."""
    return len(f"{value:.4f}".rstrip("0").partition(".")[2])


def value_axis(ticks: list[float], bounds: Bounds) -> tuple[float, float]:
    """The value axis's ends: the round ticks around the data, but never past a bound."""
    low, high = ticks[0], ticks[-1]
    if bounds.lower is not None:
        low = max(low, bounds.lower)
    if bounds.upper is not None:
        high = min(high, bounds.upper)
    return low, high


def _date_ticks(low: date, high: date) -> list[tuple[date, str]]:
    years = (high - low).days / 365.25
    if years >= 2:
        step = next((s for s in (1, 2, 5, 10, 20, 50) if years / s <= 7), math.ceil(years / 7))
        first = low.year + ((low.month, low.day) > (1, 1))
        return [
            (date(year, 1, 1), str(year))
            for year in range(first, high.year + 1)
            if year % step == 0 or step == 1
        ]
    months = max(1.0, years * 12)
    step = next(s for s in (1, 2, 3, 6, 12) if months / s <= 4)
    ticks = []
    year, month = low.year, low.month + (low.day > 1)
    while True:
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
        when = date(year, month, 1)
        if when > high:
            return ticks
        if (month - 1) % step == 0:
            ticks.append((when, f"{when:%b %Y}"))
        month += 1


def _text_width(text: str, size: float = FONT) -> float:
    return len(text) * size * CHAR_WIDTH


# Drawing ----------------------------------------------------------------------------------------


# Shared with actions/timeline.py, which draws with the same small helpers.
def _number(value: float) -> str:
    """A coordinate to one decimal place, without a trailing .0."""
    return f"{value:.1f}".removesuffix(".0")


def _points(pairs: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_number(x)},{_number(y)}" for x, y in pairs)


def _element(parent: ET.Element, tag: str, text: str | None = None, **attributes) -> ET.Element:
    """A child element. Attribute names use _ for - (stroke_width), class_ for class."""
    child = ET.SubElement(
        parent,
        tag,
        {
            name.removesuffix("_").replace("_", "-"): _number(v) if isinstance(v, float) else str(v)
            for name, v in attributes.items()
            if v is not None
        },
    )
    child.text = text
    return child


def _line(parent: ET.Element, pairs, colour: str, width: float, dashes: str | None = None) -> None:
    _element(
        parent,
        "polyline",
        points=_points(pairs),
        fill="none",
        stroke=colour,
        stroke_width=width,
        stroke_dasharray=dashes,
        stroke_linejoin="round",
    )


def _dot(parent: ET.Element, x: float, y: float, r: float, *, hollow: bool = False, **extra):
    fill, stroke = ("#ffffff", READINGS) if hollow else (READINGS, "#ffffff")
    _element(
        parent, "circle", cx=x, cy=y, r=r, fill=fill, stroke=stroke, stroke_width=1.25, **extra
    )


def _diamond(parent: ET.Element, x: float, y: float, size: float) -> None:
    corners = [(x, y - size), (x + size, y), (x, y + size), (x - size, y)]
    _element(parent, "polygon", points=_points(corners), fill=TARGET, stroke="#ffffff")


def _svg(width: float, height: float, title: str, summary: str, chart_id: str) -> ET.Element:
    # No width or height: the viewBox alone lets the chart shrink or grow to its container.
    root = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "id": chart_id,
            "viewBox": f"0 0 {_number(width)} {_number(height)}",
            "role": "img",
            "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
            "font-family": "sans-serif",
            "font-size": str(FONT),
            "fill": INK,
        },
    )
    _element(root, "title", title, id=f"{chart_id}-title")
    _element(root, "desc", summary, id=f"{chart_id}-desc")
    return root


def _serialise(root: ET.Element) -> str:
    return ET.tostring(root, encoding="unicode")  # escapes <, > and & in text and attributes


def _no_readings_svg(title: str, summary: str, chart_id: str, small: bool) -> str:
    width, height = (SMALL_WIDTH, SMALL_HEIGHT) if small else (WIDTH, 60)
    root = _svg(width, height, title, summary, chart_id)
    middle = {"x": width / 2, "y": height / 2 + 4, "text_anchor": "middle", "fill": MUTED}
    _element(root, "text", "No readings yet", **middle)
    return _serialise(root)


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _draw_full(
    *,
    title: str,
    summary: str,
    unit: str,
    readings: Sequence[Point],
    direction: Direction,
    target: TargetLine | None,
    comparators: Sequence[Series],
    marks: Sequence[Mark],
    forecast: Sequence[arithmetic.Forecast],
    chart_id: str,
    titled: bool = True,
    bounds: Bounds = arithmetic.UNBOUNDED,
    plain: bool = False,
    trend: arithmetic.TrendReadings | None = None,
    trajectory: Sequence[tuple[date, float]] = (),
    planned: Sequence[PlannedForecast] = (),
) -> str:
    band = [f for f in forecast if f.lower is not None and f.upper is not None]
    band = band if any(f.upper != f.lower for f in band) else []
    shown = [p for p in readings if p.value is not None]
    # With a forecast drawn, a reading it leaves out (before a break or the chosen start, of
    # another length, overlapping a later pooled period) is a hollow dot.
    used = {(p.first_day, p.when) for p in (trend.points if trend and forecast else shown)}
    left_out = [p for p in shown if (p.first_day, p.when) not in used]
    pooled = [p for p in shown if p.months > 12 and (p.first_day, p.when) in used]
    breaks = [p for p in readings[1:] if p.series_break]

    # What the axes must hold.
    dates = [p.x for p in shown] + [f.when for f in forecast] + [m.when for m in marks]
    dates += (
        [p.first_day for p in pooled] + [p.when for p in pooled] + [p.first_day for p in breaks]
    )
    values = [p.value for p in shown] + [f.value for f in forecast]
    values += [bound for p in shown for bound in (p.lower, p.upper) if bound is not None]
    values += [bound for f in band for bound in (f.lower, f.upper)]
    for series in comparators:
        dates += [p.x for p in series.points if p.value is not None]
        values += [p.value for p in series.points if p.value is not None]
    if target is not None:
        dates += [target.baseline_date, target.target_date]
        values += [target.baseline_value, target.target_value]
    dates += [when for when, _ in trajectory]
    values += [value for _, value in trajectory]
    values += [v for p in planned for v in (p.value, p.lower, p.upper) if v is not None]
    first_day, last_day = _spread(min(dates).toordinal(), max(dates).toordinal(), 30)
    low, high = min(values), max(values)
    # Room around a flat series (flat but for float rounding in its forecast), not past a bound.
    if high - low <= 1e-9 * max(1.0, abs(high)):
        low = high = (low + high) / 2
        low, high = value_axis(list(_spread(low, high, max(abs(low) * 0.1, 1.0))), bounds)
    ticks, decimals = _value_ticks(low, high)
    axis_low, axis_high = value_axis(ticks, bounds)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 0.0
    ticks = [tick for tick in ticks if axis_low <= tick <= axis_high]
    # An axis cut short at a bound (96 residents) is labelled there, unless a tick is close.
    for end in (axis_low, axis_high):
        if end in (bounds.lower, bounds.upper) and all(abs(end - t) >= step / 2 for t in ticks):
            ticks = sorted([*ticks, end])
            decimals = max(decimals, _decimals_in(end))

    # Top to bottom: the title, the unit, the plot, the dates, the key.
    title_lines = textwrap.wrap(title, int((WIDTH - 16) / _text_width("x", 15)))[:3] or [""]
    title_lines = title_lines if titled else []
    top = 6 + 19 * len(title_lines) + 30
    bottom = top + PLOT_HEIGHT
    right = WIDTH - RIGHT
    items = _key_items(
        shown,
        target,
        band,
        forecast,
        comparators,
        pooled=bool(pooled),
        left_out=bool(left_out),
        plain=plain,
        trajectory=bool(trajectory),
        planned=planned,
    )
    key = _key_rows(items, right - LEFT)
    height = bottom + 28 + 20 * len(key)
    x = _Scale(first_day, last_day, LEFT, right)
    y = _Scale(axis_low, axis_high, bottom, top)

    def at(when: date, value: float) -> tuple[float, float]:
        return x(when.toordinal()), y(value)

    root = _svg(WIDTH, height, title, summary, chart_id)
    for number, line in enumerate(title_lines, start=1):
        _element(root, "text", line, x=8, y=6 + 19 * number, font_size=15, font_weight="bold")
    better = "higher" if direction is Direction.HIGHER_IS_BETTER else "lower"
    caption = f"{unit}, {better} is better" if unit else f"{better.capitalize()} is better"
    _element(root, "text", caption, x=8, y=top - 14, fill=MUTED)

    axes = _element(root, "g", class_="axes", fill=MUTED, stroke_width=1)
    for tick in ticks:
        _element(axes, "line", x1=LEFT, x2=right, y1=y(tick), y2=y(tick), stroke=GRID)
        label = format_value(tick, decimals=decimals)
        _element(axes, "text", label, x=LEFT - 5, y=y(tick) + 4, text_anchor="end")
    _element(axes, "line", x1=LEFT, x2=right, y1=bottom, y2=bottom, stroke=MUTED)
    for when, label in _date_ticks(date.fromordinal(first_day), date.fromordinal(last_day)):
        tick = x(when.toordinal())
        _element(axes, "line", x1=tick, x2=tick, y1=bottom, y2=bottom + 4, stroke=MUTED)
        # A label centred on a tick at the axis's start would reach under the lowest value's
        # label: there it starts at its tick instead.
        anchor = "start" if tick - len(label) * FONT * 0.3 < LEFT else "middle"
        _element(axes, "text", label, x=tick, y=bottom + 17, text_anchor=anchor)

    if band:
        edge = [at(f.when, f.upper) for f in band] + [at(f.when, f.lower) for f in reversed(band)]
        _element(root, "polygon", class_="forecast-band", points=_points(edge), fill=BAND)

    for number, series in enumerate(comparators):
        ordered = sorted(series.points, key=lambda point: point.when)
        group = _element(root, "g", class_="comparator")
        dashes = COMPARATOR_DASHES[number % len(COMPARATOR_DASHES)]
        for run in _runs(ordered):
            if len(run) == 1:  # a value alone: a short stroke in its pattern, across its place
                where, level = at(run[0].x, run[0].value)
                _line(group, [(where - 9, level), (where + 9, level)], COMPARATOR, 2, dashes)
            else:
                _line(group, [at(p.x, p.value) for p in run], COMPARATOR, 1.25, dashes)

    for point in breaks:
        # Drawn where the new series begins: the break reading's first day.
        group = _element(root, "g", class_="series-break", fill=MARK)
        where = x(point.first_day.toordinal())
        _line(group, [(where, top), (where, bottom)], MARK, 1.5, "6 3")
        label = "Series break"
        if where + 4 + _text_width(label, 11) <= right:
            _element(group, "text", label, x=where + 4, y=bottom - 6, font_size=11)
        else:
            _element(
                group, "text", label, x=where - 4, y=bottom - 6, font_size=11, text_anchor="end"
            )

    for number, mark in enumerate(marks):
        group = _element(root, "g", class_="mark", fill=MARK)
        where = x(mark.when.toordinal())
        _line(group, [(where, top), (where, bottom)], MARK, 1, "2 2")
        label = _shorten(mark.label, 30)
        # Labels take turns on three rows so that marks close together stay readable.
        row = top + 12 + 13 * (number % 3)
        if where + 4 + _text_width(label, 11) <= right:
            _element(group, "text", label, x=where + 4, y=row, font_size=11)
        else:
            _element(group, "text", label, x=where - 4, y=row, font_size=11, text_anchor="end")

    if target is not None:
        group = _element(root, "g", class_="target")
        start = at(target.baseline_date, target.baseline_value)
        end = at(target.target_date, target.target_value)
        _line(group, [start, end], TARGET, 2, "8 4")
        _diamond(group, *end, 6)

    if trajectory:
        group = _element(root, "g", class_="trajectory")
        line = [at(when, value) for when, value in trajectory]
        if target is not None:  # from the baseline, where the target line starts
            line.insert(0, at(target.baseline_date, target.baseline_value))
        _line(group, line, TRAJECTORY, 1.5, "2 2")
        for where, level in line[1:]:
            _element(group, "rect", x=where - 2, y=level - 2, width=4, height=4, fill=TRAJECTORY)

    if forecast:
        group = _element(root, "g", class_="forecast")
        _line(group, [at(f.when, f.value) for f in forecast], READINGS, 2, "4 3")
        _dot(group, *at(forecast[-1].when, forecast[-1].value), 3.5, hollow=True)

    if planned:
        # Drawn from where the trend's forecast starts, so the two part where the effects begin.
        group = _element(root, "g", class_="with-plan")
        ranged = [p for p in planned if p.lower is not None and p.upper is not None]
        if ranged:
            _line(group, [at(p.when, p.upper) for p in ranged], WITH_PLAN, 1, "1 2")
            _line(group, [at(p.when, p.lower) for p in ranged], WITH_PLAN, 1, "1 2")
        _line(group, [at(p.when, p.value) for p in planned], WITH_PLAN, 2, "6 2")
        end = at(planned[-1].when, planned[-1].value)
        _element(group, "rect", x=end[0] - 3.5, y=end[1] - 3.5, width=7, height=7, fill=WITH_PLAN)

    group = _element(root, "g", class_="readings")
    for p in shown:
        if p.lower is not None and p.upper is not None:  # as published, however asymmetric
            where = x(p.x.toordinal())
            _line(group, [(where, y(p.lower)), (where, y(p.upper))], MARGIN, 1.5)
    for p in pooled:  # the years a pooled reading covers, its dot at their middle
        span = [at(p.first_day, p.value), at(p.when, p.value)]
        _element(
            group,
            "polyline",
            class_="period-span",
            points=_points(span),
            fill="none",
            stroke=MARGIN,
            stroke_width=1.5,
            stroke_dasharray="1 2",
        )
    for run in _runs(readings):
        _line(group, [at(p.x, p.value) for p in run], READINGS, 2)
    radius = min(3.0, max(1.5, (right - LEFT) / len(shown) / 2.5))  # smaller when crowded
    for p in shown:
        hollow = (p.first_day, p.when) not in used
        _dot(group, *at(p.x, p.value), radius, hollow=hollow, class_="reading")

    _draw_key(root, key, bottom + 26)
    return _serialise(root)


# The key in everyday words, for the public summary.
PLAIN_KEY = {
    "readings": "Our figures",
    "margin": "Could be between",
    "target": "Our aim",
    "trajectory": "The path we planned",
    "forecast": "Where it is heading",
    "band": "Where it could end up",
    "with-plan": "Where our plan should take it",
    "with-plan-range": "Where our plan could take it",
    "left-out": "Not counted in the trend",
    "span": "Years taken together",
}


def _runs(points: Sequence[Point]) -> list[list[Point]]:
    """The stretches of a series drawn as one line: a suppressed value or a break in the
    series leaves a gap."""
    runs: list[list[Point]] = [[]]
    for point in points:
        if point.series_break and runs[-1]:
            runs.append([])
        if point.value is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def _key_items(
    readings,
    target,
    band,
    forecast,
    comparators,
    *,
    pooled: bool = False,
    left_out: bool = False,
    plain: bool = False,
    trajectory: bool = False,
    planned: Sequence[PlannedForecast] = (),
) -> list[tuple[str, str]]:
    """(what, label) for each entry of the key, in the order they are drawn."""
    items = [("readings", "Readings")]
    if left_out:
        items.append(("left-out", "Not in the trend"))
    levels = {p.level for p in readings if p.lower is not None and p.upper is not None}
    if levels:
        level = arithmetic.level_text(levels.pop()) if len(levels) == 1 else "95% or 99.8%"
        items.append(("margin", f"{level} confidence interval"))
    if pooled:
        items.append(("span", "Years pooled"))
    if target is not None:
        items.append(("target", target.label))
    if trajectory:
        items.append(("trajectory", "Planned trajectory"))
    if forecast:
        items.append(("forecast", "Forecast without the plan" if planned else "Forecast"))
    if band:
        items.append(("band", f"{FORECAST_LEVEL:.0%} forecast range"))
    if planned:
        items.append(("with-plan", "Forecast with the plan"))
        if any(p.lower is not None for p in planned):
            items.append(("with-plan-range", f"{FORECAST_LEVEL:.0%} range with the plan"))
    if plain:
        items = [(what, PLAIN_KEY[what]) for what, _ in items]
    items += [(f"comparator {number}", s.name) for number, s in enumerate(comparators)]
    return [(what, _shorten(label, 40)) for what, label in items]


SWATCH = 24  # the width of the sample line beside each label in the key


def _key_width(label: str) -> float:
    return SWATCH + 5 + _text_width(label) + 14


def _key_rows(items: list[tuple[str, str]], width: float) -> list[list[tuple[str, str]]]:
    rows: list[list[tuple[str, str]]] = [[]]
    used = 0.0
    for item in items:
        if rows[-1] and used + _key_width(item[1]) > width:
            rows.append([])
            used = 0.0
        rows[-1].append(item)
        used += _key_width(item[1])
    return rows


def _draw_key(root: ET.Element, rows: list[list[tuple[str, str]]], top: float) -> None:
    key = _element(root, "g", class_="key")
    for number, row in enumerate(rows):
        y = top + 20 * number + 8
        left = float(LEFT)
        for what, label in row:
            sample, middle = [(left, y), (left + SWATCH, y)], left + SWATCH / 2
            if what == "readings":
                _line(key, sample, READINGS, 2)
                _dot(key, middle, y, 3)
            elif what == "margin":
                _line(key, [(middle, y - 7), (middle, y + 7)], MARGIN, 1.5)
            elif what == "span":
                _line(key, sample, MARGIN, 1.5, "1 2")
            elif what == "left-out":
                _dot(key, middle, y, 3, hollow=True)
            elif what == "target":
                _line(key, sample, TARGET, 2, "8 4")
                _diamond(key, middle, y, 5)
            elif what == "trajectory":
                _line(key, sample, TRAJECTORY, 1.5, "2 2")
                _element(key, "rect", x=middle - 2, y=y - 2, width=4, height=4, fill=TRAJECTORY)
            elif what == "forecast":
                _line(key, sample, READINGS, 2, "4 3")
            elif what == "band":
                _element(key, "rect", x=left, y=y - 6, width=SWATCH, height=12, fill=BAND)
            elif what == "with-plan":
                _line(key, sample, WITH_PLAN, 2, "6 2")
                _element(key, "rect", x=middle - 3, y=y - 3, width=6, height=6, fill=WITH_PLAN)
            elif what == "with-plan-range":
                _line(key, [(left, y - 4), (left + SWATCH, y - 4)], WITH_PLAN, 1, "1 2")
                _line(key, [(left, y + 4), (left + SWATCH, y + 4)], WITH_PLAN, 1, "1 2")
            else:
                number = int(what.split()[1])
                dashes = COMPARATOR_DASHES[number % len(COMPARATOR_DASHES)]
                _line(key, sample, COMPARATOR, 1.25, dashes)
            _element(key, "text", label, x=left + SWATCH + 5, y=y + 4)
            left += _key_width(label)


def _draw_small(
    *,
    title: str,
    summary: str,
    readings: Sequence[Point],
    target: TargetLine | None,
    forecast: Sequence[arithmetic.Forecast],
    chart_id: str,
    **_unused,
) -> str:
    """A sparkline: the readings, the target point and where the forecast ends."""
    readings = [p for p in readings if p.value is not None]
    last = readings[-1]
    end = forecast[-1] if forecast else None
    dates = [p.x for p in readings]
    values = [p.value for p in readings]
    if target is not None:
        dates.append(target.target_date)
        values.append(target.target_value)
    if end is not None:
        dates.append(end.when)
        values.append(end.value)
    first_day, last_day = _spread(min(dates).toordinal(), max(dates).toordinal(), 30)
    low, high = _spread(min(values), max(values), max(abs(min(values)) * 0.1, 1.0))
    pad = SMALL_PAD + 2  # room for the markers
    x = _Scale(first_day, last_day, pad, SMALL_WIDTH - pad)
    y = _Scale(low, high, SMALL_HEIGHT - pad, pad)

    def at(when: date, value: float) -> tuple[float, float]:
        return x(when.toordinal()), y(value)

    root = _svg(SMALL_WIDTH, SMALL_HEIGHT, title, summary, chart_id)
    if end is not None:
        group = _element(root, "g", class_="forecast")
        start = forecast[0]  # where the trend's last reading sits
        _line(group, [at(start.when, start.value), at(end.when, end.value)], READINGS, 1.5, "3 2")
        _dot(group, *at(end.when, end.value), 2.5, hollow=True)
    group = _element(root, "g", class_="readings")
    _line(group, [at(p.x, p.value) for p in readings], READINGS, 1.5)
    _dot(group, *at(last.x, last.value), 2.5, class_="reading")
    if target is not None:  # last, so that a forecast ending on target does not hide it
        _diamond(
            _element(root, "g", class_="target"), *at(target.target_date, target.target_value), 4
        )
    return _serialise(root)


# Risk heat map ----------------------------------------------------------------------------------

# The cells' fills by rating: light enough for black text, and told apart in greyscale too.
RISK_FILLS = {"High": "#f4b6b6", "Medium": "#fde5a6", "Low": "#d5ead6"}
RISK_CELL, RISK_LEFT, RISK_TOP = 56, 80, 34
IMPACT_WORDS = {1: "slight", 2: "minor", 3: "moderate", 4: "major", 5: "severe"}
LIKELIHOOD_WORDS = {1: "rare", 2: "unlikely", 3: "possible", 4: "likely", 5: "almost certain"}


def risk_heat_map(
    scores: Sequence[tuple[int, int]], *, title: str, chart_id: str = "risk-heat-map"
) -> Chart:
    """The 5 × 5 grid of likelihood (up) by impact (across), each cell its count of risks and
    filled by its rating; with a summary in words and the grid as a table."""
    grid = arithmetic.risk_grid(scores)
    counts = arithmetic.risk_ratings_count(scores)
    total = len(scores)
    if total:
        summary = (
            f"{total} risk{'s' * (total != 1)}: "
            + ", ".join(f"{count} {rating.lower()}" for rating, count in counts.items())
            + "."
        )
        worst = max(scores, key=lambda pair: (arithmetic.risk_score(*pair), pair[1]))
        summary += (
            f" The highest scores {arithmetic.risk_score(*worst)} "
            f"(likelihood {worst[0]}, impact {worst[1]})."
        )
    else:
        summary = "No risks recorded."
    width = RISK_LEFT + 5 * RISK_CELL + 10
    height = RISK_TOP + 5 * RISK_CELL + 44
    root = _svg(width, height, title, summary, chart_id)
    _element(root, "text", title, x=RISK_LEFT, y=18, font_size=14, font_weight="bold")
    for likelihood in arithmetic.RISK_SCALE:
        y = RISK_TOP + (5 - likelihood) * RISK_CELL
        _element(
            root, "text", f"{likelihood} {LIKELIHOOD_WORDS[likelihood]}", x=RISK_LEFT - 6,
            y=y + RISK_CELL / 2 + 4, text_anchor="end", font_size=10, fill=MUTED,
        )  # fmt: skip
        for impact in arithmetic.RISK_SCALE:
            x = RISK_LEFT + (impact - 1) * RISK_CELL
            rating = arithmetic.risk_rating(arithmetic.risk_score(likelihood, impact))
            _element(
                root, "rect", x=x, y=y, width=RISK_CELL, height=RISK_CELL,
                fill=RISK_FILLS[rating], stroke="#ffffff", stroke_width=2,
            )  # fmt: skip
            if count := grid[likelihood, impact]:
                _element(
                    root, "text", str(count), x=x + RISK_CELL / 2, y=y + RISK_CELL / 2 + 6,
                    text_anchor="middle", font_size=16, font_weight="bold",
                )  # fmt: skip
    bottom = RISK_TOP + 5 * RISK_CELL
    for impact in arithmetic.RISK_SCALE:
        x = RISK_LEFT + (impact - 0.5) * RISK_CELL
        _element(root, "text", f"{impact} {IMPACT_WORDS[impact]}", x=x, y=bottom + 14,
                 text_anchor="middle", font_size=10, fill=MUTED)  # fmt: skip
    _element(root, "text", "Impact →", x=RISK_LEFT + 2.5 * RISK_CELL, y=bottom + 34,
             text_anchor="middle", fill=MUTED)  # fmt: skip
    _element(root, "text", "Likelihood ↑", x=4, y=RISK_TOP - 8, fill=MUTED)
    headers = ["Likelihood", *(f"Impact {i} ({IMPACT_WORDS[i]})" for i in arithmetic.RISK_SCALE)]
    rows = [
        [
            f"{likelihood} ({LIKELIHOOD_WORDS[likelihood]})",
            *(str(grid[likelihood, impact]) for impact in arithmetic.RISK_SCALE),
        ]
        for likelihood in reversed(arithmetic.RISK_SCALE)
    ]
    return Chart(svg=_serialise(root), summary=summary, table_headers=headers, table_rows=rows)


# Relationships between two indicators (issue 26) ------------------------------------------------

OUTLIER = "#b3261e"


def _ring(parent: ET.Element, x: float, y: float, **extra) -> None:
    """A point far from the line: a red ring, larger than a dot, so it reads without colour."""
    _element(
        parent,
        "circle",
        cx=x,
        cy=y,
        r=4.5,
        fill="#ffffff",
        stroke=OUTLIER,
        stroke_width=2,
        **extra,
    )


def scatter_chart(
    *,
    title: str,
    names: Sequence[str],
    xs: Sequence[float],
    ys: Sequence[float],
    x_measure: Measure,
    y_measure: Measure,
    x_label: str,
    y_label: str,
    summary: str,
    line: tuple[float, float] | None = None,
    outliers: Sequence[int] = (),
    chart_id: str = "scatter",
) -> Chart:
    """Two indicators' values for the same areas or groups, one dot each, with the least-squares
    line (`line`: slope and intercept) across the dots' range; the dots far from it (their
    places in `outliers`) drawn red, hollow and named. The table gives every dot."""
    left, right, top = 52, WIDTH - RIGHT, 40
    bottom = top + PLOT_HEIGHT
    x_ticks, x_decimals = _value_ticks(min(xs), max(xs))
    y_ticks, y_decimals = _value_ticks(min(ys), max(ys))
    x = _Scale(x_ticks[0], x_ticks[-1], left, right)
    y = _Scale(y_ticks[0], y_ticks[-1], bottom, top)
    height = bottom + 62
    root = _svg(WIDTH, height, title, summary, chart_id)
    _element(root, "text", _shorten(y_label, 60), x=8, y=top - 16, fill=MUTED)
    axes = _element(root, "g", class_="axes", fill=MUTED, stroke_width=1)
    for tick in y_ticks:
        _element(axes, "line", x1=left, x2=right, y1=y(tick), y2=y(tick), stroke=GRID)
        label = format_value(tick, decimals=y_decimals)
        _element(axes, "text", label, x=left - 5, y=y(tick) + 4, text_anchor="end")
    for tick in x_ticks:
        _element(axes, "line", x1=x(tick), x2=x(tick), y1=bottom, y2=bottom + 4, stroke=MUTED)
        label = format_value(tick, decimals=x_decimals)
        _element(axes, "text", label, x=x(tick), y=bottom + 17, text_anchor="middle")
    _element(axes, "line", x1=left, x2=right, y1=bottom, y2=bottom, stroke=MUTED)
    _element(
        root,
        "text",
        _shorten(x_label, 60),
        x=(left + right) / 2,
        y=bottom + 36,
        text_anchor="middle",
        fill=MUTED,
    )
    if line is not None:
        slope, intercept = line
        low, high = min(xs), max(xs)
        group = _element(root, "g", class_="fitted-line")
        _line(
            group,
            [(x(low), y(intercept + slope * low)), (x(high), y(intercept + slope * high))],
            READINGS,
            1.5,
            "6 3",
        )
    group = _element(root, "g", class_="points")
    far = set(outliers)
    for number, (name, a, b) in enumerate(zip(names, xs, ys, strict=True)):
        if number in far:
            _ring(group, x(a), y(b), class_="outlier")
            anchor = "end" if x(a) > (left + right) / 2 else "start"
            shift = -7 if anchor == "end" else 7
            _element(
                group,
                "text",
                _shorten(name, 24),
                x=x(a) + shift,
                y=y(b) - 6,
                text_anchor=anchor,
                fill=OUTLIER,
                font_size=11,
            )
        else:
            _dot(group, x(a), y(b), 3.5, class_="point")
    key = _element(root, "g", class_="key")
    key_y = bottom + 54
    _dot(key, left + 6, key_y - 4, 3.5)
    _element(key, "text", "An area or group", x=left + 14, y=key_y)
    _line(key, [(left + 130, key_y - 4), (left + 154, key_y - 4)], READINGS, 1.5, "6 3")
    _element(key, "text", "Least-squares line", x=left + 159, y=key_y)
    if far:
        _ring(key, left + 282, key_y - 4)
        _element(key, "text", "Far from it", x=left + 290, y=key_y)
    rows = [
        [name, x_measure.number(a), y_measure.number(b), "Far from the line" if i in far else ""]
        for i, (name, a, b) in enumerate(zip(names, xs, ys, strict=True))
    ]
    headers = ["Area or group", x_label, y_label, "Note"]
    return Chart(svg=_serialise(root), summary=summary, table_headers=headers, table_rows=rows)


def scenario_chart(
    *,
    title: str,
    rows: Sequence[tuple[str, float, float | None, float | None]],
    target: float,
    measure: Measure,
    chart_id: str = "scenarios",
) -> Chart:
    """The forecast at the target date under each scenario, one row each (the trend alone
    first): a dot at the forecast, a bar across its 95% range, and the target as a dashed
    vertical line, so the gap each scenario leaves can be seen side by side."""
    left, right, top, row_height = 150, WIDTH - RIGHT, 16, 26
    values = [target] + [
        v for _, value, low, high in rows for v in (value, low, high) if v is not None
    ]
    ticks, decimals = _value_ticks(min(values), max(values))
    x = _Scale(ticks[0], ticks[-1], left, right)
    bottom = top + row_height * len(rows)
    summary = (
        " ".join(
            f"{name}: {measure.value(value)}"
            + (f" ({measure.interval(low, high)})" if low is not None and high is not None else "")
            + "."
            for name, value, low, high in rows
        )
        + f" Target {measure.value(target)}."
    )
    root = _svg(WIDTH, bottom + 30, title, summary, chart_id)
    axes = _element(root, "g", class_="axes", fill=MUTED, stroke_width=1)
    for tick in ticks:
        _element(axes, "line", x1=x(tick), x2=x(tick), y1=top, y2=bottom, stroke=GRID)
        label = format_value(tick, decimals=decimals)
        _element(axes, "text", label, x=x(tick), y=bottom + 16, text_anchor="middle")
    group = _element(root, "g", class_="target")
    _line(group, [(x(target), top - 6), (x(target), bottom)], TARGET, 2, "8 4")
    _element(group, "text", "Target", x=x(target) + 4, y=top - 2, fill=TARGET, font_size=11)
    for number, (name, value, low, high) in enumerate(rows):
        middle = top + row_height * number + row_height / 2
        group = _element(root, "g", class_="scenario")
        _element(group, "text", _shorten(name, 24), x=8, y=middle + 4)
        if low is not None and high is not None:
            _line(group, [(x(low), middle), (x(high), middle)], MARGIN, 3)
        _dot(group, x(value), middle, 4, hollow=number == 0)
    headers = ["Scenario", "Forecast", "Lower", "Upper"]
    table = [
        [
            name,
            measure.number(value),
            "" if low is None else measure.number(low),
            "" if high is None else measure.number(high),
        ]
        for name, value, low, high in rows
    ]
    return Chart(svg=_serialise(root), summary=summary, table_headers=headers, table_rows=table)
