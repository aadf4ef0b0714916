"""Server time and query count of the action plan table and My actions.

Run from the project root after bench/dataset.py: `.venv/bin/python bench/action_pages.py
[--quick]`, with DATABASE_URL at the benchmark database. A partner of the largest plan (1,000
actions, 3,000 milestones, 10,000 updates) opens the first page of the action plan (50 rows)
and My actions through Django's test client, timed in independent batches (their spread is the
figures' noise); a partner of the plan a tenth its size does the same to check that the query
counts are equal.
"""

from __future__ import annotations

import argparse

from common import batched_timings, record, setup_django, time_figures

setup_django()

from dashboard import queries
from dataset import LARGEST, TENTH, member, plan
from django.test import Client

URLS = {"plan": "/plans/{pk}/actions/", "mine": "/my-actions/"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    batches, runs = (3, 4) if parser.parse_args().quick else (5, 6)

    clients, urls, counts = {}, {}, {}
    for size in (LARGEST, TENTH):
        clients[size] = Client()
        clients[size].force_login(member(size))
        clients[size].get("/")  # a session's first request records when it began
        urls[size] = {name: url.format(pk=plan(size).pk) for name, url in URLS.items()}
        counts[size] = {name: queries(clients[size], url) for name, url in urls[size].items()}
    client, url = clients[LARGEST], urls[LARGEST]
    rows = client.get(url["mine"]).content.count(b'class="card mb-3 my-action"')
    measured = batched_timings(
        {name: (lambda u=u: client.get(u)) for name, u in url.items()},
        batches=batches,
        runs=runs,
    )
    full, tenth = counts[LARGEST], counts[TENTH]
    record(
        "action_pages",
        [
            *time_figures(
                "Action plan table, 1,000 actions (50 a page)", measured["plan"], target=150
            ),
            {
                "what": "Action plan table: SQL queries (at a tenth of the data)",
                "value": full["plan"],
                "unit": f"queries ({tenth['plan']})",
                "target": tenth["plan"],
                "check": full["plan"] == tenth["plan"],
            },
            *time_figures(f"My actions ({rows} open actions)", measured["mine"], target=150),
            {
                "what": "My actions: SQL queries (at a tenth of the data)",
                "value": full["mine"],
                "unit": f"queries ({tenth['mine']})",
                "target": tenth["mine"],
                "check": full["mine"] == tenth["mine"],
            },
        ],
    )


if __name__ == "__main__":
    main()
