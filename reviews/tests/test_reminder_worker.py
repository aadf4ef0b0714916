"""Reminders against the real parts: a Celery worker on Redis, PostgreSQL, and an SMTP
server the test runs. Each person gets exactly one digest, whatever goes wrong."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from actions.tests.factories import ActionFactory
from improveplan.models import Role
from improveplan.tests.factories import MembershipFactory, OrganisationFactory
from improveplan.tests.test_celery_worker import ROOT, database_url_for_the_test_database
from reviews import services
from reviews.models import DigestClaim

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_parts(postgresql, redis_url, smtp_server, celery_eager, settings, tmp_path):
    """A way to start real workers; tasks go through Redis, mail to the test's server."""
    celery_eager.conf.task_always_eager = False
    celery_eager.control.purge()
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url_for_the_test_database(),
        "CELERY_BROKER_URL": redis_url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(settings.EMAIL_PORT),
        "EMAIL_USE_TLS": "0",
        # Files a worker keeps (a board pack's report) go to the test's folder.
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    workers: list[subprocess.Popen] = []
    logs: list = []

    def start() -> subprocess.Popen:
        log = open(tmp_path / f"worker-{len(workers)}.log", "w+")  # noqa: SIM115
        logs.append(log)
        worker = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "improveplan", "worker", "--pool=solo"),
                *("--loglevel=info", "--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=30)
    celery_eager.control.purge()
    for log in logs:
        log.close()


def worker_log(tmp_path) -> str:
    return "\n".join(path.read_text() for path in sorted(tmp_path.glob("worker-*.log")))


def people_with_overdue_actions(world, count: int) -> list[str]:
    due = timezone.localdate() - timedelta(days=3)
    emails = []
    for n in range(count):
        organisation = OrganisationFactory(partnership=world.partnership, name=f"Body {n}")
        member = MembershipFactory(
            organisation=organisation, role=Role.PARTNER, user__email=f"reminded{n}@example.org"
        )
        ActionFactory(plan=world.plan, lead_organisation=organisation, due=due)
        emails.append(member.user.email)
    return emails


def recipients(messages) -> Counter:
    return Counter(message["To"] for message in messages)


def settle(inbox, seconds: float = 3) -> list:
    """Wait until nothing more arrives for a while: a duplicate would have come by then."""
    count = -1
    while count != len(inbox.messages):
        count = len(inbox.messages)
        time.sleep(seconds)
    return inbox.messages


def test_a_real_worker_sends_each_digest_once(real_parts, world, smtp_server, tmp_path):
    emails = people_with_overdue_actions(world, 5)
    real_parts()
    assert services.digests_run(day=timezone.localdate()).held == 5
    smtp_server.wait_for(5, timeout=60)
    messages = settle(smtp_server)
    assert recipients(messages) == Counter(emails), worker_log(tmp_path)
    assert "Overdue actions" in messages[0].get_body(("plain",)).get_content()
    assert set(DigestClaim.objects.values_list("status", flat=True)) == {"sent"}
    assert "send_digest" in worker_log(tmp_path)


def test_two_runs_at_the_same_moment_send_each_digest_once(
    real_parts, world, smtp_server, tmp_path
):
    emails = people_with_overdue_actions(world, 10)
    day = timezone.localdate()
    together = threading.Barrier(2)
    claimed = []

    def run() -> None:
        together.wait()
        try:
            claimed.append(services.digests_run(day=day).held)
        finally:
            connection.close()

    runs = [threading.Thread(target=run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join()
    assert sorted(claimed) == [0, 10]
    real_parts()
    smtp_server.wait_for(10, timeout=60)
    assert recipients(settle(smtp_server)) == Counter(emails), worker_log(tmp_path)


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_nothing(
    real_parts, world, smtp_server, settings, tmp_path
):
    emails = people_with_overdue_actions(world, 20)
    pause = 0.4

    async def slow_rcpt(server, session, envelope, address, rcpt_options):
        await asyncio.sleep(pause)  # before the message: a kill here leaves nothing delivered
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp_server.handle_RCPT = slow_rcpt
    worker = real_parts()
    day = timezone.localdate()  # both runs the same day's, should the test cross midnight
    services.digests_run(day=day)
    smtp_server.wait_for(5, timeout=60)
    time.sleep(pause / 2)  # into the next message's slow recipient step
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    arrived = len(smtp_server.messages)
    assert 5 <= arrived < 20, "the kill should land mid-batch"

    # A new worker takes the rest of the queue; the message the dead worker held is
    # sent by the next scheduled run, which takes over claims left unsent.
    real_parts()
    settle(smtp_server, seconds=2 * pause + 2)
    settings.REMINDER_STALE_MINUTES = 0
    services.digests_run(day=day)
    smtp_server.wait_for(20, timeout=60)
    assert recipients(settle(smtp_server)) == Counter(emails), worker_log(tmp_path)
    assert set(DigestClaim.objects.values_list("status", flat=True)) == {"sent"}


def test_an_address_the_server_refuses_is_recorded_and_the_others_are_sent(
    real_parts, world, smtp_server, tmp_path
):
    emails = people_with_overdue_actions(world, 3)
    refused = emails[1]

    async def refuse_one(server, session, envelope, address, rcpt_options):
        if address == refused:
            return "550 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp_server.handle_RCPT = refuse_one
    real_parts()
    services.digests_run(day=timezone.localdate())
    smtp_server.wait_for(2, timeout=60)
    assert recipients(settle(smtp_server)) == Counter([emails[0], emails[2]])
    failed = DigestClaim.objects.get(user__email=refused)
    for _ in range(50):
        failed.refresh_from_db()
        if failed.status != "claimed":
            break
        time.sleep(0.2)
    assert failed.status == "failed", worker_log(tmp_path)
    assert "No such mailbox" in failed.last_error
    assert DigestClaim.objects.filter(status="sent").count() == 2
