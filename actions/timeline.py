"""The timeline of a plan's actions (a Gantt chart), drawn on the server as SVG.

Written like outcomes/charts.py (docs/charts.md says why): the standard library only, and
nothing the site's Content-Security-Policy blocks: no script, no style element or attribute,
no link, not even to a marker or pattern inside the SVG, so arrowheads are drawn as triangles.
Text stays <text>. Nothing depends on colour alone, because plans are printed in greyscale:

- an action is a bar from the start of its start date to the end of its due date; a done
  action's bar is mid-tone, one not done is pale, and every row says its status in words in
  the right-hand column;
- the critical path has taller bars with a heavy outline, and a dot before the reference;
- a milestone is a diamond, hollow until it is reached, then filled;
- a dependency is an arrow from the end of an action to the start of the one that waits for
  it; an arrow for a late dependency (one due on or after its dependant starts) is dashed;
- today is a dashed vertical line, labelled.

Rows are drawn in the order given. A dependency on an action not among the rows (in another
plan, or filtered out) is not drawn. No Django here: plain values in, strings out.
"""

from __future__ import annotations

import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from actions import dependencies
from actions.dependencies import CriticalPath, CycleError, Task
from outcomes.arithmetic import format_month
from outcomes.charts import GRID, INK, MUTED, _element, _number, _points


@dataclass(frozen=True)
class Milestone:
    when: date
    label: str
    done: bool


@dataclass(frozen=True)
class Row:
    key: str  # the action's reference, "A-02"
    label: str
    start: date
    due: date
    status: str  # in words, as the action's page says it: "On track", "Done"
    milestones: tuple[Milestone, ...] = ()
    depends_on: tuple[str, ...] = ()
    done: bool = False


@dataclass(frozen=True)
class Timeline:
    svg: str
    summary: str
    table_headers: list[str]
    table_rows: list[list[str]]


TABLE_HEADERS = [
    "Reference",
    "Action",
    "Start",
    "Due",
    "Status",
    "Depends on",
    "On the critical path",
]

# Colours keep at least 3:1 against white (WCAG 1.4.11) where they carry meaning, as in charts.
BAR = "#1d4e89"
BAR_DONE = "#5a7fae"  # mid-tone, so that a reached milestone (dark) shows on it
BAR_PALE = "#d3deec"
LATE = "#9a4a00"
STRIPE = "#f4f4f4"
MINOR_GRID = "#ececec"
WHITE = "#ffffff"

WIDTH = 760  # viewBox units; the SVG grows taller with its rows, never wider
PAD = 8
FONT = 12  # ticks and key; the title is larger, rows 11
ROW_FONT = 11
CHAR_WIDTH = 0.6  # of the font size: a generous average for a sans-serif, to lay out by
ROW = 20  # the height of a row: 60 rows make a chart about 1,350 units tall
BAR_HEIGHT, CRITICAL_HEIGHT = 8, 12
LABELS_LEFT = PAD + 14  # room for the critical path's dot
LABELS_WIDTH = 240
STATUS_WIDTH = 84  # "Not started" at 11 units
PLOT_LEFT = LABELS_LEFT + LABELS_WIDTH
PLOT_RIGHT = WIDTH - PAD - STATUS_WIDTH
HEAD = 5  # the length of an arrowhead
ONE_DAY = timedelta(days=1)
# Tick labels are repeated under the rows when the chart is taller than a screen is likely to be.
ROWS_FOR_AXIS_BELOW = 15
LONGEST_PATH_LISTED = 6


def timeline(
    *,
    title: str,
    rows: Sequence[Row],
    today: date | None = None,
    chart_id: str = "timeline",
) -> Timeline:
    """The timeline of `rows`, with the words and the table that say the same.

    `today` (default: the real date) places the today line, drawn only within the timeline.
    Dependencies in a circle are reported in the summary rather than raised, so that a page
    still shows the plan; two rows with one key are a mistake and raise ValueError.
    """
    if not rows:
        summary = "No actions yet."
        svg = _no_actions_svg(title, summary, chart_id)
        return Timeline(svg=svg, summary=summary, table_headers=TABLE_HEADERS, table_rows=[])
    today = today or date.today()
    tasks = _tasks(rows)
    late = dependencies.conflicts(tasks)
    linked = any(task.depends_on for task in tasks)
    path: CriticalPath | None = None
    cycle: list[str] | None = None
    if linked:
        try:
            path = dependencies.critical_path(tasks)
        except CycleError as error:
            cycle = error.cycle
    critical = path.keys if path else []
    summary = _summary(rows, path, cycle, late)
    svg = _draw(
        title=title,
        summary=summary,
        rows=rows,
        tasks=tasks,
        critical=critical,
        late={(dependant, dependency) for dependant, dependency, _ in late},
        today=today,
        chart_id=chart_id,
    )
    return Timeline(
        svg=svg,
        summary=summary,
        table_headers=TABLE_HEADERS,
        table_rows=_table_rows(rows, set(critical), late),
    )


def _tasks(rows: Sequence[Row]) -> list[Task]:
    keys = {row.key for row in rows}
    return [
        Task(
            key=row.key,
            label=row.label,
            start=row.start,
            due=row.due,
            depends_on=tuple(key for key in dict.fromkeys(row.depends_on) if key in keys),
            done=row.done,
        )
        for row in rows
    ]


# The words and the table ------------------------------------------------------------------------


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _summary(
    rows: Sequence[Row],
    path: CriticalPath | None,
    cycle: list[str] | None,
    late: list[tuple[str, str, int]],
) -> str:
    first = format_month(min(row.start for row in rows))
    last = format_month(max(row.due for row in rows))
    span = f"in {first}" if first == last else f"from {first} to {last}"
    parts = [f"{_plural(len(rows), 'action', 'actions')} {span}"]
    if cycle is not None:
        arrows = " → ".join(cycle)
        parts.append(f"some actions depend on each other in a circle ({arrows})")
    elif path is None:
        parts.append("no action depends on another")
    else:
        if len(path.keys) > LONGEST_PATH_LISTED:
            through = f"{len(path.keys)} actions, from {path.keys[0]} to {path.keys[-1]},"
        else:
            through = _and(path.keys)
        parts.append(
            f"the critical path runs through {through} and ends in {format_month(path.finish)}"
        )
    if late:
        verb = "is" if len(late) == 1 else "are"
        parts.append(f"{_plural(len(late), 'dependency', 'dependencies')} {verb} late")
    return "; ".join(parts) + "."


def format_day(when: date) -> str:
    return f"{when.day} {when:%B %Y}"


def _table_rows(
    rows: Sequence[Row], critical: set[str], late: list[tuple[str, str, int]]
) -> list[list[str]]:
    days_late = {(dependant, dependency): days for dependant, dependency, days in late}
    table = []
    for row in rows:
        needs = []
        for key in dict.fromkeys(row.depends_on):
            days = days_late.get((row.key, key))
            needs.append(key if days is None else f"{key} (late by {_plural(days, 'day', 'days')})")
        table.append(
            [
                row.key,
                row.label,
                format_day(row.start),
                format_day(row.due),
                row.status,
                ", ".join(needs),
                "Yes" if row.key in critical else "No",
            ]
        )
    return table


# Scales and ticks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scale:
    """Days since 1 AD onto viewBox units across the plot."""

    first: int
    last: int

    def __call__(self, when: date) -> float:
        share = (when.toordinal() - self.first) / (self.last - self.first)
        return PLOT_LEFT + share * (PLOT_RIGHT - PLOT_LEFT)


def _month_start(when: date, months_later: int = 0) -> date:
    year, month = divmod(when.year * 12 + when.month - 1 + months_later, 12)
    return date(year, month + 1, 1)


def _months(first: date, last: date, step: int) -> list[date]:
    """The first days of the months from `first` to `last` that a step of `step` months keeps:
    quarters begin in January, April, July and October; years in January."""
    months, when = [], _month_start(first)
    while when <= last:
        index = when.year * 12 + when.month - 1
        if index % step == 0:
            months.append(when)
        when = _month_start(when, 1)
    return months


def _tick_label(when: date, step: int) -> str:
    return f"{when:%b %Y}" if step < 12 else str(when.year)


def _text_width(text: str, size: float = FONT) -> float:
    return len(text) * size * CHAR_WIDTH


def _ticks(first: date, last: date) -> tuple[list[tuple[date, str]], list[date]]:
    """Labelled ticks, every month, quarter, half year or year as the span allows, and the
    unlabelled lines between them."""
    width = PLOT_RIGHT - PLOT_LEFT
    for step in (1, 3, 6, 12, 24, 60, 120):
        months = _months(first, last, step)
        room = _text_width(_tick_label(first, step)) + 10
        if sum(when < last for when in months) * room <= width:  # none is written at the end
            break
    minor_step = {1: None, 3: 1, 6: 1, 12: 3, 24: 12, 60: 12, 120: 12}[step]
    minor: list[date] = []
    if minor_step is not None:
        minor = [m for m in _months(first, last, minor_step) if m not in months]
        if minor and width / (len(minor) + len(months)) < 6:  # too close to read as lines
            minor = []
    return [(when, _tick_label(when, step)) for when in months], minor


# Drawing ----------------------------------------------------------------------------------------


def _svg(height: float, title: str, summary: str, chart_id: str) -> ET.Element:
    root = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "id": chart_id,
            "viewBox": f"0 0 {WIDTH} {_number(height)}",
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


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: max(1, length - 1)].rstrip() + "…"


def _no_actions_svg(title: str, summary: str, chart_id: str) -> str:
    height = 60
    root = _svg(height, title, summary, chart_id)
    middle = {"x": WIDTH / 2, "y": height / 2 + 4, "text_anchor": "middle", "fill": MUTED}
    _element(root, "text", "No actions yet", **middle)
    return ET.tostring(root, encoding="unicode")


def _diamond(parent: ET.Element, x: float, y: float, size: float, *, filled: bool) -> None:
    corners = [(x, y - size), (x + size, y), (x, y + size), (x - size, y)]
    fill = INK if filled else WHITE
    _element(parent, "polygon", points=_points(corners), fill=fill, stroke=INK, stroke_width=1.25)


def _bar(parent: ET.Element, x: float, y: float, width: float, *, done: bool, critical: bool):
    height = CRITICAL_HEIGHT if critical else BAR_HEIGHT
    _element(
        parent,
        "rect",
        class_="bar",
        x=x,
        y=y - height / 2,
        width=max(width, 2.0),
        height=height,
        fill=BAR_DONE if done else BAR_PALE,
        stroke=INK if critical else BAR,
        stroke_width=2.5 if critical else 1,
    )


def _arrow(parent, pairs: list[tuple[float, float]], *, late: bool, critical: bool) -> None:
    """A line through `pairs`, its last step pointing right, ending in a triangle."""
    colour = LATE if late else (INK if critical else MUTED)
    group = _element(parent, "g", class_="dependency late" if late else "dependency")
    (x, y) = pairs[-1]
    line = [*pairs[:-1], (x - HEAD, y)]
    _element(
        group,
        "polyline",
        points=_points(line),
        fill="none",
        stroke=colour,
        stroke_width=1.75 if critical else 1,
        stroke_dasharray="4 3" if late else None,
        stroke_linejoin="round",
    )
    head = [(x, y), (x - HEAD, y - 3.5), (x - HEAD, y + 3.5)]
    _element(group, "polygon", points=_points(head), fill=colour)


def _route(start: tuple[float, float], end: tuple[float, float]) -> list[tuple[float, float]]:
    """From the end of a dependency's bar to the start of its dependant's: down (or up) just
    beyond the end, then along the dependant's row; round by the gap between rows when the
    dependant starts too soon for that."""
    (x1, y1), (x2, y2) = start, end
    turn = x1 + 4
    if x2 - turn >= HEAD + 4:
        return [(x1, y1), (turn, y1), (turn, y2), (x2, y2)]
    gap = y2 - ROW / 2 if y2 > y1 else y2 + ROW / 2
    back = x2 - HEAD - 6
    return [(x1, y1), (turn, y1), (turn, gap), (back, gap), (back, y2), (x2, y2)]


def _draw(
    *,
    title: str,
    summary: str,
    rows: Sequence[Row],
    tasks: Sequence[Task],
    critical: list[str],
    late: set[tuple[str, str]],
    today: date,
    chart_id: str,
) -> str:
    # Every day drawn, to the end of the last: bars, and milestones in the middle of their day.
    dates = [min(row.start, row.due) for row in rows]
    dates += [max(row.start, row.due) + ONE_DAY for row in rows]
    for milestone in (milestone for row in rows for milestone in row.milestones):
        dates += [milestone.when, milestone.when + ONE_DAY]
    first = _month_start(min(dates))
    last = _month_start(max(dates) - ONE_DAY, 1)  # whole months, so the edges are ticks
    x = _Scale(first.toordinal(), last.toordinal())
    ticks, minor = _ticks(first, last)
    show_today = first <= today < last

    # Top to bottom: the title, today's label, the dates, the rows, the dates again, the key.
    title_lines = textwrap.wrap(title, int((WIDTH - 2 * PAD) / _text_width("x", 15)))[:3] or [""]
    today_text = 6 + 19 * len(title_lines) + 22
    axis_text = today_text + (16 if show_today else 0)
    rows_top = axis_text + 8
    rows_bottom = rows_top + ROW * len(rows)
    below = len(rows) >= ROWS_FOR_AXIS_BELOW
    key_top = rows_bottom + (30 if below else 14)
    critical_set = set(critical)
    items = _key_items(rows, critical_set, tasks, late, show_today)
    legend = _key_rows(items, WIDTH - 2 * PAD - 40)
    height = key_top + 20 * len(legend) + 4

    root = _svg(height, title, summary, chart_id)
    for number, line in enumerate(title_lines, start=1):
        _element(root, "text", line, x=PAD, y=6 + 19 * number, font_size=15, font_weight="bold")

    # The background: stripes on every other row, then the lines of the months.
    stripes = _element(root, "g", class_="stripes", fill=STRIPE)
    for number in range(1, len(rows), 2):
        top = rows_top + ROW * number
        _element(stripes, "rect", x=PAD, y=top, width=WIDTH - 2 * PAD, height=ROW)
    axes = _element(root, "g", class_="axes", fill=MUTED, stroke_width=1)
    for when in minor:
        where = x(when)
        _element(axes, "line", x1=where, x2=where, y1=rows_top, y2=rows_bottom, stroke=MINOR_GRID)
    heading = {"y": axis_text, "font_weight": "bold", "font_size": ROW_FONT}
    _element(axes, "text", "Action", x=LABELS_LEFT, **heading)
    _element(axes, "text", "Status", x=PLOT_RIGHT + 8, **heading)
    for when, label in ticks:
        where = x(when)
        _element(axes, "line", x1=where, x2=where, y1=rows_top - 6, y2=rows_bottom, stroke=GRID)
        if where + 3 + _text_width(label) <= PLOT_RIGHT:
            _element(axes, "text", label, x=where + 3, y=axis_text)
            if below:
                _element(axes, "text", label, x=where + 3, y=rows_bottom + 16)
    if below:
        for when, _ in ticks:
            where = x(when)
            _element(
                axes, "line", x1=where, x2=where, y1=rows_bottom, y2=rows_bottom + 5, stroke=GRID
            )

    if show_today:
        group = _element(root, "g", class_="today", fill=INK)
        where = x(today) + (x(today + ONE_DAY) - x(today)) / 2
        _element(
            group,
            "line",
            x1=where,
            x2=where,
            y1=today_text + 3,
            y2=rows_bottom,
            stroke=INK,
            stroke_width=1.25,
            stroke_dasharray="2 3",
        )
        label = "Today"
        left = min(max(where - _text_width(label, ROW_FONT) / 2, PLOT_LEFT), PLOT_RIGHT - 30)
        _element(group, "text", label, x=left, y=today_text, font_size=ROW_FONT, font_weight="bold")

    # The arrows first, so that they meet the bars beneath their edges.
    place = {row.key: number for number, row in enumerate(rows)}
    links = {(critical[n + 1], critical[n]) for n in range(len(critical) - 1)}

    def middle(number: int) -> float:
        return rows_top + ROW * number + ROW / 2

    arrows = _element(root, "g", class_="dependencies")
    for task in tasks:
        row = rows[place[task.key]]
        for key in task.depends_on:
            dependency = rows[place[key]]
            start = (x(max(dependency.start, dependency.due) + ONE_DAY), middle(place[key]))
            end = (x(min(row.start, row.due)), middle(place[task.key]))
            _arrow(
                arrows,
                _route(start, end),
                late=(task.key, key) in late,
                critical=(task.key, key) in links,
            )

    key_width = min(_text_width(max((r.key for r in rows), key=len), ROW_FONT) + 2, 80)
    label_room = int((LABELS_WIDTH - key_width - 12) / (ROW_FONT * CHAR_WIDTH))
    status_room = int((STATUS_WIDTH - 10) / (ROW_FONT * CHAR_WIDTH))
    for number, row in enumerate(rows):
        y = middle(number)
        is_critical = row.key in critical_set
        classes = "action critical" if is_critical else "action"
        group = _element(root, "g", class_=classes + (" done" if row.done else ""))
        earlier, later = min(row.start, row.due), max(row.start, row.due)
        _element(
            group,
            "title",
            f"{row.key} {row.label}: {format_day(row.start)} to {format_day(row.due)}. "
            f"{row.status}.",
        )
        if is_critical:
            _element(group, "circle", cx=PAD + 5, cy=y, r=3.5, fill=INK)
        text = {"y": y + 4, "font_size": ROW_FONT}
        _element(group, "text", _shorten(row.key, 12), x=LABELS_LEFT, font_weight="bold", **text)
        _element(
            group, "text", _shorten(row.label, label_room), x=LABELS_LEFT + key_width + 6, **text
        )
        _element(group, "text", _shorten(row.status, status_room), x=PLOT_RIGHT + 8, **text)
        left = x(earlier)
        _bar(group, left, y, x(later + ONE_DAY) - left, done=row.done, critical=is_critical)
        for milestone in row.milestones:
            mark = _element(group, "g", class_="milestone done" if milestone.done else "milestone")
            reached = "reached" if milestone.done else "not yet reached"
            _element(mark, "title", f"{milestone.label}: {format_day(milestone.when)}, {reached}")
            where = x(milestone.when) + (x(milestone.when + ONE_DAY) - x(milestone.when)) / 2
            _diamond(mark, where, y, 5, filled=milestone.done)

    _draw_key(root, legend, key_top)
    return ET.tostring(root, encoding="unicode")  # escapes <, > and & in text and attributes


# The key ----------------------------------------------------------------------------------------


def _key_items(rows, critical, tasks, late, show_today) -> list[tuple[str, str]]:
    """(what, label) for each entry of the key that the chart uses, in the order drawn."""
    items = []
    if any(not row.done for row in rows):
        items.append(("action", "Action"))
    if any(row.done for row in rows):
        items.append(("done", "Done"))
    if critical:
        items.append(("critical", "Critical path"))
    milestones = [milestone for row in rows for milestone in row.milestones]
    if any(not milestone.done for milestone in milestones):
        items.append(("milestone", "Milestone"))
    if any(milestone.done for milestone in milestones):
        items.append(("reached", "Milestone reached"))
    links = {(task.key, key) for task in tasks for key in task.depends_on}
    if links - late:
        items.append(("dependency", "Depends on"))
    if late:
        items.append(("late", "Late dependency"))
    if show_today:
        items.append(("today", "Today"))
    return items


SWATCH = 24  # the width of the sample beside each label in the key
DOT = 10  # the critical path's sample has its dot before the bar


def _key_width(item: tuple[str, str]) -> float:
    what, label = item
    return (DOT if what == "critical" else 0) + SWATCH + 5 + _text_width(label) + 16


def _key_rows(items: list[tuple[str, str]], width: float) -> list[list[tuple[str, str]]]:
    rows: list[list[tuple[str, str]]] = [[]]
    used = 0.0
    for item in items:
        if rows[-1] and used + _key_width(item) > width:
            rows.append([])
            used = 0.0
        rows[-1].append(item)
        used += _key_width(item)
    return rows


def _draw_key(root: ET.Element, rows: list[list[tuple[str, str]]], top: float) -> None:
    key = _element(root, "g", class_="key")
    for number, row in enumerate(rows):
        y = top + 20 * number + 8
        left = float(LABELS_LEFT)
        for what, label in row:
            sample = left
            if what == "critical":
                _element(key, "circle", cx=left + 3.5, cy=y, r=3.5, fill=INK)
                sample += DOT
            middle = sample + SWATCH / 2
            if what in ("action", "done", "critical"):
                _bar(key, sample, y, SWATCH, done=what == "done", critical=what == "critical")
            elif what in ("milestone", "reached"):
                _diamond(key, middle, y, 5, filled=what == "reached")
            elif what in ("dependency", "late"):
                late = what == "late"
                _arrow(key, [(sample, y), (sample + SWATCH, y)], late=late, critical=False)
            else:
                _element(
                    key,
                    "line",
                    x1=middle,
                    x2=middle,
                    y1=y - 8,
                    y2=y + 8,
                    stroke=INK,
                    stroke_width=1.25,
                    stroke_dasharray="2 3",
                )
            _element(key, "text", label, x=sample + SWATCH + 5, y=y + 4)
            left += _key_width((what, label))
