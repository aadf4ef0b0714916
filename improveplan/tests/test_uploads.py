from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from improveplan.uploads import (
    CSV,
    DOCX,
    JPEG,
    PDF,
    PNG,
    XLSX,
    attachment_response,
    check_upload,
    safe_filename,
)


def office(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("[Content_Types].xml", *names):
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


SAMPLES = {
    PDF: b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n",
    PNG: b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
    JPEG: b"\xff\xd8\xff\xe0" + b"\x00" * 40,
    DOCX: office("word/document.xml"),
    XLSX: office("xl/workbook.xml"),
    CSV: "indicator,period,value\nSmoking,2025-Q1,14.2\nCafé,2025-Q2,13.9\n".encode(),
}


@pytest.mark.parametrize("kind", list(SAMPLES), ids=lambda kind: kind.name)
def test_each_accepted_kind_is_recognised_by_its_content(kind):
    upload = SimpleUploadedFile("whatever.bin", SAMPLES[kind])
    assert check_upload(upload) == kind


def test_the_name_does_not_decide_the_kind():
    disguised = SimpleUploadedFile("report.pdf", b"MZ\x90\x00\x03" + b"\x00" * 60)  # a program
    with pytest.raises(ValidationError, match="not of a kind we accept"):
        check_upload(disguised)


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>alert(1)</script></html>\x00",  # binary with a NUL: not text
        b"PK\x03\x04not really a zip",
        office("something/else.xml"),  # a zip, but not an Office document
        b"\xff\xfe\x00\x00bad",
    ],
)
def test_other_content_is_refused(content):
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile("evidence.docx", content))


def test_too_large_and_empty_files_are_refused_with_a_clear_message(settings):
    settings.UPLOAD_MAX_BYTES = 1_048_576
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 2_000_000)
    with pytest.raises(ValidationError, match=r"1\.9 MB; the most we accept is 1 MB"):
        check_upload(big)
    with pytest.raises(ValidationError, match="empty"):
        check_upload(SimpleUploadedFile("empty.pdf", b""))


def test_a_caller_can_accept_fewer_kinds():
    with pytest.raises(ValidationError, match="Excel workbook"):
        check_upload(SimpleUploadedFile("photo.png", SAMPLES[PNG]), allowed=(XLSX,))


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("../../etc/passwd", CSV, "passwd.csv"),
        ("C:\\Users\\me\\minutes.docx", DOCX, "minutes.docx"),
        ("report.html", PDF, "report.pdf"),
        ("\x1b[31mred\u202eexe.pdf", PDF, "31mredexe.pdf"),
        ("", PNG, "file.png"),
    ],
)
def test_download_names_are_safe_and_match_the_content(name, kind, expected):
    assert safe_filename(name, kind) == expected


def test_files_go_out_as_attachments_with_a_safe_content_type():
    response = attachment_response(io.BytesIO(SAMPLES[PDF]), name="minutes.html", kind=PDF)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="minutes.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
