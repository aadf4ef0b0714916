"""What the tests read from a PDF report, with pypdf."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

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
