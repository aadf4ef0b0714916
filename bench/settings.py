"""Settings for the load benchmark (bench/load.py): production settings as they are, with the
bench's URLs (bench/urls.py adds a hello-world view as the yardstick) and cookies that travel
over plain HTTP, since no TLS proxy stands between locust and gunicorn here."""

from improveplan.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
