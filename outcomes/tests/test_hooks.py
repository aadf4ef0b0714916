"""The outcome and indicator pages show what higher apps register (outcomes/hooks.py), and
nothing of theirs when nothing is registered."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from outcomes import hooks
from outcomes.charts import Mark
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def empty_hooks(monkeypatch):
    monkeypatch.setattr(hooks, "MARK_SOURCES", [])
    monkeypatch.setattr(hooks, "WALK_STEPS", [])


@pytest.fixture
def indicator(world):
    outcome = OutcomeFactory(plan=world.plan, statement="Fewer people smoke")
    return IndicatorFactory(outcome=outcome, owner=world.housing, code="SM-01")


def test_marks_from_every_source_are_gathered_earliest_first(empty_hooks, indicator):
    hooks.register_chart_marks(lambda found: {found[0].pk: [Mark(date(2026, 5, 1), "Later")]})
    hooks.register_chart_marks(lambda found: {found[0].pk: [Mark(date(2026, 2, 1), "Sooner")]})

    marks = hooks.chart_marks_for([indicator])

    assert [mark.label for mark in marks[indicator.pk]] == ["Sooner", "Later"]


def test_without_sources_an_indicator_has_no_marks(empty_hooks, indicator):
    assert hooks.chart_marks_for([indicator]) == {indicator.pk: []}


def test_the_outcome_page_lists_the_steps_registered_and_none_without(
    empty_hooks, lead_client, indicator
):
    url = reverse("outcomes:outcome", args=[indicator.outcome_id])
    assert "Step 1:" not in lead_client.get(url).content.decode()

    hooks.register_walk_steps([("Where are we?", ["What do the figures say?"])])

    page = lead_client.get(url).content.decode()
    assert "Step 1: Where are we?" in page
    assert "What do the figures say?" in page


def test_the_apps_above_fill_the_hooks_at_start_up(indicator):
    """methods registers the Five Steps; reviews registers its marks (reviews/tests tests
    what they show)."""
    assert [title for _, title, _ in hooks.walk_steps()][:3] == [
        "Where are we now?",
        "What evidence do we have for priorities?",
        "Where are we trying to reach?",
    ]
    assert len(hooks.MARK_SOURCES) == 1
