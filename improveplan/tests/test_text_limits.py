"""Every text field has a maximum a person would accept: the models say it, the forms show it
and refuse more with a clear message, changing nothing."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from improveplan.limits import LONG_TEXT
from outcomes.models import Outcome

pytestmark = pytest.mark.django_db

OUR_APPS = ("improveplan", "outcomes", "actions", "methods", "reviews")


def test_every_text_field_has_a_maximum():
    unbounded = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
        for field in model._meta.get_fields()
        if isinstance(field, models.CharField | models.TextField) and not field.max_length
    ]
    assert unbounded == []


def test_a_two_million_character_why_it_matters_is_refused_and_changes_nothing(lead_client, world):
    outcome = Outcome.objects.create(
        plan=world.plan, statement="People live well at home", why_it_matters="Falls cost."
    )
    url = reverse("outcomes:outcome_edit", args=[outcome.pk])

    response = lead_client.post(
        url,
        {
            "statement": "People live well at home",
            "why_it_matters": "x" * 2_000_000,
            "priority": 1,
        },
    )

    assert response.status_code == 200
    assert "Ensure this value has at most 10000 characters (it has 2000000)." in (
        response.content.decode()
    )
    outcome.refresh_from_db()
    assert outcome.why_it_matters == "Falls cost."


def test_the_form_shows_the_limit(lead_client, world):
    outcome = Outcome.objects.create(plan=world.plan, statement="People live well at home")
    page = lead_client.get(reverse("outcomes:outcome_edit", args=[outcome.pk])).content.decode()
    assert f'maxlength="{LONG_TEXT}"' in page
    assert "At most 10,000 characters." in page


def test_a_counted_title_says_its_limit_once(lead_client, world):
    page = lead_client.get(reverse("actions:action_create", args=[world.plan.pk])).content.decode()
    assert 'data-limit="200"' in page
    assert "At most 200 characters." in page
    assert "Up to 200 characters." not in page, "the limit said twice"
