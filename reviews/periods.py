"""Review periods: calendar blocks of 3, 6 or 12 months (quarters, half-years, years)."""

from __future__ import annotations

from datetime import date, timedelta


def period_of(day: date, months: int = 3) -> tuple[date, date]:
    """The first and last day of the period of ``months`` that holds ``day``."""
    first_month = (day.month - 1) // months * months + 1
    first = date(day.year, first_month, 1)
    return first, _add_months(first, months) - timedelta(days=1)


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def periods_around(day: date, months: int = 3, *, back: int = 4, ahead: int = 1) -> list:
    """The periods from ``back`` before the one holding ``day`` to ``ahead`` after, newest first."""
    first, _ = period_of(day, months)
    found = []
    for step in range(ahead, -back - 1, -1):
        start = _add_months(first, step * months)
        found.append((start, _add_months(start, months) - timedelta(days=1)))
    return found


def label(first: date, last: date) -> str:
    """'October to December 2026', or 'November 2025 to October 2026' across years."""
    if first.year == last.year:
        return f"{first:%B} to {last:%B %Y}"
    return f"{first:%B %Y} to {last:%B %Y}"


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first and last day of a calendar quarter (Q1 = January to March)."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"A quarter is 1 to 4, not {quarter}.")
    first = date(year, 3 * quarter - 2, 1)
    after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, after - timedelta(days=1)


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1
