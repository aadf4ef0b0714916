"""Indicator readings in and out of spreadsheets.

`read_rows` turns an uploaded CSV or Excel file into rows of text; `import_readings` checks
every row and then saves all of them or, if any is wrong, none; `write_readings_csv` writes a
plan's readings in the same columns, so a file exported and imported again changes nothing.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TextIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from improveplan import history
from improveplan.periods import PeriodClosed, closed_by, closed_periods
from improveplan.spreadsheet_limits import Limits, measure_csv, measure_xlsx
from improveplan.uploads import CSV, XLSX, Kind, check_upload
from outcomes import reading_rules
from outcomes.access import may_enter_readings
from outcomes.models import Indicator, Reading

COLUMNS = ["indicator", "period", "value", "lower", "upper", "breakdown", "source_note"]
REQUIRED = ("indicator", "period", "value")
# What a file may leave out and so leave as it is on a reading it updates. A column the file
# has, with an empty cell, clears that value.
KEPT_IF_LEFT_OUT = ("lower", "upper", "source_note")

# Beyond this a file is more likely a mistake (or a zip bomb) than a year of readings; and
# the largest file accepted is read, checked and saved in well under 200 MB (make bench).
MAX_ROWS = 100_000
BATCH_SIZE = 2000
# What a file may hold, measured before it is read (improveplan/spreadsheet_limits.py): the
# rows are the readings and the header; a few spare columns; room for commas in notes.
LIMITS = Limits(
    rows=MAX_ROWS + 1,
    columns=50,
    cells=1_500_000,
    shared_strings=200_000,
    unpacked_bytes=100 * 1_048_576,
    shared_strings_bytes=20 * 1_048_576,
)

EARLIEST = date(1990, 1, 1)
LATEST = date(2100, 12, 31)
FOUR_PLACES = Decimal("0.0001")

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


@dataclass(frozen=True)
class RowError:
    """What is wrong, where: ``row`` as the spreadsheet numbers it (the header is row 1; 0 is
    the file as a whole) and ``column`` one of COLUMNS ("" for the whole row)."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.row:
            return self.message
        if not self.column:
            return f"Row {self.row}: {self.message}"
        return f"Row {self.row}, column {self.column}: {self.message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class Row(dict[str, str]):
    """One row of a file: column → text, knowing the row number the spreadsheet shows."""

    __slots__ = ("number",)  # no __dict__ per row: the largest file has 100,000 of them

    def __init__(self, number: int, values: Mapping[str, str]) -> None:
        super().__init__(values)
        self.number = number


# Reading a file ---------------------------------------------------------------------------


def read_rows(upload) -> list[dict[str, str]] | RowError:
    """The rows of a CSV or Excel file (judged by its content) as text keyed by lower-case
    column names; wholly empty rows are left out. Each row is a `Row`, which knows its number.
    A RowError if the file cannot be read or its header is wrong."""
    if getattr(upload, "size", None) is None:
        upload = _Sized(upload)
    kind = _measured(upload)
    if isinstance(kind, RowError):
        return kind
    upload.seek(0)
    lines = _xlsx_lines(upload) if kind == XLSX else _csv_lines(upload)
    try:
        return _rows_under_header(lines)
    except _Unreadable as error:
        return RowError(0, "", str(error))
    finally:
        lines.close()


def refusal(upload) -> RowError | None:
    """What makes the file unreadable as a whole (its kind, its size, more rows or cells than
    an import takes), found quickly without reading its rows; None if it may be read."""
    if getattr(upload, "size", None) is None:
        upload = _Sized(upload)
    kind = _measured(upload)
    upload.seek(0)
    return kind if isinstance(kind, RowError) else None


def _measured(upload) -> Kind | RowError:
    """The file's kind (CSV or XLSX), once it is measured and found within the limits."""
    try:
        kind = check_upload(upload, allowed=(CSV, XLSX), max_bytes=settings.UPLOAD_MAX_BYTES * 5)
        measure = measure_xlsx if kind == XLSX else measure_csv
        measure(upload, LIMITS, label="The workbook" if kind == XLSX else "The file")
    except ValidationError as error:
        return RowError(0, "", " ".join(error.messages))
    return kind


def import_file(*, plan, upload, user, membership) -> ImportResult:
    """Read a CSV or Excel file and import its readings (see `import_readings`): all of them,
    or none and every problem."""
    rows = read_rows(upload)
    if isinstance(rows, RowError):
        return ImportResult(errors=[rows])
    if not rows:
        return ImportResult(errors=[RowError(0, "", "The file has a heading row but no readings.")])
    return import_readings(plan=plan, rows=rows, user=user, membership=membership)


def saved_message(result: ImportResult) -> str:
    return (
        f"Imported: {result.created} new readings, {result.updated} changed, "
        f"{result.unchanged} already as in the file."
    )


def logged_detail(plan, result: ImportResult) -> str:
    """The security log's line for an import that saved."""
    return (
        f"Readings into plan {plan.pk}: {result.created} new, "
        f"{result.updated} changed, {result.unchanged} unchanged"
    )


class _Unreadable(Exception):
    pass


class _Sized:
    """A plain binary file with the ``size`` that check_upload asks for."""

    def __init__(self, file) -> None:
        self._file = file
        self.name = getattr(file, "name", "")
        file.seek(0, io.SEEK_END)
        self.size = file.tell()
        file.seek(0)

    def __getattr__(self, name: str):
        return getattr(self._file, name)


def _csv_lines(upload) -> Generator[list[str], None, None]:
    # Decoded line by line, so the file is never in memory twice over as bytes and text.
    text = io.TextIOWrapper(getattr(upload, "file", upload), encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        for cells in reader:
            if any("\x00" in cell for cell in cells):
                # A text file has no NUL bytes (and the database could not store one).
                raise _Unreadable("The file contains binary data, so it is not a CSV file.")
            yield [_clean(cell) for cell in cells]
    except UnicodeDecodeError:
        raise _Unreadable(
            "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (comma delimited)”."
        ) from None
    except csv.Error as error:
        raise _Unreadable(f"Line {reader.line_num} cannot be read as CSV: {error}.") from None
    finally:
        text.detach()  # the upload stays open for its owner


def _xlsx_lines(upload) -> Generator[list[str], None, None]:
    from openpyxl import load_workbook

    # openpyxl raises many kinds of error for a damaged workbook, also while reading rows.
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001
        raise _Unreadable(f"The Excel workbook cannot be opened ({error}).") from None
    try:
        sheet = workbook.worksheets[0]
        # Some programs write a wrong size into the sheet; read the rows that are there.
        sheet.reset_dimensions()
        for cells in sheet.iter_rows():
            yield [_reading_cell_text(cell) for cell in cells]
    except Exception as error:  # noqa: BLE001
        raise _Unreadable(f"The Excel workbook cannot be read ({error}).") from None
    finally:
        workbook.close()


def _reading_cell_text(cell) -> str:
    """A cell of a readings workbook as text. A date cell whose format shows no day ("Apr
    2027") names a month, so it reads as "2027-04", as the month typed as text does."""
    value = getattr(cell, "value", None)
    if isinstance(value, date) and not _shows_day(getattr(cell, "number_format", "") or ""):
        return f"{value:%Y-%m}"
    return _xlsx_text(cell)


# In an Excel number format, text in double quotes and a character after a backslash are
# shown as they are; so is anything in square brackets (colours, conditions, locales).
_LITERAL_IN_FORMAT = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def _format_codes(number_format: str) -> str:
    """The part of an Excel number format that formats, without its literal text."""
    return _LITERAL_IN_FORMAT.sub("", number_format)


def _shows_day(number_format: str) -> bool:
    return "d" in _format_codes(number_format).lower()


def _is_percent(number_format: str) -> bool:
    """A real percent format (0.0%) shows the cell's value times 100; 0.0"%" and 0.0\\%
    show the value as it is, with a percent sign after it."""
    return "%" in _format_codes(number_format)


def _xlsx_text(cell) -> str:
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        # A cell shown as 12.5% holds 0.125: take the number the person sees.
        if _is_percent(getattr(cell, "number_format", "") or ""):
            value *= 100
        if isinstance(value, float):
            # 15 significant digits, as Excel shows them: 12.3, not 12.299999999999999.
            text = format(value, ".15g")
            return text if "e" not in text else format(Decimal(text), "f")
        return str(value)
    return _clean(str(value))


def _clean(text: str) -> str:
    text = text.strip()
    # Undo the apostrophe write_readings_csv puts before a would-be formula.
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_STARTS:
        return text[1:]
    return text


def _rows_under_header(lines: Iterable[list[str]]) -> list[dict[str, str]] | RowError:
    header: list[str] | None = None
    rows: list[dict[str, str]] = []
    # Each distinct text is held once: a file repeats its codes, periods, breakdowns and
    # notes on row after row, and the rows are all in memory until they are saved.
    texts: dict[str, str] = {}
    for number, cells in enumerate(lines, start=1):
        if not any(cells):
            continue
        if header is None:
            header = [_column_name(cell) for cell in cells]
            problem = _header_problem(header)
            if problem:
                return RowError(number, "", problem)
            continue
        if len(rows) == MAX_ROWS:
            return RowError(
                0, "", f"The file has more than {MAX_ROWS:,} readings; split it into smaller files."
            )
        values = dict.fromkeys(header, "")
        for position, text in enumerate(cells):
            name = header[position] if position < len(header) else ""
            if name:
                values[name] = texts.setdefault(text, text)
            elif text:
                return RowError(
                    number,
                    "",
                    f"There is “{text}” in column {position + 1}, which has no heading. "
                    "Give the column a heading from the list, or delete it.",
                )
        values.pop("", None)
        rows.append(Row(number, values))
    if header is None:
        return RowError(
            1, "", f"The file is empty. Its first row must name the columns: {_listed()}."
        )
    return rows


def _column_name(text: str) -> str:
    return " ".join(text.lower().split()).replace(" ", "_")


def _header_problem(header: list[str]) -> str:
    named = [name for name in header if name]
    problems = []
    unknown = [name for name in named if name not in COLUMNS]
    if unknown:
        problems.append(f"Unknown columns: {', '.join(unknown)}.")
    twice = sorted({name for name in named if named.count(name) > 1})
    if twice:
        problems.append(f"Columns given twice: {', '.join(twice)}.")
    missing = [name for name in REQUIRED if name not in named]
    if missing:
        problems.append(f"Missing columns: {', '.join(missing)}.")
    if not problems:
        return ""
    return " ".join([*problems, f"The columns are: {_listed()} (the first three are needed)."])


def _listed() -> str:
    return ", ".join(COLUMNS)


# Periods and numbers ----------------------------------------------------------------------

PERIOD_FORMS = (
    "2025-03-31 or 31/03/2025 (a day), 2025-03 (a month), 2025-Q1 or 2025 Q1 (a quarter), "
    "2025 (a year), or 2024/25 (a financial year, to 31 March 2025)"
)
_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_YEAR_AND_TWO = re.compile(r"(\d{4})\s*([-/])\s*(\d{1,2})")
_QUARTER = re.compile(r"(\d{4})\s*-?\s*Q([1-4])", re.IGNORECASE)
_YEAR = re.compile(r"\d{4}")


def parse_period(text: str) -> date:
    """The last day of the period ``text`` names. ValueError, saying what is accepted, if
    it names none, or one outside 1990–2100."""
    text = text.strip()
    try:
        day = _period(text)
    except _Refused:
        raise
    except ValueError:  # from date(): a day or month that does not exist
        raise ValueError(f"“{text}” is not a real date.") from None
    if day is None:
        raise ValueError(f"“{text}” is not a period we recognise. Write {PERIOD_FORMS}.")
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"{text} is outside 1990–2100.")
    return day


def _period(text: str) -> date | None:
    """The period's last day, None if ``text`` has none of the forms (or a ValueError for
    an impossible date such as 2025-02-30)."""
    if match := _DAY.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
        return date(year, month, day)
    if match := _UK_DAY.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
        return date(year, month, day)
    if match := _QUARTER.fullmatch(text):
        year, quarter = int(match[1]), int(match[2])
        return _month_end(year, quarter * 3)
    if _YEAR.fullmatch(text):
        return date(int(text), 12, 31)
    if match := _YEAR_AND_TWO.fullmatch(text):
        year, separator, second = int(match[1]), match[2], match[3]
        follows = len(second) == 2 and int(second) == (year + 1) % 100
        if separator == "/":
            return date(year + 1, 3, 31) if follows else None
        if follows and 1 <= int(second) <= 12:
            # 2011-12 could be December 2011 or the year to March 2012: don't guess.
            raise _Refused(
                f"“{text}” could be a month or a financial year. Write {year}-{second}-"
                f"{calendar.monthrange(year, int(second))[1]} for the month or "
                f"{year}/{second} for the financial year."
            )
        if 1 <= int(second) <= 12:
            return _month_end(year, int(second))
        return date(year + 1, 3, 31) if follows else None
    return None


class _Refused(ValueError):
    """A period with a message of its own."""


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_number(text: str, what: str) -> Decimal:
    """``text`` as a Decimal(16, 4), rounded to four places. ValueError naming ``what``
    (e.g. "The value") if it is not a finite number or is too large."""
    plain = text.strip().removesuffix("%").strip()
    if GROUPED_NUMBER.fullmatch(plain):
        plain = plain.replace(",", "")
    if not PLAIN_NUMBER.fullmatch(plain):
        raise ValueError(f"{what} “{text}” is not a number.")
    number = Decimal(plain)
    if number.is_zero():
        return Decimal("0.0000")
    if number.adjusted() < 12:
        number = number.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)
    if number.adjusted() >= 12:  # also 999999999999.99995, which rounds up to 13 digits
        raise ValueError(
            f"{what} {text} is too large: at most 12 digits may come before the decimal point."
        )
    if problem := reading_rules.digits_problem(number, what):
        raise ValueError(problem)
    return number


# Importing --------------------------------------------------------------------------------


@dataclass(slots=True)  # the largest file makes 100,000 of them
class _Checked:
    number: int
    indicator: Indicator
    period: date
    breakdown: str
    value: Decimal
    lower: Decimal | None
    upper: Decimal | None
    source_note: str
    # Of KEPT_IF_LEFT_OUT, the columns the file has: the others keep a saved reading's value.
    given: frozenset[str] = frozenset(KEPT_IF_LEFT_OUT)

    def over(self, saved: tuple | None) -> tuple:
        """(value, lower, upper, source_note) this row leaves on ``saved`` (value, lower,
        upper, source_note), or sets on a new reading if None."""
        mine = {"lower": self.lower, "upper": self.upper, "source_note": self.source_note}
        if saved is not None:
            kept = dict(zip(("lower", "upper", "source_note"), saved[1:], strict=True))
            mine |= {name: kept[name] for name in KEPT_IF_LEFT_OUT if name not in self.given}
        return self.value, mine["lower"], mine["upper"], mine["source_note"]


def import_readings(*, plan, rows: Iterable[Mapping[str, str]], user, membership) -> ImportResult:
    """Check every row, then save all of them in one transaction, or nothing if any row is
    wrong. A row for a reading that exists (same indicator, period and breakdown) updates it
    if its numbers or note differ; a column the file leaves out (margins, source note) keeps
    the reading's saved value. ``membership`` is the importer's membership of the plan's
    partnership; it decides which indicators they may enter readings for."""
    if membership.partnership_id != plan.partnership_id:
        raise ValueError("The membership must be of the plan's partnership.")
    if plan.status == plan.Status.ARCHIVED:
        # The pages refuse it too (improveplan/access.py); this is for every other caller.
        return ImportResult(
            errors=[
                RowError(
                    0,
                    "",
                    "This plan is archived, so it is read only: nothing was imported. "
                    "A lead may reopen it from the plan's page.",
                )
            ]
        )
    checked, errors = _check_rows(plan, rows, membership)
    if errors:
        order = {name: position for position, name in enumerate(["", *COLUMNS])}
        errors.sort(key=lambda error: (error.row, order.get(error.column, 99)))
        return ImportResult(errors=errors)
    existing = _existing_readings(checked) if checked else {}
    if errors := _kept_bounds_problems(checked, existing):
        return ImportResult(errors=errors)
    try:
        return _save(checked, existing, user)
    except IntegrityError:
        # Someone else saved one of these readings between our check and our save.
        return ImportResult(
            errors=[
                RowError(
                    0,
                    "",
                    "Someone changed these readings while the file was being imported, so "
                    "nothing was saved. Please import the file again.",
                )
            ]
        )


def _check_rows(plan, rows, membership) -> tuple[list[_Checked], list[RowError]]:
    check = _RowChecker(plan, membership)
    checked: list[_Checked] = []
    errors: list[RowError] = []
    for index, row in enumerate(rows):
        number = getattr(row, "number", index + 2)
        cells = {name: (row.get(name) or "").strip() for name in COLUMNS}
        given = frozenset(name for name in KEPT_IF_LEFT_OUT if name in row)
        found, problems = check(number, cells, given)
        if problems:
            errors += [RowError(number, column, message) for column, message in problems]
        else:
            checked.append(found)
    return checked, errors


class _RowChecker:
    """Checks rows one by one, remembering what it has looked up and the rows seen."""

    def __init__(self, plan, membership) -> None:
        self.membership = membership
        # One query for the plan's indicators. A code of another plan is simply not here,
        # so it is "no indicator" like a typo: the file learns nothing about other plans.
        self.indicators = {
            indicator.code: indicator
            for indicator in Indicator.objects.filter(plan=plan).select_related("owner")
        }
        self.by_lower_code: dict[str, list[Indicator]] = {}
        for indicator in self.indicators.values():
            self.by_lower_code.setdefault(indicator.code.lower(), []).append(indicator)
        self.allowed: dict[int, bool] = {}
        self.periods: dict[str, date | str] = {}  # text → its day, or what is wrong with it
        self.first_row: dict[tuple[int, date, str], int] = {}
        self.today = timezone.localdate()
        self.closed = closed_periods(plan.pk)  # e.g. signed-off reviews' periods
        self.closed_readings: dict | None = None  # read once, if a row falls in one

    def __call__(
        self, number: int, cells: dict[str, str], given: frozenset[str] = frozenset(COLUMNS)
    ) -> tuple[_Checked | None, list[tuple[str, str]]]:
        problems: list[tuple[str, str]] = []
        indicator, problem = self.indicator(cells["indicator"])
        if problem:
            problems.append(("indicator", problem))
        period = self.period(cells["period"])
        if isinstance(period, date) and indicator is not None:
            monthly = indicator.frequency == Indicator.Frequency.MONTHLY
            period = reading_rules.reading_period(period, monthly=monthly)
        if isinstance(period, date) and (
            future := reading_rules.future_problem(period, today=self.today)
        ):
            period = future
        if isinstance(period, str):
            problems.append(("period", period))
        numbers: dict[str, Decimal | None] = {}
        for column, what in (
            ("value", "value"),
            ("lower", "lower bound"),
            ("upper", "upper bound"),
        ):
            numbers[column], problem = self.number(cells[column], what, needed=column == "value")
            if problem:
                problems.append((column, problem))
        problems += self.bounds(cells, **numbers)
        if indicator is not None:
            for column in ("value", "lower", "upper"):
                if problem := indicator.range_problem(numbers[column]):
                    problems.append((column, problem))
        for column, what, most in (
            ("breakdown", "A breakdown", 100),
            ("source_note", "A source note", 300),
        ):
            if len(cells[column]) > most:
                problems.append(
                    (
                        column,
                        f"{what} may have at most {most} characters; this has "
                        f"{len(cells[column])}.",
                    )
                )
        if indicator is not None and isinstance(period, date):
            breakdown = cells["breakdown"]
            earlier = self.first_row.setdefault((indicator.pk, period, breakdown), number)
            if earlier != number:
                where = f" for “{breakdown}”" if breakdown else ""
                problems.append(
                    (
                        "period",
                        f"Row {earlier} already gives {indicator.code} for "
                        f"{period:%Y-%m-%d}{where}. Give each period once.",
                    )
                )
        if problems:
            return None, problems
        row = _Checked(
            number,
            indicator,
            period,
            cells["breakdown"],
            numbers["value"],
            numbers["lower"],
            numbers["upper"],
            cells["source_note"],
            given & frozenset(KEPT_IF_LEFT_OUT),
        )
        if closed := self.closed_problem(row):
            return None, [("period", closed)]
        return row, []

    def closed_problem(self, row: _Checked) -> str:
        """A row that would change a reading of a period a signed-off review closed. The
        same reading again (a file exported and imported back) changes nothing and passes."""
        closed = closed_by(self.closed, row.period)
        if closed is None:
            return ""
        if self.closed_readings is None:
            self.closed_readings = {
                (r.indicator_id, r.period, r.breakdown): (r.value, r.lower, r.upper, r.source_note)
                for r in Reading.objects.filter(indicator__plan_id=closed.plan_id)
                if closed_by(self.closed, r.period)
            }
        saved = self.closed_readings.get((row.indicator.pk, row.period, row.breakdown))
        if saved is not None and row.over(saved) == saved:
            return ""
        return f"{PeriodClosed(closed)} A lead may correct a reading of it, with a reason."

    def indicator(self, code: str) -> tuple[Indicator | None, str]:
        if not code:
            return None, "The indicator’s reference is missing."
        indicator = self.indicators.get(code)
        if indicator is None:
            # hw-01 for HW-01, unless the plan has both.
            same = self.by_lower_code.get(code.lower(), [])
            indicator = same[0] if len(same) == 1 else None
        if indicator is None:
            return None, f"There is no indicator “{code}” in this plan."
        if indicator.pk not in self.allowed:
            self.allowed[indicator.pk] = may_enter_readings(self.membership, indicator)
        if not self.allowed[indicator.pk]:
            return indicator, (
                f"Only leads and partners from {indicator.owner} may enter readings "
                f"for {indicator.code}."
            )
        return indicator, ""

    def period(self, text: str) -> date | str:
        if text not in self.periods:
            try:
                self.periods[text] = parse_period(text) if text else "The period is missing."
            except ValueError as error:
                self.periods[text] = str(error)
        return self.periods[text]

    @staticmethod
    def number(text: str, what: str, *, needed: bool) -> tuple[Decimal | None, str]:
        if not text:
            return None, f"The {what} is missing." if needed else ""
        try:
            return parse_number(text, f"The {what}"), ""
        except ValueError as error:
            return None, str(error)

    @staticmethod
    def bounds(cells: dict[str, str], *, value, lower, upper) -> list[tuple[str, str]]:
        problems = []
        if value is not None and lower is not None and lower > value:
            problems.append(
                ("lower", f"The lower bound {cells['lower']} is above the value {cells['value']}.")
            )
        if value is not None and upper is not None and upper < value:
            problems.append(
                ("upper", f"The upper bound {cells['upper']} is below the value {cells['value']}.")
            )
        return problems


def _kept_bounds_problems(checked: list[_Checked], existing: dict) -> list[RowError]:
    """A margin a file leaves out is kept, so it must still hold the row's new value."""
    errors = []
    for row in checked:
        saved = existing.get((row.indicator.pk, row.period, row.breakdown))
        if saved is None or row.given == frozenset(KEPT_IF_LEFT_OUT):
            continue
        value, lower, upper, _ = row.over(saved[1:])
        for column, bound, wrong in (("lower", lower, "above"), ("upper", upper, "below")):
            if column in row.given or bound is None:
                continue
            if (bound > value) if column == "lower" else (bound < value):
                errors.append(
                    RowError(
                        row.number,
                        "value",
                        f"The saved {column} bound {_plain(bound)} is {wrong} the new value "
                        f"{_plain(value)}. Add a {column} column with the new bound, or with an "
                        "empty cell to clear it.",
                    )
                )
    return errors


def _save(checked: list[_Checked], existing: dict, user) -> ImportResult:
    result = ImportResult()
    if not checked:
        return result
    new: list[Reading] = []
    changed: list[tuple[int, tuple]] = []
    for row in checked:
        saved = existing.get((row.indicator.pk, row.period, row.breakdown))
        data = row.over(saved[1:] if saved else None)
        if saved is None:
            value, lower, upper, source_note = data
            new.append(
                Reading(
                    indicator_id=row.indicator.pk,
                    period=row.period,
                    breakdown=row.breakdown,
                    value=value,
                    lower=lower,
                    upper=upper,
                    source_note=source_note,
                    entered_by_id=user.pk,
                )
            )
        elif saved[1:] != data:
            changed.append((saved[0], data))
        else:
            result.unchanged += 1
    with transaction.atomic():
        Reading.objects.bulk_create(new, batch_size=BATCH_SIZE)
        history.record_rows(Reading, [reading.pk for reading in new], user=user, created=True)
        _update(changed, user)
    result.created, result.updated = len(new), len(changed)
    return result


_READING_KEY = ("indicator_id", "period", "breakdown")
_READING_DATA = ("value", "lower", "upper", "source_note")


def _existing_readings(checked: list[_Checked]) -> dict[tuple[int, date, str], tuple]:
    """The saved readings the rows could match, keyed like the rows: (pk, value, lower,
    upper, source_note)."""
    indicator_ids = sorted({row.indicator.pk for row in checked})
    first = min(row.period for row in checked)
    last = max(row.period for row in checked)
    found = {}
    for start in range(0, len(indicator_ids), 500):
        readings = (
            Reading.objects.filter(
                indicator_id__in=indicator_ids[start : start + 500], period__range=(first, last)
            )
            .order_by()
            .values_list(*_READING_KEY, "pk", *_READING_DATA)
        )
        for reading in readings.iterator(chunk_size=BATCH_SIZE):
            found[reading[:3]] = reading[3:]
    return found


def _update(changed: list[tuple[int, tuple]], user) -> None:
    """Save the changed rows' (value, lower, upper, source_note) over their readings.

    Not bulk_update: building its CASE expressions costs Django about a millisecond a
    reading, well over a minute for 100,000. Instead one UPDATE … FROM (VALUES …) a batch,
    which PostgreSQL and SQLite (3.33 and later) both understand."""
    if not changed:
        return
    meta = Reading._meta
    name = connection.ops.quote_name
    table = name(meta.db_table)
    # VALUES names its columns column1, column2, … in both databases. The casts tell
    # PostgreSQL the type of a column that holds only NULLs in a batch.
    numbers = ("value", "lower", "upper")
    assignments = [
        f"{name(meta.get_field(field).column)} = CAST(v.column{n} AS NUMERIC)"
        for n, field in enumerate(numbers, start=2)
    ]
    assignments += [
        f"{name(meta.get_field('source_note').column)} = v.column5",
        f"{name(meta.get_field('entered_by').column)} = %s",
        # By hand: auto_now belongs to save(), which this is not.
        f"{name(meta.get_field('entered_at').column)} = %s",
    ]
    decimal = meta.get_field("value")
    prepared = [
        (
            pk,
            decimal.get_db_prep_save(value, connection),
            decimal.get_db_prep_save(lower, connection),
            decimal.get_db_prep_save(upper, connection),
            source_note,
        )
        for pk, (value, lower, upper, source_note) in changed
    ]
    stamp = meta.get_field("entered_at").get_db_prep_save(timezone.now(), connection)
    batch = min(BATCH_SIZE, (connection.features.max_query_params or 100_000) // 5 - 1)
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), batch):
            rows = prepared[start : start + batch]
            # Only the model's own table and column names go into the text; values are params.
            sql = (
                f"UPDATE {table} SET {', '.join(assignments)} "  # noqa: S608
                f"FROM (VALUES {', '.join(['(%s, %s, %s, %s, %s)'] * len(rows))}) AS v "
                f"WHERE {table}.{name(meta.pk.column)} = v.column1"
            )
            cursor.execute(sql, [user.pk, stamp, *(value for row in rows for value in row)])
    # The UPDATE bypasses save(), so the history is written here.
    history.record_rows(Reading, [pk for pk, _ in changed], user=user)


# Exporting --------------------------------------------------------------------------------


def write_readings_csv(plan, out: TextIO) -> int:
    """Write every reading of the plan to ``out`` as CSV in COLUMNS, as import_readings
    takes them back, and return how many. Starts with a byte-order mark, so that Excel
    reads the file as UTF-8."""
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    readings = (
        Reading.objects.filter(indicator__plan=plan)
        .order_by("indicator__code", "breakdown", "period")
        .values_list(
            "indicator__code", "period", "value", "lower", "upper", "breakdown", "source_note"
        )
    )
    count = 0
    for code, period, value, lower, upper, breakdown, source_note in readings.iterator(
        chunk_size=BATCH_SIZE
    ):
        writer.writerow(
            [
                _safe_cell(code),
                period.isoformat(),
                _plain(value),
                _plain(lower),
                _plain(upper),
                _safe_cell(breakdown),
                _safe_cell(source_note),
            ]
        )
        count += 1
    return count


def _plain(number: Decimal | None) -> str:
    """12.5 for 12.5000, 100 for 100.0000; "" for none."""
    if number is None:
        return ""
    text = format(number.normalize(), "f")
    return "0" if text == "-0" else text


def _safe_cell(text: str) -> str:
    """Text a spreadsheet will show, never run: an apostrophe before a would-be formula."""
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text
