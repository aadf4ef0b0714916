"""How long does importing a large file of indicator readings take?

Run from the project root: `DEBUG=1 .venv/bin/python bench/import_readings.py [--rows 100000]`,
with DATABASE_URL set to try PostgreSQL. It makes a scratch partnership with a plan of 200
indicators in the configured database, then times, for a file of that many readings:

- reading the rows from CSV and from Excel (`read_rows`);
- the first import (every reading new), a second one of the same rows (nothing changes),
  and a third with every value changed (every reading updated);
- exporting the readings again (`write_readings_csv`);
- a public health profiles download of that many rows (20 indicators, our area, England, the
  region and seven similar areas, persons and each sex, month after month), read through the
  plan's saved matching: our rows become readings and breakdowns, the others comparators.

It deletes everything it made, also when it fails.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "improveplan.settings")

import django

django.setup()

from common import check_migrated, record
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from openpyxl import Workbook

from improveplan.models import Membership, Organisation, Partnership, Plan, Role, User
from outcomes import profiles
from outcomes.models import Comparator, ComparatorReading, Indicator, Outcome, Reading
from outcomes.readings_io import RowError, import_readings, read_rows, write_readings_csv

INDICATORS = 200
BREAKDOWNS = 10
# The plain files' columns, as files had them before periods, limits and comparators came in
# (issue 17): still read, and the most common file there is.
COLUMNS = ["indicator", "period", "value", "lower", "upper", "breakdown", "source_note"]


def scratch_plan(tag: str, partnership: Partnership | None = None) -> tuple[Plan, Membership]:
    if partnership is None:
        partnership = Partnership.objects.create(name=f"Benchmark {tag}")
        council = Organisation.objects.create(partnership=partnership, name="Bench Council")
        user = User.objects.create_user(f"bench-{tag}@example.invalid", full_name="Bench Lead")
        membership = Membership.objects.create(
            user=user, partnership=partnership, organisation=council, role=Role.LEAD
        )
    else:
        membership = Membership.objects.get(partnership=partnership)
        council = membership.organisation
    plan = Plan.objects.create(
        partnership=partnership,
        title=f"Benchmark plan {Plan.objects.filter(partnership=partnership).count() + 1}",
        period_start=date(2026, 4, 1),
        period_end=date(2029, 3, 31),
    )
    outcome = Outcome.objects.create(plan=plan, statement="Benchmark outcome")
    Indicator.objects.bulk_create(
        # Scores: the made-up values run past 100, which a percentage (the default) refuses.
        Indicator(
            plan=plan,
            outcome=outcome,
            code=f"B-{n:03}",
            name=f"Bench {n}",
            owner=council,
            unit=Indicator.Unit.SCORE,
        )
        for n in range(INDICATORS)
    )
    return plan, membership


def clean_up(tag: str) -> None:
    plans = list(
        Plan.objects.filter(partnership__name=f"Benchmark {tag}").values_list("pk", flat=True)
    )
    indicator_ids = list(Indicator.objects.filter(plan__in=plans).values_list("pk", flat=True))
    # Scratch rows, deleted without the history of changes' one-row-at-a-time signal.
    Reading.objects.filter(indicator_id__in=indicator_ids)._raw_delete(connection.alias)
    ComparatorReading.objects.filter(comparator__indicator_id__in=indicator_ids)._raw_delete(
        connection.alias
    )
    Comparator.objects.filter(indicator_id__in=indicator_ids)._raw_delete(connection.alias)
    Partnership.objects.filter(name=f"Benchmark {tag}").delete()
    User.objects.filter(email=f"bench-{tag}@example.invalid").delete()
    # The scratch data's history of changes goes too (it has no foreign keys to cascade).
    indicators = Indicator.history.filter(plan_id__in=plans)
    Reading.history.filter(indicator_id__in=indicators.values("id")).delete()
    indicators.delete()
    Outcome.history.filter(plan_id__in=plans).delete()


def table(rows: int, shift: float = 0.0) -> list[list[str]]:
    """``rows`` readings: every indicator, then every breakdown, then month after month."""
    lines = []
    for i in range(rows):
        indicator, rest = i % INDICATORS, i // INDICATORS
        ward, month = rest % BREAKDOWNS, rest // BREAKDOWNS
        value = round(10 + (i % 997) / 8 + shift, 3)
        lines.append(
            [
                f"B-{indicator:03}",
                f"{1995 + month // 12}-{month % 12 + 1:02}",
                str(value),
                str(round(value - 1.5, 3)),
                str(round(value + 1.5, 3)),
                f"Ward {ward}" if ward else "",
                "Benchmark" if i % 5 == 0 else "",
            ]
        )
    return lines


PROFILE_COLUMNS = [
    "Indicator ID",
    "Indicator Name",
    "Parent Code",
    "Parent Name",
    "Area Code",
    "Area Name",
    "Area Type",
    "Sex",
    "Age",
    "Category Type",
    "Category",
    "Time period",
    "Value",
    "Lower CI 95.0 limit",
    "Upper CI 95.0 limit",
    "Lower CI 99.8 limit",
    "Upper CI 99.8 limit",
    "Count",
    "Denominator",
    "Value note",
    "Recent Trend",
    "Compared to England value or percentiles",
    "Time period Sortable",
]
PROFILE_INDICATORS = 20
OURS = "E06000001"
PROFILE_AREAS = [
    (OURS, "Benchmark area", "Counties & UAs (from Apr 2023)"),
    (profiles.ENGLAND, "England", "England"),
    ("E12000001", "North East region", "Regions (statistical)"),
    *((f"E0600000{n}", f"Similar area {n}", "Counties & UAs (from Apr 2023)") for n in range(2, 9)),
]
SEXES = ["Persons", "Male", "Female"]


def profile_table(rows: int) -> list[list[str]]:
    """``rows`` lines of a profiles download: each indicator, area and sex, month by month."""
    lines = []
    per_month = PROFILE_INDICATORS * len(PROFILE_AREAS) * len(SEXES)
    for i in range(rows):
        month, rest = divmod(i, per_month)
        indicator, rest = divmod(rest, len(PROFILE_AREAS) * len(SEXES))
        area, sex = divmod(rest, len(SEXES))
        code, name, kind = PROFILE_AREAS[area]
        value = 40 + (i % 997) / 20
        lines.append(
            [
                str(90000 + indicator),
                f"Profile indicator {indicator}",
                "E92000001" if code != profiles.ENGLAND else "",
                "England" if code != profiles.ENGLAND else "",
                code,
                name,
                kind,
                SEXES[sex],
                "All ages",
                "",
                "",
                # As the profiles write a month ("2000-01" could be the year 2000/01).
                f"{date(1990 + month // 12, month % 12 + 1, 1):%b %Y}",
                f"{value:.6f}",
                f"{value - 1.2:.6f}",
                f"{value + 1.2:.6f}",
                f"{value - 1.9:.6f}",
                f"{value + 1.9:.6f}",
                str(400 + i % 50),
                "1000",
                "",
                "",
                "Not compared",
                f"{1990 + month // 12}{month % 12 + 1:02}00",
            ]
        )
    return lines


def as_csv(lines: list[list[str]], columns: list[str] = COLUMNS) -> SimpleUploadedFile:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(lines)
    return SimpleUploadedFile("bench.csv", out.getvalue().encode())


def match_profile(plan, user, parsed) -> None:
    """The lead's matching of the download, as its page saves it: each profile indicator to
    one of the plan's, compared with every other area."""
    found = profiles.survey(parsed)
    assert isinstance(found, dict), found
    indicators = {i.code: i for i in Indicator.objects.filter(plan=plan)}
    profiles.mapping_save(
        plan=plan,
        found=found,
        area_code=OURS,
        compare_with={code for code, _, _ in PROFILE_AREAS if code != OURS},
        chosen={str(90000 + n): (indicators[f"B-{n:03}"], "95") for n in range(PROFILE_INDICATORS)},
        user=user,
    )


def as_xlsx(lines: list[list[str]]) -> SimpleUploadedFile:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(COLUMNS)
    for line in lines:
        # Numbers as numbers, as a spreadsheet holds them.
        sheet.append([line[0], line[1], float(line[2]), float(line[3]), float(line[4]), *line[5:]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("bench.xlsx", buffer.getvalue())


SECONDS: dict[str, float] = {}


def timed(label: str, work):
    start = time.perf_counter()
    result = work()
    SECONDS[label] = time.perf_counter() - start
    print(f"{label:<42} {SECONDS[label]:7.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--quick", action="store_true", help="20,000 rows and no Excel, for development"
    )
    options = parser.parse_args()
    rows = 20_000 if options.quick else options.rows
    excel = not options.quick  # writing and reading the workbook takes longer than the rest
    print(f"{rows:,} readings, {connection.vendor} ({connection.settings_dict['NAME']})")

    check_migrated()
    tag = uuid.uuid4().hex[:8]
    try:
        plan, membership = scratch_plan(tag)
        user = membership.user
        lines = table(rows)
        csv_upload = as_csv(lines)
        print(f"CSV {csv_upload.size / 1e6:.1f} MB")
        from_csv = timed("read_rows, CSV", lambda: read_rows(csv_upload))
        assert not isinstance(from_csv, RowError), from_csv
        if excel:
            xlsx_upload = as_xlsx(lines)
            print(f"Excel {xlsx_upload.size / 1e6:.1f} MB")
            from_xlsx = timed("read_rows, Excel", lambda: read_rows(xlsx_upload))
            assert not isinstance(from_xlsx, RowError), from_xlsx

        def run(label: str, parsed):
            result = timed(
                label,
                lambda: import_readings(plan=plan, rows=parsed, user=user, membership=membership),
            )
            assert result.ok, result.errors[:5]
            print(
                f"{'':<42} created {result.created}, updated {result.updated}, "
                f"unchanged {result.unchanged}"
            )

        run("import_readings, first import", from_csv)
        run("import_readings, second (idempotent)", from_csv)
        if excel:
            run("import_readings, the Excel rows", from_xlsx)
        changed = read_rows(as_csv(table(rows, shift=0.5)))
        run("import_readings, every value changed", changed)
        out = io.StringIO()
        count = timed("write_readings_csv", lambda: write_readings_csv(plan, out))
        print(f"{'':<42} {count:,} readings, {len(out.getvalue()) / 1e6:.1f} MB")

        # A profiles download, into a plan of its own (the same indicators' codes).
        profile_plan, _ = scratch_plan(tag, partnership=plan.partnership)
        download = as_csv(profile_table(rows), PROFILE_COLUMNS)
        print(f"Profiles download {download.size / 1e6:.1f} MB")
        from_profile = read_rows(download)
        assert not isinstance(from_profile, RowError), from_profile
        match_profile(profile_plan, user, from_profile)
        download.seek(0)

        def profile():
            parsed = read_rows(download)
            return import_readings(plan=profile_plan, rows=parsed, user=user, membership=membership)

        result = timed("profiles download, read and import", profile)
        assert result.ok, result.errors[:5]
        readings = Reading.objects.filter(indicator__plan=profile_plan).count()
        compared = ComparatorReading.objects.filter(
            comparator__indicator__plan=profile_plan
        ).count()
        print(f"{'':<42} {readings:,} readings, {compared:,} comparators' values")
    finally:
        start = time.perf_counter()
        clean_up(tag)
        print(f"{'cleaned up':<42} {time.perf_counter() - start:7.2f} s")
    first = SECONDS["read_rows, CSV"] + SECONDS["import_readings, first import"]
    excel_read = "read_rows, Excel"
    record(
        "import_readings",
        [
            {
                "what": f"Import {rows:,} readings from CSV (read and save, all new)",
                "value": first,
                "unit": "s",
                "target": 15 if rows >= 100_000 else None,
            },
            {
                "what": f"Import the same {rows:,} again (nothing changes)",
                "value": SECONDS["read_rows, CSV"]
                + SECONDS["import_readings, second (idempotent)"],
                "unit": "s",
            },
            {
                "what": f"Import {rows:,} with every value changed",
                "value": SECONDS["import_readings, every value changed"],
                "unit": "s",
            },
            {
                "what": f"Import a {rows:,}-row public health profiles download (read and save)",
                "value": SECONDS["profiles download, read and import"],
                "unit": "s",
                "target": 15 if rows >= 100_000 else None,
            },
            *(
                [
                    {
                        "what": f"Read {rows:,} readings from Excel",
                        "value": SECONDS[excel_read],
                        "unit": "s",
                    }
                ]
                if excel
                else []
            ),
        ],
    )


if __name__ == "__main__":
    main()
