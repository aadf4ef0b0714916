"""What live comments cost: an open page asks again only when its reader acts (issue 22).

Run from the project root after bench/dataset.py: `.venv/bin/python bench/live.py [--quick]`,
with DATABASE_URL at the benchmark database. On an action of the largest plan, with a long
discussion (200 comments, a third of them replies, a mention in every fifth), a partner of
the plan, through Django's test client:

- asks for the comments again when nothing is new (static/improveplan/live.js does this when
  its reader comes back to the tab or starts to type, at most every 15 s): the answer is
  204 and no body;
- asks again after someone has posted: the list comes whole;
- opens the action's page with its comments;

each timed in independent batches (their spread is the noise). The query counts must be the
same with 20 comments as with 200. From the "nothing new" time it works out the server time
that 1,000 open pages cost if each reader acted once a minute, against a target of a quarter
of one core (250 ms each second); a page nobody touches asks nothing at all (no timer).
"""

from __future__ import annotations

import argparse
import re
from datetime import timedelta

from common import batched_timings, record, setup_django, time_figures

setup_django()

from dataset import LARGEST, TENTH, member, plan
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.models import Action
from comments.models import Comment
from improveplan.models import Membership, Role

HTMX = {"HX-Request": "true"}
LONG, SHORT = 200, 20
READERS, EACH_SECONDS = 1_000, 60  # the load worked out from the "nothing new" time


def discussion(action: Action, count: int) -> None:
    """``count`` comments on the action by its partnership's members, replies and mentions
    among them (made again each run: the dataset's database is the bench's own)."""
    Comment.objects.filter(action=action).delete()
    people = list(
        Membership.objects.filter(partnership_id=action.plan.partnership_id)
        .exclude(role=Role.BOARD)
        .values_list("user_id", "user__full_name")[:12]
    )
    start = timezone.now() - timedelta(days=30)
    with transaction.atomic():
        made = []
        for n in range(count):
            author, _ = people[n % len(people)]
            named = people[(n + 1) % len(people)]
            mention = f"@{named[1]} " if n % 5 == 0 else ""
            parent = made[n - 1] if n % 3 == 2 and made[n - 1].parent_id is None else None
            comment = Comment.objects.create(
                plan=action.plan,
                action=action,
                author_id=author,
                parent=parent,
                text=f"{mention}Comment {n}: the figures for the quarter are in, see "
                "https://example.org/figures for the detail.",
                created_at=start + timedelta(minutes=n),
            )
            if mention:
                comment.mentioned.add(named[0])
            made.append(comment)


def stamp_of(client: Client, url: str) -> str:
    return re.search(rb'data-live-stamp="([0-9a-f]+)"', client.get(url).content)[1].decode()


def counted(client: Client, url: str, **headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(url, headers=headers)
    return len(captured)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    batches, runs = (3, 6) if parser.parse_args().quick else (5, 12)

    action = Action.objects.filter(plan=plan(LARGEST)).order_by("number").first()
    small = Action.objects.filter(plan=plan(TENTH)).order_by("number").first()
    client = Client()
    client.force_login(member(LARGEST))
    client.get("/")  # a session's first request records when it began: not the page's cost
    other = Client()
    other.force_login(member(TENTH))
    other.get("/")

    counts = {}
    for thing, size, who in ((action, LONG, client), (small, SHORT, other)):
        discussion(thing, size)
        page = thing.get_absolute_url()
        listed = f"/actions/{thing.pk}/comments/"
        stamp = stamp_of(who, page)
        counts[size] = {
            "unchanged": counted(who, f"{listed}?since={stamp}", **HTMX),
            "changed": counted(who, f"{listed}?since=old", **HTMX),
            "page": counted(who, page),
        }
    page = action.get_absolute_url()
    listed = f"/actions/{action.pk}/comments/"
    stamp = stamp_of(client, page)
    assert client.get(f"{listed}?since={stamp}", headers=HTMX).status_code == 204
    answered = client.get(f"{listed}?since=old", headers=HTMX)
    shown = answered.content.count(b'class="comment border-start')
    assert answered.status_code == 200 and shown == LONG, shown

    measured = batched_timings(
        {
            "unchanged": lambda: client.get(f"{listed}?since={stamp}", headers=HTMX),
            "changed": lambda: client.get(f"{listed}?since=old", headers=HTMX),
            "page": lambda: client.get(page),
        },
        batches=batches,
        runs=runs,
    )
    unchanged = time_figures("Comments asked for again, nothing new (204)", measured["unchanged"])
    a_second = READERS / EACH_SECONDS  # requests, if every reader acted once a minute
    record(
        "live",
        [
            {**unchanged[0], "target": 20},
            unchanged[1],
            *time_figures(
                f"Comments asked for again after a new one ({LONG} comments)",
                measured["changed"],
                target=150,
            ),
            *time_figures(f"Action page with {LONG} comments", measured["page"], target=250),
            *(
                {
                    "what": f"Comments, {kind}: SQL queries (at {SHORT} comments)",
                    "value": counts[LONG][kind],
                    "unit": f"queries ({counts[SHORT][kind]})",
                    "target": counts[SHORT][kind],
                    "check": counts[LONG][kind] == counts[SHORT][kind],
                }
                for kind in ("unchanged", "changed", "page")
            ),
            {
                "what": f"Live comments, {READERS:,} open pages each acted on once a minute: "
                "server time a second",
                "value": a_second * unchanged[0]["value"],
                "unit": "ms",
                "noise": a_second * unchanged[0]["noise"],
                "target": 250,  # a quarter of one core
            },
        ],
    )


if __name__ == "__main__":
    main()
