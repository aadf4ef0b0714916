"""Small typed readers for settings that come from the environment.

Each one stops start-up with a message naming the variable and what it
expected, so a typo in a deployment never becomes a silent default.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no or on/off; got {raw!r}."
    )


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int = 2**31) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name} must be between {minimum} and {maximum}; got {value}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_database(name: str, default: str) -> dict:
    raw = env_str(name) or default
    scheme = urlsplit(raw).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"{name} must be a postgres://user@host:port/name or sqlite:///path URL; "
            f"got a URL with scheme {scheme or 'none'!r}."
        )
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} could not be read: {error}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} must name a database, e.g. .../improveplan.")
    return config


def env_broker_url(name: str) -> str:
    raw = env_str(name)
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in {"redis", "rediss", "amqp", "amqps"} or not parts.hostname:
        raise ImproperlyConfigured(
            f"{name} must be a broker URL such as redis://127.0.0.1:6379/0; "
            f"got a URL with scheme {parts.scheme or 'none'!r}."
        )
    try:
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise ImproperlyConfigured(f"{name} has a port that is not a number.") from None
    return raw


def env_cache_url(name: str) -> str:
    raw = env_str(name)
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in {"redis", "rediss"} or not parts.hostname:
        raise ImproperlyConfigured(
            f"{name} must be a Redis URL such as redis://127.0.0.1:6379/1; "
            f"got a URL with scheme {parts.scheme or 'none'!r}."
        )
    try:
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise ImproperlyConfigured(f"{name} has a port that is not a number.") from None
    return raw


def env_url(name: str, default: str) -> str:
    raw = env_str(name) or default
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ImproperlyConfigured(
            f"{name} must be the site's address, such as https://plans.example.org; got {raw!r}."
        )
    return raw.rstrip("/")


def env_choice(name: str, default: str, choices: list[str]) -> str:
    raw = env_str(name) or default
    value = raw.upper()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}; got {raw!r}.")
    return value


def env_timezone(name: str, default: str) -> str:
    raw = env_str(name) or default
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name} must be a time zone name such as Europe/London; got {raw!r}."
        ) from None
    return raw


def env_storage() -> dict:
    """Where uploaded evidence, import files and kept reports go: the local disk
    (``MEDIA_ROOT``) unless ``S3_BUCKET`` names a bucket of S3-compatible object storage,
    which every web and worker host then shares."""
    bucket = env_str("S3_BUCKET")
    others = [
        name
        for name in ("S3_ENDPOINT_URL", "S3_REGION", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")
        if env_str(name)
    ]
    if not bucket:
        if others:
            raise ImproperlyConfigured(
                f"{others[0]} is set but S3_BUCKET is not; name the bucket, or unset "
                f"{', '.join(others)} to keep files on the local disk."
            )
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    endpoint = env_str("S3_ENDPOINT_URL")
    if endpoint:
        parts = urlsplit(endpoint)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ImproperlyConfigured(
                "S3_ENDPOINT_URL must be the object store's address, such as "
                f"https://s3.example.org; got {endpoint!r}."
            )
    access_key, secret_key = env_str("S3_ACCESS_KEY_ID"), env_str("S3_SECRET_ACCESS_KEY")
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured(
            "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: set both, or neither to "
            "use the host's own credentials (an instance role, AWS_* variables)."
        )
    return s3_storage(
        bucket=bucket,
        endpoint_url=endpoint,
        region=env_str("S3_REGION"),
        access_key=access_key,
        secret_key=secret_key,
    )


def s3_storage(
    *,
    bucket: str,
    endpoint_url: str = "",
    region: str = "",
    access_key: str = "",
    secret_key: str = "",
) -> dict:
    """The default storage on a bucket (django-storages' S3 backend). Objects are written with
    no ACL, so they stay as private as the bucket; the site never hands out their addresses,
    it streams each file through its own access check."""
    from botocore.config import Config

    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 60,
            # As on the local disk, a name already taken gets another rather than replacing
            # the file (names are the site's own: a random token, a report's fingerprint).
            "file_overwrite": False,
            "client_config": Config(
                # Stores other than AWS mostly want bucket names in the path.
                s3={"addressing_style": "path" if endpoint_url else "auto"},
                signature_version="s3v4",
                connect_timeout=5,
                read_timeout=60,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        },
    }
