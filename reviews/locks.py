"""Closed periods, as reviews close them: once a review is signed off, the readings and
updates of its period are settled (improveplan.periods asks; this module answers). A lead may
still correct one, with a reason that is kept (reviews.Correction)."""

from __future__ import annotations

from datetime import date

from improveplan import periods
from reviews.models import Review


def closed_period(review: Review) -> periods.ClosedPeriod:
    return periods.ClosedPeriod(
        plan_id=review.plan_id,
        first=review.period_start,
        last=review.period_end,
        closed_at=review.signed_off_at,
    )


def closed_by_reviews(plan_id: int) -> list[periods.ClosedPeriod]:
    """The periods the plan's signed-off reviews closed: registered with the core at start-up."""
    signed_off = Review.objects.filter(plan_id=plan_id, signed_off_at__isnull=False)
    return [closed_period(review) for review in signed_off.order_by("period_start")]


class PeriodClosed(periods.PeriodClosed):
    """The change falls in a period a signed-off review closed."""

    def __init__(self, review: Review) -> None:
        self.review = review
        super().__init__(closed_period(review))


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
