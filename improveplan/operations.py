"""What load balancers and monitoring ask of a host: whether it is ready to serve (its
database, Redis and file storage answer), and its figures for Prometheus.

``/healthz`` (improveplan/views.py) stays the short liveness answer; ``/readyz`` lists each
service; ``/metrics`` answers only a scraper that brings ``METRICS_TOKEN``.
"""

from __future__ import annotations

import contextlib
import functools
import hmac
import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection

# Task figures live in the broker's Redis, so that every worker host adds to the same counts
# and any web host can report them.
TASKS_KEY = "improveplan:metrics:tasks"
# The lists Celery's Redis transport keeps a queue in (one per priority step).
QUEUE_KEYS = ("celery", "celery\x06\x163", "celery\x06\x166", "celery\x06\x169")


# Readiness ----------------------------------------------------------------------------------


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True


def redis_urls() -> list[str]:
    """The Redis servers this site uses: the broker's, and the shared cache's if it is one."""
    urls = []
    if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        urls.append(settings.CELERY_BROKER_URL)
    cache = settings.CACHES.get("default", {})
    if "redis" in cache.get("BACKEND", "").lower():
        location = cache.get("LOCATION") or []
        urls.extend([location] if isinstance(location, str) else location)
    return urls


def redis_answers(url: str) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError):
        return False


def storage_answers() -> bool:
    """The bucket answers (object storage), or the upload folder is there or can be made,
    and can be written (the local disk)."""
    bucket = getattr(default_storage, "bucket_name", None)
    try:
        if bucket:
            default_storage.connection.meta.client.head_bucket(Bucket=bucket)
            return True
        location = Path(default_storage.location)
        location.mkdir(parents=True, exist_ok=True)
        return os.access(location, os.W_OK)
    except Exception:  # noqa: BLE001 - any failure to reach the storage is "unavailable"
        return False


def readiness() -> dict[str, str]:
    """Each service by name: "ok", "unavailable", or (Redis, on a site without it) "not used"."""
    urls = redis_urls()
    redis_state = "not used"
    if urls:
        redis_state = "ok" if all(redis_answers(url) for url in urls) else "unavailable"
    return {
        "database": "ok" if database_answers() else "unavailable",
        "redis": redis_state,
        "storage": "ok" if storage_answers() else "unavailable",
    }


# Metrics ------------------------------------------------------------------------------------


def metrics_allowed(request) -> bool:
    """Only a request that brings the token, as ``Authorization: Bearer <METRICS_TOKEN>``;
    with no token set, nobody."""
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@functools.cache
def _broker_redis(url: str):
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


def _broker():
    url = settings.CELERY_BROKER_URL
    return _broker_redis(url) if url.startswith(("redis://", "rediss://")) else None


def count_task(name: str, outcome: str) -> None:
    """Add one to the count of a task's outcome (succeeded, failed, retried)."""
    import redis

    broker = _broker()
    if broker is None:
        return
    # A figure missed is better than a task failed.
    with contextlib.suppress(redis.RedisError, OSError):
        broker.hincrby(TASKS_KEY, f"{name} {outcome}", 1)


def _on_a_worker(task) -> bool:
    """Not a task run in-process (no broker, or the tests): those are no worker's figures."""
    return not getattr(getattr(task, "request", None), "is_eager", False)


def task_succeeded(sender=None, **kwargs) -> None:
    if _on_a_worker(sender):
        count_task(getattr(sender, "name", "?"), "succeeded")


def task_failed(sender=None, **kwargs) -> None:
    if _on_a_worker(sender):
        count_task(getattr(sender, "name", "?"), "failed")


def task_retried(sender=None, request=None, **kwargs) -> None:
    if not getattr(request, "is_eager", False):
        count_task(getattr(request, "task", None) or getattr(sender, "name", "?"), "retried")


class TaskCollector:
    """Task figures for Prometheus: how many finished, by task and outcome, and how many wait
    in the queue."""

    def collect(self):
        import redis
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        broker = _broker()
        if broker is None:
            return
        try:
            counts = broker.hgetall(TASKS_KEY)
            with broker.pipeline() as pipe:
                for key in QUEUE_KEYS:
                    pipe.llen(key)
                waiting = sum(pipe.execute())
        except (redis.RedisError, OSError):
            return
        finished = CounterMetricFamily(
            "improveplan_tasks",
            "Celery tasks finished, by task and outcome.",
            labels=["task", "outcome"],
        )
        for key, value in sorted(counts.items()):
            name, _, outcome = key.decode().rpartition(" ")
            finished.add_metric([name, outcome], int(value))
        yield finished
        yield GaugeMetricFamily(
            "improveplan_tasks_waiting", "Celery tasks waiting in the queue.", value=waiting
        )


def metrics_text() -> tuple[bytes, str]:
    """This process's figures (requests, database) – every gunicorn worker's, where
    PROMETHEUS_MULTIPROC_DIR is set – and the task figures, in Prometheus's text format."""
    import prometheus_client
    from prometheus_client import multiprocess

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.REGISTRY
    tasks = prometheus_client.CollectorRegistry()
    tasks.register(TaskCollector())
    body = prometheus_client.generate_latest(registry) + prometheus_client.generate_latest(tasks)
    return body, prometheus_client.CONTENT_TYPE_LATEST
