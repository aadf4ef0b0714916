"""Which way of drawing indicator charts meets our constraints, and how fast is it?

Run from the project root: `.venv/bin/python bench/charts_candidates.py`. It installs
nothing: a candidate whose library is not in .venv is reported as missing. Candidates:

- pygal 3.1.3, told not to load its tooltip script (`js=[]`) and not to prefix its CSS;
- matplotlib 3.11.2, drawn by its own SVG backend (no Agg) with `svg.fonttype: none`, as it
  comes and after `clean_matplotlib_svg` turns its style attributes into SVG attributes;
- the standard library: `outcomes.charts`, which writes the SVG itself.

Each draws one chart: 60 monthly readings with margins, a target trajectory, a forecast with
its 95% band and two comparators. For each it prints the median time of 50 draws of that
chart and of a sparkline, the time a fresh process takes to import it, the bytes, what the
Content-Security-Policy would block (<script>, <style>, style=, on…= attributes, external
references) and how many labels stay <text>. It writes the chart inside an HTML page to PDF
and PNG with WeasyPrint and pdftoppm, in /tmp/charts/bench-<name>.{pdf,png}, to look at.
The figures and the choice they led to are in docs/charts.md.
"""

from __future__ import annotations

import math
import re
import shutil
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from outcomes import arithmetic
from outcomes.arithmetic import Point

RUNS = 50
OUT = Path("/tmp/charts")  # noqa: S108 (pictures to look at, not secrets)
SVG_NS = "{http://www.w3.org/2000/svg}"
TITLE = "Children in relative low-income families"

# The chart every candidate draws ---------------------------------------------------------------


def _month(start: date, months: int) -> date:
    year, month = divmod(start.month - 1 + months, 12)
    return date(start.year + year, month + 1, 1)


def _wiggle(i: int) -> float:
    return 0.6 * math.sin(i * 1.7) + 0.3 * math.cos(i * 0.9)


START = date(2021, 4, 1)
READINGS = [
    Point(_month(START, i), v, v - 1.2, v + 1.2)
    for i, v in ((i, round(18.9 - 0.08 * i + _wiggle(i), 1)) for i in range(60))
]
COMPARATORS = {
    "England": [Point(_month(START, i), round(17.5 - 0.03 * i, 1)) for i in range(0, 60, 3)],
    "Similar areas": [Point(_month(START, i), round(19.5 - 0.05 * i, 1)) for i in range(0, 60, 3)],
}
BASELINE = READINGS[0]
TARGET_DATE = date(2028, 3, 1)
TARGET_VALUE = 12.0
LAST = READINGS[-1].when
FORECAST_DATES = [
    LAST + timedelta(days=round((TARGET_DATE - LAST).days * k / 12)) for k in range(13)
]


def _forecasts() -> list[arithmetic.Forecast]:
    """As arithmetic.forecast at each date, but fitting the line once (13 fits cost 21 ms)."""
    fitted = arithmetic.trend(READINGS)
    assert fitted is not None
    t = arithmetic.student_t_quantile(0.975, fitted.n - 2)
    forecasts = []
    for when in FORECAST_DATES:
        value, scale = fitted.value_at(when), fitted.prediction_scale(when) or 0.0
        forecasts.append(arithmetic.Forecast(when, value, value - t * scale, value + t * scale))
    return forecasts


# pygal ------------------------------------------------------------------------------------------


def draw_pygal() -> str:
    import pygal

    chart = pygal.DateLine(
        title=TITLE,
        js=[],  # no tooltip script from a CDN; pygal still inlines its config as a <script>
        no_prefix=True,
        show_dots=True,
        x_label_rotation=0,
        disable_xml_declaration=True,
        explicit_size=False,
        dots_size=2,
    )
    chart.add("Readings", [(p.when, p.value) for p in READINGS])
    # pygal's error bars ("ci") fail on date axes, so the margins are two thin lines.
    chart.add("Lower", [(p.when, p.lower) for p in READINGS], show_dots=False)
    chart.add("Upper", [(p.when, p.upper) for p in READINGS], show_dots=False)
    chart.add(
        "Target",
        [(BASELINE.when, BASELINE.value), (TARGET_DATE, TARGET_VALUE)],
        stroke_style={"dasharray": "6,4"},
    )
    forecasts = _forecasts()
    chart.add("Forecast", [(f.when, f.value) for f in forecasts], stroke_style={"dasharray": "3,3"})
    chart.add("95% range (low)", [(f.when, f.lower) for f in forecasts], show_dots=False)
    chart.add("95% range (high)", [(f.when, f.upper) for f in forecasts], show_dots=False)
    for name, points in COMPARATORS.items():
        chart.add(name, [(p.when, p.value) for p in points], show_dots=False)
    return chart.render(is_unicode=True)


def sparkline_pygal() -> str:
    import pygal

    chart = pygal.Line(js=[], no_prefix=True, disable_xml_declaration=True)
    chart.add("Readings", [p.value for p in READINGS])
    return chart.render_sparkline(is_unicode=True)


# matplotlib -------------------------------------------------------------------------------------


def draw_matplotlib() -> str:
    import matplotlib as mpl
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    _configure_matplotlib(mpl)
    figure = Figure(figsize=(6.4, 3.6))
    FigureCanvasSVG(figure)
    axes = figure.add_subplot()
    when = [p.when for p in READINGS]
    values = [p.value for p in READINGS]
    axes.errorbar(
        when,
        values,
        yerr=[[p.value - p.lower for p in READINGS], [p.upper - p.value for p in READINGS]],
        color="#1d4e89",
        ecolor="#9fb3cc",
        marker="o",
        markersize=3,
        linewidth=1.5,
        label="Readings",
    )
    axes.plot(
        [BASELINE.when, TARGET_DATE],
        [BASELINE.value, TARGET_VALUE],
        linestyle=(0, (6, 4)),
        color="#b35806",
        label="Target",
    )
    axes.plot([TARGET_DATE], [TARGET_VALUE], marker="D", color="#b35806")
    forecasts = _forecasts()
    axes.plot(
        [f.when for f in forecasts],
        [f.value for f in forecasts],
        linestyle=(0, (3, 3)),
        color="#1d4e89",
        label="Forecast",
    )
    axes.fill_between(
        [f.when for f in forecasts],
        [f.lower for f in forecasts],
        [f.upper for f in forecasts],
        color="#1d4e89",
        alpha=0.15,
        linewidth=0,
        label="95% range",
    )
    for (name, points), dashes in zip(
        COMPARATORS.items(), [(0, (1, 2)), (0, (8, 2, 1, 2))], strict=True
    ):
        axes.plot(
            [p.when for p in points],
            [p.value for p in points],
            color="#595959",
            linewidth=1,
            linestyle=dashes,
            label=name,
        )
    axes.set_title(TITLE, fontsize=14)
    axes.legend(loc="lower left", ncols=2)  # a fixed place: "best" costs 15 ms more
    return _save(figure)


def _configure_matplotlib(mpl) -> None:
    mpl.rcParams["svg.fonttype"] = "none"  # text as <text>, not glyph paths
    mpl.rcParams["svg.hashsalt"] = "improveplan"  # stable ids between runs
    mpl.rcParams["text.parse_math"] = False  # "$" in a title is a dollar, not TeX
    mpl.rcParams["font.size"] = 11  # legible: nothing under 11 units


def _save(figure) -> str:
    import io

    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None})
    return buffer.getvalue()


def sparkline_matplotlib() -> str:
    import matplotlib as mpl
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    _configure_matplotlib(mpl)
    figure = Figure(figsize=(160 / 72, 48 / 72))
    FigureCanvasSVG(figure)
    axes = figure.add_axes((0.03, 0.08, 0.94, 0.84))
    axes.set_axis_off()
    axes.plot([p.when for p in READINGS], [p.value for p in READINGS], color="#1d4e89")
    end = _forecasts()[-1]
    axes.plot([LAST, end.when], [READINGS[-1].value, end.value], color="#1d4e89", linestyle=":")
    axes.plot([TARGET_DATE], [TARGET_VALUE], marker="D", color="#9a4a00")
    return clean_matplotlib_svg(_save(figure))


# Properties SVG allows as attributes; `font` is a CSS shorthand and is split by hand.
_PRESENTATION = {
    "clip-path", "clip-rule", "color", "fill", "fill-opacity", "fill-rule", "font-family",
    "font-size", "font-style", "font-weight", "opacity", "stroke", "stroke-dasharray",
    "stroke-dashoffset", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit",
    "stroke-opacity", "stroke-width", "text-anchor",
}  # fmt: skip


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (SVG we have just drawn ourselves)


def clean_matplotlib_svg(svg: str) -> str:
    """matplotlib's SVG without what a strict CSP blocks: style= and <style> become attributes."""
    ET.register_namespace("", "http://www.w3.org/2000/svg")
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    root = _parse(svg)
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in (f"{SVG_NS}style", f"{SVG_NS}metadata"):
                parent.remove(child)
    root.set("stroke-linejoin", "round")  # what matplotlib's <style> said for every element
    root.set("stroke-linecap", "butt")
    for element in root.iter():
        style = element.attrib.pop("style", None)
        if style is None:
            continue
        for declaration in style.split(";"):
            name, _, value = (part.strip() for part in declaration.partition(":"))
            if name == "font":  # "font: 10px 'DejaVu Sans'"
                size, _, family = value.partition(" ")
                element.set("font-size", size)
                element.set("font-family", family.replace("'", ""))
            elif name in _PRESENTATION:
                element.set(name, value)
    for name in ("width", "height"):
        root.attrib.pop(name, None)
    # Ids made unique on the page (matplotlib numbers them per figure), and the references too.
    prefix = "chart-"
    for element in root.iter():
        for name, value in element.attrib.items():
            if name == "id":
                element.set(name, prefix + value)
            elif name.endswith("href"):  # not fill="#fff": colours start with # too
                element.set(name, "#" + prefix + value[1:])
            elif "url(#" in value:
                element.set(name, value.replace("url(#", "url(#" + prefix))
    root.set("role", "img")
    root.set("aria-labelledby", f"{prefix}title")
    title = ET.Element(f"{SVG_NS}title", id=f"{prefix}title")
    title.text = TITLE
    root.insert(0, title)
    return ET.tostring(root, encoding="unicode")


def draw_matplotlib_cleaned() -> str:
    return clean_matplotlib_svg(draw_matplotlib())


# The standard library ---------------------------------------------------------------------------


def draw_stdlib(small: bool = False) -> str:
    from outcomes import charts

    return charts.indicator_chart(
        title=TITLE,
        unit="%",
        readings=READINGS,
        direction=arithmetic.Direction.LOWER_IS_BETTER,
        target=charts.TargetLine(BASELINE.when, BASELINE.value, TARGET_DATE, TARGET_VALUE),
        comparators=[charts.Series(name, points) for name, points in COMPARATORS.items()],
        small=small,
    ).svg


def sparkline_stdlib() -> str:
    return draw_stdlib(small=True)


# Measuring --------------------------------------------------------------------------------------


def blocked_by_csp(svg: str) -> list[str]:
    """What a page with `style-src 'self' 'nonce-…'; script-src 'self' 'nonce-…'` would block."""
    root = _parse(svg)
    found = set()
    for element in root.iter():
        tag = element.tag.removeprefix(SVG_NS)
        if tag in ("script", "style"):
            found.add(f"<{tag}>")
        for name, value in element.attrib.items():
            local = name.rpartition("}")[2]
            if local == "style":
                found.add("style=")
            elif local.startswith("on"):
                found.add(f"{local}=")
            elif local == "href" and not value.startswith("#"):
                found.add(f"href={value[:40]}")
    for instruction in re.findall(r"<\?xml-stylesheet[^>]*\?>", svg):
        found.add(instruction)
    return sorted(found)


def text_elements(svg: str) -> int:
    return sum(1 for element in _parse(svg).iter(f"{SVG_NS}text"))


def median_ms(draw: Callable[[], str]) -> float:
    draw()  # the first draw pays for imports and caches
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        draw()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def render(name: str, svg: str) -> Path | None:
    """The chart in a page, through WeasyPrint to PDF, and the PDF's first page to PNG."""
    import weasyprint

    svg = re.sub(r"^<\?xml[^>]*\?>\s*(<!DOCTYPE[^>]*>\s*)?", "", svg)
    html = f"<!doctype html><title>{name}</title><div style='width:16cm'>{svg}</div>"
    OUT.mkdir(exist_ok=True)
    pdf = OUT / f"bench-{name}.pdf"
    weasyprint.HTML(string=html).write_pdf(pdf)
    if not shutil.which("pdftoppm"):
        return None
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(pdf.with_suffix(""))],  # noqa: S607
        check=True,
    )
    return pdf.with_suffix(".png")


def import_ms(modules: str) -> float:
    """How long a fresh process takes to import the candidate (each web worker pays it once)."""
    code = f"import time; t = time.perf_counter(); import {modules}; print(time.perf_counter() - t)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return float(result.stdout) * 1000


# name: (one full chart, one sparkline, what it imports)
CANDIDATES: dict[str, tuple[Callable[[], str], Callable[[], str], str]] = {
    "pygal": (draw_pygal, sparkline_pygal, "pygal"),
    "matplotlib": (draw_matplotlib, sparkline_matplotlib, "matplotlib.figure"),
    "matplotlib-cleaned": (draw_matplotlib_cleaned, sparkline_matplotlib, "matplotlib.figure"),
    "stdlib": (draw_stdlib, sparkline_stdlib, "outcomes.charts"),
}


def main() -> None:
    print(
        f"{'candidate':20} {'chart ms':>8} {'spark ms':>8} {'import ms':>9} {'bytes':>7}"
        f" {'<text>':>6}  blocked by the CSP"
    )
    for name, (draw, sparkline, modules) in CANDIDATES.items():
        try:
            ms, spark_ms = median_ms(draw), median_ms(sparkline)
        except ImportError as error:
            print(f"{name:20} not installed ({error.name})")
            continue
        svg = draw()
        blocked = ", ".join(blocked_by_csp(svg)) or "nothing"
        print(
            f"{name:20} {ms:8.1f} {spark_ms:8.1f} {import_ms(modules):9.0f}"
            f" {len(svg.encode()):7} {text_elements(svg):6}  {blocked}"
        )
        png = render(name, svg)
        if png:
            print(f"{'':20} rendered by WeasyPrint: {png}")


if __name__ == "__main__":
    main()
