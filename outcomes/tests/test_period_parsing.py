"""Periods as publishers and analysts write them (outcomes/periods.py's parse): each form gives
its first and last day and keeps its label; what cannot be placed is refused saying what to
write instead."""

from __future__ import annotations

from datetime import date

import pytest

from outcomes import periods
from outcomes.periods import Period, PeriodError, as_last_day, label_for, parse

d = date


@pytest.mark.parametrize(
    ("text", "year_end_month", "start", "end", "label"),
    [
        ("Q3 2024", 3, d(2024, 7, 1), d(2024, 9, 30), "Q3 2024"),
        ("2024 Q3", 3, d(2024, 7, 1), d(2024, 9, 30), "2024 Q3"),
        ("2024-Q3", 3, d(2024, 7, 1), d(2024, 9, 30), "2024-Q3"),
        ("2024/25 Q3", 3, d(2024, 10, 1), d(2024, 12, 31), "2024/25 Q3"),
        ("Q3 2024/25", 3, d(2024, 10, 1), d(2024, 12, 31), "Q3 2024/25"),
        ("2024/25 Q4", 3, d(2025, 1, 1), d(2025, 3, 31), "2024/25 Q4"),
        ("2024/25 Q1", 8, d(2024, 9, 1), d(2024, 11, 30), "2024/25 Q1"),  # a school year's
        ("Mar 2024", 3, d(2024, 3, 1), d(2024, 3, 31), "Mar 2024"),
        ("March 2024", 3, d(2024, 3, 1), d(2024, 3, 31), "March 2024"),
        ("Mar-24", 3, d(2024, 3, 1), d(2024, 3, 31), "Mar-24"),
        ("Sept 2024", 3, d(2024, 9, 1), d(2024, 9, 30), "Sept 2024"),
        ("2024-02", 3, d(2024, 2, 1), d(2024, 2, 29), ""),  # as machines write a month
        ("03/2024", 3, d(2024, 3, 1), d(2024, 3, 31), "03/2024"),
        ("2024/2025", 3, d(2024, 4, 1), d(2025, 3, 31), "2024/2025"),
        ("2023/24", 3, d(2023, 4, 1), d(2024, 3, 31), "2023/24"),
        ("2023/24", 8, d(2023, 9, 1), d(2024, 8, 31), "2023/24"),  # a school year
        ("2023-24", 3, d(2023, 4, 1), d(2024, 3, 31), "2023-24"),
        ("1999/00", 3, d(1999, 4, 1), d(2000, 3, 31), "1999/00"),
        ("2024", 3, d(2024, 1, 1), d(2024, 12, 31), "2024"),
        ("2020 - 22", 3, d(2020, 1, 1), d(2022, 12, 31), "2020 - 22"),
        # Two years pooled, not the financial year to March 2022.
        ("2021 - 22", 3, d(2021, 1, 1), d(2022, 12, 31), "2021 - 22"),
        ("2020 - 2022", 3, d(2020, 1, 1), d(2022, 12, 31), "2020 - 2022"),
        ("2020–22", 3, d(2020, 1, 1), d(2022, 12, 31), "2020–22"),
        ("2020/21 - 22/23", 3, d(2020, 4, 1), d(2023, 3, 31), "2020/21 - 22/23"),
        ("2020/21 - 22/23", 8, d(2020, 9, 1), d(2023, 8, 31), "2020/21 - 22/23"),
        ("2024-01-01 to 2024-03-31", 3, d(2024, 1, 1), d(2024, 3, 31), ""),
    ],
)
def test_each_period_has_its_days_and_keeps_its_label(text, year_end_month, start, end, label):
    assert parse(text, year_end_month=year_end_month) == Period(start, end, label)


@pytest.mark.parametrize(
    "text",
    [
        "45382",  # Excel's number for the day
        "45382.0",
        "31/03/2024",
        "31/03/24",
        "31-03-2024",
        "31/03/2024 00:00",
        "2024-03-31",
        "2024-03-31 00:00:00",
        "2024-03-31T00:00:00Z",
        "31 Mar 2024",
        "31 March 2024",
    ],
)
def test_a_single_day_is_that_day_and_needs_no_label(text):
    assert parse(text) == Period(d(2024, 3, 31), d(2024, 3, 31), "", day=True)


def test_two_digit_years_of_days_fall_between_1990_and_2089():
    assert parse("31/03/27").end == d(2027, 3, 31)
    assert parse("31/03/95").end == d(1995, 3, 31)


@pytest.mark.parametrize(
    ("frequency", "start", "end"),
    [
        ("quarterly", d(2024, 1, 1), d(2024, 3, 31)),
        ("annual", d(2023, 4, 1), d(2024, 3, 31)),
        ("monthly", d(2024, 3, 1), d(2024, 3, 31)),
    ],
)
def test_where_a_date_ends_a_period_it_is_as_long_as_the_indicators(frequency, start, end):
    assert as_last_day(parse("2024-03-31"), frequency)[:3] == (start, end, "")


def test_a_monthly_indicators_date_is_its_month_whichever_day():
    assert as_last_day(parse("2024-03-15"), "monthly")[:2] == (d(2024, 3, 1), d(2024, 3, 31))


def test_a_named_period_keeps_its_days_whatever_the_indicators_frequency():
    assert as_last_day(parse("2024"), "quarterly") == parse("2024")


@pytest.mark.parametrize(
    ("text", "year_end_month", "message"),
    [
        ("Spring 2024", 3, "“Spring 2024” is not a period we recognise. Write 2024 (a calendar"),
        ("2024/26", 3, "“2024/26” is not a period we recognise."),
        ("2025-13", 3, "“2025-13” is not a period we recognise."),
        ("2025-Q5", 3, "“2025-Q5” is not a period we recognise."),
        ("2024 - 2040", 3, "“2024 - 2040” is not a period we recognise."),  # no pool of 17
        ("12345", 3, "“12345” is not a period we recognise."),  # a day number before 1990
        ("31/02/2025", 3, "“31/02/2025” is not a real date."),
        ("2101", 3, "2101 is outside 1990–2100."),
        ("1989-12-31", 3, "1989-12-31 is outside 1990–2100."),
        (
            "2011-12",
            3,
            "“2011-12” could be a month or a financial year. Write 2011-12-31 (or Dec 2011) for "
            "the month, or 2011/12 for the year.",
        ),
        ("2023/24", 12, "but this indicator's years end in December"),
        ("2023/24 Q2", 12, "but this indicator's years end in December"),
    ],
)
def test_what_cannot_be_placed_is_refused_saying_what_to_write(text, year_end_month, message):
    with pytest.raises(PeriodError) as refusal:
        parse(text, year_end_month=year_end_month)

    assert message in str(refusal.value)


def test_every_example_the_import_page_lists_is_read_as_it_says():
    for _what, examples, _meaning in periods.ACCEPTED:
        for example in examples:
            assert parse(example), example


@pytest.mark.parametrize(
    "text", ["2023/24", "Q3 2024", "2020 - 22", "Mar-24", "2024/25 Q3", "2020/21 - 22/23"]
)
def test_a_period_reads_everywhere_as_the_source_wrote_it(text):
    period = parse(text)

    assert label_for(period.start, period.end, period.label) == text


def test_a_period_without_a_label_reads_from_its_days():
    assert label_for(*parse("2024-02")[:3]) == "Feb 2024"
    assert label_for(*as_last_day(parse("2024-03-31"), "quarterly")[:3]) == "Jan–Mar 2024"
