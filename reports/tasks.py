"""Celery tasks: rendering a report and keeping it, and pruning the kept copies. Each takes
ids and checks its work in the database or the storage before doing it, so running a task
twice does nothing twice.

The tasks keep the names they had when they lived in reviews/tasks.py: a message already
queued names its task, and the beat schedule names prune_kept_reports."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from celery import shared_task
from django.db import connection, transaction
from django.utils import timezone

from improveplan import notifications
from improveplan.models import Notification, Plan
from reports import reports, stored
from reports.models import ReportRequest

logger = logging.getLogger(__name__)


@shared_task(name="reviews.tasks.prune_kept_reports")
def prune_kept_reports() -> int:
    """Remove kept reports that a newer one of the same plan, kind and quarter replaced
    (Celery beat starts this every night)."""
    now = timezone.now()
    # Requests whose render was skipped (the plan changed meanwhile) are not waited on.
    ReportRequest.objects.filter(asked_at__lt=now - timedelta(days=1)).delete()
    return stored.prune(now=now)


# A render takes seconds (the largest board report about 4 s on a quiet machine); one that
# runs on for minutes is stopped rather than left holding a worker.
RENDER_SOFT_LIMIT = 120
RENDER_HARD_LIMIT = 150


@shared_task(
    name="reviews.tasks.render_report",
    soft_time_limit=RENDER_SOFT_LIMIT,
    time_limit=RENDER_HARD_LIMIT,
)
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
    with rendering(name) as ours:
        # Another worker renders it now, or has just kept it: a second message for the same
        # report (queued by another web host, or again after QUEUED_FOR_SECONDS) does nothing.
        if not ours or stored.kept(name):
            return False
        pdf = reports.render_report(plan, kind=kind, year=year, quarter=quarter, today=day)
        stored.keep(name, pdf)
    ready_tell(plan=plan, name=name)
    logger.info(
        "Kept the %s report of plan %s for %s-Q%s (%s bytes)",
        kind,
        plan.pk,
        year,
        quarter,
        len(pdf),
    )
    return True


@contextmanager
def rendering(name: str) -> Iterator[bool]:
    """Whether this worker may render the report of that name: no other one is rendering it.
    A PostgreSQL advisory lock, so it holds across worker hosts and goes with a worker that
    dies; other databases (development, with no second worker) always may."""
    if connection.vendor != "postgresql":
        yield True
        return
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    key = int.from_bytes(digest, "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        ours = cursor.fetchone()[0]
    try:
        yield ours
    finally:
        if ours:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def ready_tell(*, plan: Plan, name: str) -> int:
    """Tell those who asked for this report that it is ready, once each: their request is
    taken (deleted) by whoever tells them. Returns how many were told."""
    with transaction.atomic():
        asked = list(ReportRequest.objects.select_for_update(skip_locked=True).filter(name=name))
        for request in asked:
            notifications.notify(
                kind=Notification.Kind.REPORT_READY,
                users=[request.user_id],
                partnership_id=plan.partnership_id,
                plan_id=plan.pk,
                text=f"{request.title} is ready to download",
                url=request.url,
            )
        ReportRequest.objects.filter(pk__in=[request.pk for request in asked]).delete()
    return len(asked)
