"""What a higher app adds to the review pages, filled at start-up.

reviews sits below reports, so it never imports it; reports registers here, in its
``AppConfig.ready()``, what the review pages link to:

- ``register_board_report(link_for)``: ``link_for(review)`` returns the ``ReportLink`` of the
  board report for the quarter in which the review's period ends (reports). The list of
  reviews and a review's page link to it; without it they show no link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ReportLink:
    url: str
    quarter: str  # as a link says it: "Q3 2026: July to September"


BOARD_REPORT: list[Callable] = []


def register_board_report(link_for: Callable) -> None:
    BOARD_REPORT[:] = [link_for]


def board_report_for(review) -> ReportLink | None:
    return BOARD_REPORT[0](review) if BOARD_REPORT else None
