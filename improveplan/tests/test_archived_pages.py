"""An archived plan's write pages refuse to open (a clear page, not a form that is refused
on submit): every page of the access sweep that writes into a plan, for leads and partners."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import World
from improveplan.models import Plan
from improveplan.tests.test_access_sweep import ROUTES, sweep_world  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

# Pages that write to the partnership rather than into one plan, and a peer reviewer's own.
NOT_IN_A_PLAN = {
    "improveplan:organisation_create",
    "improveplan:organisation_edit",
    "improveplan:invitation_create",
    "improveplan:membership_edit",
    "improveplan:membership_remove",
    "improveplan:plan_create",
    "reviews:health_check_create",
    "reviews:health_check_score",
    "reviews:peer_answers",
    # Issue 24: a new plan from a template, and next year's plan copied from this one, which
    # stays as it is (an archived plan may be copied forward: reviews/tests/test_next_year.py).
    "reviews:plan_from_template",
    "reviews:plan_carry_forward",
}
WRITE_PAGES = sorted(
    name
    for name, route in ROUTES.items()
    if route.writes and route.get and name not in NOT_IN_A_PLAN
)


@pytest.fixture
def w(request) -> World:
    """The access sweep's world: one of everything in the partnership's plan."""
    return request.getfixturevalue("sweep_world")


def _archive(w: World) -> None:
    Plan.objects.filter(pk=w.plan.pk).update(status=Plan.Status.ARCHIVED)


def test_the_sweep_finds_the_readings_pages():
    assert {
        "outcomes:reading_create",
        "outcomes:reading_edit",
        "outcomes:reading_delete",
        "outcomes:readings_import",
        "actions:import_xlsx",
    } <= set(WRITE_PAGES)


@pytest.mark.parametrize("name", WRITE_PAGES)
def test_a_write_page_of_an_archived_plan_does_not_open(w, name):
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(w))
    _archive(w)
    for person in [w.lead, w.partner] if route.partner_writes else [w.lead]:
        client = Client()
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 403, (name, person, response.status_code)
        page = response.content.decode()
        assert "This plan is archived, so it is read only" in page, name
        assert "<form" not in page.split("</header>", 1)[-1].split("<footer", 1)[0], name


def test_the_partners_update_form_is_not_offered_for_an_archived_plan(w):
    client = Client()
    client.force_login(w.partner)
    url = reverse("actions:update_form", args=[w.action.pk])
    assert "<form" in client.get(url).content.decode()
    _archive(w)
    refused = client.get(url).content.decode()
    assert "You can read this action but not post updates to it." in refused


def test_an_open_plan_still_opens_the_readings_pages_for_its_partner(w):
    client = Client()
    client.force_login(w.partner)
    for url in [
        reverse("outcomes:reading_create", args=[w.indicator.pk]),
        reverse("outcomes:reading_edit", args=[w.reading.pk]),
        reverse("outcomes:readings_import", args=[w.plan.pk]),
    ]:
        assert client.get(url).status_code == 200, url
