from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reports.tests.pdf import assert_numbered, read

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("render_report", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("quarter", ["2026Q3", "2026-Q3"])
def test_it_writes_the_board_report_for_a_quarter(planned, tmp_path, quarter):
    output = tmp_path / "board.pdf"
    said = run(
        "--plan",
        str(planned.plan.pk),
        "--kind",
        "board",
        "--quarter",
        quarter,
        "--output",
        str(output),
    )
    pdf = read(output.read_bytes())
    assert_numbered(pdf)
    assert "Q3 2026: July to September" in pdf.text
    assert str(output) in said


@pytest.mark.parametrize("kind", ["plan", "public"])
def test_it_writes_the_other_reports(planned, tmp_path, kind):
    output = tmp_path / f"{kind}.pdf"
    run("--plan", str(planned.plan.pk), "--kind", kind, "--output", str(output))
    assert "Open four evening clinics" in read(output.read_bytes()).text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--plan": "999999"}, "There is no plan with id '999999'"),
        ({"--plan": "three"}, "There is no plan with id 'three'"),
        ({"--kind": "annual"}, "choose one of: board, plan, public"),
        ({"--quarter": "2026Q5"}, "for example 2026-Q3"),
        ({"--quarter": "Q3"}, "for example 2026-Q3"),
        ({"--output": "/no/such/folder/report.pdf"}, "does not exist"),
    ],
)
def test_bad_arguments_get_a_clear_message_and_write_nothing(planned, tmp_path, change, message):
    arguments = {
        "--plan": str(planned.plan.pk),
        "--kind": "board",
        "--quarter": "2026Q3",
        "--output": str(tmp_path / "report.pdf"),
        **change,
    }
    with pytest.raises(CommandError, match=message):
        run(*[part for pair in arguments.items() for part in pair])
    assert not (tmp_path / "report.pdf").exists()
