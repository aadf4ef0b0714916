"""How long does exporting a large action plan as an Excel workbook take?

Run from the project root after bench/dataset.py: `.venv/bin/python bench/export_actions.py
[--quick]`, with DATABASE_URL at the benchmark database. It times `write_xlsx` on the dataset's
largest plan: 1,000 actions, each serving outcomes, supported by other organisations,
depending on earlier actions and with three milestones; and counts its queries.
"""

from __future__ import annotations

import argparse
import io
import statistics

from common import record, setup_django, timings
from verdict import spread

setup_django()

from dataset import LARGEST, plan
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.spreadsheets import write_xlsx


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, for development")
    runs = 3 if parser.parse_args().quick else 5
    largest = plan(LARGEST)
    with CaptureQueriesContext(connection) as queries:
        out = io.BytesIO()
        write_xlsx(largest, out)
    print(f"{len(queries)} queries, {len(out.getvalue()) / 1e6:.2f} MB")
    seconds = timings(lambda: write_xlsx(largest, io.BytesIO()), runs=runs, warmup=1)
    record(
        "export_actions",
        [
            {
                "what": f"Export {largest.actions.count():,} actions as XLSX",
                "value": statistics.median(seconds),
                "unit": "s",
                "target": 3,
                "noise": spread(seconds),
            }
        ],
    )


if __name__ == "__main__":
    main()
