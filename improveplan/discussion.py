"""What a higher app shows at the foot of an item's page: the comments on it.

The outcome, indicator, action and review pages belong to apps below the comments app, so
they never import it: their templates say ``{% discussion thing %}`` (the tag is in
improveplan/templatetags/discussion.py), and the comments app registers here, in its
``AppConfig.ready()``, what draws it:

- ``register(draw)``: ``draw(request, thing)`` returns the HTML of the comments on ``thing``
  for the person asking, whom the page's view has already allowed to read ``thing``
  (``request.membership`` is set). Without one, the pages show nothing there.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

DRAW: list[Callable[[HttpRequest, object], str]] = []


def register(draw: Callable[[HttpRequest, object], str]) -> None:
    DRAW[:] = [draw]


def discussion_of(request: HttpRequest, thing) -> str:
    return DRAW[0](request, thing) if DRAW else ""
