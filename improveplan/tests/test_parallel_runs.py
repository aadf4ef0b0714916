"""A parallel run (pytest-xdist) keeps its worker processes apart: each has a Redis database of
its own, and what each leaves in test-artifacts/ adds up to the whole run's file."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import pytest

from conftest import BROWSER_TESTS, _in_order, _use_redis_database_of_worker
from improveplan.celery import app
from improveplan.tests import artifacts


@pytest.fixture
def broker(settings, monkeypatch):
    """The broker settings as a worker process starts with them, put back afterwards."""
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/3")
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/3"
    before = app.conf.broker_url
    yield settings
    app.conf.broker_url = before


def test_each_worker_uses_the_brokers_database_plus_its_number(broker):
    _use_redis_database_of_worker(2)
    assert broker.CELERY_BROKER_URL == "redis://127.0.0.1:6379/5"
    assert app.conf.broker_url == "redis://127.0.0.1:6379/5"
    assert os.environ["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/5"  # the worker it starts


def test_a_worker_past_the_last_redis_database_stops_the_run_and_says_why(broker):
    with pytest.raises(pytest.UsageError, match="Worker 13 would use Redis database 16"):
        _use_redis_database_of_worker(13)
    assert broker.CELERY_BROKER_URL == "redis://127.0.0.1:6379/3"


def test_no_broker_no_change(settings):
    settings.CELERY_BROKER_URL = ""
    _use_redis_database_of_worker(1)
    assert settings.CELERY_BROKER_URL == ""


def test_the_file_holds_what_every_process_wrote(tmp_path, monkeypatch):
    monkeypatch.setattr(artifacts, "PARTS", tmp_path / "parts")
    path = tmp_path / "pages.txt"

    def text_of(parts):
        return "".join(sorted(line for part in parts for line in part))

    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    artifacts.write_from_every_process(path, ["a\n", "c\n"], text_of)
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    artifacts.write_from_every_process(path, ["b\n"], text_of)
    assert path.read_text() == "a\nb\nc\n"
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")  # a process writes again when it knows more
    artifacts.write_from_every_process(path, ["a\n", "c\n", "d\n"], text_of)
    assert path.read_text() == "a\nb\nc\nd\n"


def _claim(parts, name: str) -> bool:
    artifacts.PARTS = parts
    return artifacts.first_to_claim(name)


def test_a_thing_claimed_is_done_by_one_process_in_a_run(tmp_path, monkeypatch):
    monkeypatch.setattr(artifacts, "PARTS", tmp_path / "parts")
    with ProcessPoolExecutor(8, mp_context=multiprocessing.get_context("fork")) as processes:
        claims = list(processes.map(_claim, [tmp_path / "parts"] * 8, ["screenshot-plan"] * 8))
    assert claims.count(True) == 1
    assert not artifacts.first_to_claim("screenshot-plan")
    assert artifacts.first_to_claim("screenshot-outcome")
    artifacts.forget_parts()  # the next run
    assert artifacts.first_to_claim("screenshot-plan")


def _unit(name: str) -> tuple[str, dict]:
    return name, {f"{name}::test": False}


def test_the_browser_tests_go_first_then_the_other_long_tests():
    browser = _unit(BROWSER_TESTS + "test_journeys.py")
    units = [_unit("a"), _unit("worker_1"), _unit("b"), browser, _unit("worker_2")]

    in_order = [name for name, _ in _in_order(units, {"worker_1::test", "worker_2::test"})]

    assert in_order == [browser[0], "worker_1", "worker_2", "a", "b"]


def test_the_other_long_tests_are_shared_out_between_the_browser_tests():
    """So that a worker waiting on a service it started has the other worker's browser
    beside it, not another test waiting too."""
    journeys, forms = (
        _unit(BROWSER_TESTS + "test_journeys.py"),
        _unit(BROWSER_TESTS + "test_forms.py"),
    )
    waiting = [_unit(f"worker_{number}") for number in range(1, 6)]
    units = [_unit("a"), *waiting[:3], journeys, _unit("b"), *waiting[3:], forms]
    long = {f"{name}::test" for name, _ in waiting}

    in_order = [name for name, _ in _in_order(units, long)]

    assert in_order == [
        journeys[0], "worker_1", "worker_2", "worker_3",
        forms[0], "worker_4", "worker_5",
        "a", "b",
    ]  # fmt: skip


def test_without_browser_tests_the_long_tests_still_go_first():
    units = [_unit("a"), _unit("worker_1"), _unit("b")]

    assert [name for name, _ in _in_order(units, {"worker_1::test"})] == ["worker_1", "a", "b"]
