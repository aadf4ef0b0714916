"""How long does building the day's reminder digests take, for everyone at once?

Run from the project root: `.venv/bin/python bench/reminders.py [--quick]`, with DATABASE_URL
at the database to measure (make bench uses PostgreSQL). It builds a scratch partnership of
5,000 people in 250 organisations with 20,000 actions across ten plans (a tenth of that with
--quick), with indicators, updates and a review coming up, then times `build_digests` for
one day (every person's digest), counts its queries, and checks that the count is the same
at a tenth of the people. It also times turning every digest into its email (HTML and text),
which is all the work left before the mail server.

Then it sends the day's digests as the scheduled run does (`digests_run`: build every digest
once, claim a row per person with what it says, and one send task per batch of rows, each
sending over one SMTP connection), with tasks run in-process one after another and a real
SMTP server (aiosmtpd, in a process of its own) that accepts every message: the wall time
until the last is sent, and the SQL queries each email costs beyond the build (counted at a
tenth of the people). It deletes what it made.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta

from common import check_migrated, delete_scratch, record, setup_django, timings

setup_django()

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection, reset_queries, transaction
from django.test.utils import CaptureQueriesContext

from actions.models import Action, Update
from improveplan.celery import app
from improveplan.models import Membership, Organisation, Partnership, Plan, Role, User
from outcomes.models import Indicator, Outcome, Reading
from reviews.models import DigestClaim, Review
from reviews.reminders import build_digests
from reviews.services import digest_message, digests_run

# The run is for today: a send checks what it says against the real date (a board pack
# for a meeting already past is dropped), so a fixed day would go stale.
DAY = date.today()
PEOPLE_PER_ORGANISATION = 20
PLANS = 10


def scratch(tag: str, people: int, actions: int) -> None:
    organisations_count = -(-people // PEOPLE_PER_ORGANISATION)  # rounded up: none left out
    with transaction.atomic():
        partnership = Partnership.objects.create(name=f"Benchmark {tag}")
        organisations = Organisation.objects.bulk_create(
            Organisation(partnership=partnership, name=f"Bench body {n}")
            for n in range(organisations_count)
        )
        users = User.objects.bulk_create(
            User(
                email=f"bench-{tag}-{n}@example.invalid",
                full_name=f"Person {n}",
                password=UNUSABLE_PASSWORD_PREFIX,  # hashing 5,000 passwords would take minutes
            )
            for n in range(people)
        )
        Membership.objects.bulk_create(
            Membership(
                user=user,
                partnership=partnership,
                organisation=organisations[n // PEOPLE_PER_ORGANISATION],
                role=[Role.PARTNER, Role.PARTNER, Role.LEAD, Role.BOARD][n % 4],
            )
            for n, user in enumerate(users)
        )
        plans = Plan.objects.bulk_create(
            Plan(
                partnership=partnership,
                title=f"Bench plan {n}",
                period_start=date(2026, 4, 1),
                period_end=date(2029, 3, 31),
            )
            for n in range(PLANS)
        )
        outcomes = Outcome.objects.bulk_create(
            Outcome(plan=plan, statement="Outcome", priority=1) for plan in plans
        )
        indicators = Indicator.objects.bulk_create(
            Indicator(
                plan=plans[n % PLANS],
                outcome=outcomes[n % PLANS],
                code=f"B-{n}",
                name=f"Indicator {n}",
                owner=organisation,
            )
            for n, organisation in enumerate(organisations * 2)
        )
        Reading.objects.bulk_create(
            Reading(indicator=indicator, period=date(2026, 6, 30), value=10)
            for indicator in indicators
        )
        made = Action.objects.bulk_create(
            (
                Action(
                    plan=plans[n % PLANS],
                    number=n + 1,
                    reference=f"A-{n + 1:02d}",
                    title=f"Benchmark action {n}",
                    lead_organisation=organisations[n % organisations_count],
                    # A third have a named owner; the rest go to their organisation.
                    owner=users[(n % organisations_count) * PEOPLE_PER_ORGANISATION]
                    if n % 3 == 0
                    else None,
                    start=date(2026, 4, 1),
                    due=DAY + timedelta(days=n % 60 - 30),
                )
                for n in range(actions)
            ),
            batch_size=5000,
        )
        Update.objects.bulk_create(
            (
                Update(
                    action=action,
                    created_at=datetime(2026, 10, 15, tzinfo=UTC),
                    status=Action.Status.ON_TRACK,
                    progress=40,
                )
                for action in made[::2]
            ),
            batch_size=5000,
        )
        Review.objects.bulk_create(
            Review(
                plan=plan,
                period_start=date(2026, 10, 1),
                period_end=date(2026, 12, 31),
                # In the digests' fortnight ahead, not yet in the board papers' week:
                # this measures the digests.
                meets_on=DAY + timedelta(days=10),
            )
            for plan in plans
        )


def clean_up(tag: str) -> None:
    delete_scratch(
        Partnership.objects.filter(name=f"Benchmark {tag}"),
        User.objects.filter(email__startswith=f"bench-{tag}-"),
    )


def queries_and_digests(tag: str) -> tuple[int, dict]:
    # Django keeps the last 9,000 queries: once building the scratch data has filled that log,
    # a capture counts none. Empty it first.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        digests = build_digests(DAY)
    mine = {k: d for k, d in digests.items() if d.email.startswith(f"bench-{tag}-")}
    return len(queries), mine


SINK = "aiosmtpd.handlers.Sink"


class MailServer:
    """aiosmtpd in a process of its own on a free port, taking every message; Django's mail
    goes to it through the product's SMTP backend."""

    def __enter__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", SINK],
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        settings.EMAIL_BACKEND = "improveplan.mail_backend.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        app.conf.task_always_eager = True  # each send task runs here, as it is queued
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def send_the_day(tag: str) -> tuple[float, int, int, int]:
    """Seconds to send the day's digests to the tag's people, the queries that took, and how
    many digests were sent (and claimed)."""
    people = User.objects.filter(email__startswith=f"bench-{tag}-")
    user_ids = list(people.values_list("pk", flat=True))
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = digests_run(day=DAY, user_ids=user_ids)
        seconds = time.perf_counter() - started
    sent = DigestClaim.objects.filter(user_id__in=user_ids, status="sent").count()
    return seconds, len(queries), sent, result.held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the data")
    quick = parser.parse_args().quick
    people, actions = (500, 2000) if quick else (5000, 20000)
    print(f"{people:,} people, {actions:,} actions, {connection.vendor}")
    check_migrated()
    small, large = uuid.uuid4().hex[:8], uuid.uuid4().hex[:8]
    try:
        scratch(small, people // 10, actions // 10)
        small_queries, small_digests = queries_and_digests(small)
        with MailServer():
            _, send_queries, small_sent, _ = send_the_day(small)
        assert small_sent == len(small_digests), (small_sent, len(small_digests))
        per_email = (send_queries - small_queries) / small_sent
        clean_up(small)
        scratch(large, people, actions)
        large_queries, digests = queries_and_digests(large)
        items = sum(len(d.items) for d in digests.values())
        print(f"{len(digests):,} digests, {items:,} items; {large_queries} queries")
        seconds = timings(lambda: build_digests(DAY), runs=3, warmup=1)
        rendering = timings(
            lambda: [digest_message(d, day=DAY).message() for d in digests.values()],
            runs=1,
            warmup=0,
        )
        with MailServer():
            sending, _, sent, claimed = send_the_day(large)
    finally:
        clean_up(small)
        clean_up(large)
    median = sorted(seconds)[len(seconds) // 2]
    print(f"build_digests: median {median:.2f} s ({min(seconds):.2f}–{max(seconds):.2f})")
    print(f"queries: {large_queries} for {people:,} people, {small_queries} for a tenth")
    print(f"rendering every email: {rendering[0]:.2f} s")
    print(f"sending the day's {sent:,} digests (of {claimed:,} claimed): {sending:.1f} s")
    print(f"queries per email sent, beyond the build: {per_email:.1f}")
    record(
        "reminders",
        [
            {
                "what": f"Build every digest: {people:,} people, {actions:,} actions",
                "value": median,
                "unit": "s",
                "target": 20 if not quick else None,
                "noise": max(seconds) - min(seconds),
            },
            {
                "what": f"Queries to build them (a tenth of the people: {small_queries})",
                "value": large_queries,
                "unit": "queries",
                "target": small_queries,
                "check": large_queries == small_queries,
            },
            {
                "what": f"Render all {len(digests):,} digest emails (HTML and text)",
                "value": rendering[0],
                "unit": "s",
            },
            {
                "what": f"Send the day's digests, {people:,} people ({sent:,} emails to a real "
                "SMTP server, tasks in-process)",
                "value": sending,
                "unit": "s",
                "target": 60 if not quick else None,
                "issue": 18,
            },
            {
                "what": f"Every digest claimed was sent ({sent:,} of {claimed:,}; built: "
                f"{len(digests):,})",
                "value": sent,
                "unit": "emails",
                "check": sent == len(digests) == claimed,
                "issue": 18,
            },
            {
                "what": "SQL queries per email sent, beyond building every digest once",
                "value": per_email,
                "unit": "queries",
                "issue": 18,
            },
        ],
    )


if __name__ == "__main__":
    main()
