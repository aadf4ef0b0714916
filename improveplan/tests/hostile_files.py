"""Spreadsheets small on disk that hold a great deal, built for real by the tests of the
upload limits (and bench/upload_limits.py): an .xlsx is a zip, so its parts are rewritten
with the padding a hostile or careless program writes."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<sheetData>"
)
SHEET_END = "</sheetData></worksheet>"
STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" />'
)


def _workbook_with(parts: dict[str, object], header: list[str]) -> bytes:
    """An openpyxl workbook whose first row is ``header`` (as shared strings), with the
    named parts replaced by the text (or chunks of text) given."""
    workbook = Workbook()
    workbook.active.append(header)
    plain = io.BytesIO()
    workbook.save(plain)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(plain) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            if info.filename in parts:
                continue
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                # openpyxl finds the shared strings through their content type.
                data = data.replace(b"</Types>", STRINGS_TYPE.encode() + b"</Types>")
            target.writestr(info.filename, data)
        for name, chunks in parts.items():
            with target.open(name, "w", force_zip64=True) as part:
                for chunk in [chunks] if isinstance(chunks, str) else chunks:
                    part.write(chunk.encode())
    return out.getvalue()


def _header_row(header: list[str]) -> str:
    cells = "".join(f'<c r="{chr(65 + n)}1" t="s"><v>{n}</v></c>' for n, _ in enumerate(header))
    return f'<row r="1">{cells}</row>'


def _strings(texts) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "".join(f"<si><t>{text}</t></si>" for text in texts)
        + "</sst>"
    )


def padded_workbook(header: list[str], rows: int = 40_000) -> bytes:
    """The header, then ``rows`` rows each holding one empty, formatted cell in column XFD
    (the last one Excel has): about 200 KB for 40,000 rows."""

    def chunks():
        yield SHEET_START + _header_row(header)
        for number in range(2, rows + 2):
            yield f'<row r="{number}"><c r="XFD{number}" s="0"/></row>'
        yield SHEET_END

    return _workbook_with({SHEET: chunks(), STRINGS: _strings(header)}, header)


def empty_rows_workbook(header: list[str], last_row: int) -> bytes:
    """The header, nothing, and then one empty cell in column A of row ``last_row``."""
    sheet = (
        SHEET_START
        + _header_row(header)
        + f'<row r="{last_row}"><c r="A{last_row}" s="0"/></row>'
        + SHEET_END
    )
    return _workbook_with({SHEET: sheet, STRINGS: _strings(header)}, header)


def many_strings_workbook(
    header: list[str], entries: int = 3_000_000, entry: str = "<si><t>x</t></si>"
) -> bytes:
    """The header, and a shared-strings table of ``entries`` entries (the header's, then
    copies of ``entry``) that no cell uses: about 150 KB for three million."""

    def chunks():
        yield _strings(header).removesuffix("</sst>")
        left = entries - len(header)
        while left > 0:
            yield entry * min(left, 10_000)
            left -= 10_000
        yield "</sst>"

    sheet = SHEET_START + _header_row(header) + SHEET_END
    return _workbook_with({SHEET: sheet, STRINGS: chunks()}, header)
