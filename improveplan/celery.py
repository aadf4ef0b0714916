from __future__ import annotations

import os

from celery import Celery, signals

from improveplan import collector, logs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "improveplan.settings")

app = Celery("improveplan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# A task started by a request logs with that request's id (improveplan/logs.py), and a
# worker's own lines are JSON when LOG_FORMAT=json.
signals.before_task_publish.connect(logs.carry_request_id, weak=False)
signals.task_prerun.connect(logs.take_request_id, weak=False)
signals.task_postrun.connect(logs.drop_request_id, weak=False)
signals.after_setup_logger.connect(logs.json_worker_logs, weak=False)
signals.after_setup_task_logger.connect(logs.json_worker_logs, weak=False)


# A worker is a long-running process too: the collector set as in the web processes
# (improveplan/collector.py), in each process of the pool once it has started, and in a
# worker that runs its tasks itself (--pool=solo) once it is ready.
def _settle_collector(**kwargs) -> None:
    collector.settle()


signals.worker_process_init.connect(_settle_collector, weak=False)
signals.worker_ready.connect(_settle_collector, weak=False)


# Task figures for /metrics, counted in the broker's Redis (improveplan/operations.py).
@signals.task_success.connect(weak=False)
def _succeeded(sender=None, **kwargs) -> None:
    from improveplan import operations

    operations.task_succeeded(sender=sender)


@signals.task_failure.connect(weak=False)
def _failed(sender=None, **kwargs) -> None:
    from improveplan import operations

    operations.task_failed(sender=sender)


@signals.task_retry.connect(weak=False)
def _retried(sender=None, request=None, **kwargs) -> None:
    from improveplan import operations

    operations.task_retried(sender=sender, request=request)


def workers_available() -> bool:
    """With a broker, long work (a report, an import) goes to a worker; without one (the
    demo, most tests) the request does it."""
    from django.conf import settings

    return bool(settings.CELERY_BROKER_URL) and not app.conf.task_always_eager
