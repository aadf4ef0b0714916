"""A signed-off review closes its period, as the core (improveplan.periods) sees it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from improveplan import periods
from reviews.tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db


def test_only_a_signed_off_review_closes_its_period_and_only_for_its_plan(world):
    ReviewFactory(plan=world.plan, period_start=date(2027, 1, 1), period_end=date(2027, 3, 31))
    assert periods.closing_period(world.plan.pk, date(2027, 2, 1)) is None  # still open

    ReviewFactory(plan=world.plan, signed_off_at=datetime(2027, 1, 20, tzinfo=UTC))

    closed = periods.closing_period(world.plan.pk, date(2026, 11, 1))
    assert (closed.first, closed.last) == (date(2026, 10, 1), date(2026, 12, 31))
    assert closed.closed_at == datetime(2027, 1, 20, tzinfo=UTC)
    assert periods.closing_period(world.plan.pk, date(2027, 2, 1)) is None
    assert periods.closing_period(world.other_plan.pk, date(2026, 11, 1)) is None
