"""Each report reads whole to a screen reader: what a PDF/UA validator checks, over the demo's
three reports (issue 25): every page's content tagged, headings in order, every figure with
alternative text that its caption does not repeat, every table header with its scope, each
definition list's terms labelling their descriptions, the document's language and title."""

from __future__ import annotations

import re
from datetime import date

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
        "<dl><div><dt>Term</dt><dd>Description</dd></div></dl><h3>Skipped</h3></html>"
    )
    tagged = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    found = structure.problems(tagged)
    assert found.count("a table header cell has no scope") == 2
    assert any("not only list items" in problem for problem in found)
    assert any("H3 follows H0" in problem for problem in found)
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
