"""WeasyPrint's used values of a box's margins, paddings, sizes and borders, worked out in one
call rather than thirteen.

Before laying a box out, WeasyPrint (70) turns the lengths of its computed style into the
values it lays out with (`weasyprint.layout.percent.resolve_percentages`): a percentage of the
containing block, `auto` kept, a length as it is. It does so by calling a function for each of
thirteen properties, each calling another, about 240,000 calls for the board report of the
benchmark's 300-action plan: 0.4 to 0.5 s of its 4 s render went on the calls, not on the
arithmetic. `resolve_percentages` below sets the same attributes to the same values in one
function (the reports of that plan are the same PDF, byte for byte: reports/tests/
test_used_values.py). Installed once, in place of WeasyPrint's in each of its layout modules;
left alone by a WeasyPrint other than the one it was written from (requirements.txt pins 70.0),
whose own function then runs as before. Imported by the render alone, as WeasyPrint is.
"""

from __future__ import annotations

import importlib
from math import inf

import weasyprint
from weasyprint.formatting_structure.boxes import Box, PageBox
from weasyprint.layout import percent
from weasyprint.layout.percent import adjust_box_sizing, check_math, percentage

WRITTEN_FOR = "70.0"
# WeasyPrint's layout modules that hold resolve_percentages under its own name (flex calls it
# through percent's).
CALLERS = ("percent", "absolute", "block", "column", "float", "grid", "inline", "page", "table")
THEIRS = percent.resolve_percentages


def callers() -> list:
    return [importlib.import_module(f"weasyprint.layout.{name}") for name in CALLERS]


def install() -> None:
    """Put resolve_percentages below in place of WeasyPrint's, once."""
    if weasyprint.__version__ != WRITTEN_FOR:
        return
    for module in callers():
        if module.resolve_percentages is THEIRS:
            module.resolve_percentages = resolve_percentages


def _used(value, style, refer_to):
    """WeasyPrint's `percentage`, with its two common cases first: a length, a percentage."""
    if value is None or value == "auto":
        return value
    unit = getattr(value, "unit", None)
    if unit == "px":
        return value.value
    if unit == "%":
        return refer_to * value.value / 100
    return percentage(value, style, refer_to)  # a calc(), or whatever WeasyPrint does


def resolve_percentages(box, containing_block) -> None:
    """What WeasyPrint 70's function of the same name does, line for line, in one call."""
    if isinstance(containing_block, Box):
        cb_width, cb_height = containing_block.width, containing_block.height
    else:
        cb_width, cb_height = containing_block
    maybe_height = cb_height if isinstance(box, PageBox) else cb_width
    style = box.style
    used = box.__dict__  # what setattr would set: boxes have no properties of these names
    used["margin_left"] = _used(style["margin_left"], style, cb_width)
    used["margin_right"] = _used(style["margin_right"], style, cb_width)
    used["margin_top"] = _used(style["margin_top"], style, maybe_height)
    used["margin_bottom"] = _used(style["margin_bottom"], style, maybe_height)
    used["padding_left"] = _used(style["padding_left"], style, cb_width)
    used["padding_right"] = _used(style["padding_right"], style, cb_width)
    used["padding_top"] = _used(style["padding_top"], style, maybe_height)
    used["padding_bottom"] = _used(style["padding_bottom"], style, maybe_height)
    used["width"] = _used(style["width"], style, cb_width)
    used["min_width"] = _not_auto(_used(style["min_width"], style, cb_width))
    used["max_width"] = _used(style["max_width"], style, cb_width)
    if cb_height == "auto":
        # The containing block's height depends on its content.
        height = style["height"]
        if height == "auto" or check_math(height) or height.unit == "%":
            used["height"] = "auto"
        else:
            assert height.unit.lower() == "px"
            used["height"] = height.value
        used["min_height"] = _not_auto(_used(style["min_height"], style, 0))
        used["max_height"] = _used(style["max_height"], style, inf)
    else:
        used["height"] = _used(style["height"], style, cb_height)
        used["min_height"] = _not_auto(_used(style["min_height"], style, cb_height))
        used["max_height"] = _used(style["max_height"], style, cb_height)
    # Border widths are their computed values, except those already set by the resolution of
    # collapsed borders.
    collapse = style["border_collapse"] == "collapse"
    for side in (
        "border_top_width",
        "border_right_width",
        "border_bottom_width",
        "border_left_width",
    ):
        if not (collapse and side in used):
            used[side] = style[side]
    if style["box_sizing"] != "content-box":  # content-box changes nothing
        adjust_box_sizing(box, "width")
        adjust_box_sizing(box, "height")


def _not_auto(value):
    return 0 if value == "auto" else value
