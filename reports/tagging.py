"""What the reports' PDF structure tree needs that WeasyPrint does not write, added afterwards.

WeasyPrint tags a tagged PDF (PDF/UA-1) from the HTML, with two gaps a screen reader meets:

- a table's header cell (``TH``) has no ``/Scope``, so a reader cannot tell a column's header
  from a row's. The templates give every header a scope: ``col`` in a table's head, ``row``
  in its body and foot; the same rule is read back here from where each cell sits.
- a definition list (``<dl>``) becomes a list of unlabelled items, a term and its
  description two items apart. The templates write each pair in a ``<div>``, as HTML allows,
  which WeasyPrint tags ``L > Div > LI, LI``; each such ``Div`` becomes the list item, its
  term the item's label (``Lbl``) and its description the item's body (``LBody``).

Plain pikepdf, no Django: ``finish(pdf)`` takes and gives the PDF's bytes.
"""

from __future__ import annotations

import io

import pikepdf

COLUMN, ROW = pikepdf.Name("/Column"), pikepdf.Name("/Row")


def finish(pdf: bytes) -> bytes:
    """The PDF with every table header scoped and every definition list's terms labelling
    their descriptions."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for element, parents in structure(document):
            kind = element.get("/S")
            if kind == "/TH":
                _scope(element, parents)
            elif kind == "/L":
                _pair_terms(element)
        out = io.BytesIO()
        # The structure tree is a few thousand small objects: writing them into object
        # streams keeps the file as small as WeasyPrint's.
        document.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def structure(document: pikepdf.Pdf):
    """Each structure element, depth first, with the kinds of its ancestors (nearest last)."""
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
    """An element's child elements (not its marked content ids or annotation references)."""
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


def _scope(cell, parents: tuple[str, ...]) -> None:
    attributes = cell.get("/A")
    if attributes is None:
        attributes = cell.A = pikepdf.Dictionary(O=pikepdf.Name("/Table"))
    if "/Scope" not in attributes:
        attributes.Scope = COLUMN if "/THead" in parents else ROW


def _pair_terms(listing) -> None:
    """``L > Div > LI(LBody term), LI(LBody description)`` as ``L > LI > Lbl, LBody``."""
    for pair in _kids(listing):
        items = _kids(pair)
        if pair.get("/S") != "/Div" or len(items) != 2:
            continue
        if not all(item.get("/S") == "/LI" and len(_kids(item)) == 1 for item in items):
            continue
        term, description = (_kids(item)[0] for item in items)
        if not term.get("/S") == description.get("/S") == "/LBody":
            continue
        pair.S = pikepdf.Name("/LI")
        term.S = pikepdf.Name("/Lbl")
        term.P = description.P = pair
        pair.K = pikepdf.Array([term, description])
