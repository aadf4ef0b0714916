"""The unit formatters of outcomes/units.py for templates: `{{ amount|money }}`,
`{{ people|count }}`, `{{ reading.value|in_unit:indicator }}`, and for a gap or change
`{{ change|difference_in_unit:indicator }}`. Nothing else in a template formats a figure."""

from __future__ import annotations

from django import template

from outcomes import units

register = template.Library()


@register.filter
def money(value) -> str:
    return "" if value in (None, "") else units.format_money(value)


@register.filter
def count(value) -> str:
    return "" if value in (None, "") else units.format_count(value)


@register.filter
def in_unit(value, indicator) -> str:
    return "" if value in (None, "") else indicator.measure.value(value)


@register.filter
def difference_in_unit(value, indicator) -> str:
    return "" if value in (None, "") else indicator.measure.difference(value)
