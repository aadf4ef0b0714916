"""Two-factor sign-in with an authenticator app, recovery codes, and a lead's requirement."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from improveplan.models import Partnership, SecurityEvent
from improveplan.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def code_of(device: TOTPDevice, later: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + later * device.step
    return str(totp.token()).zfill(device.digits)


def sign_in(client, user, **extra):
    client.logout()
    return client.post(reverse("login"), {"username": user.email, "password": PASSWORD}, **extra)


def set_up_app(client, user) -> tuple[TOTPDevice, list[str]]:
    client.force_login(user)
    page = client.get(reverse("two_factor_set_up"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("two_factor_set_up"), {"code": code_of(device)})
    assert response.status_code == 302
    overview = client.get(reverse("two_factor")).content.decode()
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", overview)
    return TOTPDevice.objects.get(user=user, confirmed=True), codes


def test_setting_up_shows_a_qr_code_and_the_key(client, world):
    client.force_login(world.partner)
    page = client.get(reverse("two_factor_set_up")).content.decode()
    assert "<svg" in page and 'role="img"' in page
    assert "Key:" in page


def test_a_person_sets_up_an_app_and_sees_recovery_codes_once(client, world):
    _, codes = set_up_app(client, world.partner)
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=world.partner).count() == 10
    again = client.get(reverse("two_factor")).content.decode()
    assert codes[0] not in again
    assert "10 recovery codes left" in again
    assert SecurityEvent.objects.filter(kind="two_factor", user=world.partner).exists()


def test_a_wrong_code_does_not_set_it_up(client, world):
    client.force_login(world.partner)
    client.get(reverse("two_factor_set_up"))
    response = client.post(reverse("two_factor_set_up"), {"code": "000000"})
    assert response.status_code == 422
    assert "not the one your app shows" in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_signing_in_then_asks_for_the_apps_code(client, world):
    device, _ = set_up_app(client, world.partner)
    response = sign_in(client, world.partner)
    assert response.status_code == 302
    plan_page = client.get(world.plan.get_absolute_url())
    assert plan_page.status_code == 302
    assert plan_page["Location"].startswith(reverse("two_factor_verify"))
    wrong = client.post(reverse("two_factor_verify"), {"code": "000000"})
    assert wrong.status_code == 422
    assert SecurityEvent.objects.filter(kind="sign_in_failed", user=world.partner).exists()
    # Straight after a wrong code, even the right one must wait (django-otp's throttle).
    verify = reverse("two_factor_verify") + f"?next={world.plan.get_absolute_url()}"
    assert client.post(verify, {"code": code_of(device, later=1)}).status_code == 422
    with time_machine.travel(timezone.now() + timedelta(seconds=3)):
        right = client.post(verify, {"code": code_of(device, later=1)})  # set-up used this step's
    assert right["Location"] == world.plan.get_absolute_url()
    assert client.get(world.plan.get_absolute_url()).status_code == 200


def test_a_recovery_code_works_once(client, world):
    _, codes = set_up_app(client, world.partner)
    sign_in(client, world.partner)
    response = client.post(reverse("two_factor_verify"), {"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.get(world.plan.get_absolute_url()).status_code == 200
    sign_in(client, world.partner)
    assert client.post(reverse("two_factor_verify"), {"code": codes[0]}).status_code == 422
    assert StaticToken.objects.filter(device__user=world.partner).count() == 9


def test_a_lead_requires_it_and_members_must_set_it_up(lead_client, client, world):
    response = lead_client.post(
        reverse("improveplan:two_factor_requirement", args=[world.partnership.pk]),
        {"require_two_factor": "on"},
    )
    assert response.status_code == 302
    assert Partnership.objects.get(pk=world.partnership.pk).require_two_factor
    sign_in(client, world.board)
    response = client.get(world.plan.get_absolute_url())
    assert response["Location"].startswith(reverse("two_factor_set_up"))
    page = client.get(response["Location"]).content.decode()
    assert "Riverside Partnership requires two-factor sign-in" in page
    # Nor may they turn it off once it is set up.
    device, _ = set_up_app(client, world.board)
    client.post(reverse("two_factor_turn_off"), {"code": code_of(device, later=1)})
    assert TOTPDevice.objects.filter(user=world.board, confirmed=True).exists()


def test_only_a_lead_requires_it(partner_client, world):
    url = reverse("improveplan:two_factor_requirement", args=[world.partnership.pk])
    assert partner_client.post(url, {"require_two_factor": "on"}).status_code == 403
    assert not Partnership.objects.get(pk=world.partnership.pk).require_two_factor


def test_without_a_requirement_a_person_may_turn_it_off_with_a_code(client, world):
    device, _ = set_up_app(client, world.partner)
    client.post(reverse("two_factor_turn_off"), {"code": "000000"})
    assert TOTPDevice.objects.filter(user=world.partner).exists()
    with time_machine.travel(timezone.now() + timedelta(seconds=3)):
        client.post(reverse("two_factor_turn_off"), {"code": code_of(device, later=1)})
    assert not TOTPDevice.objects.filter(user=world.partner).exists()
    assert client.get(world.plan.get_absolute_url()).status_code == 200
