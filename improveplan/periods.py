"""Closed periods: once a period of a plan is closed, its readings and updates are settled.
A lead may still correct a reading of it, with a reason that is kept.

The core owns the question "is this day in a closed period of the plan?"; outcomes and
actions ask it. The app that closes periods answers it: reviews, whose signed-off reviews
close their periods, registers its answer with ``register`` in ``ReviewsConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class ClosedPeriod:
    plan_id: int
    first: date
    last: date
    closed_at: datetime  # when it was closed (a review's sign-off)


# Each source takes a plan's id and gives that plan's closed periods, in one query.
SOURCES: list[Callable[[int], Iterable[ClosedPeriod]]] = []


def register(closed_periods_of: Callable[[int], Iterable[ClosedPeriod]]) -> None:
    """Add a source of closed periods (once, at start-up)."""
    if closed_periods_of not in SOURCES:
        SOURCES.append(closed_periods_of)


class PeriodClosed(Exception):
    """The change falls in a closed period."""

    def __init__(self, period: ClosedPeriod) -> None:
        self.period = period
        super().__init__(
            f"The period {period.first:%-d %B %Y} to {period.last:%-d %B %Y} was "
            f"closed when its review was signed off on {period.closed_at:%-d %B %Y}."
        )


def closed_periods(plan_id: int) -> list[ClosedPeriod]:
    """Every closed period of a plan, earliest first, for checking many rows at once."""
    found = [period for source in SOURCES for period in source(plan_id)]
    return sorted(found, key=lambda period: (period.first, period.last))


def closed_by(periods: list[ClosedPeriod], day: date) -> ClosedPeriod | None:
    """The first of the periods that holds ``day``, if any."""
    return next((period for period in periods if period.first <= day <= period.last), None)


def closing_period(plan_id: int, day: date) -> ClosedPeriod | None:
    """The closed period of the plan that holds ``day``, if any."""
    return closed_by(closed_periods(plan_id), day)
