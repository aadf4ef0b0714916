"""An invitation whose email fails leaves nothing half-done: the lead is told, the page says
it was not sent, and it can be sent again (never "already invited" when no email went). Sending
a link again ends the earlier one. The mail server here is real: one that refuses connections,
then one that takes the message."""

from __future__ import annotations

import re
import socket
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from improveplan.models import Invitation, Role
from reviews.models import PeerReviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def refusing_mail_server(settings):
    """SMTP pointed at a local port where nothing listens: every connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    return port


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def link_path(body: str, prefix: str) -> str:
    return re.search(rf"https?://[^/\s]+(/{prefix}/\S+/)", body).group(1)


# Peer reviewers ---------------------------------------------------------------------------


def invite_peer(client, world):
    return client.post(
        reverse("reviews:peer_invite", args=[world.plan.pk]),
        {"name": "Rita Reviewer", "email": "rita@elsewhere.example.org", "days": "30"},
        follow=True,
    )


# Committed for real, so the email goes when the invitation is saved, as in production.
@pytest.mark.django_db(transaction=True)
def test_a_peer_invitation_that_cannot_be_emailed_says_so_and_can_be_sent_again(
    lead_client,
    world,
    refusing_mail_server,
    smtp_server,
    settings,
    django_capture_on_commit_callbacks,
):
    working = settings.EMAIL_PORT  # smtp_server's
    settings.EMAIL_PORT = refusing_mail_server
    with django_capture_on_commit_callbacks(execute=True):
        response = invite_peer(lead_client, world)
    assert response.status_code == 200  # not a 500
    page = text(response)
    assert "could not be sent, so no link has gone out" in page
    assert "The invitation email could not be sent" in page  # on the list, beside Rita
    reviewer = PeerReviewer.objects.get()
    assert reviewer.state == "not_sent"

    settings.EMAIL_PORT = working
    with django_capture_on_commit_callbacks(execute=True):
        again = invite_peer(lead_client, world)
    assert "already invited" not in text(again)
    assert "has been emailed a link" in text(again)
    [message] = smtp_server.wait_for(1)
    assert PeerReviewer.objects.get().pk == reviewer.pk  # the same invitation, now sent
    assert PeerReviewer.objects.get().state == "invited"
    path = link_path(message.get_content(), "peer-review")
    assert Client().get(path).status_code == 200


def test_a_sent_peer_invitation_still_refuses_a_second_one(
    lead_client, world, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite_peer(lead_client, world)
        again = invite_peer(lead_client, world)
    assert "already invited to review this plan" in text(again)
    assert PeerReviewer.objects.count() == 1


# Members' invitations ---------------------------------------------------------------------


def invite_member(client, world):
    return client.post(
        reverse("improveplan:invitation_create", args=[world.partnership.pk]),
        {"email": "newcomer@example.org", "organisation": world.housing.pk, "role": Role.PARTNER},
        follow=True,
    )


# Committed for real, so the email goes when the invitation is saved, as in production.
@pytest.mark.django_db(transaction=True)
def test_a_members_invitation_that_cannot_be_emailed_says_so_and_can_be_sent_again(
    lead_client,
    world,
    refusing_mail_server,
    smtp_server,
    settings,
    django_capture_on_commit_callbacks,
):
    working = settings.EMAIL_PORT  # smtp_server's
    settings.EMAIL_PORT = refusing_mail_server
    with django_capture_on_commit_callbacks(execute=True):
        response = invite_member(lead_client, world)
    assert response.status_code == 200
    page = text(response)
    assert "could not be sent, so no link has gone out" in page
    assert "Not sent: the email failed." in page

    settings.EMAIL_PORT = working
    with django_capture_on_commit_callbacks(execute=True):
        again = invite_member(lead_client, world)
    assert "already been invited" not in text(again)
    assert "An invitation has been emailed to newcomer@example.org" in text(again)
    [message] = smtp_server.wait_for(1)
    assert Invitation.objects.pending().count() == 1  # the failed one is set aside
    path = link_path(message.get_content(), "join")
    assert "Join Riverside Partnership" in text(Client().get(path))


def test_resending_an_invitation_ends_the_earlier_link(
    lead_client, world, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite_member(lead_client, world)
    [first] = smtp_server.wait_for(1)
    invitation = Invitation.objects.get()
    with (
        time_machine.travel(timezone.now() + timedelta(days=2)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        lead_client.force_login(world.lead)
        resent = lead_client.post(
            reverse("improveplan:invitation_resend", args=[invitation.pk]), follow=True
        )
    assert "the link in any earlier email no longer works" in text(resent)
    second = smtp_server.wait_for(2)[1]
    old_link = link_path(first.get_content(), "join")
    new_link = link_path(second.get_content(), "join")
    assert old_link != new_link
    stranger = Client()
    assert "This invitation link no longer works" in text(stranger.get(old_link))
    assert "Join Riverside Partnership" in text(stranger.get(new_link))
