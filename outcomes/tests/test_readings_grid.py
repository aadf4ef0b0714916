"""Many readings at once on the indicator page, and the reading and comparator value forms:
each reads periods, limits, counts and notes as the import does, and saves all or nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from improveplan.models import SecurityEvent
from outcomes.models import ComparatorReading, Indicator, Reading
from outcomes.tests.factories import ComparatorFactory, IndicatorFactory, OutcomeFactory

pytestmark = pytest.mark.django_db

PASTED = (
    "Period\tValue\tLower\tUpper\tLevel\tCount\tDenominator\tNote\n"
    "2021/22\t14.1\t12.7\t15.9\t95\t512\t3631\t\n"
    "2022/23\t13.2\t11.6\t15.0\t99.8\t480\t3640\tRevised\n"
    "\n"
    "2023/24\t12.8\n"
)


@pytest.fixture
def indicator(world) -> Indicator:
    outcome = OutcomeFactory(plan=world.plan)
    return IndicatorFactory(
        outcome=outcome, owner=world.housing, code="HS-01", frequency="annual", year_end_month=3
    )


def grid(indicator) -> str:
    return reverse("outcomes:readings_grid", args=[indicator.pk])


def kept(indicator) -> list[tuple]:
    return list(
        indicator.readings.order_by("period").values_list(
            "period_start", "period_label", "value", "lower", "upper", "confidence_level", "count"
        )
    )


def test_the_indicator_page_offers_the_grid_to_those_who_enter_readings(client, world, indicator):
    client.force_login(world.partner)
    page = client.get(indicator.get_absolute_url()).content.decode()
    assert "Enter many readings at once" in page
    assert 'name="lines"' in page and "outcomes/readings_grid.js" in page
    client.force_login(world.board)
    page = client.get(indicator.get_absolute_url()).content.decode()
    assert "Enter many readings at once" not in page


def test_lines_pasted_from_a_spreadsheet_are_saved_together(partner_client, world, indicator):
    response = partner_client.post(grid(indicator), {"lines": PASTED})

    assert response["Location"] == indicator.get_absolute_url()
    figures = [Decimal(figure) for figure in ("14.1", "12.7", "15.9", "13.2", "11.6", "15")]
    assert kept(indicator) == [
        (date(2021, 4, 1), "2021/22", *figures[:3], "95", 512),
        (date(2022, 4, 1), "2022/23", *figures[3:], "99.8", 480),
        (date(2023, 4, 1), "2023/24", Decimal("12.8"), None, None, "95", None),
    ]
    assert indicator.readings.get(period_label="2022/23").value_note == "Revised"
    page = partner_client.get(response["Location"]).content.decode()
    assert "Imported: 3 new readings, 0 changed, 0 already as in the file." in page
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.IMPORT).count() == 1

    again = partner_client.post(grid(indicator), {"lines": PASTED})
    assert again.status_code == 302
    assert indicator.readings.count() == 3


def test_a_column_left_empty_on_every_line_keeps_the_saved_values(lead_client, indicator):
    lead_client.post(grid(indicator), {"lines": PASTED})

    lead_client.post(grid(indicator), {"lines": "2021/22\t14.3"})

    reading = indicator.readings.get(period_label="2021/22")
    assert (reading.value, reading.lower, reading.upper, reading.count) == (
        Decimal("14.3"),
        Decimal("12.7"),
        Decimal("15.9"),
        512,
    )


def test_typed_lines_may_be_separated_by_semicolons_with_decimal_commas(lead_client, indicator):
    response = lead_client.post(
        grid(indicator), {"lines": "2021/22;14,1;12,7;15,9", "decimal_style": "comma"}
    )

    assert response.status_code == 302
    assert kept(indicator)[0][2:5] == (Decimal("14.1"), Decimal("12.7"), Decimal("15.9"))


def test_one_bad_line_saves_nothing_and_each_problem_is_listed_by_line(lead_client, indicator):
    lines = PASTED + "2024/25\tlots\n2019\t12\t13\n2018\t1\t\t\t\t\t\t\tone cell too many\n"

    response = lead_client.post(grid(indicator), {"lines": lines})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved: 3 problems in the file" in page
    assert '<th scope="row">6</th><td>Value</td><td>The value “lots” is not a number.' in page
    assert "The lower bound 13 is above the value 12." in page
    assert "There are more than eight cells on this line." in page
    assert not Reading.objects.exists()


def test_a_partner_of_another_organisation_and_a_board_member_may_not(
    client, board_client, world, indicator
):
    indicator.owner = world.council
    indicator.save()
    client.force_login(world.partner)
    assert client.post(grid(indicator), {"lines": PASTED}).status_code == 403
    assert board_client.post(grid(indicator), {"lines": PASTED}).status_code == 403
    assert not Reading.objects.exists()


# The forms -------------------------------------------------------------------------------


def test_the_reading_form_takes_a_period_as_the_source_writes_it(lead_client, indicator):
    response = lead_client.post(
        reverse("outcomes:reading_create", args=[indicator.pk]),
        {
            "period": "2023/24",
            "value": "12.8",
            "lower": "11.1",
            "upper": "15.2",
            "confidence_level": "99.8",
            "count": "480",
            "denominator": "3,640",
            "series_break": "on",
        },
    )

    assert response.status_code == 302
    reading = indicator.readings.get()
    assert (reading.period_start, reading.period, reading.period_label) == (
        date(2023, 4, 1),
        date(2024, 3, 31),
        "2023/24",
    )
    assert (reading.confidence_level, reading.denominator, reading.series_break) == (
        "99.8",
        3640,
        True,
    )
    # Editing shows it as written, and saving it unchanged changes nothing.
    edit = reverse("outcomes:reading_edit", args=[reading.pk])
    form = lead_client.get(edit).context["form"]
    assert (form["period"].value(), form["denominator"].value()) == ("2023/24", "3640")


def test_the_reading_form_keeps_a_value_held_back(lead_client, indicator):
    response = lead_client.post(
        reverse("outcomes:reading_create", args=[indicator.pk]),
        {"period": "2024", "value": "<5", "value_note": "Fewer than five"},
    )

    assert response.status_code == 302
    reading = indicator.readings.get()
    assert (reading.value, reading.suppression_mark, reading.period_label) == (None, "<5", "2024")


def test_the_comparator_value_form_takes_limits_and_a_period_label(lead_client, indicator):
    comparator = ComparatorFactory(indicator=indicator, name="England", area_code="E92000001")

    response = lead_client.post(
        reverse("outcomes:comparator_reading_create", args=[comparator.pk]),
        {"period": "2020 - 22", "value": "33.64", "lower": "33.51", "upper": "33.79"},
    )

    assert response.status_code == 302
    value = ComparatorReading.objects.get()
    assert (value.period_start, value.period, value.period_label, value.lower) == (
        date(2020, 1, 1),
        date(2022, 12, 31),
        "2020 - 22",
        Decimal("33.51"),
    )
    again = lead_client.post(
        reverse("outcomes:comparator_reading_create", args=[comparator.pk]),
        {"period": "2020 - 22", "value": "33.6"},
    )
    assert "England already has a value for 2020 - 22." in again.content.decode()
