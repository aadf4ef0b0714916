from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from improveplan.models import Invitation, Membership, Role, User
from improveplan.services import invitation_token
from improveplan.tests.factories import PASSWORD, InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "river-meadow-lantern-42"


def invite(client, world, **data):
    form = {"email": "newcomer@example.org", "organisation": world.housing.pk, "role": Role.PARTNER}
    form.update(data)
    return client.post(reverse("improveplan:invitation_create", args=[world.partnership.pk]), form)


def link_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/join/\S+/)", message.body).group(1)


def test_lead_invites_and_the_person_gets_an_email(
    lead_client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(lead_client, world, email="Newcomer@Example.org")
    assert response.status_code == 302
    invitation = Invitation.objects.get(partnership=world.partnership)
    assert invitation.email == "newcomer@example.org"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["newcomer@example.org"]
    assert "Riverside Partnership" in message.subject
    assert "partner for Riverside Housing" in message.body
    assert "Lena Lead" in message.body
    page = lead_client.get(world.partnership.get_absolute_url()).content.decode()
    assert "newcomer@example.org" in page


def test_a_second_invitation_to_the_same_address_is_refused(
    lead_client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(lead_client, world)
        response = invite(lead_client, world, email="NEWCOMER@example.org", role=Role.LEAD)
    assert response.status_code == 200
    assert "has already been invited" in response.content.decode()
    assert Invitation.objects.filter(partnership=world.partnership).count() == 1
    assert Invitation.objects.get().role == Role.PARTNER
    assert len(mail.outbox) == 1


def test_inviting_an_existing_member_is_refused(lead_client, world):
    response = invite(lead_client, world, email=world.partner.email.upper())
    assert response.status_code == 200
    assert "is already a member" in response.content.decode()
    assert not Invitation.objects.exists()


def test_an_expired_invitation_does_not_block_a_new_one(lead_client, world):
    old = InvitationFactory(
        organisation=world.housing,
        email="newcomer@example.org",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    with time_machine.travel(old.expires_at + timedelta(minutes=1)):
        response = invite(lead_client, world)
    assert response["Location"] == world.partnership.get_absolute_url()
    old.refresh_from_db()
    assert old.cancelled_at is not None
    assert Invitation.objects.pending().count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"email": "not an address"},
        {"email": ""},
        {"role": "emperor"},
        {"organisation": "abc"},
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(lead_client, world, data):
    response = invite(lead_client, world, **data)
    assert response.status_code == 200
    assert 'class="invalid-feedback"' in response.content.decode()
    assert not Invitation.objects.exists()


def test_new_person_accepts_sets_a_password_and_joins(client, world):
    invitation = InvitationFactory(organisation=world.housing, email="newcomer@example.org")
    url = reverse("improveplan:invitation_accept", args=[invitation_token(invitation)])
    page = client.get(url)
    assert page.status_code == 200
    assert "Join Riverside Partnership" in page.content.decode()

    response = client.post(
        url, {"full_name": "Nia Newcomer", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    user = User.objects.get(email="newcomer@example.org")
    membership = Membership.objects.get(user=user)
    assert (membership.partnership, membership.organisation, membership.role) == (
        world.partnership,
        world.housing,
        Role.PARTNER,
    )
    # They are signed in, and can sign in again later with the password they chose.
    assert client.get(world.partnership.get_absolute_url()).status_code == 200
    client.logout()
    assert client.login(
        request=HttpRequest(), username="newcomer@example.org", password=NEW_PASSWORD
    )


def test_a_link_works_once(client, world):
    invitation = InvitationFactory(organisation=world.housing)
    url = reverse("improveplan:invitation_accept", args=[invitation_token(invitation)])
    data = {"full_name": "Nia Newcomer", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert client.post(url, data).status_code == 302
    client.logout()
    again = client.post(url, {**data, "full_name": "Someone Else"})
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert User.objects.get(email=invitation.email).full_name == "Nia Newcomer"
    assert Membership.objects.filter(user__email=invitation.email).count() == 1


def test_an_expired_link_does_not_work(client, world):
    invitation = InvitationFactory(organisation=world.housing)
    url = reverse("improveplan:invitation_accept", args=[invitation_token(invitation)])
    with time_machine.travel(invitation.expires_at + timedelta(seconds=1)):
        response = client.post(
            url, {"full_name": "Late Larry", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not User.objects.filter(email=invitation.email).exists()


def test_a_cancelled_link_does_not_work(client, lead_client, world):
    invitation = InvitationFactory(organisation=world.housing)
    lead_client.post(reverse("improveplan:invitation_cancel", args=[invitation.pk]))
    client.logout()
    url = reverse("improveplan:invitation_accept", args=[invitation_token(invitation)])
    response = client.get(url)
    assert response.status_code == 410
    assert "cancelled" in response.content.decode()


def test_a_tampered_link_does_not_work(client, world):
    invitation = InvitationFactory(organisation=world.housing)
    token = invitation_token(invitation)
    for bad in (token[:-2] + "xx", "nonsense", f"{invitation.pk}"):
        response = client.get(reverse("improveplan:invitation_accept", args=[bad]))
        assert response.status_code == 410
        assert "not one we recognise" in response.content.decode()


def test_passwords_that_differ_or_are_weak_are_refused(client, world):
    invitation = InvitationFactory(organisation=world.housing)
    url = reverse("improveplan:invitation_accept", args=[invitation_token(invitation)])
    different = client.post(
        url, {"full_name": "Nia", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"}
    )
    assert "The two passwords are different" in different.content.decode()
    weak = client.post(url, {"full_name": "Nia", "password1": "password", "password2": "password"})
    assert "too common" in weak.content.decode()
    assert not User.objects.filter(email=invitation.email).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_someone_with_an_account_signs_in_then_accepts(client, world):
    existing = UserFactory(email="already@example.org")
    invitation = InvitationFactory(organisation=world.housing, email="already@example.org")
    url = reverse("improveplan:invitation_accept", args=[invitation_token(invitation)])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

    client.login(request=HttpRequest(), username="already@example.org", password=PASSWORD)
    assert "Accept and join" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert Membership.objects.filter(user=existing, partnership=world.partnership).exists()


def test_an_invitation_cannot_be_accepted_by_someone_else(client, world):
    invitation = InvitationFactory(organisation=world.housing, email="already@example.org")
    UserFactory(email="already@example.org")
    client.force_login(world.outsider)
    url = reverse("improveplan:invitation_accept", args=[invitation_token(invitation)])
    assert client.post(url).status_code == 403
    assert not Membership.objects.filter(
        user=world.outsider, partnership=world.partnership
    ).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_resend_gives_a_fresh_expiry_and_a_new_email(
    lead_client, world, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory(organisation=world.housing)
    later = timezone.now() + timedelta(days=10)
    with (
        time_machine.travel(later),
        django_capture_on_commit_callbacks(execute=True),
    ):
        lead_client.force_login(world.lead)  # ten days on, the lead signs in again
        response = lead_client.post(reverse("improveplan:invitation_resend", args=[invitation.pk]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.expires_at > later + timedelta(days=13)
    assert len(mail.outbox) == 1
    lead_client.logout()
    with time_machine.travel(later + timedelta(days=13)):
        page = lead_client.get(link_path(mail.outbox[0]))
    assert page.status_code == 200
    assert "Join Riverside Partnership" in page.content.decode()


def test_no_email_is_sent_for_a_cancelled_invitation(world):
    from improveplan.tasks import send_invitation_email

    invitation = InvitationFactory(organisation=world.housing, cancelled_at=timezone.now())
    assert send_invitation_email(invitation.pk) is False
    assert mail.outbox == []


def test_the_invitation_email_arrives_over_real_smtp_and_its_link_works(
    client, lead_client, world, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(lead_client, world, email="viasmtp@example.org")
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "viasmtp@example.org"
    body = message.get_content()
    lead_client.logout()
    path = re.search(r"https?://[^/\s]+(/join/\S+/)", body).group(1)
    response = client.post(
        path, {"full_name": "Sam Smtp", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user__email="viasmtp@example.org").exists()
