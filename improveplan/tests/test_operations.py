"""What operators and their tools get: /readyz for load balancers, /metrics for Prometheus
(behind its token), logs as JSON lines carrying a request id, and errors sent to Sentry only
when asked. The multi-host test (test_multi_host.py) sees the same across processes."""

from __future__ import annotations

import gzip
import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.urls import reverse

from improveplan import logs, operations
from improveplan.tests.test_settings import assert_refuses_to_start, run_python

pytestmark = pytest.mark.django_db

TOKEN = "a-metrics-token-of-thirty-two-characters-or-more"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def lines(response) -> dict[str, str]:
    return dict(line.split(" ", 1) for line in response.content.decode().splitlines())


# Readiness ------------------------------------------------------------------------------------


def test_ready_when_the_database_redis_and_the_disk_answer(client, settings, redis_url, world):
    settings.CELERY_BROKER_URL = redis_url
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert lines(response) == {"database": "ok", "redis": "ok", "storage": "ok"}
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "127.0.0.1" not in body and world.partnership.name not in body


def test_ready_on_object_storage(client, settings, s3_storage):
    settings.CELERY_BROKER_URL = ""
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert lines(response) == {"database": "ok", "redis": "not used", "storage": "ok"}


def test_not_ready_when_the_bucket_is_missing(client, settings, s3_storage):
    settings.CELERY_BROKER_URL = ""
    settings.STORAGES["default"]["OPTIONS"]["bucket_name"] = "a-bucket-nobody-made"
    settings.STORAGES = {**settings.STORAGES}  # read again
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert lines(response)["storage"] == "unavailable"


def test_not_ready_when_the_broker_does_not_answer(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert lines(response) == {"database": "ok", "redis": "unavailable", "storage": "ok"}


def test_not_ready_when_the_shared_cache_does_not_answer(client, settings, redis_url):
    settings.CELERY_BROKER_URL = redis_url
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/1",
        }
    }
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert lines(response)["redis"] == "unavailable"


def test_not_ready_when_the_database_does_not_answer(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = ""

    def database_gone(self, sql, params=None):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(CursorWrapper, "execute", database_gone)
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert lines(response)["database"] == "unavailable"


def test_readiness_answers_head_and_refuses_post(client, settings):
    settings.CELERY_BROKER_URL = ""
    assert client.head(reverse("readyz")).status_code == 200
    assert client.post(reverse("readyz")).status_code == 405


def test_load_balancers_probe_readiness_over_plain_http(settings):
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.CELERY_BROKER_URL = ""
    assert Client().get(reverse("readyz")).status_code == 200
    assert Client().get(reverse("improveplan:accessibility")).status_code == 301


# Metrics --------------------------------------------------------------------------------------


def scrape(client) -> str:
    response = client.get(reverse("metrics"), headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return response.content.decode()


def test_metrics_count_requests_and_database_queries(client, settings, world):
    settings.METRICS_TOKEN = TOKEN
    client.force_login(world.lead)
    client.get(world.plan.get_absolute_url())
    text = scrape(Client())
    assert 'django_http_responses_total_by_status_total{status="200"}' in text
    assert "django_db_execute_total{" in text
    assert world.plan.title not in text


def test_metrics_count_tasks_of_every_worker_and_the_queue(client, settings, redis_url):
    """Workers add to counts kept in Redis, so any web host reports every worker's."""
    settings.METRICS_TOKEN = TOKEN
    settings.CELERY_BROKER_URL = redis_url
    broker = operations._broker()
    broker.delete(operations.TASKS_KEY, *operations.QUEUE_KEYS)
    operations.count_task("reports.render", "succeeded")
    operations.count_task("reports.render", "succeeded")
    operations.count_task("reviews.send", "retried")
    broker.rpush("celery", "a message", "another")
    try:
        text = scrape(client)
    finally:
        broker.delete(operations.TASKS_KEY, *operations.QUEUE_KEYS)
    assert 'improveplan_tasks_total{outcome="succeeded",task="reports.render"} 2.0' in text
    assert 'improveplan_tasks_total{outcome="retried",task="reviews.send"} 1.0' in text
    assert "improveplan_tasks_waiting 2.0" in text


def test_a_task_run_in_process_is_no_workers_figure(settings, redis_url):
    from reports.tasks import prune_kept_reports

    settings.CELERY_BROKER_URL = redis_url
    broker = operations._broker()
    broker.delete(operations.TASKS_KEY)
    assert prune_kept_reports.delay().get() == 0  # eager, as without a broker
    assert broker.hgetall(operations.TASKS_KEY) == {}


def test_a_short_metrics_token_stops_start_up():
    result = run_python("manage.py", "check", DEBUG="1", METRICS_TOKEN="short")
    assert_refuses_to_start(result, "METRICS_TOKEN")


# Logs -----------------------------------------------------------------------------------------


def test_a_request_gets_an_id_or_keeps_the_proxys(client, settings):
    settings.CELERY_BROKER_URL = ""
    made = client.get(reverse("healthz"))["X-Request-ID"]
    assert len(made) == 32 and made != client.get(reverse("healthz"))["X-Request-ID"]
    given = "3f2a9c1e8b7d4a6f"
    assert client.get(reverse("healthz"), headers={"X-Request-ID": given})["X-Request-ID"] == given
    for hostile in ["two\nlines", "x" * 65, 'a"quote"x', "short"]:
        answered = client.get(reverse("healthz"), headers={"X-Request-ID": hostile})
        assert answered["X-Request-ID"] != hostile


def test_a_json_line_holds_the_whole_message_and_the_request_id():
    record = logging.LogRecord(
        "improveplan", logging.ERROR, __file__, 1, "one\ntwo %s", ("x",), None
    )
    token = logs.REQUEST_ID.set("3f2a9c1e8b7d4a6f")
    try:
        logs.RequestIdFilter().filter(record)
    finally:
        logs.REQUEST_ID.reset(token)
    line = logs.JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "one\ntwo x"
    assert entry["level"] == "ERROR" and entry["logger"] == "improveplan"
    assert entry["request_id"] == "3f2a9c1e8b7d4a6f"


def test_a_task_carries_the_request_id_of_the_request_that_queued_it():
    headers: dict = {}
    logs.carry_request_id(headers=headers)
    assert headers == {}  # queued outside a request
    token = logs.REQUEST_ID.set("3f2a9c1e8b7d4a6f")
    try:
        logs.carry_request_id(headers=headers)
    finally:
        logs.REQUEST_ID.reset(token)
    assert headers == {"request_id": "3f2a9c1e8b7d4a6f"}

    class Task:
        name = "reports.render"

        class request:
            request_id = "3f2a9c1e8b7d4a6f"

    logs.take_request_id(task_id="t-1", task=Task())
    try:
        assert logs.REQUEST_ID.get() == "3f2a9c1e8b7d4a6f"
        assert logs.TASK.get() == ("reports.render", "t-1")
    finally:
        logs.drop_request_id(task_id="t-1")
    assert logs.REQUEST_ID.get() == "" and logs.TASK.get() is None


def test_with_log_format_json_every_line_is_json_and_names_its_request():
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/no-such-page/')\n"
        "print(r['X-Request-ID'])\n"
    )
    result = run_python(
        "-c",
        script,
        DEBUG="1",
        LOG_FORMAT="json",
        CELERY_BROKER_URL=None,
        ALLOWED_HOSTS="testserver",
    )
    assert result.returncode == 0, result.stderr
    request_id = result.stdout.strip()
    entries = [json.loads(line) for line in result.stderr.splitlines()]
    assert any(
        e["message"] == "Not Found: /no-such-page/" and e["request_id"] == request_id
        for e in entries
    ), result.stderr


def test_a_log_format_we_do_not_know_stops_start_up():
    assert_refuses_to_start(
        run_python("manage.py", "check", DEBUG="1", LOG_FORMAT="xml"), "LOG_FORMAT"
    )


# Error reporting --------------------------------------------------------------------------------


def test_sentry_is_off_unless_a_dsn_is_set():
    import sentry_sdk

    assert not sentry_sdk.get_client().is_active()


class _Sentry(BaseHTTPRequestHandler):
    """Stands in for Sentry's ingest: keeps each envelope it is sent."""

    received: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        self.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_with_a_dsn_an_error_goes_to_sentry_without_personal_data():
    server = HTTPServer(("127.0.0.1", 0), _Sentry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Sentry.received.clear()
    script = (
        "import django, logging, sentry_sdk; django.setup()\n"
        "from improveplan import logs\n"
        "logs.REQUEST_ID.set('3f2a9c1e8b7d4a6f')\n"
        "logging.getLogger('improveplan').error('The render of plan 7 failed')\n"
        "sentry_sdk.flush(5)\n"
    )
    try:
        result = run_python(
            "-c",
            script,
            DEBUG="1",
            SENTRY_DSN=f"http://publickey@127.0.0.1:{server.server_port}/42",
            SENTRY_ENVIRONMENT="staging",
        )
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    sent = b"".join(_Sentry.received).decode()
    assert "The render of plan 7 failed" in sent
    assert '"environment":"staging"' in sent
    assert '"request_id":"3f2a9c1e8b7d4a6f"' in sent
    assert "send_default_pii" not in sent or '"send_default_pii":false' in sent


def test_a_dsn_that_cannot_be_read_stops_start_up():
    result = run_python("manage.py", "check", DEBUG="1", SENTRY_DSN="not a dsn")
    assert_refuses_to_start(result, "SENTRY_DSN")


# Object storage settings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "variable"),
    [
        ({"S3_BUCKET": "files", "S3_ENDPOINT_URL": "s3.example.org"}, "S3_ENDPOINT_URL"),
        ({"S3_BUCKET": "files", "S3_ACCESS_KEY_ID": "only-the-key"}, "S3_SECRET_ACCESS_KEY"),
        ({"S3_ENDPOINT_URL": "https://s3.example.org"}, "S3_BUCKET"),
    ],
)
def test_object_storage_half_configured_stops_start_up(changes, variable):
    assert_refuses_to_start(run_python("manage.py", "check", DEBUG="1", **changes), variable)


def test_files_go_to_the_disk_unless_a_bucket_is_named():
    script = (
        "import django; django.setup()\n"
        "from django.core.files.storage import storages\n"
        "s = storages['default']\n"
        "print(type(s).__name__, getattr(s, 'bucket_name', ''), getattr(s, 'endpoint_url', ''))\n"
    )
    assert run_python("-c", script, DEBUG="1").stdout.split() == ["FileSystemStorage"]
    bucket = run_python(
        "-c", script, DEBUG="1", S3_BUCKET="files", S3_ENDPOINT_URL="https://s3.example.org"
    )
    assert bucket.stdout.split() == ["S3Storage", "files", "https://s3.example.org"], bucket.stderr
