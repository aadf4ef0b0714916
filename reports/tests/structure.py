"""What a PDF/UA validator would check of a report's structure, read with pikepdf: what a
screen reader needs to read the report whole. ``problems(pdf)`` lists each failure in words;
an empty list is a pass. (No validator can be installed on these machines.)"""

from __future__ import annotations

import io
import re

import pikepdf

from reports.tagging import structure

TEXT_OPERATORS = {"Tj", "TJ", "'", '"'}


def problems(content: bytes) -> list[str]:
    with pikepdf.open(io.BytesIO(content)) as pdf:
        return [
            *_document(pdf),
            *_untagged_content(pdf),
            *_elements(pdf),
        ]


def _document(pdf: pikepdf.Pdf) -> list[str]:
    found = []
    root = pdf.Root
    if not str(root.get("/Lang", "")):
        found.append("the document has no language (/Lang)")
    title = pdf.docinfo.get("/Title")
    if not title or not str(title).strip():
        found.append("the document has no title")
    if not root.get("/ViewerPreferences", {}).get("/DisplayDocTitle"):
        found.append("viewers are not told to show the title (/DisplayDocTitle)")
    if not root.get("/MarkInfo", {}).get("/Marked"):
        found.append("the document is not marked as tagged (/MarkInfo /Marked)")
    if "/StructTreeRoot" not in root:
        found.append("the document has no structure tree")
    return found


def _untagged_content(pdf: pikepdf.Pdf) -> list[str]:
    """Text and images drawn outside any marked content (neither tagged nor an artifact), and
    marked content that no structure element claims."""
    found = []
    claimed = _claimed_content(pdf)
    for number, page in enumerate(pdf.pages, start=1):
        depth = 0
        untagged = 0
        marked = set()
        for operands, operator in pikepdf.parse_content_stream(page):
            name = str(operator)
            if name in ("BDC", "BMC"):
                depth += 1
                properties = operands[1] if name == "BDC" else None
                if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
                    marked.add(int(properties.MCID))
            elif name == "EMC":
                depth -= 1
            elif (name in TEXT_OPERATORS or name == "Do") and depth == 0:
                untagged += 1
        if untagged:
            found.append(f"page {number}: {untagged} text or image operations not tagged")
        orphans = marked - claimed.get(number - 1, set())
        if orphans:
            found.append(f"page {number}: marked content {sorted(orphans)[:5]} in no element")
    return found


def _claimed_content(pdf: pikepdf.Pdf) -> dict[int, set[int]]:
    """The marked content ids of each page (by index) that the parent tree maps to elements."""
    tree = pdf.Root.get("/StructTreeRoot", {}).get("/ParentTree")
    claimed: dict[int, set[int]] = {}
    if tree is None:
        return claimed
    numbers = tree.get("/Nums", [])
    for index in range(0, len(numbers) - 1, 2):
        key, value = int(numbers[index]), numbers[index + 1]
        if isinstance(value, pikepdf.Array):
            claimed[key] = {mcid for mcid, element in enumerate(value) if element is not None}
    return claimed


def _elements(pdf: pikepdf.Pdf) -> list[str]:
    found = []
    last_level = 0
    for element, parents in structure(pdf):
        kind = str(element.get("/S"))
        if heading := re.fullmatch(r"/H([1-6])", kind):
            level = int(heading[1])
            if level > last_level + 1:
                found.append(f"a heading H{level} follows H{last_level}: a level is skipped")
            last_level = level
        elif kind == "/Figure":
            if not str(element.get("/Alt", "")).strip():
                found.append("a figure has no alternative text")
        elif kind == "/TH":
            scope = element.get("/A", {}).get("/Scope")
            if scope not in (pikepdf.Name("/Column"), pikepdf.Name("/Row")):
                found.append("a table header cell has no scope")
            elif "/THead" in parents and scope != pikepdf.Name("/Column"):
                found.append("a column header cell is scoped as a row's")
        elif kind == "/L":
            kids = [str(kid.get("/S")) for kid in _kids(element)]
            if any(kid not in ("/LI", "/Caption") for kid in kids):
                found.append(f"a list holds {sorted(set(kids))}, not only list items")
        elif kind == "/LI":
            kids = [str(kid.get("/S")) for kid in _kids(element)]
            if "/Lbl" in kids and "/LBody" not in kids:
                found.append("a list item has a label and nothing it labels")
    return found


def _kids(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    if not isinstance(kids, pikepdf.Array):
        kids = [kids]
    return [kid for kid in kids if isinstance(kid, pikepdf.Dictionary) and "/S" in kid]


def scopes(content: bytes) -> dict[str, int]:
    """How many table header cells the structure tree scopes as each of Column and Row."""
    counted = {"/Column": 0, "/Row": 0}
    with pikepdf.open(io.BytesIO(content)) as pdf:
        for element, _ in structure(pdf):
            if element.get("/S") == "/TH":
                scope = str(element.get("/A", {}).get("/Scope"))
                counted[scope] = counted.get(scope, 0) + 1
    return counted


def definition_pairs(content: bytes) -> int:
    """How many list items pair a label with a body (the definition lists' terms)."""
    pairs = 0
    with pikepdf.open(io.BytesIO(content)) as pdf:
        for element, _ in structure(pdf):
            if element.get("/S") == "/LI":
                kids = [str(kid.get("/S")) for kid in _kids(element)]
                pairs += kids == ["/Lbl", "/LBody"]
    return pairs
