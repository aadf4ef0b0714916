"""Server time and query count of the action plan table and My actions.

Run from the project root: `.venv/bin/python bench/action_pages.py [--quick]`, with
DATABASE_URL at the database to measure. It builds a plan of 1,000 actions, 3,000 milestones
and 10,000 updates (bench/export_actions.py's scratch plan, plus ten updates an action), times
the first page of the action plan (50 rows) and one partner's My actions through Django's test
client, and checks that the query counts equal those at a tenth of the data.
"""

from __future__ import annotations

import argparse
import uuid
from datetime import UTC, datetime, timedelta

from common import median_ms, p95_ms, record, timings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from export_actions import check_migrated, clean_up, scratch_plan

from actions.models import Action, Update
from improveplan.models import Membership, Role

UPDATES = 10  # an action


def add_updates(plan) -> None:
    start = datetime(2026, 5, 1, 9, tzinfo=UTC)
    actions = list(Action.objects.filter(plan=plan).select_related("owner"))
    Update.objects.bulk_create(
        (
            Update(
                action=action,
                author=action.owner,
                created_at=start + timedelta(days=7 * n),
                status=Action.Status.ON_TRACK,
                progress=min(100, 10 * n),
                note="Met the practice managers; two more wards signed up.",
            )
            for action in actions
            for n in range(UPDATES)
        ),
        batch_size=5000,
    )


def measure(count: int, runs: int) -> dict:
    tag = uuid.uuid4().hex[:8]
    try:
        plan = scratch_plan(tag, count)
        add_updates(plan)
        partner = (
            Membership.objects.filter(partnership=plan.partnership, role=Role.PARTNER)
            .order_by("organisation__name")
            .first()
            .user
        )
        client = Client()
        client.force_login(partner)
        client.get("/")  # a session's first request records when it began
        pages = {"plan": f"/plans/{plan.pk}/actions/", "mine": "/my-actions/"}
        result = {}
        for name, url in pages.items():
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result[name] = (len(queries), timings(lambda u=url: client.get(u), runs=runs))
        result["mine_rows"] = client.get(pages["mine"]).content.count(
            b'class="card mb-3 my-action"'
        )
        return result
    finally:
        clean_up(tag)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    runs = 5 if parser.parse_args().quick else 20
    check_migrated()
    full = measure(1000, runs)
    tenth = measure(100, 1)
    record(
        "action_pages",
        [
            {
                "what": "Action plan table, 1,000 actions (50 a page): median server time",
                "value": median_ms(full["plan"][1]),
                "unit": "ms",
                "target": 150,
            },
            {
                "what": "Action plan table: 95th percentile",
                "value": p95_ms(full["plan"][1]),
                "unit": "ms",
            },
            {
                "what": "Action plan table: SQL queries (at a tenth of the data)",
                "value": full["plan"][0],
                "unit": f"queries ({tenth['plan'][0]})",
                "target": tenth["plan"][0],
                "check": full["plan"][0] == tenth["plan"][0],
            },
            {
                "what": f"My actions ({full['mine_rows']} open actions): median server time",
                "value": median_ms(full["mine"][1]),
                "unit": "ms",
                "target": 150,
            },
            {"what": "My actions: 95th percentile", "value": p95_ms(full["mine"][1]), "unit": "ms"},
            {
                "what": "My actions: SQL queries (at a tenth of the data)",
                "value": full["mine"][0],
                "unit": f"queries ({tenth['mine'][0]})",
                "target": tenth["mine"][0],
                "check": full["mine"][0] == tenth["mine"][0],
            },
        ],
    )


if __name__ == "__main__":
    main()
