"""An action's updates come again when someone next acts on its page (issue 22): nothing
new costs one query of its own and no body; a new update comes whole."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from actions.tests.factories import ActionFactory, UpdateFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def action(world):
    return ActionFactory(plan=world.plan, lead_organisation=world.housing)


def test_an_update_posted_meanwhile_comes_when_asked_again(
    board_client, world, action, django_assert_num_queries
):
    UpdateFactory(action=action, author=world.partner, note="First")
    page = board_client.get(action.get_absolute_url()).content.decode()
    stamp = re.search(r'id="updates-\d+" data-live-url="[^"]+" data-live-stamp="([^"]+)"', page)[1]
    url = reverse("actions:updates_live", args=[action.pk])
    with django_assert_num_queries(5):  # session, person, action, membership, the update ids
        response = board_client.get(f"{url}?since={stamp}", headers=HTMX)
    assert response.status_code == 204 and response.content == b""
    UpdateFactory(action=action, author=world.partner, note="Second, from the partner")
    response = board_client.get(f"{url}?since={stamp}", headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Second, from the partner" in body and "First" in body
    assert 'data-live-stamp="2-' in body


def test_another_partnership_gets_nothing(outsider_client, action):
    url = reverse("actions:updates_live", args=[action.pk])
    assert outsider_client.get(f"{url}?since=0-0", headers=HTMX).status_code == 404
