"""Files as analysts download and keep them (issue 17): every shape in outcomes/tests/files/
is imported, exported and imported again with nothing changed, or refused with a message
that says why and what to do. The profiles download is matched by a lead on the import
pages, remembered, and read again as it comes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from improveplan.models import Membership, Plan, User
from outcomes.models import (
    Comparator,
    ComparatorReading,
    ImportJob,
    ImportMapping,
    Indicator,
    Reading,
)
from outcomes.readings_io import (
    ImportResult,
    Options,
    RowError,
    import_readings,
    read_rows,
    write_readings_csv,
)
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"
# After every period in the files has ended (31/03/27 is one).
LATER = date(2028, 1, 15)

INDICATORS = {
    # code: (unit, frequency, month its years end in)
    "CQ-01": (Indicator.Unit.PERCENT, Indicator.Frequency.QUARTERLY, 3),
    "FQ-01": (Indicator.Unit.PERCENT, Indicator.Frequency.QUARTERLY, 3),
    "MN-01": (Indicator.Unit.PERCENT, Indicator.Frequency.MONTHLY, 3),
    "FY-01": (Indicator.Unit.PERCENT, Indicator.Frequency.ANNUAL, 3),
    "SY-01": (Indicator.Unit.PERCENT, Indicator.Frequency.ANNUAL, 8),
    "CY-01": (Indicator.Unit.SCORE, Indicator.Frequency.ANNUAL, 12),
    "PL-01": (Indicator.Unit.RATE, Indicator.Frequency.ANNUAL, 3),
    "DT-01": (Indicator.Unit.PERCENT, Indicator.Frequency.QUARTERLY, 3),
    "SP-01": (Indicator.Unit.MONEY, Indicator.Frequency.MONTHLY, 3),
    "AE-01": (Indicator.Unit.COUNT, Indicator.Frequency.QUARTERLY, 3),
    # For the profiles download.
    "SM-01": (Indicator.Unit.PERCENT, Indicator.Frequency.ANNUAL, 12),
    "MO-01": (Indicator.Unit.RATE, Indicator.Frequency.ANNUAL, 12),
    "HW-02": (Indicator.Unit.PERCENT, Indicator.Frequency.ANNUAL, 8),
    "SH-01": (Indicator.Unit.RATE, Indicator.Frequency.QUARTERLY, 3),
}


@pytest.fixture
def plan(world):
    outcome = OutcomeFactory(plan=world.plan, statement="Healthier lives")
    for code, (unit, frequency, year_end) in INDICATORS.items():
        IndicatorFactory(
            outcome=outcome,
            code=code,
            name=f"Indicator {code}",
            owner=world.council,
            unit=unit,
            rate_per=100_000 if unit == Indicator.Unit.RATE else None,
            frequency=frequency,
            year_end_month=year_end,
        )
    return world.plan


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FILES / name).read_bytes())


def imported(world, upload_or_rows, **options) -> ImportResult:
    rows = upload_or_rows
    if isinstance(upload_or_rows, SimpleUploadedFile):
        rows = read_rows(upload_or_rows)
        assert not isinstance(rows, RowError), rows
    return import_readings(
        plan=world.plan,
        rows=rows,
        user=world.lead,
        membership=world.membership(world.lead),
        options=Options(**options),
    )


def exported(plan) -> SimpleUploadedFile:
    out = StringIO()
    write_readings_csv(plan, out)
    return SimpleUploadedFile("readings.csv", out.getvalue().encode("utf-8"))


def everything(plan) -> list[tuple]:
    """Every reading and comparator value of the plan, as kept."""
    readings = Reading.objects.filter(indicator__plan=plan).order_by("pk")
    values = ComparatorReading.objects.filter(comparator__indicator__plan=plan).order_by("pk")
    fields = ["period_start", "period", "period_label", "value", "suppression_mark", "lower"]
    fields += ["upper", "confidence_level", "count", "denominator", "value_note"]
    return [
        *readings.values_list("pk", *fields, "series_break", "breakdown", "source_note"),
        *values.values_list("pk", "comparator__name", "comparator__area_code", *fields),
    ]


def kept(code: str, **where) -> list[tuple]:
    return list(
        Reading.objects.filter(indicator__code=code, **where)
        .order_by("period", "breakdown")
        .values_list("period_start", "period", "period_label", "value")
    )


def round_trip(world, plan, first: ImportResult) -> None:
    """The file's readings, exported and imported again, change nothing."""
    assert first.ok, first.errors
    before = everything(plan)
    assert before
    again = imported(world, exported(plan))
    assert again.ok, again.errors
    assert (again.created, again.updated) == (0, 0)
    assert again.unchanged == Reading.objects.filter(indicator__plan=plan).count()
    assert (again.comparator_values_created, again.comparator_values_updated) == (0, 0)
    assert everything(plan) == before


# Periods -----------------------------------------------------------------------------------


@time_machine.travel(LATER)
def test_every_form_of_period_is_kept_as_the_source_wrote_it(world, plan):
    first = imported(world, upload("periods.csv"))

    assert (first.created, first.errors) == (17, [])
    d = date
    assert kept("CQ-01") == [(d(2024, 7, 1), d(2024, 9, 30), "Q3 2024", Decimal("61.2"))]
    assert kept("FQ-01") == [(d(2024, 10, 1), d(2024, 12, 31), "2024/25 Q3", Decimal("58.1"))]
    assert kept("MN-01") == [
        (d(2023, 3, 1), d(2023, 3, 31), "Mar-23", Decimal("12.9")),
        (d(2024, 3, 1), d(2024, 3, 31), "Mar 2024", Decimal("12.5")),
        (d(2024, 5, 1), d(2024, 5, 31), "", Decimal("13.1")),  # 2024-05 needs no label
    ]
    assert kept("FY-01") == [
        (d(2023, 4, 1), d(2024, 3, 31), "2023/24", Decimal("43.2")),
        (d(2024, 4, 1), d(2025, 3, 31), "2024/2025", Decimal("44")),
    ]
    # A school year ends in August, as the indicator says.
    assert kept("SY-01") == [(d(2023, 9, 1), d(2024, 8, 31), "2023/24", Decimal("76.4"))]
    assert kept("CY-01") == [(d(2024, 1, 1), d(2024, 12, 31), "2024", Decimal("18.3"))]
    # Pooled years: "2021 - 22" is two years, not the year to March 2022.
    assert kept("PL-01") == [
        (d(2020, 1, 1), d(2022, 12, 31), "2020 - 22", Decimal("336.4")),
        (d(2021, 1, 1), d(2022, 12, 31), "2021 - 22", Decimal("331.8")),
        (d(2020, 4, 1), d(2023, 3, 31), "2020/21 - 22/23", Decimal("329.5")),
    ]
    # In our layout a date is the last day of a period as long as the indicator's (a quarter).
    assert kept("DT-01") == [
        (d(2024, 1, 1), d(2024, 3, 31), "", Decimal("57.3")),  # 45382
        (d(2024, 4, 1), d(2024, 6, 30), "", Decimal("57.9")),
        (d(2024, 7, 1), d(2024, 9, 30), "", Decimal("58.4")),
        (d(2024, 10, 1), d(2024, 12, 31), "", Decimal("58.6")),
        (d(2027, 1, 1), d(2027, 3, 31), "", Decimal("58")),  # 31/03/27
    ]
    round_trip(world, plan, first)


@time_machine.travel(LATER)
def test_date_cells_and_excels_day_numbers_in_a_workbook(world, plan):
    first = imported(world, upload("dates.xlsx"))

    assert first.ok, first.errors
    d = date
    assert kept("DT-01") == [
        (d(2023, 1, 1), d(2023, 3, 31), "", Decimal("55.1")),
        (d(2023, 4, 1), d(2023, 6, 30), "", Decimal("55.4")),  # 45107 in a number cell
        (d(2023, 7, 1), d(2023, 9, 30), "", Decimal("55.9")),
        (d(2023, 12, 1), d(2024, 2, 29), "Winter 2023", Decimal("56.2")),  # its exact days
    ]
    assert kept("MN-01") == [(d(2023, 1, 1), d(2023, 1, 31), "", Decimal("11.2"))]
    round_trip(world, plan, first)


def test_an_unknown_or_ambiguous_period_is_refused_with_the_forms_accepted(world, plan):
    rows = [
        {"indicator": "FY-01", "period": "Spring 2024", "value": "1"},
        {"indicator": "FY-01", "period": "2011-12", "value": "1"},
        # A year across two calendar years, for an indicator whose years end in December.
        {"indicator": "CY-01", "period": "2023/24", "value": "1"},
    ]

    result = imported(world, rows)

    first, second, third = (error.message for error in result.errors)
    assert first.startswith("“Spring 2024” is not a period we recognise. Write 2024 (a calendar")
    assert "2023/24 (a financial or school year), Q3 2024 (a calendar quarter)" in first
    assert "2020 - 22 or 2020/21 - 22/23 (pooled years)" in first
    assert "“2011-12” could be a month or a financial year" in second
    assert "this indicator's years end in December" in third
    assert not Reading.objects.exists()


# Values held back, limits, counts ---------------------------------------------------------


def test_values_held_back_are_kept_as_held_back_and_never_refuse_the_file(world, plan):
    first = imported(world, upload("suppressed.csv"))

    assert (first.created, first.errors) == (6, [])
    readings = Reading.objects.filter(indicator__code="CY-01").order_by("period")
    assert [(r.period.year, r.value, r.suppression_mark, r.value_note) for r in readings] == [
        (2019, Decimal("18.9"), "", ""),
        (2020, None, "", "Value suppressed for disclosure control due to small count"),
        (2021, None, "*", "Fewer than five people"),
        (2022, None, "<5", ""),
        (2023, None, "x", ""),
        (2024, None, "..", "Not available"),
    ]
    assert (readings[0].count, readings[0].denominator) == (41, 217)
    round_trip(world, plan, first)


def test_a_value_missing_without_a_note_is_still_a_problem(world, plan):
    result = imported(world, [{"indicator": "CY-01", "period": "2024", "value": ""}])

    assert [str(error) for error in result.errors] == [
        "Row 2, column value: The value is missing. If the source held it back, write * (or the "
        "source's mark, such as <5) or give a value note."
    ]


def test_limits_at_99_8_percent_counts_notes_and_a_break_in_the_series(world, plan):
    first = imported(world, upload("limits_99_8.csv"))

    assert (first.created, first.errors) == (5, [])
    latest = Reading.objects.get(indicator__code="PL-01", period_label="2020 - 22", breakdown="")
    assert (latest.lower, latest.value, latest.upper) == (
        Decimal("334"),
        Decimal("358.2"),
        Decimal("383.6"),
    )  # not symmetric, and at 99.8%
    assert latest.confidence_level == "99.8"
    assert (latest.count, latest.denominator, latest.series_break) == (1597, 445828, True)
    noted = Reading.objects.get(indicator__code="PL-01", period_label="2019 - 21")
    assert noted.value_note == "Includes deaths from COVID-19"
    round_trip(world, plan, first)


def test_comparators_values_come_in_like_readings(world, plan):
    Comparator.objects.create(indicator=Indicator.objects.get(code="FY-01"), name="North West")

    first = imported(world, upload("comparators.csv"))

    assert first.ok, first.errors
    assert (first.created, first.comparator_values_created) == (2, 5)
    assert sorted(first.comparators_created) == ["England", "Similar areas"]
    comparators = Comparator.objects.filter(indicator__code="FY-01").order_by("name")
    assert [(c.name, c.area_code, c.kind) for c in comparators] == [
        ("England", "E92000001", "national"),
        ("North West", "E12000002", "national"),  # the one there was, now with its code
        ("Similar areas", "", "similar"),
    ]
    north_west = ComparatorReading.objects.filter(comparator__name="North West")
    assert [(v.period_label, v.value, v.value_note) for v in north_west.order_by("period")] == [
        ("2022/23", Decimal("41.7"), ""),
        ("2023/24", None, "Not yet published"),
    ]
    similar = ComparatorReading.objects.get(comparator__name="Similar areas")
    assert (similar.lower, similar.upper, similar.confidence_level) == (
        Decimal("43.1"),
        Decimal("46.2"),
        "99.8",
    )
    round_trip(world, plan, first)


# Encodings, separators, numbers ------------------------------------------------------------


def test_a_windows_1252_file_with_pounds_and_accents_is_read(world, plan):
    first = imported(world, upload("windows-1252.csv"))

    assert (first.created, first.errors) == (3, [])
    spend = Reading.objects.filter(indicator__code="SP-01").order_by("period")
    assert [(r.value, r.lower, r.upper, r.breakdown) for r in spend] == [
        (Decimal("1200"), Decimal("1100"), Decimal("1320.5"), "Café quarter"),
        (Decimal("980.25"), None, None, "Café quarter"),
    ]
    assert spend[0].source_note == "Budget – council"
    assert spend[1].source_note == "“Spend” as reported"
    assert Reading.objects.get(indicator__code="CQ-01").value == Decimal("12.5")
    round_trip(world, plan, first)


def test_excels_unicode_text_utf_16_and_tab_separated_is_read(world, plan):
    first = imported(world, upload("unicode-text.txt"), decimal_comma=True)

    assert (first.created, first.errors) == (2, [])
    readings = Reading.objects.filter(indicator__code="CY-01").order_by("period")
    assert [(r.value, r.lower, r.confidence_level, r.breakdown) for r in readings] == [
        (Decimal("18.2"), Decimal("17.1"), "95", "Łódź Street"),
        (Decimal("17.9"), Decimal("16.3"), "99.8", "Århus Road"),
    ]
    round_trip(world, plan, first)


def test_semicolons_and_a_comma_before_the_decimals(world, plan):
    first = imported(world, upload("semicolons.csv"), decimal_comma=True)

    assert (first.created, first.errors) == (3, [])
    readings = Reading.objects.filter(indicator__code="CY-01").order_by("period")
    assert [(r.value, r.lower, r.upper, r.count, r.denominator) for r in readings] == [
        (Decimal("12.5"), Decimal("11.9"), Decimal("13.2"), 1250, 10000),
        (Decimal("1234.5"), Decimal("1200.25"), Decimal("1270"), None, None),
        (Decimal("0.75"), None, None, None, None),
    ]
    round_trip(world, plan, first)


def test_the_same_file_read_with_the_wrong_decimal_style_says_how_to_mend_it(world, plan):
    result = imported(world, upload("semicolons.csv"))

    assert "choose 1.234,5 as the decimal style on the import page" in result.errors[0].message
    assert not Reading.objects.exists()


def test_money_and_percentages_as_people_write_them(world, plan):
    first = imported(world, upload("money_and_percent.csv"))

    assert (first.created, first.errors) == (4, [])
    spend = Reading.objects.filter(indicator__code="SP-01").order_by("period")
    assert [r.value for r in spend] == [Decimal("1200"), Decimal("15808.5"), Decimal("250")]
    assert Reading.objects.get(indicator__code="CQ-01").value == Decimal("12.5")
    round_trip(world, plan, first)


def test_an_ambiguous_count_is_refused_never_stored_as_a_fraction(world, plan):
    result = imported(world, upload("count_ambiguous.csv"))

    assert [(error.row, error.column) for error in result.errors] == [(3, "value"), (4, "count")]
    assert result.errors[0].message == (
        "The value “2.950” could be 2,950 or 2.95, and it counts something, so it is most "
        "likely 2,950. Write it without a separator (2950), or check the decimal style chosen "
        "on the import page."
    )
    assert not Reading.objects.exists()


def test_a_workbook_whose_formulas_have_no_saved_results_is_refused_saying_so():
    refusal = read_rows(upload("formulas_without_results.xlsx"))

    assert isinstance(refusal, RowError)
    assert refusal.message.startswith(
        "The workbook's formulas have no saved results (the first is in cell C3: =C2*1.05)"
    )
    assert "Open it in Excel or LibreOffice Calc and save it again" in refusal.message
    assert "The value is missing" not in refusal.message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00\x00" + "indicator".encode("utf-32-le"), "The file is UTF-32 text"),
        ("indicator,period,value\n".encode("utf-16-le"), "UTF-16 text without the mark"),
        (
            "indicator,period,value\nCY-01,2024,1,é\n".encode() + b"\xe9\n",
            "The file is mostly UTF-8 text, but line 3 is not (byte 0xE9)",
        ),
    ],
)
def test_text_we_cannot_read_is_refused_naming_its_encoding(content, message):
    refusal = read_rows(SimpleUploadedFile("readings.csv", content))

    assert isinstance(refusal, RowError)
    assert message in refusal.message
    assert "“CSV UTF-8 (comma delimited)”" in refusal.message


# The profiles download, on the pages -----------------------------------------------------


ENGLAND, NORTH_WEST, OURS, BLACKPOOL, BOLTON, BURY = (
    "E92000001",
    "E12000002",
    "E06000008",
    "E06000009",
    "E08000001",
    "E08000002",
)
PROFILE_INDICATORS = {"92443": "SM-01", "108": "MO-01", "20601": "HW-02", "93085": "SH-01"}


def send_profile(client, world, **fields):
    return client.post(
        reverse("outcomes:readings_import", args=[world.plan.pk]),
        {"file": upload("profile_download.csv"), **fields},
    )


def matching(job: ImportJob, **levels) -> dict:
    """The lead's answers: our area, three to compare with (not Bury or Bolton), the plan's
    indicator of each of the file's (life expectancy left out)."""
    answers = {"area": OURS, "compare_with": [ENGLAND, NORTH_WEST, BLACKPOOL]}
    for index, (source, *_) in enumerate(job.options["survey"]["indicators"]):
        code = PROFILE_INDICATORS.get(source)
        answers[f"indicator_{index}"] = str(Indicator.objects.get(code=code).pk) if code else ""
        answers[f"level_{index}"] = levels.get(code, "95")
    return answers


def test_a_profiles_download_is_matched_once_then_read_as_it_comes(lead_client, world, plan):
    response = send_profile(lead_client, world)

    job = ImportJob.objects.get()
    assert response["Location"] == reverse("outcomes:import_mapping", args=[job.pk])
    assert job.status == ImportJob.Status.MAPPING
    assert not Reading.objects.exists()
    page = lead_client.get(response["Location"]).content.decode()
    assert "Blackburn with Darwen (E06000008, Counties &amp; UAs (from Apr 2023))" in page
    assert "Life expectancy at birth (id 90366, 36 rows)" in page

    done = lead_client.post(response["Location"], matching(job, **{"MO-01": "99.8"}))

    job.refresh_from_db()
    assert done["Location"] == job.get_absolute_url()
    assert job.status == ImportJob.Status.DONE, job.errors
    summary = lead_client.get(done["Location"]).content.decode()
    # Our area: 16 rows of smoking (persons, each sex, 18-24s), 12 of mortality, 15 of healthy
    # weight (with deprivation deciles of two kinds), 4 quarters of self-harm. England, the
    # region and Blackpool: 15 whole-area values each.
    assert "Imported: 47 new readings, 0 changed, 0 already as in the file." in summary
    assert "Comparators: 45 new values, 0 changed, 0 already as in the file." in summary
    assert "New comparators: Blackpool, England, North West region (statistical)." in summary
    assert (
        "Rows left out: 60 other areas&#x27; rows for a sex, age or category; 62 rows of areas "
        "not compared with; 36 rows of indicators not matched to the plan&#x27;s."
    ) in summary

    # Our area's persons of the indicator's own age are the whole area; sexes, other ages
    # and categories are breakdowns.
    smoking = Reading.objects.filter(indicator__code="SM-01")
    assert set(smoking.values_list("breakdown", flat=True)) == {"", "Male", "Female", "18-24 yrs"}
    assert smoking.get(breakdown="", period_label="2023").value == Decimal("17.6744")
    held_back = smoking.get(breakdown="Female", period_label="2021")
    assert (held_back.value, held_back.value_note) == (
        None,
        "Value not published for data quality reasons",
    )
    assert str(held_back) == "SM-01 2021-12-31 (Female): held back"
    # Limits at the level chosen for each indicator.
    mortality = Reading.objects.get(indicator__code="MO-01", breakdown="", period_label="2020 - 22")
    assert (mortality.period_start, mortality.period) == (date(2020, 1, 1), date(2022, 12, 31))
    assert mortality.confidence_level == "99.8"
    assert mortality.lower == (mortality.value * Decimal("0.89")).quantize(Decimal("0.0001"))
    # School years end in August; two kinds of category with the same name stay apart.
    weight = Reading.objects.filter(indicator__code="HW-02")
    assert weight.get(breakdown="", period_label="2023/24").period == date(2024, 8, 31)
    assert {b for b in weight.values_list("breakdown", flat=True) if "Most deprived" in b} == {
        "District & UA deprivation deciles in England: Most deprived decile (IMD2019)",
        "LSOA11 deprivation deciles within area: Most deprived decile (IMD2019)",
    }
    assert Reading.objects.get(
        indicator__code="SH-01", period_label="2023/24 Q3"
    ).period_start == date(2023, 10, 1)
    # England, the region and Blackpool are comparators, with their area codes and kinds.
    comparators = Comparator.objects.filter(indicator__code="SM-01").order_by("kind", "name")
    assert [(c.name, c.area_code, c.kind) for c in comparators] == [
        ("England", ENGLAND, "national"),
        ("North West region (statistical)", NORTH_WEST, "regional"),
        ("Blackpool", BLACKPOOL, "similar"),
    ]
    assert not Comparator.objects.filter(area_code__in=[BOLTON, BURY]).exists()
    blackpool = ComparatorReading.objects.get(
        comparator__indicator__code="SH-01",
        comparator__area_code=BLACKPOOL,
        period_label="2023/24 Q2",
    )
    assert (blackpool.value, blackpool.value_note) == (
        None,
        "Value suppressed for disclosure control due to small count",
    )
    before = everything(plan)

    # The plan remembers: the next download is imported straight away, and changes nothing.
    mapping = ImportMapping.objects.get(plan=plan)
    assert (mapping.area_code, mapping.areas[BOLTON], mapping.areas[ENGLAND]) == (OURS, False, True)
    again = send_profile(lead_client, world)
    assert again["Location"] == world.plan.get_absolute_url()
    message = " ".join(str(said) for said in get_messages(again.wsgi_request))
    assert "Imported: 0 new readings, 0 changed, 47 already as in the file." in message
    assert "Comparators: 0 new values, 0 changed, 45 already as in the file." in message
    assert "Rows left out: 60 other areas' rows" in message
    assert everything(plan) == before

    # And exported, and imported again from our layout, nothing changes either.
    round_trip(world, plan, imported(world, exported(plan)))
    assert everything(plan) == before


def test_the_lead_may_look_at_the_matching_again_before_a_download_is_read(
    lead_client, world, plan
):
    send_profile(lead_client, world)
    job = ImportJob.objects.get()
    lead_client.post(reverse("outcomes:import_mapping", args=[job.pk]), matching(job))

    response = send_profile(lead_client, world, review_mapping="on")

    second = ImportJob.objects.exclude(pk=job.pk).get()
    assert response["Location"] == reverse("outcomes:import_mapping", args=[second.pk])
    page = lead_client.get(response["Location"]).content.decode()
    assert f'value="{OURS}" selected' in page or f'value="{OURS}" checked' in page
    assert page.count("checked") >= 3  # the areas compared with, as last time


def test_a_partner_with_a_profiles_download_waits_for_a_lead(partner_client, world, plan):
    response = send_profile(partner_client, world)

    job = ImportJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    page = partner_client.get(response["Location"]).content.decode()
    assert "A lead of the partnership matches them" in page
    assert partner_client.get(reverse("outcomes:import_mapping", args=[job.pk])).status_code == 403
    assert not Reading.objects.exists()


def test_a_matching_that_chooses_one_indicator_twice_is_refused(lead_client, world, plan):
    send_profile(lead_client, world)
    job = ImportJob.objects.get()
    answers = matching(job)
    answers["indicator_1"] = answers["indicator_0"]

    response = lead_client.post(reverse("outcomes:import_mapping", args=[job.pk]), answers)

    assert response.status_code == 200
    assert "is chosen for another of the file&#x27;s indicators too." in response.content.decode()
    assert not ImportMapping.objects.exists() and not Reading.objects.exists()


def test_the_demo_plan_reads_its_example_profiles_download_as_it_comes(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    plan = Plan.objects.get(title="Healthier Riverside 2026–2029")
    lead = User.objects.get(email="lead@demo.improveplan.test")
    example = FILES.parents[2] / "docs" / "examples" / "riverside-profile-download.csv"
    rows = read_rows(SimpleUploadedFile(example.name, example.read_bytes()))

    result = import_readings(
        plan=plan, rows=rows, user=lead, membership=Membership.objects.get(user=lead)
    )

    assert result.ok, (result.errors, result.needs_mapping)
    assert result.created + result.updated == 9  # persons, men and women, three years
    falls = Reading.objects.get(indicator__code="OP-01", period_label="2024/25", breakdown="")
    assert (falls.confidence_level, falls.denominator) == ("95", 41000)
    assert set(
        Comparator.objects.filter(indicator__code="OP-01").values_list("area_code", flat=True)
    ) >= {"E92000001", "E12000002", "E06000098"}
    assert result.left_out == {
        "other areas' rows for a sex, age or category": 18,
        "rows of indicators not matched to the plan's": 8,
    }
