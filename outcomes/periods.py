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
