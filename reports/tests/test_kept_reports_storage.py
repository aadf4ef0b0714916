"""Kept reports on the local disk and in S3-compatible object storage (a real server the tests
start): each test runs on both. Past one machine, every web and worker host keeps and finds
reports in the same bucket, and computes the same fingerprint for the same data."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from reports import reports, stored, tasks

pytestmark = [pytest.mark.django_db, pytest.mark.services]


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    done: list[str] = []
    real = reports.render_report

    def counted(plan, *, kind, **when):
        done.append(kind)
        return real(plan, kind=kind, **when)

    monkeypatch.setattr(reports, "render_report", counted)
    return done


def kept(storage) -> list[str]:
    """The names of the kept reports, under reports/."""
    if storage is None:
        root = Path(settings.MEDIA_ROOT)
        return sorted(str(p.relative_to(root)) for p in (root / "reports").rglob("*.pdf"))
    return storage.keys("reports/")


def test_a_report_is_kept_once_and_served_again(storage, client, planned, renders):
    client.force_login(planned.board)
    url = reverse("reports:delivery_plan", args=[planned.plan.pk])
    first = client.get(url)
    assert first.status_code == 200
    [name] = kept(storage)
    assert name.startswith(f"reports/{planned.plan.pk}/plan-")
    client.force_login(planned.lead)
    second = client.get(url)
    assert second.status_code == 200
    assert b"".join(second.streaming_content) == b"".join(first.streaming_content)
    assert renders == ["plan"]  # the second download is the kept copy
    if storage is not None:
        assert not (Path(settings.MEDIA_ROOT) / "reports").exists()


def test_pruning_keeps_the_latest_of_each_quarter(storage, world):
    names = [
        stored.name_for(world.plan, kind="board", year=2026, quarter=3, key=key)
        for key in ("aaaa", "bbbb")
    ]
    for name in names:
        stored.keep(name, b"%PDF-1.7 a report")
    other_quarter = stored.name_for(world.plan, kind="board", year=2026, quarter=4, key="cccc")
    stored.keep(other_quarter, b"%PDF-1.7 another")
    deleted_plan = stored.name_for(world.other_plan, kind="plan", year=2026, quarter=3, key="dd")
    stored.keep(deleted_plan, b"%PDF-1.7 of a plan deleted")
    world.other_plan.delete()

    assert stored.prune(now=timezone.now()) == 0  # all kept within the hour
    # Kept within the same second, the two of one quarter are told apart by name.
    assert stored.prune(now=timezone.now() + timedelta(hours=2)) == 2
    assert kept(storage) == sorted([names[1], other_quarter])


def test_pruning_with_nothing_kept_yet_removes_nothing(storage, db):
    assert tasks.prune_kept_reports() == 0


def test_the_fingerprint_reads_the_layout_not_its_file_times(planned, tmp_path, monkeypatch):
    """Hosts a release is copied to give its files different times: a worker must find the
    same fingerprint as the web host that queued the render, or it would never render it."""
    templates = tmp_path / "templates"
    shutil.copytree(stored.TEMPLATES, templates)
    stylesheet = tmp_path / "print.css"
    shutil.copy(stored.STYLESHEET, stylesheet)
    monkeypatch.setattr(stored, "TEMPLATES", templates)
    monkeypatch.setattr(stored, "STYLESHEET", stylesheet)
    today = timezone.localdate()

    def key() -> str:
        return stored.fingerprint(planned.plan, kind="board", year=2026, quarter=3, today=today)

    before = key()
    for path in [*templates.glob("*.html"), stylesheet]:
        os.utime(path, (1_000_000_000, 1_000_000_000))
    assert key() == before
    with stylesheet.open("a") as css:
        css.write("\nh1 { color: black; }\n")
    assert key() != before
