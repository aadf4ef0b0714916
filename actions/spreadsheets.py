"""A plan's actions in and out of spreadsheets.

`write_xlsx` writes the actions to an Excel workbook, open ones on one sheet and closed ones
on another; `import_xlsx` reads such a workbook back, checks every row, and then saves all of
them or, if any is wrong, none. A workbook exported and imported unchanged changes nothing.
`write_csv` writes the same columns as one CSV file, for other tools.

The import follows outcomes.readings_io, and reports problems with its RowError and
ImportResult.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import BinaryIO, TextIO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from actions import spending
from actions.dependencies import find_cycle
from actions.models import Action, Spend
from improveplan import history
from improveplan.models import Membership, Organisation, Plan
from improveplan.spreadsheet_limits import Limits, measure_xlsx
from improveplan.text import one_line
from improveplan.uploads import XLSX, check_upload
from outcomes.models import Indicator, Outcome
from outcomes.readings_io import (
    EARLIEST,
    FORMULA_STARTS,
    LATEST,
    ImportResult,
    RowError,
    _column_name,
    _plain,
    _safe_cell,
    _Sized,
    _xlsx_text,
    parse_number,
)

OPEN_SHEET = "Open actions"
CLOSED_SHEET = "Closed actions"

# The columns of both sheets, in order. Each says what it holds and how it is written; the
# import page can show these to people filling in a sheet.
COLUMN_HELP = {
    "reference": "A-01, A-02…; leave it empty for a new action, which is given the next one",
    "title": "Needed; at most 200 characters",
    "description": "What will be done",
    "outcomes": "The numbers of the outcomes it serves, e.g. 1, 3",
    "lead_organisation": "Needed: the name of a partner organisation",
    "owner": "The email address of a member who works for the lead organisation",
    "supporting_organisations": "Partner organisations' names, separated by semicolons",
    "start": "A date, e.g. 2026-04-01",
    "due": "A date, not before the start",
    "term": "Quick win, Short term or Long term",
    "resources": "An amount in pounds, e.g. 1500 or 1500.50",
    "resource_provider": "The name of the partner organisation that provides the resources",
    "staff_time": "E.g. 0.5 FTE for a year",
    "expected_outputs": "What will be delivered",
    "expected_outcomes": "What difference it will make",
    "success_indicator": "The reference of one of the plan's indicators, e.g. HW-01",
    "success_measure": "Or a stated measure of success, with a number to reach",
    "monitoring": "How it will be monitored and evaluated",
    "corporate_plan_ref": "The partner's corporate plan reference",
    "status": "Not started, On track, At risk, Off track, Complete or Cancelled",
    "progress": "A whole number from 0 to 100",
    "depends_on": "References of the actions it waits for, e.g. A-01, A-04",
}
COLUMNS = list(COLUMN_HELP)
# The closed sheet's last columns: what a closed action showed and taught (issue 24). They are
# written for reading; an import leaves them as they are (they change on the action's page).
CLOSED_COLUMN_HELP = {
    "completion_evidence": "How we know it was done; read only: change it on the action's page",
    "lessons_learned": "What it taught us; read only: change it on the action's page",
}
CLOSED_COLUMNS = list(CLOSED_COLUMN_HELP)

WIDTHS = {
    "reference": 10,
    "title": 40,
    "description": 60,
    "outcomes": 10,
    "lead_organisation": 28,
    "owner": 30,
    "supporting_organisations": 36,
    "start": 12,
    "due": 12,
    "term": 12,
    "resources": 12,
    "resource_provider": 28,
    "staff_time": 20,
    "expected_outputs": 40,
    "expected_outcomes": 40,
    "success_indicator": 12,
    "success_measure": 40,
    "monitoring": 40,
    "corporate_plan_ref": 16,
    "status": 12,
    "progress": 10,
    "depends_on": 16,
    "completion_evidence": 50,
    "lessons_learned": 50,
}

# Beyond this a file is more likely a mistake than a plan's actions.
MAX_ROWS = 5000
# What a workbook may hold, measured before it is read (improveplan/spreadsheet_limits.py):
# both sheets' rows with their headers, and a few spare columns.
LIMITS = Limits(
    rows=MAX_ROWS + 2,
    columns=60,
    cells=(MAX_ROWS + 2) * 60,
    shared_strings=(MAX_ROWS + 2) * 30,
    unpacked_bytes=50 * 1_048_576,
    shared_strings_bytes=20 * 1_048_576,
)

# Text columns and the model fields they fill.
TEXT_FIELDS = (
    "title",
    "description",
    "staff_time",
    "expected_outputs",
    "expected_outcomes",
    "success_measure",
    "monitoring",
    "corporate_plan_ref",
)
# Everything an import may change, besides the three lists.
SAVED_FIELDS = (
    *TEXT_FIELDS,
    "lead_organisation_id",
    "owner_id",
    "start",
    "due",
    "term",
    "resource_amount",
    "resource_provider_id",
    "success_indicator_id",
    "status",
    "progress",
)
PENCE = Decimal("0.01")
MOST_POUNDS = Decimal(10) ** 10  # resource_amount has 12 digits, 2 after the point

_REFERENCE = re.compile(r"A-?0*(\d{1,9})", re.IGNORECASE)
_LIST_SEPARATOR = re.compile(r"[,;]")
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def reference_for(number: int) -> str:
    return f"A-{number:02d}"


# Exporting --------------------------------------------------------------------------------


def _actions_for_export(plan: Plan):
    """The plan's actions in number order, with all that the columns show: four queries
    however many actions there are."""
    return (
        Action.objects.filter(plan=plan)
        .select_related("lead_organisation", "owner", "resource_provider", "success_indicator")
        .prefetch_related(
            Prefetch("outcomes", queryset=Outcome.objects.only("pk", "priority").order_by()),
            Prefetch(
                "supporting_organisations",
                queryset=Organisation.objects.only("pk", "name").order_by(),
            ),
            Prefetch(
                "depends_on", queryset=Action.objects.only("pk", "number", "reference").order_by()
            ),
        )
        .order_by("number")
    )


def _values(action: Action) -> list:
    """The action's cells in COLUMNS order: text, whole numbers, Decimals and dates."""
    outcomes = sorted(outcome.priority for outcome in action.outcomes.all())
    supporting = sorted(
        (organisation.name for organisation in action.supporting_organisations.all()),
        key=str.lower,
    )
    depends_on = sorted(action.depends_on.all(), key=lambda other: other.number)
    return [
        action.reference,
        action.title,
        action.description,
        ", ".join(str(priority) for priority in outcomes),
        action.lead_organisation.name,
        action.owner.email if action.owner else "",
        "; ".join(supporting),
        action.start,
        action.due,
        action.get_term_display(),
        action.resource_amount,
        action.resource_provider.name if action.resource_provider else "",
        action.staff_time,
        action.expected_outputs,
        action.expected_outcomes,
        action.success_indicator.code if action.success_indicator else "",
        action.success_measure,
        action.monitoring,
        action.corporate_plan_ref,
        action.get_status_display(),
        action.progress,
        ", ".join(other.reference for other in depends_on),
    ]


def write_xlsx(plan: Plan, out: BinaryIO) -> None:
    """Write the plan's actions to ``out`` as an Excel workbook laid out as import_xlsx takes
    it back: open actions (also those waiting to be confirmed) on one sheet, closed ones on
    the other, each in number order under a bold, frozen heading row."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheets = {
        False: _new_sheet(workbook, OPEN_SHEET, COLUMNS),
        True: _new_sheet(workbook, CLOSED_SHEET, [*COLUMNS, *CLOSED_COLUMNS]),
    }
    actions = list(_actions_for_export(plan))
    for action in actions:
        closed = action.closure == Action.Closure.CLOSED
        sheet = sheets[closed]
        values = _values(action)
        if closed:
            values += [action.completion_evidence, action.lessons_learned]
        sheet.append([_xlsx_cell(sheet, value) for value in values])
    _write_money(workbook, plan, actions)
    workbook.save(out)


# Issue 24: the money, on sheets of their own that the import leaves alone.
SPEND_SHEET = "Spend"
MONEY_SHEET = "Money"


def _write_money(workbook, plan: Plan, actions: list[Action]) -> None:
    """What was spent on each action each quarter; then the pooled budget, contributions,
    allocations beside what is committed and spent, and resources by partner and by outcome,
    summed by the same functions as the pages and reports (actions/spending.py)."""
    spends = list(Spend.objects.filter(action__plan=plan).order_by("action__number", "quarter"))
    by_action = {action.pk: action for action in actions}
    sheet = _plain_sheet(
        workbook,
        SPEND_SHEET,
        [
            ("Reference", 12),
            ("Action", 50),
            ("Quarter from", 14),
            ("Spent (£)", 14),
            ("Committed (£)", 14),
            ("Note", 40),
        ],
    )
    spent: dict[int, Decimal] = {}
    for spend in spends:
        action = by_action[spend.action_id]
        spent[action.pk] = spent.get(action.pk, Decimal(0)) + spend.amount
        committed = (action.resource_amount or Decimal(0)) if action.is_live else Decimal(0)
        row = [action.reference, action.title, spend.quarter, spend.amount, committed, spend.note]
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    table = spending.resources_of(
        actions,
        list(plan.outcomes.all()),
        {action.pk: {outcome.pk for outcome in action.outcomes.all()} for action in actions},
        spent,
    )
    pool = spending.pool_of(plan, table)
    sheet = _plain_sheet(
        workbook,
        MONEY_SHEET,
        [("", 50), ("", 16), ("", 16), ("", 16), ("", 16), ("", 16)],
        header=False,
    )

    def rows(title: str, heading: list[str], lines: list[list]) -> None:
        sheet.append([_bold(sheet, title)])
        sheet.append([_bold(sheet, name) for name in heading])
        for line in lines:
            sheet.append([_xlsx_cell(sheet, value) for value in line])
        sheet.append([])

    rows(
        "Pooled budget",
        ["", "Amount (£)"],
        [
            ["Pooled budget", pool.budget],
            ["Pledged by partners", pool.contributed],
            ["Not allocated to an outcome", pool.unallocated if pool.budget is not None else None],
        ],
    )
    rows(
        "Contributions by partner",
        ["Partner", "Cash or in kind", "Amount (£)", "Note"],
        [[given.partner, given.kind, given.amount, given.note] for given in pool.contributions],
    )
    money_columns = [
        "Allocated (£)",
        "Committed (£)",
        "Not yet committed (£)",
        "Spent (£)",
        "Remaining (£)",
    ]
    rows(
        "Allocations to outcomes",
        ["Outcome", *money_columns],
        [
            [row.name, row.allocated, row.committed, row.uncommitted, row.spent, row.remaining]
            for row in [*pool.by_outcome, pool.total]
        ],
    )
    rows(
        "Resources by partner",
        ["Partner", "Committed (£)", "Spent (£)", "Remaining (£)"],
        [
            [row.name, row.committed, row.spent, row.remaining]
            for row in [*table.by_partner, table.total]
        ],
    )
    rows(
        "Resources by outcome",
        ["Outcome", "Committed (£)", "Spent (£)", "Remaining (£)"],
        [[row.name, row.committed, row.spent, row.remaining] for row in table.by_outcome],
    )


def _plain_sheet(workbook, title: str, columns: list[tuple[str, int]], *, header: bool = True):
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title)
    for position, (_, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    if header:
        sheet.freeze_panes = "A2"
        sheet.append([_bold(sheet, name) for name, _ in columns])
    return sheet


def _bold(sheet, value: str):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    return cell


def _new_sheet(workbook, title: str, columns: list[str]):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    for position, name in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = WIDTHS[name]
    bold = Font(bold=True)
    header = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    return sheet


def _xlsx_cell(sheet, value):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or value == "":
        return None
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "#,##0.00"
        return cell
    if isinstance(value, str):
        # Excel cannot hold control characters such as a vertical tab pasted from Word.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(FORMULA_STARTS):
            # Text, never a formula: openpyxl would otherwise write "=…" as one.
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            return cell
    return value


def write_csv(plan: Plan, out: TextIO) -> int:
    """Write the plan's actions to ``out`` as CSV, in COLUMNS and a last column "closed"
    (yes or no), and return how many. Starts with a byte-order mark, so that Excel reads the
    file as UTF-8; text that a spreadsheet would run as a formula gets an apostrophe."""
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([*COLUMNS, "closed"])
    count = 0
    for action in _actions_for_export(plan):
        closed = "yes" if action.closure == Action.Closure.CLOSED else "no"
        writer.writerow([*(_csv_text(value) for value in _values(action)), closed])
        count += 1
    return count


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, int):
        return str(value)
    return _safe_cell(value)


# Reading a workbook -----------------------------------------------------------------------


@dataclass
class _Line:
    """One row of a sheet: column → text, with where it is."""

    sheet: str
    number: int
    cells: dict[str, str]
    position: int = 0  # its place among the rows of both sheets


class _TooMany(Exception):
    pass


def _error(sheet: str, row: int, column: str, message: str) -> RowError:
    # RowError numbers rows but knows no sheets; the closed sheet says so in its messages.
    if sheet == CLOSED_SHEET and row:
        message = f"On the “{CLOSED_SHEET}” sheet: {message}"
    return RowError(row, column, message)


def refusal(upload) -> RowError | None:
    """What makes the file unreadable as a whole (not a workbook, too big, more rows or cells
    than an import takes), found quickly without reading its rows; None if it may be read."""
    if getattr(upload, "size", None) is None:
        upload = _Sized(upload)
    try:
        check_upload(upload, allowed=(XLSX,))
        measure_xlsx(upload, LIMITS)
    except ValidationError as error:
        return RowError(0, "", " ".join(error.messages))
    finally:
        upload.seek(0)
    return None


def saved_message(result: ImportResult) -> str:
    return (
        f"Imported: {result.created} new actions, {result.updated} changed, "
        f"{result.unchanged} as they were."
    )


def logged_detail(plan: Plan, result: ImportResult) -> str:
    """The security log's line for an import that saved."""
    return (
        f"Action plan of plan {plan.pk}: {result.created} new, "
        f"{result.updated} changed, {result.unchanged} unchanged"
    )


def _read_workbook(upload) -> tuple[list[_Line], list[RowError]]:
    """The rows of the workbook's two sheets, or what is wrong with the file."""
    from openpyxl import load_workbook

    if getattr(upload, "size", None) is None:
        upload = _Sized(upload)
    if problem := refusal(upload):
        return [], [problem]
    # openpyxl raises many kinds of error for a damaged workbook, also while reading rows.
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001
        return [], [RowError(0, "", f"The Excel workbook cannot be opened ({error}).")]
    try:
        titles = {title.strip().lower(): title for title in workbook.sheetnames}
        if OPEN_SHEET.lower() not in titles:
            return [], [
                RowError(
                    0,
                    "",
                    f"The workbook has no sheet called “{OPEN_SHEET}”. Start from a workbook "
                    "exported from the action plan.",
                )
            ]
        sheets = {}
        for name in (OPEN_SHEET, CLOSED_SHEET):
            if name.lower() in titles:
                sheets[name] = _sheet_lines(workbook[titles[name.lower()]])
    except _TooMany:
        return [], [
            RowError(0, "", f"The workbook has more than {MAX_ROWS:,} rows; is it the right file?")
        ]
    except Exception as error:  # noqa: BLE001
        return [], [RowError(0, "", f"The Excel workbook cannot be read ({error}).")]
    finally:
        workbook.close()
    lines: list[_Line] = []
    errors: list[RowError] = []
    for name, numbered in sheets.items():
        found, problems = _under_header(name, numbered)
        lines += found
        errors += problems
    for position, line in enumerate(lines):
        line.position = position
    return lines, errors


def _sheet_lines(sheet) -> list[tuple[int, list[str]]]:
    """The sheet's rows that are not wholly empty, as text, with their row numbers."""
    # Some programs write a wrong size into the sheet; read the rows that are there.
    sheet.reset_dimensions()
    lines = []
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        texts = [_xlsx_text(cell) for cell in cells]
        if any(texts):
            if len(lines) > MAX_ROWS:
                raise _TooMany
            lines.append((number, texts))
    return lines


def _under_header(
    sheet: str, lines: list[tuple[int, list[str]]]
) -> tuple[list[_Line], list[RowError]]:
    if not lines:
        if sheet == OPEN_SHEET:
            return [], [
                RowError(
                    1,
                    "",
                    f"The “{OPEN_SHEET}” sheet is empty. Its first row must name the columns: "
                    f"{', '.join(COLUMNS)}.",
                )
            ]
        return [], []
    (header_number, header_cells), *rows = lines
    header = [_column_name(text) for text in header_cells]
    problems = _header_problems(sheet, header_number, header)
    if problems:
        return [], problems
    found: list[_Line] = []
    errors: list[RowError] = []
    for number, texts in rows:
        cells = dict.fromkeys(COLUMNS, "")
        for position, text in enumerate(texts):
            name = header[position] if position < len(header) else ""
            if name in CLOSED_COLUMNS:
                continue  # for reading only: see CLOSED_COLUMN_HELP
            if name:
                cells[name] = text
            elif text:
                errors.append(
                    _error(
                        sheet,
                        number,
                        "",
                        f"There is “{text}” in column {position + 1}, which has no heading. "
                        "Give the column a heading from the list, or delete it.",
                    )
                )
                break
        else:
            found.append(_Line(sheet, number, cells))
    return found, errors


def _header_problems(sheet: str, number: int, header: list[str]) -> list[RowError]:
    named = [name for name in header if name]
    problems = []
    known = COLUMNS + CLOSED_COLUMNS if sheet == CLOSED_SHEET else COLUMNS
    unknown = [name for name in named if name not in known]
    if unknown:
        problems.append(_error(sheet, number, "", f"Unknown columns: {', '.join(unknown)}."))
    twice = sorted({name for name in named if named.count(name) > 1})
    if twice:
        problems.append(_error(sheet, number, "", f"Columns given twice: {', '.join(twice)}."))
    for name in COLUMNS:
        if name not in named:
            problems.append(
                _error(
                    sheet,
                    number,
                    name,
                    f"The column “{name}” is missing. Every column of the exported workbook "
                    "is needed, in any order.",
                )
            )
    return problems


# Importing --------------------------------------------------------------------------------


@dataclass
class _Checked:
    """A row that passed its own checks. ``number`` is the action's number: its own, or for
    a new action the one it will be given."""

    line: _Line
    action: Action | None
    number: int
    values: dict[str, object]
    outcomes: frozenset[int]
    supporting: frozenset[int]
    depends_on: frozenset[int] = frozenset()  # numbers, once checked
    changed: bool = True

    @property
    def reference(self) -> str:
        return reference_for(self.number)


def import_xlsx(*, plan: Plan, upload, user) -> ImportResult:
    """Check every row of an exported (and perhaps edited) workbook, then save all of them in
    one transaction, or nothing if any row is wrong. A row without a reference is a new
    action; a row with one changes that action of this plan, if anything in it differs.

    The caller has checked that ``user`` leads the plan's partnership."""
    lines, errors = _read_workbook(upload)
    if errors:
        return ImportResult(errors=_in_order(errors))
    if not lines:
        return ImportResult(
            errors=[RowError(0, "", "The workbook has a heading row but no actions.")]
        )
    try:
        with transaction.atomic():
            # The plan stays locked to the end: the numbers new rows will be given, which
            # other rows may name in depends_on, are certain until then.
            locked = Plan.objects.select_for_update().get(pk=plan.pk)
            checked, errors = _RowChecker(locked).check(lines)
            if errors:
                return ImportResult(errors=_in_order(errors))
            result = _save(locked, checked, user=user)
    except IntegrityError:
        return ImportResult(
            errors=[
                RowError(
                    0,
                    "",
                    "Someone changed these actions while the file was being imported, so "
                    "nothing was saved. Please import the file again.",
                )
            ]
        )
    plan.last_action_number = locked.last_action_number
    return result


def _in_order(errors: list[RowError]) -> list[RowError]:
    """The open sheet's problems first, then row by row, and column by column."""
    order = {name: position for position, name in enumerate(["", *COLUMNS])}
    closed = f"On the “{CLOSED_SHEET}” sheet"
    return sorted(
        errors,
        key=lambda error: (
            error.message.startswith(closed),
            error.row,
            order.get(error.column, 99),
        ),
    )


class _RowChecker:
    """Checks the rows, with everything of the plan they may name looked up once."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        # Another partnership's organisations and members, and other plans' outcomes,
        # indicators and actions, are simply not here: whatever a file names of them is
        # "unknown", like a typo, so it learns nothing of other partnerships.
        self.organisations = {
            _name_key(organisation.name): organisation
            for organisation in Organisation.objects.filter(partnership_id=plan.partnership_id)
        }
        self.members = {
            membership.user.email.lower(): membership
            for membership in Membership.objects.filter(
                partnership_id=plan.partnership_id
            ).select_related("user", "organisation")
        }
        self.outcomes: dict[int, list[Outcome]] = {}
        for outcome in Outcome.objects.filter(plan=plan):
            self.outcomes.setdefault(outcome.priority, []).append(outcome)
        self.indicators = {
            indicator.code: indicator for indicator in Indicator.objects.filter(plan=plan)
        }
        self.by_lower_code: dict[str, list[Indicator]] = {}
        for indicator in self.indicators.values():
            self.by_lower_code.setdefault(indicator.code.lower(), []).append(indicator)
        # Locked until the import ends, so that nobody's edit can fall between the check and
        # the save (their save waits, then finds the version moved on).
        self.actions = {
            action.number: action
            for action in Action.objects.select_for_update().filter(plan=plan).order_by()
        }
        number_of = {action.pk: action.number for action in self.actions.values()}
        self.saved_outcomes = _links(
            Action.outcomes.through.objects.filter(action__plan=plan), "action_id", "outcome_id"
        )
        self.saved_supporting = _links(
            Action.supporting_organisations.through.objects.filter(action__plan=plan),
            "action_id",
            "organisation_id",
        )
        self.saved_depends_on = {
            number_of[pk]: frozenset(number_of[other] for other in others)
            for pk, others in _links(
                Action.depends_on.through.objects.filter(
                    from_action__plan=plan, to_action__plan=plan
                ),
                "from_action_id",
                "to_action_id",
            ).items()
        }
        self.new_lines: dict[int, _Line] = {}  # number a new action will be given → its row
        self.new_number: dict[int, int] = {}  # and the other way, by the row's position
        self.first_line: dict[int, _Line] = {}  # an existing action's number → its first row

    def check(self, lines: list[_Line]) -> tuple[list[_Checked], list[RowError]]:
        # New actions are numbered in the order of their rows.
        new = [line for line in lines if line.sheet == OPEN_SHEET and not line.cells["reference"]]
        self.new_lines = dict(enumerate(new, start=self.plan.last_action_number + 1))
        self.new_number = {line.position: number for number, line in self.new_lines.items()}
        checked: list[_Checked] = []
        errors: list[RowError] = []
        for line in lines:
            found, problems = self.row(line)
            errors += [_error(line.sheet, line.number, column, text) for column, text in problems]
            if found is not None:
                checked.append(found)
        if not errors:
            # Only a file with every row good gives the whole of the graph to search.
            errors += self.circle(checked)
        for row in checked:
            row.changed = row.action is None or self.differs(row)
        return checked, errors

    # One row ------------------------------------------------------------------------------

    def row(self, line: _Line) -> tuple[_Checked | None, list[tuple[str, str]]]:
        cells = line.cells
        problems: list[tuple[str, str]] = []
        action, number, problem = self.action(line)
        if problem:
            problems.append(("reference", problem))
        # An existing action has a term, a status and a progress: an empty cell is more
        # likely a slip than a wish to reset them, so it is refused rather than guessed.
        needed = action is not None
        values: dict[str, object] = {}

        for name in TEXT_FIELDS:
            values[name] = text = _normal(cells[name])
            field = Action._meta.get_field(name)
            most = field.max_length
            if name == "title" and not text:
                problems.append((name, "The title is missing."))
            elif one_line in field.validators and text.splitlines()[1:]:
                problems.append(
                    (name, f"The {field.verbose_name} must be on one line; this one breaks a line.")
                )
            elif most and len(text) > most:
                problems.append(
                    (name, f"At most {most} characters may be given here; this has {len(text)}.")
                )

        lead, problem = self.organisation(cells["lead_organisation"])
        if not cells["lead_organisation"]:
            problem = "The lead organisation is missing."
        if problem:
            problems.append(("lead_organisation", problem))
        values["lead_organisation_id"] = lead.pk if lead else None

        values["owner_id"], problem = self.owner(cells["owner"], lead)
        if problem:
            problems.append(("owner", problem))

        provider, problem = self.organisation(cells["resource_provider"])
        if problem:
            problems.append(("resource_provider", problem))
        values["resource_provider_id"] = provider.pk if provider else None

        supporting, problem = self.supporting(cells["supporting_organisations"])
        if problem:
            problems.append(("supporting_organisations", problem))

        outcomes, problem = self.outcome_ids(cells["outcomes"])
        if problem:
            problems.append(("outcomes", problem))

        values["success_indicator_id"], problem = self.indicator(cells["success_indicator"])
        if problem:
            problems.append(("success_indicator", problem))

        for name, what in (("start", "start date"), ("due", "due date")):
            values[name], problem = _day(cells[name], what)
            if problem:
                problems.append((name, problem))
        start, due = values["start"], values["due"]
        if start and due and due < start:
            problems.append(
                ("due", f"The due date {due:%Y-%m-%d} is before the start date {start:%Y-%m-%d}.")
            )

        for name, choices in (("term", Action.Term), ("status", Action.Status)):
            values[name], problem = _choice(cells[name], name, choices, needed=needed)
            if problem:
                problems.append((name, problem))

        values["progress"], problem = _progress(cells["progress"], needed=needed)
        if problem:
            problems.append(("progress", problem))

        values["resource_amount"], problem = _pounds(cells["resources"])
        if problem:
            problems.append(("resources", problem))

        depends_on, problem = self.depends_on(line, number)
        if problem:
            problems.append(("depends_on", problem))

        if problems:
            return None, problems
        return _Checked(line, action, number, values, outcomes, supporting, depends_on), []

    def action(self, line: _Line) -> tuple[Action | None, int, str]:
        """The action the row changes (None for a new one), its number, and any problem."""
        text = line.cells["reference"]
        if not text:
            if line.sheet == CLOSED_SHEET:
                return None, 0, f"New actions go on the “{OPEN_SHEET}” sheet."
            return None, self.new_number[line.position], ""
        number = _reference_number(text)
        if number is None:
            return None, 0, f"“{text}” is not an action reference; they look like A-01."
        action = self.actions.get(number)
        if action is None:
            return None, 0, f"There is no action {reference_for(number)} in this plan."
        earlier = self.first_line.setdefault(number, line)
        if earlier is not line:
            where = "" if earlier.sheet == line.sheet else f" of the “{earlier.sheet}” sheet"
            return (
                action,
                number,
                (
                    f"Row {earlier.number}{where} already gives {action.reference}. "
                    "Give each action once."
                ),
            )
        closed = action.closure == Action.Closure.CLOSED
        if closed and line.sheet != CLOSED_SHEET:
            return (
                action,
                number,
                (
                    f"{action.reference} is closed, so it belongs on the “{CLOSED_SHEET}” sheet. "
                    "A closed action is reopened on its own page."
                ),
            )
        if not closed and line.sheet == CLOSED_SHEET:
            return (
                action,
                number,
                (
                    f"{action.reference} is not closed, so it belongs on the “{OPEN_SHEET}” sheet. "
                    "An action is closed on its own page, when a lead confirms it is complete."
                ),
            )
        return action, number, ""

    def organisation(self, name: str) -> tuple[Organisation | None, str]:
        if not name:
            return None, ""
        organisation = self.organisations.get(_name_key(name))
        if organisation is None:
            return None, (
                f"There is no organisation “{name}” in {self.plan.partnership}. Give it by "
                "its name as the partnership lists it."
            )
        return organisation, ""

    def owner(self, email: str, lead: Organisation | None) -> tuple[int | None, str]:
        if not email:
            return None, ""
        membership = self.members.get(email.lower())
        if membership is None:
            return None, f"No member of {self.plan.partnership} has the email address {email}."
        if lead is not None and membership.organisation_id != lead.pk:
            return None, (
                f"The owner must work for the lead organisation: {email} works for "
                f"{membership.organisation}, not {lead}."
            )
        return membership.user_id, ""

    def supporting(self, text: str) -> tuple[frozenset[int], str]:
        found, unknown = set(), []
        for name in (part.strip() for part in text.split(";")):
            if name:
                organisation = self.organisations.get(_name_key(name))
                if organisation is None:
                    unknown.append(f"“{name}”")
                else:
                    found.add(organisation.pk)
        if unknown:
            return frozenset(), (
                f"There is no organisation {' or '.join(unknown)} in {self.plan.partnership}. "
                "Give the supporting organisations by name, separated by semicolons."
            )
        return frozenset(found), ""

    def outcome_ids(self, text: str) -> tuple[frozenset[int], str]:
        found, problems = set(), []
        for part in _parts(text):
            if not part.isdigit():
                problems.append(f"“{part}” is not an outcome number; write them as 1, 3.")
                continue
            same = self.outcomes.get(int(part), [])
            if not same:
                problems.append(f"There is no outcome {int(part)} in this plan.")
            elif len(same) > 1:
                problems.append(
                    f"Outcome number {int(part)} could be any of "
                    f"{' or '.join(f'“{outcome}”' for outcome in same)}: give the plan’s "
                    "outcomes different numbers first."
                )
            else:
                found.add(same[0].pk)
        return frozenset(found), " ".join(problems)

    def indicator(self, code: str) -> tuple[int | None, str]:
        if not code:
            return None, ""
        indicator = self.indicators.get(code)
        if indicator is None:
            # hw-01 for HW-01, unless the plan has both.
            same = self.by_lower_code.get(code.lower(), [])
            indicator = same[0] if len(same) == 1 else None
        if indicator is None:
            return None, f"There is no indicator “{code}” in this plan."
        return indicator.pk, ""

    def depends_on(self, line: _Line, own: int) -> tuple[frozenset[int], str]:
        """The numbers of the actions the row waits for: saved actions of this plan, or new
        ones in rows above it (whose numbers are given in order, so already known)."""
        numbers, problems = set(), []
        for part in _parts(line.cells["depends_on"]):
            number = _reference_number(part)
            if number is None:
                problems.append(f"“{part}” is not an action reference; they look like A-01.")
            elif number == own:
                problems.append("An action cannot depend on itself.")
            elif number in self.actions:
                numbers.add(number)
            elif number in self.new_lines:
                new = self.new_lines[number]
                if new.position < line.position:
                    numbers.add(number)
                else:
                    problems.append(
                        f"{reference_for(number)} is the new action in row {new.number}, below "
                        "this one: an action may depend only on new actions in rows above it."
                    )
            else:
                problems.append(f"There is no action {reference_for(number)} in this plan.")
        return frozenset(numbers), " ".join(problems)

    # Over all the rows --------------------------------------------------------------------

    def circle(self, checked: list[_Checked]) -> list[RowError]:
        """No action may come to wait, through others, for itself: searched over the whole
        plan as it would be, the saved dependencies of actions the file leaves out included."""
        edges = dict(self.saved_depends_on)
        edges.update({row.number: row.depends_on for row in checked})
        cycle = find_cycle(
            {
                reference_for(number): [reference_for(other) for other in sorted(others)]
                for number, others in sorted(edges.items())
            }
        )
        if cycle is None:
            return []
        rows = {row.number: row for row in checked}
        in_file = [rows[number] for number in map(_reference_number, cycle) if number in rows]
        if not in_file:
            return []  # a circle saved earlier, which this file neither makes nor touches
        # Blame a row that draws a new line of the circle, if there is one.
        blamed = min(
            in_file,
            key=lambda row: (
                row.depends_on == self.saved_depends_on.get(row.number, frozenset()),
                row.line.position,
            ),
        )
        return [
            _error(
                blamed.line.sheet,
                blamed.line.number,
                "depends_on",
                "These actions would depend on each other in a circle, so none could start: "
                f"{' → '.join(cycle)}.",
            )
        ]

    def differs(self, row: _Checked) -> bool:
        action = row.action
        for name, value in row.values.items():
            saved = getattr(action, name)
            if name in TEXT_FIELDS:
                saved = _normal(saved)
            if saved != value:
                return True
        return (
            row.outcomes != self.saved_outcomes.get(action.pk, frozenset())
            or row.supporting != self.saved_supporting.get(action.pk, frozenset())
            or row.depends_on != self.saved_depends_on.get(row.number, frozenset())
        )


def _links(through_rows, owner: str, other: str) -> dict[int, frozenset[int]]:
    found: dict[int, set[int]] = {}
    for key, value in through_rows.order_by().values_list(owner, other):
        found.setdefault(key, set()).add(value)
    return {key: frozenset(values) for key, values in found.items()}


# Cells ------------------------------------------------------------------------------------


def _normal(text: str) -> str:
    """Text as compared and saved: line ends as \\n (a browser sends \\r\\n, Excel gives back
    \\n), without surrounding space."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _name_key(name: str) -> str:
    """An organisation's name as matched: in any case, and however it is spaced."""
    return " ".join(name.split()).lower()


def _parts(text: str) -> list[str]:
    return [part.strip() for part in _LIST_SEPARATOR.split(text) if part.strip()]


def _reference_number(text: str) -> int | None:
    """A-04 → 4; also a-4 and A4, as people type them."""
    match = _REFERENCE.fullmatch(text.strip())
    return int(match[1]) if match else None


def _day(text: str, what: str) -> tuple[date | None, str]:
    if not text:
        return None, ""
    try:
        if match := _ISO_DAY.fullmatch(text):
            year, month, day = (int(part) for part in match.groups())
        elif match := _UK_DAY.fullmatch(text):
            day, month, year = (int(part) for part in match.groups())
        else:
            return None, f"The {what} “{text}” is not a date; write it as 2026-04-01."
        found = date(year, month, day)
    except ValueError:
        return None, f"The {what} “{text}” is not a real date."
    if not EARLIEST <= found <= LATEST:
        return None, f"The {what} {text} is outside 1990–2100."
    return found, ""


def _words(text: str) -> str:
    return " ".join(text.replace("_", " ").lower().split())


def _choice(text: str, column: str, choices, *, needed: bool) -> tuple[str | None, str]:
    """A term or status, by its label (On track) or its value (on_track), in any case."""
    labels = ", ".join(str(label) for label in choices.labels)
    if not text:
        if needed:
            return None, f"The {column} is missing; write one of {labels}."
        return Action._meta.get_field(column).default, ""
    wanted = _words(text)
    for value, label in choices.choices:
        if wanted in (_words(value), _words(str(label))):
            return value, ""
    return None, f"“{text}” is not a {column}; write one of {labels}."


def _progress(text: str, *, needed: bool) -> tuple[int | None, str]:
    if not text:
        if needed:
            return None, "The progress is missing; write a whole number from 0 to 100."
        return 0, ""
    plain = text.removesuffix("%").strip()
    if not (plain.isascii() and plain.isdigit()) or int(plain) > 100:
        return None, f"Progress is a whole number from 0 to 100, not {text}."
    return int(plain), ""


def _pounds(text: str) -> tuple[Decimal | None, str]:
    if not text:
        return None, ""
    plain = text.removeprefix("£").strip()
    if plain.endswith("%"):
        return None, f"The resources “{text}” is not an amount of money."
    try:
        amount = parse_number(plain, "The resources")
    except ValueError as error:
        return None, str(error)
    amount = amount.quantize(PENCE, rounding=ROUND_HALF_UP)
    if amount < 0:
        return None, f"The resources cannot be negative ({text})."
    if amount >= MOST_POUNDS:
        return None, f"The resources {text} are more than £9,999,999,999.99."
    return amount, ""


# Saving -----------------------------------------------------------------------------------


def _save(plan: Plan, checked: list[_Checked], *, user) -> ImportResult:
    """Save the checked rows; the caller holds the transaction and the plan's lock."""
    new = [row for row in checked if row.action is None]
    changed = [row for row in checked if row.action is not None and row.changed]
    result = ImportResult(
        created=len(new), updated=len(changed), unchanged=len(checked) - len(new) - len(changed)
    )
    if new:
        made = Action.objects.bulk_create(
            Action(plan=plan, number=row.number, reference=row.reference, **row.values)
            for row in new
        )
        for row, action in zip(new, made, strict=True):
            row.action = action
        # Never lowered, so a deleted action's reference is never given again.
        plan.last_action_number = max(row.number for row in new)
        Plan.objects.filter(pk=plan.pk).update(last_action_number=plan.last_action_number)
    if changed:
        now = timezone.now()
        for row in changed:
            for name, value in row.values.items():
                setattr(row.action, name, value)
            row.action.version += 1  # the action is locked: nobody else has moved it on
            row.action.updated_at = now  # by hand: auto_now belongs to save(), not this
        names = [Action._meta.get_field(name).name for name in SAVED_FIELDS]
        Action.objects.bulk_update(
            [row.action for row in changed], [*names, "version", "updated_at"], batch_size=500
        )
    _replace_links(plan, new=new, changed=changed)
    # After the links, so each history row keeps the links its row gave.
    history.record([row.action for row in new], user=user, created=True)
    history.record([row.action for row in changed], user=user)
    return result


def _replace_links(plan: Plan, *, new: list[_Checked], changed: list[_Checked]) -> None:
    """Give the rows' actions exactly the outcomes, supporting organisations and
    dependencies their rows list."""
    rows = [*new, *changed]
    if not rows:
        return
    # The new actions' too, for dependencies on them.
    pk_of = dict(Action.objects.filter(plan=plan).order_by().values_list("number", "pk"))
    saved = [row.action.pk for row in changed]
    outcome_link = Action.outcomes.through
    supporting_link = Action.supporting_organisations.through
    depends_link = Action.depends_on.through
    outcome_link.objects.filter(action_id__in=saved).delete()
    supporting_link.objects.filter(action_id__in=saved).delete()
    depends_link.objects.filter(from_action_id__in=saved).delete()
    outcome_link.objects.bulk_create(
        outcome_link(action_id=row.action.pk, outcome_id=outcome)
        for row in rows
        for outcome in row.outcomes
    )
    supporting_link.objects.bulk_create(
        supporting_link(action_id=row.action.pk, organisation_id=organisation)
        for row in rows
        for organisation in row.supporting
    )
    depends_link.objects.bulk_create(
        depends_link(from_action_id=row.action.pk, to_action_id=pk_of[number])
        for row in rows
        for number in row.depends_on
    )
