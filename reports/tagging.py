"""What the reports' PDF structure tree needs that WeasyPrint does not write, added as WeasyPrint
writes the PDF.

WeasyPrint tags a tagged PDF (PDF/UA-1) from the HTML, with two gaps a screen reader meets:

- a table's header cell (``TH``) has no ``/Scope``, so a reader cannot tell a column's header
  from a row's. The templates give every header a scope: ``col`` in a table's head, ``row``
  in its body and foot; the same rule is read back here from where each cell sits.
- a definition list (``<dl>``) becomes a list of unlabelled items, a term and its
  description two items apart (``L > LI(LBody), LI(LBody)``). ``mark_terms`` notes, as
  WeasyPrint builds the tree, which items are terms and which descriptions; each term's item
  then becomes the pair's list item, the term its label (``Lbl``) and the description that
  follows it the item's body (``LBody``). A description with no term before it on its page
  (the rest of one that a page break split) is left a list item of its own.

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
    """``L > LI(LBody term), LI(LBody description)`` as ``L > LI(Lbl term, LBody description)``,
    by the marks ``mark_terms`` leaves on the items."""
    term = None  # a term's item, waiting for its description
    emptied = set()
    for item in _elements(objects, listing):
        is_term = getattr(item, "is_term", None)
        if is_term is False and term is not None:
            (label,), bodies = _elements(objects, term), _elements(objects, item)
            body = bodies[0] if len(bodies) == 1 else None
            if body is not None and label["S"] == body["S"] == "/LBody":
                label["S"] = "/Lbl"
                body["P"] = term.reference
                term["K"] = pydyf.Array([label.reference, body.reference])
                emptied.add(item.reference)
                item.clear()  # no longer in the tree: written empty (pydyf writes every object)
        term = item if is_term and len(_elements(objects, item)) == 1 else None
    if emptied:
        listing["K"] = pydyf.Array(kid for kid in listing["K"] if kid not in emptied)


def mark_terms() -> None:
    """WeasyPrint (70) tags a definition list's terms and descriptions alike: each an item
    (``LI``) around a body (``LBody``). Mark each term's and description's item as WeasyPrint
    builds it, for ``_pair_terms``. Done once; a WeasyPrint without that function is left
    alone, and its terms stay unpaired (the structure test says so)."""
    from weasyprint.pdf import tags

    built = getattr(tags, "_build_box_tree", None)
    if built is None or getattr(built, "marks_terms", False):
        return

    def build_box_tree(box, *args, **kwargs):
        kind = getattr(box, "element_tag", None)
        for element in built(box, *args, **kwargs):
            if kind in ("dt", "dd") and element.get("S") == "/LI":
                element.is_term = kind == "dt"
            yield element

    build_box_tree.marks_terms = True
    tags._build_box_tree = build_box_tree


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
