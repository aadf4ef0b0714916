"""Notifications by email: at once, in the daily digest, or not at all, as each person chose
for each kind; claimed like the digests, so never twice (issue 22). Sent over a real SMTP
server the test starts; the last tests run two schedulers against a real Celery worker."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from actions import services as actions
from actions.models import Action
from actions.tests.factories import ActionFactory
from comments.models import Comment
from improveplan import notifications
from improveplan.models import Notification, NotificationPreference
from reviews import services
from reviews.models import DigestClaim, ReminderPreference
from reviews.reminders import build_digests
from reviews.tests.test_reminder_worker import real_parts, settle, worker_log  # noqa: F401

DAY = date(2026, 11, 24)  # a Tuesday
NOON = f"{DAY}T12:00:00+00:00"


def choose(user, kind: str, channel: str) -> None:
    NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"channel": channel}
    )


def mention(client, world, action, text="@Lena Lead can you confirm the venue?"):
    client.force_login(world.partner)
    url = reverse("comments:action_post", args=[action.pk])
    assert client.post(url, {"text": text}).status_code == 302
    return Comment.objects.latest("pk")


def run(day: date, capture) -> services.RunResult:
    with capture(execute=True):
        return services.digests_run(day=day)


@pytest.fixture
def action(world):
    # Started this quarter and due next year: no reminder digest is about it.
    return ActionFactory(
        plan=world.plan,
        lead_organisation=world.housing,
        title="Open a clinic",
        start=date(2026, 11, 1),
        due=date(2027, 6, 30),
    )


@pytest.mark.django_db
class TestOnceEach:
    @pytest.fixture(autouse=True)
    def frozen(self):
        with time_machine.travel(NOON, tick=False):
            yield

    def test_a_mention_is_emailed_at_once_and_never_again(
        self, client, world, action, smtp_server, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            comment = mention(client, world, action)
        (email,) = smtp_server.messages
        assert email["To"] == world.lead.email
        # (A long subject with quotes is folded onto a second line: read back, it starts with
        # a space, which mail programs drop.)
        assert email["Subject"].strip() == (
            f"Pat Partner mentioned you on {action.reference} Open a clinic: "
            "“@Lena Lead can you confirm the venue?”"
        )
        body = email.get_body(("plain",)).get_content()
        assert f"/actions/{action.pk}/#comment-{comment.pk}" in body
        assert "You get an email at once for this kind of notification" in body
        claim = DigestClaim.objects.get()
        assert (claim.key, claim.status) == (
            f"notice-{Notification.objects.get().pk}",
            DigestClaim.Status.SENT,
        )
        # The day's hourly runs, and the next morning's, find it sent.
        run(DAY, django_capture_on_commit_callbacks)
        run(DAY, django_capture_on_commit_callbacks)
        with time_machine.travel(f"{DAY + timedelta(days=1)}T08:00:00+00:00", tick=False):
            run(DAY + timedelta(days=1), django_capture_on_commit_callbacks)
        assert [m["To"] for m in smtp_server.messages] == [world.lead.email]

    def test_on_the_site_only_sends_nothing(
        self, client, world, action, smtp_server, django_capture_on_commit_callbacks
    ):
        choose(world.lead, Notification.Kind.MENTION, Notification.Channel.SITE)
        with django_capture_on_commit_callbacks(execute=True):
            mention(client, world, action)
        run(DAY, django_capture_on_commit_callbacks)
        assert smtp_server.messages == []
        assert Notification.objects.get().channel == Notification.Channel.SITE
        world.lead.refresh_from_db()
        assert world.lead.unread_notifications == 1

    def test_a_notification_the_queue_missed_goes_with_the_next_run(
        self, world, action, smtp_server, django_capture_on_commit_callbacks
    ):
        # Made while no mailer was listening (the task queue down, say).
        notifications.notify(
            kind=Notification.Kind.REPLY,
            users=[world.lead],
            partnership_id=world.partnership.pk,
            plan_id=world.plan.pk,
            text="Pat Partner replied to your comment",
            url=action.get_absolute_url(),
        )
        assert smtp_server.messages == []
        assert run(DAY, django_capture_on_commit_callbacks).claimed == 1
        assert [m["Subject"] for m in smtp_server.messages] == [
            "Pat Partner replied to your comment"
        ]

    def test_one_read_on_the_site_before_its_email_goes_is_not_emailed(
        self, world, action, smtp_server, django_capture_on_commit_callbacks
    ):
        (notice,) = notifications.notify(
            kind=Notification.Kind.MENTION,
            users=[world.lead],
            partnership_id=world.partnership.pk,
            plan_id=world.plan.pk,
            text="Seen already",
            url="/",
        )
        notifications.mark_read(user=world.lead, ids=[notice.pk])
        run(DAY, django_capture_on_commit_callbacks)
        assert smtp_server.messages == []

    def test_a_completion_waiting_for_a_lead_is_its_own_email_at_once(
        self, world, action, smtp_server, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            actions.update_post(
                action=action,
                author=world.partner,
                status=Action.Status.COMPLETE,
                progress=100,
                completion_evidence="It opened.",
                lessons_learned="Book early.",
            )
        (email,) = smtp_server.messages
        assert email["Subject"].endswith("is marked complete and waits for your confirmation")
        run(DAY, django_capture_on_commit_callbacks)  # the run finds it claimed
        assert len(smtp_server.messages) == 1
        assert DigestClaim.objects.get().key.startswith("completion-")


@pytest.mark.django_db
def test_in_the_digest_a_notification_comes_the_next_morning_once(
    client, world, action, smtp_server, django_capture_on_commit_callbacks
):
    choose(world.lead, Notification.Kind.MENTION, Notification.Channel.DIGEST)
    with time_machine.travel(NOON, tick=False), django_capture_on_commit_callbacks(execute=True):
        mention(client, world, action)
        run(DAY, django_capture_on_commit_callbacks)
    assert smtp_server.messages == []  # not at once, and not in that day's digest
    for day in (DAY + timedelta(days=1), DAY + timedelta(days=2)):
        with time_machine.travel(f"{day}T08:00:00+00:00", tick=False):
            run(day, django_capture_on_commit_callbacks)
    (digest,) = [m for m in smtp_server.messages if m["To"] == world.lead.email]
    body = digest.get_body(("plain",)).get_content()
    assert "Notifications (1)" in body
    assert f"Pat Partner mentioned you on {action.reference} Open a clinic" in body


@pytest.mark.django_db
def test_a_weekly_digest_gathers_the_weeks_notifications_on_monday(world, action):
    choose(world.lead, Notification.Kind.REVIEW, Notification.Channel.DIGEST)
    ReminderPreference.objects.create(user=world.lead, frequency="weekly")
    for day, text in ((date(2026, 11, 24), "Tuesday's"), (date(2026, 11, 29), "Sunday's")):
        with time_machine.travel(f"{day}T12:00:00+00:00", tick=False):
            notifications.notify(
                kind=Notification.Kind.REVIEW,
                users=[world.lead],
                partnership_id=world.partnership.pk,
                plan_id=world.plan.pk,
                text=text,
                url="/",
            )
    monday = date(2026, 11, 30)
    with time_machine.travel(f"{monday}T08:00:00+00:00", tick=False):
        items = build_digests(monday, user_ids=[world.lead.pk])[world.lead.pk].items
        assert [item.text for item in items if item.kind == "notifications"] == [
            "Tuesday's",
            "Sunday's",
        ]
        assert world.lead.pk not in build_digests(monday + timedelta(days=1))


@pytest.mark.django_db
def test_a_notification_read_before_the_digest_is_left_out(world, action):
    choose(world.lead, Notification.Kind.REVIEW, Notification.Channel.DIGEST)
    with time_machine.travel(NOON, tick=False):
        (notice,) = notifications.notify(
            kind=Notification.Kind.REVIEW,
            users=[world.lead],
            partnership_id=world.partnership.pk,
            plan_id=world.plan.pk,
            text="Read already",
            url="/",
        )
    notifications.mark_read(user=world.lead, ids=[notice.pk])
    with time_machine.travel(f"{DAY + timedelta(days=1)}T08:00:00+00:00", tick=False):
        digests = build_digests(DAY + timedelta(days=1), user_ids=[world.lead.pk])
    assert world.lead.pk not in digests


@pytest.mark.django_db
def test_the_settings_page_keeps_each_kinds_channel(partner_client, world):
    url = reverse("reviews:preferences")
    page = partner_client.get(url).content.decode()
    assert "Someone mentions you in a comment" in page
    assert 'name="notify_mention" value="at_once"' in page
    response = partner_client.post(
        url,
        {
            "frequency": "daily",
            "notify_mention": "digest",
            "notify_review": "site",
            "notify_reply": "at_once",  # the default: no row needed
        },
    )
    assert response.status_code == 302
    assert dict(
        NotificationPreference.objects.filter(user=world.partner).values_list("kind", "channel")
    ) == {"mention": "digest", "review": "site"}
    response = partner_client.post(url, {"frequency": "daily", "notify_mention": "by pigeon"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert NotificationPreference.objects.get(user=world.partner, kind="mention").channel == (
        "digest"
    )


# Two schedulers and a real worker ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_and_the_at_once_mailer_send_each_notification_once(
    real_parts,  # noqa: F811 - the fixture imported above
    world,
    action,
    smtp_server,
    tmp_path,
):
    made = []
    for n in range(6):
        made += notifications.notify(
            kind=Notification.Kind.MENTION,
            users=[world.lead, world.board],
            partnership_id=world.partnership.pk,
            plan_id=world.plan.pk,
            text=f"Mention {n}",
            url=action.get_absolute_url(),
            actor=world.partner,
        )
    ids = [notice.pk for notice in made]
    day = timezone.localdate()
    together = threading.Barrier(3)

    def at(job) -> None:
        together.wait()
        try:
            job()
        finally:
            connection.close()

    jobs = [
        lambda: services.digests_run(day=day),
        lambda: services.digests_run(day=day),
        lambda: services.notifications_email(ids),
    ]
    threads = [threading.Thread(target=at, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    real_parts()
    smtp_server.wait_for(12, timeout=60)
    messages = settle(smtp_server)
    sent = Counter((m["To"], m["Subject"]) for m in messages)
    assert len(messages) == 12, worker_log(tmp_path)
    assert set(sent.values()) == {1}
    assert DigestClaim.objects.filter(status="sent").count() == 12
