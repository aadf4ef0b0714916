"""What every benchmark shares: Django set up against the configured database, timing, and a
place to leave figures for bench/run.py to gather into docs/benchmarks.md."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from verdict import percentile, spread

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "improveplan.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")  # not a line per sign-in from django-axes


def setup_django() -> None:
    """Django as gunicorn serves it: through improveplan.wsgi, with its collector settings."""
    from django.test import utils

    import improveplan.wsgi  # noqa: F401 - sets Django up and tunes the garbage collector

    if not hasattr(utils._TestState, "saved_data"):  # once, however many modules ask
        utils.setup_test_environment()  # lets the test client talk to "testserver"


def check_migrated() -> None:
    """Stop with a clear message if the database lacks migrations (make bench applies them)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        sys.exit(
            f"The database {connection.settings_dict['NAME']} has migrations to apply: run "
            "`manage.py migrate` against it first (with the same DATABASE_URL)."
        )


def delete_scratch(*querysets) -> None:
    """Delete a benchmark's scratch rows, without the history of changes: it writes a record
    of each row deleted, one at a time (the reminders' 5,000 people and 20,000 actions took
    minutes), and no benchmark measures it."""
    from django.test import override_settings

    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        for queryset in querysets:
            queryset.delete()


def timings(action: Callable[[], object], *, runs: int, warmup: int = 2) -> list[float]:
    """Seconds per run of ``action``, after a few warm-up runs."""
    for _ in range(warmup):
        action()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return seconds


def median_ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


def p95_ms(seconds: list[float]) -> float:
    return percentile(seconds, 0.95) * 1000


def batched_timings(
    actions: dict[str, Callable[[], object]], *, batches: int, runs: int
) -> dict[str, list[list[float]]]:
    """Seconds per run of each action, in ``batches`` independent batches of ``runs``. The
    actions take turns batch by batch, so that a slow spell on a busy machine falls on all of
    them, and the spread between batches shows how much a figure moves from run to run."""
    for action in actions.values():
        timings(action, runs=0)
    measured: dict[str, list[list[float]]] = {name: [] for name in actions}
    for _ in range(batches):
        for name, action in actions.items():
            measured[name].append(timings(action, runs=runs, warmup=0))
    return measured


def time_figures(what: str, batches: list[list[float]], *, target: float | None = None) -> list:
    """The median and 95th percentile of batched timings, each with its noise: how far apart
    the batches' own medians (or 95th percentiles) were. The target is for the median."""
    every = [s for batch in batches for s in batch]
    return [
        {
            "what": f"{what}: median server time",
            "value": median_ms(every),
            "unit": "ms",
            "target": target,
            "noise": spread([median_ms(batch) for batch in batches]),
        },
        {
            "what": f"{what}: 95th percentile",
            "value": p95_ms(every),
            "unit": "ms",
            "noise": spread([p95_ms(batch) for batch in batches]),
        },
    ]


def record(name: str, figures: list[dict]) -> None:
    """Leave figures for run.py. Each has what, value, unit, and optionally: target (the
    figure should be at most this); noise (how much it moved between repeated runs, in the
    same unit: a miss within it is not counted); better="higher" (the target is a minimum);
    check (an exact condition, such as equal query counts, that decides alone)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=2))
    for figure in figures:
        target = f" (target {figure['target']})" if figure.get("target") is not None else ""
        noise = f" ± {figure['noise']:.1f}" if figure.get("noise") else ""
        print(f"{figure['what']}: {figure['value']:.1f}{noise} {figure['unit']}{target}")
