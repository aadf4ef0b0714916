"""Spreadsheet imports that a worker runs, so that a long one never holds up a web request.

The page checks the upload quickly (its kind and size, and how many rows and cells it holds),
keeps the file in the default storage under a name nobody can guess, and records an
ImportJob; a Celery task (outcomes/tasks.py, actions/tasks.py) claims the job, runs the same
import the page runs without a broker, all or nothing, records what happened and removes
the file. The job's page shows its progress and then the outcome.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from outcomes.models import ImportJob
from outcomes.readings_io import ImportResult, RowError

FOLDER = "imports"
# Well past the tasks' hard time limit (outcomes/tasks.py): a job still running then has lost
# its worker.
GIVE_UP_AFTER = timedelta(minutes=5)
SHOWN_ERRORS = 200  # the first problems of a refused file are listed, as on the import pages
UNMATCHED_FOR = timedelta(days=7)
NOT_MATCHED = (
    "Nobody matched the file's indicators to the plan's within a week, so it was removed and "
    "nothing was saved. Upload it again to import it."
)
GONE = "The file was no longer kept, so nothing was saved. Upload it again to import it."
TOO_LONG = (
    "The file took too long to import, so nothing was saved. Try splitting it into smaller "
    "files, or import it again later."
)


def import_job_create(*, plan, user, kind: str, upload, options=None, survey=None) -> ImportJob:
    """Keep the uploaded file and record a job waiting for a worker; or, given the ``survey``
    of a profiles download the plan has no matching for, waiting for a lead to match it."""
    upload.seek(0)
    stored_name = default_storage.save(f"{FOLDER}/{secrets.token_hex(16)}", upload)
    options = dict(options or {})
    if survey is not None:
        options["survey"] = survey
    return ImportJob.objects.create(
        plan=plan,
        user=user,
        kind=kind,
        file_name=(upload.name or "")[:255],
        stored_name=stored_name,
        options=options,
        status=ImportJob.Status.QUEUED if survey is None else ImportJob.Status.MAPPING,
    )


def import_job_mapped(job: ImportJob) -> bool:
    """Send a job whose profiles download a lead has now matched to a worker's queue (False
    if it was not waiting for that: another lead matched it first)."""
    options = {**job.options, "mapped": True}
    return bool(
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.MAPPING).update(
            status=ImportJob.Status.QUEUED, options=options
        )
    )


def import_job_run(
    *,
    job_id: int,
    run: Callable[[ImportJob, object], ImportResult],
    describe: Callable[[ImportResult], str],
) -> bool:
    """Claim the job (False if another run has), call ``run(job, file)`` and record what
    it did, in the words ``describe`` gives a saved import. A run stopped by its time limit
    saves nothing (the import is one transaction) and says so. The file is removed however
    the run ends."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return False
    job = ImportJob.objects.select_related("plan__partnership", "user").get(pk=job_id)
    waits = False
    try:
        # One transaction for the import and its log line: stopped anywhere, it leaves nothing.
        with default_storage.open(job.stored_name, "rb") as file, transaction.atomic():
            result = run(job, file)
        waits = result.needs_mapping is not None
    except SoftTimeLimitExceeded:
        result = ImportResult(errors=[RowError(0, "", TOO_LONG)])
    except FileNotFoundError:
        result = ImportResult(errors=[RowError(0, "", GONE)])
    finally:
        if not waits:
            default_storage.delete(job.stored_name)
    if waits:
        # A profiles download the plan has no matching for: the file waits for a lead.
        job.status = ImportJob.Status.MAPPING
        job.options = {**job.options, "survey": result.needs_mapping, "mapped": False}
        job.save(update_fields=["status", "options"])
        return True
    _finish(job, result, describe(result) if result.ok else "")
    return True


def import_job_give_up(job: ImportJob, *, now) -> bool:
    """End a job still running long after its hard time limit (its worker was stopped before
    it could say so) as one that took too long: nothing of it was saved, as the import is
    one transaction. A profiles download nobody matched for a week ends too, and its file
    goes. False if it is not such a job."""
    if job.status == ImportJob.Status.MAPPING and job.created_at <= now - UNMATCHED_FOR:
        why = NOT_MATCHED
    elif job.status == ImportJob.Status.RUNNING and job.started_at <= now - GIVE_UP_AFTER:
        why = TOO_LONG
    else:
        return False
    ended = ImportJob.objects.filter(pk=job.pk, status=job.status).update(
        status=ImportJob.Status.FAILED
    )
    if not ended:
        return False
    if job.stored_name:
        default_storage.delete(job.stored_name)
    _finish(job, ImportResult(errors=[RowError(0, "", why)]), "")
    return True


def _finish(job: ImportJob, result: ImportResult, summary: str) -> None:
    job.stored_name = ""
    job.summary = summary[:500]
    job.finished_at = timezone.now()
    job.status = ImportJob.Status.DONE if result.ok else ImportJob.Status.FAILED
    job.error_count = len(result.errors)
    job.errors = [
        {"row": error.row, "column": error.column, "message": error.message}
        for error in result.errors[:SHOWN_ERRORS]
    ]
    job.save(
        update_fields=["stored_name", "summary", "finished_at", "status", "error_count", "errors"]
    )
