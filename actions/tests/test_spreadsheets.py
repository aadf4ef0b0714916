"""The action plan as an Excel workbook: exported, edited and imported back, all or nothing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from actions.models import Action
from actions.spreadsheets import (
    CLOSED_SHEET,
    COLUMNS,
    MONEY_SHEET,
    OPEN_SHEET,
    SPEND_SHEET,
    import_xlsx,
    write_csv,
    write_xlsx,
)
from improveplan.models import Plan
from improveplan.uploads import XLSX
from outcomes.models import Indicator, Outcome
from outcomes.readings_io import ImportResult, RowError

pytestmark = pytest.mark.django_db


def make_action(plan: Plan, **fields) -> Action:
    """An action numbered as the service numbers them: the plan's next, never reused."""
    Plan.objects.filter(pk=plan.pk).update(last_action_number=plan.last_action_number + 1)
    plan.refresh_from_db()
    number = plan.last_action_number
    links = {name: fields.pop(name, []) for name in ("outcomes", "supporting", "depends_on")}
    fields.setdefault("title", f"Action {number}")
    action = Action.objects.create(plan=plan, number=number, reference=f"A-{number:02d}", **fields)
    action.outcomes.set(links["outcomes"])
    action.supporting_organisations.set(links["supporting"])
    action.depends_on.set(links["depends_on"])
    return action


@dataclass
class Actions:
    warm_homes: Action  # every column filled in
    advice: Action  # depends on A-01
    leaflet: Action  # closed
    outcome: Outcome
    indicator: Indicator


@pytest.fixture
def actions(world) -> Actions:
    plan = world.plan
    outcome = Outcome.objects.create(plan=plan, statement="Warm, healthy homes", priority=1)
    second = Outcome.objects.create(plan=plan, statement="Fewer falls", priority=2)
    indicator = Indicator.objects.create(
        plan=plan, outcome=outcome, code="HW-01", name="Cold homes", owner=world.council
    )
    warm_homes = make_action(
        plan,
        title="Warm homes grants",
        # As a browser sends a textarea, with Windows line ends.
        description="Grants for insulation.\r\nFirst the coldest streets.",
        lead_organisation=world.council,
        owner=world.lead,
        start=date(2026, 4, 1),
        due=date(2027, 3, 31),
        term=Action.Term.LONG,
        resource_amount=Decimal("25000.50"),
        resource_provider=world.housing,
        staff_time="0.5 FTE for a year",
        expected_outputs="400 homes insulated",
        expected_outcomes="Fewer winter admissions",
        success_indicator=indicator,
        success_measure="400 homes by March 2027",
        monitoring="Quarterly counts",
        corporate_plan_ref="CP-7",
        status=Action.Status.ON_TRACK,
        progress=40,
        outcomes=[outcome, second],
        supporting=[world.housing],
    )
    advice = make_action(
        plan,
        title='=HYPERLINK("http://evil.example", "Advice line")',
        lead_organisation=world.housing,
        owner=world.partner,
        outcomes=[outcome],
        depends_on=[warm_homes],
    )
    leaflet = make_action(
        plan,
        title="Leaflet",
        lead_organisation=world.council,
        closure=Action.Closure.CLOSED,
        status=Action.Status.COMPLETE,
        progress=100,
    )
    return Actions(warm_homes, advice, leaflet, outcome, indicator)


# Helpers --------------------------------------------------------------------------------


def exported(plan: Plan) -> Workbook:
    out = io.BytesIO()
    write_xlsx(plan, out)
    return load_workbook(io.BytesIO(out.getvalue()))


def as_upload(workbook: Workbook) -> SimpleUploadedFile:
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("actions.xlsx", out.getvalue())


def row_of(workbook: Workbook, reference: str) -> tuple[str, int]:
    for sheet in workbook.worksheets:
        for number in range(2, sheet.max_row + 1):
            if sheet.cell(number, 1).value == reference:
                return sheet.title, number
    raise AssertionError(f"{reference} is in no sheet")


def edit(workbook: Workbook, reference: str, **cells) -> int:
    """Change cells of an action's row, by column name; return the row number."""
    title, number = row_of(workbook, reference)
    for column, value in cells.items():
        workbook[title].cell(number, COLUMNS.index(column) + 1).value = value
    return number


def add_row(workbook: Workbook, **cells) -> int:
    sheet = workbook[OPEN_SHEET]
    sheet.append([cells.get(column) for column in COLUMNS])
    return sheet.max_row


def import_it(world, workbook: Workbook) -> ImportResult:
    return import_xlsx(plan=world.plan, upload=as_upload(workbook), user=world.lead)


def snapshot(plan: Plan) -> list:
    """Everything an import could change."""
    plan.refresh_from_db()
    return [
        plan.last_action_number,
        list(Action.objects.filter(plan=plan).order_by("number").values()),
        list(Action.outcomes.through.objects.order_by("pk").values()),
        list(Action.supporting_organisations.through.objects.order_by("pk").values()),
        list(Action.depends_on.through.objects.order_by("pk").values()),
    ]


def where(result: ImportResult) -> list[tuple[int, str]]:
    return [(error.row, error.column) for error in result.errors]


# Exporting ------------------------------------------------------------------------------


def test_open_and_closed_actions_are_on_their_own_sheets(world, actions):
    workbook = exported(world.plan)

    assert workbook.sheetnames == [OPEN_SHEET, CLOSED_SHEET, SPEND_SHEET, MONEY_SHEET]
    opened, closed = workbook[OPEN_SHEET], workbook[CLOSED_SHEET]
    assert [cell.value for cell in opened[1]] == COLUMNS
    assert [row[0] for row in opened.iter_rows(min_row=2, values_only=True)] == ["A-01", "A-02"]
    assert [row[0] for row in closed.iter_rows(min_row=2, values_only=True)] == ["A-03"]
    for sheet in (opened, closed):
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.b for cell in sheet[1])
        assert sheet.column_dimensions["B"].width == 40


def test_the_cells_say_what_the_action_says(world, actions):
    sheet = exported(world.plan)[OPEN_SHEET]
    row = dict(zip(COLUMNS, sheet[2], strict=True))

    assert row["outcomes"].value == "1, 2"
    assert row["lead_organisation"].value == "Riverside Council"
    assert row["owner"].value == world.lead.email
    assert row["supporting_organisations"].value == "Riverside Housing"
    # Real dates, which Excel sorts and filters as dates.
    assert row["start"].value == datetime(2026, 4, 1)
    assert row["start"].is_date
    assert row["due"].number_format == "yyyy-mm-dd"
    assert row["term"].value == "Long term"
    assert row["resources"].value == 25000.5
    assert row["success_indicator"].value == "HW-01"
    assert row["status"].value == "On track"
    assert row["progress"].value == 40
    assert dict(zip(COLUMNS, sheet[3], strict=True))["depends_on"].value == "A-01"


def test_text_that_looks_like_a_formula_stays_text(world, actions):
    cell = exported(world.plan)[OPEN_SHEET]["B3"]

    assert cell.value.startswith("=HYPERLINK")
    assert cell.data_type == "s"


def test_the_query_count_does_not_grow_with_the_actions(world, django_assert_max_num_queries):
    outcome = Outcome.objects.create(plan=world.plan, statement="Warm homes")

    def queries_for(count: int) -> int:
        while world.plan.last_action_number < count:
            earlier = Action.objects.filter(plan=world.plan).last()
            make_action(
                world.plan,
                lead_organisation=world.council,
                owner=world.lead,
                resource_provider=world.housing,
                outcomes=[outcome],
                supporting=[world.housing],
                depends_on=[earlier] if earlier else [],
            )
        with CaptureQueriesContext(connection) as captured:
            write_xlsx(world.plan, io.BytesIO())
        return len(captured)

    # Issue 24's money sheets add five: the spend, the outcomes, and the pooled budget, its
    # contributions and allocations.
    with django_assert_max_num_queries(10):
        write_xlsx(world.plan, io.BytesIO())
    assert queries_for(10) == queries_for(100) <= 10


def test_csv_has_the_columns_and_guards_formulas(world, actions):
    out = io.StringIO()

    count = write_csv(world.plan, out)

    assert count == 3
    assert out.getvalue().startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(out.getvalue().removeprefix("\ufeff"))))
    assert list(rows[0]) == [*COLUMNS, "closed"]
    assert [row["reference"] for row in rows] == ["A-01", "A-02", "A-03"]
    assert [row["closed"] for row in rows] == ["no", "no", "yes"]
    assert rows[0]["start"] == "2026-04-01"
    assert rows[0]["resources"] == "25000.5"
    assert rows[1]["title"].startswith("'=HYPERLINK")


# Importing: what changes ----------------------------------------------------------------


def test_importing_the_exported_workbook_changes_nothing(world, actions):
    before = snapshot(world.plan)

    result = import_it(world, exported(world.plan))

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert snapshot(world.plan) == before


def test_an_edited_title_changes_that_action_and_its_version(world, actions):
    workbook = exported(world.plan)
    edit(workbook, "A-01", title="Warm homes grants for everyone")

    result = import_it(world, workbook)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    actions.warm_homes.refresh_from_db()
    actions.advice.refresh_from_db()
    assert actions.warm_homes.title == "Warm homes grants for everyone"
    assert actions.warm_homes.version == 2
    assert actions.advice.version == 1
    # What the row did not change stays as it was.
    assert actions.warm_homes.resource_amount == Decimal("25000.50")
    assert set(actions.warm_homes.outcomes.values_list("priority", flat=True)) == {1, 2}


def test_edited_lists_and_choices_are_saved(world, actions):
    workbook = exported(world.plan)
    edit(
        workbook,
        "A-02",
        outcomes="2",
        supporting_organisations="riverside council",
        status="at risk",
        term="quick_win",
        progress="55%",
        depends_on="",
        due="31/12/2026",
    )

    result = import_it(world, workbook)

    assert result.updated == 1, result.errors
    advice = Action.objects.get(pk=actions.advice.pk)
    assert list(advice.outcomes.values_list("priority", flat=True)) == [2]
    assert list(advice.supporting_organisations.all()) == [world.council]
    assert (advice.status, advice.term, advice.progress) == ("at_risk", "quick_win", 55)
    assert advice.due == date(2026, 12, 31)
    assert not advice.depends_on.exists()


def test_a_new_row_gets_the_next_reference_never_a_used_one(world, actions):
    actions.advice.delete()  # A-02 is gone; A-03 was the last given
    workbook = exported(world.plan)
    add_row(
        workbook,
        title="Falls prevention classes",
        lead_organisation="Riverside Housing",
        owner=world.partner.email,
        outcomes="2",
        depends_on="A-01",
    )
    # A second new row may wait for the first, by the reference it is about to get.
    add_row(
        workbook,
        title="Evaluate the classes",
        lead_organisation="Riverside Council",
        depends_on="A-04",
    )

    result = import_it(world, workbook)

    assert (result.created, result.updated, result.unchanged) == (2, 0, 2), result.errors
    classes = Action.objects.get(plan=world.plan, reference="A-04")
    evaluation = Action.objects.get(plan=world.plan, reference="A-05")
    assert classes.title == "Falls prevention classes"
    assert classes.owner == world.partner
    assert (classes.status, classes.term, classes.progress) == ("not_started", "short", 0)
    assert list(classes.depends_on.all()) == [actions.warm_homes]
    assert list(evaluation.depends_on.all()) == [classes]
    world.plan.refresh_from_db()
    assert world.plan.last_action_number == 5


def test_dependencies_that_meet_again_are_not_a_circle(world, actions):
    workbook = exported(world.plan)
    add_row(workbook, title="Both", lead_organisation="Riverside Council", depends_on="A-01, A-02")

    result = import_it(world, workbook)

    assert result.ok, result.errors


# Importing: what is refused -------------------------------------------------------------


def _missing_column(world, workbook):
    workbook[OPEN_SHEET].delete_cols(COLUMNS.index("owner") + 1)
    return 1, "owner"


def _unknown_lead(world, workbook):
    return edit(workbook, "A-02", lead_organisation="Riverside Bakery"), "lead_organisation"


def _owner_outside_the_lead(world, workbook):
    # Pat works for Riverside Housing; A-01 is led by Riverside Council.
    return edit(workbook, "A-01", owner=world.partner.email), "owner"


def _another_partnerships_organisation(world, workbook):
    return edit(workbook, "A-02", supporting_organisations="Hillside Council"), (
        "supporting_organisations"
    )


def _another_partnerships_provider(world, workbook):
    return edit(workbook, "A-02", resource_provider="Hillside Council"), "resource_provider"


def _unknown_outcome(world, workbook):
    return edit(workbook, "A-02", outcomes="1, 9"), "outcomes"


def _due_before_start(world, workbook):
    return edit(workbook, "A-01", due=datetime(2026, 3, 1)), "due"


def _progress_over_100(world, workbook):
    return edit(workbook, "A-02", progress=101), "progress"


def _dependency_circle(world, workbook):
    # A-02 already depends on A-01.
    return edit(workbook, "A-01", depends_on="A-02"), "depends_on"


def _unknown_dependency(world, workbook):
    return edit(workbook, "A-02", depends_on="A-01, A-99"), "depends_on"


def _depends_on_a_new_row_below(world, workbook):
    add_row(workbook, title="New", lead_organisation="Riverside Council")  # will be A-04
    return edit(workbook, "A-02", depends_on="A-04"), "depends_on"


def _unknown_indicator(world, workbook):
    return edit(workbook, "A-01", success_indicator="HILL-01"), "success_indicator"


def _negative_resources(world, workbook):
    return edit(workbook, "A-01", resources=-5), "resources"


def _unknown_status(world, workbook):
    return edit(workbook, "A-01", status="Nearly there"), "status"


def _empty_status_of_an_action(world, workbook):
    return edit(workbook, "A-01", status=None), "status"


def _no_title(world, workbook):
    return add_row(workbook, lead_organisation="Riverside Council"), "title"


def _a_closed_action_on_the_open_sheet(world, workbook):
    workbook[CLOSED_SHEET].delete_rows(2)
    row = add_row(
        workbook,
        reference="A-03",
        title="Leaflet",
        lead_organisation="Riverside Council",
        term="Short term",
        status="Complete",
        progress=100,
    )
    return row, "reference"


def _an_action_given_twice(world, workbook):
    row = add_row(
        workbook,
        reference="A-01",
        title="Again",
        lead_organisation="Riverside Council",
        term="Short term",
        status="On track",
        progress=1,
    )
    return row, "reference"


@pytest.mark.parametrize(
    "spoil",
    [
        _missing_column,
        _unknown_lead,
        _owner_outside_the_lead,
        _another_partnerships_organisation,
        _another_partnerships_provider,
        _unknown_outcome,
        _due_before_start,
        _progress_over_100,
        _dependency_circle,
        _unknown_dependency,
        _depends_on_a_new_row_below,
        _unknown_indicator,
        _negative_resources,
        _unknown_status,
        _empty_status_of_an_action,
        _no_title,
        _a_closed_action_on_the_open_sheet,
        _an_action_given_twice,
    ],
)
def test_a_bad_row_is_named_and_nothing_is_saved(world, actions, spoil):
    Indicator.objects.create(
        plan=world.other_plan,
        outcome=Outcome.objects.create(plan=world.other_plan, statement="Elsewhere"),
        code="HILL-01",
        name="Elsewhere",
        owner=world.other_organisation,
    )
    workbook = exported(world.plan)
    # A good change and a new row too: neither may be saved while any row is wrong.
    edit(workbook, "A-03", title="Leaflet, reprinted")
    add_row(workbook, title="A good new action", lead_organisation="Riverside Council")
    row, column = spoil(world, workbook)
    before = snapshot(world.plan)

    result = import_it(world, workbook)

    assert where(result) == [(row, column)], result.errors
    assert snapshot(world.plan) == before


def test_the_messages_say_what_is_wrong(world, actions):
    workbook = exported(world.plan)
    owner_row = edit(workbook, "A-01", owner=world.partner.email, depends_on="A-02")
    lead_row = edit(workbook, "A-02", lead_organisation="Hillside Council", progress=101)

    messages = {(e.row, e.column): e.message for e in import_it(world, workbook).errors}

    assert "The owner must work for the lead organisation" in messages[owner_row, "owner"]
    assert "Riverside Housing, not Riverside Council" in messages[owner_row, "owner"]
    assert messages[lead_row, "lead_organisation"].startswith(
        "There is no organisation “Hillside Council” in Riverside Partnership."
    )
    assert "whole number from 0 to 100" in messages[lead_row, "progress"]


def test_a_circle_is_named_on_the_row_that_makes_it(world, actions):
    workbook = exported(world.plan)
    row = edit(workbook, "A-01", depends_on="A-02")

    (error,) = import_it(world, workbook).errors

    assert (error.row, error.column) == (row, "depends_on")
    assert "A-01 → A-02 → A-01" in error.message


def test_another_plans_reference_is_unknown(world, actions):
    elsewhere = [
        make_action(world.other_plan, lead_organisation=world.other_organisation) for _ in range(7)
    ]
    workbook = exported(world.plan)
    row = add_row(
        workbook,
        reference="A-07",
        title="Taken over",
        lead_organisation="Riverside Council",
        status="On track",
        progress=0,
    )
    before = snapshot(world.plan)

    (error,) = import_it(world, workbook).errors

    assert (error.row, error.column) == (row, "reference")
    assert error.message == "There is no action A-07 in this plan."
    assert snapshot(world.plan) == before
    elsewhere[-1].refresh_from_db()
    assert elsewhere[-1].title == "Action 7"


def test_errors_on_the_closed_sheet_say_so(world, actions):
    workbook = exported(world.plan)
    edit(workbook, "A-03", progress=150)

    (error,) = import_it(world, workbook).errors

    assert (error.row, error.column) == (2, "progress")
    assert error.message.startswith(f"On the “{CLOSED_SHEET}” sheet:")


def test_a_new_action_cannot_start_on_the_closed_sheet(world, actions):
    workbook = exported(world.plan)
    workbook[CLOSED_SHEET].append(["", "Done already", None, None, "Riverside Council"])

    (error,) = import_it(world, workbook).errors

    assert (error.row, error.column) == (3, "reference")


def test_a_file_that_is_not_a_workbook_is_refused(world, actions):
    upload = SimpleUploadedFile("actions.xlsx", b"reference,title\n,Something\n")

    result = import_xlsx(plan=world.plan, upload=upload, user=world.lead)

    assert result.errors == [
        RowError(0, "", "This file's contents are not of a kind we accept (Excel workbook).")
    ]


def test_a_workbook_without_the_open_sheet_is_refused(world, actions):
    workbook = Workbook()
    workbook.active.append(COLUMNS)

    (error,) = import_it(world, workbook).errors

    assert error.row == 0
    assert OPEN_SHEET in error.message


def test_the_workbook_can_be_written_straight_into_a_response(world, actions):
    response = HttpResponse(content_type=XLSX.content_type)

    write_xlsx(world.plan, response)

    assert load_workbook(io.BytesIO(response.content)).sheetnames == [
        OPEN_SHEET,
        CLOSED_SHEET,
        SPEND_SHEET,
        MONEY_SHEET,
    ]
