"""Signing in and out, changing a password, and resetting a forgotten one by email."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from improveplan.forms import SignInForm
from improveplan.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-fresh-walk-by-the-river-2027"
RESET_LINK = re.compile(r"https?://[^/\s]+(/account/password/reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture
def person():
    return UserFactory(email="sam.lee@example.org", full_name="Sam Lee")


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def sign_in(client, email: str, password: str):
    return client.post(reverse("login"), {"username": email, "password": password})


# Signing in -----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["sam.lee@example.org", "Sam.Lee@Example.org", "SAM.LEE@EXAMPLE.ORG"]
)
def test_sign_in_by_email_in_any_letter_case(client, person, typed):
    response = sign_in(client, typed, PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("improveplan:home")
    assert client.session["_auth_user_id"] == str(person.pk)


def test_a_wrong_password_shows_a_clear_message_and_signs_no_one_in(client, person):
    response = sign_in(client, person.email, "not-the-password")
    assert response.status_code == 200
    assert escape(SignInForm.error_messages["invalid_login"]) in response.content.decode()
    assert not response.context["user"].is_authenticated
    assert not signed_in(client)


def test_an_inactive_account_cannot_sign_in(client):
    UserFactory(email="gone@example.org", is_active=False)
    response = sign_in(client, "gone@example.org", PASSWORD)
    assert response.status_code == 200
    # The same answer as a wrong password: a sign-in form never says which accounts exist.
    assert escape(SignInForm.error_messages["invalid_login"]) in response.content.decode()
    assert not signed_in(client)


def test_an_anonymous_visitor_is_sent_to_sign_in_and_brought_back(client):
    home = reverse("improveplan:home")
    response = client.get(home)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={home}"


# Signing out ----------------------------------------------------------------


def test_sign_out_is_not_done_by_a_link(client, person):
    client.force_login(person)
    assert client.get(reverse("logout")).status_code == 405
    assert signed_in(client)


def test_sign_out_ends_the_session(client, person):
    client.force_login(person)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert not signed_in(client)
    assert client.get(reverse("improveplan:home")).status_code == 302


# Changing a password ----------------------------------------------------------


def test_password_change_with_the_old_password(client, person):
    client.force_login(person)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("password_change_done"), 302)]
    assert "Your password has been changed" in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    # The person stays signed in on this device.
    assert client.get(reverse("improveplan:home")).status_code == 200


def test_password_change_refuses_a_wrong_old_password(client, person):
    client.force_login(person)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "not-the-password",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    assert not person.check_password(NEW_PASSWORD)


# Resetting a forgotten password -----------------------------------------------


def test_password_reset_by_email_end_to_end(client, person, smtp_server):
    response = client.post(reverse("password_reset"), {"email": person.email}, follow=True)
    assert response.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert "Check your email" in response.content.decode()

    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "Reset your ImprovePlan password"
    assert message["To"] == person.email
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = RESET_LINK.search(body)
    assert link, body
    path = link.group(1)

    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert "Choose a new password" in response.content.decode()
    set_password_path = response.redirect_chain[-1][0]
    response = client.post(
        set_password_path,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("password_reset_complete"), 302)]
    assert "Your new password is saved" in response.content.decode()

    response = client.get(path, follow=True)
    assert "This link no longer works" in response.content.decode()
    assert "Save my new password" not in response.content.decode()

    assert sign_in(client, person.email, PASSWORD).status_code == 200
    assert not signed_in(client)
    response = sign_in(client, person.email, NEW_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(
    client, person, smtp_server
):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert response.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert "Check your email" in response.content.decode()
    assert smtp_server.wait_for(1, timeout=1) == []
