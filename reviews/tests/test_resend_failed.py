"""A lead sends their partnership's failed reminders of a day again, from the page where they
remind those behind, once the cause is fixed: to a real SMTP server the test runs, each once
however often pressed, and without showing what another partnership's reminders say."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.tests.factories import ActionFactory
from improveplan.models import Role
from improveplan.tests.factories import MembershipFactory
from reviews import services
from reviews.models import DigestClaim
from reviews.tests.test_reminder_faults import (
    MONDAY,
    accept_again,
    at,
    flashed,
    refuse_with,
    run,
    statuses,
)

pytestmark = pytest.mark.django_db

REFUSED = "550 5.1.1 Relaying denied"


@pytest.fixture
def failed(world, smtp_server, django_capture_on_commit_callbacks):
    """Monday's digests failed for good: the partner (housing) and the lead (council) each had
    an overdue action, and the mail server refused every address. Now it accepts again."""
    ActionFactory(plan=world.plan, lead_organisation=world.housing, due=date(2026, 11, 2))
    ActionFactory(plan=world.plan, lead_organisation=world.council, due=date(2026, 11, 2))
    refuse_with(smtp_server, REFUSED)
    with at(MONDAY, 8):
        run(MONDAY, django_capture_on_commit_callbacks)
    assert set(statuses().values()) == {"failed"}
    accept_again(smtp_server)
    with at(MONDAY + timedelta(days=1), 10):
        yield world


def page(client, world) -> str:
    return client.get(reverse("reviews:up_to_date", args=[world.plan.pk])).content.decode()


def failed_section(text: str) -> str:
    return text[text.index('id="failed-reminders"') :]


def press(client, world, day: date = MONDAY, *, capture) -> list[str]:
    with capture(execute=True):
        response = client.post(
            reverse("reviews:resend_failed", args=[world.plan.pk]), {"day": str(day)}, follow=True
        )
    assert response.status_code == 200
    return flashed(response)


def test_a_lead_sees_the_day_s_failed_reminders_and_why(lead_client, failed):
    section = failed_section(page(lead_client, failed))
    assert "Monday 23 November 2026: 2 failed" in section
    assert "Lena Lead" in section and "Pat Partner" in section
    assert "Daily reminders" in section
    assert "550" in section and "Relaying denied" in section
    assert failed.partner.email not in section  # the reason names no address
    assert "Send the failed reminders of 23 November 2026 again" in section


def test_the_button_sends_them_again_once_however_often_pressed(
    lead_client, failed, smtp_server, django_capture_on_commit_callbacks
):
    said = press(lead_client, failed, capture=django_capture_on_commit_callbacks)
    # Queued as the request's work commits (here, as the test leaves the capture).
    assert said == ["2 failed reminders of 23 November 2026 are being queued to be sent again."]
    smtp_server.wait_for(2)
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        [failed.lead.email, failed.partner.email]
    )
    assert set(statuses().values()) == {"sent"}

    said = press(lead_client, failed, capture=django_capture_on_commit_callbacks)
    assert said == [
        "No failed reminder of 23 November 2026 is left to send: they have been sent again "
        "already, none failed, or nothing they said is still due."
    ]
    assert len(smtp_server.messages) == 2
    assert "Nothing failed" in failed_section(page(lead_client, failed))


@pytest.mark.django_db(transaction=True)  # each press commits in its own connection
def test_two_presses_at_the_same_moment_send_each_reminder_once(postgresql, world, smtp_server):
    more = [MembershipFactory(organisation=world.housing, role=Role.PARTNER) for _ in range(6)]
    people = [world.partner.email, world.lead.email, *(m.user.email for m in more)]
    ActionFactory(plan=world.plan, lead_organisation=world.housing, due=date(2026, 11, 2))
    ActionFactory(plan=world.plan, lead_organisation=world.council, due=date(2026, 11, 2))
    refuse_with(smtp_server, REFUSED)
    with at(MONDAY, 8):
        services.digests_run(day=MONDAY)
    assert DigestClaim.objects.failed().count() == len(people)
    accept_again(smtp_server)
    together = threading.Barrier(2)
    said = []

    def press_at_once() -> None:
        client = Client()
        client.force_login(world.lead)
        together.wait()
        try:
            response = client.post(
                reverse("reviews:resend_failed", args=[world.plan.pk]),
                {"day": str(MONDAY)},
                follow=True,
            )
            said.append(response.content.decode())
        finally:
            connection.close()

    with at(MONDAY, 11):
        presses = [threading.Thread(target=press_at_once) for _ in range(2)]
        for thread in presses:
            thread.start()
        for thread in presses:
            thread.join()
    smtp_server.wait_for(len(people))
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(people)
    assert set(statuses().values()) == {"sent"}
    assert any("8 failed reminders of 23 November 2026 are on their way again." in t for t in said)


@pytest.mark.django_db(transaction=True)
def test_a_second_send_again_waiting_on_the_first_sends_nothing(postgresql, world, smtp_server):
    """The partnership's rows are chosen through a join: the second call must not claim them
    on the strength of the status it read before the first committed."""
    ActionFactory(plan=world.plan, lead_organisation=world.housing, due=date(2026, 11, 2))
    refuse_with(smtp_server, REFUSED)
    with at(MONDAY, 8):
        services.digests_run(day=MONDAY)
    accept_again(smtp_server)
    rows = DigestClaim.objects.of_partnership(world.partnership).filter(day=MONDAY)
    first_holds = threading.Barrier(2)
    held = {}

    def first() -> None:
        try:
            with transaction.atomic():
                held["first"] = services.digests_send_again(rows).held
                first_holds.wait()
                time.sleep(1)  # the second call reads, then waits on these rows' locks
        finally:
            connection.close()

    def second() -> None:
        first_holds.wait()
        try:
            held["second"] = services.digests_send_again(rows).held
        finally:
            connection.close()

    with at(MONDAY, 11):
        calls = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in calls:
            thread.start()
        for thread in calls:
            thread.join()
    assert held == {"first": 1, "second": 0}
    smtp_server.wait_for(1)
    assert [m["To"] for m in smtp_server.messages] == [world.partner.email]


def test_only_the_lead_s_own_partnership_is_shown_and_sent(
    lead_client, failed, smtp_server, django_capture_on_commit_callbacks
):
    """The partner also belongs to Hillside: their daily digest, which names Hillside's action,
    is Riverside's to send again, but the page does not say what it holds; Hillside's lead's
    own failed digest and a Hillside reminder to the partner are neither shown nor sent."""
    w = failed
    MembershipFactory(user=w.partner, organisation=w.other_organisation, role=Role.PARTNER)
    hillside = MembershipFactory(
        organisation=w.other_organisation, role=Role.PARTNER, user__full_name="Hilda Hill"
    ).user
    ActionFactory(
        plan=w.other_plan,
        lead_organisation=w.other_organisation,
        owner=w.partner,
        title="Secret Hillside scheme",
        due=date(2026, 11, 2),
    )
    for user, key, plan in [
        (w.outsider, DigestClaim.DIGEST, None),
        (hillside, DigestClaim.DIGEST, None),
        (w.partner, f"behind-plan-{w.other_plan.pk}", w.other_plan),
    ]:
        DigestClaim.objects.create(
            user=user,
            day=MONDAY,
            key=key,
            plan=plan,
            status="failed",
            token="gone",
            claimed_at=w.lead.date_joined,
            last_error="SMTPRecipientsRefused: 550 refused",
        )
    section = failed_section(page(lead_client, w))
    assert "2 failed" in section
    for hidden in ["Otto Outsider", "Hilda Hill", "Hillside", "Secret"]:
        assert hidden not in section

    press(lead_client, w, capture=django_capture_on_commit_callbacks)
    smtp_server.wait_for(2)
    assert sorted(m["To"] for m in smtp_server.messages) == sorted([w.lead.email, w.partner.email])
    partner_s = next(m for m in smtp_server.messages if m["To"] == w.partner.email)
    assert "Secret Hillside scheme" in partner_s.get_body(("plain",)).get_content()
    still_failed = DigestClaim.objects.failed().values_list("user__full_name", "key")
    assert sorted(still_failed) == sorted(
        [
            ("Otto Outsider", "digest"),
            ("Hilda Hill", "digest"),
            ("Pat Partner", f"behind-plan-{w.other_plan.pk}"),
        ]
    )


@pytest.mark.parametrize("who", ["board_client", "partner_client"])
def test_members_who_are_not_leads_neither_see_nor_press_it(
    request, who, failed, smtp_server, django_capture_on_commit_callbacks
):
    client = request.getfixturevalue(who)
    text = page(client, failed)
    assert "could not be delivered" not in text and "Pat Partner" not in text.split("<main")[-1]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reviews:resend_failed", args=[failed.plan.pk]), {"day": str(MONDAY)}
        )
    assert response.status_code == 403
    assert smtp_server.messages == [] and set(statuses().values()) == {"failed"}


def test_an_outsider_is_refused(
    outsider_client, failed, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = outsider_client.post(
            reverse("reviews:resend_failed", args=[failed.plan.pk]), {"day": str(MONDAY)}
        )
    assert response.status_code == 404
    assert smtp_server.messages == [] and set(statuses().values()) == {"failed"}


def test_with_nothing_failed_the_page_says_so(lead_client, world):
    with at(MONDAY, 10):
        section = failed_section(page(lead_client, world))
    assert (
        "Nothing failed: no reminder to this partnership's members in the last 7 days needs "
        "sending again." in section
    )
    assert "Send the failed reminders" not in section


@pytest.mark.parametrize(
    ("day", "error"),
    [
        ("2026-11-16", "Only the failed reminders of the last 7 days, 18 November to 24 November"),
        ("2026-11-25", "Only the failed reminders of the last 7 days"),
        ("23/11/2026", "Enter a valid date."),
        ("", "This field is required."),
    ],
)
def test_a_day_it_cannot_send_again_is_refused_with_a_reason(
    lead_client, failed, smtp_server, day, error, django_capture_on_commit_callbacks
):
    DigestClaim.objects.update(day=date(2026, 11, 16))  # too old for a lead: an administrator's
    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(
            reverse("reviews:resend_failed", args=[failed.plan.pk]), {"day": day}, follow=True
        )
    [said] = flashed(response)
    assert said.startswith(error)
    assert smtp_server.messages == [] and set(statuses().values()) == {"failed"}


def test_the_failed_list_costs_the_same_queries_however_many_failed(lead_client, world):
    def fail_for(members: int) -> None:
        for _ in range(members):
            user = MembershipFactory(organisation=world.housing).user
            DigestClaim.objects.create(
                user=user,
                day=timezone.localdate(),
                key=DigestClaim.DIGEST,
                status="failed",
                token="gone",
                claimed_at=timezone.now(),
                last_error="SMTPRecipientsRefused: 550 refused",
            )

    fail_for(1)
    page(lead_client, world)  # the first request of a session costs a few more
    with CaptureQueriesContext(connection) as one:
        page(lead_client, world)
    fail_for(10)
    with CaptureQueriesContext(connection) as eleven:
        text = page(lead_client, world)
    assert "11 failed" in failed_section(text)
    assert len(eleven) == len(one)
