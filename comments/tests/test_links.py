"""Which web addresses in a comment become links (plain Python)."""

from __future__ import annotations

import pytest

from comments.links import pieces


def links(text: str) -> list[tuple[str, str]]:
    return [(written, target) for written, target in pieces(text) if target]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("See https://example.org/a.", [("https://example.org/a", "https://example.org/a")]),
        ("(www.gov.uk/x), then", [("www.gov.uk/x", "https://www.gov.uk/x")]),
        (
            "https://en.wikipedia.org/wiki/Smoking_(disambiguation)!",
            [
                (
                    "https://en.wikipedia.org/wiki/Smoking_(disambiguation)",
                    "https://en.wikipedia.org/wiki/Smoking_(disambiguation)",
                )
            ],
        ),
        ("HTTP://EXAMPLE.ORG", [("HTTP://EXAMPLE.ORG", "HTTP://EXAMPLE.ORG")]),
        ('https://x.org/"onmouseover=alert(1)', [("https://x.org/", "https://x.org/")]),
        ("javascript:alert(1) data:text/html,x ftp://x.org", []),
        ("example.org and www. alone, https:// alone", []),
        ("", []),
    ],
)
def test_only_web_addresses_become_links(text, found):
    assert links(text) == found


def test_the_text_comes_back_whole():
    text = "a https://x.org/b, c www.y.org d"
    assert "".join(written for written, _ in pieces(text)) == text
