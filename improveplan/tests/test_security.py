"""Safe by default: production settings, headers, sign-in throttling, sessions, the security log."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from improveplan.models import Role, SecurityEvent
from improveplan.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "plans.example.org",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# Production settings --------------------------------------------------------------


def test_production_settings_pass_the_deployment_check_with_no_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_wildcard_allowed_host_fails_the_checks():
    result = manage("check", **{**PRODUCTION, "ALLOWED_HOSTS": "*"})
    assert result.returncode != 0
    assert "improveplan.E001" in result.stderr


def test_a_missing_content_security_policy_fails_the_checks(settings):
    from improveplan.checks import content_security_policy_is_strict

    assert content_security_policy_is_strict(None) == []
    settings.CONTENT_SECURITY_POLICY = {}
    [error] = content_security_policy_is_strict(None)
    assert error.id == "improveplan.E002"
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'", "'unsafe-inline'"]}
    }
    [error] = content_security_policy_is_strict(None)
    assert "script-src allows 'unsafe-inline'" in error.msg


def test_production_values():
    result = manage(
        "shell",
        "--verbosity=0",
        "-c",
        "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_SAMESITE, s.SECURE_SSL_REDIRECT)",
        **PRODUCTION,
    )
    assert result.stdout.split() == ["31536000", "True", "True", "True", "Lax", "True"]


def test_pages_carry_the_security_headers(lead_client, world):
    response = lead_client.get(world.partnership.get_absolute_url())
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", policy).group(1)
    assert f'nonce="{nonce}"' in response.content.decode()
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_each_page_gets_its_own_nonce(lead_client, world):
    first = lead_client.get(reverse("improveplan:home"))["Content-Security-Policy"]
    second = lead_client.get(reverse("improveplan:home"))["Content-Security-Policy"]
    assert first != second


@pytest.mark.parametrize(
    "page",
    ["home", "partnership", "plan_edit", "invitation_create", "dashboard", "outcome", "indicator"],
)
def test_no_inline_script_or_style_without_the_nonce(lead_client, world, page):
    from outcomes.tests.factories import IndicatorFactory, ReadingFactory, TargetFactory

    indicator = IndicatorFactory(outcome__plan=world.plan, owner=world.council)
    TargetFactory(indicator=indicator)
    for year in (2021, 2022, 2023, 2024):
        ReadingFactory(indicator=indicator, period=date(year, 3, 31), value=20 - year % 10)
    url = {
        "dashboard": world.plan.get_absolute_url(),
        "outcome": indicator.outcome.get_absolute_url(),
        "indicator": indicator.get_absolute_url(),
        "home": reverse("improveplan:home"),
        "partnership": world.partnership.get_absolute_url(),
        "plan_edit": reverse("improveplan:plan_edit", args=[world.plan.pk]),
        "invitation_create": reverse("improveplan:invitation_create", args=[world.partnership.pk]),
    }[page]
    html = lead_client.get(url).content.decode()
    assert " style=" not in html
    assert "<style" not in html
    assert re.findall(r"<script(?![^>]*\bnonce=)[^>]*>", html) == []
    assert not re.search(r"\son[a-z]+=", html)  # no onclick= and the like


# Sign-in ----------------------------------------------------------------------------


def sign_in(client, email, password):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_a_fresh_session_on_sign_in(client, world):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    sign_in(client, world.lead.email, PASSWORD)
    assert client.session.session_key != before


def test_repeated_failures_lock_the_address_with_a_clear_message(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, world.lead.email, "wrong").status_code == 200
    assert sign_in(client, world.lead.email, "wrong").status_code == 429
    # Now even the right password waits.
    response = sign_in(client, world.lead.email, PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many attempts to sign in" in page
    assert "15 minutes" in page
    assert reverse("password_reset") in page
    assert "_auth_user_id" not in client.session
    assert SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.LOCKED_OUT, email=world.lead.email
    ).exists()


def test_changing_the_case_of_the_address_buys_no_more_guesses(client, world):
    email = world.lead.email
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, email.upper() if attempt % 2 else email.title(), "wrong")
    assert sign_in(client, email, PASSWORD).status_code == 429


def test_the_lock_lifts_after_the_cool_off(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, world.lead.email, "wrong")
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = sign_in(client, world.lead.email, PASSWORD)
    assert response.status_code == 302


def test_someone_elses_failures_do_not_lock_out_another_address(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        sign_in(client, world.partner.email, "wrong")
    assert sign_in(client, world.lead.email, PASSWORD).status_code == 302


def test_a_password_reset_is_the_way_back_for_the_genuine_user(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, world.lead.email, "wrong")
    client.post(reverse("password_reset"), {"email": world.lead.email})
    link = re.search(r"https?://[^/\s]+(/account/password/reset/\S+/)", mail.outbox[0].body)
    form_page = client.get(link.group(1), follow=True)
    new = "a-brand-new-password-2026"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert sign_in(client, world.lead.email, new).status_code == 302


def test_a_deactivated_users_session_ends_at_once(lead_client, world):
    assert lead_client.get(reverse("improveplan:home")).status_code == 200
    world.lead.is_active = False
    world.lead.save(update_fields=["is_active"])
    response = lead_client.get(reverse("improveplan:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_password_validators_refuse_a_weak_password(lead_client, world):
    response = lead_client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "too common" in page or "entirely numeric" in page


# Session timeouts -------------------------------------------------------------------


def test_a_session_ends_after_an_hour_without_activity(client, world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(world.lead)
        assert client.get(reverse("improveplan:home")).status_code == 200
        traveller.shift(timedelta(minutes=59))
        assert client.get(reverse("improveplan:home")).status_code == 200
        traveller.shift(timedelta(minutes=61))
        response = client.get(reverse("improveplan:home"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "without activity" in response.content.decode()


def test_a_session_ends_twelve_hours_after_sign_in_however_active(client, world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(world.lead)
        for _ in range(12 * 2):
            assert client.get(reverse("improveplan:home")).status_code == 200
            traveller.shift(timedelta(minutes=30))
        traveller.shift(timedelta(minutes=1))
        response = client.get(reverse("improveplan:home"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "at most 12 hours" in response.content.decode()


# The security log -------------------------------------------------------------------


def test_sign_ins_and_failures_are_logged(client, world):
    sign_in(client, world.lead.email, "wrong")
    sign_in(client, world.lead.email, PASSWORD)
    kinds = list(
        SecurityEvent.objects.filter(email=world.lead.email).values_list("kind", flat=True)
    )
    assert kinds == [SecurityEvent.Kind.SIGN_IN, SecurityEvent.Kind.SIGN_IN_FAILED]
    assert SecurityEvent.objects.filter(ip_address="127.0.0.1").count() == 2


def test_refused_access_is_logged_with_who_what_and_where(client, world):
    client.force_login(world.outsider)
    client.get(world.plan.get_absolute_url())
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.ACCESS_REFUSED)
    assert event.user == world.outsider
    assert event.partnership == world.partnership
    assert event.path == world.plan.get_absolute_url()
    assert "plan" in event.detail

    client.force_login(world.board)
    client.post(reverse("improveplan:plan_edit", args=[world.plan.pk]), {})
    assert SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.ACCESS_REFUSED, user=world.board
    ).exists()


def test_an_address_that_does_not_exist_is_not_logged_as_refused(lead_client, world):
    lead_client.get(reverse("improveplan:plan", args=[2**31 - 1]))
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.ACCESS_REFUSED).exists()


def test_role_changes_and_removals_are_logged(lead_client, world):
    partner = world.membership(world.partner)
    lead_client.post(
        reverse("improveplan:membership_edit", args=[partner.pk]),
        {"role": Role.BOARD, "organisation": world.housing.pk},
    )
    lead_client.post(reverse("improveplan:membership_remove", args=[partner.pk]))
    changed = SecurityEvent.objects.get(kind=SecurityEvent.Kind.ROLE_CHANGED)
    assert changed.user == world.lead
    assert "Partner" in changed.detail and "Board member" in changed.detail
    removed = SecurityEvent.objects.get(kind=SecurityEvent.Kind.MEMBER_REMOVED)
    assert world.partner.email in removed.detail


def test_site_administrators_read_the_log_and_cannot_change_it(client, world):
    admin = UserFactory(is_staff=True, is_superuser=True)
    SecurityEvent.objects.create(kind=SecurityEvent.Kind.SIGN_IN, email="someone@example.org")
    client.force_login(admin)
    listing = client.get(reverse("admin:improveplan_securityevent_changelist"))
    assert "someone@example.org" in listing.content.decode()
    assert client.get(reverse("admin:improveplan_securityevent_add")).status_code == 403
