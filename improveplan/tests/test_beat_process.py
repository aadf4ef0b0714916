"""Production runs workers and one beat as separate processes (`make worker`, `make beat`), so
that a worker killed outright leaves no scheduler of its own behind: a restarted worker with an
embedded beat would make two."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from improveplan.tests.test_celery_worker import ROOT

pytestmark = pytest.mark.services

STEADY = 5  # seconds with no process ending before those alive count as left behind


def recipe(target: str) -> list[str]:
    """The celery command of a Makefile target, as arguments after `celery`."""
    text = (ROOT / "Makefile").read_text()
    body = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", text, re.MULTILINE).group(1)
    [line] = [line for line in body.splitlines() if "/celery " in line]
    return shlex.split(line.split("/celery ", 1)[1])


def descendants(pid: int) -> set[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def start(arguments: list[str], redis_url: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", *arguments],
        cwd=log.parent,  # beat keeps its schedule file in the working directory
        env={**os.environ, "DEBUG": "1", "CELERY_BROKER_URL": redis_url, "PYTHONPATH": str(ROOT)},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def wait_for(log: Path, text: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while text not in log.read_text():
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)


def survivors_of_a_killed_worker(arguments, redis_url, tmp_path) -> set[int]:
    log = tmp_path / "worker.log"
    worker = start(arguments, redis_url, log)
    try:
        wait_for(log, "ready.")
        time.sleep(1)
        family = descendants(worker.pid)
        assert family, "a prefork worker has pool processes"
        worker.send_signal(signal.SIGKILL)  # its main process only, as an OOM kill does
        worker.wait(timeout=10)
        # The pool's processes see their parent gone and end within a second or so; what is
        # still alive STEADY seconds after the last of them ended is left running.
        living = {pid for pid in family if alive(pid)}
        steady_since = time.monotonic()
        while living and time.monotonic() - steady_since < STEADY:
            time.sleep(0.25)
            still = {pid for pid in living if alive(pid)}
            if still != living:
                living, steady_since = still, time.monotonic()
        return living
    finally:
        for pid in descendants(worker.pid) | family:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_the_production_worker_runs_no_scheduler(redis_url, tmp_path):
    arguments = recipe("worker")
    assert arguments[:3] == ["-A", "improveplan", "worker"]
    assert "--beat" not in arguments and "-B" not in arguments
    assert survivors_of_a_killed_worker(arguments, redis_url, tmp_path) == set()


def test_a_worker_with_beat_inside_would_leave_its_scheduler_running(redis_url, tmp_path):
    """Why the beat is separate: the same kill leaves an embedded beat behind."""
    arguments = [*recipe("worker"), "--beat"]
    assert len(survivors_of_a_killed_worker(arguments, redis_url, tmp_path)) == 1


def test_beat_runs_as_a_process_of_its_own(redis_url, tmp_path):
    arguments = recipe("beat")
    assert arguments[:3] == ["-A", "improveplan", "beat"]
    log = tmp_path / "beat.log"
    beat = start(arguments, redis_url, log)
    try:
        wait_for(log, "beat: Starting")
        assert beat.poll() is None
    finally:
        beat.terminate()
        beat.wait(timeout=30)
    assert (tmp_path / "celerybeat-schedule").exists() or list(tmp_path.glob("celerybeat-*"))
