"""How big a spreadsheet really is, measured before anything reads it.

A small upload can hide a great deal of work: an .xlsx is a zip, so 200 KB can hold 40,000
rows each with one empty cell in the last column (XFD), which a reader turns into 650 million
empty cells; or a shared-strings table of three million entries, which a reader holds in
memory all at once. ``measure_xlsx`` reads the zip's directory, then unpacks the shared
strings and each sheet piece by piece, counting rows, cells and columns in the raw XML with
regular expressions (a parser's callback per cell would cost seconds for the largest file
accepted) and stopping at the first limit passed, so a refusal costs about as much as the
part of the file up to that point.
``measure_csv`` counts line breaks and separators in the raw bytes, without decoding them.

Both raise a ValidationError whose message names the limit that was passed.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from django.core.exceptions import ValidationError

CHUNK = 64 * 1024
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
CONTENT_TYPES = "[Content_Types].xml"


@dataclass(frozen=True)
class Limits:
    """The most a file may hold. ``rows`` counts every row up to the last one used, empty or
    not; ``columns`` is the furthest column any cell is in (empty cells too); ``cells``
    counts every cell the file writes, in all its sheets."""

    rows: int
    columns: int
    cells: int
    shared_strings: int = 0
    unpacked_bytes: int = 0  # all of an xlsx's parts together, uncompressed
    shared_strings_bytes: int = 0  # its shared-strings part alone, uncompressed


def column_letters(number: int) -> str:
    """1 → A, 26 → Z, 27 → AA, 16384 → XFD."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _too_big(what: str) -> ValidationError:
    return ValidationError(f"{what} Nothing was imported.", code="too_big")


def _rows_message(where: str, limits: Limits) -> ValidationError:
    return _too_big(
        f"{where} has more than {limits.rows:,} rows (empty rows between and after the data "
        f"count too); the most we read is {limits.rows:,}. Split it into smaller files, or "
        "delete the empty rows below your data."
    )


def _columns_message(where: str, column: int, limits: Limits) -> ValidationError:
    return _too_big(
        f"{where} has cells as far as column {column_letters(column)}; the most we read is "
        f"{limits.columns} columns (to column {column_letters(limits.columns)}). Delete the "
        "columns to the right of your data (even empty ones with formatting), or copy the "
        "data into a new workbook."
    )


def _cells_message(where: str, limits: Limits) -> ValidationError:
    return _too_big(
        f"{where} has more than {limits.cells:,} cells (empty cells with formatting count "
        f"too); the most we read is {limits.cells:,}. Split it into smaller files."
    )


# Excel workbooks --------------------------------------------------------------------------


class _Stop(Exception):
    """Raised from a parser's handler to stop reading at the first limit passed."""

    def __init__(self, error: ValidationError) -> None:
        self.error = error


def _parser(start) -> expat.XMLParserType:
    """A streaming parser that refuses document types and entities (as defusedxml does), so
    no entity can expand into more text than the file holds."""
    parser = expat.ParserCreate(namespace_separator=" ")

    def refuse(*_arguments) -> None:
        raise _Stop(
            ValidationError("The Excel workbook declares a document type, which it should not.")
        )

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.buffer_text = True
    return parser


def _stream(archive: zipfile.ZipFile, name: str, parser) -> None:
    with archive.open(name) as part:
        while chunk := part.read(CHUNK):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _parts(archive: zipfile.ZipFile) -> tuple[list[str], str | None]:
    """The workbook's sheets and its shared-strings part, as its content types name them
    (as openpyxl finds them), in zip order."""
    sheets: list[str] = []
    strings: list[str] = []

    def start(name: str, attributes: dict) -> None:
        if name.rsplit(" ", 1)[-1] != "Override":
            return
        part = attributes.get("PartName", "").lstrip("/")
        if attributes.get("ContentType") == SHEET_TYPE:
            sheets.append(part)
        elif attributes.get("ContentType") == STRINGS_TYPE:
            strings.append(part)

    _stream(archive, CONTENT_TYPES, _parser(start))
    return sheets, (strings[0] if strings else None)


def measure_xlsx(upload, limits: Limits, *, label: str = "The workbook") -> None:
    """Refuse (ValidationError) an Excel workbook over any of ``limits``. Reads the zip's
    directory and streams the shared strings and the sheets; stops at the first limit passed."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            _measure_archive(archive, limits, label)
    except _Stop as stop:
        raise stop.error from None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, expat.ExpatError) as error:
        raise ValidationError(f"The Excel workbook cannot be opened ({error}).") from None
    finally:
        upload.seek(0)


def _measure_archive(archive: zipfile.ZipFile, limits: Limits, label: str) -> None:
    members = {info.filename: info for info in archive.infolist()}
    unpacked = sum(info.file_size for info in members.values())
    if limits.unpacked_bytes and unpacked > limits.unpacked_bytes:
        raise _too_big(
            f"{label} unpacks to {unpacked / 1_048_576:,.0f} MB; the most we read is "
            f"{limits.unpacked_bytes / 1_048_576:,.0f} MB. Split it into smaller files."
        )
    if members.get(CONTENT_TYPES) is None:
        raise ValidationError("The Excel workbook cannot be opened (it has no list of contents).")
    if members[CONTENT_TYPES].file_size > LONGEST_TAG * 16:
        raise ValidationError(
            "The Excel workbook cannot be opened (its list of contents is too long)."
        )
    sheets, strings = _parts(archive)
    if strings and strings in members:
        _measure_strings(archive, members[strings], limits, label)
    cells = [0]
    for name in sheets:
        if name in members:
            _measure_sheet(archive, name, limits, label, cells)


def _measure_strings(archive, info: zipfile.ZipInfo, limits: Limits, label: str) -> None:
    if limits.shared_strings_bytes and info.file_size > limits.shared_strings_bytes:
        raise _too_big(
            f"{label}'s table of text (shared strings) unpacks to "
            f"{info.file_size / 1_048_576:,.0f} MB; the most we read is "
            f"{limits.shared_strings_bytes / 1_048_576:,.0f} MB."
        )
    if not limits.shared_strings:
        return
    count = 0
    for markup in _markup(archive, info.filename, label):
        count += len(_ENTRY.findall(markup))
        if count > limits.shared_strings:
            raise _too_big(
                f"{label}'s table of text (shared strings) has more than "
                f"{limits.shared_strings:,} entries; the most we read is "
                f"{limits.shared_strings:,}. Split it into smaller files."
            )


# The parts of a sheet's XML that decide how much a reader makes of it, found with regular
# expressions on the raw bytes: a parser's callback per cell would cost seconds for the
# largest file we accept. They may count a little too much (markup inside a comment), never
# too little, with any namespace prefix.
_TAG = rb"<(?:[A-Za-z_][\w.-]*:)?"
_ENTRY = re.compile(_TAG + rb"si[\s/>]")
_ROW = re.compile(_TAG + rb"row[\s/>]")
_CELL = re.compile(_TAG + rb"c[\s/>]")
# Only rows have an r attribute of digits alone, only cells one of letters and digits. The
# patterns start with the letter r, which the engine finds fast; an attribute whose name
# merely ends in r would count too much, never too little.
_ROW_NUMBER = re.compile(rb"r\s*=\s*[\"'](\d{1,9})[\"']")
_CELL_COLUMN = re.compile(rb"r\s*=\s*[\"']\$?([A-Za-z]{1,4})\$?\d")
LONGEST_TAG = 64 * 1024


def _markup(archive: zipfile.ZipFile, name: str, label: str):
    """The part's bytes in pieces that never cut a tag in two (what follows the last "<" is
    kept for the next piece). A tag longer than LONGEST_TAG is refused: no writer makes one."""
    carry = b""
    with archive.open(name) as part:
        while chunk := part.read(CHUNK * 16):
            data = carry + chunk
            cut = data.rfind(b"<")
            if cut < data.rfind(b">"):
                cut = len(data)
            carry = data[cut:]
            if len(carry) > LONGEST_TAG:
                raise _too_big(
                    f"{label} has markup longer than {LONGEST_TAG // 1024} KB in one tag."
                )
            yield data[:cut]
    yield carry


def _widest(letters: list[bytes]) -> int:
    return max((_column_number(text.decode()) for text in set(letters)), default=0)


def _measure_sheet(archive, name: str, limits: Limits, label: str, cells: list[int]) -> None:
    """Count the sheet's rows (to the last one used: a reader makes the rows between), its
    furthest column (a reader fills the cells before it) and its cells (``cells`` carries the
    count across the workbook's sheets)."""
    row = 0
    for markup in _markup(archive, name, label):
        rows = len(_ROW.findall(markup))
        numbers = _ROW_NUMBER.findall(markup)
        # A row without a number follows the one before it.
        row = max([row, *map(int, numbers)]) + rows - len(numbers) if rows else row
        if row > limits.rows:
            raise _rows_message(label, limits)
        found = len(_CELL.findall(markup))
        cells[0] += found
        if cells[0] > limits.cells:
            raise _cells_message(label, limits)
        columns = _CELL_COLUMN.findall(markup)
        widest = _widest(columns)
        if len(columns) < found:
            # Cells without a reference follow the one before them: count row by row.
            widest = max(
                _widest(_CELL_COLUMN.findall(piece)) + len(_CELL.findall(piece))
                for piece in _ROW.split(markup)
            )
        if widest > limits.columns:
            raise _columns_message(label, widest, limits)


# CSV files --------------------------------------------------------------------------------


def measure_csv(upload, limits: Limits, *, label: str = "The file") -> None:
    """Refuse (ValidationError) a CSV file with more lines than ``limits.rows`` + 1 (the
    header), or more cells than ``limits.cells``. Counted on the raw bytes: every line break
    is a row (empty lines too) and every comma, semicolon or tab may start a cell, so one
    inside quoted text counts as one; the limits allow for that."""
    upload.seek(0)
    lines = commas = 0
    last = b""
    while chunk := upload.read(CHUNK * 16):
        lines += chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
        if last == b"\r" and chunk.startswith(b"\n"):
            lines -= 1  # a \r\n split between two chunks
        last = chunk[-1:]
        # Semicolons and tabs separate cells too (outcomes.readings_io reads all three).
        commas += chunk.count(b",") + chunk.count(b";") + chunk.count(b"\t")
        if lines > limits.rows + 1:
            upload.seek(0)
            raise _rows_message(label, limits)
        if commas + lines > limits.cells:
            upload.seek(0)
            raise _cells_message(label, limits)
    upload.seek(0)
