"""Throughput and 95th-percentile latency under load, against a hello-world yardstick.

Run from the project root after bench/dataset.py: `.venv/bin/python bench/load.py [--quick]`,
with DATABASE_URL at the benchmark database. It serves the app with gunicorn as in production
(DEBUG=0, a SECRET_KEY and ALLOWED_HOSTS for the run, collected static files, the workers and
threads of gunicorn.conf.py, the cache in Redis: CACHE_URL, or Redis database 14 on this
machine) on a free port, with bench/settings.py (production settings plus the hello-world view
of bench/urls.py, and cookies over plain HTTP). Then locust, headless in a
second process, runs bench/locustfile.py twice with 25 concurrent users and no pause between
requests: first the hello-world view (20 s; 5 s with --quick), then 25 different members
who sign in through the sign-in form, open their four pages once (the first look at a page
after a change computes it; the window measures pages as they are kept), and browse their
plan's dashboard, an outcome page, the action plan table and My actions (60 s; 15 s with
--quick). Thirteen of them belong to the
partnership of the largest plan, the others to twelve other partnerships.

Each window is cut into six slices; the spread of the slices' throughput and 95th percentile
is the figures' noise. Issue 19 set targets for the pages: a 95th percentile of at most
500 ms, and a throughput of at least 8% of the hello-world view's. bench/serving.py uses
``measure`` to compare gunicorn's worker classes.
"""

from __future__ import annotations

import argparse
import json
import os
import runpy
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from common import RESULTS, ROOT, median_ms, p95_ms, record, setup_django
from verdict import spread

setup_django()

from dataset import PASSWORD
from django.db import connection

from improveplan.models import Membership

USERS = 25
SLICES = 6
BIN = Path(sys.executable).parent
SERVING = ROOT / "gunicorn.conf.py"
# The cache the served pages keep their parts in, unless CACHE_URL names one.
BENCH_CACHE_URL = "redis://127.0.0.1:6379/14"


def members() -> list[dict]:
    """Twenty-five different people, thirteen in the largest plan's partnership."""
    chosen, seen = [], set()
    memberships = Membership.objects.select_related("user", "partnership").order_by(
        "partnership__name", "user__email"
    )
    wanted = [0] * 13 + list(range(1, 13))
    for index in wanted:
        name = f"Bench partnership {index:03d}"
        membership = next(
            m for m in memberships.filter(partnership__name=name) if m.user_id not in seen
        )
        seen.add(membership.user_id)
        plan = membership.partnership.plans.get()
        chosen.append(
            {
                "email": membership.user.email,
                "password": PASSWORD,
                "dashboard": plan.get_absolute_url(),
                "outcome": plan.outcomes.first().get_absolute_url(),
                "action_plan": f"/plans/{plan.pk}/actions/",
            }
        )
    return chosen


def static_out_of_date() -> bool:
    """Whether the static files need collecting (and compressing: 20 s on a busy machine)."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return True
    sources = [*ROOT.glob("static/**/*"), *ROOT.glob("*/static/**/*")]
    return max(path.stat().st_mtime for path in sources) > manifest.stat().st_mtime


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped at start-up (exit {server.returncode}).")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own URL
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"gunicorn did not answer {url} within {seconds:.0f} s.")


def swarm(user_class: str, seconds: int, host: str, env: dict, work: Path) -> dict:
    """Run locust headless against ``host``; what bench/locustfile.py wrote."""
    out = work / f"{user_class}.json"
    log = work / f"{user_class}.log"
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(USERS),
        "--spawn-rate",
        str(USERS),
        "--run-time",
        f"{seconds + 300}s",  # a backstop: the locustfile stops itself after its window
        "--host",
        host,
        "--only-summary",
        user_class,
    ]
    run_env = {**env, "BENCH_SECONDS": str(seconds), "BENCH_LOAD_OUT": str(out)}
    with log.open("w") as output:
        subprocess.run(command, env=run_env, stdout=output, stderr=subprocess.STDOUT, check=False)
    if not out.exists():
        sys.exit(f"locust ({user_class}) left no results; its log:\n{log.read_text()[-3000:]}")
    return json.loads(out.read_text())


def summary(result: dict, names: set[str] | None = None) -> dict:
    """Throughput and latency of the window's requests (only ``names``, if given), with the
    spread across SLICES equal slices of the window as noise."""
    samples = [s for s in result["samples"] if names is None or s[0] in names]
    window = result["window"]
    start = result["from"]
    slices: list[list[list]] = [[] for _ in range(SLICES)]
    for sample in samples:
        slices[min(SLICES - 1, int((sample[1] - start) / window * SLICES))].append(sample)
    seconds = [s[2] / 1000 for s in samples]
    return {
        "count": len(samples),
        "errors": sum(1 for s in samples if not s[3]),
        "throughput": len(samples) / window,
        "throughput_noise": spread([len(s) / (window / SLICES) for s in slices]),
        "median": median_ms(seconds) if seconds else 0.0,
        "p95": p95_ms(seconds) if seconds else 0.0,
        "p95_noise": spread([p95_ms([x[2] / 1000 for x in s]) for s in slices if s]),
    }


def cache_url() -> str:
    """CACHE_URL, or the bench's own Redis database if Redis answers here; else "" (each
    worker's memory)."""
    if os.environ.get("CACHE_URL"):
        return os.environ["CACHE_URL"]
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return BENCH_CACHE_URL
    except OSError:
        return ""


def serving(extra: list[str]) -> str:
    """In words: the workers gunicorn.conf.py (and ``extra``, gunicorn's own options) give."""
    config = {"threads": 1, **runpy.run_path(str(SERVING))}
    options = dict(zip(extra[::2], extra[1::2], strict=True))
    workers = int(options.get("--workers", config["workers"]))
    kind = options.get("--worker-class", config["worker_class"])
    threads = int(options.get("--threads", config["threads"]))
    return f"{workers} {kind} workers" + (f" × {threads} threads" if kind == "gthread" else "")


def measure(
    hello_seconds: int, pages_seconds: int, extra: list[str] = (), name: str = "load"
) -> tuple[dict, dict, str]:
    """Serve with gunicorn (its config file, plus ``extra`` options) and run both swarms:
    what locust recorded of the hello-world view and of the members' pages, and the cache."""
    work = RESULTS / name  # locust's logs and samples, kept to look at afterwards
    work.mkdir(parents=True, exist_ok=True)
    (work / "members.json").write_text(json.dumps(members()))
    connection.close()
    cache = cache_url()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "BENCH_MEMBERS": str(work / "members.json"),
        "BENCH_USERS": str(USERS),
        "CACHE_URL": cache,
    }
    if static_out_of_date():
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "improveplan.wsgi:application",
            "--config",
            str(SERVING),
            "--bind",
            f"127.0.0.1:{port}",
            "--chdir",
            str(ROOT),
            "--log-level",
            "warning",
            *extra,
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_until_up(f"{host}/bench/hello/", server)
        print(f"gunicorn ({serving(list(extra))}) answers at {host}", flush=True)
        hello = swarm("HelloUser", hello_seconds, host, env, work)
        browsing = swarm("MemberUser", pages_seconds, host, env, work)
        print(f"{USERS} members signed in after {browsing['ready_after']:.1f} s", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return hello, browsing, cache.rsplit("@", 1)[-1] if cache else "each worker's memory"


PAGES = {"dashboard", "outcome page", "action plan", "My actions"}


def ratio(pages: dict, hello: dict) -> tuple[float, float]:
    """The pages' throughput as a percentage of hello-world's, with the noise of the two."""
    value = 100 * pages["throughput"] / max(hello["throughput"], 1e-9)
    relative = pages["throughput_noise"] / max(pages["throughput"], 1e-9) + hello[
        "throughput_noise"
    ] / max(hello["throughput"], 1e-9)
    return value, value * relative


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    hello_seconds, pages_seconds = (5, 15) if quick else (20, 60)
    hello_result, browsing, cache = measure(hello_seconds, pages_seconds)
    hello = summary(hello_result)
    pages = summary(browsing, PAGES)
    each = {name: summary(browsing, {name}) for name in sorted(PAGES)}
    config = (
        f"gunicorn {serving([])} (gunicorn.conf.py), DEBUG=0, the cache in {cache}; "
        f"locust {USERS} users, no pause; hello {hello_seconds} s, pages {pages_seconds} s"
    )
    print(config)
    share, share_noise = ratio(pages, hello)
    record(
        "load",
        [
            {"what": f"Load test set-up: {config}", "value": USERS, "unit": "users"},
            {
                "what": "Hello-world view under load: throughput",
                "value": hello["throughput"],
                "unit": "requests/s",
                "noise": hello["throughput_noise"],
            },
            {
                "what": "Hello-world view under load: 95th percentile",
                "value": hello["p95"],
                "unit": "ms",
                "noise": hello["p95_noise"],
            },
            {
                "what": "Pages under load (dashboard, outcome, action plan, My actions): "
                "throughput",
                "value": pages["throughput"],
                "unit": "requests/s",
                "noise": pages["throughput_noise"],
            },
            {
                "issue": 19,
                "what": "Pages under load: 95th percentile",
                "value": pages["p95"],
                "unit": "ms",
                "noise": pages["p95_noise"],
                "target": 500,
            },
            {
                "issue": 19,
                "what": "Pages under load: throughput ÷ hello-world throughput",
                "value": share,
                "unit": "%",
                "noise": share_noise,
                "target": 8,
                "better": "higher",
            },
            *(
                {
                    "what": f"Under load, {name} ({figures['count']} requests): median "
                    f"(95th percentile {figures['p95']:,.0f} ms)",
                    "value": figures["median"],
                    "unit": "ms",
                }
                for name, figures in each.items()
            ),
            {
                "what": f"{USERS} members signing in at once and opening their pages once "
                "(computed): until the last is ready",
                "value": browsing["ready_after"],
                "unit": "s",
            },
            {
                "what": "95th percentile of pages ÷ 95th percentile of hello-world",
                "value": pages["p95"] / max(hello["p95"], 1e-9),
                "unit": "×",
            },
            {
                "what": f"Requests that failed under load (of {hello['count'] + pages['count']:,})",
                "value": hello["errors"] + pages["errors"],
                "unit": "errors",
                "target": 0,
                "check": hello["errors"] + pages["errors"] == 0 and pages["count"] > 0,
            },
        ],
    )


if __name__ == "__main__":
    main()
