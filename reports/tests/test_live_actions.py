"""One meaning each for a live, an open and an in-progress action, wherever actions are
counted or listed: My actions, the action plan's filter, the delivery plan's resources and
the public summary (issue 15, item 5)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from actions.models import Action
from actions.tests.factories import ActionFactory
from outcomes.tests.factories import OutcomeFactory
from reports import reports

pytestmark = pytest.mark.django_db

TODAY = date(2026, 8, 14)
Status, Closure = Action.Status, Action.Closure


@pytest.fixture
def actions(world):
    """One action in each state that matters, all led by the partner's organisation."""
    outcome = OutcomeFactory(plan=world.plan, statement="Fewer households lose their home")
    made = {}
    for name, status, closure, amount in [
        ("Under way", Status.ON_TRACK, Closure.OPEN, "1000"),
        ("Done, waiting for a lead", Status.COMPLETE, Closure.AWAITING, "200"),
        ("Done and closed", Status.COMPLETE, Closure.CLOSED, "30"),
        ("Stopped", Status.CANCELLED, Closure.OPEN, "4000000"),
    ]:
        action = ActionFactory(
            plan=world.plan,
            lead_organisation=world.housing,
            title=name,
            status=status,
            closure=closure,
            resource_amount=Decimal(amount),
            start=date(2026, 1, 1),
            due=date(2026, 1, 31),
        )
        action.outcomes.add(outcome)
        made[name] = action
    return made


def _titles(queryset) -> set[str]:
    return set(queryset.values_list("title", flat=True))


def test_each_word_has_one_meaning_in_the_database_and_in_memory(actions):
    everything = Action.objects.filter(pk__in=[a.pk for a in actions.values()])
    assert _titles(everything.live()) == {
        "Under way",
        "Done, waiting for a lead",
        "Done and closed",
    }
    assert _titles(everything.open()) == {"Under way", "Done, waiting for a lead"}
    assert _titles(everything.in_progress()) == {"Under way"}
    assert _titles(everything.overdue(TODAY)) == {"Under way"}
    for action in actions.values():
        assert action.is_live == everything.live().filter(pk=action.pk).exists()
        assert action.is_open == everything.open().filter(pk=action.pk).exists()
        assert action.is_in_progress == everything.in_progress().filter(pk=action.pk).exists()
        assert action.is_overdue(TODAY) == everything.overdue(TODAY).filter(pk=action.pk).exists()


def test_my_actions_lists_open_actions_only(partner_client, actions):
    page = partner_client.get(reverse("actions:my_actions")).content.decode()
    assert "Under way" in page
    assert "Done, waiting for a lead" in page  # open until a lead confirms it
    assert "Done and closed" not in page
    assert "Stopped" not in page


def test_the_action_plans_open_filter_leaves_out_cancelled_actions(lead_client, world, actions):
    url = reverse("actions:plan", args=[world.plan.pk])
    shown = lead_client.get(url, {"state": "open"}).content.decode()
    assert "Under way" in shown and "Stopped" not in shown
    shown = lead_client.get(url, {"state": "closed"}).content.decode()
    assert "Stopped" in shown and "Done and closed" in shown and "Under way" not in shown


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_delivery_plan_commits_no_money_to_a_cancelled_action(world, actions):
    text = _text(reports.report_html(world.plan, kind="plan", year=2026, quarter=3, today=TODAY))
    assert "3 actions in all, with £1,230 of resources committed." in text
    assert "1 cancelled action is left out." in text
    assert "Stopped" not in text
    assert "4,001,230" not in text and "4,000,000" not in text


def test_the_public_summary_counts_the_work_it_lists(world, actions):
    context = reports.public_summary_context(world.plan, today=TODAY)
    listed = [action["title"] for item in context["outcomes"] for action in item["actions"]]
    assert sorted(listed) == ["Done and closed", "Done, waiting for a lead", "Under way"]
    text = _text(reports.report_html(world.plan, kind="public", year=2026, quarter=3, today=TODAY))
    assert "They have planned 3 pieces of work to get there. 2 are done so far." in text
    assert "Stopped" not in text
