"""A real browser against the live test server: Playwright driving Debian's Chromium.

Every page a test visits can be checked with `pages.check(page)`: axe-core's WCAG 2.0, 2.1
and 2.2 A and AA rules, a visible focus, one h1, a title without markup, each script loaded
once, and a language; in a page without scripts (`page_without_scripts`) too. The pages checked
are listed in test-artifacts/a11y-pages.txt; screenshots go to test-artifacts/screenshots/.

In a parallel run the browser tests go first, a file (or a role's crawl) at a time, to
whichever worker process is free (the root conftest's `pytest_xdist_make_scheduler`): each
process has its browser and its part of the list of pages checked. Each page named for a
picture is pictured, and checked on a phone, once in the run, by the process that reaches it
first.
"""

from __future__ import annotations

import base64
import functools
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import service_missing
from improveplan.tests.artifacts import ARTIFACTS, first_to_claim, write_from_every_process
from improveplan.tests.kept_rows import KEPT

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = ARTIFACTS / "screenshots"
FAILURES = ARTIFACTS / "browser-failures"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
MAX_HEIGHT = 4000  # pixels of a screenshot's length
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
TABS_PER_PAGE = 12  # how many focus stops the focus check walks through on each page


@pytest.fixture(scope="package")
def browser(django_db_blocker) -> Iterator:
    """One browser for all the browser tests, closed as soon as the last of them is done:
    while Playwright runs, the test thread has a running event loop, which other tests'
    asyncio and Django's async-safety checks must not see."""
    # With that loop running, the test thread's database connection is another one (asgiref
    # keeps connections per thread and, in a thread running a loop, per context): rows kept
    # open in a transaction on the first (kept_rows.py) would hold their locks out of reach,
    # and the browser tests' emptying of the tables would wait for them for ever.
    with django_db_blocker.unblock():
        KEPT.drop()
    if not CHROMIUM.exists():
        service_missing(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        service_missing("Playwright is not installed (pip install -r requirements-dev.txt)")
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        # Django would refuse the test's own database calls as if they came from async code.
        # Set only while the browser tests run: `check --deploy` rightly fails on it.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()


@pytest.fixture
def context(browser, live_server) -> Iterator:
    context = _new_context(browser, live_server)
    yield context
    context.close()


@pytest.fixture
def context_without_scripts(browser, live_server) -> Iterator:
    """A browser that runs no JavaScript: what every page must still work in."""
    context = _new_context(browser, live_server, java_script_enabled=False)
    yield context
    context.close()


def _new_context(browser, live_server, **options):
    # Reduced motion, which Bootstrap's transitions honour: a button that the pointer happens
    # to rest on (where the last click left it, after a narrower window moved the page under
    # it) takes its hover colours at once, so axe checks the colours a person sees once the
    # page is still, not a frame halfway through the fade (it failed so once in CI).
    context = browser.new_context(
        base_url=live_server.url,
        viewport=DESKTOP,
        locale="en-GB",
        reduced_motion="reduce",
        **options,
    )
    context.set_default_timeout(15_000)
    return context


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.failed_in_browser = report.failed
    return report


@pytest.fixture
def page(request, context):
    page = context.new_page()
    yield page
    _keep_failure(request, page)


@pytest.fixture
def page_without_scripts(request, context_without_scripts):
    page = context_without_scripts.new_page()
    yield page
    _keep_failure(request, page)


def _keep_failure(request, page) -> None:
    if getattr(request.node, "failed_in_browser", False):
        # What the browser showed when the test failed, for whoever reads the CI log.
        FAILURES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=FAILURES / f"{_slug(request.node.name)}.png", full_page=True)


def sign_in(page, email: str, password: str) -> None:
    """Sign in through the sign-in page, as a person would."""
    page.goto("/account/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()


def messages(page):
    """What the page says it just did: the status region under the header. A page may have
    other status regions of its own (the comment box's list of people to mention)."""
    return page.locator(".messages[role=status]")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


# Run in the page: whether it runs scripts. Without them the HTML parser reads what is inside
# <noscript> as markup; with them, as text.
_RUNS_SCRIPTS = """() => {
  const probe = document.createElement('noscript');
  probe.innerHTML = '<i></i>';
  return probe.firstElementChild === null;
}"""

# Run in the page: what each focusable element looks like before it has focus.
_REMEMBER_UNFOCUSED = """() => {
  const look = (el) => {
    const s = getComputedStyle(el);
    return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow].join('|');
  };
  window.__unfocused = new Map();
  document.activeElement && document.activeElement.blur();
  for (const el of document.querySelectorAll(
      'a[href], button, input, select, textarea, summary, [tabindex]')) {
    window.__unfocused.set(el, look(el));
  }
  window.__look = look;
}"""

# Run in the page after a Tab: the focused element, and whether it looks different now.
_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || !window.__unfocused.has(el)) return null;
  const s = getComputedStyle(el);
  const visible = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                  || s.boxShadow !== 'none';
  return {
    element: el.outerHTML.slice(0, 120),
    changed: window.__look(el) !== window.__unfocused.get(el),
    visible: visible,
  };
}"""


class PageChecks:
    """Checks pages for accessibility and keeps the list of pages checked."""

    def __init__(self) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.checked: list[str] = []

    def check(self, page, *, who: str, screenshot: str = "") -> None:
        # A click on a link returns once the next page has started to load: checked at that
        # moment, axe may find no document at all (it failed so once in CI).
        page.wait_for_load_state("load")
        path = page.url.split("//", 1)[-1].split("/", 1)[-1]
        problems = self.problems(page)
        self.checked.append(f"{who}\t/{path}\t{page.title()}")
        if screenshot:
            problems += self.screenshot(page, screenshot)
        assert not problems, f"/{path} as {who}:\n" + "\n".join(problems)

    def problems(self, page) -> list[str]:
        problems = self.axe_problems(page)
        shape = page.evaluate(
            """() => ({
              h1: document.querySelectorAll('h1').length,
              title: document.title.trim(),
              lang: document.documentElement.lang,
              scripts: Array.from(document.scripts).map(s => s.getAttribute('src'))
                .filter(Boolean),
            })"""
        )
        if re.search(r"</?[a-zA-Z][^>]*>", shape["title"]):
            problems.append(f"markup in the title: {shape['title'][:120]}")
        twice = sorted({src for src in shape["scripts"] if shape["scripts"].count(src) > 1})
        if twice:
            problems.append(f"scripts loaded more than once: {twice}")
        if shape["h1"] != 1:
            problems.append(f"{shape['h1']} h1 elements instead of one")
        if not shape["title"]:
            problems.append("no title")
        if not shape["lang"]:
            problems.append("no lang on <html>")
        problems += self.focus_problems(page)
        return problems

    def axe_problems(self, page) -> list[str]:
        return [
            f"axe {violation['id']}: {violation['help']} at "
            + "; ".join(" ".join(node["target"]) for node in violation["nodes"])
            for violation in self.axe_violations(page)
        ]

    def axe_violations(self, page) -> list[dict]:
        if page.evaluate(_RUNS_SCRIPTS):
            return self._axe(page)
        # axe-core waits on timers, and a page without scripts never fires one: axe would wait
        # for ever. So it reads the same HTML, at the same address and size, in a page that
        # runs axe but refuses the page's own scripts (by its Content-Security-Policy).
        html, url = page.content(), page.url
        document = url.split("#", 1)[0]
        context = page.context.browser.new_context(viewport=page.viewport_size, locale="en-GB")
        try:
            copy = context.new_page()
            copy.route(
                lambda address: address == document,
                lambda route: route.fulfill(
                    body=html,
                    content_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": "script-src 'none'"},
                ),
            )
            copy.goto(url)
            return self._axe(copy)
        finally:
            context.close()

    def _axe(self, page) -> list[dict]:
        # axe-core's script (half a megabyte) goes into each page once: a page checked at
        # desktop width and again at phone width keeps it (axe_playwright_python's `run`
        # would send it each time).
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(self.axe.axe_script)
        options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": []}
        return page.evaluate("options => axe.run(options)", options)["violations"]

    def focus_problems(self, page) -> list[str]:
        page.evaluate(_REMEMBER_UNFOCUSED)
        problems = []
        for _ in range(TABS_PER_PAGE):
            page.keyboard.press("Tab")
            focused = page.evaluate(_FOCUSED)
            if focused and not (focused["changed"] and focused["visible"]):
                problems.append(f"focus is not visible on {focused['element']}")
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        return problems

    def screenshot(self, page, name: str) -> list[str]:
        """The page at desktop width and on a 390 px phone, once per name in the run (by
        whichever process reaches it first); axe checks the phone layout too (what it finds
        is returned)."""
        if not first_to_claim(f"screenshot-{_slug(name)}"):
            return []
        problems = []
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for width, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            # Full length, up to a point: the longest lists would make pictures nobody reads.
            height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT)
            clip = {"x": 0, "y": 0, "width": size["width"], "height": height}
            save_screenshot(page, SCREENSHOTS / f"{_slug(name)}-{width}.png", clip)
            if width == "phone":
                problems += [f"{problem} (at 390 px)" for problem in self.axe_problems(page)]
        page.set_viewport_size(DESKTOP)
        return problems


def save_screenshot(page, path: Path, clip: dict) -> None:
    """A PNG of this part of the page, beyond the window if need be, as Playwright's
    full-page screenshot takes it, but by Chromium's DevTools protocol, to ask its encoder
    for speed over size (``optimizeForSpeed``): 50 ms a picture where Playwright's took
    87, files about a quarter larger."""
    session = page.context.new_cdp_session(page)
    try:
        shot = session.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "clip": {**clip, "scale": 1},
                "captureBeyondViewport": True,
                "optimizeForSpeed": True,
            },
        )
    finally:
        session.detach()
    path.write_bytes(base64.b64decode(shot["data"]))


@pytest.fixture(scope="package")
def pages(browser) -> Iterator[PageChecks]:
    """The checks of this process: a process may run some browser tests, others, and more
    browser tests, and the list it writes holds every page it checked."""
    checks = _checks_of_this_process()
    yield checks
    if checks.checked:
        write_from_every_process(ARTIFACTS / "a11y-pages.txt", checks.checked, _pages_text)


@functools.cache
def _checks_of_this_process() -> PageChecks:
    return PageChecks()


def _pages_text(parts: list[list[str]]) -> str:
    lines = ["who\tpath\ttitle", *sorted({line for part in parts for line in part})]
    return "\n".join(lines) + "\n"
