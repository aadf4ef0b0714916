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


# A button that fades to its hover colours, as Bootstrap's do, begun halfway through the fade
# (a negative delay): halfway, its grey text on a pale blue fails for contrast.
FADING = """<!doctype html><html lang="en"><head><title>Fading</title><style>
button { color: #0b0c0c; background: #fff; border: 1px solid #0b0c0c; font-size: 16px;
         transition: color 4s linear -2s, background-color 4s linear -2s; }
button:hover { color: #fff; background: #1d4ed8; }
@media (prefers-reduced-motion: reduce) { button { transition: none; } }
</style></head><body><main><h1>Fading</h1><button type="button">Save</button></main>
</body></html>"""


def test_colours_are_checked_as_they_settle_not_halfway_through_a_fade(page, pages):
    """The pointer may rest on a button when a page is checked (where the last click left it);
    the browser asks for reduced motion, so the button is checked in its hover colours."""
    page.set_content(FADING)
    page.hover("button")
    assert not [problem for problem in pages.axe_problems(page) if "color-contrast" in problem]
