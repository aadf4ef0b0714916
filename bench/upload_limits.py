"""The largest readings file accepted, and hostile files refused: how long, and how much memory.

Run from the project root: `DEBUG=1 .venv/bin/python bench/upload_limits.py [--quick]`, with
DATABASE_URL set to try PostgreSQL. Each file is written to disk first, then read and imported
in a child process of its own (as one web request would), which reports:

- the time from the uploaded file to the import's answer (read_rows, then import_readings);
- the peak memory the upload added: the child's peak resident memory less what it held before
  reading (Django, the database connection and openpyxl imported).

The accepted files are the most rows the import takes (outcomes.readings_io.MAX_ROWS readings),
as CSV and as Excel; the refused ones are those of issue 18: 40,000 rows padded to column
XFD, and a table of three million shared strings. The scratch plan is deleted afterwards.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from common import ROOT, check_migrated, record, setup_django

CHILD = """
import json, sys, time
sys.path[:0] = [{root!r}, {bench!r}]
import import_readings as bench
from outcomes import readings_io
from improveplan.models import Membership, Plan
import openpyxl  # noqa: F401 - held before the reading starts, as in a warm web worker
plan = Plan.objects.get(pk=int(sys.argv[2]))
membership = Membership.objects.get(pk=int(sys.argv[3]))
def status(field):
    with open("/proc/self/status") as lines:
        return next(int(line.split()[1]) for line in lines if line.startswith(field))
with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")  # the peak resident memory starts again from what is resident now
before = status("VmRSS:")
started = time.perf_counter()
with open(sys.argv[1], "rb") as upload:
    rows = readings_io.read_rows(upload)
    if isinstance(rows, readings_io.RowError):
        answer = {{"refused": str(rows)}}
    else:
        result = readings_io.import_readings(
            plan=plan, rows=rows, user=membership.user, membership=membership
        )
        assert result.ok, result.errors[:3]
        answer = {{"created": result.created}}
answer["seconds"] = time.perf_counter() - started
answer["peak_mb"] = (status("VmHWM:") - before) / 1024
answer["before_mb"] = before / 1024
print(json.dumps(answer))
"""


def in_child(path: Path, plan_id: int, membership_id: int) -> dict:
    code = CHILD.format(root=str(ROOT), bench=str(ROOT / "bench"))
    finished = subprocess.run(
        [sys.executable, "-c", code, str(path), str(plan_id), str(membership_id)],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
    )
    if finished.returncode:
        sys.exit(f"The child reading {path.name} failed:\n{finished.stderr}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="refusals and CSV only")
    quick = parser.parse_args().quick
    setup_django()
    check_migrated()

    import import_readings as bench
    from django.db import connection

    from improveplan.tests.hostile_files import many_strings_workbook, padded_workbook
    from outcomes.readings_io import COLUMNS, MAX_ROWS

    print(f"{connection.vendor} ({connection.settings_dict['NAME']})")
    figures = []
    with tempfile.TemporaryDirectory() as folder:
        files: list[tuple[str, Path, bool]] = []

        def write(name: str, data: bytes, what: str, accepted: bool) -> None:
            path = Path(folder) / name
            path.write_bytes(data)
            files.append((f"{what} ({len(data) / 1e6:.1f} MB)", path, accepted))

        write(
            "padded.xlsx",
            padded_workbook(COLUMNS, rows=40_000),
            "Refuse 40,000 rows padded to column XFD",
            False,
        )
        write(
            "strings.xlsx",
            many_strings_workbook(COLUMNS, entries=3_000_000),
            "Refuse 3,000,000 shared strings",
            False,
        )
        write(
            "strings-short.xlsx",
            many_strings_workbook(COLUMNS, entries=3_000_000, entry="<si/>"),
            "Refuse 3,000,000 empty shared strings (counted)",
            False,
        )
        # Days rather than months: at 100,000 rows the benchmark's months reach 2000-01,
        # which the import rightly refuses as perhaps the financial year 2000/01.
        lines = [[code, f"{period}-28", *rest] for code, period, *rest in bench.table(MAX_ROWS)]
        write(
            "largest.csv",
            bench.as_csv(lines).read(),
            f"Import the largest CSV accepted, {MAX_ROWS:,} readings",
            True,
        )
        if not quick:
            write(
                "largest.xlsx",
                bench.as_xlsx(lines).read(),
                f"Import the largest Excel file accepted, {MAX_ROWS:,} readings",
                True,
            )
        del lines

        for what, path, accepted in files:
            tag = uuid.uuid4().hex[:8]
            try:
                plan, membership = bench.scratch_plan(tag)
                answer = in_child(path, plan.pk, membership.pk)
            finally:
                bench.clean_up(tag)
            print(f"{what}: {answer}")
            assert ("refused" in answer) != accepted, answer
            figures += [
                {
                    "what": f"{what}: time",
                    "value": answer["seconds"],
                    "unit": "s",
                    "target": None if accepted else 2,
                },
                {
                    "what": f"{what}: peak memory added",
                    "value": answer["peak_mb"],
                    "unit": "MB",
                    "target": 200,
                },
            ]
    record("upload_limits", figures)


if __name__ == "__main__":
    main()
