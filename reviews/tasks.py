"""Reminder emails, sent by Celery. Each task takes ids and claims its work in the database
before it sends anything (reviews/services.py), so running it twice sends nothing twice."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from reviews import services


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
