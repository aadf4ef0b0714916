"""The demo's reviews: enough for a dry run of the reminders to show every kind."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from reviews.models import DigestClaim, HealthCheck, Review
from reviews.reminders import HEADINGS

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())


def test_a_dry_run_on_the_demo_shows_every_kind_of_reminder(demo):
    out = StringIO()
    call_command("send_reminders", "--dry-run", stdout=out)
    printed = out.getvalue()
    for heading in HEADINGS.values():
        assert f"  {heading}:" in printed, heading
    assert "hillside@demo" not in printed
    assert not DigestClaim.objects.exists()


def test_the_demo_has_a_signed_off_review_with_decisions_and_a_health_check(demo):
    past = Review.objects.filter(signed_off_at__isnull=False).get()
    assert past.decisions.count() == 2 and past.judgements.count() == 2
    assert Review.objects.filter(signed_off_at__isnull=True).count() == 1
    assert HealthCheck.objects.count() == 2
    call_command("seed_demo", stdout=StringIO())  # again: nothing doubles
    assert Review.objects.count() == 2 and HealthCheck.objects.count() == 2
