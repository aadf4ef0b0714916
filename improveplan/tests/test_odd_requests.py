"""Odd requests answer politely, and nothing the site sends is kept by a cache: forms in an
encoding other than UTF-8 get the site's 400 page, through gunicorn as in production, and every
page and download is sent ``Cache-Control: private, no-store``."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from actions.models import Update
from actions.tests.factories import ActionFactory
from improveplan.tests.factories import PASSWORD
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory, ReadingFactory

pytestmark = pytest.mark.django_db

SIGN_IN = "/account/sign-in/"
ODD_CHARSETS = ["latin-1", "utf-16", "ISO-8859-1", "windows-1252"]


def _encoded(form: dict, charset: str) -> bytes:
    return urlencode(form).encode("utf-16" if charset == "utf-16" else "latin-1")


# Through gunicorn, with production settings ------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn(django_db_setup, django_db_blocker):
    """gunicorn serving improveplan.wsgi with DEBUG=0, on the test database."""
    db = connection.settings_dict
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "a-production-secret-key-for-the-gunicorn-test-0123456789-abcdefgh",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "improveplan.tests.production_like_settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    server = subprocess.Popen(
        [
            str(sys.executable).replace("python", "gunicorn"),
            "improveplan.wsgi:application",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "error",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"gunicorn did not start: {server.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
    yield port
    server.terminate()
    server.wait(timeout=10)


def _request(port: int, method: str, path: str, body: bytes | None = None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    content = response.read().decode("utf-8", "replace")
    conn.close()
    return response, content


def test_gunicorn_answers_an_odd_charset_with_the_sites_400_page_and_keeps_nothing_in_caches(
    gunicorn,
):
    page, content = _request(gunicorn, "GET", SIGN_IN)
    assert page.status == 200
    assert {"private", "no-store"} <= set(re.split(r",\s*", page.getheader("Cache-Control")))
    csrf = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1)
    for charset in ["latin-1", "utf-16"]:
        response, content = _request(
            gunicorn,
            "POST",
            SIGN_IN,
            _encoded(
                {"csrfmiddlewaretoken": token, "username": "lé@example.org", "password": "x"},
                charset,
            ),
            {
                "Content-Type": f"application/x-www-form-urlencoded; charset={charset}",
                "Cookie": f"csrftoken={csrf}",
                "Referer": f"http://127.0.0.1:{gunicorn}{SIGN_IN}",
            },
        )
        assert response.status == 400, content
        assert "The request could not be read" in content
        assert "encoding this site does not read (UTF-8)" in content
        assert "Go to my partnerships" in content  # the site's own page, not the server's
        assert "no-store" in response.getheader("Cache-Control")
    # Public static files are not partnership data: WhiteNoise's caching headers stay.
    static, _ = _request(gunicorn, "GET", "/static/improveplan/site.css")
    assert static.status == 200
    assert "no-store" not in (static.getheader("Cache-Control") or "")


# The same path in the test client (the CSRF check and the error pages as in production) ----


@pytest.mark.parametrize("charset", ODD_CHARSETS)
def test_an_anonymous_sign_in_in_an_odd_charset_gets_400_not_500(settings, charset):
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    client.get(SIGN_IN)
    token = client.cookies["csrftoken"].value
    response = client.post(
        SIGN_IN,
        # The test client encodes a str body in the charset its content type names.
        urlencode({"csrfmiddlewaretoken": token, "username": "é@b.org", "password": "x"}),
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )
    assert response.status_code == 400
    assert "The request could not be read" in response.content.decode()


def test_a_members_form_in_latin_1_is_refused_with_400_and_changes_nothing(lead_client, world):
    title = world.plan.title
    response = lead_client.post(
        reverse("improveplan:plan_edit", args=[world.plan.pk]),
        urlencode({"title": "Changé"}),
        content_type="application/x-www-form-urlencoded; charset=latin-1",
    )
    assert response.status_code == 400
    assert "Signed in as" in response.content.decode()  # the site's page, with its menu
    world.plan.refresh_from_db()
    assert world.plan.title == title


def test_utf_8_forms_still_work(client, world):
    response = client.post(
        SIGN_IN,
        urlencode({"username": world.lead.email, "password": PASSWORD}),
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.lead.pk)


# Cache-Control on every page and download -------------------------------------------------


def _private(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


def test_pages_are_private_and_not_stored(client, lead_client, world, settings):
    settings.DEBUG = False
    assert _private(Client().get(SIGN_IN))
    for url in [
        reverse("improveplan:home"),
        world.plan.get_absolute_url(),
        reverse("actions:my_actions"),
    ]:
        response = lead_client.get(url)
        assert response.status_code == 200, url
        assert _private(response), (url, response.get("Cache-Control"))
    assert _private(lead_client.get(reverse("improveplan:plan_edit", args=[world.other_plan.pk])))


def test_downloads_are_private_and_not_stored(lead_client, partner_client, world, settings):
    settings.DEBUG = False
    outcome = OutcomeFactory(plan=world.plan)
    ReadingFactory(indicator=IndicatorFactory(plan=world.plan, outcome=outcome))
    action = ActionFactory(plan=world.plan, lead_organisation=world.housing, owner=world.partner)
    action.outcomes.add(outcome)
    partner_client.post(
        reverse("actions:update_create", args=[action.pk]),
        {
            "status": "on_track",
            "progress": 30,
            "note": "Signed.",
            "evidence_file": SimpleUploadedFile("contract.pdf", b"%PDF-1.7 signed"),
        },
    )
    downloads = {
        "readings CSV": reverse("outcomes:readings_export", args=[world.plan.pk]),
        "action plan XLSX": reverse("actions:export_xlsx", args=[world.plan.pk]),
        "action plan CSV": reverse("actions:export_csv", args=[world.plan.pk]),
        "delivery plan PDF": reverse("reports:delivery_plan", args=[world.plan.pk]),
        "evidence file": reverse("actions:evidence", args=[Update.objects.get().pk]),
    }
    for name, url in downloads.items():
        response = lead_client.get(url)
        assert response.status_code == 200, name
        assert response["Content-Disposition"].startswith("attachment"), name
        assert _private(response), (name, response.get("Cache-Control"))
