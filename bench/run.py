"""Run every benchmark and write docs/benchmarks.md.

`make bench` runs this with DATABASE_URL at PostgreSQL; `--quick` makes fewer runs. Each
benchmark is its own script (bench/*.py) that leaves its figures in bench/results/; this
gathers them beside their targets, says where a target is missed, and exits non-zero if any is.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SCRIPTS = [
    "charts.py",
    "dashboard.py",
    "action_pages.py",
    "import_readings.py",
    "export_actions.py",
    "reports.py",
]


def machine() -> str:
    cores = os.cpu_count()
    with open("/proc/meminfo") as meminfo:
        total_kb = int(meminfo.readline().split()[1])
    import django

    database = os.environ.get("DATABASE_URL", "sqlite (default)").split("@")[-1]
    return (
        f"{cores} cores, {total_kb / 1_048_576:.0f} GiB, {platform.platform()}, "
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"database {database}"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    RESULTS.mkdir(parents=True, exist_ok=True)
    for old in RESULTS.glob("*.json"):
        old.unlink()
    for script in SCRIPTS:
        print(f"== {script}", flush=True)
        command = [sys.executable, str(ROOT / "bench" / script)]
        if quick:
            command.append("--quick")
        subprocess.run(command, cwd=ROOT, check=True)

    rows, missed = [], []
    for name in SCRIPTS:
        path = RESULTS / f"{Path(name).stem}.json"
        for figure in json.loads(path.read_text()) if path.exists() else []:
            target = figure.get("target")
            met = figure.get("check", target is None or figure["value"] <= target)
            if not met:
                missed.append(figure["what"])
            rows.append(
                f"| {figure['what']} | {figure['value']:,.1f} {figure['unit']} | "
                f"{'' if target is None else f'{target:,}'} | "
                f"{'' if target is None else ('met' if met else '**missed**')} |"
            )
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = "\n".join(
        [
            "# Benchmarks",
            "",
            "Written by `make bench` (bench/run.py); do not edit by hand. Times are server time",
            "through Django's test client, or wall time for commands; see each script in bench/",
            "for exactly what it measures.",
            "",
            f"- Run: {when}{' (quick mode: fewer runs)' if quick else ''}",
            f"- Machine: {machine()}",
            "",
            "| what | measured | target | |",
            "|---|---:|---:|---|",
            *rows,
            "",
        ]
    )
    (ROOT / "docs" / "benchmarks.md").write_text(text)
    print(text)
    if missed:
        print("Missed targets:\n- " + "\n- ".join(missed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
