"""What an indicator can be: a percentage 0 to 100, a count, money, rate or days at least 0, and
the lowest and highest values a lead may set. Figures outside are refused with a message that
says the range, and nothing is saved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from outcomes.arithmetic import Bounds
from outcomes.models import Indicator, Reading, Target
from outcomes.tests.factories import IndicatorFactory, ReadingFactory, TargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def score(world):
    """A wellbeing score out of 10, from 1: a range only a lead can say."""
    return IndicatorFactory(
        plan=world.plan,
        outcome__plan=world.plan,
        owner=world.council,
        code="WB-01",
        unit=Indicator.Unit.SCORE,
        direction=Indicator.Direction.HIGHER,
    )


def edit(client, indicator, **fields):
    data = {
        "code": indicator.code,
        "name": indicator.name,
        "kind": "population",
        "unit": indicator.unit,
        "direction": indicator.direction,
        "frequency": "annual",
        "owner": indicator.owner_id,
    }
    data |= {name: "" if value is None else value for name, value in fields.items()}
    return client.post(reverse("outcomes:indicator_edit", args=[indicator.pk]), data)


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("percent", Bounds(0.0, 100.0)),
        ("count", Bounds(0.0, None)),
        ("money", Bounds(0.0, None)),
        ("rate", Bounds(0.0, None)),
        ("days", Bounds(0.0, None)),
        ("score", Bounds(None, None)),
    ],
)
def test_each_unit_has_its_natural_range(unit, expected):
    assert Indicator(unit=unit, rate_per=1000).bounds == expected


def test_a_lead_sets_the_lowest_and_highest_possible_values(lead_client, score):
    response = edit(lead_client, score, minimum="1", maximum="10")

    assert response.status_code == 302
    score.refresh_from_db()
    assert score.bounds == Bounds(1.0, 10.0)
    form = lead_client.get(reverse("outcomes:indicator_edit", args=[score.pk])).content.decode()
    assert "Lowest possible value" in form and "Highest possible value" in form


@pytest.mark.parametrize(
    ("unit", "fields", "field", "message"),
    [
        ("score", {"minimum": "10", "maximum": "1"}, "maximum", "must be above the lowest"),
        ("score", {"minimum": "5", "maximum": "5"}, "maximum", "must be above the lowest"),
        ("percent", {"maximum": "120"}, "maximum", "It must be below 100.0%, or left empty"),
        ("percent", {"minimum": "-5"}, "minimum", "It must be above 0.0%, or left empty"),
        ("count", {"maximum": "-3"}, "maximum", "It must be above 0."),
    ],
)
def test_a_range_that_cannot_be_is_refused(lead_client, score, unit, fields, field, message):
    Indicator.objects.filter(pk=score.pk).update(unit=unit)
    score.refresh_from_db()

    response = edit(lead_client, score, **fields)

    assert response.status_code == 200
    assert message in response.content.decode()
    score.refresh_from_db()
    assert (score.minimum, score.maximum) == (None, None)


def test_a_range_that_leaves_readings_or_targets_outside_is_refused(lead_client, score):
    ReadingFactory(indicator=score, period=date(2024, 3, 31), value=Decimal("11.5"))
    TargetFactory(indicator=score, baseline_value=Decimal("6"), target_value=Decimal("8"))

    response = edit(lead_client, score, minimum="1", maximum="10")

    body = response.content.decode()
    assert "Some figures already entered fall outside this range" in body
    assert "the reading for March 2024 (11.5)" in body
    score.refresh_from_db()
    assert score.maximum is None


@pytest.mark.parametrize(
    ("unit", "value", "message"),
    [
        ("percent", "100.6", "100.6% is outside what IND-"),
        ("percent", "-0.5", "must be between 0.0% and 100.0%"),
        ("count", "-2", "-2 is outside what IND-"),
        ("money", "-15808", "-£15,808 is outside"),
    ],
)
def test_a_reading_outside_the_range_is_refused(lead_client, world, unit, value, message):
    indicator = IndicatorFactory(
        plan=world.plan, outcome__plan=world.plan, owner=world.council, unit=unit
    )

    response = lead_client.post(
        reverse("outcomes:reading_create", args=[indicator.pk]),
        {"period": "2025-03-31", "value": value},
    )

    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Reading.objects.exists()


def test_a_reading_or_target_outside_a_leads_range_is_refused(lead_client, score):
    score.minimum, score.maximum = Decimal(1), Decimal(10)
    score.save()

    reading = lead_client.post(
        reverse("outcomes:reading_create", args=[score.pk]),
        {"period": "2025-03-31", "value": "7", "upper": "10.5"},
    )
    target = lead_client.post(
        reverse("outcomes:target_create", args=[score.pk]),
        {
            "kind": "local",
            "baseline_value": "0.5",
            "baseline_date": "2024-03-31",
            "target_value": "9",
            "target_date": "2027-03-31",
        },
    )

    assert "10.5 is outside what WB-01 can be: it must be between 1.0 and 10.0." in (
        reading.content.decode()
    )
    assert "0.5 is outside what WB-01 can be" in target.content.decode()
    assert not Reading.objects.exists() and not Target.objects.exists()


def test_an_import_outside_the_range_names_the_row_and_saves_nothing(lead_client, world):
    IndicatorFactory(plan=world.plan, outcome__plan=world.plan, owner=world.council, code="PC-01")
    text = "indicator,period,value\nPC-01,2024-03-31,99.5\nPC-01,2025-03-31,100.6\n"

    response = lead_client.post(
        reverse("outcomes:readings_import", args=[world.plan.pk]),
        {"file": SimpleUploadedFile("readings.csv", text.encode())},
    )

    body = response.content.decode()
    assert "100.6% is outside what PC-01 can be: it must be between 0.0% and 100.0%." in body
    assert not Reading.objects.exists()
