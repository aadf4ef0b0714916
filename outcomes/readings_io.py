"""Indicator readings, and comparators' values, in and out of spreadsheets.

`read_rows` turns an uploaded CSV or Excel file into rows of text, whatever its encoding
(UTF-8, UTF-16, Windows-1252) and separator (comma, semicolon, tab), in our own layout or as
the public health profiles download it (outcomes/profiles.py reads those); `import_readings`
checks every row and then saves all of them or, if any is wrong, none; `write_readings_csv`
writes a plan's readings and comparators' values in our layout, so a file exported and
imported again changes nothing. docs/guides/importing-data.md lists what a file may hold.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TextIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from improveplan import history
from improveplan.periods import PeriodClosed, closed_by, closed_periods
from improveplan.spreadsheet_limits import Limits, measure_csv, measure_xlsx
from improveplan.uploads import CSV, XLSX, Kind, check_upload
from outcomes import periods, profiles, reading_rules
from outcomes.access import may_enter_readings
from outcomes.models import (
    Comparator,
    ComparatorReading,
    Indicator,
    Reading,
    series_indicators,
)

# Our layout: what the export writes and the import reads. A comparator's value (England's,
# the region's) is a row that names the comparator; a reading is one that does not.
COLUMNS = [
    "indicator",
    "period",
    "value",
    "lower",
    "upper",
    "confidence_level",
    "count",
    "denominator",
    "value_note",
    "series_break",
    "breakdown",
    "source_note",
    "comparator",
    "area_code",
    "period_start",
    "period_end",
]
REQUIRED = ("indicator", "period", "value")
# Each column, what it holds and an example: the import page and the guide list them.
COLUMN_HELP = (
    ("indicator", "Needed: the indicator's reference", "HW-01"),
    ("period", "Needed: the period as the source writes it (the forms are below)", "2023/24"),
    (
        "value",
        "Needed: a number, or the source's mark for a value it held back (below); or empty "
        "with a value note saying why",
        "14.1",
    ),
    (
        "lower",
        "The lower limit of the value's interval; it need not be as far as the upper",
        "12.7",
    ),
    ("upper", "The upper limit", "15.9"),
    ("confidence_level", "The limits' confidence level: 95 (if empty) or 99.8", "95"),
    ("count", "The count behind a rate or percentage (its numerator)", "512"),
    ("denominator", "What the count is out of; it may change from period to period", "3631"),
    ("value_note", "The source's note on the value", "Value suppressed for small count"),
    ("series_break", "yes: the way it is collected changed from this period on", "yes"),
    ("breakdown", "A group or neighbourhood; empty for the whole area", "Northfield"),
    ("source_note", "Where the figure came from", "APS 2023/24"),
    ("comparator", "A comparator's name: the row is its value, not ours; added if new", "England"),
    ("area_code", "The comparator's area code, as the profiles give it", "E92000001"),
    (
        "period_start",
        "The period's first day; with period_end the period is exactly those days, and the "
        "period column only its label",
        "2023-04-01",
    ),
    ("period_end", "The period's last day", "2024-03-31"),
)
# How a source marks a value held back, as the import page lists them.
SUPPRESSION_SHOWN = (
    "*",
    "<5",
    "x",
    "..",
    ".",
    ":",
    "c",
    "z",
    "u",
    "[c]",
    "[x]",
    "[z]",
    "[u]",
    "[low]",
    "**",
    "n/a",
)
# Other names files give the same columns (lower case, spaces as underscores).
ALIASES = {
    "time_period": "period",
    "lower_limit": "lower",
    "lower_bound": "lower",
    "lower_ci": "lower",
    "upper_limit": "upper",
    "upper_bound": "upper",
    "upper_ci": "upper",
    "confidence": "confidence_level",
    "level": "confidence_level",
    "numerator": "count",
    "note": "value_note",
    "break_in_series": "series_break",
    "series_break": "series_break",
    "comparator_name": "comparator",
    "start": "period_start",
    "end": "period_end",
}
# The other names, as the import page lists them.
OTHER_NAMES = (
    ("Time period", "period"),
    ("Lower CI 95.0 limit, Upper CI 95.0 limit", "lower and upper, at 95%"),
    ("Lower CI 99.8 limit, Upper CI 99.8 limit", "lower and upper, at 99.8% (95% if both)"),
    ("lower limit, lower bound, upper limit, upper bound", "lower and upper"),
    ("numerator", "count"),
    ("note", "value_note"),
    ("break in series", "series_break"),
    ("start, end", "period_start, period_end"),
)
# The profiles' limit columns: each says its confidence level.
LEVEL_COLUMNS = {
    "lower_ci_95.0_limit": ("lower", "95"),
    "upper_ci_95.0_limit": ("upper", "95"),
    "lower_ci_99.8_limit": ("lower", "99.8"),
    "upper_ci_99.8_limit": ("upper", "99.8"),
}
# What a file may leave out and so leave as it is on a reading it updates. A column the file
# has, with an empty cell, clears that value (a confidence level goes back to 95%).
KEPT_IF_LEFT_OUT = (
    "lower",
    "upper",
    "confidence_level",
    "count",
    "denominator",
    "value_note",
    "series_break",
    "source_note",
)
# How a source marks a value it holds back (too few people, not reliable, not available):
# kept as suppressed, with no value, never a reason to refuse the file.
SUPPRESSION_MARKS = frozenset(
    ["*", "**", "x", "..", ".", ":", "c", "z", "u", "[c]", "[x]", "[z]", "[u]", "[low]", "n/a"]
)
_FEWER_THAN = re.compile(r"<\s?\d{1,6}")  # "<5": fewer than five, not published
CONFIDENCE_LEVELS = {
    "95": "95",
    "95%": "95",
    "95.0": "95",
    "95.0%": "95",
    "0.95": "95",
    "99.8": "99.8",
    "99.8%": "99.8",
    "0.998": "99.8",
}
YES = frozenset(["yes", "y", "true", "1", "break", "x"])
NO = frozenset(["", "no", "n", "false", "0"])

# Beyond this a file is more likely a mistake (or a zip bomb) than a year of readings; and
# the largest file accepted is read, checked and saved in well under 200 MB (make bench).
MAX_ROWS = 100_000
BATCH_SIZE = 2000
# What a file may hold, measured before it is read (improveplan/spreadsheet_limits.py): the
# rows are the readings and the header; a profiles download has 27 columns and some spare;
# room for separators in names and notes.
LIMITS = Limits(
    rows=MAX_ROWS + 1,
    columns=50,
    cells=4_000_000,
    shared_strings=200_000,
    unpacked_bytes=100 * 1_048_576,
    shared_strings_bytes=20 * 1_048_576,
)

EARLIEST = periods.EARLIEST
LATEST = periods.LATEST
FOUR_PLACES = Decimal("0.0001")

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
# A number as most are written: no more digits than are kept, nothing to clean.
_SIMPLE_NUMBER = re.compile(r"-?\d{1,11}(\.\d{1,4})?")
_GROUPS = "[,\u00a0\u202f ]"
GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(" + _GROUPS + r"\d{3})+(\.\d*)?")
_GROUPED_COMMA_DECIMALS = re.compile(r"\d{1,3}([.\u00a0\u202f ]\d{3})+(,\d*)?")
_COMMA_DECIMALS = re.compile(r"\d*(,\d*)?")
# A point and three digits: 2.950 is 2.95, or 2,950 written the other way.
_AMBIGUOUS = re.compile(r"\d{1,3}\.\d{3}")
CURRENCIES = "£€$"


@dataclass(frozen=True)
class RowError:
    """What is wrong, where: ``row`` as the spreadsheet numbers it (the header is row 1; 0 is
    the file as a whole) and ``column`` one of COLUMNS, or the file's own heading ("" for the
    whole row)."""

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
    # Comparators' values, and the comparators made for them.
    comparator_values_created: int = 0
    comparator_values_updated: int = 0
    comparator_values_unchanged: int = 0
    comparators_created: list[str] = field(default_factory=list)
    # A profiles download's rows left out, by why (other areas' breakdowns, say).
    left_out: dict[str, int] = field(default_factory=dict)
    # A profiles download the plan has no matching for yet: what it holds, for a lead to
    # match (outcomes/profiles.py). Nothing was read into the plan.
    needs_mapping: dict | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and self.needs_mapping is None


class Row(dict[str, str]):
    """One row of a file: column → text, for the cells that hold something, knowing the row
    number the spreadsheet shows and every column its file has."""

    __slots__ = ("columns", "number")  # no __dict__ per row: the largest file has 100,000

    def __init__(self, number: int, values: Mapping[str, str], columns=None) -> None:
        super().__init__(values)
        self.number = number
        self.columns = frozenset(values) if columns is None else columns


class Rows(list[Row]):
    """The rows of a file, knowing its layout ("readings", ours, or "profile", a public health
    profiles download) and each column's heading as the file wrote it."""

    def __init__(self, rows=(), *, layout: str = "readings", headings=None) -> None:
        super().__init__(rows)
        self.layout = layout
        self.headings: dict[str, str] = headings or {}


class _Number(str):
    """A spreadsheet's number cell as text: read as it is, whatever decimal style the file's
    typed numbers have."""

    __slots__ = ()


@dataclass(frozen=True)
class Options:
    """How to read the numbers a person typed: 1,234.5 (the default) or 1.234,5."""

    decimal_comma: bool = False


# Reading a file ---------------------------------------------------------------------------


def read_rows(upload) -> Rows | RowError:
    """The rows of a CSV or Excel file (judged by its content) as text keyed by our column
    names; wholly empty rows are left out. Each row is a `Row`, which knows its number.
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
    upload.seek(0)
    head = upload.read(512)
    upload.seek(0)
    if problem := _encoding_problem(head):
        return RowError(0, "", problem)
    try:
        kind = check_upload(upload, allowed=(CSV, XLSX), max_bytes=settings.UPLOAD_MAX_BYTES * 5)
        measure = measure_xlsx if kind == XLSX else measure_csv
        measure(upload, LIMITS, label="The workbook" if kind == XLSX else "The file")
    except ValidationError as error:
        return RowError(0, "", " ".join(error.messages))
    return kind


SAVE_AS_UTF8 = (
    "In Excel, choose File, Save As, and “CSV UTF-8 (comma delimited)”; in LibreOffice Calc, "
    "Save As “Text CSV” with the character set “Unicode (UTF-8)”."
)


def _encoding_problem(head: bytes) -> str:
    """Why a file's first bytes show text we do not read, naming what they are ("" if not)."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return f"The file is UTF-32 text, which we do not read. {SAVE_AS_UTF8}"
    # UTF-16 without its byte-order mark: every other byte of plain text is a zero.
    sample = head[: len(head) // 2 * 2]
    for zeros, letters in ((sample[1::2], sample[0::2]), (sample[0::2], sample[1::2])):
        if len(sample) >= 8 and not any(zeros) and all(9 <= byte < 127 for byte in letters):
            return (
                "The file looks like UTF-16 text without the mark at its start that says so, "
                f"which we cannot read safely. {SAVE_AS_UTF8}"
            )
    return ""


def import_file(
    *, plan, upload, user, membership, options: Options = Options(), review_mapping=False
) -> ImportResult:
    """Read a CSV or Excel file and import its readings (see `import_readings`): all of them,
    or none and every problem."""
    rows = read_rows(upload)
    if isinstance(rows, RowError):
        return ImportResult(errors=[rows])
    if not rows:
        return ImportResult(errors=[RowError(0, "", "The file has a heading row but no readings.")])
    return import_readings(
        plan=plan,
        rows=rows,
        user=user,
        membership=membership,
        options=options,
        review_mapping=review_mapping,
    )


def saved_message(result: ImportResult) -> str:
    message = (
        f"Imported: {result.created} new readings, {result.updated} changed, "
        f"{result.unchanged} already as in the file."
    )
    values = (
        result.comparator_values_created
        + result.comparator_values_updated
        + result.comparator_values_unchanged
    )
    if values:
        message += (
            f" Comparators: {result.comparator_values_created} new values, "
            f"{result.comparator_values_updated} changed, "
            f"{result.comparator_values_unchanged} already as in the file."
        )
    if result.comparators_created:
        names = sorted(set(result.comparators_created))
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        message += f" New comparators: {shown}."
    if result.left_out:
        parts = [f"{count:,} {why}" for why, count in result.left_out.items()]
        message += f" Rows left out: {'; '.join(parts)}."
    return message


def logged_detail(plan, result: ImportResult) -> str:
    """The security log's line for an import that saved."""
    return (
        f"Readings into plan {plan.pk}: {result.created} new, "
        f"{result.updated} changed, {result.unchanged} unchanged; comparator values "
        f"{result.comparator_values_created} new, {result.comparator_values_updated} changed"
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
    raw = getattr(upload, "file", upload)
    encoding = _encoding_of(raw)
    raw.seek(0)
    # Decoded line by line, so the file is never in memory twice over as bytes and text.
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    line_number = 0
    try:
        first: list[str] = []
        for line in text:
            first.append(line)
            if line.strip():
                break
        reader = csv.reader(
            itertools.chain(first, text), delimiter=_delimiter(first[-1] if first else "")
        )
        for cells in reader:
            line_number = reader.line_num
            if any("\x00" in cell for cell in cells):
                # A text file has no NUL bytes (and the database could not store one).
                raise _Unreadable("The file contains binary data, so it is not a CSV file.")
            yield [_clean(cell) for cell in cells]
    except UnicodeDecodeError:
        raise _Unreadable(
            f"Line {line_number + 1} of the file is not {encoding} text. {SAVE_AS_UTF8}"
        ) from None
    except csv.Error as error:
        raise _Unreadable(f"Line {line_number + 1} cannot be read as CSV: {error}.") from None
    finally:
        text.detach()  # the upload stays open for its owner


def _encoding_of(raw) -> str:
    """How the file's text is written: UTF-16 or UTF-8 if it says so (a byte-order mark),
    UTF-8 if it is, else Windows-1252, what Excel's plain "CSV" is on a British computer.
    _Unreadable, naming what was found, for anything else."""
    raw.seek(0)
    head = raw.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    raw.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 0
    seen_other_letters = False
    while chunk := raw.read(1_048_576):
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as error:
            where = lines + chunk.count(b"\n", 0, error.start) + 1
            if seen_other_letters or max(chunk[: error.start], default=0) >= 0x80:
                raise _Unreadable(
                    f"The file is mostly UTF-8 text, but line {where} is not (byte "
                    f"0x{chunk[error.start]:02X}): parts of it were saved in another "
                    f"encoding. {SAVE_AS_UTF8}"
                ) from None
            return _windows_1252(raw)
        seen_other_letters = seen_other_letters or max(chunk) >= 0x80
        lines += chunk.count(b"\n")
    return "utf-8-sig"


def _windows_1252(raw) -> str:
    raw.seek(0)
    lines = 0
    while chunk := raw.read(1_048_576):
        try:
            chunk.decode("cp1252")
        except UnicodeDecodeError as error:
            where = lines + chunk.count(b"\n", 0, error.start) + 1
            raise _Unreadable(
                f"The file is neither UTF-8 nor Windows-1252 text: line {where} has byte "
                f"0x{chunk[error.start]:02X}, which is a character in neither. {SAVE_AS_UTF8}"
            ) from None
        lines += chunk.count(b"\n")
    return "cp1252"


def _delimiter(header: str) -> str:
    """The separator of a CSV file, from its heading row: a comma, a semicolon (as Excel
    writes CSV where a comma is the decimal point) or a tab (Excel's "Unicode Text")."""
    counts = {separator: header.count(separator) for separator in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _xlsx_lines(upload) -> Generator[list[str], None, None]:
    from openpyxl import load_workbook

    # openpyxl raises many kinds of error for a damaged workbook, also while reading rows.
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001
        raise _Unreadable(f"The Excel workbook cannot be opened ({error}).") from None
    try:
        sheet = workbook.worksheets[0]
        if unsaved := _formula_without_result(workbook._archive, sheet._worksheet_path):
            cell, formula = unsaved
            raise _Unreadable(
                f"The workbook's formulas have no saved results (the first is in cell {cell}: "
                f"={formula}): the program that wrote it did not work them out, so there are "
                "no values to read. Open it in Excel or LibreOffice Calc and save it again, or "
                "copy the cells and paste them as values."
            )
        # Some programs write a wrong size into the sheet; read the rows that are there.
        sheet.reset_dimensions()
        for cells in sheet.iter_rows():
            yield [_reading_cell_text(cell) for cell in cells]
    except _Unreadable:
        raise
    except Exception as error:  # noqa: BLE001
        raise _Unreadable(f"The Excel workbook cannot be read ({error}).") from None
    finally:
        workbook.close()


_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def _formula_without_result(archive, path: str) -> tuple[str, str] | None:
    """The first cell of the sheet with a formula and no saved result (as scripts write
    them): its reference and formula. None if every formula has its result, or there are none.
    The sheet was measured (and refused any entities) before this reads it."""
    from xml.etree.ElementTree import iterparse

    with archive.open(path) as part:
        carry = b""
        while chunk := part.read(1_048_576):
            if _FORMULA_TAG.search(carry + chunk):
                break
            carry = chunk[-8:]
        else:
            return None
    with archive.open(path) as part:
        for _, element in iterparse(part):  # noqa: S314
            if element.tag.rsplit("}", 1)[-1] != "c":
                continue
            children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
            formula, value = children.get("f"), children.get("v")
            if formula is not None and (value is None or value.text is None):
                return element.get("r", "?"), formula.text or ""
            element.clear()
    return None


def _reading_cell_text(cell) -> str:
    """A cell of a readings workbook as text. A date cell whose format shows no day ("Apr
    2027") names a month, so it reads as "2027-04", as the month typed as text does. A number
    cell is a _Number, read as it is whatever the decimal style chosen for typed numbers."""
    value = getattr(cell, "value", None)
    if isinstance(value, date) and not _shows_day(getattr(cell, "number_format", "") or ""):
        return f"{value:%Y-%m}"
    text = _xlsx_text(cell)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _Number(text)
    return text


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


def _rows_under_header(lines: Iterable[list[str]]) -> Rows | RowError:
    rows: Rows | None = None
    names: list[str | None] = []
    columns: frozenset[str] = frozenset()
    # Each distinct text is held once: a file repeats its codes, periods, breakdowns and
    # notes on row after row, and the rows are all in memory until they are saved.
    texts: dict[str, str] = {}
    intern = texts.setdefault
    count = 0
    for number, cells in enumerate(lines, start=1):
        if not any(cells):
            continue
        if rows is None:
            header = _header(cells)
            if isinstance(header, str):
                return RowError(number, "", header)
            rows, names = header
            columns = frozenset(name for name in names if name)
            continue
        if count == MAX_ROWS:
            return RowError(
                0, "", f"The file has more than {MAX_ROWS:,} readings; split it into smaller files."
            )
        count += 1
        values = dict.fromkeys(columns, "")
        width = len(names)
        for position, text in enumerate(cells):
            if not text:
                continue
            name = names[position] if position < width else None
            if name:
                values[name] = text if type(text) is _Number else intern(text, text)
            elif name is None and rows.layout == "readings":
                return RowError(
                    number,
                    "",
                    f"There is “{text}” in column {position + 1}, which has no heading. "
                    "Give the column a heading from the list, or delete it.",
                )
        rows.append(Row(number, values, columns))
    if rows is None:
        return RowError(
            1, "", f"The file is empty. Its first row must name the columns: {_listed()}."
        )
    return rows


def _column_name(text: str) -> str:
    return " ".join(text.lower().split()).replace(" ", "_")


def _header(cells: list[str]) -> tuple[Rows, list[str | None]] | str:
    """The file's layout and the column each position holds (None: no heading; "": a column
    a profiles download has that nothing reads), or what is wrong with its heading row."""
    found = [_column_name(cell) for cell in cells]
    if profiles.is_profile(found):
        names = [name if name in profiles.READ else "" for name in found]
        twice = sorted({name for name in names if name and names.count(name) > 1})
        if twice:
            return f"Columns given twice: {', '.join(twice)}."
        headings = {name: cell for name, cell in zip(names, cells, strict=True) if name}
        return Rows(layout="profile", headings=headings), [name or "" for name in names]
    names = [name if name in LEVEL_COLUMNS else ALIASES.get(name, name) for name in found]
    named = [name for name in names if name]
    problems = []
    unknown = [
        cell
        for cell, name in zip(cells, names, strict=True)
        if name and name not in COLUMNS and name not in LEVEL_COLUMNS
    ]
    if unknown:
        problems.append(f"Unknown columns: {', '.join(_column_name(cell) for cell in unknown)}.")
    twice = sorted({name for name in named if named.count(name) > 1})
    if twice:
        problems.append(f"Columns given twice: {', '.join(twice)}.")
    has = set(named)
    missing = [name for name in ("indicator", "value") if name not in has]
    if "period" not in has and not {"period_start", "period_end"} <= has:
        missing.insert(1, "period")
    if missing:
        problems.append(f"Missing columns: {', '.join(missing)}.")
    if has & set(LEVEL_COLUMNS) and has & {"lower", "upper", "confidence_level"}:
        problems.append(
            "Give the limits either as lower, upper and confidence_level, or as the "
            "Lower CI 95.0 limit (and the like) columns, not both."
        )
    if len({"period_start", "period_end"} & has) == 1:
        problems.append("Give period_start and period_end together.")
    if problems:
        return " ".join(
            [*problems, f"The columns are: {_listed()} (indicator, period and value are needed)."]
        )
    headings = {name: cell for name, cell in zip(names, cells, strict=True) if name}
    return Rows(layout="readings", headings=headings), [name or None for name in names]


def _listed() -> str:
    return ", ".join(COLUMNS)


# Numbers ----------------------------------------------------------------------------------


def parse_number(
    text: str, what: str, *, decimal_comma: bool = False, whole: bool = False
) -> Decimal:
    """``text`` as a Decimal(16, 4), rounded to four places. "£1,200" and "12.5%" are 1200 and
    12.5; with ``decimal_comma`` the text is written 1.234,5. ``whole``: the figure counts
    something, so "2.950" is refused as perhaps 2,950. ValueError naming ``what`` (e.g. "The
    value") if it is not a finite number or is too large."""
    if not decimal_comma and _SIMPLE_NUMBER.fullmatch(text) and not (whole and "." in text):
        # Most figures: no more digits than are kept, so nothing to round or refuse.
        return Decimal(text)
    if type(text) is _Number:
        plain = text
    else:
        plain = _plain_number(text, what, decimal_comma=decimal_comma)
    if not PLAIN_NUMBER.fullmatch(plain):
        hint = ""
        if not decimal_comma and re.fullmatch(r"[+-]?\d+,\d+", plain):
            hint = (
                " If the file writes decimals with a comma (12,5), choose 1.234,5 as the "
                "decimal style on the import page."
            )
        raise ValueError(f"{what} “{text}” is not a number.{hint}")
    try:
        number = Decimal(plain)
    except InvalidOperation:
        raise ValueError(f"{what} “{text}” is not a number.") from None
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
    if (
        whole
        and type(text) is not _Number
        and number != number.to_integral_value()
        and _AMBIGUOUS.fullmatch(plain.lstrip("+-"))
    ):
        big = f"{number * 1000:,.0f}"
        raise ValueError(
            f"{what} “{text}” could be {big} or {_plain(number)}, and it counts something, so "
            f"it is most likely {big}. Write it without a separator ({big.replace(',', '')}), "
            "or check the decimal style chosen on the import page."
        )
    return number


def _plain_number(text: str, what: str, *, decimal_comma: bool) -> str:
    """A number as people write it, as Python reads one: no currency sign, percent sign or
    thousands separators, and a point before the decimals."""
    plain = text.strip()
    sign = ""
    if plain[:1] in "+-":
        sign, plain = plain[0], plain[1:].lstrip()
    if plain[:1] and plain[0] in CURRENCIES:
        plain = plain[1:].lstrip()
        if not sign and plain[:1] in "+-":
            sign, plain = plain[0], plain[1:].lstrip()
    plain = plain.removesuffix("%").rstrip()
    if decimal_comma:
        if _GROUPED_COMMA_DECIMALS.fullmatch(plain):
            plain = re.sub(r"[.\u00a0\u202f ]", "", plain)
        if "." in plain and "e" not in plain.lower():
            raise ValueError(
                f"{what} “{text}” has a point, but the decimal style chosen is 1.234,5 (a comma "
                "before the decimals)."
            )
        if _COMMA_DECIMALS.fullmatch(plain):
            plain = plain.replace(",", ".")
    elif GROUPED_NUMBER.fullmatch(plain):
        plain = re.sub(_GROUPS, "", plain)
    return sign + plain


def suppression_of(text: str) -> str | None:
    """The mark if ``text`` says the source held its value back ("*", "<5", "x", ".."),
    else None."""
    if text.lower() in SUPPRESSION_MARKS or _FEWER_THAN.fullmatch(text):
        return text
    return None


# Importing --------------------------------------------------------------------------------

# A reading's figures and notes, in this order, as rows, saved readings and the export hold them.
DATA = (
    "value",
    "suppression_mark",
    "lower",
    "upper",
    "confidence_level",
    "count",
    "denominator",
    "value_note",
    "series_break",
    "source_note",
    "period_label",
)
COMPARATOR_DATA = (*DATA[:8], "period_label")
_POSITION = {name: position for position, name in enumerate(DATA)}
_ALWAYS_GIVEN = frozenset(["value", "suppression_mark"])


@dataclass(slots=True)  # the largest file makes 100,000 of them
class _Checked:
    number: int
    indicator: Indicator
    # A comparator's value: (its id if it exists, else None; its key among the row's).
    comparator: tuple[int | None, tuple] | None
    start: date
    end: date
    breakdown: str
    data: tuple  # DATA, or COMPARATOR_DATA for a comparator's value
    kept: tuple[int, ...]  # positions in data a saved reading keeps: the file leaves them out
    dated: bool  # the period was written as a date (its last day), not named

    def over(self, saved: tuple | None) -> tuple:
        """The data this row leaves on a reading that has ``saved``, or sets on a new one."""
        if saved is None or not self.kept:
            return self.data
        mine = list(self.data)
        for position in self.kept:
            mine[position] = saved[position]
        return tuple(mine)


def import_readings(
    *,
    plan,
    rows: Iterable[Mapping[str, str]],
    user,
    membership,
    options: Options = Options(),
    review_mapping: bool = False,
) -> ImportResult:
    """Check every row, then save all of them in one transaction, or nothing if any row is
    wrong. A row for a reading that exists (same indicator, period and breakdown) updates it
    if its numbers or notes differ; a column the file leaves out (margins, notes) keeps the
    reading's saved value. A row that names a comparator is that comparator's value, and a
    comparator the indicator does not have yet is added. ``membership`` is the importer's
    membership of the plan's partnership; it decides which indicators they may enter readings
    for. A profiles download is read through the plan's saved matching of its indicators
    (outcomes/profiles.py); without one (or with ``review_mapping``), nothing is read and the
    result says what the file holds, for a lead to match."""
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
    left_out: dict[str, int] = {}
    headings: dict[str, str] = getattr(rows, "headings", {})
    dated_ends_periods = True
    if getattr(rows, "layout", "readings") == "profile":
        survey = profiles.survey(rows)
        if isinstance(survey, str):
            return ImportResult(errors=[RowError(0, "", survey)])
        mapping = profiles.saved_mapping(plan)
        if review_mapping or not profiles.covers(mapping, survey):
            return ImportResult(needs_mapping=survey)
        counted: Counter[str] = Counter()
        rows = Rows(
            (
                Row(number, values, profiles.COLUMNS)
                for number, values in profiles.as_readings(rows, mapping, counted)
            ),
            layout="profile",
        )
        left_out, headings = dict(counted), profiles.HEADINGS
        dated_ends_periods = False  # a date in a profile's Time period is that day
    check = RowChecker(plan, membership, options, dated_ends_periods=dated_ends_periods)
    checked, errors = _check_rows(check, rows)
    if not errors:
        existing = _existing(checked)
        errors = _against_saved(checked, existing)
    if errors:
        order = {name: position for position, name in enumerate(["", *COLUMNS])}
        errors.sort(key=lambda error: (error.row, order.get(error.column, 99)))
        if headings:
            errors = [
                RowError(error.row, headings.get(error.column, error.column), error.message)
                for error in errors
            ]
        return ImportResult(errors=errors)
    try:
        result = _save(checked, existing, user, check.codes_to_set)
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
    result.left_out = left_out
    return result


def _check_rows(check: RowChecker, rows) -> tuple[list[_Checked], list[RowError]]:
    checked: list[_Checked] = []
    errors: list[RowError] = []
    for index, row in enumerate(rows):
        number = getattr(row, "number", index + 2)
        columns = getattr(row, "columns", None)
        if columns is None:
            columns = frozenset(row)
        found, problems = check(number, row, columns)
        if problems:
            errors += [RowError(number, column, message) for column, message in problems]
        else:
            checked.append(found)
    return checked, errors


class RowChecker:
    """Checks rows one by one, remembering what it has looked up and the rows seen. The
    reading and comparator value forms check their one row here too."""

    def __init__(
        self,
        plan,
        membership,
        options: Options = Options(),
        *,
        dated_ends_periods: bool = True,
        indicators: Iterable[Indicator] | None = None,
    ) -> None:
        self.membership = membership
        self.options = options
        # A date is the last day of a period as long as the indicator's, as readings files
        # and forms have always had it; in a profiles download, that day alone.
        self.dated_ends_periods = dated_ends_periods
        # One query for the plan's indicators. A code of another plan is simply not here,
        # so it is "no indicator" like a typo: the file learns nothing about other plans.
        if indicators is None:
            indicators = Indicator.objects.filter(plan=plan).select_related("owner")
        self.indicators = {indicator.code: indicator for indicator in indicators}
        self.by_lower_code: dict[str, list[Indicator]] = {}
        for indicator in self.indicators.values():
            self.by_lower_code.setdefault(indicator.code.lower(), []).append(indicator)
        self.looked_up: dict[str, tuple[Indicator | None, str]] = {}
        self.limits: dict[int, tuple[Decimal | None, Decimal | None]] = {}
        self.comparators: dict[int, list[Comparator]] | None = None
        self.new_comparators: dict[tuple, tuple[str, str, str]] = {}
        # Comparators found by name that get the area code the file gives them.
        self.codes_to_set: dict[int, str] = {}
        self.periods: dict[tuple, periods.Period | str] = {}
        self.levels: dict[str, str | None] = {}
        self.first_row: dict[tuple, int] = {}
        self.by_end: dict[tuple, tuple[int, date, bool]] = {}
        self.today = timezone.localdate()
        self.closed = closed_periods(plan.pk) if plan is not None else []
        self.closed_readings: dict | None = None  # read once, if a row falls in one
        self.kept_positions: dict[frozenset, tuple[int, ...]] = {}

    def __call__(
        self, number: int, cells: Mapping[str, str], columns: frozenset[str] = frozenset(COLUMNS)
    ) -> tuple[_Checked | None, list[tuple[str, str]]]:
        get = cells.get
        problems: list[tuple[str, str]] = []
        indicator, problem = self.indicator((get("indicator") or "").strip())
        if problem:
            problems.append(("indicator", problem))
        comparator_name = (get("comparator") or "").strip()
        area_code = (get("area_code") or "").strip()
        is_comparator = bool(comparator_name or area_code)

        period = self.period(cells, columns, indicator)
        if isinstance(period, str):
            problems.append(("period", period))
            period = None

        # The figures.
        value_text = (get("value") or "").strip()
        whole = indicator is not None and indicator.unit == Indicator.Unit.COUNT
        value_note = (get("value_note") or "").strip()
        value = mark = None
        if not value_text:
            if value_note:
                mark = ""  # held back, as the note says
            else:
                problems.append(
                    (
                        "value",
                        "The value is missing. If the source held it back, write * (or the "
                        "source's mark, such as <5) or give a value note.",
                    )
                )
        elif (mark := suppression_of(value_text)) is None:
            mark = ""
            value, problem = self.number(value_text, "The value", whole=whole)
            if problem:
                problems.append(("value", problem))

        level_given = "confidence_level" in columns
        lower_text, upper_text, level_text = self.limit_cells(get, columns)
        lower, problem = self.number(lower_text, "The lower bound", whole=False)
        if problem:
            problems.append(("lower", problem))
        upper, problem = self.number(upper_text, "The upper bound", whole=False)
        if problem:
            problems.append(("upper", problem))
        level = self.level(level_text)
        if level is None:
            problems.append(
                (
                    "confidence_level",
                    f"The confidence level “{level_text}” is not one we keep: write 95 or "
                    "99.8 (per cent).",
                )
            )
        count, problem = self.number((get("count") or "").strip(), "The count", whole=True)
        if problem:
            problems.append(("count", problem))
        denominator, problem = self.number(
            (get("denominator") or "").strip(), "The denominator", whole=True
        )
        if problem:
            problems.append(("denominator", problem))
        for column, figure in (("count", count), ("denominator", denominator)):
            if figure is not None and figure < 0:
                problems.append((column, f"The {column} cannot be below 0."))
        problems += self.bounds(value, lower, upper, cells)
        if indicator is not None:
            low, high = self.limits_of(indicator)
            for column, figure in (("value", value), ("lower", lower), ("upper", upper)):
                if figure is not None and (
                    (low is not None and figure < low) or (high is not None and figure > high)
                ):
                    problems.append((column, indicator.range_problem(figure)))

        # The notes.
        breakdown = (get("breakdown") or "").strip()
        source_note = (get("source_note") or "").strip()
        series_text = (get("series_break") or "").strip().lower()
        series_break = series_text in YES
        if not series_break and series_text not in NO:
            problems.append(
                (
                    "series_break",
                    f"Write yes for a break in the series, or leave it empty, not “{series_text}”.",
                )
            )
        for column, what, most, text in (
            ("breakdown", "A breakdown", 100, breakdown),
            ("source_note", "A source note", 300, source_note),
            ("value_note", "A value note", 300, value_note),
            ("comparator", "A comparator's name", 100, comparator_name),
            ("area_code", "An area code", 20, area_code),
        ):
            if len(text) > most:
                problems.append(
                    (column, f"{what} may have at most {most} characters; this has {len(text)}.")
                )
        if is_comparator:
            for column, text in (
                ("breakdown", breakdown),
                ("source_note", source_note),
                ("series_break", series_break),
            ):
                if text:
                    problems.append(
                        (
                            column,
                            "A comparator's value has no breakdown, source note or break in the "
                            "series: leave it empty on a row that names a comparator.",
                        )
                    )

        comparator = None
        if indicator is not None and is_comparator and not problems:
            comparator, problem = self.comparator(indicator, comparator_name, area_code)
            if problem:
                problems.append(("comparator", problem))
        if (
            indicator is not None
            and period is not None
            and not problems
            and (problem := self.repeated(number, indicator, comparator, period, breakdown))
        ):
            problems.append(("period", problem))
        if problems:
            return None, problems

        given = columns & frozenset(KEPT_IF_LEFT_OUT)
        if lower_text or upper_text or (columns & frozenset(LEVEL_COLUMNS)):
            given |= {"lower", "upper", "confidence_level"}
        if level_given:
            given |= {"confidence_level"}
        if period.label:  # a period written as a date, or 2024-03, keeps its label
            given |= {"period_label"}
        if is_comparator:
            data = (value, mark, lower, upper, level, count, denominator, value_note)
            data += (period.label,)
            names = COMPARATOR_DATA
        else:
            data = (
                value,
                mark,
                lower,
                upper,
                level,
                count,
                denominator,
                value_note,
                series_break,
                source_note,
                period.label,
            )
            names = DATA
        kept = self.kept(given, names)
        row = _Checked(
            number,
            indicator,
            comparator,
            period.start,
            period.end,
            breakdown,
            data,
            kept,
            period.dated,
        )
        if not is_comparator and (closed := self.closed_problem(row)):
            return None, [("period", closed)]
        return row, []

    def kept(self, given: frozenset, names: tuple[str, ...]) -> tuple[int, ...]:
        key = (given, names)
        if key not in self.kept_positions:
            self.kept_positions[key] = tuple(
                position
                for position, name in enumerate(names)
                if name not in given and name not in _ALWAYS_GIVEN
            )
        return self.kept_positions[key]

    def limit_cells(self, get, columns) -> tuple[str, str, str]:
        """The lower and upper limits and their confidence level, from lower, upper and
        confidence_level, or from the profiles' Lower CI 95.0 limit (and the like): the 95%
        ones if the row has them, else the 99.8% ones."""
        if columns.isdisjoint(LEVEL_COLUMNS):
            return (
                (get("lower") or "").strip(),
                (get("upper") or "").strip(),
                (get("confidence_level") or "").strip(),
            )
        for level in ("95.0", "99.8"):
            lower = (get(f"lower_ci_{level}_limit") or "").strip()
            upper = (get(f"upper_ci_{level}_limit") or "").strip()
            if lower or upper:
                return lower, upper, level
        return "", "", ""

    def level(self, text: str) -> str | None:
        if not text:
            return "95"
        if text not in self.levels:
            self.levels[text] = CONFIDENCE_LEVELS.get(text.replace(" ", ""))
        return self.levels[text]

    def limits_of(self, indicator: Indicator) -> tuple[Decimal | None, Decimal | None]:
        """The lowest and highest values the indicator allows, worked out once."""
        if indicator.id not in self.limits:
            bounds = indicator.bounds
            self.limits[indicator.id] = tuple(
                None if bound is None else Decimal(repr(bound))
                for bound in (bounds.lower, bounds.upper)
            )
        return self.limits[indicator.id]

    def period(
        self, cells: Mapping[str, str], columns, indicator: Indicator | None
    ) -> _Period | str:
        """The row's period, or what is wrong with it."""
        text = (cells.get("period") or "").strip()
        start_text = (cells.get("period_start") or "").strip()
        end_text = (cells.get("period_end") or "").strip()
        year_end = indicator.year_end_month if indicator is not None else 3
        frequency = indicator.frequency if indicator is not None else ""
        key = (text, start_text, end_text, year_end, frequency)
        if key not in self.periods:
            self.periods[key] = self._period(text, start_text, end_text, year_end, frequency)
        return self.periods[key]

    def _period(
        self, text: str, start_text: str, end_text: str, year_end: int, frequency: str
    ) -> _Period | str:
        if start_text or end_text:
            days = []
            for what, day_text in (("first", start_text), ("last", end_text)):
                try:
                    day = periods.parse(day_text, year_end_month=year_end) if day_text else None
                except ValueError as error:
                    return f"The period's {what} day: {error}"
                if day is None or not day.day:
                    return f"Give the period's {what} day as a date, e.g. 2024-03-31."
                days.append(day.start)
            start, end = days
            if start > end:
                return "The period's first day is after its last day."
            label = ""
            if text:
                try:
                    named = periods.parse(text, year_end_month=year_end)
                except ValueError:
                    named = None
                # With its days given, the period's text is only its label.
                label = text if named is None or named.label else ""
            if len(label) > 40:
                return f"A period's label may have at most 40 characters; this has {len(label)}."
            found = _Period(start, end, label, dated=False)  # exactly these days
        elif not text:
            return "The period is missing."
        else:
            try:
                parsed = periods.parse(text, year_end_month=year_end)
            except ValueError as error:
                return str(error)
            dated = parsed.day
            if dated and self.dated_ends_periods and frequency:
                parsed = periods.as_last_day(parsed, frequency)
            found = _Period(parsed.start, parsed.end, parsed.label, dated=dated)
        if problem := reading_rules.future_problem(found.end, today=self.today):
            return problem
        if not EARLIEST <= found.end <= LATEST:
            return f"{text or end_text} is outside 1990–2100."
        return found

    def number(self, text: str, what: str, *, whole: bool) -> tuple[Decimal | None, str]:
        if not text:
            return None, ""
        try:
            return parse_number(
                text, what, decimal_comma=self.options.decimal_comma, whole=whole
            ), ""
        except ValueError as error:
            return None, str(error)

    @staticmethod
    def bounds(value, lower, upper, cells) -> list[tuple[str, str]]:
        problems = []
        if value is not None and lower is not None and lower > value:
            problems.append(
                ("lower", f"The lower bound {_shown(lower)} is above the value {_shown(value)}.")
            )
        if value is not None and upper is not None and upper < value:
            problems.append(
                ("upper", f"The upper bound {_shown(upper)} is below the value {_shown(value)}.")
            )
        if value is None and lower is not None and upper is not None and lower > upper:
            problems.append(
                ("lower", f"The lower bound {_shown(lower)} is above the upper {_shown(upper)}.")
            )
        return problems

    def repeated(self, number, indicator, comparator, period: _Period, breakdown: str) -> str:
        """Another row of the file for the same period (or one that ends the same day, where
        one of the two is a date meaning "the period ending then")."""
        target = ("c", indicator.id, comparator[1]) if comparator else ("r", indicator.id)
        earlier = self.first_row.setdefault((*target, period.start, period.end, breakdown), number)
        where = f" for “{breakdown}”" if breakdown else ""
        whose = indicator.code
        if comparator:
            whose += f"'s comparator {comparator[1][1]}"
        if earlier != number:
            return (
                f"Row {earlier} already gives {whose} for {period.end:%Y-%m-%d}{where}. "
                "Give each period once."
            )
        other = self.by_end.setdefault(
            (*target, period.end, breakdown), (number, period.start, period.dated)
        )
        if other[0] != number and other[1] != period.start and (other[2] or period.dated):
            return (
                f"Row {other[0]} already gives {whose} for {period.end:%Y-%m-%d}{where}, "
                f"written another way: a date is the last day of a "
                f"{indicator.get_frequency_display().lower()} period, while a name such as "
                "2024-03 or 2023/24 is that period alone. Write both the same way."
            )
        return ""

    def closed_problem(self, row: _Checked) -> str:
        """A row that would change a reading of a period a signed-off review closed. The
        same reading again (a file exported and imported back) changes nothing and passes."""
        closed = closed_by(self.closed, row.end) if self.closed else None
        if closed is None:
            return ""
        if self.closed_readings is None:
            self.closed_readings = {
                (r[0], r[1], r[2], r[3]): r[4:]
                for r in Reading.objects.filter(indicator__plan_id=closed.plan_id)
                .order_by()
                .values_list(*_READING_KEY, *DATA)
                if closed_by(self.closed, r[2])
            }
        saved = self.closed_readings.get((row.indicator.id, row.start, row.end, row.breakdown))
        if saved is not None and row.over(saved) == saved:
            return ""
        return f"{PeriodClosed(closed)} A lead may correct a reading of it, with a reason."

    def indicator(self, code: str) -> tuple[Indicator | None, str]:
        if code not in self.looked_up:
            self.looked_up[code] = self._indicator(code)
        return self.looked_up[code]

    def _indicator(self, code: str) -> tuple[Indicator | None, str]:
        if not code:
            return None, "The indicator’s reference is missing."
        indicator = self.indicators.get(code)
        if indicator is None:
            # hw-01 for HW-01, unless the plan has both.
            same = self.by_lower_code.get(code.lower(), [])
            indicator = same[0] if len(same) == 1 else None
        if indicator is None:
            return None, f"There is no indicator “{code}” in this plan."
        if self.membership is not None and not may_enter_readings(self.membership, indicator):
            return indicator, (
                f"Only leads and partners from {indicator.owner} may enter readings "
                f"for {indicator.code}."
            )
        return indicator, ""

    def comparator(
        self, indicator: Indicator, name: str, area_code: str
    ) -> tuple[tuple[int | None, tuple] | None, str]:
        """The comparator a row names, by its area code or else its name: (its id, or None
        for one to add; its key among the rows). The plan's comparators are read once."""
        if self.comparators is None:
            self.comparators = {}
            for found in Comparator.objects.filter(indicator__plan_id=indicator.plan_id):
                self.comparators.setdefault(found.indicator_id, []).append(found)
        mine = self.comparators.get(indicator.id, [])
        code = area_code.upper()
        match = next((c for c in mine if code and c.area_code.upper() == code), None)
        if match is None and name:
            match = next((c for c in mine if c.name.casefold() == name.casefold()), None)
            if match is not None and code and match.area_code and match.area_code.upper() != code:
                return None, (
                    f"{indicator.code}'s comparator {match.name} has the area code "
                    f"{match.area_code}, not {area_code}."
                )
        if match is not None:
            if code and not match.area_code:
                self.codes_to_set[match.pk] = area_code
            return (match.pk, (match.pk, match.name)), ""
        if not name:
            return None, (
                f"{indicator.code} has no comparator with the area code {area_code}: give the "
                "comparator's name too, and it will be added."
            )
        key = (indicator.id, code or name.casefold())
        self.new_comparators.setdefault(key, (name, area_code, profiles.kind_of(area_code, "")))
        return (None, (key, self.new_comparators[key][0])), ""


@dataclass(frozen=True, slots=True)
class _Period:
    start: date
    end: date
    label: str
    dated: bool  # written as a date: it names no period of its own, so gives no label


def _shown(number: Decimal) -> str:
    return _plain(number)


# Saving -----------------------------------------------------------------------------------

_READING_KEY = ("indicator_id", "period_start", "period", "breakdown")


def _series_members(keys) -> dict[int, int | None]:
    """Every indicator of these series (each keyed by its first indicator), with its
    series' first: a few rows, so that their readings are then found by the indicator's
    index (an OR across the join to the indicators reads every reading)."""
    return dict(series_indicators(keys).values_list("pk", "series_start_id"))


_VALUE_KEY = ("comparator_id", "period_start", "period")


@dataclass
class _Saved:
    readings: dict[tuple, tuple]  # (indicator, start, end, breakdown) → (pk, *DATA)
    values: dict[tuple, tuple]  # (comparator, start, end) → (pk, *COMPARATOR_DATA)
    # Readings entered as dates ("the period ending then"), by their last day.
    dated: dict[tuple, date]


def _existing(checked: list[_Checked]) -> _Saved:
    """The saved readings and comparators' values the rows could match."""
    saved = _Saved({}, {}, {})
    readings = [row for row in checked if row.comparator is None]
    values = [row for row in checked if row.comparator is not None and row.comparator[0]]
    if readings:
        # An indicator carried forward shares its series' readings: a row for a period the
        # series already holds changes that reading, wherever it was entered (its own first).
        readers: dict[int, set[int]] = defaultdict(set)
        for row in readings:
            readers[row.indicator.series_key].add(row.indicator.id)
        keys = sorted(readers)
        first = min(row.end for row in readings)
        last = max(row.end for row in readings)
        for start in range(0, len(keys), 500):
            some = keys[start : start + 500]
            members = _series_members(some)
            found = (
                Reading.objects.filter(
                    indicator_id__in=sorted(members), period__range=(first, last)
                )
                .order_by("indicator_id")
                .values_list(*_READING_KEY, "pk", *DATA)
            )
            for owner, *rest in found.iterator(chunk_size=BATCH_SIZE):
                where, (pk, *data) = rest[:3], rest[3:]
                for reader in readers[members[owner] or owner]:
                    slot = (reader, *where)
                    if owner == reader or slot not in saved.readings:
                        saved.readings[slot] = (pk, *data)
                    if not data[-1]:  # no label: entered as a date
                        saved.dated.setdefault((reader, where[1], where[2]), where[0])
    if values:
        comparator_ids = sorted({row.comparator[0] for row in values})
        found = (
            ComparatorReading.objects.filter(comparator_id__in=comparator_ids)
            .order_by()
            .values_list(*_VALUE_KEY, "pk", *COMPARATOR_DATA)
        )
        for value in found.iterator(chunk_size=BATCH_SIZE):
            saved.values[value[:3]] = value[3:]
    return saved


def _saved_for(row: _Checked, saved: _Saved) -> tuple | None:
    if row.comparator is None:
        return saved.readings.get((row.indicator.id, row.start, row.end, row.breakdown))
    if row.comparator[0] is None:
        return None
    return saved.values.get((row.comparator[0], row.start, row.end))


def _against_saved(checked: list[_Checked], saved: _Saved) -> list[RowError]:
    """What the rows cannot do to the readings already saved: leave a kept margin that no
    longer holds the new value, or name a period that ends the day a reading entered as a
    date does, so that the two would stand side by side."""
    errors = []
    for row in checked:
        found = _saved_for(row, saved)
        if found is None:
            if row.comparator is None and not row.dated:
                other = saved.dated.get((row.indicator.id, row.end, row.breakdown))
                if other is not None and other != row.start:
                    errors.append(
                        RowError(
                            row.number,
                            "period",
                            f"{row.indicator.code} already has a reading for the "
                            f"{row.indicator.get_frequency_display().lower()} period ending "
                            f"{row.end:%Y-%m-%d}{_for(row.breakdown)}, entered as a date; "
                            f"“{row.data[-1]}” is another period ending that day. Write the "
                            "period as that date to change that reading, or delete it first.",
                        )
                    )
            continue
        if not row.kept:
            continue
        value, _, lower, upper = row.over(found[1:])[:4]
        for column, bound, wrong in (("lower", lower, "above"), ("upper", upper, "below")):
            if _POSITION[column] not in row.kept or bound is None or value is None:
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


def _for(breakdown: str) -> str:
    return f" for “{breakdown}”" if breakdown else ""


def _save(checked: list[_Checked], saved: _Saved, user, codes: dict[int, str]) -> ImportResult:
    result = ImportResult()
    if not checked:
        return result
    now = timezone.now()
    new: list[tuple] = []
    changed: list[tuple[int, tuple]] = []
    new_values: list[tuple[_Checked, tuple]] = []
    changed_values: list[tuple[int, tuple]] = []
    for row in checked:
        found = _saved_for(row, saved)
        data = row.over(found[1:] if found else None)
        if row.comparator is not None:
            if found is None:
                new_values.append((row, data))
            elif found[1:] != data:
                changed_values.append((found[0], data))
            else:
                result.comparator_values_unchanged += 1
        elif found is None:
            new.append((row.indicator.id, row.start, row.end, row.breakdown, *data, user.pk, now))
        elif found[1:] != data:
            changed.append((found[0], data))
        else:
            result.unchanged += 1
    with transaction.atomic():
        ids = _insert(Reading, [*_READING_KEY, *DATA, "entered_by", "entered_at"], new)
        history.record_rows(Reading, ids, user=user, created=True)
        _update(changed, user)
        if new_values or changed_values:
            made = _make_comparators(new_values, result)
            _insert(
                ComparatorReading,
                [*_VALUE_KEY, *COMPARATOR_DATA],
                [
                    (made.get(row.comparator[1][0], row.comparator[0]), row.start, row.end, *data)
                    for row, data in new_values
                ],
                returning=False,
            )
            _update_values(changed_values)
        for comparator_id, area_code in codes.items():
            Comparator.objects.filter(pk=comparator_id, area_code="").update(area_code=area_code)
    result.created, result.updated = len(new), len(changed)
    result.comparator_values_created = len(new_values)
    result.comparator_values_updated = len(changed_values)
    return result


def _make_comparators(new_values: list[tuple[_Checked, tuple]], result: ImportResult) -> dict:
    """Add the comparators the rows name that their indicators do not have yet: their ids by
    the rows' keys for them."""
    wanted: dict[tuple, tuple[int, str, str]] = {}
    for row, _ in new_values:
        comparator_id, (key, name) = row.comparator
        if comparator_id is None and key not in wanted:
            wanted[key] = (row.indicator.id, name, key[1])
    made = {}
    for key, (indicator_id, name, code) in wanted.items():
        area_code = code if code != name.casefold() else ""
        comparator = Comparator.objects.create(
            indicator_id=indicator_id,
            name=name,
            area_code=area_code,
            kind=profiles.kind_of(area_code, name),
        )
        made[key] = comparator.pk
        result.comparators_created.append(name)
    return made


def _preparers(model, columns: list[str]) -> list | None:
    """How each column's values go to the database, or None where the driver takes Python's
    values as they are (PostgreSQL's)."""
    if connection.vendor == "postgresql":
        return None
    fields = [model._meta.get_field(column) for column in columns]
    return [lambda value, f=f: f.get_db_prep_save(value, connection) for f in fields]


def _insert(model, columns: list[str], rows: list[tuple], *, returning: bool = True) -> list[int]:
    """Insert the rows and give their ids (if ``returning``): on PostgreSQL with COPY, else in
    batches of one INSERT … VALUES each.

    Not bulk_create: making a model object of each row and preparing each of its fields
    costs Django several seconds for 100,000 readings, most of an import's time; and COPY
    takes half the time of INSERTs, whose parameters the driver writes into their text."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        return _copy(model, columns, rows, returning=returning)
    meta = model._meta
    name = connection.ops.quote_name
    fields = [meta.get_field(column) for column in columns]
    table = name(meta.db_table)
    names = ", ".join(name(field.column) for field in fields)
    prepare = _preparers(model, columns)
    width = len(columns)
    batch = min(BATCH_SIZE, (connection.features.max_query_params or 100_000) // width)
    one = "(" + ", ".join(["%s"] * width) + ")"
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            if prepare is None:
                params = [value for row in chunk for value in row]
            else:
                params = [
                    to_db(value) for row in chunk for to_db, value in zip(prepare, row, strict=True)
                ]
            # Only the model's own table and column names go into the text; values are params.
            sql = f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(chunk))}"  # noqa: S608
            if returning:
                sql += f" RETURNING {name(meta.pk.column)}"
            cursor.execute(sql, params)
            if returning:
                ids += [found[0] for found in cursor.fetchall()]
    return ids


def _copy(model, columns: list[str], rows: list[tuple], *, returning: bool) -> list[int]:
    meta = model._meta
    name = connection.ops.quote_name
    table = meta.db_table
    names = [name(meta.get_field(column).column) for column in columns]
    ids: list[int] = []
    with connection.cursor() as cursor:
        if returning:
            # The ids first, from the table's own sequence: the history is written for them.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, meta.pk.column, len(rows)],
            )
            ids = [found[0] for found in cursor.fetchall()]
            names.insert(0, name(meta.pk.column))
        sql = f"COPY {name(table)} ({', '.join(names)}) FROM STDIN"
        for start in range(0, len(rows), 10_000):
            chunk = rows[start : start + 10_000]
            lines = (
                "\t".join(map(_copied, (ids[start + n], *row) if returning else row))
                for n, row in enumerate(chunk)
            )
            cursor.cursor.copy_expert(sql, io.StringIO("\n".join(lines) + "\n"))
    return ids


def _copied(value) -> str:
    """A value as COPY's text format writes it."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _update(changed: list[tuple[int, tuple]], user) -> None:
    """Save the changed rows' DATA over their readings, with who and when.

    Not bulk_update: building its CASE expressions costs Django about a millisecond a
    reading, well over a minute for 100,000. Instead one UPDATE … FROM (VALUES …) a batch,
    which PostgreSQL and SQLite (3.33 and later) both understand."""
    if not changed:
        return
    stamp = timezone.now()
    _update_rows(
        Reading,
        DATA,
        [(pk, *data) for pk, data in changed],
        also={"entered_by": user.pk, "entered_at": stamp},
    )
    # The UPDATE bypasses save(), so the history is written here.
    history.record_rows(Reading, [pk for pk, _ in changed], user=user)


def _update_values(changed: list[tuple[int, tuple]]) -> None:
    _update_rows(ComparatorReading, COMPARATOR_DATA, [(pk, *data) for pk, data in changed])


_CASTS = {"DecimalField": "NUMERIC", "BooleanField": "BOOLEAN"}


def _update_rows(model, columns: tuple[str, ...], rows: list[tuple], *, also=None) -> None:
    if not rows:
        return
    also = also or {}
    meta = model._meta
    name = connection.ops.quote_name
    table = name(meta.db_table)
    # VALUES names its columns column1, column2, … in both databases. The casts tell
    # PostgreSQL the type of a column that holds only NULLs in a batch.
    assignments = []
    for n, column in enumerate(columns, start=2):
        model_field = meta.get_field(column)
        cast = _CASTS.get(model_field.get_internal_type())
        source = f"CAST(v.column{n} AS {cast})" if cast else f"v.column{n}"
        assignments.append(f"{name(model_field.column)} = {source}")
    extra = []
    for column, value in also.items():
        model_field = meta.get_field(column)
        assignments.append(f"{name(model_field.column)} = %s")
        extra.append(model_field.get_db_prep_save(value, connection))
    prepare = _preparers(model, ["id", *columns])
    if prepare is not None:
        rows = [tuple(to_db(v) for to_db, v in zip(prepare, row, strict=True)) for row in rows]
    width = len(columns) + 1
    batch = min(BATCH_SIZE, (connection.features.max_query_params or 100_000) // width - 1)
    one = "(" + ", ".join(["%s"] * width) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            # Only the model's own table and column names go into the text; values are params.
            sql = (
                f"UPDATE {table} SET {', '.join(assignments)} "  # noqa: S608
                f"FROM (VALUES {', '.join([one] * len(chunk))}) AS v "
                f"WHERE {table}.{name(meta.pk.column)} = v.column1"
            )
            cursor.execute(sql, [*extra, *(value for row in chunk for value in row)])


# Exporting --------------------------------------------------------------------------------


def write_readings_csv(plan, out: TextIO) -> int:
    """Write every reading of the plan, and its comparators' values, to ``out`` as CSV in
    COLUMNS, as import_readings takes them back, and return how many. Starts with a
    byte-order mark, so that Excel reads the file as UTF-8."""
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    # An indicator carried forward from an earlier plan shares that series' readings: they
    # are written under its own reference, its own reading first where both hold a period.
    codes: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pk, code, series_start in plan.indicators.values_list("pk", "code", "series_start_id"):
        codes[series_start or pk].append((pk, code))
    members = _series_members(codes)
    readings = (
        Reading.objects.filter(indicator_id__in=sorted(members))
        .order_by("breakdown", "period", "period_start", "indicator_id")
        .values_list(
            "indicator_id",
            "indicator__series_start_id",
            "period_start",
            "period",
            "breakdown",
            *DATA,
        )
    )
    rows: dict[tuple, tuple] = {}
    for owner, series_start, start, end, breakdown, *data in readings.iterator(
        chunk_size=BATCH_SIZE
    ):
        for reader, code in codes[series_start or owner]:
            slot = (code, breakdown, end, start)
            if owner == reader or slot not in rows:
                rows[slot] = (code, start, end, breakdown, data)
    count = 0
    for code, start, end, breakdown, data in (rows[slot] for slot in sorted(rows)):
        writer.writerow(_exported(code, start, end, breakdown, dict(zip(DATA, data, strict=True))))
        count += 1
    values = (
        ComparatorReading.objects.filter(comparator__indicator__plan=plan)
        .order_by("comparator__indicator__code", "comparator__name", "period", "period_start")
        .values_list(
            "comparator__indicator__code",
            "comparator__name",
            "comparator__area_code",
            "period_start",
            "period",
            *COMPARATOR_DATA,
        )
    )
    for code, name, area_code, start, end, *data in values.iterator(chunk_size=BATCH_SIZE):
        cells = dict(zip(COMPARATOR_DATA, data, strict=True))
        writer.writerow(_exported(code, start, end, "", cells, name, area_code))
        count += 1
    return count


def _exported(code, start, end, breakdown, data: dict, comparator="", area_code="") -> list:
    mark = data["suppression_mark"]
    value = _plain(data["value"]) if data["value"] is not None else (mark or "")
    cells = {
        "indicator": code,
        # The label as the source wrote it, or the last day; the first and last days say
        # exactly which period it is.
        "period": data["period_label"] or end.isoformat(),
        "value": value,
        "lower": _plain(data["lower"]),
        "upper": _plain(data["upper"]),
        # Said where it matters: beside limits, or when it is not the usual 95%.
        "confidence_level": data["confidence_level"]
        if data["lower"] is not None
        or data["upper"] is not None
        or data["confidence_level"] != "95"
        else "",
        "count": _plain(data["count"]),
        "denominator": _plain(data["denominator"]),
        "value_note": data["value_note"],
        "series_break": "yes" if data.get("series_break") else "",
        "breakdown": breakdown,
        "source_note": data.get("source_note", ""),
        "comparator": comparator,
        "area_code": area_code,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
    }
    return [_safe_cell(str(cells[column])) for column in COLUMNS]


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
