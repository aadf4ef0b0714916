"""Celery tasks: reminder emails and report rendering. Each takes ids and checks its work in
the database before doing it, so running a task twice does nothing twice."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from improveplan.models import Plan
from improveplan.tasks import sent_or_marked
from improveplan.text import email_subject
from reviews import reports, services, stored
from reviews.models import PeerReviewer


@shared_task
def send_daily_digests(day: str | None = None) -> int:
    """Claim and queue the day's digests (Celery beat starts this every hour of the working
    day; runs after the first send only what is still unsent)."""
    return services.digests_run(day=date.fromisoformat(day) if day else timezone.localdate())


@shared_task(
    bind=True,
    autoretry_for=(services.TransientMailError,),
    retry_backoff=30,  # 30 s, 1 min, 2 min … with jitter, at most 15 minutes apart
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=5,
)
def send_digest(self, claim_id: int, token: str) -> str:
    return services.digest_send(
        claim_id=claim_id, token=token, last_attempt=self.request.retries >= self.max_retries
    )


@shared_task
def render_report(plan_id: int, kind: str, year: int, quarter: int, today: str, key: str) -> bool:
    """Render a report and keep it under its fingerprint. Safe to run twice: a report already
    kept is not rendered again, and one whose plan has changed since it was asked for is
    skipped (the next download asks for the new one)."""
    plan = Plan.objects.select_related("partnership").filter(pk=plan_id).first()
    if plan is None:
        return False
    day = date.fromisoformat(today)
    name = stored.name_for(plan, kind=kind, year=year, quarter=quarter, key=key)
    if stored.kept(name):
        return False
    if stored.fingerprint(plan, kind=kind, year=year, quarter=quarter, today=day) != key:
        return False
    pdf = reports.render_report(plan, kind=kind, year=year, quarter=quarter, today=day)
    stored.keep(name, pdf)
    return True


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
