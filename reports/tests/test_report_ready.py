"""A report rendered on a worker tells whoever asked for it when it is ready (issue 22)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from improveplan.models import Notification
from reports import reports, stored, tasks
from reports.models import ReportRequest

pytestmark = pytest.mark.django_db

TODAY = date(2026, 8, 14)


@pytest.fixture
def background(settings, celery_eager):
    """A broker is configured and tasks are queued, not run in the request."""
    settings.CELERY_BROKER_URL = settings.CELERY_BROKER_URL or "redis://127.0.0.1:6379/0"
    celery_eager.conf.task_always_eager = False
    return celery_eager


@time_machine.travel(TODAY)
def test_whoever_asked_is_told_once_when_the_worker_has_it_ready(
    client, planned, background, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.render_report, "delay", lambda *args: queued.append(args))
    url = reverse("reports:board_report", args=[planned.plan.pk]) + "?quarter=2026-Q3"
    for who in (planned.board, planned.partner, planned.board):  # the board member looks twice
        client.force_login(who)
        with django_capture_on_commit_callbacks(execute=True):
            assert client.get(url).status_code == 202
    assert ReportRequest.objects.count() == 2 and len(queued) == 1

    assert tasks.render_report(*queued[0]) is True  # what the worker does with the message
    assert tasks.render_report(*queued[0]) is False  # delivered again: nobody told twice
    told = Notification.objects.filter(kind=Notification.Kind.REPORT_READY)
    assert sorted(told.values_list("user__full_name", flat=True)) == ["Bo Board", "Pat Partner"]
    notice = told.first()
    assert notice.text == (
        "The board report of Healthier Riverside for Q3 2026: July to September is ready to "
        "download"
    )
    assert notice.url == url
    assert notice.channel == Notification.Channel.SITE  # by default: they were on the page
    assert not ReportRequest.objects.exists()


@time_machine.travel(TODAY)
def test_someone_who_got_the_report_is_not_told_it_is_ready(
    board_client, planned, background, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.render_report, "delay", lambda *args: queued.append(args))
    url = reverse("reports:delivery_plan", args=[planned.plan.pk])
    with django_capture_on_commit_callbacks(execute=True):
        board_client.get(url)
    _plan, kind, year, quarter, _today, key = queued[0]
    name = stored.name_for(planned.plan, kind=kind, year=year, quarter=quarter, key=key)
    stored.keep(
        name,
        reports.render_report(planned.plan, kind=kind, year=year, quarter=quarter, today=TODAY),
    )
    assert board_client.get(url).status_code == 200  # the page looked again and got it
    assert not ReportRequest.objects.exists()
    assert tasks.ready_tell(plan=planned.plan, name=name) == 0
    assert not Notification.objects.exists()
