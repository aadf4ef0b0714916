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
