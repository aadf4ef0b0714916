"""After a session ends, signing in again leads back to the page the person was on, never to
the address a form was sent to (issue 16, item 2): that address may answer POST only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from actions.tests.factories import ActionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def update_url(world):
    action = ActionFactory(plan=world.plan, lead_organisation=world.housing)
    return action, reverse("actions:update_create", args=[action.pk])


def test_a_form_sent_without_a_session_signs_in_back_to_its_page(client, update_url):
    action, url = update_url
    page = f"http://testserver{action.get_absolute_url()}?next=/plans/1/"
    response = client.post(url, {"note": "typed"}, headers={"Referer": page})
    assert response.status_code == 302
    assert response["Location"] == (
        f"/account/sign-in/?next=%2Factions%2F{action.pk}%2F%3Fnext%3D%2Fplans%2F1%2F"
    )


@pytest.mark.parametrize("referer", [None, "https://elsewhere.example/actions/1/"])
def test_without_a_page_of_this_site_to_return_to_it_is_the_home_page(client, update_url, referer):
    _, url = update_url
    headers = {"Referer": referer} if referer else {}
    response = client.post(url, {"note": "typed"}, headers=headers)
    assert response["Location"] == "/account/sign-in/?next=%2F"


def test_an_in_place_form_gets_a_short_answer_with_a_sign_in_link(client, update_url):
    _, url = update_url
    response = client.post(
        url,
        {"note": "typed"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/my-actions/"},
    )
    assert response.status_code == 401
    text = response.content.decode()
    assert "Your session has ended, so this is not saved yet." in text
    assert 'href="/account/sign-in/?next=%2Fmy-actions%2F"' in text
    assert "<footer" not in text  # not the whole sign-in page


def test_a_page_asked_for_without_a_session_still_signs_in_back_to_itself(client, world):
    response = client.get(world.plan.get_absolute_url())
    assert response["Location"] == f"/account/sign-in/?next=/plans/{world.plan.pk}/"
