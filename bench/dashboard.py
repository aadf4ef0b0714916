"""Server time and query count of the plan dashboard and an outcome page.

Run from the project root after bench/dataset.py: `.venv/bin/python bench/dashboard.py
[--quick]`, with DATABASE_URL at the benchmark database. A lead of each plan opens the pages
through Django's test client (the whole request: middleware, views, templates, charts):

- the dashboard of the plan issue 3 sets its target for (10 outcomes × 5 indicators × 60
  readings, each with a target and a comparator), and of the largest plan (40 outcomes × 5);
- an outcome page of the largest plan (5 indicators × 60 readings);

each timed in independent batches (the spread between batches is the figure's noise), and
checks that the query counts are the same for the largest plan, the issue 3 plan and a tenth.
"""

from __future__ import annotations

import argparse

from common import batched_timings, record, setup_django, time_figures

setup_django()

from dataset import DASHBOARD, LARGEST, TENTH, member, plan
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from improveplan.models import Role


def signed_in(size) -> Client:
    client = Client()
    client.force_login(member(size, Role.LEAD))
    client.get("/")  # a session's first request records when it began: not the page's cost
    return client


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer runs, for development")
    batches, runs = (3, 4) if parser.parse_args().quick else (5, 6)

    clients = {size: signed_in(size) for size in (LARGEST, TENTH, DASHBOARD)}
    dashboards = {size: plan(size).get_absolute_url() for size in clients}
    outcomes = {size: plan(size).outcomes.first().get_absolute_url() for size in clients}
    dashboard_queries = {size: queries(clients[size], dashboards[size]) for size in clients}
    outcome_queries = {size: queries(clients[size], outcomes[size]) for size in clients}
    measured = batched_timings(
        {
            "dashboard": lambda: clients[DASHBOARD].get(dashboards[DASHBOARD]),
            "largest": lambda: clients[LARGEST].get(dashboards[LARGEST]),
            "outcome": lambda: clients[LARGEST].get(outcomes[LARGEST]),
        },
        batches=batches,
        runs=runs,
    )
    full, tenth = dashboard_queries[LARGEST], dashboard_queries[TENTH]
    record(
        "dashboard",
        [
            *time_figures(
                "Dashboard, 10 outcomes × 5 indicators × 60 readings",
                measured["dashboard"],
                target=150,
            ),
            *time_figures("Dashboard of the largest plan, 40 outcomes × 5", measured["largest"]),
            {
                "what": "Dashboard: SQL queries at 40 outcomes (at 10 and at 4 outcomes)",
                "value": full,
                "unit": f"queries ({dashboard_queries[DASHBOARD]}, {tenth})",
                "target": tenth,
                "check": full == tenth == dashboard_queries[DASHBOARD],
            },
            *time_figures("Outcome page, 5 indicators × 60 readings", measured["outcome"]),
            {
                "what": "Outcome page: SQL queries in the largest plan (in a tenth of it)",
                "value": outcome_queries[LARGEST],
                "unit": f"queries ({outcome_queries[TENTH]})",
                "target": outcome_queries[TENTH],
                "check": outcome_queries[LARGEST] == outcome_queries[TENTH],
            },
        ],
    )


if __name__ == "__main__":
    main()
