"""Settings come from the environment; a bad value stops start-up with one clear line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from improveplan.env import env_bool, env_broker_url, env_database, env_int, env_list, env_url

PRODUCTION_SECRET = "a-long-random-production-secret-for-the-start-up-tests-0123456789"


# The readers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("TRUE", True),
        ("yes", True),
        (" on ", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
    ],
)
def test_env_bool_reads_the_usual_words(monkeypatch, raw, expected):
    monkeypatch.setenv("FEATURE_ON", raw)
    assert env_bool("FEATURE_ON", not expected) is expected


def test_env_bool_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("FEATURE_ON", raising=False)
    assert env_bool("FEATURE_ON", True) is True
    assert env_bool("FEATURE_ON", False) is False


def test_env_bool_refuses_a_word_it_does_not_know(monkeypatch):
    monkeypatch.setenv("FEATURE_ON", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FEATURE_ON") as error:
        env_bool("FEATURE_ON", False)
    assert "maybe" in str(error.value)


def test_env_int_reads_a_whole_number_and_defaults_when_unset(monkeypatch):
    monkeypatch.setenv("INVITATION_VALID_DAYS", " 30 ")
    assert env_int("INVITATION_VALID_DAYS", 14, minimum=1, maximum=90) == 30
    monkeypatch.delenv("INVITATION_VALID_DAYS")
    assert env_int("INVITATION_VALID_DAYS", 14, minimum=1, maximum=90) == 14


def test_env_int_refuses_words(monkeypatch):
    monkeypatch.setenv("INVITATION_VALID_DAYS", "abc")
    with pytest.raises(ImproperlyConfigured, match="INVITATION_VALID_DAYS must be a whole number"):
        env_int("INVITATION_VALID_DAYS", 14, minimum=1, maximum=90)


@pytest.mark.parametrize("raw", ["0", "91", "-5"])
def test_env_int_refuses_a_number_out_of_range(monkeypatch, raw):
    monkeypatch.setenv("INVITATION_VALID_DAYS", raw)
    with pytest.raises(
        ImproperlyConfigured, match="INVITATION_VALID_DAYS must be between 1 and 90"
    ):
        env_int("INVITATION_VALID_DAYS", 14, minimum=1, maximum=90)


def test_env_list_splits_on_commas_and_trims(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " plans.example.org, www.example.org ,,localhost ")
    assert env_list("ALLOWED_HOSTS", []) == ["plans.example.org", "www.example.org", "localhost"]


def test_env_list_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("ALLOWED_HOSTS", raising=False)
    assert env_list("ALLOWED_HOSTS", ["localhost"]) == ["localhost"]


def test_env_database_reads_sqlite(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///path")
    config = env_database("DATABASE_URL", "sqlite:///default.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "path"


def test_env_database_reads_postgres(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h:5432/n")
    config = env_database("DATABASE_URL", "sqlite:///default.sqlite3")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["HOST"], config["PORT"], config["NAME"]) == ("u", "h", 5432, "n")


def test_env_database_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert env_database("DATABASE_URL", "sqlite:///default.sqlite3")["NAME"] == "default.sqlite3"


@pytest.mark.parametrize("raw", ["mysql://u:p@h:3306/n", "nonsense"])
def test_env_database_refuses_what_it_cannot_use(monkeypatch, raw):
    monkeypatch.setenv("DATABASE_URL", raw)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env_database("DATABASE_URL", "sqlite:///default.sqlite3")


def test_env_broker_url_is_empty_when_unset(monkeypatch):
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    assert env_broker_url("CELERY_BROKER_URL") == ""


def test_env_broker_url_accepts_redis(monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    assert env_broker_url("CELERY_BROKER_URL") == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize("raw", ["http://x", "redis://host:notaport/0"])
def test_env_broker_url_refuses_what_is_not_a_broker(monkeypatch, raw):
    monkeypatch.setenv("CELERY_BROKER_URL", raw)
    with pytest.raises(ImproperlyConfigured, match="CELERY_BROKER_URL"):
        env_broker_url("CELERY_BROKER_URL")


def test_env_url_accepts_an_address_and_drops_the_trailing_slash(monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://plans.example.org/")
    assert env_url("SITE_URL", "http://127.0.0.1:8000") == "https://plans.example.org"


def test_env_url_refuses_what_is_not_an_address(monkeypatch):
    monkeypatch.setenv("SITE_URL", "not a url")
    with pytest.raises(ImproperlyConfigured, match="SITE_URL") as error:
        env_url("SITE_URL", "http://127.0.0.1:8000")
    assert "not a url" in str(error.value)


# Start-up, in a fresh process -----------------------------------------------


def run_python(*args: str, **changes: str | None) -> subprocess.CompletedProcess:
    """Run Python in the project with the caller's environment, changed as given.

    A change to None removes the variable.
    """
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "improveplan.settings"
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_refuses_to_start(result: subprocess.CompletedProcess, variable: str) -> None:
    assert result.returncode != 0
    assert variable in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("ImprovePlan cannot start:")


def test_production_refuses_to_start_without_a_secret_key():
    result = run_python("manage.py", "check", DEBUG="0", SECRET_KEY=None, ALLOWED_HOSTS="x.org")
    assert_refuses_to_start(result, "SECRET_KEY")


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_python(
        "manage.py", "check", DEBUG="0", SECRET_KEY=PRODUCTION_SECRET, ALLOWED_HOSTS=None
    )
    assert_refuses_to_start(result, "ALLOWED_HOSTS")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "mysql://x"),
        ("DEBUG", "perhaps"),
        ("EMAIL_PORT", "abc"),
        ("CELERY_BROKER_URL", "http://x"),
        ("TIME_ZONE", "Nowhere/Land"),
        ("LOG_LEVEL", "loud"),
        ("SITE_URL", "plans.example.org"),
        ("INVITATION_VALID_DAYS", "0"),
    ],
)
def test_a_bad_value_stops_start_up_with_one_line_naming_it(variable, value):
    changes = {"DEBUG": "1", variable: value}
    result = run_python("manage.py", "check", **changes)
    assert_refuses_to_start(result, variable)


def test_a_good_production_environment_passes_check():
    result = run_python(
        "manage.py",
        "check",
        DEBUG="0",
        SECRET_KEY=PRODUCTION_SECRET,
        ALLOWED_HOSTS="plans.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def print_setting(name: str, **changes: str | None) -> str:
    result = run_python(
        "-c", f"from django.conf import settings; print(settings.{name})", DEBUG="1", **changes
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_tasks_run_in_process_when_no_broker_is_named():
    assert print_setting("CELERY_TASK_ALWAYS_EAGER", CELERY_BROKER_URL=None) == "True"


def test_tasks_go_to_the_broker_when_one_is_named():
    changes = {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"}
    assert print_setting("CELERY_TASK_ALWAYS_EAGER", **changes) == "False"


def test_email_is_printed_to_the_console_when_no_smtp_server_is_named():
    backend = print_setting("EMAIL_BACKEND", EMAIL_HOST=None)
    assert backend == "django.core.mail.backends.console.EmailBackend"


def test_email_goes_to_the_smtp_server_when_one_is_named():
    backend = print_setting("EMAIL_BACKEND", EMAIL_HOST="smtp.example.org")
    # Django's SMTP backend, telling apart a message the server never confirmed.
    assert backend == "improveplan.mail_backend.EmailBackend"


def test_the_mail_server_is_given_minutes_to_answer():
    assert print_setting("EMAIL_TIMEOUT", EMAIL_TIMEOUT=None) == "120"
    assert print_setting("EMAIL_TIMEOUT", EMAIL_TIMEOUT="300", REMINDER_STALE_MINUTES="25") == "300"


@pytest.mark.parametrize("raw", ["0", "5", "9"])
def test_reminders_are_not_taken_over_while_a_send_may_be_in_flight(raw):
    result = run_python("manage.py", "check", DEBUG="1", REMINDER_STALE_MINUTES=raw)
    assert_refuses_to_start(result, "REMINDER_STALE_MINUTES")
    assert "between 10 and 1440" in result.stderr


def test_the_stale_minutes_outlast_a_send_that_waits_for_a_slow_server():
    result = run_python(
        "manage.py", "check", DEBUG="1", EMAIL_TIMEOUT="300", REMINDER_STALE_MINUTES="20"
    )
    assert_refuses_to_start(result, "REMINDER_STALE_MINUTES")
    assert "five times EMAIL_TIMEOUT (300 s), that is 25 minutes; got 20" in result.stderr


def test_smtp_over_ssl_and_starttls_cannot_both_be_on():
    result = run_python("manage.py", "check", DEBUG="1", EMAIL_USE_SSL="1", EMAIL_USE_TLS="1")
    assert_refuses_to_start(result, "EMAIL_USE_SSL")


def test_a_lower_case_log_level_is_understood():
    result = run_python("manage.py", "check", DEBUG="1", LOG_LEVEL="warning")
    assert result.returncode == 0, result.stderr
