"""Celery tasks: reminder emails and peer reviewers' invitations. Each takes ids and checks its
work in the database before doing it, so running a task twice does nothing twice."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

from celery import shared_task
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from improveplan.tasks import sent_or_marked
from improveplan.text import email_subject
from reviews import services
from reviews.models import PeerReviewer


@shared_task
def send_daily_digests(day: str | None = None) -> int:
    """Claim and queue the day's digests (Celery beat starts this every hour of the working
    day; runs after the first send only what is still unsent)."""
    day = date.fromisoformat(day) if day else timezone.localdate()
    return services.digests_run(day=day).queued


# A mail server that fails for the moment is tried again after about 1, 2, 4, 8 and 16
# minutes (half an hour in all); after that the next hourly run takes the digest over.
RETRY_FIRST_PAUSE = 60
RETRIES = 5


def retry_pause(retries: int) -> float:
    """Seconds before the next attempt: doubling each time, give or take a fifth, so that many
    digests failing together do not all come back at once (never near zero, as "full jitter"
    can be)."""
    return RETRY_FIRST_PAUSE * 2**retries * random.uniform(0.8, 1.2)  # noqa: S311 - not secret


@shared_task(bind=True, max_retries=RETRIES)
def send_digests(self, claim_ids: list[int], token: str) -> dict[str, int]:
    """Send a batch of claimed emails over one connection; those the mail server could not
    take for the moment are tried again together, the rest are done. Returns how many ended
    in each status."""
    # Run in-process (no broker), a retry could only be made on the spot, holding up the page
    # or command that queued it: the digest waits for the next run instead.
    last = self.request.is_eager or self.request.retries >= self.max_retries
    statuses = services.digests_send(claim_ids=claim_ids, token=token, last_attempt=last)
    again = [pk for pk, status in statuses.items() if status == services.Status.CLAIMED]
    if again:
        error = services.TransientMailError(f"{len(again)} of {len(claim_ids)} not taken yet")
        raise self.retry(
            args=(again, token), exc=error, countdown=retry_pause(self.request.retries)
        )
    return dict(Counter(statuses.values()))


@shared_task(bind=True, max_retries=RETRIES)
def send_digest(self, claim_id: int, token: str) -> str:
    """One claimed email (sends queued before batches were, still waiting in the queue)."""
    last = self.request.is_eager or self.request.retries >= self.max_retries
    try:
        return services.digest_send(claim_id=claim_id, token=token, last_attempt=last)
    except services.TransientMailError as error:
        raise self.retry(exc=error, countdown=retry_pause(self.request.retries)) from error


@shared_task
def send_peer_invitation(reviewer_id: int) -> bool:
    """Email a peer reviewer their link. Sends nothing once it is used, revoked or expired."""
    reviewer = (
        PeerReviewer.objects.select_related("plan__partnership", "invited_by")
        .filter(pk=reviewer_id)
        .first()
    )
    if reviewer is None or not reviewer.link_works:
        return False
    context = {
        "reviewer": reviewer,
        "link": settings.SITE_URL
        + reverse("reviews:peer_accept", args=[services.peer_token(reviewer)]),
        "site_name": settings.SITE_NAME,
    }
    subject = render_to_string("reviews/emails/peer_invitation_subject.txt", context)
    body = render_to_string("reviews/emails/peer_invitation.txt", context)
    return sent_or_marked(
        PeerReviewer.objects.filter(pk=reviewer.pk), email_subject(subject), body, reviewer.email
    )
