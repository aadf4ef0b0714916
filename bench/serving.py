"""gunicorn's worker classes compared under the same load: plain sync workers against threads.

Run from the project root after bench/dataset.py: `.venv/bin/python bench/serving.py
[--quick]`, with DATABASE_URL at the benchmark database. The load of bench/load.py (25
members signing in, then their plan's pages with no pause; the hello-world view as the
yardstick), shorter: hello 10 s and pages 20 s for each way of serving (5 s and 10 s with
--quick), one after the other, each with the same number of worker processes (2 × cores + 1):

- sync: one request at a time in each worker, gunicorn's default;
- gthread: each worker runs 4 threads, so one request's wait for PostgreSQL or the cache is
  another's time on the processor.

gunicorn.conf.py keeps the one that wins (issue 19); bench/load.py measures it for the targets.
"""

from __future__ import annotations

import argparse
import os

from common import record, setup_django

setup_django()

from load import PAGES, measure, ratio, serving, summary

WORKERS = 2 * (os.cpu_count() or 1) + 1
WAYS = {
    "sync": ["--worker-class", "sync", "--workers", str(WORKERS)],
    "gthread": ["--worker-class", "gthread", "--workers", str(WORKERS), "--threads", "4"],
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    hello_seconds, pages_seconds = (5, 10) if parser.parse_args().quick else (10, 20)
    figures = []
    for name, options in WAYS.items():
        hello_result, browsing, _ = measure(
            hello_seconds, pages_seconds, options, name=f"serving-{name}"
        )
        hello, pages = summary(hello_result), summary(browsing, PAGES)
        share, share_noise = ratio(pages, hello)
        described = f"Served by {serving(options)}"
        figures += [
            {
                "issue": 19,
                "what": f"{described}: pages' throughput ({hello_seconds} s hello, "
                f"{pages_seconds} s pages)",
                "value": pages["throughput"],
                "unit": "requests/s",
                "noise": pages["throughput_noise"],
            },
            {
                "issue": 19,
                "what": f"{described}: pages' 95th percentile",
                "value": pages["p95"],
                "unit": "ms",
                "noise": pages["p95_noise"],
            },
            {
                "issue": 19,
                "what": f"{described}: pages' throughput ÷ hello-world's",
                "value": share,
                "unit": "%",
                "noise": share_noise,
            },
        ]
    record("serving", figures)


if __name__ == "__main__":
    main()
