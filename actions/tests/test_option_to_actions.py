"""A favoured option turned into actions copies each field to its matching field, and only
those (issue 15, item 11)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from actions.models import Action, Option
from actions.services import OPTION_TO_ACTION
from actions.tests.factories import OptionFactory
from outcomes.tests.factories import OutcomeFactory

pytestmark = pytest.mark.django_db

# Every field an action takes from its option, by name: a change to the mapping shows here.
MAPPED = {
    "description": "description",
    "pilot_evaluation": "monitoring",
}


def test_the_mapping_is_the_one_listed_here():
    assert OPTION_TO_ACTION == MAPPED


def test_an_action_made_from_an_option_carries_each_field_where_it_belongs(lead_client, world):
    outcome = OutcomeFactory(plan=world.plan, statement="Fewer households lose their home")
    option = OptionFactory(
        outcome=outcome,
        title="Mediation for families",
        description="Trained mediators meet families before an eviction notice.",
        evidence="A pilot in Leeds halved family evictions.",
        cost=Decimal("90000"),
        is_pilot=True,
        pilot_evaluation="Evictions compared with the year before, every quarter.",
        exit_plan="",
        decision=Option.Decision.FAVOURED,
        decision_reason="Strong evidence, modest cost.",
    )
    response = lead_client.post(
        reverse("actions:option_to_actions", args=[option.pk]),
        {"titles": "Recruit two mediators", "lead_organisation": world.housing.pk},
    )
    assert response.status_code == 302
    action = Action.objects.get(option=option)
    for source, to in MAPPED.items():
        assert getattr(action, to) == getattr(option, source), to
    assert list(action.outcomes.all()) == [outcome]
    # The evidence it will work is not what the action is expected to achieve: the lead
    # writes that; the evidence stays on the option the action links to.
    assert action.expected_outcomes == ""
    assert option.evidence not in {getattr(action, f.attname) for f in Action._meta.fields}
    # The option's cost is for the whole option, not committed to each action made from it.
    assert action.resource_amount is None
    page = lead_client.get(action.get_absolute_url()).content.decode()
    assert "Evictions compared with the year before, every quarter." in page
