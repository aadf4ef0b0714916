"""Sending the digests: claimed once, sent once, failures recorded (in-process)."""

from __future__ import annotations

import smtplib
from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from actions.tests.factories import ActionFactory
from reviews import services
from reviews.models import DigestClaim

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)


@pytest.fixture
def overdue(world):
    return ActionFactory(
        plan=world.plan, lead_organisation=world.housing, title="Fit alarms", due=date(2026, 11, 2)
    )


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-11-23 08:00:00+00:00", tick=False):
        yield


def run(django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return services.digests_run(day=TODAY).held


def test_a_run_sends_one_digest_in_html_and_text(
    world, overdue, django_capture_on_commit_callbacks
):
    assert run(django_capture_on_commit_callbacks) == 1
    [message] = mail.outbox
    assert message.to == [world.partner.email]
    assert "1 overdue" in message.subject
    text = message.body
    html = message.alternatives[0][0]
    assert f"{overdue.reference} Fit alarms" in text and "21 days ago" in text
    assert f'href="http://127.0.0.1:8000/actions/{overdue.pk}/"' in html
    claim = DigestClaim.objects.get()
    assert (claim.status, claim.attempts, claim.user) == ("sent", 1, world.partner)


def test_a_second_run_the_same_day_sends_nothing(overdue, django_capture_on_commit_callbacks):
    run(django_capture_on_commit_callbacks)
    assert run(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1


def test_a_stale_claim_is_taken_over_and_sent(world, overdue, django_capture_on_commit_callbacks):
    DigestClaim.objects.create(
        user=world.partner,
        day=TODAY,
        token="dead-worker",
        claimed_at=timezone.now() - timedelta(hours=1),
    )
    assert run(django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 1
    assert DigestClaim.objects.get().status == "sent"


def test_a_fresh_claim_of_another_run_is_left_to_it(
    world, overdue, django_capture_on_commit_callbacks
):
    DigestClaim.objects.create(
        user=world.partner, day=TODAY, token="busy-worker", claimed_at=timezone.now()
    )
    assert run(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_a_task_whose_claim_was_taken_over_sends_nothing(world, overdue):
    claim = DigestClaim.objects.create(
        user=world.partner, day=TODAY, token="new-run", claimed_at=timezone.now()
    )
    assert services.digest_send(claim_id=claim.pk, token="old-run", last_attempt=False) == "skipped"
    assert mail.outbox == []


def test_nothing_left_to_say_sends_nothing(world, overdue):
    overdue.delete()
    claim = DigestClaim.objects.create(
        user=world.partner, day=TODAY, token="t", claimed_at=timezone.now()
    )
    assert services.digest_send(claim_id=claim.pk, token="t", last_attempt=False) == "nothing"
    assert mail.outbox == []


def _failing(monkeypatch, error):
    def send(self, *args, **kwargs):
        raise error

    monkeypatch.setattr("django.core.mail.EmailMessage.send", send)


def test_a_refused_address_is_recorded_and_not_retried(world, overdue, monkeypatch):
    _failing(
        monkeypatch, smtplib.SMTPRecipientsRefused({world.partner.email: (550, b"No such user")})
    )
    claim = DigestClaim.objects.create(
        user=world.partner, day=TODAY, token="t", claimed_at=timezone.now()
    )
    assert services.digest_send(claim_id=claim.pk, token="t", last_attempt=False) == "failed"
    claim.refresh_from_db()
    assert claim.status == "failed" and "No such user" in claim.last_error


def test_a_passing_failure_is_recorded_and_retried(world, overdue, monkeypatch):
    _failing(monkeypatch, smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
    claim = DigestClaim.objects.create(
        user=world.partner, day=TODAY, token="t", claimed_at=timezone.now()
    )
    with pytest.raises(services.TransientMailError):
        services.digest_send(claim_id=claim.pk, token="t", last_attempt=False)
    claim.refresh_from_db()
    assert (claim.status, claim.attempts) == ("claimed", 1)
    assert "unexpectedly closed" in claim.last_error
    # After the task's last retry the digest waits for the next run; it is not lost.
    assert services.digest_send(claim_id=claim.pk, token="t", last_attempt=True) == "waiting"
    claim.refresh_from_db()
    assert (claim.status, claim.attempts) == ("waiting", 2)


def test_the_pauses_between_attempts_grow_and_are_never_near_zero():
    from reviews.tasks import retry_pause, send_digest

    for retries in range(send_digest.max_retries):
        pauses = [retry_pause(retries) for _ in range(500)]
        # Doubling, give or take a fifth: the shortest pause of one attempt is longer than
        # the longest of the one before (full jitter would start every range at zero).
        assert 0.8 * 60 * 2**retries <= min(pauses) <= max(pauses) <= 1.2 * 60 * 2**retries
        assert max(pauses) - min(pauses) > 0.2 * 60 * 2**retries  # the jitter is there
    assert send_digest.max_retries == 5


def test_when_the_broker_is_down_the_run_still_ends_and_a_later_run_sends(
    world, overdue, monkeypatch, django_capture_on_commit_callbacks, settings
):
    from reviews.tasks import send_digests

    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    with monkeypatch.context() as patched:
        patched.setattr(send_digests, "delay", down)
        run(django_capture_on_commit_callbacks)
    claim = DigestClaim.objects.get()
    assert mail.outbox == [] and claim.status == "waiting"
    assert "the task queue did not answer" in claim.last_error
    # The next hourly run takes it at once: it need not wait REMINDER_STALE_MINUTES.
    with time_machine.travel("2026-11-23 09:00:00+00:00", tick=False):
        assert run(django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)  # as in production: queued when the run commits
def test_the_command_sends_once(world, overdue):
    out = StringIO()
    for _ in range(2):
        call_command("send_reminders", "--date", "2026-11-23", stdout=out)
    assert len(mail.outbox) == 1
    assert "Queued 1 reminder digest for 2026-11-23." in out.getvalue()
    assert "Queued 0 reminder digests" in out.getvalue()


def test_a_dry_run_prints_who_would_get_what_and_claims_nothing(world, overdue):
    out = StringIO()
    call_command("send_reminders", "--dry-run", "--date", "2026-11-23", stdout=out)
    printed = out.getvalue()
    assert f"{world.partner.email} (Pat Partner):" in printed
    assert "Overdue actions:" in printed and "Fit alarms" in printed
    assert "nothing sent, nothing claimed" in printed
    assert mail.outbox == [] and not DigestClaim.objects.exists()


def test_a_bad_date_is_refused_clearly(world):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "23/11/2026")


def test_beat_starts_the_reminder_run_every_working_hour(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reminder-digests"]
    assert entry["task"] == "reviews.tasks.send_daily_digests"
    assert entry["schedule"].hour == set(range(7, 19))
