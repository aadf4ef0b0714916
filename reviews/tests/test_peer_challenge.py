"""Peer challenge: a lead invites a reviewer from outside the partnership, who may read one
plan, and nothing else, until their access ends, and answers questions on each step."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from conftest import World
from improveplan.models import SecurityEvent, User
from improveplan.tests.factories import PlanFactory, UserFactory
from improveplan.tests.test_access_sweep import ROUTES, _snapshot, _url
from reviews import peer
from reviews.models import PeerAnswer, PeerReviewer
from reviews.services import peer_token
from reviews.tests.factories import PeerReviewerFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "river-meadow-lantern-42"
# Pages of the partnership rather than of one plan: a peer reviewer reaches none of them.
PARTNERSHIP_PAGES = {
    "improveplan:partnership",
    "reviews:health_checks",
    "reviews:health_check",
    "reviews:peer_challenge",  # the partnership's own view of its reviewers
    "outcomes:import_job",  # an import's progress: for its sender and the leads alone
    "reviews:lessons",  # the lessons of all the partnership's plans
}


def invite(client, world, **data):
    form = {"name": "Rita Reviewer", "email": "rita@elsewhere.example.org", "days": "30"}
    form.update(data)
    return client.post(reverse("reviews:peer_invite", args=[world.plan.pk]), form)


def link_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/peer-review/\S+/)", message.body).group(1)


def new_account(client, path):
    return client.post(
        path, {"full_name": "Rita Reviewer", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )


def answers_url(reviewer) -> str:
    return reverse("reviews:peer_answers", args=[reviewer.pk])


def answer_form(**answers) -> dict:
    return {f"answer_{key.replace('-', '_', 1)}": text for key, text in answers.items()}


# Inviting and the link ----------------------------------------------------------------


def test_lead_invites_a_reviewer_who_gets_an_email_with_a_link_that_works_once(
    client, lead_client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(lead_client, world, email="Rita@Elsewhere.example.org", days="10")
    assert response.status_code == 302
    reviewer = PeerReviewer.objects.get()
    assert (reviewer.plan, reviewer.email, reviewer.invited_by) == (
        world.plan,
        "rita@elsewhere.example.org",
        world.lead,
    )
    assert timedelta(days=9) < reviewer.expires_at - timezone.now() <= timedelta(days=10)
    [message] = mail.outbox
    assert message.to == ["rita@elsewhere.example.org"]
    assert "Healthier Riverside" in message.subject
    assert "Lena Lead of Riverside Partnership" in message.body

    lead_client.logout()
    path = link_path(message)
    response = new_account(client, path)
    assert response["Location"] == answers_url(reviewer)
    reviewer.refresh_from_db()
    assert reviewer.user.email == "rita@elsewhere.example.org" and reviewer.is_live
    assert client.get(world.plan.get_absolute_url()).status_code == 200

    # Used once: a second visitor gets a clear page; the reviewer is sent on to their questions.
    assert client.get(path)["Location"] == answers_url(reviewer)
    client.logout()
    again = client.get(path)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert new_account(client, path).status_code == 410
    assert User.objects.filter(email__iexact="rita@elsewhere.example.org").count() == 1


def test_the_invitation_arrives_over_real_smtp_and_its_link_works(
    client, lead_client, world, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(lead_client, world, email="viasmtp@elsewhere.example.org")
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "viasmtp@elsewhere.example.org"
    path = re.search(r"https?://[^/\s]+(/peer-review/\S+/)", message.get_content()).group(1)
    lead_client.logout()
    assert new_account(client, path).status_code == 302
    assert PeerReviewer.objects.live().get().user.email == "viasmtp@elsewhere.example.org"


def test_an_existing_account_signs_in_and_accepts(client, world):
    someone = UserFactory(email="rita@elsewhere.example.org")
    reviewer = PeerReviewerFactory(
        plan=world.plan, user=None, accepted_at=None, email=someone.email, name="Rita"
    )
    path = reverse("reviews:peer_accept", args=[peer_token(reviewer)])
    assert client.get(path)["Location"].startswith(reverse("login"))
    client.force_login(world.outsider)  # the wrong person
    assert client.post(path).status_code == 403
    client.force_login(someone)
    assert client.post(path)["Location"] == answers_url(reviewer)
    reviewer.refresh_from_db()
    assert reviewer.user == someone


def test_a_member_of_the_partnership_is_not_a_peer(lead_client, world):
    response = invite(lead_client, world, email=world.partner.email.upper())
    assert response.status_code == 200
    assert "is a member of this partnership" in response.content.decode()
    assert not PeerReviewer.objects.exists()


@pytest.mark.parametrize("days", ["0", "91", "-3", "thirty"])
def test_access_lasts_from_one_day_to_the_limit(lead_client, world, days):
    response = invite(lead_client, world, days=days)
    assert response.status_code == 200
    assert response.context["form"].errors["days"]
    assert not PeerReviewer.objects.exists()


def test_the_same_reviewer_twice_is_refused_until_the_first_has_ended(
    lead_client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(lead_client, world)
        again = invite(lead_client, world, email="RITA@elsewhere.example.org")
    assert "already invited to review this plan" in again.content.decode()
    assert PeerReviewer.objects.count() == 1 and len(mail.outbox) == 1
    PeerReviewer.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert invite(lead_client, world).status_code == 302
    assert PeerReviewer.objects.count() == 2


def test_an_expired_link_says_so_and_asks_for_a_new_one(client, world):
    reviewer = PeerReviewerFactory(plan=world.plan, user=None, accepted_at=None, email="r@x.org")
    path = reverse("reviews:peer_accept", args=[peer_token(reviewer)])
    with time_machine.travel(reviewer.expires_at + timedelta(seconds=1)):
        response = client.get(path)
        posted = new_account(client, path)
    page = response.content.decode()
    assert response.status_code == 410 and posted.status_code == 410
    assert "This invitation has expired" in page
    assert "Ask the lead who invited you for a new one" in page
    assert not User.objects.filter(email="r@x.org").exists()
    reviewer.refresh_from_db()
    assert reviewer.accepted_at is None


def test_a_forged_or_revoked_link_does_not_work(client, world):
    reviewer = PeerReviewerFactory(plan=world.plan, user=None, accepted_at=None)
    token = peer_token(reviewer)
    for bad in (token[:-2] + "xx", str(reviewer.pk), "nonsense"):
        assert client.get(reverse("reviews:peer_accept", args=[bad])).status_code == 410
    PeerReviewer.objects.update(revoked_at=timezone.now())
    response = client.get(reverse("reviews:peer_accept", args=[token]))
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()


def test_no_email_for_a_link_already_used_or_revoked(world):
    from reviews.tasks import send_peer_invitation

    used = PeerReviewerFactory(plan=world.plan)
    revoked = PeerReviewerFactory(plan=world.plan, accepted_at=None, revoked_at=timezone.now())
    assert send_peer_invitation(used.pk) is False
    assert send_peer_invitation(revoked.pk) is False
    assert mail.outbox == []


# Revoking and expiry --------------------------------------------------------------------


def test_a_lead_revokes_a_reviewer_who_then_reaches_nothing(client, lead_client, world):
    reviewer = PeerReviewerFactory(plan=world.plan)
    PeerAnswer.objects.create(reviewer=reviewer, question="1-standing", text="Clear enough.")
    PeerReviewer.objects.filter(pk=reviewer.pk).update(submitted_at=timezone.now())
    response = lead_client.post(reverse("reviews:peer_revoke", args=[reviewer.pk]))
    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert reviewer.revoked_at is not None
    page = lead_client.get(reverse("reviews:peer_challenge", args=[world.plan.pk]))
    assert "Clear enough." in page.content.decode()  # the answers stay with the plan
    assert "Access withdrawn" in page.content.decode()

    client.force_login(reviewer.user)
    assert client.get(world.plan.get_absolute_url()).status_code == 404
    assert client.get(answers_url(reviewer)).status_code == 404


def test_access_ends_by_itself_when_it_expires(client, world):
    reviewer = PeerReviewerFactory(plan=world.plan)
    client.force_login(reviewer.user)
    assert client.get(world.plan.get_absolute_url()).status_code == 200
    with time_machine.travel(reviewer.expires_at + timedelta(seconds=1)):
        client.force_login(reviewer.user)
        assert client.get(world.plan.get_absolute_url()).status_code == 404
        home = client.get(reverse("improveplan:home")).content.decode()
    assert "Healthier Riverside" not in home


# Answers ----------------------------------------------------------------------------------


def test_answers_are_drafted_then_submitted_and_the_partnership_reads_them(client, world):
    reviewer = PeerReviewerFactory(plan=world.plan, name="Rita Reviewer")
    client.force_login(reviewer.user)
    page = client.get(answers_url(reviewer)).content.decode()
    for _number, title, questions in peer.steps():
        assert title in page
        for _slug, question in questions:
            assert question.replace("'", "&#x27;") in page

    draft = answer_form(**{"1-standing": "The trend is clear.", "4-choice": "Why option B?"})
    assert client.post(answers_url(reviewer), draft)["Location"] == answers_url(reviewer)
    assert dict(reviewer.answers.values_list("question", "text")) == {
        "1-standing": "The trend is clear.",
        "4-choice": "Why option B?",
    }
    members_page = reverse("reviews:peer_challenge", args=[world.plan.pk])
    client.force_login(world.board)
    assert "The trend is clear." not in client.get(members_page).content.decode()  # a draft

    client.force_login(reviewer.user)
    final = answer_form(**{"1-standing": "The trend is clear.", "5-ideas": "Try a text service."})
    client.post(answers_url(reviewer), {**final, "submit": ""})
    reviewer.refresh_from_db()
    assert reviewer.submitted_at is not None
    assert set(reviewer.answers.values_list("question", flat=True)) == {"1-standing", "5-ideas"}
    for member in (world.lead, world.partner, world.board):
        client.force_login(member)
        page = client.get(members_page).content.decode()
        assert "Try a text service." in page and "Rita Reviewer" in page

    # Submitted answers are final.
    client.force_login(reviewer.user)
    refused = client.post(answers_url(reviewer), answer_form(**{"1-standing": "Changed"}))
    assert refused.status_code == 200
    assert "can no longer be changed" in refused.content.decode()
    assert reviewer.answers.get(question="1-standing").text == "The trend is clear."


def test_the_plan_page_links_members_to_the_peer_challenge(lead_client, world):
    page = lead_client.get(world.plan.get_absolute_url()).content.decode()
    assert reverse("reviews:peer_challenge", args=[world.plan.pk]) in page


def test_only_the_reviewer_opens_their_own_answers(client, world):
    reviewer = PeerReviewerFactory(plan=world.plan)
    other_reviewer = PeerReviewerFactory(plan=world.plan)
    for person in (world.lead, world.partner, world.board, world.outsider, other_reviewer.user):
        client.force_login(person)
        assert client.get(answers_url(reviewer)).status_code == 404
        assert (
            client.post(answers_url(reviewer), answer_form(**{"1-needs": "x"})).status_code == 404
        )
    assert not PeerAnswer.objects.exists()


def test_another_partnerships_lead_cannot_see_the_answers(outsider_client, world):
    reviewer = PeerReviewerFactory(plan=world.plan, submitted_at=timezone.now())
    PeerAnswer.objects.create(reviewer=reviewer, question="2-needs", text="Secret finding")
    for url in (
        reverse("reviews:peer_challenge", args=[world.plan.pk]),
        answers_url(reviewer),
    ):
        response = outsider_client.get(url)
        assert response.status_code == 404
        assert "Secret finding" not in response.content.decode()
    assert (
        outsider_client.post(reverse("reviews:peer_revoke", args=[reviewer.pk])).status_code == 404
    )
    reviewer.refresh_from_db()
    assert reviewer.revoked_at is None


# What a peer reviewer reaches, over every URL of the access sweep ---------------------------


def _reviewer_client(client, w: World):
    client.force_login(w.peer_reviewer.user)
    return client


READ_PAGES = [
    name for name, route in ROUTES.items() if route.kwargs and not (route.writes or route.api)
]
API_WITH_IDS = [name for name, route in ROUTES.items() if route.kwargs and route.api]
WRITE_URLS = [name for name, route in ROUTES.items() if route.writes and not route.own_only]
WITH_IDS = [name for name, route in ROUTES.items() if route.kwargs]


@pytest.mark.parametrize("name", READ_PAGES)
def test_a_live_reviewer_reads_the_plans_pages_and_nothing_else(client, sweep_world, name):
    sweep_world.hidden_plan = PlanFactory(partnership=sweep_world.partnership, title="Secret Plan")
    response = _reviewer_client(client, sweep_world).get(_url(name, ROUTES[name], sweep_world))
    if name in PARTNERSHIP_PAGES:
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        if "html" in response.get("Content-Type", ""):
            page = response.content.decode()
            assert "Secret Plan" not in page  # no other plan of the partnership
            assert "waiting@example.org" not in page  # nor its invitations
            assert (
                reverse("improveplan:partnership", args=[sweep_world.partnership.pk]) + '"'
                not in page
            )


@pytest.mark.parametrize("name", API_WITH_IDS)
def test_the_api_is_for_members_only(client, sweep_world, name):
    """Peer reviewers read the plan's pages; the API (issue 23) is the members'."""
    reviewer = _reviewer_client(client, sweep_world)
    route = ROUTES[name]
    call = reviewer.get if route.get else reviewer.post
    assert call(_url(name, route, sweep_world)).status_code == 404


@pytest.mark.parametrize("name", WRITE_URLS)
def test_a_live_reviewer_writes_nothing(client, sweep_world, name):
    route = ROUTES[name]
    url = _url(name, route, sweep_world)
    reviewer = _reviewer_client(client, sweep_world)
    before = _snapshot()
    data = route.foreign_fields(sweep_world) if route.foreign_fields else {}
    assert reviewer.post(url, data).status_code in (403, 404)
    if route.get:
        assert reviewer.get(url).status_code in (403, 404)
    assert _snapshot() == before


@pytest.mark.parametrize("name", WITH_IDS)
def test_a_reviewer_of_another_plan_reaches_nothing_of_this_one(client, sweep_world, name):
    route = ROUTES[name]
    if route.own_only:
        pytest.skip("the reviewer's own answers, wherever they are")
    PeerReviewer.objects.filter(pk=sweep_world.peer_reviewer.pk).update(
        plan=PlanFactory(partnership=sweep_world.partnership)
    )
    url = _url(name, route, sweep_world)
    reviewer = _reviewer_client(client, sweep_world)
    before = _snapshot()
    if route.get:
        assert reviewer.get(url).status_code == 404
    if route.writes:
        assert reviewer.post(url, {}).status_code == 404
    assert _snapshot() == before


@pytest.mark.parametrize("name", WITH_IDS)
def test_an_expired_reviewer_reaches_nothing(client, sweep_world, name):
    route = ROUTES[name]
    url = _url(name, route, sweep_world)
    reviewer = _reviewer_client(client, sweep_world)
    with time_machine.travel(sweep_world.peer_reviewer.expires_at + timedelta(seconds=1)):
        reviewer.force_login(sweep_world.peer_reviewer.user)
        before = _snapshot()
        if route.get:
            assert reviewer.get(url).status_code == 404
        if route.writes:
            assert reviewer.post(url, {}).status_code == 404
        assert _snapshot() == before


def test_a_reviewers_refused_change_is_logged(client, sweep_world):
    reviewer = _reviewer_client(client, sweep_world)
    reviewer.post(reverse("improveplan:plan_edit", args=[sweep_world.plan.pk]), {})
    assert SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.ACCESS_REFUSED, detail__contains="peer reviewer"
    ).exists()
