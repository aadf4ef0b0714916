"""Celery tasks of outcomes: a readings import sent to a worker (outcomes/imports.py)."""

from __future__ import annotations

from celery import shared_task

from improveplan import security
from improveplan.access import membership_of
from improveplan.models import Role, SecurityEvent
from outcomes import imports, readings_io

# An import of the largest file accepted takes seconds; one that runs on for minutes is
# stopped, saving nothing, rather than left holding a worker.
IMPORT_SOFT_LIMIT = 120
IMPORT_HARD_LIMIT = 150


@shared_task(soft_time_limit=IMPORT_SOFT_LIMIT, time_limit=IMPORT_HARD_LIMIT)
def import_readings_file(job_id: int) -> bool:
    """Import the readings file of an ImportJob. Safe to run twice: the second run finds the
    job claimed and does nothing."""
    return imports.import_job_run(job_id=job_id, run=_run, describe=readings_io.saved_message)


def _run(job, file) -> readings_io.ImportResult:
    plan = job.plan
    membership = membership_of(job.user, plan.partnership_id) if job.user else None
    if membership is None or not (membership.manages or membership.role == Role.PARTNER):
        return readings_io.ImportResult(
            errors=[
                readings_io.RowError(
                    0, "", "You may no longer import readings into this plan, so nothing was saved."
                )
            ]
        )
    options = job.options
    result = readings_io.import_file(
        plan=plan,
        upload=file,
        user=job.user,
        membership=membership,
        options=readings_io.Options(decimal_comma=bool(options.get("decimal_comma"))),
        review_mapping=bool(options.get("review_mapping")) and not options.get("mapped"),
    )
    if result.ok:
        security.record(
            SecurityEvent.Kind.IMPORT,
            user=job.user,
            partnership_id=plan.partnership_id,
            detail=readings_io.logged_detail(plan, result),
        )
    return result
