"""/healthz: what the load balancer and the monitor ask, with no sign-in."""

from __future__ import annotations

import socket

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.urls import reverse

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_healthz_answers_ok_to_anyone_and_reveals_nothing(client, world, settings):
    settings.CELERY_BROKER_URL = ""  # the database alone; the broker has its own tests
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.strip() == "ok"
    assert world.partnership.name not in body
    assert world.lead.email not in body
    assert "no-store" in response["Cache-Control"]


def test_healthz_is_unavailable_when_the_broker_does_not_answer(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.content.decode().strip() == "unavailable"


def test_healthz_is_ok_when_the_real_broker_answers(client, settings, redis_url):
    settings.CELERY_BROKER_URL = redis_url
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content.decode().strip() == "ok"


def test_healthz_is_unavailable_when_the_database_does_not_answer(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = ""

    def database_gone(self, sql, params=None):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(CursorWrapper, "execute", database_gone)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.content.decode().strip() == "unavailable"


def test_healthz_refuses_post(client):
    assert client.post(reverse("healthz")).status_code == 405


def test_healthz_answers_head_for_load_balancers(client):
    assert client.head(reverse("healthz")).status_code == 200
