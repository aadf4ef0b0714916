"""The reports' own working out of WeasyPrint's used values (reports/used_values.py) lays every
box where WeasyPrint's would, and the render uses it."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pytest

from reports import reports

# Every kind of length resolve_percentages meets: percentages of a width and of a height that
# is known or depends on the content, calc(), auto margins, min and max sizes, each
# box-sizing, collapsed and separate table borders, floats, absolute positions, a flex row,
# and page margins in percent.
DOCUMENT = """<!doctype html><html lang="en-GB"><head><title>Used values</title><style>
@page { size: A5; margin: 4% 5% 6%; @bottom-center { content: counter(page); } }
body { font: 10pt sans-serif; }
.known { height: 80mm; }
.known > div { height: 25%; min-height: 10%; max-height: 40%; margin: 2% auto; width: 60%; }
.content > div { height: 50%; min-height: 5mm; max-height: none; padding: 1% 2% 3% 4%; }
.content > .capped { min-height: 10%; max-height: 90%; }
.calc { width: calc(50% - 4mm); margin-left: calc(10% + 1mm); min-width: 20%; }
.border-box { box-sizing: border-box; width: 70%; padding: 3mm 5%; border: 2mm solid; }
.padding-box { box-sizing: padding-box; width: 40%; height: 12mm; padding: 2mm; border: 1mm solid; }
.float { float: left; width: 30%; margin-right: 3%; }
.placed { position: relative; height: 20mm; }
.placed > span { position: absolute; left: 10%; top: 25%; width: 35%; }
.row { display: flex; } .row > div { flex: 1; margin: 0 2%; padding: 1%; min-width: auto; }
table { width: 90%; margin: 2mm 5%; }
table.collapse { border-collapse: collapse; } table.separate { border-spacing: 1mm; }
td { border: 0.5mm solid; padding: 1% 2mm; width: 30%; }
td.thick { border-width: 1.5mm; }
</style></head><body>
<h1>Used values</h1>
<div class="known"><div>A quarter of the height, centred.</div></div>
<div class="content"><div>Half of a height that depends on the content.</div>
<div class="capped">A percentage of a height that depends on the content is no limit.</div></div>
<div class="calc">calc() on both sides.</div>
<div class="border-box">The border box keeps to its width.</div>
<div class="padding-box">The padding box.</div>
<div class="float">A float of a third.</div><p>Text beside the float, long enough to wrap
round it and go on below it, as the reports' notes do.</p>
<div class="placed"><span>Placed absolutely.</span></div>
<div class="row"><div>One</div><div>Two, longer than the first</div><div>Three</div></div>
<table class="collapse"><tr><td>A</td><td class="thick">B</td></tr><tr><td>C</td><td>D</td></tr>
</table>
<table class="separate"><tr><td>A</td><td class="thick">B</td></tr></table>
</body></html>"""

GEOMETRY = ("position_x", "position_y", "width", "height", "min_width", "max_width")
GEOMETRY += ("margin_top", "margin_right", "margin_bottom", "margin_left")
GEOMETRY += ("padding_top", "padding_right", "padding_bottom", "padding_left")
GEOMETRY += ("border_top_width", "border_right_width", "border_bottom_width", "border_left_width")


@contextmanager
def weasyprints_own():
    """WeasyPrint's resolve_percentages back in its modules, and the render's install of the
    reports' own held off, for the time being."""
    from reports import used_values

    used_values.install()
    replaced = [m for m in used_values.callers() if m.resolve_percentages is not used_values.THEIRS]
    install = used_values.install
    used_values.install = lambda: None
    for module in replaced:
        module.resolve_percentages = used_values.THEIRS
    try:
        yield
    finally:
        used_values.install = install
        for module in replaced:
            module.resolve_percentages = used_values.resolve_percentages


def laid_out(html: str) -> list[tuple]:
    """Each box of each page, in order: its kind, and its used values."""
    from weasyprint import HTML

    from reports import used_values

    used_values.install()  # as the render does
    document = HTML(string=html).render()
    return [
        (type(box).__name__, *(getattr(box, name, None) for name in GEOMETRY))
        for page in document.pages
        for box in page._page_box.descendants()
    ]


def test_every_box_has_the_used_values_weasyprint_would_give_it():
    ours = laid_out(DOCUMENT)
    with weasyprints_own():
        theirs = laid_out(DOCUMENT)
    assert len(ours) > 60
    assert ours == theirs


@pytest.mark.django_db
def test_a_report_is_the_same_pdf_byte_for_byte(planned):
    html = reports.report_html(
        planned.plan, kind="board", year=2026, quarter=3, today=date(2026, 8, 14)
    )
    ours = reports.html_to_pdf(html)
    with weasyprints_own():
        theirs = reports.html_to_pdf(html)
    assert ours == theirs


def test_the_render_puts_the_reports_own_in_place():
    from reports import used_values

    used_values.install()
    modules = used_values.callers()
    for module in modules:  # as a process that has not rendered yet has them
        module.resolve_percentages = used_values.THEIRS
    reports.html_to_pdf(DOCUMENT)
    assert all(m.resolve_percentages is used_values.resolve_percentages for m in modules)
