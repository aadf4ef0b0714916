"""Logs an operator can follow across hosts: one JSON object a line when ``LOG_FORMAT=json``,
each with the id of the request that caused it, and the same id on the lines of every Celery
task that request started, whichever worker runs it.

A request's id is the ``X-Request-ID`` its reverse proxy sent (nginx's ``$request_id``), if it
is a plain token, or a new one; the response carries it back in ``X-Request-ID``. A task
queued during the request carries it in its message's headers.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="")
TASK: ContextVar[tuple[str, str] | None] = ContextVar("task", default=None)
HEADER = "X-Request-ID"
# What we accept from a proxy: letters, digits and a few marks, never a line break or a quote.
_PLAIN_TOKEN = re.compile(r"[A-Za-z0-9._:-]{8,64}")


def request_id_from(incoming: str) -> str:
    return incoming if _PLAIN_TOKEN.fullmatch(incoming or "") else uuid.uuid4().hex


class RequestIdMiddleware:
    """Give every request an id, for its log lines and the tasks it starts."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_from(request.headers.get(HEADER, ""))
        token = REQUEST_ID.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            REQUEST_ID.reset(token)
        response[HEADER] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    """Puts the request's id (and the task's name and id, in a worker) on each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            # Django logs a 4xx or 5xx answer after the middleware has finished, with the
            # request attached.
            request = getattr(record, "request", None)
            record.request_id = REQUEST_ID.get() or getattr(request, "request_id", "")
        task = TASK.get()
        record.task_name, record.task_id = task if task else ("", "")
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, and the request id, task
    and exception when there are any. Line breaks inside a message stay inside its string."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ("request_id", "task_name", "task_id"):
            if value := getattr(record, name, ""):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(*, level: str, json_lines: bool) -> dict:
    """The LOGGING setting: everything to the console (standard error), as text or JSON."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "improveplan.logs.RequestIdFilter"}},
        "formatters": {"json": {"()": "improveplan.logs.JsonFormatter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                **({"formatter": "json"} if json_lines else {}),
            }
        },
        "root": {"handlers": ["console"], "level": level},
        # Django's own console handler (with DEBUG on) would print each of its lines a second
        # time, as text; as JSON they go to the root's handler alone.
        **({"loggers": {"django": {"handlers": [], "level": level}}} if json_lines else {}),
    }


# Celery: the id travels in the task message; a worker's own log lines become JSON too ------


def carry_request_id(headers: dict | None = None, **kwargs) -> None:
    """before_task_publish: a task queued during a request carries the request's id."""
    if headers is not None and (request_id := REQUEST_ID.get()):
        headers["request_id"] = request_id


_tokens: dict[str, tuple] = {}


def take_request_id(task_id: str = "", task=None, **kwargs) -> None:
    """task_prerun: the task's log lines name the request that queued it."""
    request_id = getattr(task.request, "request_id", "") if task is not None else ""
    _tokens[task_id] = (
        REQUEST_ID.set(request_id if isinstance(request_id, str) else ""),
        TASK.set((getattr(task, "name", ""), task_id)),
    )


def drop_request_id(task_id: str = "", **kwargs) -> None:
    """task_postrun."""
    tokens = _tokens.pop(task_id, None)
    if tokens:
        TASK.reset(tokens[1])
        REQUEST_ID.reset(tokens[0])


def json_worker_logs(logger: logging.Logger | None = None, **kwargs) -> None:
    """after_setup_logger / after_setup_task_logger: Celery sets up its own handlers in a
    worker and in beat; with LOG_FORMAT=json they write JSON lines like the web's."""
    from django.conf import settings

    if logger is None or getattr(settings, "LOG_FORMAT", "text") != "json":
        return
    for handler in logger.handlers:
        handler.setFormatter(JsonFormatter())
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())


# Error reporting ------------------------------------------------------------------------------


def start_error_reporting(*, dsn: str, environment: str = "") -> None:
    """Send unhandled errors (of requests and of tasks) and logged errors to Sentry. No
    personal data: no addresses, cookies or form contents, which Sentry leaves out unless
    asked; each event carries the request id to find its log lines."""
    import sentry_sdk
    from django.core.exceptions import ImproperlyConfigured
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.utils import BadDsn

    def with_request_id(event, hint):
        if request_id := REQUEST_ID.get():
            event.setdefault("tags", {})["request_id"] = request_id
        return event

    try:
        sentry_sdk.init(
            dsn=dsn,
            environment=environment or None,
            integrations=[DjangoIntegration(), CeleryIntegration()],
            send_default_pii=False,
            traces_sample_rate=0,
            before_send=with_request_id,
        )
    except BadDsn as error:
        raise ImproperlyConfigured(f"SENTRY_DSN could not be read: {error}") from None
