from __future__ import annotations

from base64 import b64encode

from django import template

register = template.Library()


@register.filter
def svg_data_uri(svg: str) -> str:
    """An SVG drawing as a data: URI for an <img>. WeasyPrint draws an <img> of SVG faster than
    the same SVG inline (docs/reports.md), and tags its alt text for screen readers."""
    return "data:image/svg+xml;base64," + b64encode(svg.encode()).decode()


@register.filter
def pairs(items) -> list[list]:
    """Items two at a time, for the reports' two-to-a-row blocks (charts, readings tables)."""
    items = list(items)
    return [items[start : start + 2] for start in range(0, len(items), 2)]
