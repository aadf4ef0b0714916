"""The demo's plan is published: anyone may read it, and the council's site may embed its
charts."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from improveplan.models import Plan
from publishing.models import Publication

pytestmark = pytest.mark.django_db


def test_the_demo_plan_has_a_public_page(client, settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    publication = Publication.objects.get()
    plan = Plan.objects.get(pk=publication.plan_id)
    response = client.get(reverse("publishing:plan", args=[plan.pk]))
    assert response.status_code == 200
    assert plan.title in response.content.decode()
    indicator = plan.indicators.first()
    embed = client.get(reverse("publishing:embed", args=[plan.pk, indicator.pk]))
    assert "frame-ancestors https://www.riverside.gov.uk" in embed["Content-Security-Policy"]
