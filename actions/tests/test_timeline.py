"""The timeline of a plan's actions: SVG that a strict Content-Security-Policy lets through,
that reads in greyscale, and the words and table that say what it shows."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date, timedelta

import pytest

from actions import timeline as timeline_module
from actions.timeline import TABLE_HEADERS, Milestone, Row, Timeline, timeline

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script> Fish & chips"
TODAY = date(2026, 11, 12)


def d(text: str) -> date:
    return date.fromisoformat(text)


ROWS = [
    Row(
        "A-01",
        "Recruit four health trainers",
        d("2026-04-01"),
        d("2026-06-30"),
        "Done",
        milestones=(Milestone(d("2026-05-15"), "Posts advertised", True),),
        done=True,
    ),
    Row(
        "A-02",
        "Train the health trainers",
        d("2026-07-01"),
        d("2026-09-30"),
        "On track",
        depends_on=("A-01",),
    ),
    Row(  # planned to start a month before A-02 is due: 30 days late
        "A-03",
        "Open the Northfield health check clinic",
        d("2026-09-01"),
        d("2027-03-31"),
        "At risk",
        milestones=(Milestone(d("2026-12-31"), "First 100 checks", False),),
        depends_on=("A-02",),
    ),
    Row("A-04", "Walking groups in Eastfield", d("2026-05-01"), d("2026-10-31"), "Not started"),
    Row(  # X-99 belongs to another plan
        "A-05",
        "Evaluate the clinic",
        d("2027-04-01"),
        d("2027-06-30"),
        "Not started",
        depends_on=("A-03", "A-04", "X-99"),
    ),
]


def draw(**overrides) -> Timeline:
    arguments = {
        "title": "Healthier Riverside: delivery plan",
        "rows": ROWS,
        "today": TODAY,
        "chart_id": "plan",
    }
    return timeline(**(arguments | overrides))


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output)


def in_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [element for element in root.iter() if name in element.get("class", "").split()]


def texts(element: ET.Element) -> list[str]:
    return [text.text for text in element.iter(f"{SVG}text")]


def row(key: str, start: str, due: str, *depends_on: str, **extra) -> Row:
    return Row(key, f"Action {key}", d(start), d(due), "On track", depends_on=depends_on, **extra)


def many_rows(count: int) -> list[Row]:
    """`count` actions over three years, each after the one before it in a chain of four."""
    rows = []
    for n in range(count):
        start = date(2026, 4, 1) + timedelta(days=11 * n)
        depends_on = (f"A-{n - 1:03}",) if n % 4 else ()
        milestones = (Milestone(start + timedelta(days=30), f"Milestone {n}", n % 2 == 0),)
        rows.append(
            Row(
                f"A-{n:03}",
                f"Action number {n}",
                start,
                start + timedelta(days=90),
                "On track",
                milestones=milestones,
                depends_on=depends_on,
            )
        )
    return rows


EVERY_KIND = {
    "full": {},
    "no actions": {"rows": []},
    "sixty rows": {"rows": many_rows(60)},
}


# What the Content-Security-Policy and the screen readers need ---------------------------------


@pytest.mark.parametrize("options", EVERY_KIND.values(), ids=EVERY_KIND.keys())
def test_nothing_in_the_svg_is_blocked_by_the_content_security_policy(options):
    root = parse(draw(title=HOSTILE, **options).svg)

    for element in root.iter():
        assert element.tag not in (f"{SVG}script", f"{SVG}style", f"{SVG}foreignObject")
        assert element.tag not in (f"{SVG}marker", f"{SVG}pattern"), "no references at all"
        for name, value in element.attrib.items():
            assert name != "style"
            assert not name.lower().startswith("on"), name
            assert "href" not in name
            assert "url(" not in value


@pytest.mark.parametrize("options", EVERY_KIND.values(), ids=EVERY_KIND.keys())
def test_the_svg_is_an_image_named_by_its_title_and_described_by_its_summary(options):
    result = draw(title=HOSTILE, **options)
    root = parse(result.svg)

    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "plan-title plan-desc"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert (title.get("id"), title.text) == ("plan-title", HOSTILE)
    assert (desc.get("id"), desc.text) == ("plan-desc", result.summary)
    assert root.get("viewBox")
    assert root.get("width") is None and root.get("height") is None


def test_text_from_users_is_escaped():
    rows = [
        Row(
            HOSTILE[:20],
            HOSTILE,
            d("2026-04-01"),
            d("2026-06-30"),
            HOSTILE,
            milestones=(Milestone(d("2026-05-01"), HOSTILE, False),),
        )
    ]
    result = draw(title=HOSTILE, rows=rows)

    assert "<script>" not in result.svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Fish &amp; chips" in result.svg
    assert HOSTILE in texts(parse(result.svg)), "the title, drawn as text"
    assert result.table_rows[0][1] == HOSTILE, "the table holds the raw text; templates escape"


def test_the_text_stays_text_and_is_legible():
    root = parse(draw().svg)

    drawn = texts(root)
    assert "Healthier Riverside: delivery plan" in drawn
    assert "Train the health trainers" in drawn
    assert {"A-01", "A-02", "A-03", "A-04", "A-05"} <= set(drawn)
    sizes = [float(e.get("font-size")) for e in root.iter() if e.get("font-size") is not None]
    assert min(sizes) >= 11


def test_two_timelines_on_one_page_share_no_id():
    ids = Counter(
        element.get("id")
        for chart_id in ("plan", "other-plan")
        for element in parse(draw(chart_id=chart_id).svg).iter()
        if element.get("id")
    )

    assert ids and max(ids.values()) == 1


# What is drawn ----------------------------------------------------------------------------------


def test_every_action_is_a_row_with_its_status_in_words():
    root = parse(draw().svg)

    actions = in_class(root, "action")
    assert len(actions) == len(ROWS)
    for group, given in zip(actions, ROWS, strict=True):
        assert given.key in texts(group)
        assert given.status in texts(group), "status is said, not only coloured"
        assert len(group.findall(f"{SVG}rect")) == 1


def test_a_long_label_is_shortened_in_the_chart_but_whole_in_the_table():
    label = "Community champions scheme in the Eastfield, Hill and Northfield wards"
    result = draw(rows=[Row("A-01", label, d("2026-04-01"), d("2026-09-30"), "On track")])

    (drawn,) = [t for t in texts(parse(result.svg)) if t.startswith("Community")]
    assert drawn.endswith("…") and len(drawn) < len(label)
    assert result.table_rows[0][1] == label


def test_a_bar_runs_from_the_start_of_its_start_date_to_the_end_of_its_due_date():
    """A-01 runs from 1 April to 30 June: its bar ends where July begins."""
    root = parse(draw().svg)

    (first, *_) = in_class(root, "action")
    bar = first.find(f"{SVG}rect")
    (axes,) = in_class(root, "axes")
    july = next(t for t in axes.iter(f"{SVG}text") if t.text == "Jul 2026")
    assert float(bar.get("x")) + float(bar.get("width")) == pytest.approx(
        float(july.get("x")) - 3, abs=0.11
    )


def test_done_actions_and_actions_not_done_are_told_apart_by_tone_and_class():
    root = parse(draw().svg)

    done = [g for g in in_class(root, "action") if "done" in g.get("class").split()]
    assert [texts(g)[0] for g in done] == ["A-01"]
    fills = {g.find(f"{SVG}rect").get("fill") for g in in_class(root, "action")}
    assert len(fills) == 2


def test_the_critical_path_has_heavier_bars_and_a_dot_without_relying_on_colour():
    root = parse(draw().svg)

    critical = in_class(root, "critical")
    assert [texts(g)[0] for g in critical] == ["A-01", "A-02", "A-03", "A-05"]
    (other,) = [g for g in in_class(root, "action") if "critical" not in g.get("class")]
    plain_bar, heavy_bar = other.find(f"{SVG}rect"), critical[0].find(f"{SVG}rect")
    assert float(heavy_bar.get("height")) > float(plain_bar.get("height"))
    assert float(heavy_bar.get("stroke-width")) > float(plain_bar.get("stroke-width"))
    assert all(g.find(f"{SVG}circle") is not None for g in critical)
    assert other.find(f"{SVG}circle") is None


def test_each_dependency_among_the_rows_is_an_arrow_and_a_late_one_is_dashed():
    root = parse(draw().svg)

    (drawn,) = in_class(root, "dependencies")
    arrows = in_class(drawn, "dependency")
    assert len(arrows) == 4, "A-01→A-02, A-02→A-03, A-03→A-05, A-04→A-05; not X-99"
    late = in_class(drawn, "late")
    assert len(late) == 1
    assert late[0].find(f"{SVG}polyline").get("stroke-dasharray")
    on_time = [a for a in arrows if a not in late]
    assert all(a.find(f"{SVG}polyline").get("stroke-dasharray") is None for a in on_time)
    assert all(a.find(f"{SVG}polygon") is not None for a in arrows), "every arrow has a head"


def test_an_arrow_ends_at_the_start_of_the_action_that_waits():
    rows = [
        row("A-01", "2026-04-01", "2026-04-30"),
        row("A-02", "2026-09-01", "2026-12-31", "A-01"),
    ]
    root = parse(draw(rows=rows).svg)

    (arrow,) = in_class(in_class(root, "dependencies")[0], "dependency")
    head = arrow.find(f"{SVG}polygon").get("points").split()[0]
    bar = in_class(root, "action")[1].find(f"{SVG}rect")
    assert float(head.split(",")[0]) == pytest.approx(float(bar.get("x")), abs=0.11)


def test_milestones_are_diamonds_hollow_until_reached():
    root = parse(draw().svg)

    milestones = in_class(root, "milestone")
    assert len(milestones) == 2
    reached = [m for m in milestones if "done" in m.get("class").split()]
    (not_yet,) = [m for m in milestones if m not in reached]
    assert reached[0].find(f"{SVG}polygon").get("fill") != "#ffffff"
    assert not_yet.find(f"{SVG}polygon").get("fill") == "#ffffff"
    assert not_yet.find(f"{SVG}title").text == "First 100 checks: 31 December 2026, not yet reached"


def test_the_today_line_is_drawn_and_labelled_within_the_timeline():
    root = parse(draw().svg)

    (today,) = in_class(root, "today")
    assert texts(today) == ["Today"]
    assert today.find(f"{SVG}line").get("stroke-dasharray")


@pytest.mark.parametrize("today", [date(2025, 1, 1), date(2030, 1, 1)])
def test_no_today_line_outside_the_timeline(today):
    root = parse(draw(today=today).svg)

    assert in_class(root, "today") == []
    assert "Today" not in texts(in_class(root, "key")[0])


def test_today_defaults_to_the_real_date(monkeypatch):
    class Frozen(date):
        @classmethod
        def today(cls):
            return date(2026, 11, 12)

    monkeypatch.setattr(timeline_module, "date", Frozen)

    assert in_class(parse(draw(today=None).svg), "today")


def test_the_key_names_only_what_is_drawn():
    root = parse(draw().svg)
    (key,) = in_class(root, "key")

    assert texts(key) == [
        "Action",
        "Done",
        "Critical path",
        "Milestone",
        "Milestone reached",
        "Depends on",
        "Late dependency",
        "Today",
    ]

    lone = parse(draw(rows=[row("A-01", "2026-10-01", "2026-12-31")]).svg)
    assert texts(in_class(lone, "key")[0]) == ["Action", "Today"]


def tick_labels(rows: list[Row]) -> list[str]:
    (axes,) = in_class(parse(draw(rows=rows).svg), "axes")
    return [t for t in texts(axes) if t not in ("Action", "Status")]


def test_a_few_months_are_marked_month_by_month():
    labels = tick_labels([row("A-01", "2026-04-01", "2026-07-31")])

    assert labels == ["Apr 2026", "May 2026", "Jun 2026", "Jul 2026"]


def test_a_year_and_a_half_is_marked_by_quarter():
    labels = tick_labels([row("A-01", "2026-04-01", "2027-09-30")])

    assert labels == ["Apr 2026", "Jul 2026", "Oct 2026", "Jan 2027", "Apr 2027", "Jul 2027"]


def test_several_years_are_marked_by_year():
    labels = tick_labels([row("A-01", "2026-04-01", "2030-03-31")])

    # 2030 begins too near the right-hand edge for its label to fit.
    assert labels == ["2027", "2028", "2029"]


def test_decades_are_marked_every_other_year_or_more():
    labels = tick_labels([row("A-01", "2026-04-01", "2045-03-31")])

    assert labels and all(label.isdigit() for label in labels)
    assert len(labels) <= 10


def test_sixty_rows_stay_readable_and_the_chart_grows_taller_not_wider():
    twenty, sixty = parse(draw(rows=many_rows(20)).svg), parse(draw(rows=many_rows(60)).svg)

    width, height = (float(v) for v in sixty.get("viewBox").split()[2:])
    assert width == float(twenty.get("viewBox").split()[2])
    assert height - float(twenty.get("viewBox").split()[3]) == pytest.approx(40 * 20)
    rows = in_class(sixty, "action")
    assert len(rows) == 60
    baselines = [float(g.find(f"{SVG}text").get("y")) for g in rows]
    assert {b - a for a, b in itertools.pairwise(baselines)} == {20.0}
    (axes,) = in_class(sixty, "axes")
    assert Counter(texts(axes))["Jan 2027"] == 2, "the dates are repeated under a long chart"


def test_a_hundred_rows_draw():
    result = draw(rows=many_rows(100))

    assert len(in_class(parse(result.svg), "action")) == 100
    assert len(result.table_rows) == 100


def test_an_action_due_before_it_starts_still_draws():
    rows = [
        row("A-01", "2026-06-01", "2026-04-01"),
        row("A-02", "2026-06-02", "2026-07-01", "A-01"),
    ]

    bar = in_class(parse(draw(rows=rows).svg), "action")[0].find(f"{SVG}rect")
    assert float(bar.get("width")) > 0
    assert float(bar.get("x")) + float(bar.get("width")) <= timeline_module.PLOT_RIGHT


def test_a_milestone_after_its_action_widens_the_timeline_to_hold_it():
    late_milestone = Milestone(d("2026-09-01"), "Report to the board", False)
    rows = [row("A-01", "2026-04-01", "2026-06-30", milestones=(late_milestone,))]

    (diamond,) = in_class(parse(draw(rows=rows).svg), "milestone")
    top_corner = diamond.find(f"{SVG}polygon").get("points").split()[0]
    assert float(top_corner.split(",")[0]) < timeline_module.PLOT_RIGHT, "its middle is inside"


def test_two_rows_with_one_key_are_a_mistake():
    rows = [row("A-01", "2026-04-01", "2026-06-30"), row("A-01", "2026-07-01", "2026-09-30")]

    with pytest.raises(ValueError, match="A-01 is used by more than one action"):
        draw(rows=rows)


def test_no_actions_yet():
    result = draw(rows=[])
    root = parse(result.svg)

    assert result.summary == "No actions yet."
    assert texts(root) == ["No actions yet"]
    assert result.table_headers == TABLE_HEADERS
    assert result.table_rows == []


# The words and the table ------------------------------------------------------------------------


def test_the_summary_names_the_span_the_critical_path_and_late_dependencies():
    assert draw().summary == (
        "5 actions from April 2026 to June 2027; the critical path runs through A-01, A-02, "
        "A-03 and A-05 and ends in July 2027; 1 dependency is late."
    )


def test_the_summary_of_one_action():
    result = draw(rows=[row("A-01", "2026-04-01", "2026-04-30")])

    assert result.summary == "1 action in April 2026; no action depends on another."


def test_the_summary_counts_late_dependencies_in_the_plural():
    rows = [
        row("A-01", "2026-04-01", "2026-06-30"),
        row("A-02", "2026-06-01", "2026-07-31", "A-01"),
        row("A-03", "2026-06-15", "2026-08-31", "A-01"),
    ]

    assert draw(rows=rows).summary.endswith("; 2 dependencies are late.")


def test_a_long_critical_path_is_summed_up_by_its_ends():
    rows = [
        Row(
            f"A-{n:02}",
            f"Step {n}",
            date(2026, n, 1),
            date(2026, n + 1, 1) - timedelta(days=1),
            "On track",
            depends_on=(f"A-{n - 1:02}",) if n > 1 else (),
        )
        for n in range(1, 10)
    ]

    assert draw(rows=rows).summary == (
        "9 actions from January 2026 to September 2026; the critical path runs through "
        "9 actions, from A-01 to A-09, and ends in September 2026."
    )


def test_a_circle_of_dependencies_is_reported_not_raised():
    rows = [
        row("A-03", "2026-04-01", "2026-05-31", "A-05"),
        row("A-05", "2026-06-01", "2026-07-31", "A-03"),
    ]
    result = draw(rows=rows)

    assert result.summary == (
        "2 actions from April 2026 to July 2026; some actions depend on each other in a circle "
        "(A-03 → A-05 → A-03); 1 dependency is late."
    )
    assert in_class(parse(result.svg), "critical") == []
    assert [r[-1] for r in result.table_rows] == ["No", "No"]


def test_the_table_says_what_the_chart_shows():
    result = draw()

    assert result.table_headers == [
        "Reference",
        "Action",
        "Start",
        "Due",
        "Status",
        "Depends on",
        "On the critical path",
    ]
    assert result.table_rows == [
        ["A-01", "Recruit four health trainers", "1 April 2026", "30 June 2026", "Done", "", "Yes"],
        [
            "A-02",
            "Train the health trainers",
            "1 July 2026",
            "30 September 2026",
            "On track",
            "A-01",
            "Yes",
        ],
        [
            "A-03",
            "Open the Northfield health check clinic",
            "1 September 2026",
            "31 March 2027",
            "At risk",
            "A-02 (late by 30 days)",
            "Yes",
        ],
        [
            "A-04",
            "Walking groups in Eastfield",
            "1 May 2026",
            "31 October 2026",
            "Not started",
            "",
            "No",
        ],
        [
            "A-05",
            "Evaluate the clinic",
            "1 April 2027",
            "30 June 2027",
            "Not started",
            "A-03, A-04, X-99",
            "Yes",
        ],
    ]


def test_a_dependency_one_day_late_is_said_in_the_singular():
    rows = [
        row("A-01", "2026-04-01", "2026-05-01"),
        row("A-02", "2026-05-01", "2026-06-30", "A-01"),
    ]

    assert draw(rows=rows).table_rows[1][5] == "A-01 (late by 1 day)"


# In the PDF -------------------------------------------------------------------------------------


def test_weasyprint_puts_the_timeline_into_the_pdf_as_text(tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    import weasyprint

    html = f"<!doctype html><html lang='en'><title>Plan</title><body>{draw().svg}</body></html>"
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(weasyprint.HTML(string=html).write_pdf())

    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Healthier Riverside: delivery plan" in text
    assert "Train the health trainers" in text
    assert "Critical path" in text


def test_timeline_is_plain_python_without_django():
    code = (
        "import sys, actions.timeline; "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
