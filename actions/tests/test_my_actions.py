"""My actions: live actions only, grouped by partnership and plan with the plan named, filtered
by whose, status and due date, and the completions waiting for a lead shown apart."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions import services
from actions.models import Action
from actions.tests.factories import ActionFactory
from improveplan.tests.factories import MembershipFactory, OrganisationFactory, PlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(date(2026, 12, 6), tick=False):
        yield


def page(client, query: str = "") -> str:
    response = client.get(reverse("actions:my_actions") + query)
    assert response.status_code == 200
    return response.content.decode().replace("&#x27;", "'")


def ours(world, **kwargs):
    kwargs.setdefault("plan", world.plan)
    return ActionFactory(lead_organisation=world.housing, **kwargs)


def test_cancelled_and_closed_actions_are_left_out_and_completions_waiting_shown_apart(
    partner_client, world
):
    ours(world, title="Live work", status=Action.Status.ON_TRACK)
    ours(world, title="Called off", status=Action.Status.CANCELLED)
    ours(world, title="Long done", status=Action.Status.COMPLETE, closure=Action.Closure.CLOSED)
    ours(world, title="Done, says us", status=Action.Status.COMPLETE, closure="awaiting")
    text = page(partner_client)
    assert "Live work" in text
    assert "Called off" not in text and "Long done" not in text
    waiting = text[text.index("Waiting for a lead to confirm") :]
    assert "Done, says us" in waiting
    assert "Done, says us" not in text[: text.index("Waiting for a lead to confirm")]


def test_actions_are_grouped_by_plan_with_the_plan_named(partner_client, world):
    second_plan = PlanFactory(partnership=world.partnership, title="Warmer Homes 2027")
    ours(world, title="First plan's", due=date(2027, 5, 1))
    ours(world, plan=second_plan, title="Second plan's, sooner", due=date(2027, 1, 1))
    ours(world, title="First plan's, sooner", due=date(2027, 2, 1))
    # Another partnership where the partner also works.
    elsewhere = OrganisationFactory(name="Hillside Housing", partnership=world.other_partnership)
    MembershipFactory(user=world.partner, organisation=elsewhere, role="partner")
    ActionFactory(plan=world.other_plan, lead_organisation=elsewhere, title="Hillside's")
    text = page(partner_client)
    sections = {
        heading: text[text.index(f"{heading}</a>") :].split("<section", 1)[0]
        for heading in ("Best Start in Hillside", "Healthier Riverside", "Warmer Homes 2027")
    }
    riverside = sections["Healthier Riverside"]
    assert "Riverside Partnership" in riverside
    assert riverside.index("First plan's, sooner") < riverside.index("First plan's<")
    assert "Second plan's, sooner" in sections["Warmer Homes 2027"]
    assert "Second plan's, sooner" not in riverside
    assert "Hillside's" in sections["Best Start in Hillside"]


def test_filters_mine_status_and_due(partner_client, world):
    ours(world, title="Owned by me", owner=world.partner, status="at_risk", due=date(2026, 12, 20))
    ours(world, title="A colleague's", status="on_track", due=date(2027, 6, 1))
    ours(world, title="Late one", status="off_track", start=date(2026, 1, 1), due=date(2026, 11, 1))
    mine = page(partner_client, "?whose=mine")
    assert "Owned by me" in mine and "A colleague's" not in mine and "Late one" not in mine
    risky = page(partner_client, "?status=at_risk&status=off_track")
    assert "Owned by me" in risky and "Late one" in risky and "A colleague's" not in risky
    overdue = page(partner_client, "?due=overdue")
    assert "Late one" in overdue and "Owned by me" not in overdue
    soon = page(partner_client, "?due=30")
    assert "Owned by me" in soon and "A colleague's" not in soon
    nothing = page(partner_client, "?whose=mine&due=overdue")
    assert "No actions match these filters." in nothing
    assert "Show all my actions" in nothing


def test_a_nonsense_filter_is_ignored_not_a_500(partner_client, world):
    ours(world, title="Live work")
    text = page(partner_client, "?due=forever&status=exploded&whose=everyone")
    assert "Live work" in text


def test_the_query_count_does_not_grow_with_actions_or_requests(partner_client, world):
    def grow(n):
        for index in range(n):
            action = ours(world, owner=world.partner, due=date(2027, 1, 1))
            proposal = services.due_date_propose(
                action=action, by=world.partner, proposed_due=date(2027, 3, 1), reason="Staff."
            )
            if index % 2:
                services.due_date_answer(proposal=proposal, by=world.lead, accept=True)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            page(partner_client)
        return len(queries)

    # The page is computed after any change to the plans, and kept until the next one: both
    # cost the same queries whatever the number of actions.
    grow(2)
    count()
    grow(1)
    computed, kept = count(), count()
    assert kept < computed
    grow(10)
    assert count() == computed
    assert count() == kept
