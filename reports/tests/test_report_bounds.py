"""Reports are bounded: the board report renders only for the plan's quarters (and the one
after), and kept copies are pruned to the latest of each plan, kind and quarter."""

from __future__ import annotations

import os
import time
from datetime import date

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.urls import reverse

from reports import reports, stored, tasks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def renders(monkeypatch) -> list[tuple[int, int]]:
    done: list[tuple[int, int]] = []
    real = reports.render_report

    def counted(plan, *, kind, year, quarter, today):
        done.append((year, quarter))
        return real(plan, kind=kind, year=year, quarter=quarter, today=today)

    monkeypatch.setattr(reports, "render_report", counted)
    return done


def kept_files(media) -> list[str]:
    return sorted(path.name for path in (media / "reports").rglob("*.pdf"))


def board_url(plan, quarter: str | None = None) -> str:
    url = reverse("reports:board_report", args=[plan.pk])
    return f"{url}?quarter={quarter}" if quarter else url


# Quarters ----------------------------------------------------------------------------------


@pytest.mark.parametrize("quarter", ["2026-Q1", "2029-Q3", "2040-Q4", "2000-Q1"])
def test_a_quarter_outside_the_plans_period_is_refused(
    board_client, world, renders, media, quarter
):
    # The plan runs from April 2026 to March 2029.
    response = board_client.get(board_url(world.plan, quarter))
    assert response.status_code == 400
    assert response.content.decode() == (
        "The board report of this plan is for a quarter from 2026-Q2 to 2029-Q2: the plan's "
        "period and the quarter after it."
    )
    assert renders == []
    assert not (media / "reports").exists()


@pytest.mark.parametrize("quarter", ["2026-Q2", "2027-Q4", "2029-Q2"])
def test_the_plans_quarters_and_the_next_one_render(board_client, world, renders, quarter):
    response = board_client.get(board_url(world.plan, quarter))
    assert response.status_code == 200
    assert f"{quarter}.pdf" in response["Content-Disposition"]


@time_machine.travel(date(2033, 5, 1))
def test_after_the_plan_the_report_is_for_its_last_quarter(client, world, renders):
    client.force_login(world.board)  # signed in now: a session from before would have ended
    response = client.get(board_url(world.plan))
    assert response.status_code == 200
    assert renders == [(2029, 2)]


# Pruning kept copies -----------------------------------------------------------------------


def _keep(plan, *, quarter: int, key: str, hours_ago: float, kind: str = "board") -> str:
    name = stored.name_for(plan, kind=kind, year=2026, quarter=quarter, key=key)
    stored.keep(name, b"%PDF-1.7 a report")
    then = time.time() - hours_ago * 3600
    os.utime(default_storage.path(name), (then, then))
    return name.rsplit("/", 1)[1]


def test_pruning_keeps_the_latest_of_each_plan_kind_and_quarter(world, media):
    old = _keep(world.plan, quarter=3, key="aaaa", hours_ago=30)
    older = _keep(world.plan, quarter=3, key="bbbb", hours_ago=50)
    latest = _keep(world.plan, quarter=3, key="cccc", hours_ago=5)
    other_quarter = _keep(world.plan, quarter=4, key="dddd", hours_ago=50)
    other_kind = _keep(world.plan, quarter=3, key="eeee", hours_ago=50, kind="plan")
    other_plan = _keep(world.other_plan, quarter=3, key="ffff", hours_ago=50)

    assert tasks.prune_kept_reports.delay().get() == 2

    assert kept_files(media) == sorted([latest, other_quarter, other_kind, other_plan])
    assert old not in kept_files(media) and older not in kept_files(media)


def test_a_file_just_kept_is_left_for_the_request_that_may_be_sending_it(world, media):
    _keep(world.plan, quarter=3, key="aaaa", hours_ago=0.1)
    _keep(world.plan, quarter=3, key="bbbb", hours_ago=0)
    assert tasks.prune_kept_reports() == 0
    assert len(kept_files(media)) == 2


def test_the_reports_of_a_deleted_plan_go(world, media):
    _keep(world.other_plan, quarter=3, key="aaaa", hours_ago=2)
    world.other_plan.delete()
    assert tasks.prune_kept_reports() == 1
    assert kept_files(media) == []


def test_downloads_on_two_days_leave_one_copy_once_pruned(client, world, renders, media):
    for day in (date(2026, 8, 13), date(2026, 8, 14)):
        with time_machine.travel(day):
            client.force_login(world.board)
            assert client.get(board_url(world.plan, "2026-Q3")).status_code == 200
    first, second = sorted((media / "reports").rglob("*.pdf"), key=lambda p: p.stat().st_mtime)
    os.utime(first, (time.time() - 7200, time.time() - 7200))
    os.utime(second, (time.time() - 3600 * 1.5, time.time() - 3600 * 1.5))

    assert tasks.prune_kept_reports() == 1
    assert kept_files(media) == [second.name]
    with time_machine.travel(date(2026, 8, 14)):
        client.force_login(world.board)
        assert client.get(board_url(world.plan, "2026-Q3")).status_code == 200
    assert renders == [(2026, 3), (2026, 3)]  # the second day's copy served again, not rendered


def test_pruning_runs_every_night():
    entry = django_settings.CELERY_BEAT_SCHEDULE["prune-kept-reports"]
    assert entry["task"] == tasks.prune_kept_reports.name
