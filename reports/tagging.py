"""What the reports' PDF structure tree needs that WeasyPrint does not write, added as WeasyPrint
writes the PDF.

WeasyPrint tags a tagged PDF (PDF/UA-1) from the HTML, with two gaps a screen reader meets:

- a table's header cell (``TH``) has no ``/Scope``, so a reader cannot tell a column's header
  from a row's. The templates give every header a scope: ``col`` in a table's head, ``row``
  in its body and foot; the same rule is read back here from where each cell sits.
- a definition list (``<dl>``) becomes a list of unlabelled items, a term and its
  description two items apart. The templates write each pair in a ``<div>``, as HTML allows,
  which WeasyPrint tags ``L > Div > LI, LI``; each such ``Div`` becomes the list item, its
  term the item's label (``Lbl``) and its description the item's body (``LBody``).

``finisher`` mends the tree in pydyf's objects, before WeasyPrint writes them
(``write_pdf(finisher=tagging.finisher)``): plain Python dictionaries, where reading the PDF
back with pikepdf to mend it took a fifth of a second or more (docs/reports.md).
``structure(document)`` reads a finished PDF's tree, with pikepdf.
"""

from __future__ import annotations

import pikepdf
import pydyf


def finisher(document, pdf: pydyf.PDF) -> None:
    """Every table header of ``pdf`` (WeasyPrint's pydyf PDF, not yet written) scoped, and
    every definition list's terms labelling their descriptions."""
    objects = pdf.objects
    root = pdf.catalog.get("StructTreeRoot")
    if root is not None:
        stack = [(kid, ()) for kid in reversed(_elements(objects, _referred(objects, root)))]
        while stack:
            element, parents = stack.pop()
            kind = element["S"]
            if kind == "/TH":
                _scope(element, parents)
            elif kind == "/L":
                _pair_terms(objects, element)
            inner = (*parents, kind)
            stack.extend((kid, inner) for kid in reversed(_elements(objects, element)))


def _referred(objects: list, reference: bytes):
    """The object a reference (``b"12 0 R"``) names: pydyf numbers objects by their place."""
    return objects[int(reference.split(b" ", 1)[0])]


def _elements(objects: list, element) -> list:
    """An element's child elements (not its marked content ids or annotation references)."""
    found = []
    for kid in element.get("K", ()):
        if isinstance(kid, bytes):
            kid = _referred(objects, kid)
            if "S" in kid:  # an annotation's reference (/OBJR) has no structure type
                found.append(kid)
    return found


def _scope(cell, parents: tuple[str, ...]) -> None:
    attributes = cell.get("A")
    if attributes is None:
        attributes = cell["A"] = pydyf.Dictionary({"O": "/Table"})
    if "Scope" not in attributes:
        attributes["Scope"] = "/Column" if "/THead" in parents else "/Row"


def _pair_terms(objects: list, listing) -> None:
    """``L > Div > LI(LBody term), LI(LBody description)`` as ``L > LI > Lbl, LBody``."""
    for pair in _elements(objects, listing):
        items = _elements(objects, pair)
        if pair["S"] != "/Div" or len(items) != 2:
            continue
        if not all(item["S"] == "/LI" for item in items):
            continue
        bodies = [_elements(objects, item) for item in items]
        if not all(len(body) == 1 for body in bodies):
            continue
        (term,), (description,) = bodies
        if not term["S"] == description["S"] == "/LBody":
            continue
        pair["S"] = "/LI"
        term["S"] = "/Lbl"
        term["P"] = description["P"] = pair.reference
        pair["K"] = pydyf.Array([term.reference, description.reference])
        for item in items:  # no longer in the tree: written empty (pydyf writes every object)
            item.clear()


def structure(document: pikepdf.Pdf):
    """Each structure element of a finished PDF, depth first, with the kinds of its ancestors
    (nearest last)."""
    root = document.Root.get("/StructTreeRoot")
    if root is None:
        return
    stack = [(kid, ()) for kid in reversed(_kids(root))]
    while stack:
        element, parents = stack.pop()
        yield element, parents
        inner = (*parents, str(element.get("/S")))
        stack.extend((kid, inner) for kid in reversed(_kids(element)))


def _kids(element) -> list:
    """A finished PDF's element's child elements."""
    kids = element.get("/K")
    if kids is None:
        return []
    if not isinstance(kids, pikepdf.Array):
        kids = [kids]
    return [
        kid
        for kid in kids
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") != "/OBJR" and "/S" in kid
    ]
