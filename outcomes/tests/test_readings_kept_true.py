"""Readings are kept as they were meant, whichever way they come in (issue 15, items 10 and
13): a percent sign that is only text, a month written as a date cell or as text, a file that
leaves columns out, numbers too long to keep exactly, and periods that have not ended yet."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from outcomes.models import Indicator, Reading
from outcomes.tests import test_readings_io
from outcomes.tests.test_readings_io import HEADER, Indicators, counts, csv_file, import_file

pytestmark = pytest.mark.django_db

indicators = test_readings_io.indicators  # the fixture: HW-01 (the council's), HS-01

TODAY = date(2027, 6, 14)


def workbook(rows: list[list], formats: dict[str, str]) -> SimpleUploadedFile:
    """A real .xlsx file, with number formats set on the cells named in ``formats``."""
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cell, number_format in formats.items():
        sheet[cell].number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("readings.xlsx", buffer.getvalue())


def kept(indicator: Indicator) -> list[tuple]:
    return list(
        Reading.objects.filter(indicator=indicator)
        .order_by("period", "breakdown")
        .values_list("period", "breakdown", "value")
    )


# A percent sign that is only text --------------------------------------------------------


def test_only_a_real_percent_format_divides_by_a_hundred(world, indicators: Indicators):
    upload = workbook(
        [
            ["indicator", "period", "value", "breakdown"],
            ["HW-01", "2025-Q1", 63.5, "quoted percent sign"],
            ["HW-01", "2025-Q1", 63.5, "escaped percent sign"],
            ["HW-01", "2025-Q1", 0.635, "percent format"],
            ["HW-01", "2025-Q1", 63.5, "percent sign in a red negative section"],
        ],
        {"C2": '0.0"%"', "C3": "0.0\\%", "C4": "0.0%", "C5": '0.0"%";[Red]-0.0"%"'},
    )
    assert counts(import_file(world, upload)) == (4, 0, 0)
    assert {value for _, _, value in kept(indicators.council)} == {Decimal("63.5")}


# One month is one reading ----------------------------------------------------------------


@time_machine.travel(TODAY)
def test_a_month_written_as_a_date_cell_or_as_text_is_one_reading(world, indicators: Indicators):
    upload = workbook(
        [["indicator", "period", "value"], ["HW-01", datetime(2027, 4, 1), 12]],
        {"B2": "mmm yyyy"},  # shown as "Apr 2027"
    )
    assert counts(import_file(world, upload)) == (1, 0, 0)
    assert kept(indicators.council) == [(date(2027, 4, 30), "", Decimal("12"))]
    # The same month typed as text, and as Excel's own month format, is the same reading.
    assert counts(import_file(world, csv_file(HEADER + "HW-01,2027-04,12,,,,\n"))) == (0, 0, 1)
    upload = workbook(
        [["indicator", "period", "value"], ["HW-01", datetime(2027, 4, 1), 12]],
        {"B2": "[$-809]mmmm yyyy"},
    )
    assert counts(import_file(world, upload)) == (0, 0, 1)
    assert Reading.objects.count() == 1


@time_machine.travel(TODAY)
def test_a_monthly_indicators_reading_is_its_month_whichever_day_is_written(
    world, indicators: Indicators
):
    indicators.council.frequency = Indicator.Frequency.MONTHLY
    indicators.council.save()
    upload = workbook(
        [["indicator", "period", "value"], ["HW-01", datetime(2027, 4, 1), 12]],
        {"B2": "dd/mm/yyyy"},  # shown as 01/04/2027
    )
    assert counts(import_file(world, upload)) == (1, 0, 0)
    for text in ("2027-04", "2027-04-30", "15/04/2027"):
        result = import_file(world, csv_file(HEADER + f"HW-01,{text},12,,,,\n"))
        assert counts(result) == (0, 0, 1), text
    assert kept(indicators.council) == [(date(2027, 4, 30), "", Decimal("12"))]
    # In one file, two ways of writing one month are one period given twice.
    result = import_file(world, csv_file(HEADER + "HW-01,2027-05,1,,,,\nHW-01,2027-05-02,2,,,,\n"))
    assert [str(error) for error in result.errors] == [
        "Row 3, column period: Row 2 already gives HW-01 for 2027-05-31. Give each period once."
    ]


def test_the_reading_form_keeps_a_monthly_reading_under_its_month(client, world, indicators):
    indicators.council.frequency = Indicator.Frequency.MONTHLY
    indicators.council.save()
    with time_machine.travel(TODAY):
        client.force_login(world.lead)  # signed in on the day, so the session is fresh
        response = client.post(
            reverse("outcomes:reading_create", args=[indicators.council.pk]),
            {"period": "2027-04-01", "value": "12"},
        )
    assert response.status_code == 302
    assert kept(indicators.council) == [(date(2027, 4, 30), "", Decimal("12"))]


# Columns a file leaves out ---------------------------------------------------------------


FULL = HEADER + "HW-01,2025-03-31,12,11,14,,Annual survey\nHW-01,2025-03-31,9,8,10,North,Ward\n"


def test_columns_a_file_leaves_out_are_left_as_they_are(world, indicators: Indicators):
    import_file(world, csv_file(FULL))

    result = import_file(
        world,
        csv_file(
            "indicator,period,value,breakdown\nHW-01,2025-03-31,12.5,\nHW-01,2025-03-31,9,North\n"
        ),
    )

    assert counts(result) == (0, 1, 1)
    readings = Reading.objects.filter(indicator=indicators.council).order_by("breakdown")
    assert [(r.value, r.lower, r.upper, r.source_note) for r in readings] == [
        (Decimal("12.5"), Decimal("11"), Decimal("14"), "Annual survey"),
        (Decimal("9"), Decimal("8"), Decimal("10"), "Ward"),
    ]
    # Only indicator, period and value: again nothing else changes, and the same file twice
    # changes nothing the second time.
    plain = csv_file("indicator,period,value\nHW-01,2025-03-31,12.5\n")
    assert counts(import_file(world, plain)) == (0, 0, 1)
    # A column the file has, with its cell empty, clears the value on purpose.
    cleared = csv_file("indicator,period,value,source_note\nHW-01,2025-03-31,12.5,\n")
    assert counts(import_file(world, cleared)) == (0, 1, 0)
    reading = Reading.objects.get(indicator=indicators.council, breakdown="")
    assert (reading.lower, reading.upper, reading.source_note) == (11, 14, "")


def test_a_kept_margin_that_no_longer_holds_the_new_value_is_a_row_error(world, indicators):
    import_file(world, csv_file(FULL))

    result = import_file(world, csv_file("indicator,period,value\nHW-01,2025-03-31,20\n"))

    assert [str(error) for error in result.errors] == [
        "Row 2, column value: The saved upper bound 14 is below the new value 20. Add a upper "
        "column with the new bound, or with an empty cell to clear it."
    ]
    assert Reading.objects.get(indicator=indicators.council, breakdown="").value == 12


# Numbers too long to keep ----------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["999999999999.9999", "123456789012.3456", "1234567890123456e-4", "-123456789012.3456"],
)
def test_a_value_with_more_digits_than_can_be_kept_exactly_is_refused(world, indicators, value):
    result = import_file(world, csv_file(HEADER + f"HW-01,2025-03-31,{value},,,,\n"))

    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.row, error.column) == (2, "value")
    assert "significant digits; at most 15 can be kept exactly. Round it." in error.message
    assert not Reading.objects.exists()


def test_fifteen_significant_digits_import_once_and_then_are_unchanged(world, indicators):
    # A score has no upper bound; a percentage could not hold so large a figure (issue 15).
    Indicator.objects.filter(pk=indicators.council.pk).update(unit=Indicator.Unit.SCORE)
    row = HEADER + "HW-01,2025-03-31,99999999999.9999,,,,\n"
    assert counts(import_file(world, csv_file(row))) == (1, 0, 0)
    assert counts(import_file(world, csv_file(row))) == (0, 0, 1)
    assert Reading.objects.get().value == Decimal("99999999999.9999")


def test_the_reading_form_refuses_what_it_cannot_keep_exactly(lead_client, world, indicators):
    response = lead_client.post(
        reverse("outcomes:reading_create", args=[indicators.council.pk]),
        {"period": "2025-03-31", "value": "999999999999.9999"},
    )
    assert response.status_code == 200
    assert "at most 15 can be kept exactly" in response.content.decode()
    assert not Reading.objects.exists()


# Periods that have not ended -------------------------------------------------------------


@time_machine.travel(date(2026, 12, 6))
@pytest.mark.parametrize("period", ["2026-12", "2026-Q4", "2026", "2027-01-15", "2026/27"])
def test_a_reading_for_a_period_not_yet_over_is_refused_on_import(world, indicators, period):
    result = import_file(world, csv_file(HEADER + f"HW-01,{period},12,,,,\n"))

    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.row, error.column) == (2, "period")
    assert "after today: a reading is entered once its period is over." in error.message
    assert not Reading.objects.exists()


@time_machine.travel(date(2026, 12, 6))
def test_a_reading_for_a_period_just_over_is_taken(world, indicators):
    result = import_file(
        world, csv_file(HEADER + "HW-01,2026-11,12,,,,\nHW-01,2026-12-06,13,,,,\n")
    )
    assert counts(result) == (2, 0, 0)


def test_the_reading_form_refuses_a_period_not_yet_over(client, world, indicators):
    indicators.council.frequency = Indicator.Frequency.MONTHLY
    indicators.council.save()
    with time_machine.travel(date(2026, 12, 6)):
        client.force_login(world.lead)
        response = client.post(
            reverse("outcomes:reading_create", args=[indicators.council.pk]),
            {"period": "2026-12-01", "value": "12"},
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The period ends on 31 December 2026, after today" in page
    assert not Reading.objects.exists()
