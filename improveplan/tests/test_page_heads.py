"""Every page the demo reaches has a title without markup, and loads each script once
(issue 16, item 6: the action form's title read "Edit A-01<script src=…>" in the browser's
tab and to screen readers, and htmx was loaded three times).

Each demo role follows the site's links from "My partnerships", opening every page of each
kind up to a few per kind; browser tests check the same on every page they visit
(tests/browser/conftest.py).
"""

from __future__ import annotations

import html
import re
from collections import Counter, deque
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

from improveplan.management.commands.seed_demo import OTHER_LEAD
from improveplan.models import User

PER_KIND = 2  # pages opened of each kind (view), per role
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc=\"([^\"]+)\"")
LINK = re.compile(r"<a\b[^>]*\bhref=\"(/[^\"#]*)")
DOWNLOAD = re.compile(r"\.(pdf|csv|xlsx)$")


def head_problems(page: str) -> list[str]:
    """What is wrong with a page's title and scripts, as the browser would see them."""
    head = page.split("</head>", 1)[0]  # charts have <title>s of their own
    titles = TITLE.findall(head)
    if len(titles) != 1:
        return [f"{len(titles)} titles"]
    title = titles[0]
    problems = []
    if "<" in title or not title.strip():
        problems.append(f"title with markup or empty: {title.strip()[:120]!r}")
    twice = [src for src, n in Counter(SCRIPT_SRC.findall(page)).items() if n > 1]
    if twice:
        problems.append(f"scripts loaded more than once: {twice}")
    return problems


@pytest.mark.parametrize(
    "email",
    [
        "lead@demo.improveplan.test",
        "housing@demo.improveplan.test",
        "board@demo.improveplan.test",
        OTHER_LEAD[0],
    ],
)
def test_every_page_of_the_demo_has_a_plain_title_and_each_script_once(client, demo, email):
    client.force_login(User.objects.get(email=email))
    queue, seen, kinds = deque(["/"]), set(), Counter()
    problems, titles = [], {}
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        try:
            match = resolve(urlsplit(path).path)
        except Resolver404:
            continue
        if match.namespace == "admin" or kinds[match.view_name] >= PER_KIND:
            continue
        if DOWNLOAD.search(urlsplit(path).path) or match.view_name.endswith("evidence"):
            continue
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        kinds[match.view_name] += 1
        page = response.content.decode()
        problems += [f"{path}: {problem}" for problem in head_problems(page)]
        titles[match.view_name] = html.unescape(TITLE.findall(page)[0]).strip()  # the head's
        queue.extend(html.unescape(href) for href in LINK.findall(page))
    assert not problems, "\n".join(problems)
    assert len(kinds) > 5, kinds
    if email.startswith("lead@"):
        # The pages the issue found: the action's edit form and the new-action form.
        assert re.fullmatch(r"Edit A-\d+ – ImprovePlan", titles["actions:action_edit"])
        assert titles["actions:action_create"] == "New action – ImprovePlan"


def test_the_check_sees_a_title_with_markup_and_a_script_twice():
    page = (
        '<head><title>Edit A-01<script src="/static/htmx.js"></script> – ImprovePlan</title>'
        '</head><script src="/static/htmx.js"></script>'
    )
    assert len(head_problems(page)) == 2
