"""Production settings for a gunicorn started by a test (DEBUG=0 comes from the environment),
with cookies over plain HTTP and static files found in the source tree rather than collected,
since no TLS proxy and no ``collectstatic`` stand in front of it."""

from improveplan.settings import *  # noqa: F403
from improveplan.settings import STORAGES

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
