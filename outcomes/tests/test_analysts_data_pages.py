"""Data as analysts publish it, on members' pages: periods by their labels, suppressed values,
a break in the series, limits at their level with the method that judged a change, and
better, similar or worse than each comparator in words and colour; the month an indicator's
years end, where its trend starts and the plan's fewest readings for a trend, as leads set
them and as the history keeps them."""

from __future__ import annotations

import html
import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from outcomes import arithmetic
from outcomes.models import Comparator, ComparatorReading, Indicator, Reading
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory, TargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def august_2026():
    with time_machine.travel(date(2026, 8, 14)):
        yield


def text_of(client, url) -> str:
    """The page as a reader sees it: tags dropped, entities decoded, white space made one."""
    response = client.get(url)
    assert response.status_code == 200
    words = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(words).split())


def counted(indicator, ending: int, count: int, denominator: int, **extra) -> Reading:
    lower, upper = arithmetic.wilson_interval(count, denominator)
    return Reading.objects.create(
        indicator=indicator,
        period_start=date(ending - 1, 4, 1),
        period=date(ending, 3, 31),
        value=Decimal(str(round(100 * count / denominator, 1))),
        lower=Decimal(str(round(100 * lower, 1))),
        upper=Decimal(str(round(100 * upper, 1))),
        count=count,
        denominator=denominator,
        **extra,
    )


@pytest.fixture
def care_leavers(world) -> Indicator:
    """Care leavers in suitable accommodation (%): counted years, one suppressed, the latest
    four after a change in how they are counted; England with limits, similar areas without."""
    outcome = OutcomeFactory(plan=world.plan, statement="Care leavers have a home")
    indicator = IndicatorFactory(
        outcome=outcome,
        owner=world.council,
        code="HS-04",
        name="Care leavers in suitable accommodation",
        direction=Indicator.Direction.HIGHER,
        frequency=Indicator.Frequency.ANNUAL,
    )
    counted(indicator, 2019, 50, 80)
    counted(indicator, 2020, 66, 84)
    Reading.objects.create(
        indicator=indicator,
        period_start=date(2020, 4, 1),
        period=date(2021, 3, 31),
        suppression_mark="x",
        value_note="Not published: the return was incomplete",
    )
    counted(
        indicator, 2022, 70, 85, series_break=True, value_note="Counted at 21, not 19, from here"
    )
    counted(indicator, 2023, 74, 88)
    counted(indicator, 2024, 79, 91)
    counted(indicator, 2025, 85, 94)
    TargetFactory(
        indicator=indicator,
        baseline_value=Decimal("84.1"),
        baseline_date=date(2023, 3, 31),
        target_value=Decimal("95.0"),
        target_date=date(2028, 3, 31),
    )
    england = Comparator.objects.create(indicator=indicator, name="England", area_code="E92000001")
    ComparatorReading.objects.create(
        comparator=england,
        period_start=date(2024, 4, 1),
        period=date(2025, 3, 31),
        value=Decimal("88.0"),
        lower=Decimal("87.7"),
        upper=Decimal("88.3"),
        count=39440,
        denominator=44810,
    )
    similar = Comparator.objects.create(
        indicator=indicator, name="Similar areas", kind=Comparator.Kind.SIMILAR
    )
    ComparatorReading.objects.create(
        comparator=similar, period_start=date(2024, 4, 1), period=date(2025, 3, 31), value=72
    )
    Comparator.objects.create(indicator=indicator, name="North West", kind="regional")
    return indicator


COMPARED = (
    "Similar to England",
    "Better than Similar areas",
    "Not compared with North West: no value for 2024/25",
)


def test_the_indicator_page_shows_the_data_as_published(board_client, care_leavers):
    text = text_of(board_client, care_leavers.get_absolute_url())

    # Periods by their labels, limits at their level, the count behind each value.
    assert "2024/25 Whole area 90.4% 82.8% to 94.9% (95%) 85 of 94" in text
    # The suppressed year, as such, with the source's mark and note.
    assert "2020/21 Whole area Suppressed (x) Not published: the return was incomplete" in text
    assert "2021/22 Break in the series: collected differently from here" in text
    # The chart's table says the same.
    assert "2020/21 Suppressed Suppressed (x); Not published: the return was incomplete" in text
    assert "The series breaks at 2021/22: it is collected differently from then on" in text
    assert (
        "Left out of the trend: 1 reading suppressed by the source; 2 readings from before "
        "the break in the series at 2021/22." in text
    )


def test_the_latest_change_names_its_method_and_level(board_client, care_leavers):
    text = text_of(board_client, care_leavers.get_absolute_url())

    assert (
        "The change from 2023/24 to 2024/25 is within its margin of error at 95%, by Newcombe's "
        "hybrid score method for a difference of proportions (his method 10, from the two "
        "Wilson intervals)." in text
    )


@pytest.mark.parametrize(
    "where",
    [
        lambda i: i.plan.get_absolute_url(),
        lambda i: i.outcome.get_absolute_url(),
        lambda i: i.get_absolute_url(),
        lambda i: reverse("methods:walk_step", args=[i.outcome.pk, 1]),
    ],
    ids=["dashboard", "outcome", "indicator", "step 1"],
)
def test_each_comparison_is_in_words_and_colour(board_client, care_leavers, where):
    page = board_client.get(where(care_leavers)).content.decode()

    for words, verdict in zip(COMPARED, ["similar", "better", "not_compared"], strict=True):
        assert f'<span class="comparison comparison-{verdict}">{html.escape(words)}</span>' in (
            page
        )


def test_the_indicator_page_says_how_it_compared(board_client, care_leavers):
    text = text_of(board_client, care_leavers.get_absolute_url())

    assert (
        "For 2024/25, as the public health profiles compare: better or worse when the "
        "comparator's value lies outside our 95% confidence interval" in text
    )
    assert "England (national, E92000001) 2024/25: 88.0% (87.7% to 88.3%, 95%)" in text


def test_the_plans_fewest_readings_for_a_trend(lead_client, world, care_leavers):
    """The trend has four readings (after the break): fewer than the five a plan asks by
    default. A lead who asks for four sees the status without the warning."""
    dashboard = world.plan.get_absolute_url()
    assert "Based on only 4 readings (a trend needs 5): forecast " in text_of(
        lead_client, dashboard
    )

    form = lead_client.get(reverse("improveplan:plan_edit", args=[world.plan.pk]))
    assert "Fewest readings for a trend" in form.content.decode()
    data = {
        "title": world.plan.title,
        "period_start": world.plan.period_start.isoformat(),
        "period_end": world.plan.period_end.isoformat(),
        "method": world.plan.method,
        "outcome_limit": 7,
        "indicator_limit": 5,
        "trend_minimum_points": 4,
    }
    response = lead_client.post(reverse("improveplan:plan_edit", args=[world.plan.pk]), data)
    assert response.status_code == 302

    text = text_of(lead_client, dashboard)
    assert "Based on only" not in text
    assert "Forecast " in text


def test_a_plan_refuses_a_minimum_that_is_no_trend(lead_client, world):
    data = {
        "title": "Healthier Riverside",
        "period_start": world.plan.period_start.isoformat(),
        "period_end": world.plan.period_end.isoformat(),
        "method": world.plan.method,
        "outcome_limit": 7,
        "indicator_limit": 5,
        "trend_minimum_points": 2,
    }
    response = lead_client.post(reverse("improveplan:plan_edit", args=[world.plan.pk]), data)

    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 3." in response.content.decode()
    world.plan.refresh_from_db()
    assert world.plan.trend_minimum_points == 5


def indicator_data(indicator, **changes) -> dict:
    return {
        "code": indicator.code,
        "name": indicator.name,
        "kind": indicator.kind,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "frequency": indicator.frequency,
        "owner": indicator.owner_id,
        **changes,
    }


def test_a_lead_sets_the_month_its_years_end_and_where_its_trend_starts(lead_client, care_leavers):
    url = reverse("outcomes:indicator_edit", args=[care_leavers.pk])
    form = lead_client.get(url).content.decode()
    assert "Month its years end" in form and "Trend starts at" in form

    data = indicator_data(care_leavers, year_end_month="8", trend_from="2023-03-31")
    assert lead_client.post(url, data).status_code == 302

    care_leavers.refresh_from_db()
    assert (care_leavers.year_end_month, care_leavers.trend_from) == (8, date(2023, 3, 31))
    text = text_of(lead_client, care_leavers.get_absolute_url())
    assert "its years end in August" in text
    assert "From the reading for the period ending on or after 31 March 2023" in text
    assert "1 reading from before the trend's chosen start" in text
    # 2022/23 to 2024/25: three readings are enough to forecast, if not to call it a trend.
    assert "Based on only 3 readings (a trend needs 5): forecast " in text
    history = text_of(lead_client, reverse("outcomes:indicator_history", args=[care_leavers.pk]))
    assert "Month its year ends 3 8" in history
    assert "Trend starts at — 31 March 2023" in history


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"year_end_month": "13"}, "year_end_month", "Select a valid choice."),
        ({"trend_from": "1066-10-14"}, "trend_from", "Give a date between 1990 and 2100."),
        ({"trend_from": "2026-02-30"}, "trend_from", "Enter a valid date."),
    ],
)
def test_bad_years_and_starts_are_refused(lead_client, care_leavers, changes, field, message):
    url = reverse("outcomes:indicator_edit", args=[care_leavers.pk])

    response = lead_client.post(url, indicator_data(care_leavers, **changes))

    assert response.status_code == 200
    assert message in response.content.decode()
    care_leavers.refresh_from_db()
    assert (care_leavers.year_end_month, care_leavers.trend_from) == (3, None)


def test_a_post_without_the_month_keeps_the_month_set(lead_client, care_leavers):
    care_leavers.year_end_month = 12
    care_leavers.save()
    url = reverse("outcomes:indicator_edit", args=[care_leavers.pk])

    assert lead_client.post(url, indicator_data(care_leavers, name="Renamed")).status_code == 302

    care_leavers.refresh_from_db()
    assert (care_leavers.name, care_leavers.year_end_month) == ("Renamed", 12)
