"""Celery tasks of actions: an action plan import sent to a worker (outcomes/imports.py)."""

from __future__ import annotations

from celery import shared_task

from actions import spreadsheets
from improveplan import security
from improveplan.access import membership_of
from improveplan.models import SecurityEvent
from outcomes import imports
from outcomes.readings_io import ImportResult, RowError
from outcomes.tasks import IMPORT_HARD_LIMIT, IMPORT_SOFT_LIMIT


@shared_task(soft_time_limit=IMPORT_SOFT_LIMIT, time_limit=IMPORT_HARD_LIMIT)
def import_action_plan_file(job_id: int) -> bool:
    """Import the action plan workbook of an ImportJob. Safe to run twice: the second run
    finds the job claimed and does nothing."""
    return imports.import_job_run(job_id=job_id, run=_run, describe=spreadsheets.saved_message)


def _run(job, file) -> ImportResult:
    plan = job.plan
    membership = membership_of(job.user, plan.partnership_id) if job.user else None
    if membership is None or not membership.manages:
        return ImportResult(
            errors=[RowError(0, "", "You no longer lead this partnership, so nothing was saved.")]
        )
    if plan.status == plan.Status.ARCHIVED:
        return ImportResult(
            errors=[RowError(0, "", "The plan has been archived, so nothing was saved.")]
        )
    result = spreadsheets.import_xlsx(plan=plan, upload=file, user=job.user)
    if result.ok:
        security.record(
            SecurityEvent.Kind.IMPORT,
            user=job.user,
            partnership_id=plan.partnership_id,
            detail=spreadsheets.logged_detail(plan, result),
        )
    return result
