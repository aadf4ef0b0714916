"""The scale-out layout, run for real: two web instances (gunicorn, on two ports, as two hosts
behind a load balancer), two Celery workers and one beat, all on the same PostgreSQL, Redis
and S3 server, with production settings (DEBUG=0, JSON logs).

A partner signs in on instance A and uploads evidence; the lead reads it on instance B. A
board member asks for a report on A; a worker renders it once and B serves the kept copy. The
day's digests go out once however often beat starts the run. Then one web instance and one
worker are killed outright mid-run: every request is answered by the survivor, nothing
uploaded is lost and no email is sent twice.

The processes are started as docs/admin/deployment.md starts them (systemd units there), one
group each, so that killing one takes its children too, as a host going down does.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
import urllib3
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import transaction
from django.urls import reverse

from actions.models import Update
from actions.tests.factories import ActionFactory
from conftest import Bucket, free_port
from improveplan.models import User
from improveplan.tests.factories import PASSWORD
from improveplan.tests.test_celery_worker import ROOT, database_url_for_the_test_database
from improveplan.tests.test_sent_twice import form_on
from reviews.models import DigestClaim
from reviews.tests.test_reminder_worker import people_with_overdue_actions, settle

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

METRICS_TOKEN = "a-metrics-token-for-the-multi-host-test-0123456789"
SAFE_METHODS = {"GET", "HEAD"}


# The processes ---------------------------------------------------------------------------------


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def entries(self) -> list[dict]:
        """Its log, one JSON object a line (a line that is not JSON fails the test)."""
        lines = [line for line in self.log.read_text().splitlines() if line.strip()]
        found = []
        for line in lines:
            try:
                found.append(json.loads(line))
            except json.JSONDecodeError:
                pytest.fail(f"{self.name} wrote a line that is not JSON: {line!r}")
        return found

    def kill(self) -> None:
        """As a host going down: the process and its children, at once."""
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)


@dataclass
class Layout:
    folder: Path
    environment: dict[str, str]
    processes: dict[str, Process] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)

    def start(self, name: str, arguments: list[str]) -> Process:
        log = self.folder / f"{name}.log"
        with log.open("w") as output:
            popen = subprocess.Popen(
                [sys.executable, "-m", *arguments],
                cwd=self.folder,  # beat keeps its schedule file in the working directory
                env=self.environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a group of its own, to kill it whole
            )
        self.processes[name] = Process(name, popen, log)
        return self.processes[name]

    def web(self, name: str) -> None:
        self.ports[name] = free_port()
        self.start(
            name,
            [
                *(
                    "gunicorn",
                    "improveplan.wsgi:application",
                    "-c",
                    str(ROOT / "gunicorn.conf.py"),
                ),
                *("--workers", "2", "--preload"),
                *("--bind", f"127.0.0.1:{self.ports[name]}", "--timeout", "60"),
            ],
        )

    def worker(self, name: str) -> None:
        self.start(
            name,
            [
                *("celery", "-A", "improveplan", "--quiet", "worker", "--loglevel=info"),
                *("--concurrency=1", "-n", f"{name}@%h"),
            ],
        )

    def beat(self) -> None:
        self.start("beat", ["celery", "-A", "improveplan", "--quiet", "beat", "--loglevel=info"])

    def wait_until_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        waiting = set(self.processes)
        while waiting:
            for name in sorted(waiting):
                process = self.processes[name]
                if process.popen.poll() is not None:
                    pytest.fail(f"{name} stopped:\n{process.log.read_text()[-3000:]}")
                if name in self.ports:
                    ready = _answers(self.ports[name], "/readyz")
                else:
                    text = process.log.read_text()
                    ready = " ready." in text or "beat: Starting" in text
                if ready:
                    waiting.discard(name)
            assert time.monotonic() < deadline, f"not ready in {seconds} s: {sorted(waiting)}"
            time.sleep(0.3)

    def stop(self) -> None:
        """Outright: a warm shutdown of each would cost the test seconds, and nothing of
        theirs needs keeping."""
        for process in self.processes.values():
            process.kill()

    def logs(self, prefix: str) -> list[dict]:
        return [
            entry
            for name, process in self.processes.items()
            if name.startswith(prefix)
            for entry in process.entries()
        ]


def _answers(port: int, path: str) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}{path}", timeout=5).status_code == 200
    except requests.ConnectionError:
        return False


@pytest.fixture
def layout(transactional_db, redis_url, s3_storage, smtp_server, celery_eager, tmp_path):
    """Web A and B, workers 1 and 2 and one beat, with what production sets (see
    docs/admin/deployment.md), on the test's PostgreSQL database, Redis, S3 bucket and SMTP
    server. The shared cache is Redis: CACHE_URL if the run names one, else the broker's."""
    celery_eager.control.purge()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "improveplan.tests.multi_host_settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "0",
        "SECRET_KEY": "a-production-secret-key-for-the-multi-host-test-0123456789-abcdef",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url_for_the_test_database(),
        "CELERY_BROKER_URL": redis_url,
        "CACHE_URL": os.environ.get("CACHE_URL") or redis_url,
        **s3_storage.server.environment(s3_storage.name),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server_port(smtp_server)),
        "EMAIL_USE_TLS": "0",
        "LOG_FORMAT": "json",
        "METRICS_TOKEN": METRICS_TOKEN,
    }
    made = Layout(tmp_path, environment)
    try:
        for name in ("a", "b"):
            made.web(name)
        for name in ("worker1", "worker2"):
            made.worker(name)
        made.beat()
        made.wait_until_ready()
        yield made
    finally:
        made.stop()
        celery_eager.control.purge()


def smtp_server_port(inbox) -> int:
    from django.conf import settings

    return settings.EMAIL_PORT


# The load balancer and the people --------------------------------------------------------------


class Balancer:
    """What stands in front of the web instances: each request to the next one in turn; one
    that refuses the connection or cuts an answer short is taken out, and a read it dropped
    goes to another (a changing request is sent again only if it never arrived)."""

    def __init__(self, ports: dict[str, int]) -> None:
        self.ports = ports
        self.turn = itertools.cycle(sorted(ports))
        self.down: set[str] = set()
        self.lock = threading.Lock()

    def send(self, session: requests.Session, method: str, path: str, *, on=None, **kwargs):
        with self.lock:
            order = [on] if on else [next(self.turn) for _ in self.ports]
            order = [name for name in order if name not in self.down] or order
        for name in order:
            try:
                response = session.request(
                    method,
                    f"http://127.0.0.1:{self.ports[name]}{path}",
                    timeout=60,
                    allow_redirects=False,
                    **kwargs,
                )
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as error:
                # Refused, or (killed mid-answer) an answer cut short: a read goes to another.
                with self.lock:
                    self.down.add(name)
                if on or not (method in SAFE_METHODS or _refused(error)):
                    raise
                continue
            response.instance = name
            return response
        raise AssertionError(f"no instance answered {method} {path}")


def _refused(error: requests.ConnectionError) -> bool:
    reason = getattr(error.args[0] if error.args else None, "reason", None)
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


class Person:
    """Someone with a browser: their own cookies, whichever instance answers."""

    def __init__(self, balancer: Balancer, user: User) -> None:
        self.balancer = balancer
        self.user = user
        self.session = requests.Session()

    def get(self, path: str, *, on: str | None = None, **kwargs):
        return self.balancer.send(self.session, "GET", path, on=on, **kwargs)

    def post_form(self, form_page: str, target: str, changes: dict, *, on=None, files=None):
        page = self.get(form_page, on=on)
        assert page.status_code == 200, page.text[:500]
        fields = {**form_on(page.text), **changes}
        return self.balancer.send(
            self.session, "POST", target, on=on, data=fields, files=files or {}
        )

    def sign_in(self, *, on: str) -> None:
        page = reverse("login")
        answer = self.post_form(
            page, page, {"username": self.user.email, "password": PASSWORD}, on=on
        )
        assert answer.status_code == 302, answer.text[:2000]
        assert answer.headers["Location"] == reverse("improveplan:home")

    def upload(self, action, name: str, content: bytes, *, on: str | None = None) -> None:
        answer = self.post_form(
            reverse("actions:update_form", args=[action.pk]),
            reverse("actions:update_create", args=[action.pk]),
            {"status": "on_track", "progress": "40", "note": f"Evidence: {name}."},
            on=on,
            files={"evidence_file": (name, content, "application/pdf")},
        )
        assert answer.status_code == 302, answer.text[:2000]


def evidence(number: int) -> bytes:
    return b"%PDF-1.7 evidence " + str(number).encode() * 5000 + bytes(range(256))


def real_password(*users: User) -> None:
    """The tests hash passwords with MD5 for speed; production reads PBKDF2 only."""
    for user in users:
        user.password = PBKDF2PasswordHasher().encode(PASSWORD, "multihostsalt", iterations=1000)
        user.save(update_fields=["password"])


def downloads_of(person: Person, *, on: str | None = None) -> dict[str, bytes]:
    found = {}
    for update in Update.objects.exclude(evidence_file="").order_by("pk"):
        response = person.get(reverse("actions:evidence", args=[update.pk]), on=on)
        assert response.status_code == 200, (update.pk, response.status_code)
        found[update.evidence_name] = response.content
    return found


# The scenario ------------------------------------------------------------------------------------


def test_two_web_instances_two_workers_and_a_beat_share_the_work(
    layout: Layout, world, smtp_server, s3_storage: Bucket
):
    real_password(world.partner, world.lead, world.board)
    action = ActionFactory(plan=world.plan, lead_organisation=world.housing, owner=world.partner)
    balancer = Balancer(layout.ports)
    partner, lead, board = (Person(balancer, u) for u in (world.partner, world.lead, world.board))

    # A partner signs in on A and uploads evidence; the lead reads it on B.
    partner.sign_in(on="a")
    partner.upload(action, "minutes-1.pdf", evidence(1), on="a")
    partner.upload(action, "minutes-2.pdf", evidence(2), on="b")  # the same session, on B
    lead.sign_in(on="b")
    page = lead.get(action.get_absolute_url(), on="b")
    assert "Download minutes-1.pdf" in page.text and "Download minutes-2.pdf" in page.text
    uploaded = {"minutes-1.pdf": evidence(1), "minutes-2.pdf": evidence(2)}
    assert downloads_of(lead, on="b") == uploaded
    assert len(s3_storage.keys("evidence/")) == 2

    # A board member asks for a report on A; a worker renders it once; B serves the copy.
    board.sign_in(on="a")
    report = reverse("reports:board_report", args=[world.plan.pk])
    asked = board.get(report, on="a")
    assert asked.status_code == 202
    request_id = asked.headers["X-Request-ID"]
    deadline = time.monotonic() + 60
    served = board.get(report, on="b")
    while served.status_code == 202 and time.monotonic() < deadline:
        time.sleep(0.5)
        served = board.get(report, on="b")
    assert served.status_code == 200, layout.processes["worker1"].log.read_text()[-3000:]
    [kept] = s3_storage.keys("reports/")
    assert served.content == s3_storage.read(kept)
    assert served.content.startswith(b"%PDF")
    rendered = [e for e in layout.logs("worker") if e["message"].startswith("Kept the board")]
    assert len(rendered) == 1, rendered
    # The worker's lines name the request on A that asked for the report.
    assert rendered[0]["request_id"] == request_id
    assert rendered[0]["task_name"] == "reviews.tasks.render_report"
    queued = [e for e in layout.logs("a") if e.get("request_id") == request_id]
    assert any(e["message"].startswith("Queued the board report") for e in queued), queued

    # Beat starts the day's run every two seconds: what the first runs send goes once.
    def a_run_finished() -> bool:
        return any(
            "send_daily_digests" in entry["message"] and "succeeded" in entry["message"]
            for entry in layout.logs("worker")
        )

    deadline = time.monotonic() + 30
    while not a_run_finished() or DigestClaim.objects.filter(status="claimed").exists():
        assert time.monotonic() < deadline, "beat started no reminder run"
        time.sleep(0.5)
    before = len(settle(smtp_server, seconds=2))

    # Mid-run: a slow mail server, ten more digests due; one worker sends them as a batch...
    async def slow_rcpt(server, session, envelope, address, rcpt_options):
        await asyncio.sleep(0.3)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp_server.handle_RCPT = slow_rcpt
    log_sizes = {name: p.log.stat().st_size for name, p in layout.processes.items()}
    with transaction.atomic():  # all ten at once, for one run to claim as one batch
        emails = people_with_overdue_actions(world, 10)
    smtp_server.wait_for(before + 3, timeout=30)
    sending = [
        name
        for name in ("worker1", "worker2")
        # In what it logged since the ten were due.
        if b"send_digests" in layout.processes[name].log.read_bytes()[log_sizes[name] :]
    ]
    assert sending, "no worker took the batch"

    # ...and, while the lead keeps reading, that worker and web instance A go down at once.
    reads: list[int] = []
    failures: list[str] = []
    reading = threading.Event()
    reading.set()
    files = [
        reverse("actions:evidence", args=[pk])
        for pk in Update.objects.exclude(evidence_file="").values_list("pk", flat=True)
    ]

    def keep_reading() -> None:
        try:
            while reading.is_set():
                for path in [action.get_absolute_url(), *files]:
                    reads.append(lead.get(path).status_code)
        except Exception as error:  # noqa: BLE001 - any failure is the test's to report
            failures.append(repr(error))

    reader = threading.Thread(target=keep_reading)
    reader.start()
    time.sleep(0.1)
    layout.processes[sending[0]].kill()
    layout.processes["a"].kill()
    arrived = len(smtp_server.messages) - before
    assert 3 <= arrived < 10, "the kill should land mid-batch"
    try:
        # Every request is answered by the survivor, the same sessions go on, and nothing
        # uploaded is lost; an upload after the kill lands too.
        time.sleep(1)
        partner.upload(action, "minutes-3.pdf", evidence(3))
        uploaded["minutes-3.pdf"] = evidence(3)
        assert downloads_of(lead) == uploaded
        assert len(s3_storage.keys("evidence/")) == 3
        assert lead.get(action.get_absolute_url()).instance == "b"
    finally:
        reading.clear()
        reader.join(timeout=60)
    assert not failures, failures
    assert len(reads) > 10 and set(reads) == {200}, Counter(reads)
    assert "a" in balancer.down

    # The dead worker's digests are taken over by a later run and sent by the other: each
    # person gets exactly one, over the whole day.
    messages = smtp_server.wait_for(before + 10, timeout=60)
    messages = settle(smtp_server, seconds=2)
    sent = Counter(message["To"] for message in messages)
    assert set(emails) <= set(sent)
    assert max(sent.values()) == 1, sent
    assert set(DigestClaim.objects.values_list("status", flat=True)) == {"sent"}

    # The survivor is ready, and its figures count every worker's tasks.
    ready = requests.get(f"http://127.0.0.1:{layout.ports['b']}/readyz", timeout=10)
    assert (ready.status_code, ready.text) == (200, "database ok\nredis ok\nstorage ok\n")
    figures = requests.get(
        f"http://127.0.0.1:{layout.ports['b']}/metrics",
        headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
        timeout=10,
    ).text
    assert 'improveplan_tasks_total{outcome="succeeded",task="reviews.tasks.render_report"}' in (
        figures
    )
    assert 'task="reviews.tasks.send_digests"' in figures
    # Every worker and beat line was JSON (Process.entries fails on one that is not).
    assert layout.logs("worker") and layout.logs("beat")
