"""Each report reads whole to a screen reader: what a PDF/UA validator checks, over the demo's
three reports (issue 25): every page's content tagged, headings in order, every figure with
alternative text that its caption does not repeat, every table header with its scope, each
definition list's terms labelling their descriptions, the document's language and title."""

from __future__ import annotations

import io
import re
from datetime import date

import pikepdf
import pytest

from reports import reports, tagging
from reports.tests import structure

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 6)


@pytest.mark.parametrize("kind", ["board", "plan", "public"])
def test_each_report_of_the_demo_passes_the_structure_checks(demo_reports, kind):
    html, pdf = demo_reports[kind]
    assert structure.problems(pdf) == []
    scopes = structure.scopes(pdf)
    # Every header cell of the HTML is scoped in the PDF: a row's once, a column's on every
    # page its table reaches (its head repeats).
    assert scopes["/Row"] == html.count('scope="row"') > 0
    assert scopes["/Column"] >= html.count('scope="col"') > 0
    assert structure.definition_pairs(pdf) >= html.count("<dt>") > 0


@pytest.mark.parametrize("kind", ["board", "public"])
def test_no_chart_is_read_twice(demo_reports, kind):
    html, _ = demo_reports[kind]
    figures = re.findall(r'<figure class="chart">(.*?)</figure>', html, re.S)
    assert figures
    for figure in figures:
        alt = re.search(r'alt="([^"]*)"', figure)[1]
        caption = re.search(r"<figcaption>(.*?)</figcaption>", figure, re.S)
        assert len(alt) > 20, "the alt text describes the chart"
        assert not caption or alt[:40] not in caption[1]


def test_the_checks_find_what_weasyprint_leaves_out():
    """The checks can fail: WeasyPrint's own PDF lacks the header scopes and the paired terms,
    and a PDF that is not tagged fails on every count."""
    from weasyprint import HTML

    html = (
        "<html lang='en'><title>Checked</title><table><thead><tr><th scope='col'>A</th></tr>"
        "</thead><tbody><tr><th scope='row'>B</th></tr></tbody></table>"
        "<dl><dt>Term</dt><dd>Description</dd></dl><h3>Skipped</h3></html>"
    )
    tagged = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    found = structure.problems(tagged)
    assert found.count("a table header cell has no scope") == 2
    assert structure.definition_pairs(tagged) == 0
    assert any("H3 follows H0" in problem for problem in found)
    tagging.mark_terms()  # as reports.html_to_pdf does
    finished = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", finisher=tagging.finisher)
    assert structure.scopes(finished) == {"/Column": 1, "/Row": 1}
    assert structure.definition_pairs(finished) == 1

    untagged = HTML(string=html.replace(" lang='en'", "")).write_pdf()
    found = " ".join(structure.problems(untagged))
    for words in ["no language", "not marked as tagged", "no structure tree", "not tagged"]:
        assert words in found


@pytest.mark.parametrize("kind", ["board", "plan", "public"])
def test_a_small_plans_reports_pass_the_structure_checks_too(planned, kind):
    pdf = reports.render_report(planned.plan, kind=kind, year=2026, quarter=4, today=TODAY)
    assert structure.problems(pdf) == []


def test_a_description_split_by_a_page_break_is_not_labelled_by_the_next_term():
    """A description longer than a page goes on over the next; there, the rest of it is a
    list item of its own, and the next term labels its own description, not that rest."""
    long = "<p>" + "Every word of this text was written by a partner. " * 40 + "</p>"
    html = (
        "<html lang='en'><title>Split</title><h1>Split</h1><dl>"
        f"<dt>First</dt><dd>{long * 3}</dd><dt>Second</dt><dd>Short</dd></dl></html>"
    )
    pdf = reports.html_to_pdf(html)
    assert structure.problems(pdf) == []
    # The list's items page after page (each page holds a list of its own), each as the
    # kinds of element it holds.
    with pikepdf.open(io.BytesIO(pdf)) as document:
        items = [
            [str(part.get("/S")) for part in structure._kids(item)]
            for element, _ in structure.structure(document)
            if element.get("/S") == "/L"
            for item in structure._kids(element)
        ]
    pair, rest = ["/Lbl", "/LBody"], ["/LBody"]
    assert len(items) >= 3, "the first description goes on over a page"
    assert items[0] == items[-1] == pair
    assert all(item == rest for item in items[1:-1])
