"""Named scenarios compared at the target date (issue 26)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from actions.models import Scenario
from actions.tests.factories import ActionFactory
from actions.tests.scenario_world import families_in_temporary_accommodation
from improveplan.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(world):
    return families_in_temporary_accommodation(world)


def test_a_lead_saves_two_scenarios_and_compares_them(lead_client, world, setting):
    _, action, factor = setting
    create = reverse("actions:scenario_create", args=[world.plan.pk])
    response = lead_client.post(create, {"name": "Only the funded actions", "actions": [action.pk]})
    assert response.status_code == 302
    lead_client.post(
        create,
        {
            "name": "Allowance frozen too",
            "actions": [action.pk],
            "external_factors": [factor.pk],
            "agreed": "on",
        },
    )
    assert Scenario.objects.get(agreed=True).name == "Allowance frozen too"
    html = lead_client.get(reverse("actions:scenarios", args=[world.plan.pk])).content.decode()
    rows = {
        name: int(html.split(f"{name}</th><td>")[1].split("<")[0])
        for name in ("The trend alone", "Only the funded actions", "Allowance frozen too")
    }
    assert rows["The trend alone"] - rows["Only the funded actions"] == 25
    assert rows["Allowance frozen too"] - rows["Only the funded actions"] == 15
    assert "Allowance frozen too (agreed)" in html
    assert 'class="scenario"' in html and "Target 200." in html


def test_agreeing_a_scenario_sets_the_other_aside(lead_client, world, setting):
    first = Scenario.objects.create(plan=world.plan, name="First", agreed=True)
    lead_client.post(
        reverse("actions:scenario_create", args=[world.plan.pk]), {"name": "Second", "agreed": "on"}
    )
    first.refresh_from_db()
    assert not first.agreed
    assert Scenario.objects.get(agreed=True).name == "Second"


def test_another_plans_actions_and_factors_cannot_be_chosen(lead_client, world, setting):
    elsewhere = ActionFactory(plan=PlanFactory())
    response = lead_client.post(
        reverse("actions:scenario_create", args=[world.plan.pk]),
        {"name": "Mixed", "actions": [elsewhere.pk]},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Scenario.objects.exists()


def test_a_name_used_twice_is_refused(lead_client, world, setting):
    Scenario.objects.create(plan=world.plan, name="Only the funded actions")
    response = lead_client.post(
        reverse("actions:scenario_create", args=[world.plan.pk]),
        {"name": "only the funded actions"},
    )
    assert "This plan has a scenario of that name already." in response.content.decode()
    assert Scenario.objects.count() == 1


def test_partners_may_read_but_not_save_scenarios(partner_client, world, setting):
    assert partner_client.get(reverse("actions:scenarios", args=[world.plan.pk])).status_code == 200
    response = partner_client.post(
        reverse("actions:scenario_create", args=[world.plan.pk]), {"name": "Mine"}
    )
    assert response.status_code == 403
    assert not Scenario.objects.exists()
