"""A report loads only its own stylesheet, fonts and images: no other file, no address on the
network, whatever its HTML says (issue 25). No user text reaches a link or an image today;
this makes it impossible anyway."""

from __future__ import annotations

import io
import socket

import pikepdf
import pytest
from django.conf import settings

from reports import reports
from reports.tests.pdf import read

SECRET = "/etc/passwd"


def streams(pdf: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return b"".join(
            item.read_bytes() for item in document.objects if isinstance(item, pikepdf.Stream)
        )


def test_a_report_embeds_no_file_and_calls_no_address_its_html_names():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    html = f"""<html lang="en-GB"><head><title>Hostile</title>
      <link rel="stylesheet" href="static/reports/print.css">
      <link rel="stylesheet" href="static/reports/../../../../../etc/passwd">
      <link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">
      <link rel="attachment" href="file://{SECRET}">
    </head><body>
      <p><a rel="attachment" href="file://{SECRET}">Attached</a></p>
      <p><a rel="attachment" href="http://127.0.0.1:{port}/file">Attached again</a></p>
      <img alt="a file" src="file://{SECRET}"><img alt="far" src="http://127.0.0.1:{port}/i.png">
      <img alt="an image of ours, by a way round" src="static/reports/../../manage.py">
    </body></html>"""
    pdf = reports.html_to_pdf(html)
    try:
        with pytest.raises(TimeoutError):
            listener.accept()  # no request came
    finally:
        listener.close()
    content = streams(pdf)
    assert b"root:" not in content
    assert b"DJANGO_SETTINGS_MODULE" not in content
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert "/EmbeddedFiles" not in document.Root.get("/Names", {})
        assert not document.attachments
    # The report's own stylesheet still applies: A4, and its running footer.
    page = read(pdf).reader.pages[0]
    assert round(float(page.mediabox.width)) == 595
    assert "Page 1 of 1" in read(pdf).text


@pytest.mark.parametrize(
    "url, allowed",
    [
        ((settings.BASE_DIR / "static" / "reports" / "print.css").as_uri(), True),
        ("data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=", True),
        ("data:image/png;base64,iVBORw0KGgo=", True),
        ("data:text/plain,root:x:0:0", False),
        (f"file://{SECRET}", False),
        ((settings.BASE_DIR / "static" / "reports" / ".." / "reports.css").as_uri(), False),
        ((settings.BASE_DIR / "static" / "reports" / "print.py").as_uri(), False),
        ((settings.BASE_DIR / "manage.py").as_uri(), False),
        ("http://127.0.0.1/static/reports/print.css", False),
        ("https://example.org/font.woff2", False),
        ("ftp://example.org/print.css", False),
    ],
)
def test_what_a_report_may_fetch(url, allowed):
    assert reports.may_fetch(url) is allowed
