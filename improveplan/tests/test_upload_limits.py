"""Uploads are measured before they are read: a small file that holds a great deal (padded
cells, empty rows, a vast table of text) is refused quickly, in little memory, with a message
naming the limit, and nothing changes. Both imports are tried through their pages."""

from __future__ import annotations

import io
import time
import tracemalloc
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from actions import spreadsheets
from actions.models import Action
from improveplan.spreadsheet_limits import Limits, measure_xlsx
from improveplan.tests.hostile_files import (
    empty_rows_workbook,
    many_strings_workbook,
    padded_workbook,
)
from outcomes import readings_io
from outcomes.models import Indicator, Outcome, Reading

pytestmark = pytest.mark.django_db

SECONDS = 2.0
# Far under the 200 MB promised: a refusal reads next to nothing.
PEAK_BYTES = 40 * 1_048_576


@dataclass
class Refusal:
    text: str
    seconds: float
    peak: int


def post(client, url: str, name: str, data: bytes) -> Refusal:
    """Post the file twice: timed, then with its memory traced (which slows it)."""
    assert client.get(url).status_code == 200  # the page's template is loaded and compiled
    started = time.perf_counter()
    response = client.post(url, {"file": SimpleUploadedFile(name, data)})
    seconds = time.perf_counter() - started
    assert response.status_code == 200  # the import page again, with the message
    tracemalloc.start()
    try:
        client.post(url, {"file": SimpleUploadedFile(name, data)})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return Refusal(response.content.decode(), seconds, peak)


def assert_quick_and_small(refusal: Refusal) -> None:
    assert refusal.seconds < SECONDS, f"took {refusal.seconds:.1f} s"
    assert refusal.peak < PEAK_BYTES, f"took {refusal.peak / 1_048_576:.0f} MB"


@pytest.fixture
def readings_url(world):
    outcome = Outcome.objects.create(plan=world.plan, statement="People live well at home")
    Indicator.objects.create(
        plan=world.plan, outcome=outcome, code="HW-01", name="Falls", owner=world.council
    )
    return reverse("outcomes:readings_import", args=[world.plan.pk])


@pytest.fixture
def actions_url(world):
    return reverse("actions:import_xlsx", args=[world.plan.pk])


def test_a_workbook_padded_to_column_xfd_is_refused_naming_the_limit(lead_client, readings_url):
    data = padded_workbook(readings_io.COLUMNS, rows=40_000)
    assert len(data) < 300_000  # small on disk
    refusal = post(lead_client, readings_url, "padded.xlsx", data)
    assert "has cells as far as column XFD" in refusal.text
    assert "the most we read is 50 columns" in refusal.text
    assert_quick_and_small(refusal)
    assert not Reading.objects.exists()


def test_empty_rows_count_towards_the_most_rows(lead_client, readings_url):
    data = empty_rows_workbook(readings_io.COLUMNS, last_row=1_048_576)
    refusal = post(lead_client, readings_url, "empty.xlsx", data)
    assert "more than 100,001 rows (empty rows between and after the data count too)" in (
        refusal.text
    )
    assert_quick_and_small(refusal)
    assert not Reading.objects.exists()


def test_three_million_shared_strings_are_refused(lead_client, readings_url):
    data = many_strings_workbook(readings_io.COLUMNS, entries=3_000_000)
    assert len(data) < 1_000_000
    refusal = post(lead_client, readings_url, "strings.xlsx", data)
    assert "table of text (shared strings) unpacks to 49 MB; the most we read is 20 MB" in (
        refusal.text
    )
    assert_quick_and_small(refusal)
    assert not Reading.objects.exists()


def test_shared_strings_are_counted_however_short(lead_client, readings_url):
    data = many_strings_workbook(readings_io.COLUMNS, entries=3_000_000, entry="<si/>")
    refusal = post(lead_client, readings_url, "strings.xlsx", data)
    assert "has more than 200,000 entries; the most we read is 200,000" in refusal.text
    assert_quick_and_small(refusal)
    assert not Reading.objects.exists()


def test_a_csv_file_of_empty_lines_is_refused(lead_client, readings_url):
    data = (",".join(readings_io.COLUMNS) + "\n" + "\n" * 3_000_000).encode()
    refusal = post(lead_client, readings_url, "lines.csv", data)
    assert "more than 100,001 rows" in refusal.text
    assert_quick_and_small(refusal)
    assert not Reading.objects.exists()


def test_a_csv_line_of_five_million_separators_is_refused(lead_client, readings_url):
    # A profiles download of 100,000 rows has 27 columns: up to 4,000,000 cells are read.
    data = (",".join(readings_io.COLUMNS) + "\n" + ",;\t" * 1_700_000 + "\n").encode()
    refusal = post(lead_client, readings_url, "commas.csv", data)
    assert "more than 4,000,000 cells" in refusal.text
    assert_quick_and_small(refusal)
    assert not Reading.objects.exists()


def test_the_action_plan_import_refuses_a_padded_workbook(lead_client, actions_url, world):
    data = padded_workbook(spreadsheets.COLUMNS, rows=4_000)  # fewer rows than its most
    refusal = post(lead_client, actions_url, "padded.xlsx", data)
    assert "has cells as far as column XFD; the most we read is 60 columns" in refusal.text
    assert_quick_and_small(refusal)
    assert not Action.objects.exists()


def test_the_action_plan_import_counts_empty_rows(lead_client, actions_url):
    data = empty_rows_workbook(spreadsheets.COLUMNS, last_row=200_000)
    refusal = post(lead_client, actions_url, "empty.xlsx", data)
    assert "more than 5,002 rows" in refusal.text
    assert_quick_and_small(refusal)
    assert not Action.objects.exists()


def test_the_action_plan_import_refuses_many_shared_strings(lead_client, actions_url):
    data = many_strings_workbook(spreadsheets.COLUMNS, entries=3_000_000, entry="<si/>")
    refusal = post(lead_client, actions_url, "strings.xlsx", data)
    assert "has more than 150,060 entries" in refusal.text
    assert_quick_and_small(refusal)
    assert not Action.objects.exists()


def test_a_workbook_within_the_limits_is_still_read(lead_client, readings_url, world):
    workbook = Workbook()
    workbook.active.append(readings_io.COLUMNS)
    workbook.active.append(["HW-01", "2025-03", 12.5, None, None, None, None])
    workbook.active["AX3"] = None  # an empty cell in the last column we read
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = lead_client.post(
        readings_url, {"file": SimpleUploadedFile("ok.xlsx", buffer.getvalue())}
    )
    assert response.status_code == 302
    assert Reading.objects.get().value == 12.5


# The measuring itself ----------------------------------------------------------------------

TINY = Limits(rows=10, columns=5, cells=40, shared_strings=10)


def _sheet(rows: str) -> bytes:
    from improveplan.tests.hostile_files import SHEET, SHEET_END, _workbook_with

    start = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<x:sheetData>"
    )
    return _workbook_with({SHEET: start + rows + SHEET_END.replace("</", "</x:")}, ["a"])


def test_cells_without_references_are_placed_one_after_another():
    five = "".join("<x:c><x:v>1</x:v></x:c>" for _ in range(5))
    measure_xlsx(io.BytesIO(_sheet(f"<x:row>{five}</x:row>")), TINY)  # columns A to E: fine
    with pytest.raises(ValidationError, match="as far as column F; the most we read is 5"):
        measure_xlsx(io.BytesIO(_sheet(f"<x:row>{five}<x:c/></x:row>")), TINY)


def test_rows_without_numbers_follow_the_last_numbered_one():
    rows = '<x:row r="9"><x:c r="A9"/></x:row><x:row/><x:row/>'
    with pytest.raises(ValidationError, match="more than 10 rows"):
        measure_xlsx(io.BytesIO(_sheet(rows)), TINY)
