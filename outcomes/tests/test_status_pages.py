"""An indicator's status on members' pages: a lead's status always with the computed one, who
set it, when and why; a passed target judged by its reading."""

from __future__ import annotations

import html
import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from outcomes.models import Indicator
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory, ReadingFactory, TargetFactory

pytestmark = pytest.mark.django_db

OVERRIDE = (
    "On track (set by Lena Lead on 3 August 2026 instead of the computed “Off track”; "
    "reason: “New clinics open in September.”)"
)


def text_of(client, url) -> str:
    """The page as a reader sees it: tags dropped, entities decoded, white space made one."""
    response = client.get(url)
    assert response.status_code == 200
    words = re.sub(r"<[^>]+>", "", response.content.decode())
    return " ".join(html.unescape(words).split())


@pytest.fixture
def overridden(world):
    outcome = OutcomeFactory(plan=world.plan, statement="Fewer adults smoke", priority=1)
    # A score: no bounds, so the forecast's arithmetic is the plain straight line.
    indicator = IndicatorFactory(
        outcome=outcome, owner=world.council, name="Adults who smoke", unit=Indicator.Unit.SCORE
    )
    for year, value in [(2022, "21.5"), (2023, "21.2"), (2024, "20.0"), (2025, "20.4")]:
        ReadingFactory(indicator=indicator, period=date(year, 3, 31), value=Decimal(value))
    TargetFactory(indicator=indicator, target_value=Decimal("12.0"))
    indicator.status_override = "on_track"
    indicator.override_reason = "New clinics open in September."
    indicator.overridden_by = world.lead
    indicator.overridden_at = timezone.make_aware(timezone.datetime(2026, 8, 3, 10))
    indicator.save()
    return indicator


@time_machine.travel(date(2026, 8, 14))
@pytest.mark.parametrize(
    "where",
    [
        lambda i: i.plan.get_absolute_url(),  # the dashboard
        lambda i: i.outcome.get_absolute_url(),
        lambda i: i.get_absolute_url(),
        lambda i: reverse("methods:walk_step", args=[i.outcome.pk, 3]),
    ],
    ids=["dashboard", "outcome", "indicator", "step 3"],
)
def test_a_lead_set_status_is_shown_with_the_computed_one_who_when_and_why(
    board_client, overridden, where
):
    text = text_of(board_client, where(overridden))

    assert OVERRIDE in text
    # "On track" never stands alone beside the computed sentence that contradicts it.
    assert text.count("On track") == text.count(OVERRIDE)
    assert "about a 2% chance of meeting it" in text


@time_machine.travel(date(2026, 12, 6))
def test_a_passed_target_is_judged_by_the_reading_for_its_date(board_client, world):
    # The example: yearly readings 2016–2024, 14.9 for March 2020, and a target of at
    # most 15 by 31 March 2020, which the trend line gave "about a 4% chance" of being met.
    indicator = IndicatorFactory(
        outcome=OutcomeFactory(plan=world.plan),
        owner=world.council,
        frequency=Indicator.Frequency.ANNUAL,
    )
    values = ["15.8", "15.6", "15.9", "16.1", "14.9", "16.4", "16.2", "16.6", "16.5"]
    for offset, value in enumerate(values):
        ReadingFactory(indicator=indicator, period=date(2016 + offset, 3, 31), value=value)
    TargetFactory(
        indicator=indicator,
        baseline_date=date(2016, 3, 31),
        target_value=Decimal("15.0"),
        target_date=date(2020, 3, 31),
    )

    text = text_of(board_client, indicator.get_absolute_url())
    # The reading is named by its period: the financial year 2019/20, which ends on the date.
    assert "On track Target met: 14.9% for 2019/20, against a target of 15.0% by March 2020." in (
        text
    )
    assert "chance" not in text

    # Without March 2020's reading, March 2019's is a whole year (one period) before: none.
    indicator.readings.filter(period=date(2020, 3, 31)).delete()
    text = text_of(board_client, indicator.get_absolute_url())
    assert (
        "Not enough data The target date has passed and there is no reading for the target date"
        in (text)
    )
