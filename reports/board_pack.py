"""What the board pack sends before a review meeting, given to reviews' hook in
ReportsConfig.ready(): the board report of the review's quarter, and the decisions needed."""

from __future__ import annotations

from datetime import date

from django.conf import settings

from reports import links, reports, stored
from reviews import periods
from reviews.hooks import BoardPapers
from reviews.models import Review


def _quarter(review: Review) -> tuple[int, int]:
    """The quarter in which the review's period ends, as its page's link names it."""
    return periods.quarter_of(review.period_end)


def papers_for(review: Review, *, today: date) -> BoardPapers:
    """The report's link and file name, and what the board is asked to decide, by outcome."""
    plan = review.plan
    year, quarter = _quarter(review)
    context = reports.board_report_context(plan, year=year, quarter=quarter, today=today)
    link = links.board_report_for(review)
    return BoardPapers(
        quarter=link.quarter,
        url=settings.SITE_URL + link.url,
        file_name=reports.KINDS["board"].file_name(plan, year=year, quarter=quarter),
        decisions=[
            f"{outcome}: {decision}"
            for outcome, decisions in context["decisions"]
            for decision in decisions
        ],
    )


def pdf_for(review: Review, *, today: date) -> bytes:
    """The board report as a PDF, kept like a download: the first recipient's email renders
    it, the others' read the kept copy."""
    plan = review.plan
    year, quarter = _quarter(review)
    key = stored.fingerprint(plan, kind="board", year=year, quarter=quarter, today=today)
    name = stored.name_for(plan, kind="board", year=year, quarter=quarter, key=key)
    if not stored.kept(name):
        stored.keep(
            name,
            reports.render_report(plan, kind="board", year=year, quarter=quarter, today=today),
        )
    with stored.open_kept(name) as kept:
        return kept.read()
