"""The period a reading describes: its first and last day, and where a trend places it.

A reading is kept as the source wrote its period ("2023/24", "Q3 2024", "2020 - 22"), with the
period's first and last day. Readings entered before periods were kept had only a last day;
their first day follows from the indicator's frequency (`start_for`).
"""

from __future__ import annotations

import calendar
import datetime
import re
from typing import NamedTuple


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


# Reading a period as sources write it ------------------------------------------------------


class Period(NamedTuple):
    """A period read from a file or a form: its first and last day, and its label as the source
    wrote it ("" for a single date or a month written 2024-03, which its days say as well)."""

    start: datetime.date
    end: datetime.date
    label: str
    # Written as one date ("2024-03-31"): read with as_last_day where a date ends a period.
    day: bool = False


class PeriodError(ValueError):
    """A period that cannot be read, with a message that says what to write instead."""


# Every form a period may take: what it is, an example of each way of writing it, and what the
# example means. The import page and the guide list them; the refusal names them briefly.
ACCEPTED = (
    ("A calendar year", ("2024",), "1 January to 31 December 2024"),
    (
        "A financial or school year: the indicator says which month its years end in",
        ("2023/24", "2023-24", "2023/2024"),
        "April 2023 to March 2024 for years ending in March; September 2023 to August 2024 "
        "for years ending in August",
    ),
    ("A calendar quarter", ("Q3 2024", "2024 Q3", "2024-Q3"), "July to September 2024"),
    (
        "A quarter of a financial or school year",
        ("2024/25 Q3", "Q3 2024/25"),
        "October to December 2024 for years ending in March",
    ),
    ("A month", ("Mar 2024", "March 2024", "Mar-24", "2024-03"), "March 2024"),
    (
        "Calendar years pooled together",
        ("2020 - 22", "2021 - 22", "2020 - 2022"),
        "January 2020 to December 2022; 2021 - 22 is two years, January 2021 to December 2022",
    ),
    (
        "Financial or school years pooled together",
        ("2020/21 - 22/23",),
        "April 2020 to March 2023 for years ending in March",
    ),
    (
        "A span of days, from the first to the last",
        ("2024-01-01 to 2024-03-31",),
        "1 January to 31 March 2024",
    ),
    (
        "A day",
        ("2024-03-31", "31/03/2024", "31/03/24", "31/03/2024 00:00", "31 Mar 2024", "45382"),
        "31 March 2024 (45382 is how Excel numbers that day)",
    ),
)
SHORT_LIST = (
    "2024 (a calendar year), 2023/24 (a financial or school year), Q3 2024 (a calendar "
    "quarter), 2024/25 Q3 (a quarter of a financial year), Mar 2024 or 2024-03 (a month), "
    "2020 - 22 or 2020/21 - 22/23 (pooled years), or a day such as 2024-03-31 or 31/03/2024"
)

# Publishers pool a few years (three, five); "2025-13" is no span of years.
MOST_POOLED = 10
EARLIEST = datetime.date(1990, 1, 1)
LATEST = datetime.date(2100, 12, 31)
# Excel counts days from 30 December 1899 (its 1900 leap-year mistake lies before 1990).
EXCEL_EPOCH = datetime.date(1899, 12, 30)
EXCEL_EARLIEST, EXCEL_LATEST = ((day - EXCEL_EPOCH).days for day in (EARLIEST, LATEST))

MONTH_NAMES = {
    name.lower(): number
    for number in range(1, 13)
    for name in (
        datetime.date(2000, number, 1).strftime("%b"),
        datetime.date(2000, number, 1).strftime("%B"),
    )
}
MONTH_NAMES["sept"] = 9
_MONTH_ABBREVIATIONS = {
    number: datetime.date(2000, number, 1).strftime("%b") for number in range(1, 13)
}
_MONTH = "(" + "|".join(sorted(MONTH_NAMES, key=len, reverse=True)) + r")\.?"
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_YEARS = r"(\d{4})\s*([/-])\s*(\d{2}|\d{4})"  # 2023/24, 2023-24, 2023/2024

_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME)
_UK_DAY = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})" + _TIME)
_NAMED_DAY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[ -]" + _MONTH + r"[ -](\d{4})", re.I)
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")
_YEAR = re.compile(r"\d{4}")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{2})")
_NAMED_MONTH = re.compile(_MONTH + r"[ -]?('?\d{2}|\d{4})", re.I)
_NUMBERED_MONTH = re.compile(r"(\d{1,2})/(\d{4})")
_QUARTER = re.compile(r"(?:Q([1-4])[ -]?(\d{4})|(\d{4})[ -]?Q([1-4]))", re.I)
_YEAR_QUARTER = re.compile(r"(?:" + _YEARS + r"\s*Q([1-4])|Q([1-4])\s+" + _YEARS + ")", re.I)
_SPLIT_YEAR = re.compile(_YEARS)
# Pooled years: the dash has a space beside it ("2020 - 22"), or each end is a split year.
_POOLED = re.compile(r"(\d{4})(?:\s+-\s*|\s*-\s+|\s+to\s+)(\d{2}|\d{4})", re.I)
_SPAN = re.compile(r"(\S.*?)\s+(?:to|-)\s+(\S.*)", re.I)  # 2024-01-01 to 2024-03-31
_POOLED_SPLIT = re.compile(_YEARS + r"\s*(?:-|to)\s*" + r"(\d{2}|\d{4})\s*/\s*(\d{2}|\d{4})", re.I)


def parse(text: str, *, year_end_month: int = 3) -> Period:
    """The period ``text`` names, as a publisher or an analyst writes it (ACCEPTED lists every
    form). A financial or school year ("2023/24") ends in ``year_end_month``. A single date is
    a period of that one day. PeriodError, saying what is accepted, if ``text`` names none, or
    one outside 1990–2100."""
    written = " ".join(str(text).split())
    plain = written.replace("\u2013", "-").replace("\u2014", "-")
    try:
        found = _period(plain, year_end_month)
    except PeriodError:
        raise
    except ValueError:  # from date(): a day or month that does not exist
        raise PeriodError(f"“{written}” is not a real date.") from None
    if found is None:
        raise PeriodError(f"“{written}” is not a period we recognise. Write {SHORT_LIST}.")
    start, end, named = found
    if not (EARLIEST <= end <= LATEST and start.year >= 1900):
        raise PeriodError(f"{written} is outside 1990–2100.")
    return Period(
        start, end, written if named else "", day=start == end and not _SPAN.fullmatch(plain)
    )


def as_last_day(period: Period, frequency: str) -> Period:
    """A single date read the way readings files and forms have always read it: the last day of
    a period as long as the indicator's (a monthly indicator's month, whichever day of it is
    written). Any other period is kept as it is."""
    if not period.day:
        return period
    day = period.end
    if frequency == "monthly":
        end = _month_end(day.year, day.month)
        return Period(end.replace(day=1), end, period.label, day=True)
    return Period(start_for(day, frequency), day, period.label, day=True)


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _months(year: int, month: int, count: int) -> tuple[datetime.date, datetime.date]:
    """``count`` whole months from the first of ``month``."""
    start = datetime.date(year, month, 1)
    last = year * 12 + month - 1 + count - 1
    return start, _month_end(last // 12, last % 12 + 1)


def _full_year(text: str, first: int) -> int:
    """The year a second year of a span names: "24" after 2023 is 2024, as is "2024"."""
    if len(text) == 4:
        return int(text)
    century = first - first % 100
    second = century + int(text)
    return second + 100 if second < first else second


def _year_ending(year: int, year_end_month: int, text: str) -> tuple[datetime.date, datetime.date]:
    """The twelve months that end in ``year_end_month`` of ``year``."""
    if year_end_month == 12:
        raise PeriodError(
            f"“{text}” names a year that runs across two calendar years, but this indicator's "
            "years end in December. Write the calendar year (e.g. 2024), or set the month the "
            "indicator's years end in."
        )
    return _months(year - 1, year_end_month + 1, 12)


def _consecutive(first: int, second_text: str) -> int | None:
    second = _full_year(second_text, first)
    return second if second == first + 1 else None


def _period(text: str, year_end_month: int) -> tuple[datetime.date, datetime.date, bool] | None:
    """(start, end, named) for ``text``; named is False for a single date or a month written
    as machines write it (2024-03), which keep no label. None if ``text`` has none of the
    forms."""
    if match := _ISO_DAY.fullmatch(text):
        day = datetime.date(int(match[1]), int(match[2]), int(match[3]))
        return day, day, False
    if match := _UK_DAY.fullmatch(text):
        year = int(match[4])
        if len(match[4]) == 2:
            year += 1900 if year >= 90 else 2000
        day = datetime.date(year, int(match[3]), int(match[1]))
        return day, day, False
    if match := _NAMED_DAY.fullmatch(text):
        day = datetime.date(int(match[3]), MONTH_NAMES[match[2].lower()], int(match[1]))
        return day, day, False
    if _SERIAL.fullmatch(text):
        serial = int(float(text))
        if not EXCEL_EARLIEST <= serial <= EXCEL_LATEST:
            return None
        day = EXCEL_EPOCH + datetime.timedelta(days=serial)
        return day, day, False
    if _YEAR.fullmatch(text):
        return datetime.date(int(text), 1, 1), datetime.date(int(text), 12, 31), True
    if match := _QUARTER.fullmatch(text):
        quarter, year = (match[1], match[2]) if match[1] else (match[4], match[3])
        return (*_months(int(year), int(quarter) * 3 - 2, 3), True)
    if match := _YEAR_QUARTER.fullmatch(text):
        if match[1]:
            first, second, quarter = match[1], match[3], match[4]
        else:
            first, second, quarter = match[6], match[8], match[5]
        return _quarter_of_year(int(first), second, int(quarter), year_end_month, text)
    if match := _POOLED_SPLIT.fullmatch(text):
        first, last = int(match[1]), _full_year(match[4], int(match[1]))
        if _consecutive(first, match[3]) is None or _consecutive(last, match[5]) is None:
            return None
        if not first < last <= first + MOST_POOLED:
            return None
        start, _ = _year_ending(first + 1, year_end_month, text)
        _, end = _year_ending(last + 1, year_end_month, text)
        return start, end, True
    if match := _POOLED.fullmatch(text):
        first, last = int(match[1]), _full_year(match[2], int(match[1]))
        if not first < last <= first + MOST_POOLED:
            return None
        return datetime.date(first, 1, 1), datetime.date(last, 12, 31), True
    if match := _ISO_MONTH.fullmatch(text):
        year, second = int(match[1]), int(match[2])
        if _consecutive(year, match[2]) and 1 <= second <= 12:
            # 2011-12 could be December 2011 or the year to March 2012: don't guess.
            raise PeriodError(
                f"“{text}” could be a month or a financial year. Write {year}-{second:02}-"
                f"{calendar.monthrange(year, second)[1]} (or {_MONTH_ABBREVIATIONS[second]} "
                f"{year}) for the month, or {year}/{match[2]} for the year."
            )
        if 1 <= second <= 12:
            # As machines write a month: no label of its own, like a date ("Mar 2024").
            return (*_months(year, second, 1), False)
    if match := _SPLIT_YEAR.fullmatch(text):
        year = int(match[1])
        second = _consecutive(year, match[3])
        if second is not None:
            return (*_year_ending(second, year_end_month, text), True)
        last = _full_year(match[3], year)
        if match[2] == "-" and year + 1 < last <= year + MOST_POOLED:
            # 2020-22 cannot be one year: years pooled, as 2020 - 22 is.
            return datetime.date(year, 1, 1), datetime.date(last, 12, 31), True
        return None
    if match := _NAMED_MONTH.fullmatch(text):
        year_text = match[2].lstrip("'")
        year = int(year_text) if len(year_text) == 4 else 2000 + int(year_text)
        if len(year_text) == 2 and year > 2089:
            year -= 100
        return (*_months(year, MONTH_NAMES[match[1].lower()], 1), True)
    if (match := _NUMBERED_MONTH.fullmatch(text)) and 1 <= int(match[1]) <= 12:
        return (*_months(int(match[2]), int(match[1]), 1), True)
    if match := _SPAN.fullmatch(text):
        first, last = (_period(part, year_end_month) for part in match.groups())
        if (
            first
            and last
            and first[0] == first[1]
            and last[0] == last[1]
            and not last[0] < first[0]
        ):
            return first[0], last[1], False
    return None


def _quarter_of_year(
    first: int, second_text: str, quarter: int, year_end_month: int, text: str
) -> tuple[datetime.date, datetime.date, bool] | None:
    second = _consecutive(first, second_text)
    if second is None:
        return None
    year_start, _ = _year_ending(second, year_end_month, text)
    index = year_start.year * 12 + year_start.month - 1 + (quarter - 1) * 3
    return (*_months(index // 12, index % 12 + 1, 3), True)
