"""Server time and query count of the action plan table and My actions.

Run from the project root after bench/dataset.py: `.venv/bin/python bench/action_pages.py
[--quick]`, with DATABASE_URL at the benchmark database. A partner of the largest plan (1,000
actions, 3,000 milestones, 10,000 updates) opens the first page of the action plan (50 rows)
and My actions through Django's test client, timed in independent batches (their spread is the
figures' noise): as kept (nothing changed since they were last shown: issue 19's targets) and
after an action changed (a real write before each request, not timed: the page is computed
again). A partner of the plan a tenth its size does the same to check that the query counts
are equal, as kept and after a change.
"""

from __future__ import annotations

import argparse

from common import record, setup_django, time_figures

setup_django()

from dashboard import PROCESSOR, batches_of, queries, timed_after
from dataset import LARGEST, TENTH, member, plan
from django.db.models import F
from django.test import Client

from actions.models import Action

URLS = {"plan": "/plans/{pk}/actions/", "mine": "/my-actions/"}


def change_an_action(size):
    """A write to one of the plan's actions (its title saved again): the plan's stamp and the
    action's change."""
    action = Action.objects.filter(plan=plan(size)).order_by("pk").first()
    return lambda: Action.objects.filter(pk=action.pk).update(title=F("title"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    batches, count = (3, 4) if parser.parse_args().quick else (5, 6)

    clients, urls, counts, changes = {}, {}, {}, {}
    for size in (LARGEST, TENTH):
        clients[size] = Client()
        clients[size].force_login(member(size))
        clients[size].get("/")  # a session's first request records when it began
        urls[size] = {name: url.format(pk=plan(size).pk) for name, url in URLS.items()}
        changes[size] = change_an_action(size)
        for url in urls[size].values():  # the process's one check of the stamps' triggers
            clients[size].get(url)
        counts[size] = {
            (name, state): queries(
                clients[size], url, changes[size] if state == "computed" else lambda: None
            )
            for name, url in urls[size].items()
            for state in ("computed", "kept")
        }
    client, url = clients[LARGEST], urls[LARGEST]
    rows = client.get(url["mine"]).content.count(b'class="card mb-3 my-action"')
    runs = {
        (name, state): timed_after(
            changes[LARGEST] if state == "computed" else lambda: None,
            lambda u=u: client.get(u),
        )
        for name, u in url.items()
        for state in ("kept", "computed")
    }
    measured = batches_of(runs, batches=batches, count=count)
    full, tenth = counts[LARGEST], counts[TENTH]

    def processor(key, what: str) -> dict:
        seconds = sorted(PROCESSOR[runs[key]][2:])  # after the two warm-up runs
        return {
            "issue": 19,
            "what": f"{what}: median processor time (less moved by a busy machine)",
            "value": seconds[len(seconds) // 2] * 1000,
            "unit": "ms",
        }

    def flat(name: str, state: str) -> dict:
        return {
            "value": full[(name, state)],
            "unit": f"queries ({tenth[(name, state)]})",
            "target": tenth[(name, state)],
            "check": full[(name, state)] == tenth[(name, state)],
        }

    titles = {
        "plan": ("Action plan table, 1,000 actions (50 a page)", "Action plan table"),
        "mine": (f"My actions ({rows} open actions)", "My actions"),
    }
    figures = []
    for name, (title, short) in titles.items():
        figures += [
            *(
                {"issue": 19, **figure}
                for figure in time_figures(f"{title}, kept", measured[(name, "kept")], target=50)
            ),
            processor((name, "kept"), f"{short}, kept"),
            *time_figures(f"{title}, after an action changed", measured[(name, "computed")])[:1],
            {
                "issue": 19,
                "what": f"{short}: SQL queries, kept (at a tenth of the data)",
                **flat(name, "kept"),
            },
            {
                "what": f"{short}: SQL queries after a change (at a tenth of the data)",
                **flat(name, "computed"),
            },
        ]
    record("action_pages", figures)


if __name__ == "__main__":
    main()
