"""What a reading may be, whichever way it is entered: the reading form, the readings import
and the correction page all ask here. Plain Python, no Django."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

# Readings are kept as Decimal(16, 4), but SQLite keeps a decimal as a double and the
# arithmetic works in doubles: a double holds any 15 significant digits exactly and no more.
# So 999999999999.9999 (16 digits) would come back from SQLite as 1000000000000 and break
# the pages, and a 16-digit value imported again would never match the one kept.
MOST_DIGITS = 15


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def reading_period(day: date, *, monthly: bool) -> date:
    """The day a reading is kept under. A monthly indicator's reading is for a month, kept
    under its last day whichever day of it was written (1 April 2027, "2027-04" and an Excel
    date cell shown as "Apr 2027" are one reading); other periods are kept as written."""
    return month_end(day.year, day.month) if monthly else day


def future_problem(period: date, *, today: date) -> str:
    """Why a reading for a period that has not ended yet is refused ("" if it has ended).
    A figure for a period still under way would show as the latest, as if it were final."""
    if period <= today:
        return ""
    return (
        f"The period ends on {period.day} {period:%B %Y}, after today: a reading is entered "
        "once its period is over."
    )


def digits_problem(number: Decimal, what: str) -> str:
    """Why ``number`` (already rounded to four places) cannot be kept exactly ("" if it can)."""
    digits = len(number.normalize().as_tuple().digits)
    if number.is_zero() or digits <= MOST_DIGITS:
        return ""
    return (
        f"{what} {number.normalize():f} has {digits} significant digits; at most "
        f"{MOST_DIGITS} can be kept exactly. Round it."
    )
