"""improveplan/collector.py: the web processes, the Celery workers' processes and the test
processes freeze what start-up loaded and collect the young generation less often."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from improveplan import collector


def test_a_web_process_settles_the_collector_once_started():
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import gc, improveplan.wsgi; print(*gc.get_threshold(), gc.get_freeze_count())",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    *thresholds, frozen = map(int, shown)
    assert tuple(thresholds) == collector.THRESHOLDS
    assert frozen > 10_000, "what start-up loaded is frozen (none is, by default)"


def test_this_test_process_runs_with_the_collector_as_the_site_sets_it():
    assert gc.get_threshold() == collector.THRESHOLDS
    assert gc.get_freeze_count() > 10_000


@pytest.mark.parametrize("signal", ["worker_process_init", "worker_ready"])
def test_a_celery_worker_settles_the_collector_once_started(signal):
    from celery import signals

    import improveplan.celery  # noqa: F401 - connects the worker's signals

    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        getattr(signals, signal).send(sender=None)
        assert gc.get_threshold() == collector.THRESHOLDS
    finally:
        gc.set_threshold(*before)
