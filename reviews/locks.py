"""Closed periods: once a review is signed off, the readings and updates of its period are
settled. A lead may still correct one, with a reason that is kept (reviews.Correction)."""

from __future__ import annotations

from datetime import date

from reviews.models import Review


class PeriodClosed(Exception):
    """The change falls in a period a signed-off review closed."""

    def __init__(self, review: Review) -> None:
        self.review = review
        super().__init__(
            f"The period {review.period_start:%-d %B %Y} to {review.period_end:%-d %B %Y} was "
            f"closed when its review was signed off on {review.signed_off_at:%-d %B %Y}."
        )


def closing_review(plan_id: int, day: date) -> Review | None:
    """The signed-off review of the plan whose period holds ``day``, if any."""
    return (
        Review.objects.filter(
            plan_id=plan_id,
            signed_off_at__isnull=False,
            period_start__lte=day,
            period_end__gte=day,
        )
        .order_by("period_start")
        .first()
    )


def closed_periods(plan_id: int) -> list[tuple[date, date, Review]]:
    """Every closed period of a plan, for checking many rows in one query."""
    return [
        (review.period_start, review.period_end, review)
        for review in Review.objects.filter(plan_id=plan_id, signed_off_at__isnull=False)
    ]


def closed_by(periods: list, day: date) -> Review | None:
    for first, last, review in periods:
        if first <= day <= last:
            return review
    return None
