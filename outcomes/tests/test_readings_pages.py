"""The upload page and the CSV download, as a partner, a lead and a board member use them."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from improveplan.models import SecurityEvent
from outcomes import readings_io
from outcomes.models import Reading
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory, ReadingFactory

pytestmark = pytest.mark.django_db

GOOD = (
    "indicator,period,value,lower,upper,breakdown,source_note\n"
    "HS-01,2025-03-31,58.8,56.3,61.3,,Housing options\n"
    "HS-01,2025-Q2,59.5,,,Northfield,\n"
)


@pytest.fixture
def housing_indicator(world):
    outcome = OutcomeFactory(plan=world.plan)
    return IndicatorFactory(outcome=outcome, owner=world.housing, code="HS-01")


def upload(client, world, text: str, name: str = "readings.csv"):
    return client.post(
        reverse("outcomes:readings_import", args=[world.plan.pk]),
        {"file": SimpleUploadedFile(name, text.encode())},
    )


def test_a_partner_imports_readings_for_their_indicator(partner_client, world, housing_indicator):
    response = upload(partner_client, world, GOOD)
    assert response.status_code == 302
    assert Reading.objects.filter(indicator=housing_indicator).count() == 2
    follow = partner_client.get(response["Location"])
    assert "Imported: 2 new readings, 0 changed" in follow.content.decode()
    again = partner_client.get(upload(partner_client, world, GOOD)["Location"])
    assert (
        "Imported: 0 new readings, 0 changed, 2 already as in the file." in again.content.decode()
    )
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.IMPORT).count() == 2


def test_a_file_with_problems_lists_them_by_row_and_saves_nothing(
    lead_client, world, housing_indicator
):
    text = GOOD + "HS-01,2025-13-40,lots,,,,\nNOPE-9,2025-03-31,1,,,,\n"
    response = upload(lead_client, world, text)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved: 3 problems in the file" in page
    assert '<th scope="row">4</th>' in page and '<th scope="row">5</th>' in page
    assert not Reading.objects.exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused_clearly(lead_client, world, housing_indicator):
    response = upload(lead_client, world, "%PDF-1.7 not readings", name="readings.csv")
    assert "Nothing was saved" in response.content.decode()
    assert not Reading.objects.exists()


def test_a_board_member_may_not_import(board_client, world, housing_indicator):
    assert upload(board_client, world, GOOD).status_code == 403
    assert not Reading.objects.exists()


def test_the_download_holds_this_plans_readings_and_nothing_else(
    board_client, world, housing_indicator
):
    ReadingFactory(indicator=housing_indicator, value="58.8")
    other = IndicatorFactory(outcome__plan=world.other_plan, code="SECRET-1")
    ReadingFactory(indicator=other, value="99.9")
    response = board_client.get(reverse("outcomes:readings_export", args=[world.plan.pk]))
    text = response.content.decode("utf-8-sig")
    assert response["Content-Disposition"].startswith("attachment;")
    assert text.splitlines()[0] == ",".join(readings_io.COLUMNS)
    assert text.splitlines()[0].startswith("indicator,period,value,lower,upper,confidence_level")
    assert "HS-01" in text and "58.8" in text
    assert "SECRET-1" not in text and "99.9" not in text
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.EXPORT, user=world.board).exists()


def test_moving_a_reading_to_an_earlier_quarter_moves_its_first_day_too(
    lead_client, world, housing_indicator
):
    reading = ReadingFactory(
        indicator=housing_indicator, period=datetime.date(2025, 6, 30), value=50
    )
    assert reading.period_start == datetime.date(2025, 4, 1)
    response = lead_client.post(
        reverse("outcomes:reading_edit", args=[reading.pk]),
        {"period": "2024-12-31", "value": "51", "lower": "", "upper": "", "breakdown": ""},
    )
    assert response.status_code == 302
    reading.refresh_from_db()
    assert (reading.period_start, reading.period) == (
        datetime.date(2024, 10, 1),
        datetime.date(2024, 12, 31),
    )
