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

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "improveplan.settings")
os.environ.setdefault("DEBUG", "1")


def setup_django() -> None:
    """Django as gunicorn serves it: through improveplan.wsgi, with its collector settings."""
    from django.test.utils import setup_test_environment

    import improveplan.wsgi  # noqa: F401 - sets Django up and tunes the garbage collector

    setup_test_environment()  # lets the test client talk to "testserver"


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
    ordered = sorted(seconds)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)] * 1000


def record(name: str, figures: list[dict]) -> None:
    """Leave figures for run.py: each has what, value, unit, and optionally target and
    noise (how much the figure moved between repeated runs, in the same unit)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=2))
    for figure in figures:
        target = f" (target {figure['target']})" if figure.get("target") is not None else ""
        print(f"{figure['what']}: {figure['value']:.1f} {figure['unit']}{target}")
