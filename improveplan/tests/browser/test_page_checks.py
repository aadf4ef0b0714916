"""The page checks themselves (conftest.py's PageChecks) find what they look for."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.services  # Chromium

BROKEN = """<!doctype html><html lang="en"><head><title>Broken</title></head>
<body><main><h1>Broken</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main>
</body></html>"""


def test_axe_finds_an_image_without_alternative_text_at_each_width(page, pages):
    page.set_content(BROKEN)
    assert any("image-alt" in problem for problem in pages.axe_problems(page))
    page.set_viewport_size({"width": 390, "height": 844})
    # Checked again in the same page, with axe-core already in it.
    assert any("image-alt" in problem for problem in pages.axe_problems(page))
