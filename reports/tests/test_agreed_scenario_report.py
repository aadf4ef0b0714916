"""The board report sets the agreed scenario against the trend (issue 26)."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from actions.models import Scenario
from actions.tests.scenario_world import families_in_temporary_accommodation
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
