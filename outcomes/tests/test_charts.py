"""Indicator charts: SVG that a strict Content-Security-Policy lets through, readable by people
who cannot see it, and the words and table that say what it shows."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date

import pytest

from outcomes import arithmetic, charts
from outcomes.arithmetic import Direction, Point
from outcomes.charts import Chart, Mark, Series, TargetLine, indicator_chart

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script> Fish & chips"


def quarter(i: int) -> date:
    """The first day of the i-th quarter from April 2021."""
    year, month = divmod(2021 * 12 + 3 + 3 * i, 12)
    return date(year, month + 1, 1)


# Children in low-income families (%), falling: quarterly readings with margins of error.
FALLING = [
    Point(quarter(i), value, value - 1.1, value + 1.1)
    for i, value in enumerate([18.9, 18.6, 18.0, 17.9, 17.2, 16.8, 16.9, 16.1, 15.7, 15.2])
]
# Children ready for school (%), rising, without margins.
RISING = [Point(date(2019 + i, 3, 31), value) for i, value in enumerate([55.0, 57.5, 58.9, 60.1])]
TARGET = TargetLine(
    baseline_date=FALLING[0].when,
    baseline_value=18.9,
    target_date=date(2028, 3, 1),
    target_value=12.0,
)
ENGLAND = Series("England", [Point(quarter(i), 17.0 - 0.1 * i) for i in range(10) if i != 3])


def chart(**overrides) -> Chart:
    arguments = {
        "title": "Children in relative low-income families",
        "unit": "%",
        "readings": FALLING,
        "direction": Direction.LOWER_IS_BETTER,
        "target": TARGET,
        "comparators": [ENGLAND],
        "marks": [Mark(quarter(4), "Holiday food programme began")],
    }
    return indicator_chart(**(arguments | overrides))


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output)


def in_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [element for element in root.iter() if name in element.get("class", "").split()]


EVERY_KIND = {
    "full": {},
    "small": {"small": True},
    "no readings": {"readings": []},
    "no readings, small": {"readings": [], "small": True},
}


# What the Content-Security-Policy and the screen readers need ---------------------------------


@pytest.mark.parametrize("options", EVERY_KIND.values(), ids=EVERY_KIND.keys())
def test_nothing_in_the_svg_is_blocked_by_the_content_security_policy(options):
    root = parse(chart(title=HOSTILE, comparators=[Series(HOSTILE, FALLING)], **options).svg)

    for element in root.iter():
        assert element.tag not in (f"{SVG}script", f"{SVG}style", f"{SVG}foreignObject")
        for name, value in element.attrib.items():
            assert name != "style"
            assert not name.lower().startswith("on"), name
            assert "href" not in name, "no links, not even internal ones, are needed"
            assert "url(" not in value


@pytest.mark.parametrize("options", EVERY_KIND.values(), ids=EVERY_KIND.keys())
def test_the_svg_is_an_image_named_by_its_title_and_described_by_its_summary(options):
    result = chart(title=HOSTILE, chart_id="poverty", **options)
    root = parse(result.svg)

    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "poverty-title poverty-desc"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert (title.get("id"), title.text) == ("poverty-title", HOSTILE)
    assert (desc.get("id"), desc.text) == ("poverty-desc", result.summary)
    assert root.get("viewBox")
    assert root.get("width") is None, "the viewBox alone sizes it, so it fits a phone"


def test_a_chart_under_its_own_heading_leaves_the_title_out_of_the_drawing():
    """The PDF reports head each chart with its indicator's name: the drawing does not repeat
    it, yet keeps it as the SVG's title, and loses nothing else."""
    titled, untitled = chart(), chart(titled=False)
    drawn = [text.text for text in parse(titled.svg).iter(f"{SVG}text")]
    left = [text.text for text in parse(untitled.svg).iter(f"{SVG}text")]

    assert "Children in relative low-income families" in drawn
    assert "Children in relative low-income families" not in left
    assert [text for text in drawn if text != "Children in relative low-income families"] == left
    title = parse(untitled.svg).find(f"{SVG}title")
    assert title.text == "Children in relative low-income families"
    assert untitled.summary == titled.summary and untitled.table_rows == titled.table_rows


def test_text_from_users_is_escaped():
    svg = chart(title=HOSTILE, comparators=[Series(HOSTILE, FALLING)]).svg

    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Fish &amp; chips" in svg
    texts = [element.text for element in parse(svg).iter(f"{SVG}text")]
    assert HOSTILE in texts, "the comparator's name in the key"


def test_the_text_stays_text_and_is_legible():
    root = parse(chart().svg)

    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "Children in relative low-income families" in texts
    assert "Holiday food programme began" in texts
    assert "%, lower is better" in texts
    sizes = [float(e.get("font-size")) for e in root.iter() if e.get("font-size") is not None]
    assert min(sizes) >= 11


def test_two_charts_on_one_page_share_no_id():
    ids = Counter(
        element.get("id")
        for chart_id in ("poverty", "readiness")
        for element in parse(chart(chart_id=chart_id).svg).iter()
        if element.get("id")
    )

    assert ids and max(ids.values()) == 1


# What is drawn ----------------------------------------------------------------------------------


def test_every_reading_has_a_marker_and_a_margin_of_error():
    root = parse(chart().svg)

    assert len(in_class(root, "reading")) == len(FALLING)
    margins = [e for e in in_class(root, "readings")[0] if e.get("stroke") == "#5a7fae"]
    assert len(margins) == len(FALLING)


def test_the_target_line_is_drawn_only_when_there_is_a_target():
    assert len(in_class(parse(chart().svg), "target")) == 1
    assert in_class(parse(chart(target=None).svg), "target") == []


def test_the_forecast_and_its_band_need_three_readings():
    three, two = parse(chart(readings=FALLING[:3]).svg), parse(chart(readings=FALLING[:2]).svg)

    assert in_class(three, "forecast") and in_class(three, "forecast-band")
    assert in_class(two, "forecast") == [] and in_class(two, "forecast-band") == []


def test_the_forecast_is_arithmetics_at_every_date():
    """The chart fits the line once rather than at each date; the numbers must be the same."""
    drawn = charts._forecast(FALLING, date(2027, 3, 1))

    assert len(drawn) == 13
    assert (drawn[0].when, drawn[-1].when) == (FALLING[-1].when, date(2027, 3, 1))
    for point in drawn:
        expected = arithmetic.forecast(FALLING, point.when)
        assert point.value == pytest.approx(expected.value, rel=1e-12)
        assert point.lower == pytest.approx(expected.lower, rel=1e-12)
        assert point.upper == pytest.approx(expected.upper, rel=1e-12)


def test_comparators_differ_by_dash_pattern_not_only_by_colour():
    others = [Series(f"Area {n}", [Point(q.when, q.value + n) for q in FALLING]) for n in range(3)]
    root = parse(chart(comparators=[ENGLAND, *others]).svg)

    patterns = [group[0].get("stroke-dasharray") for group in in_class(root, "comparator")]
    assert len(patterns) == 4 and len(set(patterns)) == 4
    assert None not in patterns


def test_a_mark_is_a_vertical_line_with_its_label():
    (mark,) = in_class(parse(chart().svg), "mark")

    line, label = mark.find(f"{SVG}polyline"), mark.find(f"{SVG}text")
    (x1, _), (x2, _) = (pair.split(",") for pair in line.get("points").split())
    assert x1 == x2
    assert label.text == "Holiday food programme began"


# The words and the table ------------------------------------------------------------------------


# The forecasts below agree with numpy.polyfit and scipy.stats.t.ppf.


def test_the_summary_of_a_falling_series_with_a_target():
    assert chart().summary == (
        "Latest 15.2% in July 2023, down from 18.9% in April 2021. "
        "Target 12.0% by March 2028. "
        "Forecast 7.8% by then (between 6.7% and 8.9%)."
    )


def test_the_summary_of_a_rising_series_forecast_to_a_date_of_its_own():
    result = indicator_chart(
        title="Children ready for school",
        unit="%",
        readings=RISING,
        direction=Direction.HIGHER_IS_BETTER,
        forecast_to=date(2026, 3, 31),
    )

    assert result.summary == (
        "Latest 60.1% in March 2022, up from 55.0% in March 2019. "
        "Forecast 67.1% by March 2026 (between 61.5% and 72.6%)."
    )


def test_the_summary_of_one_reading_makes_no_forecast():
    result = chart(readings=FALLING[:1])

    assert result.summary == (
        "Latest 18.9% in April 2021, the only reading so far. Target 12.0% by March 2028."
    )


def test_the_plain_words_summary_and_key_for_the_public_summary():
    """No margin of error, range or scale: what it was, what we aim for, where it is heading."""
    result = chart(plain=True, comparators=[ENGLAND, Series("Places like ours", ENGLAND.points)])

    assert result.summary == (
        "In July 2023 it was 15.2%. In April 2021 it was 18.9%. "
        "Our aim is 12.0% by March 2028. "
        "If things go on as they are, it will be about 7.8% by March 2028."
    )
    key = [text.text for text in parse(result.svg).iter(f"{SVG}text")]
    for words in ["Our figures", "Could be between", "Our aim", "Where it is heading"]:
        assert words in key
    for words in ["Readings", "Margin of error", "Forecast", "forecast range", "target"]:
        assert not any(words in text for text in key if text), words


def test_a_rate_of_people_reads_as_whole_people_in_plain_words():
    from outcomes.units import Measure

    rate = Measure("rate", 100_000)
    assert rate.value(2320.04) == "2,320.0 per 100,000"
    assert rate.plain().value(2320.04) == "2,320 in every 100,000"
    assert rate.plain().number(2320.5) == "2,321"
    assert Measure("percent").plain().value(14.13) == "14.1%"
    assert Measure("count").plain().value(231) == "231"


def test_the_table_holds_the_data_with_a_gap_where_a_comparator_has_none():
    result = chart(readings=FALLING[:5])

    assert result.table_headers == ["Period", "Value", "Lower", "Upper", "England"]
    assert result.table_rows[:5] == [
        ["April 2021", "18.9", "17.8", "20.0", "17.0"],
        ["July 2021", "18.6", "17.5", "19.7", "16.9"],
        ["October 2021", "18.0", "16.9", "19.1", "16.8"],
        ["January 2022", "17.9", "16.8", "19.0", ""],
        ["April 2022", "17.2", "16.1", "18.3", "16.6"],
    ]
    # England has readings after ours: those periods are listed, with our columns blank.
    assert result.table_rows[5] == ["July 2022", "", "", "", "16.5"]


def test_readings_without_margins_leave_those_cells_blank():
    result = indicator_chart(
        title="Ready for school", unit="%", readings=RISING, direction=Direction.HIGHER_IS_BETTER
    )

    assert result.table_rows[0] == ["March 2019", "55.0", "", ""]


# The sparkline and the empty chart --------------------------------------------------------------


def test_the_small_chart_is_a_sparkline():
    result = chart(small=True)
    root = parse(result.svg)

    assert root.get("viewBox") == "0 0 160 48"
    assert len(result.svg) < 2000
    assert list(root.iter(f"{SVG}text")) == [], "no axes, no labels"
    assert in_class(root, "readings") and in_class(root, "target") and in_class(root, "forecast")
    assert result.summary == chart().summary
    assert result.table_rows == [], "the dashboard shows no table under a sparkline"


def test_no_readings_yet():
    result = chart(readings=[])
    root = parse(result.svg)

    assert result.summary == "No readings yet."
    assert [element.text for element in root.iter(f"{SVG}text")] == ["No readings yet"]
    assert result.table_rows == []
    assert result.table_headers == ["Period", "Value", "Lower", "Upper", "England"]


@pytest.mark.parametrize(
    "readings",
    [
        [Point(date(2024, 3, 31), 0.0)] * 4,  # every reading on one date, and all zero
        [Point(date(2020 + i, 3, 31), 5.0) for i in range(4)],  # flat
        [Point(date(2024, 1, 1), -3.5), Point(date(2024, 2, 1), 2_000_000.0)],
        [Point(date(1600, 1, 1), 1.0), Point(date(2024, 1, 1), 2.0)],
    ],
    ids=["one date", "flat", "wide range", "centuries apart"],
)
def test_awkward_readings_still_draw(readings):
    for small in (False, True):
        parse(chart(readings=readings, comparators=[Series("Empty", [])], small=small).svg)


# In the PDF -------------------------------------------------------------------------------------


def test_weasyprint_puts_the_chart_into_the_pdf_as_text(tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    import weasyprint

    html = f"<!doctype html><html lang='en'><title>Report</title><body>{chart().svg}</body></html>"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(weasyprint.HTML(string=html).write_pdf())

    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Children in relative low-income families" in text
    assert "Holiday food programme began" in text
