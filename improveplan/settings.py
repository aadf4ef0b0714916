"""ImprovePlan settings: every deployment value comes from the environment.

See the settings table in docs/admin/configuration.md. Development needs none of them; a
production deployment sets at least DEBUG=0, SECRET_KEY, ALLOWED_HOSTS,
DATABASE_URL, CELERY_BROKER_URL, SITE_URL and the EMAIL_* values.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from improveplan.env import (
    env_bool,
    env_broker_url,
    env_cache_url,
    env_choice,
    env_database,
    env_int,
    env_list,
    env_storage,
    env_str,
    env_timezone,
    env_url,
)
from improveplan.logs import logging_config, start_error_reporting

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a long random string when DEBUG is off."
        )
    SECRET_KEY = "development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must list the site's host names, separated by commas, when DEBUG is off."
    )

SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000")
SITE_NAME = "ImprovePlan"

INSTALLED_APPS = [
    "improveplan",
    "outcomes",
    "actions",
    "reviews",
    "reports",
    "methods",
    "comments",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "django_filters",
    "simple_history",
    "django_prometheus",
    # Issue 23: the public page of a plan, and the API (both read every app: the top layer).
    "publishing",
    "api",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    # Outermost: every request handled from one large frame (improveplan/deep_stack.py).
    "improveplan.middleware.DeepStackMiddleware",
    # First and (nearly) last: request figures for /metrics count every request.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Before anything logs: every log line of a request (and its tasks) names it.
    "improveplan.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, which serves static files compressed ahead; above everything that
    # writes the page, so that it compresses what they wrote.
    "improveplan.middleware.CompressedPagesMiddleware",
    # Below WhiteNoise, so public static files keep their own caching headers.
    "improveplan.middleware.PrivateResponsesMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Issue 23: a second factor, when the person has one or a partnership requires one.
    "django_otp.middleware.OTPMiddleware",
    "improveplan.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any view (and the CSRF check) reads a form it cannot decode.
    "improveplan.middleware.FormEncodingMiddleware",
    # Every change to outcomes, indicators, readings, targets and actions names its author.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Outside the timeout, so that its sign-in redirect is seen too (improveplan/signin_again.py).
    "improveplan.signin_again.SignInAgainMiddleware",
    "improveplan.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its own page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "improveplan.urls"
WSGI_APPLICATION = "improveplan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# The same database engines, counting queries, errors and connections for /metrics.
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace(
    "django.db.backends.", "django_prometheus.db.backends."
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "improveplan.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses sign-in while an address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Issue 23: signing in through one's organisation (OpenID Connect), when configured.
    "improveplan.oidc.SignInThroughOrganisation",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "improveplan:home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password reset links, like invitation links, stop working after three days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 60 * 60
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 14, minimum=1, maximum=90)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_timezone("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploaded evidence, import files and kept reports: MEDIA_ROOT on this machine's disk, or
    # the object storage that S3_BUCKET names (shared by every web and worker host).
    "default": env_storage(),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: printed to the console unless an SMTP server is named.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)  # port 465 servers
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)  # STARTTLS, usually port 587
if EMAIL_USE_SSL and EMAIL_USE_TLS:
    raise ImproperlyConfigured("EMAIL_USE_SSL and EMAIL_USE_TLS cannot both be on; choose one.")
# Seconds to wait for each answer of the mail server. The SMTP standard has senders wait up
# to ten minutes for the answer to a whole message; one that comes later than this is taken
# as "delivery uncertain" and not sent again (improveplan/mail_backend.py).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 120, minimum=10, maximum=600)
EMAIL_BACKEND = (
    "improveplan.mail_backend.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ImprovePlan <noreply@improveplan.invalid>")
# Where people report a problem with the site's accessibility (shown in the statement).
ACCESSIBILITY_CONTACT = env_str("ACCESSIBILITY_CONTACT")

# The cache keeps parts of pages computed from a plan's data until the data changes
# (improveplan/kept.py): Redis, shared by every web process, when CACHE_URL is set; otherwise
# each process's own memory, which is enough for development and one-process sites. Sessions
# and sign-in lockouts stay in the database either way.
CACHE_URL = env_cache_url("CACHE_URL")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
        # A cache that cannot be reached costs a page its kept parts, not seconds of waiting.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    if CACHE_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}
# Said here so that no one moves them into the cache: a cache may be emptied or evicted.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

# Celery: with no broker named, tasks run in-process as soon as they are queued.
CELERY_BROKER_URL = env_broker_url("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A queued task that cannot reach the broker gives up within seconds rather than holding up
# the page that queued it: reminders catch up on the next run.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
# The reminder run starts every hour of the working day. Each person still gets at most one
# digest a day (the claim decides); the later runs send what an earlier run could not.
CELERY_BEAT_SCHEDULE: dict = {
    "reminder-digests": {
        "task": "reviews.tasks.send_daily_digests",
        "schedule": crontab(minute=0, hour="7-18"),
    },
    # Kept reports that a newer one replaced are removed each night (reports/tasks.py, under
    # the name it had in reviews, as queued messages and this schedule name it).
    "prune-kept-reports": {
        "task": "reviews.tasks.prune_kept_reports",
        "schedule": crontab(minute=30, hour=3),
    },
    # The one-time tokens of forms sent more than a month ago are forgotten each night.
    "prune-sent-forms": {
        "task": "improveplan.tasks.prune_sent_forms",
        "schedule": crontab(minute=40, hour=3),
    },
}

# Reminders -----------------------------------------------------------------------
REMINDER_DUE_WITHIN_DAYS = env_int("REMINDER_DUE_WITHIN_DAYS", 14, minimum=1, maximum=90)
REMINDER_REVIEW_WITHIN_DAYS = env_int("REMINDER_REVIEW_WITHIN_DAYS", 14, minimum=1, maximum=90)
# A digest claimed this long ago and still not sent was lost (a worker died): a later run
# sends it. Shorter than a send can take (several answers of the mail server, each up to
# EMAIL_TIMEOUT), a run would take over a send still in flight and the person get two.
REMINDER_STALE_MINUTES = env_int("REMINDER_STALE_MINUTES", 30, minimum=10, maximum=24 * 60)
# The board pack attaches the board report up to this size; a larger one is linked instead
# (many mail servers refuse messages much over 10 MB).
BOARD_PACK_ATTACH_BYTES = env_int("BOARD_PACK_ATTACH_MB", 5, minimum=1, maximum=20) * 1_048_576
if REMINDER_STALE_MINUTES * 60 < 5 * EMAIL_TIMEOUT:
    raise ImproperlyConfigured(
        f"REMINDER_STALE_MINUTES must be at least five times EMAIL_TIMEOUT ({EMAIL_TIMEOUT} s), "
        f"that is {-(-5 * EMAIL_TIMEOUT // 60)} minutes; got {REMINDER_STALE_MINUTES}."
    )

# Security ------------------------------------------------------------------------
# A previous key keeps existing sessions and links working while SECRET_KEY is rotated.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])

# Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto.
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe, and Prometheus scrapes each host, over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# Sessions end after this long without a request, and this long after signing in, whatever.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_MINUTES", 60, minimum=5, maximum=24 * 60) * 60
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_HOURS", 12, minimum=1, maximum=7 * 24) * 3600
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT

# Uploaded files: checked by content; kept outside the static root, served through the
# access check only.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 10, minimum=1, maximum=100) * 1_048_576
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1_048_576

# Content-Security-Policy (django-csp): nothing inline without the page's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT failures for one address from
# one IP, that pair waits AXES_COOLOFF_MINUTES. Someone else's failures never lock a person
# out from their own network, and a password reset lifts the lock.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = timedelta(
    minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1, maximum=24 * 60)
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "improveplan.security.sign_in_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Operations ----------------------------------------------------------------------
# Logs go to standard error, as text or as one JSON object a line (LOG_FORMAT=json), each
# with the id of the request behind it (improveplan/logs.py).
LOG_FORMAT = env_choice("LOG_FORMAT", "TEXT", ["TEXT", "JSON"]).lower()
LOGGING = logging_config(
    level=env_choice("LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]),
    json_lines=LOG_FORMAT == "json",
)
if LOG_FORMAT == "json":
    logging.captureWarnings(True)  # Python's warnings as log lines too, not bare text

# /metrics answers only a scraper that sends "Authorization: Bearer <METRICS_TOKEN>"; unset,
# it answers nobody.
METRICS_TOKEN = env_str("METRICS_TOKEN")
if METRICS_TOKEN and len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 32 characters long.")

# Errors to Sentry (or a service that speaks its protocol), only when SENTRY_DSN is set.
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    start_error_reporting(dsn=SENTRY_DSN, environment=env_str("SENTRY_ENVIRONMENT"))

# Issue 23: ways in beyond the sign-in page ------------------------------------------------
# Single sign-on through the person's organisation (OpenID Connect: Microsoft Entra ID, Google
# Workspace...). Off unless a client id is given; the provider's four addresses are in its
# discovery document (.well-known/openid-configuration). A person is matched to their account
# by a verified email address, never by name (improveplan/oidc.py).
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT")
OIDC_RP_SIGN_ALGO = env_choice("OIDC_RP_SIGN_ALGO", "RS256", ["RS256", "ES256", "HS256"])
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "your organisation")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
if OIDC_ENABLED:
    _missing = [
        name
        for name in (
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
        )
        if not globals()[name]
    ]
    if _missing:
        raise ImproperlyConfigured(
            f"OIDC_RP_CLIENT_ID is set, so single sign-on needs {', '.join(_missing)} too."
        )
OIDC_RP_SCOPES = "openid email profile"
OIDC_CREATE_USER = False  # an invitation makes the account; sign-on only finds it
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
LOGIN_REDIRECT_URL_FAILURE = "/account/sign-in/?sso=failed"

# Two-factor sign-in with an authenticator app (django-otp): the name the app shows.
OTP_TOTP_ISSUER = SITE_NAME
OTP_TOTP_THROTTLE_FACTOR = 1

# The API (Django REST framework) and its OpenAPI schema (drf-spectacular).
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365, minimum=1, maximum=3 * 365)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.AccessTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.MemberWithToken"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pages",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "EXCEPTION_HANDLER": "api.views.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ImprovePlan API",
    "DESCRIPTION": "Read a partnership's plans, and write readings and action updates. "
    "Send a personal access token as `Authorization: Bearer <token>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PlanStatus": "improveplan.models.Plan.Status",
        "ActionStatus": "actions.models.Action.Status",
    },
}

# The public page of a plan: how long a rendered page is kept before it is built again.
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 300, minimum=0, maximum=86_400)

# A reminder's link to update an action without signing in works this many days.
REMINDER_LINK_DAYS = env_int("REMINDER_LINK_DAYS", 14, minimum=1, maximum=60)
