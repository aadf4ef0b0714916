"""A partner asks for a new due date with a reason; a lead accepts or declines it with theirs.
Both are kept in the action's history, and the person who asked sees the answer."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions import services
from actions.models import Action, DueDateProposal
from actions.tests.factories import ActionFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 6)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def action(world):
    return ActionFactory(
        plan=world.plan,
        lead_organisation=world.housing,
        owner=world.partner,
        reference="A-07",
        number=7,
        title="Mediation service for tenants",
        start=date(2026, 4, 1),
        due=date(2026, 12, 31),
    )


def page(client, action) -> str:
    return client.get(reverse("actions:action", args=[action.pk])).content.decode()


def propose(client, action, **data):
    return client.post(reverse("actions:due_date_propose", args=[action.pk]), data)


def test_a_partner_asks_and_a_lead_accepts(partner_client, world, action, client):
    response = propose(
        partner_client,
        action,
        proposed_due="2027-03-31",
        reason="The provider cannot start until February.",
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.due == date(2026, 12, 31), "nothing moves until a lead says so"
    assert "Waiting for a lead" in page(partner_client, action)

    client.force_login(world.lead)
    lead_page = page(client, action)
    assert "The provider cannot start until February." in lead_page
    assert "Send your answer" in lead_page
    proposal = DueDateProposal.objects.get(action=action)
    response = client.post(
        reverse("actions:due_date_answer", args=[proposal.pk]),
        {"answer": "accept", "answer_reason": "Agreed at the board."},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.due == date(2027, 3, 31)

    client.force_login(world.partner)
    seen = page(client, action)
    assert "Accepted" in seen and "Agreed at the board." in seen
    history = client.get(reverse("actions:action_history", args=[action.pk])).content.decode()
    assert "Added: request for a new due date to 31 March 2027" in history
    assert "Changed: request for a new due date to 31 March 2027" in history
    assert "Agreed at the board." in history
    # The action's own history row shows the due date moving, by the lead.
    last = action.history.order_by("-history_id").first()
    assert last.due == date(2027, 3, 31) and last.history_user == world.lead


def test_a_lead_declines_with_a_reason_and_the_partner_sees_it(partner_client, world, action):
    proposal = services.due_date_propose(
        action=action, by=world.partner, proposed_due=date(2027, 2, 1), reason="Staff off sick."
    )
    lead = Client()
    lead.force_login(world.lead)
    refused = lead.post(
        reverse("actions:due_date_answer", args=[proposal.pk]), {"answer": "decline"}
    )
    assert refused.status_code == 422
    assert "Say why the request is declined." in refused.content.decode()
    proposal.refresh_from_db()
    assert proposal.answer == DueDateProposal.Answer.PENDING

    lead.post(
        reverse("actions:due_date_answer", args=[proposal.pk]),
        {"answer": "decline", "answer_reason": "The funding ends in December."},
    )
    action.refresh_from_db()
    assert action.due == date(2026, 12, 31)
    seen = page(partner_client, action)
    assert "Declined" in seen and "The funding ends in December." in seen
    my_actions = partner_client.get(reverse("actions:my_actions")).content.decode()
    assert "declined" in my_actions and "The funding ends in December." in my_actions


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"proposed_due": "2027-01-31", "reason": ""}, "This field is required."),
        ({"proposed_due": "2026-12-31", "reason": "Why not"}, "That is the due date it already"),
        ({"proposed_due": "2026-11-30", "reason": "Late"}, "cannot be in the past"),
        ({"proposed_due": "not a date", "reason": "Late"}, "Enter a valid date."),
        ({"proposed_due": "2027-01-31", "reason": "x" * 2001}, "at most 2000 characters"),
    ],
)
def test_a_bad_request_says_why_keeps_the_typing_and_changes_nothing(
    partner_client, action, data, message
):
    response = propose(partner_client, action, **data)
    assert response.status_code == 422
    body = response.content.decode().replace("&#x27;", "'")
    assert message in body
    if data["reason"] and len(data["reason"]) < 100:
        assert data["reason"] in body, "what was typed is still in the form"
    assert not DueDateProposal.objects.exists()


def test_one_request_waits_at_a_time(partner_client, world, action):
    propose(partner_client, action, proposed_due="2027-01-31", reason="First")
    response = propose(partner_client, action, proposed_due="2027-02-28", reason="Second")
    assert response.status_code == 422
    assert "already waiting" in response.content.decode()
    assert DueDateProposal.objects.count() == 1


def test_a_request_is_answered_once(world, action):
    proposal = services.due_date_propose(
        action=action, by=world.partner, proposed_due=date(2027, 2, 1), reason="Staff."
    )
    services.due_date_answer(proposal=proposal, by=world.lead, accept=True)
    with pytest.raises(Exception, match="already been answered"):
        services.due_date_answer(proposal=proposal, by=world.lead, accept=False, reason="No")
    action.refresh_from_db()
    assert action.due == date(2027, 2, 1)


def test_board_members_cannot_ask_and_partners_cannot_answer(board_client, world, action):
    assert propose(board_client, action, proposed_due="2027-01-31", reason="x").status_code == 403
    proposal = services.due_date_propose(
        action=action, by=world.partner, proposed_due=date(2027, 2, 1), reason="Staff."
    )
    partner = Client()
    partner.force_login(world.partner)
    response = partner.post(
        reverse("actions:due_date_answer", args=[proposal.pk]), {"answer": "accept"}
    )
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.due == date(2026, 12, 31)


def test_a_closed_or_cancelled_action_takes_no_request(partner_client, action):
    Action.objects.filter(pk=action.pk).update(status=Action.Status.CANCELLED)
    response = propose(partner_client, action, proposed_due="2027-01-31", reason="x")
    assert response.status_code == 422
    assert "complete or cancelled" in response.content.decode()
    assert not DueDateProposal.objects.exists()


# What waits for a lead ------------------------------------------------------------------


def test_leads_see_what_awaits_their_confirmation_on_home_and_plan_pages(
    lead_client, world, action
):
    done = ActionFactory(
        plan=world.plan,
        lead_organisation=world.housing,
        title="Advice line open",
        status=Action.Status.COMPLETE,
        closure=Action.Closure.AWAITING,
    )
    services.due_date_propose(
        action=action, by=world.partner, proposed_due=date(2027, 2, 1), reason="Staff."
    )
    ActionFactory(  # another partnership's completion is none of this lead's business
        plan=world.other_plan,
        title="Hillside's completion",
        status=Action.Status.COMPLETE,
        closure=Action.Closure.AWAITING,
    )
    for url in (reverse("improveplan:home"), reverse("improveplan:plan", args=[world.plan.pk])):
        text = lead_client.get(url).content.decode()
        waiting = text[text.index("Awaiting your confirmation") :]
        assert f"{done.reference} Advice line open" in waiting
        assert "Mediation service for tenants" in waiting and "asks for 1 Feb 2027" in waiting
        assert "Hillside's completion" not in text


def test_partners_and_board_members_are_not_asked_to_confirm(partner_client, world):
    ActionFactory(
        plan=world.plan,
        lead_organisation=world.housing,
        status=Action.Status.COMPLETE,
        closure=Action.Closure.AWAITING,
    )
    for url in (reverse("improveplan:home"), reverse("improveplan:plan", args=[world.plan.pk])):
        assert "Awaiting your confirmation" not in partner_client.get(url).content.decode()


def test_what_awaits_a_lead_costs_the_same_queries_however_much_waits(lead_client, world):
    url = reverse("improveplan:home")

    def grow(n):
        for _ in range(n):
            ActionFactory(
                plan=world.plan,
                lead_organisation=world.housing,
                status=Action.Status.COMPLETE,
                closure=Action.Closure.AWAITING,
            )
            asking = ActionFactory(plan=world.plan, lead_organisation=world.housing)
            services.due_date_propose(
                action=asking, by=world.partner, proposed_due=date(2027, 2, 1), reason="Staff."
            )

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert lead_client.get(url).status_code == 200
        return len(queries)

    grow(1)
    count()
    small = count()
    grow(8)
    assert count() == small
