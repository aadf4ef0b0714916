"""The accessibility statement: public, linked from every page's footer, and kept true."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

STATEMENT = reverse("improveplan:accessibility")
FOOTER_LINK = f'<a href="{STATEMENT}">Accessibility statement</a>'


def test_anyone_may_read_the_statement_without_signing_in(client):
    response = client.get(STATEMENT)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Accessibility statement</h1>" in page
    assert "partially compliant" in page
    assert "Equality and Human Rights Commission" in page
    assert "Equality Commission for Northern Ireland" in page
    assert "last tested on 23 November 2026" in page


def test_the_statement_names_the_contact_when_one_is_set(client, settings):
    settings.ACCESSIBILITY_CONTACT = "access@plans.example.org"
    page = client.get(STATEMENT).content.decode()
    assert '<a href="mailto:access@plans.example.org">access@plans.example.org</a>' in page


def test_without_a_contact_it_says_whom_to_tell(client):
    assert "tell your partnership's lead" in client.get(STATEMENT).content.decode().replace(
        "&#x27;", "'"
    )


def test_the_statement_is_only_read(client):
    assert client.post(STATEMENT).status_code == 405


@pytest.mark.parametrize("name", ["login", "password_reset", "improveplan:accessibility"])
def test_the_footer_links_to_it_when_signed_out(client, name):
    assert FOOTER_LINK in client.get(reverse(name)).content.decode()


def test_the_footer_links_to_it_when_signed_in(lead_client, world):
    for url in (reverse("improveplan:home"), world.plan.get_absolute_url()):
        assert FOOTER_LINK in lead_client.get(url).content.decode()


def test_the_footer_links_to_it_on_the_page_not_found(outsider_client, world):
    response = outsider_client.get(world.plan.get_absolute_url())
    assert response.status_code == 404
    assert FOOTER_LINK in response.content.decode()
