"""Uploaded files: what they really are (by content, never by name), and how they go back out.

Later features (evidence files, spreadsheet imports) accept files through ``check_upload``
and serve them through ``attachment_response`` from behind their access check.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    content_type: str
    extension: str


PDF = Kind("pdf", "PDF document", "application/pdf", ".pdf")
PNG = Kind("png", "PNG image", "image/png", ".png")
JPEG = Kind("jpeg", "JPEG image", "image/jpeg", ".jpg")
DOCX = Kind(
    "docx",
    "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".docx",
)
XLSX = Kind(
    "xlsx",
    "Excel workbook",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsx",
)
CSV = Kind("csv", "CSV or plain text", "text/csv", ".csv")

EVIDENCE_KINDS = (PDF, PNG, JPEG, DOCX, XLSX, CSV)
SNIFF_BYTES = 8192


def detect(upload) -> Kind | None:
    """The kind of file this is, judged from its first bytes (and, for Office files, its
    zip contents). None when it is none of the kinds we accept."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(upload)
    if _is_text(head):
        return CSV
    return None


def _office_kind(upload) -> Kind | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _is_text(head: bytes) -> bool:
    """Text as spreadsheets save it: UTF-8, UTF-16 with its byte-order mark (Excel's "Unicode
    Text"), or Windows-1252 (Excel's plain "CSV" on a British computer)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not head.startswith(
        codecs.BOM_UTF32_LE
    ):
        decoder = codecs.getincrementaldecoder("utf-16")()
        try:
            # Not final: a character cut off at the end of the sample is still text.
            text = decoder.decode(head[: len(head) // 2 * 2])
        except UnicodeDecodeError:
            return False
        return bool(text) and not _CONTROL.search(text)
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut off at the end of the sample is still text.
        if error.start >= len(head) - 3:
            return True
        try:
            text = head.decode("cp1252")
        except UnicodeDecodeError:
            return False
        return not _CONTROL.search(text)
    return True


# Characters no spreadsheet's text has: the controls other than tab, line breaks and form feed.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


def check_upload(
    upload, *, allowed: tuple[Kind, ...] = EVIDENCE_KINDS, max_bytes: int | None = None
) -> Kind:
    """The upload's kind, or a ValidationError that says plainly what is wrong."""
    limit = max_bytes or settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"The file is {upload.size / 1_048_576:.1f} MB; the most we accept is "
            f"{limit / 1_048_576:.0f} MB."
        )
    if upload.size == 0:
        raise ValidationError("The file is empty.")
    kind = detect(upload)
    if kind not in allowed:
        names = ", ".join(k.label for k in allowed)
        raise ValidationError(f"This file's contents are not of a kind we accept ({names}).")
    return kind


def safe_filename(name: str, kind: Kind) -> str:
    """A download name with no path, no control characters, and the extension its content has."""
    stem = PurePath(name.replace("\\", "/")).stem
    stem = "".join(ch for ch in stem if ch.isalnum() or ch in " -_.()")[:100].strip(" .")
    return f"{stem or 'file'}{kind.extension}"


def attachment_response(file, *, name: str, kind: Kind) -> FileResponse:
    """Send a stored file as a download, never rendered in the browser as a page."""
    response = FileResponse(
        file, as_attachment=True, filename=safe_filename(name, kind), content_type=kind.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
