"""What the tests read from a PDF report: its text and metadata with pypdf; where its words
lie and how much of its paper is blank with poppler (pdftotext, pdftoppm)."""

from __future__ import annotations

import html
import io
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader


@dataclass
class Pdf:
    reader: PdfReader
    text: str  # every page's text, with runs of white space made one space

    @property
    def pages(self) -> int:
        return len(self.reader.pages)

    @property
    def title(self) -> str:
        return self.reader.metadata.title

    @property
    def language(self) -> str:
        return str(self.reader.trailer["/Root"].get("/Lang"))

    def figure_alts(self) -> list[str]:
        """The alt text of every figure in the PDF's structure tree (what a screen reader reads)."""
        found: list[str] = []

        def walk(node) -> None:
            node = node.get_object()
            if isinstance(node, list):
                for kid in node:
                    walk(kid)
            elif isinstance(node, dict) and "/K" in node:
                if node.get("/S") == "/Figure":
                    found.append(str(node.get("/Alt", "")))
                walk(node["/K"])

        walk(self.reader.trailer["/Root"]["/StructTreeRoot"])
        return found

    def page_footers(self) -> set[tuple[int, int]]:
        """Every "Page X of Y" the pages print."""
        return {(int(x), int(y)) for x, y in re.findall(r"Page (\d+) of (\d+)", self.text)}


def read(content: bytes) -> Pdf:
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    return Pdf(reader=reader, text=text)


def assert_numbered(pdf: Pdf) -> None:
    """Each page says it is page X of Y, and Y is the number of pages there are."""
    assert pdf.page_footers() == {(number, pdf.pages) for number in range(1, pdf.pages + 1)}


# The page's margins in print.css (@page), in points: top, right, bottom, left.
MARGINS = tuple(mm * 72 / 25.4 for mm in (17, 15, 16, 15))
A4 = (595.28, 841.89)


def words(content: bytes) -> list[list[tuple[str, float, float, float, float]]]:
    """Each page's words with their boxes (x, y from the page's top left, in points), as
    poppler's pdftotext finds them."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "report.pdf"
        source.write_bytes(content)
        found = subprocess.run(
            ["pdftotext", "-bbox", str(source), "-"], check=True, capture_output=True, text=True
        ).stdout
    pages = []
    for page in re.findall(r"<page .*?</page>", found, re.S):
        pages.append(
            [
                (html.unescape(word), float(x1), float(y1), float(x2), float(y2))
                for x1, y1, x2, y2, word in re.findall(
                    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                    r"(.*?)</word>",
                    page,
                )
            ]
        )
    return pages


def off_the_page(content: bytes) -> list[str]:
    """Words printed outside the page's box, running headers that reach into the content, and
    words printed over one another, each as "page N: word"."""
    top, right, _, left = MARGINS
    width, height = A4
    slack = 1.0  # points: a glyph's side bearing
    found = []
    for number, page in enumerate(words(content), start=1):
        for word, x1, y1, x2, y2 in page:
            if x1 < left - slack or x2 > width - right + slack:
                found.append(f"page {number}: {word[:40]} leaves the page's width")
            elif y1 < top and y2 > top + slack:
                found.append(f"page {number}: the running header {word[:40]} reaches the content")
            elif y2 > height or y1 < 0:
                found.append(f"page {number}: {word[:40]} leaves the page")
        ordered = sorted(page, key=lambda box: box[2])
        for index, (word, x1, y1, x2, y2) in enumerate(ordered):
            for other, ox1, oy1, ox2, oy2 in ordered[index + 1 :]:
                if oy1 >= y2 - slack:
                    break
                if min(x2, ox2) - max(x1, ox1) > slack and min(y2, oy2) - max(y1, oy1) > slack:
                    found.append(f"page {number}: {word[:40]} is printed over {other[:40]}")
    return found


def blank_shares(content: bytes, *, gap_mm: float = 12) -> list[float]:
    """For each page, the share of its content box (inside the margins) left blank: the rows
    of bands at least ``gap_mm`` tall with no ink at all, such as a page's empty foot, or the
    hole above a block that did not fit. Smaller gaps are a layout's ordinary spacing."""
    from PIL import Image  # WeasyPrint's own dependency

    dots_per_mm = 50 / 25.4
    shares = []
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "report.pdf"
        source.write_bytes(content)
        subprocess.run(["pdftoppm", "-r", "50", "-gray", str(source), f"{folder}/page"], check=True)
        for picture in sorted(Path(folder).glob("page*.pgm")):
            with Image.open(picture) as image:
                width, height = image.size
                top, right, bottom, left = (round(mm * dots_per_mm) for mm in (17, 15, 16, 15))
                box = image.crop((left, top, width - right, height - bottom)).convert("L")
                ink = box.tobytes()  # a byte a dot, row after row
                rows = [
                    min(ink[y * box.width : (y + 1) * box.width]) > 240 for y in range(box.height)
                ]
            blank, run = 0, 0
            for empty in [*rows, False]:
                if empty:
                    run += 1
                    continue
                if run >= gap_mm * dots_per_mm:
                    blank += run
                run = 0
            shares.append(blank / len(rows))
    return shares
