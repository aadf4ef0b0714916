"""Imports sent to a worker: with a broker, the upload page keeps the file and shows a
progress page; a worker imports the file, all or nothing, and the page then shows the
outcome (outcomes/imports.py)."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from actions import tasks as action_tasks
from actions.models import Action
from actions.tests.factories import ActionFactory
from improveplan.models import SecurityEvent
from improveplan.tests.test_celery_worker import start_worker
from outcomes import imports, readings_io, tasks, views
from outcomes.models import ImportJob, Reading
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory

GOOD = (
    "indicator,period,value,lower,upper,breakdown,source_note\n"
    "HS-01,2025-03-31,58.8,56.3,61.3,,Housing options\n"
    "HS-01,2025-Q2,59.5,,,Northfield,\n"
)
BAD = GOOD + "HS-01,2025-13-40,lots,,,,\nNOPE-9,2025-03-31,1,,,,\n"


@pytest.fixture
def housing_indicator(world):
    outcome = OutcomeFactory(plan=world.plan)
    return IndicatorFactory(outcome=outcome, owner=world.housing, code="HS-01")


@pytest.fixture
def background(settings, celery_eager):
    """A broker is configured: the page queues the import rather than running it."""
    settings.CELERY_BROKER_URL = settings.CELERY_BROKER_URL or "redis://127.0.0.1:6379/0"
    celery_eager.conf.task_always_eager = False
    return celery_eager


def upload(client, world, text: str, name: str = "readings.csv"):
    return client.post(
        reverse("outcomes:readings_import", args=[world.plan.pk]),
        {"file": SimpleUploadedFile(name, text.encode())},
    )


def kept_files(settings) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / imports.FOLDER
    return sorted(folder.iterdir()) if folder.exists() else []


def text(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_with_a_broker_the_page_queues_the_import_and_shows_its_progress(
    partner_client, world, housing_indicator, background, settings
):
    response = upload(partner_client, world, GOOD)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert not Reading.objects.exists()  # nothing imported in the request
    assert [path.name for path in kept_files(settings)] == [Path(job.stored_name).name]
    assert job.file_name == "readings.csv" and job.user == world.partner

    waiting = partner_client.get(job.get_absolute_url())
    assert waiting.status_code == 202
    assert waiting["Refresh"] == str(views.IMPORT_CHECK_AGAIN_SECONDS)
    assert "is being imported" in text(waiting) and "<script>" not in text(waiting)

    assert tasks.import_readings_file(job.pk) is True  # what the worker does with the message
    assert tasks.import_readings_file(job.pk) is False  # a second delivery does nothing
    assert Reading.objects.filter(indicator=housing_indicator).count() == 2
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.IMPORT).count() == 1
    assert kept_files(settings) == []

    done = partner_client.get(job.get_absolute_url())
    assert done.status_code == 200 and "Refresh" not in done
    assert "Imported: 2 new readings, 0 changed, 0 already as in the file." in text(done)
    # The lead may look too.
    partner_client.force_login(world.lead)
    assert partner_client.get(job.get_absolute_url()).status_code == 200


@pytest.mark.django_db
@pytest.mark.services
def test_in_object_storage_the_file_waits_in_the_bucket_for_the_worker(
    partner_client, world, housing_indicator, background, settings, s3_storage
):
    upload(partner_client, world, GOOD)
    job = ImportJob.objects.get()
    assert s3_storage.keys(f"{imports.FOLDER}/") == [job.stored_name]
    assert not Path(settings.MEDIA_ROOT).exists()  # nothing on this host's disk
    assert tasks.import_readings_file(job.pk) is True  # a worker on any host finds it
    assert Reading.objects.filter(indicator=housing_indicator).count() == 2
    assert s3_storage.keys(f"{imports.FOLDER}/") == []  # and removes it once imported


@pytest.mark.django_db
def test_a_file_with_row_errors_ends_with_each_error_shown_and_nothing_saved(
    lead_client, world, housing_indicator, background, settings
):
    job_url = upload(lead_client, world, BAD)["Location"]
    job = ImportJob.objects.get()
    assert tasks.import_readings_file(job.pk) is True
    page = text(lead_client.get(job_url))
    assert "Nothing was saved: 3 problems in the file" in page
    assert '<th scope="row">4</th>' in page and '<th scope="row">5</th>' in page
    assert not Reading.objects.exists()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.error_count == 3
    assert kept_files(settings) == []


@pytest.mark.django_db
def test_a_refused_file_gets_its_message_at_once_and_queues_nothing(
    lead_client, world, housing_indicator, background, settings
):
    response = upload(lead_client, world, "%PDF-1.7 not readings")
    assert response.status_code == 200 and "Nothing was saved" in text(response)
    assert not ImportJob.objects.exists() and kept_files(settings) == []


@pytest.mark.django_db
def test_an_import_that_runs_out_of_time_saves_nothing_and_says_so(
    lead_client, world, housing_indicator, background, settings, monkeypatch
):
    job_url = upload(lead_client, world, GOOD)["Location"]

    def stopped(*args):  # the time limit strikes after the new readings are written
        raise SoftTimeLimitExceeded

    monkeypatch.setattr(readings_io, "_update", stopped)
    assert tasks.import_readings_file(ImportJob.objects.get().pk) is True
    page = text(lead_client.get(job_url))
    assert "The file took too long to import, so nothing was saved." in page
    assert not Reading.objects.exists()
    assert kept_files(settings) == []


@pytest.mark.django_db
def test_a_job_whose_worker_was_stopped_ends_as_too_long(
    lead_client, world, housing_indicator, background, settings
):
    job_url = upload(lead_client, world, GOOD)["Location"]
    job = ImportJob.objects.get()
    started = timezone.now() - imports.GIVE_UP_AFTER
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, started_at=started)
    response = lead_client.get(job_url)
    assert response.status_code == 200 and "Refresh" not in response
    assert "The file took too long to import, so nothing was saved." in text(response)
    assert kept_files(settings) == []
    assert tasks.import_readings_file(job.pk) is False
    assert not Reading.objects.exists()


@pytest.mark.django_db
def test_only_the_sender_and_the_leads_see_an_import(client, world, housing_indicator, background):
    client.force_login(world.partner)
    job_url = upload(client, world, GOOD)["Location"]
    client.force_login(world.outsider)
    assert client.get(job_url).status_code == 404
    client.force_login(world.board)
    assert client.get(job_url).status_code == 403
    assert client.post(job_url).status_code == 405


@pytest.mark.django_db
def test_the_action_plan_import_goes_to_a_worker_too(lead_client, world, background, settings):
    action = ActionFactory(plan=world.plan, lead_organisation=world.housing, title="Old title")
    workbook = load_workbook(
        io.BytesIO(lead_client.get(reverse("actions:export_xlsx", args=[world.plan.pk])).content)
    )
    workbook["Open actions"]["B2"] = "Recruit three landlord mediators"
    workbook["Open actions"]["A3"] = "A-999"  # a reference of no action: a row error
    workbook["Open actions"]["B3"] = "Something"
    buffer = io.BytesIO()
    workbook.save(buffer)
    url = reverse("actions:import_xlsx", args=[world.plan.pk])
    response = lead_client.post(url, {"file": SimpleUploadedFile("plan.xlsx", buffer.getvalue())})
    job = ImportJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert job.kind == ImportJob.Kind.ACTION_PLAN
    assert action_tasks.import_action_plan_file(job.pk) is True
    assert action_tasks.import_action_plan_file(job.pk) is False
    page = text(lead_client.get(job.get_absolute_url()))
    assert "Nothing was saved: 2 problems in the file" in page
    assert "There is no action A-999 in this plan." in page
    assert Action.objects.get(pk=action.pk).title == "Old title"
    assert kept_files(settings) == []


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_imports_a_file_sent_from_the_page(
    postgresql, redis_url, celery_eager, partner_client, world, housing_indicator, settings
):
    celery_eager.conf.task_always_eager = False
    celery_eager.control.purge()
    worker = start_worker(redis_url, MEDIA_ROOT=str(settings.MEDIA_ROOT))
    try:
        sent = upload(partner_client, world, GOOD)
        assert sent.status_code == 302
        response = partner_client.get(sent["Location"])
        assert response.status_code == 202 and "is being imported" in text(response)
        deadline = time.monotonic() + 90
        while response.status_code == 202 and time.monotonic() < deadline:
            time.sleep(0.5)
            response = partner_client.get(sent["Location"])
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    assert response.status_code == 200, f"The worker imported nothing. Its log:\n{output}"
    assert "Imported: 2 new readings, 0 changed, 0 already as in the file." in text(response)
    assert Reading.objects.filter(indicator=housing_indicator).count() == 2
    assert "import_readings_file" in output and "succeeded" in output
    assert kept_files(settings) == []
