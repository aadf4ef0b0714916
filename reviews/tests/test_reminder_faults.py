"""Reminders when things go wrong, with the faults made for real: an SMTP server the test runs
that refuses, answers 451 or answers late, a port where nothing listens, a task queue that does
not answer, concurrent runs on PostgreSQL. Never lost, never twice, and said as it is."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from actions.tests.factories import ActionFactory
from improveplan.models import Role, User
from improveplan.tests.factories import MembershipFactory, OrganisationFactory
from improveplan.tests.test_celery_worker import ROOT, database_url_for_the_test_database
from reviews import services
from reviews.models import DigestClaim, ReminderPreference

MONDAY = date(2026, 11, 23)
TUESDAY = MONDAY + timedelta(days=1)
WEDNESDAY = MONDAY + timedelta(days=2)

pytestmark = pytest.mark.django_db


def at(day: date, hour: int, minute: int = 0):
    """Time frozen at that hour in London (GMT in November)."""
    return time_machine.travel(f"{day}T{hour:02d}:{minute:02d}:00+00:00", tick=False)


@pytest.fixture
def overdue(world):
    """The partner (housing) and the lead (council) each have an overdue action."""
    ActionFactory(plan=world.plan, lead_organisation=world.housing, due=date(2026, 11, 2))
    ActionFactory(plan=world.plan, lead_organisation=world.council, due=date(2026, 11, 2))
    return world


def run(day: date, django_capture_on_commit_callbacks) -> services.RunResult:
    with django_capture_on_commit_callbacks(execute=True):
        return services.digests_run(day=day)


def statuses() -> dict[str, str]:
    return dict(DigestClaim.objects.values_list("user__email", "status"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def refuse_with(smtp_server, answer: str) -> None:
    async def refuse(server, session, envelope, address, rcpt_options):
        return answer

    smtp_server.handle_RCPT = refuse


def accept_again(smtp_server) -> None:
    del smtp_server.handle_RCPT  # back to aiosmtpd's own: every address accepted


# 10. A mail server down for a while loses nothing ---------------------------------------


def test_a_server_answering_451_keeps_the_digests_for_the_next_run(
    overdue, smtp_server, django_capture_on_commit_callbacks
):
    refuse_with(smtp_server, "451 4.3.0 Try again later")
    with at(MONDAY, 8):
        run(MONDAY, django_capture_on_commit_callbacks)
    assert smtp_server.messages == []
    assert set(statuses().values()) == {"waiting"}
    assert "451" in DigestClaim.objects.first().last_error

    accept_again(smtp_server)
    with at(MONDAY, 9):
        result = run(MONDAY, django_capture_on_commit_callbacks)
    assert (result.taken_over, result.queued) == (2, 2)
    smtp_server.wait_for(2)
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        [overdue.partner.email, overdue.lead.email]
    )
    assert set(statuses().values()) == {"sent"}


def test_a_server_refusing_connections_all_day_is_caught_up_the_next_morning(
    overdue, smtp_server, settings, django_capture_on_commit_callbacks
):
    """Monday's digests fail all day (nothing listens on the port). On Tuesday the weekly
    reader, who gets no digest on Tuesdays, is sent Monday's; the daily reader gets Tuesday's
    alone, and Monday's says it was replaced."""
    ReminderPreference.objects.create(user=overdue.partner, frequency="weekly")
    working_port, settings.EMAIL_PORT = settings.EMAIL_PORT, free_port()
    for hour in range(7, 19):
        with at(MONDAY, hour):
            run(MONDAY, django_capture_on_commit_callbacks)
    assert set(statuses().values()) == {"waiting"}
    assert "ConnectionRefusedError" in DigestClaim.objects.first().last_error

    settings.EMAIL_PORT = working_port
    with at(TUESDAY, 7):
        result = run(TUESDAY, django_capture_on_commit_callbacks)
    assert (result.replaced, result.taken_over, result.claimed) == (1, 1, 1)
    smtp_server.wait_for(2)
    received = [(m["To"], m["Subject"][:42]) for m in smtp_server.messages]
    subject = "Your ImprovePlan reminders for {} November"
    assert sorted(received) == sorted(
        [(overdue.partner.email, subject.format(23)), (overdue.lead.email, subject.format(24))]
    )
    monday = DigestClaim.objects.get(user=overdue.lead, day=MONDAY)
    assert monday.status == "replaced"
    assert monday.last_error.startswith("Replaced by the digest of 24 November 2026.")


@pytest.mark.django_db(transaction=True)  # the command queues when its run commits
def test_a_server_refusing_every_address_can_be_sent_again_once_fixed(overdue, smtp_server):
    refuse_with(smtp_server, "550 5.1.1 Relaying denied")
    with at(MONDAY, 8):
        call_command("send_reminders", "--date", str(MONDAY), stdout=StringIO())
        assert set(statuses().values()) == {"failed"}
        assert smtp_server.messages == []

        accept_again(smtp_server)
        out = StringIO()
        call_command("send_reminders", "--retry-failed", str(MONDAY), stdout=out)
        assert "Queued 2 failed digests of 2026-11-23 again." in out.getvalue()
        smtp_server.wait_for(2)
        call_command("send_reminders", "--retry-failed", str(MONDAY), stdout=out)
        assert "Queued 0 failed digests of 2026-11-23 again." in out.getvalue()
        # Later runs of the day send nothing more either.
        call_command("send_reminders", "--date", str(MONDAY), stdout=out)
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        [overdue.partner.email, overdue.lead.email]
    )
    assert set(statuses().values()) == {"sent"}


def test_an_administrator_can_send_failed_digests_again(
    overdue, smtp_server, admin_client, django_capture_on_commit_callbacks
):
    refuse_with(smtp_server, "550 5.1.1 Relaying denied")
    with at(MONDAY, 8):
        run(MONDAY, django_capture_on_commit_callbacks)
    accept_again(smtp_server)
    failed = list(DigestClaim.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:reviews_digestclaim_changelist"),
            {"action": "send_again", "_selected_action": failed},
            follow=True,
        )
    assert "2 failed reminder emails queued to be sent again." in response.content.decode()
    smtp_server.wait_for(2)
    assert set(statuses().values()) == {"sent"}


# 15. Build once, send many: a batch over one connection, each email on its own -----------


@pytest.fixture
def five_people(world):
    """Five partners of one organisation, each with the same overdue action."""
    ActionFactory(plan=world.plan, lead_organisation=world.housing, due=date(2026, 11, 2))
    for n in range(4):
        MembershipFactory(organisation=world.housing, role=Role.PARTNER, user__email=f"p{n}@x.org")
    return sorted([world.partner.email, *(f"p{n}@x.org" for n in range(4))])


def answering(smtp_server, answers: dict[str, str]) -> list:
    """The server answers these addresses so, takes every other, and notes each connection
    (client address and port) a message arrives on."""
    connections = []

    async def rcpt(server, session, envelope, address, rcpt_options):
        connections.append(session.peer)
        if address in answers:
            return answers[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp_server.handle_RCPT = rcpt
    return connections


def test_a_run_sends_its_digests_over_one_connection(
    five_people, smtp_server, django_capture_on_commit_callbacks
):
    connections = answering(smtp_server, {})
    with at(MONDAY, 8):
        result = run(MONDAY, django_capture_on_commit_callbacks)
    assert result.queued == 5
    smtp_server.wait_for(5)
    assert sorted(m["To"] for m in smtp_server.messages) == five_people
    assert len(connections) == 5 and len(set(connections)) == 1
    assert set(statuses().values()) == {"sent"}


def test_one_address_failing_in_a_batch_holds_up_none_of_the_others(
    five_people, smtp_server, django_capture_on_commit_callbacks
):
    """p1 is refused for good, p2 for the moment: the rest go, each is recorded on its own,
    and only p2 is left for the task to try again."""
    connections = answering(
        smtp_server, {"p1@x.org": "550 5.1.1 No such user", "p2@x.org": "451 4.3.0 Try later"}
    )
    with at(MONDAY, 8):
        services.digests_run(day=MONDAY)  # claimed; the sends are not queued (not committed)
        claims = dict(DigestClaim.objects.values_list("user__email", "pk"))
        token = DigestClaim.objects.values_list("token", flat=True).first()
        ids = [claims[email] for email in five_people]
        statuses_now = services.digests_send(claim_ids=ids, token=token, last_attempt=False)
    by_email = {email: statuses_now[claims[email]] for email in five_people}
    assert by_email == {
        **dict.fromkeys(five_people, "sent"),
        "p1@x.org": "failed",
        "p2@x.org": "claimed",
    }
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        set(five_people) - {"p1@x.org", "p2@x.org"}
    )
    assert len(set(connections)) == 3  # afresh after each failure
    assert "451" in DigestClaim.objects.get(pk=claims["p2@x.org"]).last_error
    # Sent again, the batch sends only what is still to send.
    accept_again(smtp_server)
    with at(MONDAY, 8, 2):
        again = services.digests_send(claim_ids=ids, token=token, last_attempt=False)
    assert sorted(again.values()) == ["sent", "skipped", "skipped", "skipped", "skipped"]
    smtp_server.wait_for(4)
    assert [m["To"] for m in smtp_server.messages].count("p2@x.org") == 1
    assert len(smtp_server.messages) == 4


# 11. A claim is sent later or given up with a reason, never left ------------------------


def test_a_claim_stranded_after_the_last_run_is_sent_the_next_morning(
    overdue, smtp_server, django_capture_on_commit_callbacks
):
    """Claimed at 17:45 by a worker that died (or with the queue down): no run of Monday is
    left to take it over. Tuesday's first run does."""
    ReminderPreference.objects.create(user=overdue.partner, frequency="weekly")
    # Queued (the callbacks captured), never run.
    with at(MONDAY, 17, 45), django_capture_on_commit_callbacks(execute=False):
        services.digests_run(day=MONDAY)
    assert set(statuses().values()) == {"claimed"}
    with at(TUESDAY, 7):
        run(TUESDAY, django_capture_on_commit_callbacks)
    smtp_server.wait_for(2)
    assert sorted((m["To"], m["Subject"][:42]) for m in smtp_server.messages) == sorted(
        [
            # The weekly reader's Monday digest, a day late; the daily reader's Tuesday one.
            (overdue.partner.email, "Your ImprovePlan reminders for 23 November"),
            (overdue.lead.email, "Your ImprovePlan reminders for 24 November"),
        ]
    )
    assert DigestClaim.objects.get(user=overdue.partner, day=MONDAY).status == "sent"
    assert DigestClaim.objects.get(user=overdue.lead, day=MONDAY).status == "replaced"


def test_a_claim_still_unsent_after_the_next_day_is_given_up_with_its_reason(
    overdue, smtp_server, settings, django_capture_on_commit_callbacks
):
    ReminderPreference.objects.create(user=overdue.partner, frequency="weekly")
    settings.EMAIL_PORT = free_port()
    with at(MONDAY, 8):
        run(MONDAY, django_capture_on_commit_callbacks)
    with at(WEDNESDAY, 7):
        result = run(WEDNESDAY, django_capture_on_commit_callbacks)
    assert result.given_up == 2  # no run on Tuesday took them over
    for monday in DigestClaim.objects.filter(day=MONDAY):
        assert monday.status == "failed"
        assert monday.last_error.startswith(
            "Given up on 25 November 2026: not sent by the end of the next day. "
            "ConnectionRefusedError"
        )


@pytest.mark.django_db(transaction=True)
def test_two_runs_taking_over_the_same_stranded_claims_send_each_once(
    postgresql, world, smtp_server
):
    people = []
    for n in range(8):
        organisation = OrganisationFactory(partnership=world.partnership, name=f"Body {n}")
        member = MembershipFactory(organisation=organisation, role=Role.PARTNER)
        ReminderPreference.objects.create(user=member.user, frequency="weekly")
        ActionFactory(plan=world.plan, lead_organisation=organisation, due=date(2026, 11, 2))
        people.append(member.user.email)
    with at(MONDAY, 17, 45):
        DigestClaim.objects.bulk_create(
            DigestClaim(user=user, day=MONDAY, token="dead-worker", claimed_at=timezone.now())
            for user in User.objects.filter(email__in=people)
        )
    together = threading.Barrier(2)
    results = []

    def tuesday_run() -> None:
        with at(TUESDAY, 7):
            together.wait()
            try:
                results.append(services.digests_run(day=TUESDAY))
            finally:
                connection.close()

    runs = [threading.Thread(target=tuesday_run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join()
    assert sorted(result.taken_over for result in results) == [0, 8]
    smtp_server.wait_for(8)
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(people)
    assert set(statuses().values()) == {"sent"}


# 12. A slow server that keeps the message gets it once -----------------------------------


def test_a_server_that_keeps_the_message_but_answers_late_gets_it_once(
    overdue, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_TIMEOUT = 1
    keep = smtp_server.handle_DATA

    async def slow_data(server, session, envelope):
        answer = await keep(server, session, envelope)  # kept: it will be delivered
        await asyncio.sleep(2)  # but confirmed after the sender stopped waiting
        return answer

    smtp_server.handle_DATA = slow_data
    ReminderPreference.objects.create(user=overdue.lead, frequency="weekly")
    with at(TUESDAY, 8):
        run(TUESDAY, django_capture_on_commit_callbacks)
    smtp_server.wait_for(1)
    claim = DigestClaim.objects.get()
    assert claim.status == "uncertain" and claim.attempts == 1
    assert "did not confirm" in claim.last_error
    for hour in (9, 12, 18):
        with at(TUESDAY, hour):
            run(TUESDAY, django_capture_on_commit_callbacks)
    with at(WEDNESDAY, 7):
        run(WEDNESDAY, django_capture_on_commit_callbacks)
    assert [m["To"] for m in smtp_server.messages].count(overdue.partner.email) == 2  # Tue, Wed
    assert DigestClaim.objects.get(day=TUESDAY).status == "uncertain"

    out = StringIO()
    with at(WEDNESDAY, 9):
        call_command("send_reminders", "--status", stdout=out)
    assert "2026-11-24: 1 digest not sent" in out.getvalue()
    assert "1 delivery uncertain: not sent again by itself" in out.getvalue()


def test_a_server_slow_before_the_message_is_retried_and_sends_once(
    overdue, smtp_server, settings, django_capture_on_commit_callbacks
):
    """A timeout before the message was sent is an ordinary passing failure."""
    settings.EMAIL_TIMEOUT = 1
    slow = {"times": 1}

    async def slow_once(server, session, envelope, address, rcpt_options):
        if slow["times"]:
            slow["times"] -= 1
            await asyncio.sleep(2)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp_server.handle_RCPT = slow_once
    ReminderPreference.objects.create(user=overdue.lead, frequency="weekly")
    with at(TUESDAY, 8):
        run(TUESDAY, django_capture_on_commit_callbacks)
    claim = DigestClaim.objects.get()
    assert claim.status == "waiting" and smtp_server.messages == []
    with at(TUESDAY, 9):
        run(TUESDAY, django_capture_on_commit_callbacks)
    smtp_server.wait_for(1)
    claim.refresh_from_db()
    assert (claim.status, claim.attempts) == ("sent", 2)
    assert len(smtp_server.messages) == 1


def test_the_mail_timeout_waits_minutes_not_seconds(settings):
    assert settings.EMAIL_TIMEOUT == 120


# 13. Messages say what happened --------------------------------------------------------


def dead_broker() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_the_command_says_nothing_was_queued_and_fails(
    postgresql, overdue, smtp_server, settings
):
    result = subprocess.run(
        [sys.executable, "manage.py", "send_reminders", "--date", str(MONDAY)],
        cwd=ROOT,
        env={
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": database_url_for_the_test_database(),
            "CELERY_BROKER_URL": dead_broker(),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "Queued" not in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert "the task queue did not answer" in result.stderr
    assert "0 of 2 reminder digests for 2026-11-23 queued" in result.stderr
    assert set(statuses().values()) == {"waiting"}

    # With the queue back, the next run sends both at once.
    services.digests_run(day=MONDAY)
    smtp_server.wait_for(2)
    assert set(statuses().values()) == {"sent"}


@pytest.fixture
def broker_down(celery_eager, monkeypatch):
    """The app's task queue pointed at a port where no Redis listens."""
    celery_eager.conf.task_always_eager = False
    dead = dead_broker()
    monkeypatch.setattr(celery_eager.conf, "broker_url", dead)
    monkeypatch.setattr(celery_eager.conf, "broker_write_url", dead)
    monkeypatch.setattr(celery_eager, "_pool", None)
    monkeypatch.setattr(celery_eager.amqp, "_producer_pool", None)


def flashed(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def monday():
    with at(MONDAY, 10):
        yield


@pytest.mark.django_db(transaction=True)  # queued as the request's work commits
def test_with_redis_down_the_lead_is_told_the_reminder_has_not_gone(
    monday, world, lead_client, broker_down
):
    ActionFactory(plan=world.plan, lead_organisation=world.housing, title="Fit alarms")
    url = reverse("reviews:remind_behind", args=[world.plan.pk])
    response = lead_client.post(url, follow=True)
    [said] = flashed(response)
    assert said.startswith("The reminder to 1 person could not be sent now")
    assert "on its way" not in said

    response = lead_client.post(url, follow=True)
    [said] = flashed(response)  # tried again, and said again: not "already reminded"
    assert said.startswith("The reminder to 1 person could not be sent now")
    assert DigestClaim.objects.get().status == "waiting"


@pytest.mark.django_db(transaction=True)
def test_the_lead_s_press_neither_takes_over_nor_counts_the_daily_digests(
    monday, world, lead_client
):
    ActionFactory(plan=world.plan, lead_organisation=world.housing, title="Fit alarms")
    # Daily digests of the day left claimed by a worker that died.
    stale = timezone.now() - timedelta(hours=2)
    for user in (world.lead, world.board, world.outsider):
        DigestClaim.objects.create(
            user=user, day=timezone.localdate(), token="gone", claimed_at=stale
        )
    response = lead_client.post(reverse("reviews:remind_behind", args=[world.plan.pk]), follow=True)
    assert flashed(response) == ["A reminder is on its way to 1 person."]
    assert set(DigestClaim.objects.filter(key="digest").values_list("token", "status")) == {
        ("gone", "claimed")
    }


# 16. What is stuck, by day and reason ---------------------------------------------------


def test_status_lists_unsent_failed_and_stale_digests_by_day_and_reason(world, settings):
    def claim(user, day, status, error="", minutes_ago=0):
        DigestClaim.objects.create(
            user=user,
            day=day,
            status=status,
            last_error=error,
            token="t",
            claimed_at=timezone.now() - timedelta(minutes=minutes_ago),
        )

    with at(TUESDAY, 10):
        refused = "SMTPRecipientsRefused: {'%s': (550, b'5.1.1 No such mailbox')}"
        claim(world.lead, MONDAY, "failed", refused % world.lead.email)
        claim(world.partner, MONDAY, "failed", refused % world.partner.email)
        claim(world.board, MONDAY, "sent")
        claim(world.lead, TUESDAY, "waiting", "SMTPSenderRefused: (451, b'Try later')")
        claim(world.partner, TUESDAY, "claimed", minutes_ago=90)
        claim(world.board, TUESDAY, "claimed", minutes_ago=1)
        out = StringIO()
        call_command("send_reminders", "--status", stdout=out)
    assert out.getvalue().splitlines() == [
        "2026-11-23: 2 digests not sent",
        "  2 failed: send again with --retry-failed once fixed: SMTPRecipientsRefused: "
        "{'<address>': (550, b'5.1.1 No such mailbox')}",
        "2026-11-24: 3 digests not sent",
        "  1 being sent now (claimed in the last 30 minutes)",
        "  1 stale: claimed by a run that has gone, not sent; the next run takes it: "
        "no error recorded",
        "  1 unsent, waiting for the next run: SMTPSenderRefused: (451, b'Try later')",
    ]


def test_status_says_when_nothing_is_stuck(world):
    out = StringIO()
    call_command("send_reminders", "--status", stdout=out)
    assert out.getvalue().startswith("No unsent, failed or stale digests since")
