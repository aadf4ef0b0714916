"""Signing in through one's organisation, end to end against a real OpenID Connect provider
started on 127.0.0.1 (oidc-provider-mock): the browser's round trip, the code exchanged for
signed tokens, the keys fetched, and the person matched by a verified email address only."""

from __future__ import annotations

import threading
from urllib.parse import parse_qs, urlsplit

import oidc_provider_mock
import pytest
import requests
from django.urls import reverse
from werkzeug.serving import make_server

from improveplan.models import SecurityEvent
from improveplan.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider():
    """A real OpenID Connect provider on a free port of 127.0.0.1, with three people: one
    whose organisation vouches for their address, one whose it does not, and one unknown."""
    app = oidc_provider_mock.app(
        require_nonce=True,
        user_claims=[
            oidc_provider_mock.User(
                sub="lena",
                claims={
                    "email": "LENA.LEAD@riverside.example",
                    "email_verified": True,
                    "name": "Somebody Else Entirely",
                },
            ),
            oidc_provider_mock.User(
                sub="unverified", claims={"email": "lena.lead@riverside.example"}
            ),
            oidc_provider_mock.User(
                sub="stranger",
                claims={"email": "stranger@elsewhere.example", "email_verified": True},
            ),
        ],
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture
def sso(provider, settings, world):
    found = requests.get(f"{provider}/.well-known/openid-configuration", timeout=5).json()
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "improveplan"
    settings.OIDC_RP_CLIENT_SECRET = "a-client-secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = found["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = found["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = found["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = found["jwks_uri"]
    settings.OIDC_PROVIDER_NAME = "Riverside Council"
    # The test provider signs with its one key and gives it no key id ("kid"); real
    # providers, which turn over several keys, name each, and the check stays on for them.
    settings.OIDC_VERIFY_KID = False
    world.lead.email = "lena.lead@riverside.example"
    world.lead.save()
    return world


def round_trip(client, sub: str, next_url: str = ""):
    """The browser's part: to the provider, its sign-in as ``sub``, and back."""
    start = reverse("oidc_authentication_init") + (f"?next={next_url}" if next_url else "")
    to_provider = client.get(start)
    assert to_provider.status_code == 302
    authorize = to_provider["Location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"]
    back = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert back.status_code == 302
    returned = urlsplit(back.headers["Location"])
    assert returned.path == reverse("oidc_authentication_callback")
    return client.get(f"{returned.path}?{returned.query}")


def test_the_sign_in_page_offers_the_organisations_sign_in(client, sso):
    page = client.get(reverse("login")).content.decode()
    assert "Sign in through Riverside Council" in page


def test_a_person_signs_in_through_their_organisation(client, sso):
    w = sso
    response = round_trip(client, "lena", next_url=w.plan.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == w.plan.get_absolute_url()
    assert int(client.session["_auth_user_id"]) == w.lead.pk  # by address, not by name
    assert client.get(w.plan.get_absolute_url()).status_code == 200
    assert SecurityEvent.objects.filter(kind="sign_in", user=w.lead).exists()


def test_an_address_the_organisation_does_not_vouch_for_is_refused(client, sso):
    response = round_trip(client, "unverified")
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "could not be signed in through Riverside Council" in page


def test_someone_without_an_account_is_refused_and_none_is_made(client, sso, django_user_model):
    people = django_user_model.objects.count()
    response = round_trip(client, "stranger")
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    assert django_user_model.objects.count() == people
    assert SecurityEvent.objects.filter(kind="sign_in_failed").exists()


def test_a_name_never_matches(client, sso):
    """The provider's name for the person is someone else's: the address alone decides."""
    MembershipFactory(
        organisation=sso.council, user__full_name="Somebody Else Entirely", user__email="x@y.org"
    )
    round_trip(client, "lena")
    assert int(client.session["_auth_user_id"]) == sso.lead.pk


def test_a_person_with_an_app_still_gives_its_code(client, sso):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=sso.lead, name="App", confirmed=True)
    round_trip(client, "lena")
    response = client.get(sso.plan.get_absolute_url())
    assert response["Location"].startswith(reverse("two_factor_verify"))


def test_without_configuration_single_sign_on_is_off(client, world, settings):
    settings.OIDC_ENABLED = False
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert "Sign in through" not in client.get(reverse("login")).content.decode()
