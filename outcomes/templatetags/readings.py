"""A reading's period in templates, as everywhere else (outcomes/periods.py's label_for):
`{{ reading|period_label }}` gives "2023/24", "Q3 2024" or "Jan–Mar 2025"."""

from __future__ import annotations

from django import template

from outcomes import periods

register = template.Library()


@register.filter
def period_label(reading) -> str:
    return periods.label_for(reading.period_start, reading.period, reading.period_label)
