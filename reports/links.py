"""The links to the reports that the pages below show, given to their hooks in
ReportsConfig.ready()."""

from __future__ import annotations

from django.urls import reverse

from reports import reports
from reviews import periods
from reviews.hooks import ReportLink
from reviews.models import Review


def board_report_for(review: Review) -> ReportLink:
    """The board report for the quarter in which the review's period ends."""
    year, quarter = periods.quarter_of(review.period_end)
    url = reverse("reports:board_report", args=[review.plan_id])
    return ReportLink(
        url=f"{url}?quarter={year}-Q{quarter}", quarter=reports.quarter_label(year, quarter)
    )
