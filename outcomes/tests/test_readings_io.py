"""Importing indicator readings from CSV and Excel files, all or nothing, and exporting them."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from improveplan.models import Organisation, Plan, SecurityEvent, User
from outcomes import periods
from outcomes.models import Indicator, Outcome, Reading
from outcomes.readings_io import (
    COLUMNS,
    ImportResult,
    RowError,
    import_readings,
    read_rows,
    write_readings_csv,
)

pytestmark = pytest.mark.django_db

HEADER = "indicator,period,value,lower,upper,breakdown,source_note\n"


def make_indicator(plan: Plan, code: str, owner: Organisation) -> Indicator:
    outcome = plan.outcomes.first() or Outcome.objects.create(plan=plan, statement="Healthy lives")
    return Indicator.objects.create(
        plan=plan, outcome=outcome, code=code, name=f"Indicator {code}", owner=owner
    )


@dataclass
class Indicators:
    council: Indicator  # HW-01, owned by Riverside Council
    housing: Indicator  # HS-01, owned by Riverside Housing
    elsewhere: Indicator  # HILL-01, in the other partnership's plan


@pytest.fixture
def indicators(world) -> Indicators:
    return Indicators(
        council=make_indicator(world.plan, "HW-01", world.council),
        housing=make_indicator(world.plan, "HS-01", world.housing),
        elsewhere=make_indicator(world.other_plan, "HILL-01", world.other_organisation),
    )


def csv_file(text: str, name: str = "readings.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_file(rows: list[list], name: str = "readings.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def import_file(world, upload, user: User | None = None) -> ImportResult:
    user = user or world.lead
    rows = read_rows(upload)
    assert not isinstance(rows, RowError), rows
    return import_readings(plan=world.plan, rows=rows, user=user, membership=world.membership(user))


def counts(result: ImportResult) -> tuple[int, int, int]:
    return result.created, result.updated, result.unchanged


GOOD = (
    HEADER + "HW-01,2025-03-31,12.5,11,14,,Annual survey\n"
    "HW-01,2025-06,13,,,,\n"
    "HS-01,2024/25,7,,,North ward,\n"
)


# Importing ------------------------------------------------------------------------------


def test_a_csv_file_creates_readings(world, indicators):
    result = import_file(world, csv_file(GOOD))

    assert result.ok
    assert counts(result) == (3, 0, 0)
    first = Reading.objects.get(indicator=indicators.council, period=date(2025, 3, 31))
    assert (first.value, first.lower, first.upper) == (Decimal("12.5"), 11, 14)
    assert first.source_note == "Annual survey"
    assert first.entered_by == world.lead
    assert Reading.objects.get(indicator=indicators.council, period=date(2025, 6, 30)).value == 13
    housing = Reading.objects.get(indicator=indicators.housing)
    assert (housing.period, housing.breakdown) == (date(2025, 3, 31), "North ward")


def test_importing_the_same_file_twice_changes_nothing(world, indicators):
    import_file(world, csv_file(GOOD))
    before = list(Reading.objects.values_list("pk", "value", "entered_at"))

    again = import_file(world, csv_file(GOOD))

    assert again.ok
    assert counts(again) == (0, 0, 3)
    assert list(Reading.objects.values_list("pk", "value", "entered_at")) == before


def test_a_changed_row_updates_its_reading_and_says_who_entered_it(world, indicators):
    import_file(world, csv_file(GOOD))
    before = Reading.objects.get(indicator=indicators.housing)
    changed = HEADER + "HS-01,2024/25,7.25,7,8,North ward,Revised\n"

    result = import_file(world, csv_file(changed), user=world.partner)

    assert counts(result) == (0, 1, 0)
    reading = Reading.objects.get(indicator=indicators.housing)
    assert (reading.pk, reading.value, reading.lower, reading.upper) == (
        before.pk,
        Decimal("7.25"),
        7,
        8,
    )
    assert reading.source_note == "Revised"
    assert reading.entered_by == world.partner
    assert reading.entered_at > before.entered_at
    assert Reading.objects.count() == 3
    assert counts(import_file(world, csv_file(changed), user=world.partner)) == (0, 0, 1)


def test_an_update_may_take_away_a_readings_bounds_and_note(world, indicators):
    import_file(world, csv_file(GOOD))

    result = import_file(world, csv_file(HEADER + "HW-01,2025-03-31,12.5,,,,\n"))

    assert counts(result) == (0, 1, 0)
    reading = Reading.objects.get(indicator=indicators.council, period=date(2025, 3, 31))
    assert (reading.value, reading.lower, reading.upper, reading.source_note) == (
        Decimal("12.5"),
        None,
        None,
        "",
    )


def test_a_plain_file_opened_from_disc_can_be_read(tmp_path):
    path = tmp_path / "readings.csv"
    path.write_text(GOOD, encoding="utf-8")

    with path.open("rb") as handle:
        rows = read_rows(handle)

    assert [row["indicator"] for row in rows] == ["HW-01", "HW-01", "HS-01"]


def test_columns_may_come_in_any_order_and_case_and_optional_ones_may_be_left_out(
    world, indicators
):
    text = "\ufeffValue, PERIOD ,Indicator,Source note\n12,2025-Q1,hw-01,From the survey\n"

    result = import_file(world, csv_file(text))

    assert counts(result) == (1, 0, 0)
    reading = Reading.objects.get()
    assert (reading.indicator, reading.period) == (indicators.council, date(2025, 3, 31))
    assert (reading.value, reading.lower, reading.source_note) == (12, None, "From the survey")


def test_an_xlsx_file_imports_the_same_as_the_equivalent_csv(world, indicators):
    header = ["Indicator", "Period", "Value", "Lower", "Upper", "Breakdown", "Source_note"]
    upload = xlsx_file(
        [
            header,
            ["HW-01", datetime(2025, 3, 31), 0.1 * 123, 11, 14.0, None, "Annual survey"],
            [None, None, None],  # an empty row is skipped
            ["HW-01", "2025-06", 13, None, None, None, None],
            ["HS-01", "2024/25", 7, None, None, "North ward", None],
            ["HS-01", 2025, 0.125, None, None, "South ward", None],
        ]
    )
    # A cell formatted as a percentage holds 0.125 but shows 12.5%.
    upload = _with_percent_cell(upload, "C6")
    rows = read_rows(upload)
    assert rows[0] == {
        "indicator": "HW-01",
        "period": "2025-03-31",
        "value": "12.3",  # not 12.299999999999999
        "lower": "11",
        "upper": "14",
        "breakdown": "",
        "source_note": "Annual survey",
    }

    from_excel = import_readings(
        plan=world.plan, rows=rows, user=world.lead, membership=world.membership(world.lead)
    )
    the_same_as_csv = import_file(
        world,
        csv_file(
            HEADER + "HW-01,2025-03-31,12.3,11,14,,Annual survey\n"
            "HW-01,2025-06,13,,,,\n"
            "HS-01,2024/25,7,,,North ward,\n"
            "HS-01,2025,12.5,,,South ward,\n"
        ),
    )

    assert counts(from_excel) == (4, 0, 0)
    assert counts(the_same_as_csv) == (0, 0, 4)


def _with_percent_cell(upload: SimpleUploadedFile, cell: str) -> SimpleUploadedFile:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(upload.read()))
    workbook.active[cell].number_format = "0.0%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(upload.name, buffer.getvalue())


def test_errors_name_the_row_the_spreadsheet_shows_after_empty_rows(world, indicators):
    text = HEADER + "HW-01,2025-03,12,,,,\n\n,,,,,,\nHW-01,2025-04,twelve,,,,\n"

    result = import_file(world, csv_file(text))

    assert result.errors == [RowError(5, "value", "The value “twelve” is not a number.")]


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("XX-99,2025-03,12,,,,", "indicator", "There is no indicator “XX-99” in this plan."),
        (",2025-03,12,,,,", "indicator", "The indicator’s reference is missing."),
        ("HW-01,Spring 2025,12,,,,", "period", "“Spring 2025” is not a period we recognise."),
        ("HW-01,2025-02-30,12,,,,", "period", "“2025-02-30” is not a real date."),
        ("HW-01,1989-12-31,12,,,,", "period", "1989-12-31 is outside 1990–2100."),
        ("HW-01,,12,,,,", "period", "The period is missing."),
        ("HW-01,2025-03,twelve,,,,", "value", "The value “twelve” is not a number."),
        ("HW-01,2025-03,NaN,,,,", "value", "The value “NaN” is not a number."),
        ("HW-01,2025-03,inf,,,,", "value", "The value “inf” is not a number."),
        ("HW-01,2025-03,1e13,,,,", "value", "The value 1e13 is too large"),
        ("HW-01,2025-03,1234567890123,,,,", "value", "The value 1234567890123 is too large"),
        ("HW-01,2025-03,,,,,", "value", "The value is missing."),
        ("HW-01,2025-03,12,low,,,", "lower", "The lower bound “low” is not a number."),
        ("HW-01,2025-03,12,,high,,", "upper", "The upper bound “high” is not a number."),
        ("HW-01,2025-03,12,15,,,", "lower", "The lower bound 15 is above the value 12."),
        ("HW-01,2025-03,12,,10,,", "upper", "The upper bound 10 is below the value 12."),
        (f"HW-01,2025-03,12,,,{'w' * 101},", "breakdown", "at most 100 characters; this has 101"),
        (f"HW-01,2025-03,12,,,,{'n' * 301}", "source_note", "at most 300 characters; this has 301"),
        (
            "HW-01,2025-01-31,12,,,,",
            "period",
            "Row 2 already gives HW-01 for 2025-01-31. Give each period once.",
        ),
        (
            # A date is the last day of a quarter (HW-01 is quarterly); 2025-01 is January.
            "HW-01,2025-01,12,,,,",
            "period",
            "Row 2 already gives HW-01 for 2025-01-31, written another way: a date is the last "
            "day of a quarterly period, while a name such as 2024-03 or 2023/24 is that period "
            "alone. Write both the same way.",
        ),
    ],
)
def test_a_bad_row_is_reported_and_nothing_is_saved(world, indicators, row, column, message):
    # Row 2 is good, row 3 is bad: row 2 must not be saved either.
    text = HEADER + "HW-01,31/01/2025,11,,,,\n" + row + "\n"

    result = import_file(world, csv_file(text))

    assert not result.ok
    assert counts(result) == (0, 0, 0)
    assert [(e.row, e.column) for e in result.errors] == [(3, column)]
    assert message in result.errors[0].message
    assert Reading.objects.count() == 0


def test_every_bad_row_is_reported_at_once_and_an_existing_reading_is_not_changed(
    world, indicators
):
    import_file(world, csv_file(HEADER + "HW-01,2025-03,12,,,,\n"))
    text = (
        HEADER + "HW-01,2025-03,99,,,,\n"  # a good change, which must not be saved
        "HW-01,2025-04,twelve,13,,,\n"
        "HW-01,1850,12,,,,\n"
        "HS-01,2025-03,12,,,North,\n"
        "HS-01,2025-03-31,13,,,North,\n"
    )

    result = import_file(world, csv_file(text))

    assert [str(error) for error in result.errors] == [
        "Row 3, column value: The value “twelve” is not a number.",
        "Row 4, column period: 1850 is outside 1990–2100.",
        "Row 6, column period: Row 5 already gives HS-01 for 2025-03-31 for “North”, written "
        "another way: a date is the last day of a quarterly period, while a name such as "
        "2024-03 or 2023/24 is that period alone. Write both the same way.",
    ]
    assert Reading.objects.get().value == 12


def test_the_same_period_for_another_breakdown_is_not_a_duplicate(world, indicators):
    text = HEADER + "HW-01,2025-03,12,,,,\nHW-01,2025-03,14,,,North,\nHW-01,2025-03,9,,,South,\n"

    assert counts(import_file(world, csv_file(text))) == (3, 0, 0)


def test_a_partner_may_import_readings_for_their_organisations_indicators(world, indicators):
    result = import_file(world, csv_file(HEADER + "HS-01,2025-03,7,,,,\n"), user=world.partner)

    assert counts(result) == (1, 0, 0)
    assert Reading.objects.get().entered_by == world.partner


def test_a_partner_may_not_import_for_another_organisations_indicator(world, indicators):
    text = HEADER + "HS-01,2025-03,7,,,,\nHW-01,2025-03,12,,,,\n"

    result = import_file(world, csv_file(text), user=world.partner)

    assert result.errors == [
        RowError(
            3,
            "indicator",
            "Only leads and partners from Riverside Council may enter readings for HW-01.",
        )
    ]
    assert Reading.objects.count() == 0


def test_a_board_members_import_is_refused_for_every_row(world, indicators):
    result = import_file(world, csv_file(GOOD), user=world.board)

    assert [(e.row, e.column) for e in result.errors] == [
        (2, "indicator"),
        (3, "indicator"),
        (4, "indicator"),
    ]
    assert Reading.objects.count() == 0


def test_another_plans_indicator_is_unknown_like_one_that_does_not_exist(world, indicators):
    text = HEADER + "HILL-01,2025-03,12,,,,\nNOPE-01,2025-03,12,,,,\n"

    result = import_file(world, csv_file(text))

    messages = [error.message for error in result.errors]
    assert messages == [
        "There is no indicator “HILL-01” in this plan.",
        "There is no indicator “NOPE-01” in this plan.",
    ]
    assert Reading.objects.count() == 0


def test_a_membership_of_another_partnership_is_refused_outright(world, indicators):
    outsider = world.outsider.memberships.get()

    with pytest.raises(ValueError, match="partnership"):
        import_readings(plan=world.plan, rows=[], user=world.outsider, membership=outsider)


# Reading files --------------------------------------------------------------------------


def test_extra_and_missing_columns_are_one_error_that_lists_them(world, indicators):
    error = read_rows(csv_file("Indicator,Value,Colour,Notes\nHW-01,12,red,x\n"))

    assert error == RowError(
        1,
        "",
        "Unknown columns: colour, notes. Missing columns: period. The columns are: "
        "indicator, period, value, lower, upper, confidence_level, count, denominator, "
        "value_note, series_break, breakdown, source_note, comparator, area_code, period_start, "
        "period_end (indicator, period and value are needed).",
    )


def test_a_value_under_a_column_without_a_heading_is_refused(world, indicators):
    error = read_rows(csv_file("indicator,period,value\nHW-01,2025,12,surprise\n"))

    assert isinstance(error, RowError)
    assert (error.row, error.column) == (2, "")
    assert "“surprise” in column 4, which has no heading" in error.message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"%PDF-1.7 not a spreadsheet", "not of a kind we accept"),
        # 0x81 is a character in neither UTF-8 nor Windows-1252 (which are read).
        (
            b"indicator,period,value\n" + b"x" * 9000 + b"\x81\n",
            "neither UTF-8 nor Windows-1252 text: line 2 has byte 0x81",
        ),
        (b"PK\x03\x04 a broken zip", "not of a kind we accept"),
        (b"\n\n", "Its first row must name the columns"),
    ],
)
def test_a_file_that_is_not_a_readable_spreadsheet_is_refused(content, message):
    error = read_rows(SimpleUploadedFile("readings.csv", content))

    assert isinstance(error, RowError)
    assert message in error.message


def test_a_file_too_big_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 100

    error = read_rows(csv_file(HEADER + "HW-01,2025,12,,,,\n" * 40))

    assert isinstance(error, RowError)
    assert error.row == 0
    assert "the most we accept" in error.message


# Exporting ------------------------------------------------------------------------------


def export(plan: Plan) -> str:
    out = StringIO()
    write_readings_csv(plan, out)
    return out.getvalue()


def test_the_export_lists_every_reading_in_the_import_columns(world, indicators):
    import_file(world, csv_file(GOOD))
    Reading.objects.create(indicator=indicators.elsewhere, period=date(2025, 3, 31), value=1)

    text = export(world.plan)

    # The period as the source wrote it (or its last day), and its first and last days.
    assert text.splitlines() == [
        "\ufeff" + ",".join(COLUMNS),
        "HS-01,2024/25,7,,,,,,,,North ward,,,,2024-04-01,2025-03-31",
        "HW-01,2025-03-31,12.5,11,14,95,,,,,,Annual survey,,,2025-01-01,2025-03-31",
        "HW-01,2025-06-30,13,,,,,,,,,,,,2025-06-01,2025-06-30",
    ]


def test_exporting_and_importing_again_changes_nothing(world, indicators):
    # A score may be negative or a million; a percentage could be neither.
    Indicator.objects.filter(pk=indicators.council.pk).update(unit=Indicator.Unit.SCORE)
    text = (
        HEADER + 'HW-01,2025-03,12.5,11.25,14,,"Survey, wave 2"\n'
        "HW-01,2024-Q4,-3.5,-4,0,,\n"
        "HW-01,2023,1000000,,,,\n"
        'HS-01,2024/25,0.0001,0,,North ward,"Two\nlines"\n'
        "HS-01,2024/25,7,,,=SUM(A1),@cmd\n"
        "HS-01,2024/25,8,,,-1 to 0,+44 1234\n"
    )
    assert counts(import_file(world, csv_file(text))) == (6, 0, 0)

    again = import_file(world, csv_file(export(world.plan)))

    assert again.ok
    assert counts(again) == (0, 0, 6)


def test_the_export_neutralises_cells_a_spreadsheet_would_run_as_formulas(world, indicators):
    Reading.objects.create(
        indicator=indicators.council,
        period=date(2025, 3, 31),
        value=Decimal("-2.5"),
        lower=Decimal("-3"),
        breakdown='=HYPERLINK("http://evil.example","x")',
        source_note="@SUM(1+1)",
    )
    Reading.objects.create(
        indicator=indicators.council,
        period=date(2025, 3, 31),
        value=1,
        breakdown="+44 20 7946 0000",
        source_note="-2+3",
    )

    lines = export(world.plan).splitlines()

    assert lines[1:] == [
        "HW-01,2025-03-31,1,,,,,,,,'+44 20 7946 0000,'-2+3,,,2025-01-01,2025-03-31",
        "HW-01,2025-03-31,-2.5,-3,,95,,,,,"
        '"\'=HYPERLINK(""http://evil.example"",""x"")",\'@SUM(1+1)'
        ",,,2025-01-01,2025-03-31",
    ]


# Periods ----------------------------------------------------------------------------------


def parse_period(text: str) -> date:
    """The last day of the period ``text`` names (outcomes/tests/test_period_parsing.py tests
    the first days too)."""
    return periods.parse(text).end


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2025-03-31", date(2025, 3, 31)),
        ("2025-03-01", date(2025, 3, 1)),
        ("31/03/2025", date(2025, 3, 31)),
        ("1/4/2025", date(2025, 4, 1)),
        ("2025-03", date(2025, 3, 31)),
        ("2024-02", date(2024, 2, 29)),
        ("2025-Q1", date(2025, 3, 31)),
        ("2025 Q2", date(2025, 6, 30)),
        ("2025q3", date(2025, 9, 30)),
        ("2025-Q4", date(2025, 12, 31)),
        ("2025", date(2025, 12, 31)),
        ("2024/25", date(2025, 3, 31)),
        ("2024-25", date(2025, 3, 31)),
        ("1999/00", date(2000, 3, 31)),
        (" 2025 ", date(2025, 12, 31)),
        ("1990-01-01", date(1990, 1, 1)),
        ("2100-12-31", date(2100, 12, 31)),
    ],
)
def test_parse_period_takes_every_form(text, day):
    assert parse_period(text) == day


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1989-12-31", "1989-12-31 is outside 1990–2100."),
        ("2101", "2101 is outside 1990–2100."),
        ("2100/01", "2100/01 is outside 1990–2100."),
        ("Spring 2025", "“Spring 2025” is not a period we recognise. Write 2024 (a calendar"),
        ("2024/26", "“2024/26” is not a period we recognise."),
        ("2025-13", "“2025-13” is not a period we recognise."),
        ("2025-Q5", "“2025-Q5” is not a period we recognise."),
        ("31/02/2025", "“31/02/2025” is not a real date."),
        ("2011-12", "“2011-12” could be a month or a financial year. Write 2011-12-31"),
    ],
)
def test_parse_period_refuses_what_it_cannot_place(text, message):
    with pytest.raises(ValueError) as refusal:
        parse_period(text)

    assert message in str(refusal.value)


def test_parse_periods_refusal_lists_the_accepted_forms():
    with pytest.raises(ValueError) as refusal:
        periods.parse("last spring")

    for form in ("2024-03-31", "31/03/2024", "2024-03", "Mar 2024", "Q3 2024", "2024/25 Q3"):
        assert form in str(refusal.value)
    for form in ("2024 (a calendar year)", "2023/24 (a financial or school year)", "2020 - 22"):
        assert form in str(refusal.value)


# The management command -----------------------------------------------------------------


def test_the_command_imports_a_file_as_the_first_lead(world, indicators, tmp_path):
    path = tmp_path / "readings.csv"
    path.write_text(GOOD, encoding="utf-8")
    out = StringIO()

    call_command("import_readings", str(path), "--plan", str(world.plan.pk), stdout=out)

    assert out.getvalue().strip() == "Created 3, updated 0, unchanged 0."
    assert set(Reading.objects.values_list("entered_by", flat=True)) == {world.lead.pk}
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.IMPORT).count() == 1


def test_the_command_imports_an_excel_file_as_a_named_partner(world, indicators, tmp_path):
    path = tmp_path / "readings.xlsx"
    path.write_bytes(xlsx_file([["indicator", "period", "value"], ["HS-01", "2025-Q1", 7]]).read())
    out = StringIO()

    call_command(
        "import_readings",
        str(path),
        f"--plan={world.plan.pk}",
        f"--as={world.partner.email.upper()}",
        stdout=out,
    )

    assert out.getvalue().strip() == "Created 1, updated 0, unchanged 0."
    assert Reading.objects.get().entered_by == world.partner


def test_the_command_reports_every_error_and_saves_nothing(world, indicators, tmp_path):
    path = tmp_path / "readings.csv"
    path.write_text(GOOD + "HW-01,2025-09,twelve,,,,\n", encoding="utf-8")
    err = StringIO()

    with pytest.raises(CommandError, match="Nothing was imported: the file has 4 problems"):
        call_command(
            "import_readings",
            str(path),
            "--plan",
            str(world.plan.pk),
            "--as",
            world.partner.email,
            stdout=StringIO(),
            stderr=err,
        )

    assert err.getvalue().splitlines() == [
        "Row 2, column indicator: Only leads and partners from Riverside Council may enter "
        "readings for HW-01.",
        "Row 3, column indicator: Only leads and partners from Riverside Council may enter "
        "readings for HW-01.",
        "Row 5, column indicator: Only leads and partners from Riverside Council may enter "
        "readings for HW-01.",
        "Row 5, column value: The value “twelve” is not a number.",
    ]
    assert Reading.objects.count() == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--plan", "999999"], "There is no plan with id 999999."),
        (["--as", "nobody@example.org"], "nobody@example.org is not a member of"),
        (["--as", "OUTSIDER"], "is not a member of"),
    ],
)
def test_the_command_refuses_an_unknown_plan_or_a_non_member(
    world, indicators, tmp_path, arguments, message
):
    path = tmp_path / "readings.csv"
    path.write_text(GOOD, encoding="utf-8")
    arguments = [world.outsider.email if a == "OUTSIDER" else a for a in arguments]
    if "--plan" not in arguments:
        arguments += ["--plan", str(world.plan.pk)]

    with pytest.raises(CommandError, match=message):
        call_command("import_readings", str(path), *arguments, stdout=StringIO())

    assert Reading.objects.count() == 0


def test_an_archived_plan_is_refused_and_nothing_changes(world, indicators, tmp_path):
    kept = Reading.objects.create(
        indicator=indicators.council, period=date(2025, 3, 31), value=Decimal("20")
    )
    world.plan.status = Plan.Status.ARCHIVED
    world.plan.save()
    path = tmp_path / "readings.csv"
    path.write_text(GOOD, encoding="utf-8")
    history_rows = Reading.history.count()

    with pytest.raises(CommandError) as refusal:
        call_command("import_readings", str(path), "--plan", str(world.plan.pk), stdout=StringIO())

    assert str(refusal.value) == (
        "The plan “Healthier Riverside” is archived, so it is read only: nothing was imported. "
        "A lead may reopen it from the plan's page."
    )
    result = import_readings(
        plan=world.plan,
        rows=[{"indicator": "HW-01", "period": "2025-03-31", "value": "5"}],
        user=world.lead,
        membership=world.membership(world.lead),
    )
    assert [str(error) for error in result.errors] == [
        "This plan is archived, so it is read only: nothing was imported. "
        "A lead may reopen it from the plan's page."
    ]
    assert list(Reading.objects.values_list("pk", "value")) == [(kept.pk, Decimal("20"))]
    assert Reading.history.count() == history_rows
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.IMPORT).exists()


def test_the_command_reports_a_file_it_cannot_read(world, tmp_path):
    with pytest.raises(CommandError, match="Could not read"):
        call_command("import_readings", str(tmp_path / "missing.csv"), "--plan", str(world.plan.pk))


# Size ---------------------------------------------------------------------------------------


def test_twenty_thousand_rows_import_in_one_go(world, indicators):
    codes = [f"BIG-{n:02}" for n in range(20)]
    for code in codes:
        make_indicator(world.plan, code, world.council)
    # Counts, which may pass 100 as these do.
    Indicator.objects.filter(code__in=codes).update(unit=Indicator.Unit.COUNT)
    lines = [
        f"{code},{1990 + month // 12}-{month % 12 + 1:02},{month * 1.5 + n},,,Ward {ward},\n"
        for n, code in enumerate(codes)
        for month in range(100)
        for ward in range(10)
    ]
    upload = csv_file(HEADER + "".join(lines))

    first = import_file(world, upload)
    second = import_file(world, upload)

    assert counts(first) == (20_000, 0, 0)
    assert counts(second) == (0, 0, 20_000)
    assert Reading.objects.filter(indicator__plan=world.plan).count() == 20_000
