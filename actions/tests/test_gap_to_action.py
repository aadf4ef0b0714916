"""Issue 24, item 7: an information gap written down in Step 2 becomes a draft action in one
step, serving the gap's outcome, and each names the other."""

from __future__ import annotations

import pytest
from django.urls import reverse

from actions.models import Action
from outcomes.tests.factories import EvidenceFactory, OutcomeFactory

pytestmark = pytest.mark.django_db


def test_a_lead_turns_a_gap_into_a_draft_action_linked_both_ways(lead_client, world):
    outcome = OutcomeFactory(plan=world.plan, statement="Fewer young people leave school early")
    gap = EvidenceFactory(
        outcome=outcome,
        kind="gap",
        summary="Why pupils in Year 10 stop attending",
        detail="No survey asks them.",
    )
    page = lead_client.get(outcome.get_absolute_url()).content.decode()
    link = reverse("actions:gap_to_action", args=[gap.pk])
    assert link in page
    form = lead_client.get(link).content.decode()
    assert "Find out: Why pupils in Year 10 stop attending" in form

    response = lead_client.post(
        link, {"title": "Ask Year 10 pupils why", "lead_organisation": world.council.pk}
    )

    action = Action.objects.get(source_gap=gap)
    assert response.status_code == 302 and response["Location"] == action.get_absolute_url()
    assert action.title == "Ask Year 10 pupils why"
    assert action.status == Action.Status.NOT_STARTED
    assert list(action.outcomes.all()) == [outcome]
    assert action.description == "No survey asks them."
    assert action.history.count() == 1  # one entry in the history of changes
    detail = lead_client.get(action.get_absolute_url()).content.decode()
    assert "From the information gap" in detail and "Why pupils in Year 10 stop attending" in detail
    page = lead_client.get(outcome.get_absolute_url()).content.decode()
    assert f'Being filled by <a href="{action.get_absolute_url()}">{action}</a>' in page


def test_only_a_gap_becomes_an_action_this_way(lead_client, world):
    need = EvidenceFactory(outcome=OutcomeFactory(plan=world.plan), kind="need")
    response = lead_client.post(
        reverse("actions:gap_to_action", args=[need.pk]),
        {"title": "Something", "lead_organisation": world.council.pk},
    )
    assert response.status_code == 404
    assert not Action.objects.filter(plan=world.plan).exists()


def test_a_partner_sees_no_button_and_may_not_post(partner_client, world):
    outcome = OutcomeFactory(plan=world.plan)
    gap = EvidenceFactory(outcome=outcome, kind="gap")
    link = reverse("actions:gap_to_action", args=[gap.pk])
    assert link not in partner_client.get(outcome.get_absolute_url()).content.decode()
    response = partner_client.post(
        link, {"title": "Something", "lead_organisation": world.housing.pk}
    )
    assert response.status_code == 403
    assert not Action.objects.filter(source_gap=gap).exists()


def test_an_empty_title_is_refused_and_saves_nothing(lead_client, world):
    gap = EvidenceFactory(outcome=OutcomeFactory(plan=world.plan), kind="gap")
    response = lead_client.post(
        reverse("actions:gap_to_action", args=[gap.pk]),
        {"title": "   ", "lead_organisation": world.council.pk},
    )
    assert response.status_code == 200
    assert not Action.objects.filter(source_gap=gap).exists()
