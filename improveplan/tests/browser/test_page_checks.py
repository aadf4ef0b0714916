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


# Three links: the first keeps the browser's focus ring, the second's is taken away, the third
# has none but gets one from the page's own script when it takes the focus.
FOCUS = """<!doctype html><html lang="en"><head><title>Focus</title><style>
a { outline: none; }
a.ring:focus { outline: 3px solid #0b0c0c; }
a.scripted.lit { outline: 3px solid #0b0c0c; }
</style></head><body><main><h1>Focus</h1>
<a class="ring" href="#one">One</a> <a class="bare" href="#two">Two</a>
<a class="scripted" href="#three">Three</a></main>
<script>
const scripted = document.querySelector('.scripted');
scripted.addEventListener('focus', () => scripted.classList.add('lit'));
scripted.addEventListener('blur', () => scripted.classList.remove('lit'));
</script></body></html>"""


def test_the_focus_check_finds_a_focus_nobody_can_see_and_only_that(page, pages):
    page.set_content(FOCUS)
    problems = pages.focus_problems(page)
    # Twelve Tabs go round the three links more than once: the second is found each time.
    assert problems, "the link with no visible focus was not found"
    assert all('class="bare"' in problem for problem in problems), problems
    # The page is left as it was found, nothing focused, for the checks that follow.
    assert page.evaluate("() => document.activeElement === document.body")
