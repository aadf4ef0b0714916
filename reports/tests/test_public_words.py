"""The public summary is written for the people the partnership serves (issue 25): plain
English by its reading-ease score, no specialist words, numbers of people as whole numbers,
and no text in its body smaller than 11 pt, its charts' labels included."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pytest

from reports import readability, reports

pytestmark = pytest.mark.django_db

BLOCKS = {"p", "li", "th", "td", "dt", "dd", "h1", "h2", "h3", "h4", "figcaption", "caption"}
SPECIALIST = [
    "forecast range",
    "Margin of error",
    "Similar areas",
    "logit",
    "log scale",
    "Forecast",
    "Readings",
    "per 100,000",
]


class Blocks(HTMLParser):
    """The text of each block of a report's body, and each image's alt text, as a reader
    (or a screen reader) meets them."""

    def __init__(self):
        super().__init__()
        self.blocks: list[str] = []
        self.depth = 0
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        self.in_body |= tag == "body"
        if tag in BLOCKS:
            self.blocks.append("")
            self.depth += 1
        if tag == "img":
            self.blocks.append(dict(attrs).get("alt", ""))

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.depth -= 1

    def handle_data(self, data):
        if self.in_body and self.depth and self.blocks:
            self.blocks[-1] += data


def blocks_of(html: str) -> list[str]:
    parser = Blocks()
    parser.feed(html)
    return [" ".join(block.split()) for block in parser.blocks if block.strip()]


def test_the_public_summary_of_the_demo_is_in_plain_english(demo_reports):
    html, _ = demo_reports["public"]
    blocks = blocks_of(html)
    score = readability.flesch_reading_ease(blocks)
    assert score >= readability.PLAIN_ENGLISH, score
    text = " ".join(blocks)
    for words in SPECIALIST:
        assert words not in text, words
    # The demo's rates of people (emergency admissions per 100,000) read as whole people.
    assert re.search(r"\d in every 100,000", text)
    assert not re.search(r"\d\.\d+ in every", text)


def test_reading_ease_scores_as_published():
    # Flesch's own examples: short words in short sentences score high, long ones low.
    assert readability.flesch_reading_ease(["The cat sat on the mat."]) > 100
    assert (
        readability.flesch_reading_ease(
            [
                "Multidimensional epidemiological surveillance necessitates interorganisational "
                "collaboration."
            ]
        )
        < 0
    )
    assert [readability.syllables(word) for word in ["home", "people", "children", "table"]] == [
        1,
        2,
        2,
        2,
    ]


PT = 96 / 72  # CSS pixels in a point


def test_no_text_in_the_public_summarys_body_is_under_11_pt(planned):
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    html = reports.report_html(
        planned.plan, kind="public", year=2026, quarter=4, today=date(2026, 12, 6)
    )
    document = HTML(string=html, base_url=str(reports.settings.BASE_DIR)).render()
    smallest, charts = [], []

    def walk(box):
        if isinstance(box, boxes.MarginBox):
            return  # the running header and footer are not the body
        if isinstance(box, boxes.TextBox) and box.text.strip():
            smallest.append((box.style["font_size"] / PT, box.text))
        if isinstance(box, boxes.ReplacedBox) and box.element.tag == "img":
            charts.append(box.width)
        for child in getattr(box, "children", []):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    assert min(smallest)[0] >= 11, min(smallest)
    # A chart's labels are 12 units of its 400-unit width (outcomes/charts.py): drawn at this
    # width, 11 pt or more.
    assert charts
    assert min(width * 12 / 400 for width in charts) >= 11 * PT
