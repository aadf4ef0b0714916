"""The three reports as a reader gets them: what their text says, their pages and metadata."""

from __future__ import annotations

import base64
import gc
import io
from collections import Counter
from datetime import date

import pytest
import time_machine

from actions import services
from actions.models import Action, Option, Update
from actions.tests.factories import OptionFactory, UpdateFactory
from improveplan.models import Plan
from improveplan.tests.factories import PlanFactory
from outcomes.models import Indicator, Risk
from outcomes.tests.factories import RiskFactory
from reports import reports
from reports.tests.pdf import assert_numbered, read

pytestmark = pytest.mark.django_db

TODAY = date(2026, 8, 14)


def render(plan, kind: str):
    return read(reports.render_report(plan, kind=kind, year=2026, quarter=3, today=TODAY))


@pytest.mark.parametrize("kind", ["board", "plan", "public"])
def test_each_report_is_a_numbered_tagged_pdf_with_title_and_language(planned, kind):
    pdf = render(planned.plan, kind)
    assert_numbered(pdf)
    assert pdf.language == "en-GB"
    assert pdf.reader.trailer["/Root"]["/MarkInfo"]["/Marked"]
    assert planned.plan.title in pdf.title
    assert "Fewer adults smoke" in pdf.text
    assert "Adults who smoke" in pdf.text
    assert "Open four evening clinics" in pdf.text
    assert "20.0%" in pdf.text  # the latest reading
    assert "15.0%" in pdf.text  # the target
    # The chart (the delivery plan has a table of targets instead) is a figure whose alt
    # text a screen reader reads.
    alts = pdf.figure_alts()
    # The board report draws its risk register's two heat maps too (issue 24), last.
    if kind == "board":
        alts, heat_maps = alts[:-2], alts[-2:]
        assert heat_maps[0].startswith("1 risk: 0 high, 1 medium, 0 low.")
        assert heat_maps[1] == "No risks recorded."  # none is scored after mitigation
    assert len(alts) == (0 if kind == "plan" else 1)
    # The public summary's in everyday words (issue 25); the others write the period as
    # label_for does: the factory's indicators are quarterly.
    described = "In March 2024 it was 20.0%" if kind == "public" else "Latest 20.0% in Jan–Mar 2024"
    assert all(alt.startswith(described) for alt in alts)


def test_the_delivery_plan_holds_the_plan_as_agreed(planned):
    pdf = render(planned.plan, "plan")
    assert pdf.title == f"Delivery plan: {planned.plan.title}"
    for words in [
        "Clinics open only in office hours",  # evidence
        "Evening clinics",  # the option chosen
        "Reaches shift workers the day clinics miss.",  # and why
        planned.action.reference,
        "Lena Lead",  # the action's owner: partners sign up to named leads
        "Riverside Housing",  # support
        "First clinic opens",  # a milestone
        "£40,000",  # resources by partner
        "Two advisers, two evenings a week",
        "300 quit attempts a year",
        "Quit attempts counted monthly",
        "How the plan will be monitored and evaluated",
    ]:
        assert words in pdf.text, words


@time_machine.travel(TODAY)
def test_the_board_report_says_what_changed_and_what_needs_deciding(planned):
    # Added in April, on track from an update in May, off track from a lead's edit in the
    # quarter (its history says so) and an update saying why.
    planned.action.history.update(history_date="2026-04-01T10:00:00Z")
    Update.objects.filter(action=planned.action).update(created_at="2026-05-01T10:00:00Z")
    with time_machine.travel("2026-05-01T10:00:00Z"):
        services.update_post(
            action=planned.action, author=planned.partner, status="on_track", progress=20
        )
    planned.action.refresh_from_db()
    planned.action.status = Action.Status.OFF_TRACK
    planned.action.due = date(2026, 7, 31)
    planned.action.save()
    UpdateFactory(action=planned.action, status=Action.Status.OFF_TRACK, note="Venue fell through.")
    OptionFactory(outcome=planned.outcome, title="Text message reminders")
    RiskFactory(
        outcome=planned.outcome, description="National levy changes", manageable_locally=False
    )
    pdf = render(planned.plan, "board")
    context = reports.board_report_context(planned.plan, year=2026, quarter=3, today=TODAY)
    [change] = context["changes"]["status_changes"]
    assert (change.before.label, change.after.label, change.when) == (
        "On track",
        "Off track",
        TODAY,
    )
    assert "What changed in the quarter" in pdf.text
    assert "Decisions needed" in pdf.text
    for ask in [
        "Text message reminders",  # an option not yet decided
        "National levy changes",  # a risk to raise beyond the partnership
        f"Whether to extend, re-plan or stop {planned.action.reference}",
    ]:
        assert ask in pdf.text, ask


def test_an_empty_plan_renders_a_readable_pdf_of_each_kind(world):
    empty = PlanFactory(partnership=world.partnership, title="Nothing yet")
    nothing_yet = {
        "board": "The plan has no indicators yet.",
        "plan": "The plan has no outcomes yet.",
        "public": "The partners have not yet written down what they want to change.",
    }
    for kind in reports.KINDS:
        pdf = render(empty, kind)
        assert_numbered(pdf)
        assert "Nothing yet" in pdf.text
        # The cover and contents share the first page (issue 25); the board's summary starts
        # a page of its own, the others follow the contents. Each says there is nothing yet.
        assert pdf.pages >= (2 if kind == "board" else 1)
        assert nothing_yet[kind] in pdf.text


def _demo_plan() -> Plan:
    """The demo's plan: the root conftest's `demo` seeds it."""
    return Plan.objects.get(title__startswith="Healthier Riverside")


def test_the_public_summary_of_the_demo_names_no_one_and_keeps_the_internals_out(demo):
    from improveplan.management.commands.seed_demo import PEOPLE

    plan = _demo_plan()
    pdf = render(plan, "public")
    assert "a summary for everyone" in pdf.title
    # What the public should read is there ...
    for outcome in plan.outcomes.all():
        assert outcome.statement in pdf.text
    assert Action.objects.filter(plan=plan).exclude(status="cancelled").first().title in pdf.text
    # ... and what is not, is not: people's names, commentary, the risk register.
    for _, name, _, _ in PEOPLE:
        for part in name.split():
            if len(part) > 3 and part not in {"Cllr"}:
                assert part not in pdf.text, part
    internal = [
        *Update.objects.filter(action__plan=plan).exclude(note="").values_list("note", flat=True),
        *Indicator.objects.filter(plan=plan)
        .exclude(override_reason="")
        .values_list("override_reason", flat=True),
        *Option.objects.filter(outcome__plan=plan)
        .exclude(decision_reason="")
        .values_list("decision_reason", flat=True),
    ]
    assert internal, "the demo should have commentary to keep out"
    for text in internal:
        assert " ".join(text.split())[:40] not in pdf.text, text
    risks = Risk.objects.filter(outcome__plan=plan)
    assert risks.exists()
    titles = " ".join(Action.objects.filter(plan=plan).values_list("title", flat=True))
    for risk in risks:
        assert risk.description not in pdf.text
        assert not risk.mitigation or risk.mitigation[:40] not in pdf.text
        # A risk's owner may be a team that also leads an action ("Trading Standards").
        assert not risk.owner or risk.owner in titles or risk.owner not in pdf.text
    assert "Risk" not in pdf.text


def test_the_board_report_of_the_demo_reads_its_risks_and_updates(demo):
    plan = _demo_plan()
    pdf = render(plan, "board")
    assert_numbered(pdf)
    risk = Risk.objects.filter(outcome__plan=plan).first()
    assert risk.description in pdf.text


def test_the_collector_runs_less_often_during_a_render_and_as_before_after_it():
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        with pytest.raises(ValueError), reports.fewer_collections():
            assert gc.get_threshold() == reports.RENDER_GC_THRESHOLDS
            raise ValueError("a render that fails")
        assert gc.get_threshold() == (700, 10, 10), "put back, even after a failure"

        with reports.fewer_collections(), reports.fewer_collections():  # two renders at once
            assert gc.get_threshold() == reports.RENDER_GC_THRESHOLDS
        assert gc.get_threshold() == (700, 10, 10)

        assert reports.html_to_pdf("<title>t</title><p>Hello").startswith(b"%PDF-")
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*before)


def _long_page() -> str:
    return (
        "<html lang=en><title>t</title><style>a::after { content: target-counter(attr(href),"
        " page) }</style><a href='#end'>Last</a>"
        + "<p>A line of the report.</p>" * 400
        + "<h2 id=end>End</h2></html>"
    )


def test_a_render_leaves_its_layout_to_reference_counting_not_the_cyclic_collector(monkeypatch):
    """WeasyPrint's layout refers to itself; emptied once the pages are laid out, the styles
    and boxes it held are freed at once, with no collection before the PDF is written (0.4 s
    for the delivery plan of 300 actions) and a lower peak."""
    events = []
    monkeypatch.setattr(reports.gc, "collect", lambda *args: events.append(("collect", args)))
    finisher = reports.tagging.finisher

    def finished(*args, **kwargs):
        finisher(*args, **kwargs)
        events.append("written")

    monkeypatch.setattr(reports.tagging, "finisher", finished)
    was_enabled = gc.isenabled()
    gc.disable()  # nothing collects behind the test's back
    try:
        assert reports.html_to_pdf(_long_page()).startswith(b"%PDF-")
        # One collection, of the young generations, once the PDF is written (the next test).
        assert events == ["written", ("collect", (1,))]
        monkeypatch.undo()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        left = {type(found).__name__ for found in gc.garbage}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()
    # The computed styles hang from StyleFor, the boxes before layout from the TargetCollector.
    assert not left & {"StyleFor", "TargetCollector"}


def test_a_render_leaves_nothing_for_a_later_collection():
    """What a render leaves in cycles (the parsed HTML, the laid-out boxes) is collected as
    the render ends, while young: a worker rendering report after report keeps its memory
    level instead of carrying each render's leftovers until a full collection."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        assert reports.html_to_pdf(_long_page()).startswith(b"%PDF-")
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        left = Counter(
            type(found).__module__.split(".")[0]
            for found in gc.garbage
            if type(found).__module__.split(".")[0] in {"weasyprint", "tinyhtml5", "pydyf"}
        )
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()
    assert not left, f"left for a later collection: {dict(left)}"


def _page_with_drawing(drawing: str) -> str:
    """A page with one heading and an SVG drawing as the reports hold a chart: an image of a
    data: URI."""
    source = base64.b64encode(drawing.encode()).decode()
    return (
        "<html lang=en><title>Drawing</title><h1>Drawing</h1>"
        f"<img alt='A chart' style='width: 150mm' src='data:image/svg+xml;base64,{source}'></html>"
    )


def test_a_charts_labels_are_drawn_whole_where_weasyprint_drew_each_letter(monkeypatch):
    """A chart's label is laid out and drawn as one run (reports._draw_svg_text_in_runs): one
    text operation a label, not one a letter (a label in Arabic keeps its joined letters),
    each word where WeasyPrint's own drawing put it, whichever way it is anchored."""
    import sys

    import pikepdf
    from weasyprint import svg

    from reports.tests.pdf import words

    labels = [
        ('x="20" y="30"', "Readings"),
        ('x="380" y="60" text-anchor="end"', "Local target"),
        ('x="200" y="90" text-anchor="middle"', "Where it is heading"),
        ('x="20" y="120" font-size="16"', "Larger"),
    ]
    drawing = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 150" font-family="sans-serif"'
        ' font-size="12">'
        + "".join(f"<text {place}>{label}</text>" for place, label in labels)
        + "</svg>"
    )
    html = _page_with_drawing(drawing)

    def shown(pdf: bytes) -> int:
        """Text operations on the first page, in the drawings it holds too (XObjects)."""

        def count(content, resources) -> int:
            found = sum(
                str(operator) in ("Tj", "TJ")
                for _, operator in pikepdf.parse_content_stream(content)
            )
            for inner in (resources or {}).get("/XObject", {}).values():
                if inner.get("/Subtype") == "/Form":
                    found += count(inner, inner.get("/Resources"))
            return found

        with pikepdf.open(io.BytesIO(pdf)) as document:
            page = document.pages[0]
            return count(page, page.obj.get("/Resources"))

    in_runs = reports.html_to_pdf(html)
    assert svg.TAGS["text"] is not sys.modules["weasyprint.svg.text"].text, "runs in place"
    letter_by_letter = sys.modules["weasyprint.svg.text"].text
    with monkeypatch.context() as patched:
        for tag, draws in list(svg.TAGS.items()):
            if getattr(draws, "in_runs", False):
                patched.setitem(svg.TAGS, tag, letter_by_letter)
        patched.setattr(svg, "text", letter_by_letter)
        patched.setattr(reports, "_draw_svg_text_in_runs", lambda: None)
        weasyprints_own = reports.html_to_pdf(html)

    heading = 1  # the page's h1
    assert shown(in_runs) == heading + len(labels)
    assert shown(weasyprints_own) >= heading + sum(
        len(label) - label.count(" ") for _, label in labels
    )
    ours, theirs = words(in_runs)[0], words(weasyprints_own)[0]
    assert [word for word, *_ in ours] == [word for word, *_ in theirs]
    for (word, *box), (_, *their_box) in zip(ours, theirs, strict=True):
        assert all(abs(a - b) < 0.6 for a, b in zip(box, their_box, strict=True)), word


def test_a_chart_label_in_arabic_reads_right_to_left_with_its_letters_joined():
    """Drawn a letter at a time, left to right, an Arabic label came out backwards and
    unjoined: its text read "قطانملا عم ةنراقملا" (copied, or read aloud)."""
    import subprocess
    import tempfile
    from pathlib import Path

    label = "المقارنة مع المناطق"  # "compared with the areas"
    drawing = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 80" font-family="sans-serif"'
        f' font-size="14"><text x="20" y="30">{label}</text></svg>'
    )
    pdf = reports.html_to_pdf(_page_with_drawing(drawing))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "key.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout
    assert label in text
    assert label[::-1] not in text
