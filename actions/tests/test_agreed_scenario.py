"""The agreed scenario is kept with the plan version that agreed it, and the board report sets
it against the trend (issue 26)."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from actions.models import ExpectedEffect, Scenario
from actions.tests.scenario_world import families_in_temporary_accommodation
from actions.versions import plan_agree
from improveplan.models import PlanVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(world):
    return families_in_temporary_accommodation(world)


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def agreed(world, setting):
    _indicator, action, factor = setting
    scenario = Scenario.objects.create(plan=world.plan, name="Leases and the freeze", agreed=True)
    scenario.actions.add(action)
    scenario.external_factors.add(factor)
    Scenario.objects.create(plan=world.plan, name="Leases only").actions.add(action)
    return scenario


def test_the_version_keeps_the_agreed_scenario_as_it_stood(lead_client, world, agreed):
    version = plan_agree(plan=world.plan, by=world.lead)
    [kept] = version.snapshot["scenarios"]
    assert kept["name"] == "Leases and the freeze"
    # Later edits change the scenario, its action's effect and its factor, not the version.
    agreed.name = "Renamed later"
    agreed.save()
    ExpectedEffect.objects.update(size=-40, low=-45, high=-35)
    agreed.external_factors.clear()
    page = text(lead_client.get(reverse("improveplan:plan_version", args=[world.plan.pk, 1])))
    section = page.split("Agreed scenario")[1]
    assert "“Leases and the freeze”, as it stood when this version was agreed" in section
    reference = agreed.actions.get().reference
    assert f"{reference} Lease homes: -25 (-30 to -15) on HS-02 from 1 April 2025" in section
    assert "Allowance frozen: 15 (5 to 25) on HS-02 from 1 April 2025" in section
    # The later effect, as the page would print it; a bare "-40" would also match a reference
    # such as A-402.
    assert "Renamed later" not in page and "-40 (-45 to -35)" not in page


def test_the_comparison_shows_what_changed_in_the_agreed_scenario(lead_client, world, agreed):
    plan_agree(plan=world.plan, by=world.lead)
    agreed.external_factors.clear()
    response = lead_client.get(
        reverse("improveplan:plan_versions", args=[world.plan.pk]), {"old": 1, "new": "draft"}
    )
    page = text(response)
    assert "Changed: Leases and the freeze" in page
    assert "External factors it assumes Allowance frozen: 15 (5 to 25)" in page


def test_agreeing_another_scenario_is_a_new_version(world, agreed):
    plan_agree(plan=world.plan, by=world.lead)
    agreed.agreed = False
    agreed.save()
    Scenario.objects.filter(name="Leases only").update(agreed=True)
    plan_agree(plan=world.plan, by=world.lead)
    second = PlanVersion.objects.get(plan=world.plan, number=2)
    assert [item["name"] for item in second.snapshot["scenarios"]] == ["Leases only"]


def test_a_version_without_an_agreed_scenario_says_so(lead_client, world, setting):
    plan_agree(plan=world.plan, by=world.lead)
    page = text(lead_client.get(reverse("improveplan:plan_version", args=[world.plan.pk, 1])))
    assert "None was agreed with this version." in page
