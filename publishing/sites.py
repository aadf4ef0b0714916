"""The sites a lead names to embed charts: each written as an origin, safe to put in a
Content-Security-Policy header (frame-ancestors)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

MOST_SITES = 10
HOST = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def origins(text: str) -> tuple[list[str], list[str]]:
    """The origins of the addresses in ``text`` (one a line, or separated by spaces or commas),
    and what is wrong with the others. Only https, and a real host name: no paths, no
    wildcards, nothing a header could be broken with."""
    found: list[str] = []
    problems: list[str] = []
    for item in re.split(r"[\s,]+", text.strip()):
        if not item:
            continue
        shown = item if len(item) <= 80 else item[:79] + "…"
        address = item if "://" in item else f"https://{item}"
        try:
            parts = urlsplit(address)
            port = parts.port
        except ValueError:
            problems.append(f"{shown} is not a web address.")
            continue
        host = (parts.hostname or "").lower()
        if parts.scheme != "https":
            problems.append(f"{shown}: only https sites may embed the charts.")
        elif not HOST.fullmatch(host) or parts.username or parts.password:
            problems.append(f"{shown} is not a site's address, such as https://www.example.org.")
        elif parts.path not in ("", "/") or parts.query or parts.fragment:
            problems.append(f"{shown}: give the site only, without a page's path.")
        else:
            origin = f"https://{host}" + (f":{port}" if port and port != 443 else "")
            if origin not in found:
                found.append(origin)
    if len(found) > MOST_SITES:
        problems.append(f"At most {MOST_SITES} sites may embed the charts.")
    return found, problems
