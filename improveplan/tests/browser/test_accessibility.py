"""Every page the demo's navigation reaches, for each demo role, checked for accessibility.

From "My partnerships" the crawl follows same-site links (GET only) a few levels deep and
opens one page of each kind (one outcome, one indicator, one action...) per role, so the
run stays short while every template is seen as each role sees it.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError

from improveplan.management.commands.seed_demo import DEMO_PASSWORD, OTHER_LEAD
from reviews.demo import PEER_REVIEWER

from .conftest import sign_in

pytestmark = pytest.mark.services  # Chromium

DEPTH = 4  # links followed from "My partnerships"
NEVER_FOLLOW = {"admin"}  # namespaces the crawl leaves alone
# The API's documentation page is Swagger UI's, drawn by its own script from the schema; the
# API is explained in the guides (docs/guides/everyone.md).
NEVER_OPEN = {"api:docs"}
DOWNLOAD = re.compile(r"\.(pdf|csv|xlsx)$")

# One sign-in for each role (the demo's second partner sees what the first does) and the
# lead of the other partnership.
DEMO_ROLES = [
    "lead@demo.improveplan.test",
    "housing@demo.improveplan.test",
    "board@demo.improveplan.test",
    OTHER_LEAD[0],
    PEER_REVIEWER[0],  # Issue 6: reads the demo plan only
]


def screenshot_name(view_name: str) -> str:
    """One picture of each main page: the first role to reach it; edit and delete forms
    look like the add forms pictured already."""
    return "" if view_name.endswith(("_edit", "_delete")) else f"demo-{view_name}"


def crawl(page, pages, *, who: str, start: str = "/") -> list[str]:
    """Open every kind of page reachable from the start, breadth first; return their paths."""
    page.goto(start)
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    queue = deque([(start, 0)])
    seen: set[str] = set()
    kinds: Counter[str] = Counter()
    opened = []
    while queue:
        path, depth = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        try:
            match = resolve(urlsplit(path).path)
        except Resolver404:
            continue
        if match.namespace in NEVER_FOLLOW or match.view_name in NEVER_OPEN:
            continue
        if kinds[match.view_name]:
            continue
        if DOWNLOAD.search(urlsplit(path).path):
            continue  # board-report.pdf, readings.csv, action-plan.xlsx...
        try:
            page.goto(path)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                continue  # an evidence file
            raise
        kinds[match.view_name] += 1
        pages.check(page, who=who, screenshot=screenshot_name(match.view_name))
        opened.append(path)
        if depth == DEPTH:
            continue
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            parts = urlsplit(href)
            if f"{parts.scheme}://{parts.netloc}" == origin:
                queue.append((parts.path + (f"?{parts.query}" if parts.query else ""), depth + 1))
    return opened


def test_the_public_pages_pass_the_accessibility_checks(page, pages):
    opened = crawl(page, pages, who="signed out", start="/account/sign-in/")
    assert {"/account/sign-in/", "/account/password/reset/", "/accessibility/"} <= set(opened)


@pytest.mark.parametrize("email", DEMO_ROLES)
def test_every_page_of_the_demo_passes_the_accessibility_checks(demo, page, pages, email):
    sign_in(page, email, DEMO_PASSWORD)
    opened = crawl(page, pages, who=email.split("@")[0])
    assert len(opened) > 3, opened
