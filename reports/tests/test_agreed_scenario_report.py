"""The board report sets the agreed scenario against the trend (issue 26)."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import ExpectedEffect, Option, OptionEffect, Scenario
from actions.tests.factories import OptionFactory
from actions.tests.scenario_world import families_in_temporary_accommodation
from outcomes.models import ExternalFactor, Indicator
from outcomes.tests.factories import IndicatorFactory, TargetFactory
from reports import reports

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(world):
    return families_in_temporary_accommodation(world)


@pytest.fixture
def agreed(world, setting):
    _indicator, action, factor = setting
    scenario = Scenario.objects.create(plan=world.plan, name="Leases and the freeze", agreed=True)
    scenario.actions.add(action)
    scenario.external_factors.add(factor)
    return scenario


def test_the_board_report_sets_the_agreed_scenario_against_the_trend(world, agreed):
    page = reports.report_html(
        world.plan, kind="board", year=2025, quarter=3, today=date(2025, 11, 1)
    )
    words = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))
    assert "The agreed scenario against the trend" in words
    section = words.split("The agreed scenario against the trend")[2]
    # Trend alone: about 10 more a year to 2028; the scenario takes 25 off and adds 15.
    [sentence] = re.findall(r"With the agreed scenario, HS-02 is forecast at [^.]+\.", section)
    trend = int(re.search(r"against (\d+) on the trend alone", sentence).group(1))
    forecast = int(re.search(r"forecast at (\d+)", sentence).group(1))
    assert trend - forecast == 10
    assert "short of the target of 200" in sentence
    assert "Leases and the freeze" in section


def test_no_section_without_an_agreed_scenario(world, setting):
    page = reports.report_html(
        world.plan, kind="board", year=2025, quarter=3, today=date(2025, 11, 1)
    )
    assert "The agreed scenario against the trend" not in page


def test_the_section_does_not_grow_its_queries_with_the_indicators_it_concerns(world, agreed):
    def count() -> int:
        world.plan.refresh_from_db()
        with CaptureQueriesContext(connection) as queries:
            context = reports.board_report_context(
                world.plan, year=2025, quarter=3, today=date(2025, 11, 1)
            )
        return len(queries), len(context["against_trend"])

    few, rows = count()
    assert rows == 1
    action = agreed.actions.get()
    homes = Indicator.objects.get(code="HS-02")
    for number in range(3):
        other = IndicatorFactory(outcome=homes.outcome, owner=world.council, code=f"HS-1{number}")
        for reading in homes.readings.all():
            reading.pk, reading.indicator = None, other
            reading.save()
        TargetFactory(
            indicator=other,
            baseline_value=270,
            baseline_date=date(2024, 3, 31),
            target_value=200,
            target_date=date(2028, 3, 31),
        )
        ExpectedEffect.objects.create(
            action=action, indicator=other, size=-5, low=-8, high=-2, starts=date(2025, 4, 1)
        )
        agreed.external_factors.add(
            ExternalFactor.objects.create(
                indicator=other, name="Freeze", size=2, low=1, high=3, starts=date(2025, 4, 1)
            )
        )
        option = OptionFactory(
            outcome=homes.outcome, decision=Option.Decision.FAVOURED, decision_reason="Yes."
        )
        OptionEffect.objects.create(
            option=option, indicator=other, size=-1, low=-2, high=0, starts=date(2025, 4, 1)
        )
        agreed.options.add(option)
    many, rows = count()
    assert rows == 4
    assert many == few
