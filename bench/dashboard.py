"""Server time and query count of the plan dashboard and an outcome page.

Run from the project root after bench/dataset.py: `.venv/bin/python bench/dashboard.py
[--quick]`, with DATABASE_URL at the benchmark database. A lead of each plan opens the pages
through Django's test client (the whole request: middleware, views, templates, charts), the
cache in the process's memory:

- the dashboard of the plan issue 3 sets its target for (10 outcomes × 5 indicators × 60
  readings, each with a target and a comparator), after a reading changed;
- the dashboard of the largest plan (40 outcomes × 5), issue 19's targets: as kept (nothing
  changed since it was last shown), after a reading changed (that indicator and the plan's
  page computed again, the other indicators' rows and the actions' Five Steps facts as kept),
  and with nothing kept at all (the cache emptied before each request);
- an outcome page of the largest plan (5 indicators × 60 readings), as kept and after a
  reading of it changed;

each timed in independent batches (the spread between batches is the figure's noise). "A
reading changed" is a real write before each request (the reading saved with its value),
which changes the stamps of the plan and of the indicator; it is not timed. The query counts
are checked the same for the largest plan, the issue 3 plan and a tenth, as kept and after a
change.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from common import record, setup_django, time_figures

setup_django()

from dataset import DASHBOARD, LARGEST, TENTH, member, plan
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext

from improveplan.models import Role
from outcomes.models import Reading


def signed_in(size) -> Client:
    client = Client()
    client.force_login(member(size, Role.LEAD))
    client.get("/")  # a session's first request records when it began: not the page's cost
    return client


def queries(client: Client, url: str, before: Callable[[], object] = lambda: None) -> int:
    before()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def change_a_reading(indicators) -> Callable[[], object]:
    """A write to one of the indicators' readings (its value saved again), as a lead's edit
    would: the plan's and that indicator's stamps change."""
    reading = Reading.objects.filter(indicator__in=indicators).order_by("pk").first()
    return lambda: Reading.objects.filter(pk=reading.pk).update(value=F("value"))


PROCESSOR: dict[Callable, list[float]] = {}  # each run's processor time, by run


def timed_after(before: Callable[[], object], action: Callable[[], object]) -> Callable[[], float]:
    """A run of ``action`` after ``before``, timing ``action`` alone (its processor time is
    kept in PROCESSOR: less moved by a busy machine than the time that passed)."""

    def run() -> float:
        before()
        started, processor = time.perf_counter(), time.process_time()
        action()
        PROCESSOR.setdefault(run, []).append(time.process_time() - processor)
        return time.perf_counter() - started

    return run


def batches_of(runs: dict[str, Callable[[], float]], *, batches: int, count: int) -> dict:
    """Like common.batched_timings, for runs that time themselves: in turns, batch by batch."""
    for run in runs.values():
        run(), run()
    measured: dict[str, list[list[float]]] = {name: [] for name in runs}
    for _ in range(batches):
        for name, run in runs.items():
            measured[name].append([run() for _ in range(count)])
    return measured


def kept(action: Callable[[], object]) -> Callable[[], float]:
    return timed_after(lambda: None, action)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer runs, for development")
    batches, count = (3, 4) if parser.parse_args().quick else (5, 6)

    clients = {size: signed_in(size) for size in (LARGEST, TENTH, DASHBOARD)}
    plans = {size: plan(size) for size in clients}
    dashboards = {size: plans[size].get_absolute_url() for size in clients}
    outcomes = {size: plans[size].outcomes.first() for size in clients}
    changes = {size: change_a_reading(plans[size].indicators.all()) for size in clients}
    outcome_changes = {size: change_a_reading(outcomes[size].indicators.all()) for size in clients}
    # A process's first read of the stamps checks, once, that their triggers are installed:
    # not a cost of the page measured first, so each page is shown once before counting.
    for size in clients:
        clients[size].get(dashboards[size]), clients[size].get(outcomes[size].get_absolute_url())
    counts = {
        (page, state, size): queries(
            clients[size],
            dashboards[size] if page == "dashboard" else outcomes[size].get_absolute_url(),
            (changes if page == "dashboard" else outcome_changes)[size]
            if state == "computed"
            else lambda: None,
        )
        for page in ("dashboard", "outcome")
        for state in ("computed", "kept", "again")
        for size in clients
    }
    client, largest = clients[LARGEST], dashboards[LARGEST]
    outcome = outcomes[LARGEST].get_absolute_url()
    runs = {
        "dashboard": timed_after(
            changes[DASHBOARD], lambda: clients[DASHBOARD].get(dashboards[DASHBOARD])
        ),
        "largest kept": kept(lambda: client.get(largest)),
        "largest computed": timed_after(changes[LARGEST], lambda: client.get(largest)),
        "outcome kept": kept(lambda: client.get(outcome)),
        "outcome computed": timed_after(outcome_changes[LARGEST], lambda: client.get(outcome)),
    }
    measured = batches_of(runs, batches=batches, count=count)
    # Seconds a run and no target: fewer runs, in batches of their own, keep the whole run short.
    runs["largest from nothing"] = timed_after(cache.clear, lambda: client.get(largest))
    measured |= batches_of(
        {"largest from nothing": runs["largest from nothing"]}, batches=3, count=2
    )

    def processor(name: str, what: str) -> dict:
        seconds = sorted(PROCESSOR[runs[name]][2:])  # after the two warm-up runs
        return {
            "issue": 19,
            "what": f"{what}: median processor time (less moved by a busy machine)",
            "value": seconds[len(seconds) // 2] * 1000,
            "unit": "ms",
        }

    def flat(page: str, state: str) -> dict:
        found = {size: counts[(page, state, size)] for size in clients}
        return {
            "value": found[LARGEST],
            "unit": f"queries ({found[DASHBOARD]}, {found[TENTH]})",
            "target": found[TENTH],
            "check": len(set(found.values())) == 1,
        }

    dashboard_kept = flat("dashboard", "kept")
    record(
        "dashboard",
        [
            *time_figures(
                "Dashboard, 10 outcomes × 5 indicators × 60 readings, after a reading changed",
                measured["dashboard"],
                target=150,
            ),
            *(
                {"issue": 19, **figure}
                for figure in time_figures(
                    "Dashboard of the largest plan, 40 outcomes × 5, nothing changed (kept)",
                    measured["largest kept"],
                    target=25,
                )
            ),
            processor("largest kept", "Dashboard of the largest plan, kept"),
            *(
                {"issue": 19, **figure}
                for figure in time_figures(
                    "Dashboard of the largest plan after a reading changed (the plan's page and "
                    "that indicator computed again)",
                    measured["largest computed"],
                    target=100,
                )
            ),
            processor("largest computed", "Dashboard of the largest plan after a reading changed"),
            *(
                {"issue": 19, **figure}
                for figure in time_figures(
                    "Dashboard of the largest plan with nothing kept (the cache emptied)",
                    measured["largest from nothing"],
                )
            ),
            processor("largest from nothing", "Dashboard of the largest plan with nothing kept"),
            {
                "what": "Dashboard: SQL queries at 40 outcomes after a change "
                "(at 10 and at 4 outcomes)",
                **flat("dashboard", "computed"),
            },
            {
                "issue": 19,
                "what": "Dashboard: SQL queries at 40 outcomes, kept (at 10 and at 4 outcomes)",
                **dashboard_kept,
                "check": dashboard_kept["check"]
                and counts[("dashboard", "again", LARGEST)] == dashboard_kept["value"],
            },
            *(
                {"issue": 19, **figure}
                for figure in time_figures(
                    "Outcome page, 5 indicators × 60 readings, kept",
                    measured["outcome kept"],
                    target=50,
                )
            ),
            processor("outcome kept", "Outcome page, kept"),
            *(
                {"issue": 19, **figure}
                for figure in time_figures(
                    "Outcome page after one of its readings changed", measured["outcome computed"]
                )[:1]
            ),
            {
                "what": "Outcome page: SQL queries in the largest plan after a change "
                "(in the issue 3 plan, in a tenth)",
                **flat("outcome", "computed"),
            },
            {
                "issue": 19,
                "what": "Outcome page: SQL queries in the largest plan, kept "
                "(in the issue 3 plan, in a tenth)",
                **flat("outcome", "kept"),
            },
        ],
    )


if __name__ == "__main__":
    main()
