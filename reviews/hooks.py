"""What a higher app adds to the review pages, filled at start-up.

reviews sits below reports, so it never imports it; reports registers here, in its
``AppConfig.ready()``, what the review pages link to:

- ``register_board_report(link_for)``: ``link_for(review)`` returns the ``ReportLink`` of the
  board report for the quarter in which the review's period ends (reports). The list of
  reviews and a review's page link to it; without it they show no link.
- ``register_board_pack(papers_for, pdf_for)``: for the board pack emailed before a review
  meeting (reports). ``papers_for(review, today=)`` returns the ``BoardPapers`` of the
  review's quarter: its board report's link and file name, and the decisions the board is
  asked to take; ``pdf_for(review, today=)`` returns that report as a PDF (rendered, or kept
  from an earlier render of the same data). Without them no board pack is sent.
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


@dataclass(frozen=True)
class BoardPapers:
    quarter: str  # as a link says it: "Q3 2026: July to September"
    url: str  # the board report's address on this site, whole
    file_name: str
    decisions: list[str]  # in sentences, each naming its outcome


BOARD_PACK: list[tuple[Callable, Callable]] = []


def register_board_pack(papers_for: Callable, pdf_for: Callable) -> None:
    BOARD_PACK[:] = [(papers_for, pdf_for)]


def board_papers_for(review, *, today) -> BoardPapers | None:
    return BOARD_PACK[0][0](review, today=today) if BOARD_PACK else None


def board_pdf_for(review, *, today) -> bytes | None:
    return BOARD_PACK[0][1](review, today=today) if BOARD_PACK else None
