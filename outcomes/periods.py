"""The period a reading describes: its first and last day, and where a trend places it.

A reading is kept as the source wrote its period ("2023/24", "Q3 2024", "2020 - 22"), with the
period's first and last day. Readings entered before periods were kept had only a last day;
their first day follows from the indicator's frequency (`start_for`).
"""

from __future__ import annotations

import datetime


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month `months` earlier, or that month's last day if it is shorter."""
    month_index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # unreachable: every month has a 28th


MONTHS_IN = {"monthly": 1, "quarterly": 3, "annual": 12}


def start_for(end: datetime.date, frequency: str) -> datetime.date:
    """The first day of the period that ends on `end`, for an indicator of that frequency."""
    return months_before(end + datetime.timedelta(days=1), MONTHS_IN.get(frequency, 12))


def midpoint(start: datetime.date, end: datetime.date) -> datetime.date:
    """Where a trend places a reading: the middle day of its period."""
    return start + (end - start) / 2


def label_for(start: datetime.date, end: datetime.date, label: str = "") -> str:
    """How a period reads on pages, charts, reports and exports: as the source wrote it, or
    from its days: "Mar 2024" for a month, "Jan–Mar 2024" for three months, "2023/24" for a
    year from April, "2024" for a calendar year, "12 May 2024" for a single day."""
    if label:
        return label
    if start == end:
        return f"{end.day} {end:%b %Y}"
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    whole_months = start.day == 1 and (end + datetime.timedelta(days=1)).day == 1
    if not whole_months:
        return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"
    if months == 1:
        return f"{end:%b %Y}"
    if months == 12 and start.month == 1:
        return f"{end.year}"
    if months == 12:
        return f"{start.year}/{end:%y}"
    if start.year == end.year:
        return f"{start:%b}–{end:%b %Y}"
    return f"{start:%b %Y}–{end:%b %Y}"
