"""Python's cyclic garbage collector, set for a long-running process of ours.

A page builds tens of thousands of small objects, and with Python's default thresholds the
collector runs full collections over everything start-up loaded, in the middle of requests:
the 95th percentile of the benchmark dashboard was 200–290 ms against a median of 75 ms.
Freezing what start-up loaded (also kinder to copy-on-write after gunicorn forks) and
collecting the young generation less often brings it to within a few ms of the median
(bench/dashboard.py). The web processes do it once started (improveplan/wsgi.py), the
Celery workers' processes too (improveplan/celery.py); each test process once its tests are
collected (conftest.py), so that the tests run as the site does.
"""

from __future__ import annotations

import gc

THRESHOLDS = (50_000, 20, 100)


def settle() -> None:
    """What is alive now stays (frozen, never scanned again); the young generation is
    collected after 50,000 new objects rather than 700."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
