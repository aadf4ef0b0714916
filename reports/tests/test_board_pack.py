"""The board pack (issue 22): before a review meeting, the board report of its quarter and
the decisions needed go by email to those a lead chose (the board by default), once each;
the review page shows who was sent it and when. Sent over a real SMTP server the test starts;
the last test runs two schedulers against a real Celery worker."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from actions.tests.factories import OptionFactory
from improveplan.models import Plan
from reviews import services
from reviews.models import BoardPack, DigestClaim, Review
from reviews.tests.factories import ReviewFactory
from reviews.tests.test_reminder_worker import real_parts, settle, worker_log  # noqa: F401

DAY = date(2026, 11, 24)  # a Tuesday
NOON = f"{DAY}T12:00:00+00:00"
URL = "reviews:board_pack"


def run(day: date, capture) -> services.RunResult:
    with capture(execute=True):
        return services.digests_run(day=day)


def packs(inbox) -> list:
    return [m for m in inbox.messages if m["Subject"].strip().startswith("Board papers")]


def pdfs(message) -> list:
    return [
        (part.get_filename(), part.get_content())
        for part in message.iter_attachments()
        if part.get_content_type() == "application/pdf"
    ]


@pytest.fixture
def review(planned) -> Review:
    # An option not yet decided: the report asks the board to decide it.
    OptionFactory(outcome=planned.outcome, title="Vape starter kits", decision="undecided")
    return ReviewFactory(
        plan=planned.plan,
        period_start=date(2026, 10, 1),
        period_end=date(2026, 12, 31),
        meets_on=DAY + timedelta(days=5),
    )


@pytest.mark.django_db
class TestBoardPack:
    @pytest.fixture(autouse=True)
    def frozen(self):
        with time_machine.travel(NOON, tick=False):
            yield

    def test_the_board_gets_the_papers_once_with_the_report_and_the_decisions(
        self, client, world, review, smtp_server, django_capture_on_commit_callbacks
    ):
        run(DAY, django_capture_on_commit_callbacks)
        (email,) = packs(smtp_server)
        assert email["To"] == world.board.email
        assert email["Subject"].strip() == (
            "Board papers for the review of Healthier Riverside: for October to December "
            "2026; the meeting is on Sunday 29 November 2026"
        )
        ((name, pdf),) = pdfs(email)
        assert name == f"board-report-{world.plan.pk}-2026-Q4.pdf"
        assert pdf.startswith(b"%PDF")
        body = email.get_body(("plain",)).get_content()
        assert "is attached (board-report-" in body
        assert "Decisions needed (1):" in body
        assert "Fewer adults smoke: Whether to take forward the option “Vape starter kits”" in body
        assert f"/reviews/{review.pk}/" in body
        # The day's later runs, the next day's, a retry: nothing more.
        for day in (DAY, DAY, DAY + timedelta(days=1)):
            run(day, django_capture_on_commit_callbacks)
        assert len(packs(smtp_server)) == 1
        claim = DigestClaim.objects.get(key=f"board-pack-{review.pk}")
        assert (claim.user, claim.day, claim.status) == (world.board, review.meets_on, "sent")
        # The review's page says who was sent it, and when.
        client.force_login(world.partner)
        page = client.get(review.get_absolute_url()).content.decode()
        assert "Who was sent them" in page
        assert f"<td>Bo Board</td><td>{timezone.localtime(claim.sent_at):%-d %B %Y, %H:%M}" in page

    def test_nothing_goes_before_the_chosen_days_before_the_meeting(
        self, lead_client, world, review, smtp_server, django_capture_on_commit_callbacks
    ):
        Review.objects.filter(pk=review.pk).update(meets_on=DAY + timedelta(days=10))
        run(DAY, django_capture_on_commit_callbacks)
        assert packs(smtp_server) == []
        response = lead_client.post(
            reverse(URL, args=[world.plan.pk]), {"days_before": "10", "board_members": "on"}
        )
        assert response.status_code == 302
        run(DAY, django_capture_on_commit_callbacks)
        assert [m["To"] for m in packs(smtp_server)] == [world.board.email]

    def test_a_lead_chooses_who_receives_them(
        self, lead_client, world, review, smtp_server, django_capture_on_commit_callbacks
    ):
        url = reverse(URL, args=[world.plan.pk])
        page = lead_client.get(url).content.decode()
        assert "With these choices they go to: <strong>Bo Board</strong>" in page
        partner = world.membership(world.partner)
        response = lead_client.post(url, {"days_before": "7", "others": [partner.pk]})
        assert response.status_code == 302
        pack = BoardPack.objects.get()
        assert (pack.board_members, list(pack.others.all())) == (False, [partner])
        run(DAY, django_capture_on_commit_callbacks)
        assert [m["To"] for m in packs(smtp_server)] == [world.partner.email]

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"days_before": "0"}, "greater than or equal to 1"),
            ({"days_before": "61"}, "less than or equal to 60"),
            ({"days_before": "7", "others": ["999999"]}, "Choose members of this partnership."),
        ],
    )
    def test_bad_choices_are_refused_clearly(self, lead_client, world, data, message):
        response = lead_client.post(reverse(URL, args=[world.plan.pk]), data)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not BoardPack.objects.exists()

    def test_another_partnerships_member_cannot_be_chosen(self, lead_client, world):
        theirs = world.other_partnership.memberships.get()
        response = lead_client.post(
            reverse(URL, args=[world.plan.pk]), {"days_before": "7", "others": [theirs.pk]}
        )
        assert "Choose members of this partnership." in response.content.decode()
        assert not BoardPack.objects.exists()

    @pytest.mark.parametrize(("who", "status"), [("partner", 403), ("board", 403)])
    def test_only_a_lead_chooses(self, client, world, who, status):
        client.force_login(getattr(world, who))
        assert client.get(reverse(URL, args=[world.plan.pk])).status_code == status

    def test_a_report_over_the_limit_is_linked_not_attached(
        self, world, review, smtp_server, settings, django_capture_on_commit_callbacks
    ):
        settings.BOARD_PACK_ATTACH_BYTES = 1000
        run(DAY, django_capture_on_commit_callbacks)
        (email,) = packs(smtp_server)
        assert pdfs(email) == []
        body = email.get_body(("plain",)).get_content()
        assert "too large to attach; download it from the site:" in body
        assert f"/plans/{world.plan.pk}/board-report.pdf?quarter=2026-Q4" in body

    @pytest.mark.parametrize("change", ["signed off", "archived"])
    def test_a_review_signed_off_or_a_plan_archived_gets_no_papers(
        self, world, review, smtp_server, change, django_capture_on_commit_callbacks
    ):
        if change == "signed off":
            Review.objects.filter(pk=review.pk).update(signed_off_at=timezone.now())
        else:
            Plan.objects.filter(pk=world.plan.pk).update(status=Plan.Status.ARCHIVED)
        run(DAY, django_capture_on_commit_callbacks)
        assert packs(smtp_server) == []


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_and_a_real_worker_send_the_papers_once_to_each(
    real_parts,  # noqa: F811 - the fixture imported above
    world,
    planned,
    smtp_server,
    tmp_path,
):
    today = timezone.localdate()
    review = ReviewFactory(plan=world.plan, meets_on=today + timedelta(days=3))
    pack = BoardPack.objects.create(plan=world.plan, days_before=7)
    pack.others.set([world.membership(world.lead), world.membership(world.partner)])
    together = threading.Barrier(2)

    def run_now() -> None:
        together.wait()
        try:
            services.digests_run(day=today)
        finally:
            connection.close()

    threads = [threading.Thread(target=run_now) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    real_parts()
    # The worker renders the report for the first email (seconds), and sends the day's
    # reminder digests too: wait for the papers, then long enough for a duplicate to come.
    deadline = time.monotonic() + 120
    while len(packs(smtp_server)) < 3 and time.monotonic() < deadline:
        time.sleep(0.5)
    settle(smtp_server, seconds=8)
    sent = Counter(m["To"] for m in packs(smtp_server))
    assert sent == Counter([world.board.email, world.lead.email, world.partner.email]), worker_log(
        tmp_path
    )
    assert DigestClaim.objects.filter(key=f"board-pack-{review.pk}", status="sent").count() == 3
