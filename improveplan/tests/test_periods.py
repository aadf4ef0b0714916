"""Closed periods as the core asks about them: whatever app closes periods answers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from improveplan import periods
from improveplan.periods import ClosedPeriod, PeriodClosed

AUTUMN = ClosedPeriod(
    plan_id=7,
    first=date(2026, 7, 1),
    last=date(2026, 9, 30),
    closed_at=datetime(2026, 10, 21, tzinfo=UTC),
)


@pytest.fixture
def sources(monkeypatch):
    monkeypatch.setattr(periods, "SOURCES", [])
    return periods.SOURCES


def test_with_no_source_no_period_is_closed(sources):
    assert periods.closing_period(7, date(2026, 8, 1)) is None


def test_a_registered_source_closes_the_days_of_its_periods_and_no_others(sources):
    periods.register(lambda plan_id: [AUTUMN] if plan_id == 7 else [])
    periods.register(lambda plan_id: [AUTUMN] if plan_id == 7 else [])  # another source

    assert periods.closing_period(7, date(2026, 7, 1)) == AUTUMN
    assert periods.closing_period(7, date(2026, 9, 30)) == AUTUMN
    assert periods.closing_period(7, date(2026, 10, 1)) is None
    assert periods.closing_period(8, date(2026, 8, 1)) is None


def test_the_message_names_the_period_and_when_it_closed():
    assert str(PeriodClosed(AUTUMN)) == (
        "The period 1 July 2026 to 30 September 2026 was closed when its review was signed "
        "off on 21 October 2026."
    )
