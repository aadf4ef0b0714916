"""A real Celery worker, started as production starts it, takes queued work from Redis."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.urls import reverse

from improveplan.models import Role

ROOT = Path(__file__).resolve().parents[2]


def database_url_for_the_test_database() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{quote(db['USER'])}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def start_worker(redis_url: str, **environment: str) -> subprocess.Popen:
    """A real Celery worker on the test database and the given Redis, its log in ``stdout``;
    the caller terminates it."""
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url_for_the_test_database(),
        "CELERY_BROKER_URL": redis_url,
        **environment,
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "improveplan",
            "worker",
            "--pool=solo",
            "--loglevel=info",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return worker


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_emails_the_invitation(
    postgresql, redis_url, smtp_server, celery_eager, lead_client, world, settings
):
    celery_eager.conf.task_always_eager = False
    celery_eager.control.purge()
    worker = start_worker(
        redis_url,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(settings.EMAIL_PORT),
        EMAIL_USE_TLS="0",
    )
    try:
        response = lead_client.post(
            reverse("improveplan:invitation_create", args=[world.partnership.pk]),
            {"email": "queued@example.org", "organisation": world.housing.pk, "role": Role.PARTNER},
        )
        assert response.status_code == 302
        messages = smtp_server.wait_for(1, timeout=60)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    assert len(messages) == 1, f"The worker sent nothing. Its log:\n{output}"
    assert messages[0]["To"] == "queued@example.org"
    assert "/join/" in messages[0].get_content()
    assert "send_invitation_email" in output and "succeeded" in output
