"""Production settings for the multi-host test (test_multi_host.py): those of a gunicorn
started by a test, with the day's reminder run started by beat every few seconds instead of
every hour, and a claim left by a dead worker taken over after seconds instead of half an
hour, so that the test sees a day's runs and a dead worker's digests sent within a minute."""

from improveplan.tests.production_like_settings import *  # noqa: F403
from improveplan.tests.production_like_settings import CELERY_BEAT_SCHEDULE

CELERY_BEAT_SCHEDULE = {
    **CELERY_BEAT_SCHEDULE,
    "reminder-digests": {"task": "reviews.tasks.send_daily_digests", "schedule": 2.0},
}
# Six seconds: longer than one message takes the test's slow mail server (0.3 s).
REMINDER_STALE_MINUTES = 0.1
