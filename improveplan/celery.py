from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "improveplan.settings")

app = Celery("improveplan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def workers_available() -> bool:
    """With a broker, long work (a report, an import) goes to a worker; without one (the
    demo, most tests) the request does it."""
    from django.conf import settings

    return bool(settings.CELERY_BROKER_URL) and not app.conf.task_always_eager
