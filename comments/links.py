"""Where a comment's text holds web addresses: plain Python, no Django.

A web address starts with http://, https:// or www., and runs to the next space or quote
mark; a full stop, comma or closing bracket at its very end is the sentence's, not the
address's (unless the address opened that bracket). Nothing else is ever a link, so a
comment cannot link to javascript: or data: addresses.
"""

from __future__ import annotations

import re

ADDRESS = re.compile(r"""(?:https?://|www\.)[^\s<>"'`]+""", re.IGNORECASE)
TRAILING = ".,;:!?"
CLOSING = {")": "(", "]": "[", "}": "{"}


def _trimmed(address: str) -> str:
    while address:
        last = address[-1]
        unopened = last in CLOSING and address.count(last) > address.count(CLOSING[last])
        if not (last in TRAILING or unopened):
            break
        address = address[:-1]
    return address


def pieces(text: str) -> list[tuple[str, str | None]]:
    """The text cut into ``(text, None)`` runs and ``(address as written, where it leads)``."""
    found: list[tuple[str, str | None]] = []
    at = 0
    for match in ADDRESS.finditer(text):
        address = _trimmed(match.group())
        if not address or address.lower() in ("www.", "http://", "https://"):
            continue
        if match.start() > at:
            found.append((text[at : match.start()], None))
        target = address if "://" in address else f"https://{address}"
        found.append((address, target))
        at = match.start() + len(address)
    if at < len(text):
        found.append((text[at:], None))
    return found
