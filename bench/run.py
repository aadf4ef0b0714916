"""Run every benchmark and write docs/benchmarks.md.

`make bench` runs this with DATABASE_URL at PostgreSQL; `--quick` makes fewer and shorter
runs. Each benchmark is its own script (bench/*.py) that leaves its figures in bench/results/;
the first, dataset.py, builds the data the page measurements share. This gathers the figures
beside their targets with the noise each one measured, lists the issues' targets that nothing
measured yet, and exits non-zero when a figure misses its target by more than its noise, an
exact check (such as equal query counts) fails, or a script fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from verdict import FAILED, failed, judge

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SCRIPTS = [
    "dataset.py",  # first: the page measurements use the data it builds
    "charts.py",
    "dashboard.py",
    "action_pages.py",
    "load.py",
    "serving.py",
    "import_readings.py",
    "upload_limits.py",
    "export_actions.py",
    "reminders.py",
    "reports.py",
    "live.py",
]
# Which issue set the targets of each script's figures.
ISSUES = {
    "charts": 3,
    "dashboard": 3,
    "import_readings": 3,
    "upload_limits": 18,
    "action_pages": 4,
    "export_actions": 4,
    "reminders": 6,
    "reports": 7,
    "dataset": 10,
    "load": 10,
    "serving": 19,
    "run": 10,
    "live": 22,
}
# Every target in the issues, by the script that measures it: listed as "not measured yet"
# when that script left no figures (it is not written yet, or it failed).
TARGETS = [
    ("charts", "One chart drawn", "50 ms"),
    ("dashboard", "Dashboard, 10 outcomes × 5 indicators × 60 readings", "150 ms"),
    ("dashboard", "Dashboard: SQL queries the same at more data", "equal"),
    ("import_readings", "Import 100,000 readings", "15 s"),
    ("import_readings", "Import a 100,000-row public health profiles download", "15 s", 17),
    ("upload_limits", "Largest upload accepted, hostile ones refused", "2 s, 200 MB"),
    ("action_pages", "Action plan table, 1,000 actions", "150 ms"),
    ("action_pages", "My actions", "150 ms"),
    ("action_pages", "Action pages: SQL queries the same at a tenth", "equal"),
    ("export_actions", "Export 1,000 actions as XLSX", "3 s"),
    ("reminders", "Daily digests for 5,000 people and 20,000 actions", "20 s"),
    ("reminders", "Digests: SQL queries not growing with people", "equal"),
    ("reminders", "Send the day's digests, 5,000 people", "60 s"),
    ("reports", "Board report PDF, ~30 pages, 20 charts, 300 action rows", "5 s"),
    ("reports", "Board report PDF: peak memory", "300 MB"),
    ("reports", "Board report, unchanged, served again", "50 ms"),
    ("reports", "Board report: WeasyPrint ÷ headless Chromium", "2×"),
    ("reports", "Delivery plan PDF, 300 actions", "5 s, 300 MB"),
    ("reports", "Public summary PDF, 300 actions", "3 s"),
    ("reports", "Slowest report with every long text at its maximum length", "15 s"),
    ("load", "Throughput and 95th percentile under load, with the hello-world ratio", "report"),
    ("load", "Pages under load: 95th percentile; throughput ÷ hello-world's", "500 ms; ≥ 8%", 19),
    ("dashboard", "Dashboard of the largest plan: kept; after a change", "25 ms; 100 ms", 19),
    ("dashboard", "Outcome page, kept", "50 ms", 19),
    ("action_pages", "Action plan table and My actions, kept", "50 ms", 19),
    ("serving", "gunicorn's sync workers against threads", "report", 19),
    ("live", "Comments asked for again, nothing new (204)", "20 ms"),
    ("live", "Live comments, 1,000 open pages each acted on once a minute", "250 ms a second"),
]
BUDGET = {False: 600, True: 120}  # seconds for the whole run, and for --quick


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def postgres_version() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return "not PostgreSQL"
    try:
        import psycopg2

        with psycopg2.connect(url) as db, db.cursor() as cursor:
            cursor.execute("show server_version")
            return cursor.fetchone()[0].split()[0]
    except Exception as error:  # noqa: BLE001 - a version line must not stop the report
        return f"unknown ({error.__class__.__name__})"


def machine() -> list[str]:
    with open("/proc/meminfo") as meminfo:
        total_kb = int(meminfo.readline().split()[1])
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    database = os.environ.get("DATABASE_URL", "sqlite (default)").split("@")[-1]
    return [
        f"- Machine: {os.cpu_count()} cores ({model}), {total_kb / 1_048_576:.0f} GiB, "
        f"{platform.platform()}",
        f"- Versions: Python {platform.python_version()}, Django {version('Django')}, "
        f"PostgreSQL {postgres_version()} ({database}), gunicorn {version('gunicorn')}, "
        f"locust {version('locust')}, WeasyPrint {version('weasyprint')}",
    ]


def load_average() -> str:
    return " / ".join(f"{n:.1f}" for n in os.getloadavg())


def row(stem: str, figure: dict) -> tuple[str, str]:
    verdict = judge(figure)
    target = figure.get("target")
    noise = figure.get("noise")
    cells = [
        str(figure.get("issue", ISSUES.get(stem, ""))),
        figure["what"],
        f"{figure['value']:,.1f} {figure['unit']}",
        f"± {noise:,.1f}" if noise else "",
        "" if target is None else f"{'≥' if figure.get('better') == 'higher' else ''}{target:,}",
        f"**{verdict}**" if failed(verdict) else verdict,
    ]
    return "| " + " | ".join(cells) + " |", verdict


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    started, load_before = time.perf_counter(), load_average()
    busy = os.getloadavg()[0] > (os.cpu_count() or 1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    for old in RESULTS.glob("*.json"):
        old.unlink()
    broken = []
    for script in SCRIPTS:
        print(f"== {script}", flush=True)
        command = [sys.executable, str(ROOT / "bench" / script)] + (["--quick"] if quick else [])
        script_started = time.perf_counter()
        finished = subprocess.run(command, cwd=ROOT, check=False)
        print(f"   ({time.perf_counter() - script_started:.0f} s)", flush=True)
        if finished.returncode:
            broken.append(f"{script} stopped with exit status {finished.returncode}")
            if script == SCRIPTS[0]:
                break  # without the dataset the rest would only fail the same way

    rows, missed = [], [f"{problem}: {FAILED}" for problem in broken]
    measured = set()
    for stem in [Path(name).stem for name in SCRIPTS]:
        path = RESULTS / f"{stem}.json"
        figures = json.loads(path.read_text()) if path.exists() else []
        measured.update([stem] if figures else [])
        for figure in figures:
            line, verdict = row(stem, figure)
            rows.append(line)
            if failed(verdict):
                missed.append(f"{figure['what']}: {verdict}")
    not_yet = [
        f"| {issue[0] if issue else ISSUES[stem]} | {what} | not measured yet | | {target} | |"
        for stem, what, target, *issue in TARGETS
        if stem not in measured
    ]
    whole = {
        "what": f"The whole run{' (--quick)' if quick else ''}",
        "value": time.perf_counter() - started,
        "unit": "s",
        "target": BUDGET[quick],
    }
    line, verdict = row("run", whole)
    rows.append(line)
    if failed(verdict):
        missed.append(f"{whole['what']}: {verdict}")

    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    notes = ROOT / "bench" / "notes.md"
    text = "\n".join(
        [
            "# Benchmarks",
            "",
            "Written by `make bench` (bench/run.py); do not edit by hand (explanations go in",
            "bench/notes.md, copied below the table). Page times are server time through",
            "Django's test client, commands are wall time, load figures come from locust",
            "against gunicorn; see each script in bench/ for exactly what it measures.",
            "",
            f"- Run: {when}{' (quick mode: fewer and shorter runs)' if quick else ''}",
            *machine(),
            f"- Load average (1, 5, 15 min) at the start: {load_before}; at the end: "
            f"{load_average()}",
            *(
                [
                    "- **The machine was busy**: more runnable processes than cores. Times are "
                    "longer than on a quiet machine; a miss may be the machine's, not the code's."
                ]
                if busy or os.getloadavg()[0] > (os.cpu_count() or 1)
                else []
            ),
            "",
            "Noise is how far a figure moved between independent batches of the same",
            "measurement in this run. A figure over its target by no more than its noise is",
            "*met within noise*; only a *missed* or *failed* figure makes `make bench` fail.",
            "",
            "| issue | what | measured | noise | target | verdict |",
            "|---:|---|---:|---:|---:|---|",
            *rows,
            *not_yet,
            *([""] + [f"- {problem}" for problem in broken] if broken else []),
            "",
            *([notes.read_text().rstrip(), ""] if notes.exists() else []),
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
