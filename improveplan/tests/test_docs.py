"""The README stays a front page, and no link in it or in docs/ leads nowhere.

`make docs` builds docs/ with `mkdocs build --strict`, which fails on a broken link or anchor
there; the README is not part of that site, so this file checks its links, and docs/'s too so
that `make test` alone catches a page moved without its links.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
FRONT_PAGE_MAX = 12_000  # characters: a front page a newcomer reads in five minutes

FENCED = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # http:, https:, mailto:…


def slug(heading: str) -> str:
    """The anchor Python-Markdown's toc extension (as MkDocs and GitHub nearly agree) gives."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text only
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def prose(markdown: str) -> str:
    """The text with code left out, so `[a](b)` written as code is not taken for a link."""
    return INLINE_CODE.sub("", FENCED.sub("", markdown))


def anchors(path: Path) -> set[str]:
    return {slug(heading) for heading in HEADING.findall(FENCED.sub("", path.read_text()))}


def broken_links(path: Path) -> list[str]:
    """Each relative link in a Markdown file whose file, or heading, does not exist."""
    broken = []
    for target in LINK.findall(prose(path.read_text())):
        if EXTERNAL.match(target):
            continue
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            broken.append(f"{target}: no file {os.path.relpath(linked, ROOT)}")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no heading with the anchor #{anchor}")
    return broken


MARKDOWN = [README, *sorted((ROOT / "docs").rglob("*.md"))]


def test_the_readme_is_a_front_page_of_at_most_12000_characters():
    length = len(README.read_text())
    assert length <= FRONT_PAGE_MAX, (
        f"README.md has {length:,} characters, more than {FRONT_PAGE_MAX:,}: move the detail "
        "to a guide in docs/ and link to it."
    )


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(path):
    assert not broken_links(path), f"{path.relative_to(ROOT)}: " + "; ".join(broken_links(path))


def test_the_readme_links_to_every_guide():
    linked = set(LINK.findall(prose(README.read_text())))
    guides = {
        f"docs/{page.relative_to(ROOT / 'docs')}"
        for folder in ("guides", "admin", "developers")
        for page in (ROOT / "docs" / folder).glob("*.md")
    }
    assert guides <= linked, f"README.md does not link to {sorted(guides - linked)}"


def test_a_missing_file_or_heading_is_found(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "guide.md").write_text("# A guide\n\n## Rotating `SECRET_KEY`\n")
    page = tmp_path / "page.md"
    page.write_text(
        "[fine](guide.md#rotating-secret_key) [top](#the-page) [web](https://example.org/x)\n"
        "`[code](not-a-link.md)`\n"
        "# The page\n\n[gone](missing.md) [no such heading](guide.md#backups)\n"
    )
    assert broken_links(page) == [
        "missing.md: no file missing.md",
        "guide.md#backups: no heading with the anchor #backups",
    ]
