"""The cache the pages keep their computed parts in: Redis when CACHE_URL names it, each
process's memory otherwise; a page still answers when Redis does not; sessions and sign-in
lockouts never live there."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

from improveplan.env import env_cache_url
from improveplan.tests.test_settings import print_setting, run_python
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory, ReadingFactory


def test_env_cache_url_is_empty_when_unset(monkeypatch):
    monkeypatch.delenv("CACHE_URL", raising=False)
    assert env_cache_url("CACHE_URL") == ""


def test_env_cache_url_accepts_redis(monkeypatch):
    monkeypatch.setenv("CACHE_URL", "rediss://cache.example.org:6380/1")
    assert env_cache_url("CACHE_URL") == "rediss://cache.example.org:6380/1"


@pytest.mark.parametrize("raw", ["memcached://x:11211", "redis://host:notaport/0", "redis:///1"])
def test_env_cache_url_refuses_what_is_not_redis(monkeypatch, raw):
    monkeypatch.setenv("CACHE_URL", raw)
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        env_cache_url("CACHE_URL")


def test_a_bad_cache_url_stops_start_up_with_one_line_naming_it():
    result = run_python("manage.py", "check", DEBUG="1", CACHE_URL="memcached://x")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "ImprovePlan cannot start: CACHE_URL must be a Redis URL such as "
        "redis://127.0.0.1:6379/1; got a URL with scheme 'memcached'."
    ]


def test_the_cache_is_redis_when_named_and_each_processs_memory_otherwise():
    assert print_setting("CACHES['default']['BACKEND']", CACHE_URL=None) == (
        "django.core.cache.backends.locmem.LocMemCache"
    )
    named = {"CACHE_URL": "redis://127.0.0.1:6379/14"}
    assert print_setting("CACHES['default']['BACKEND']", **named) == (
        "django.core.cache.backends.redis.RedisCache"
    )
    # Sessions and sign-in lockouts stay in the database, whatever the cache.
    assert print_setting("SESSION_ENGINE", **named) == "django.contrib.sessions.backends.db"
    assert print_setting("AXES_HANDLER", **named) == "axes.handlers.database.AxesDatabaseHandler"


@pytest.fixture
def dashboard(world):
    outcome = OutcomeFactory(plan=world.plan, statement="Fewer adults smoke")
    indicator = IndicatorFactory(outcome=outcome, owner=world.council, name="Adults who smoke")
    ReadingFactory(indicator=indicator, period=date(2024, 3, 31), value=21.5)
    client = Client()
    client.force_login(world.lead)
    return client, world.plan.get_absolute_url(), indicator


@pytest.mark.services
def test_pages_are_kept_in_redis_and_shared(dashboard, redis_url):
    client, url, indicator = dashboard
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
            }
        }
    ):
        cache.clear()
        assert "21.5%" in client.get(url).content.decode()
        kept = cache._cache.get_client().keys("*kept:*plan-page*")
        assert len(kept) == 1
        ReadingFactory(indicator=indicator, period=date(2025, 3, 31), value=19.5)
        assert "19.5%" in client.get(url).content.decode()
        cache.clear()


def test_a_page_is_computed_when_the_cache_cannot_be_reached(dashboard):
    client, url, indicator = dashboard
    said = []
    handler = logging.Handler()
    handler.emit = lambda record: said.append(record.getMessage())
    logging.getLogger("improveplan.kept").addHandler(handler)
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with override_settings(CACHES=unreachable):
        response = client.get(url)
        assert response.status_code == 200
        assert "21.5%" in response.content.decode()
        ReadingFactory(indicator=indicator, period=date(2025, 3, 31), value=19.5)
        assert "19.5%" in client.get(url).content.decode()
    logging.getLogger("improveplan.kept").removeHandler(handler)
    assert any("The cache could not be read" in message for message in said)
