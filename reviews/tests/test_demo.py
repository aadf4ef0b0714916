"""The demo's reviews: enough for a dry run of the reminders to show every kind."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from improveplan.models import Partnership, User
from reviews.models import DigestClaim, HealthCheck, PeerAnswer, PeerReviewer, Review
from reviews.reminders import HEADINGS, Kind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def debug_on(settings):
    """As when a developer runs seed_demo (the tests run it again); the demo itself is the root
    conftest's, seeded once for the tests in a row."""
    settings.DEBUG = True


def test_a_dry_run_on_the_demo_shows_every_kind_of_reminder(demo):
    out = StringIO()
    call_command("send_reminders", "--dry-run", stdout=out)
    printed = out.getvalue()
    for kind, heading in HEADINGS.items():
        if kind != Kind.KEY:  # only on Mondays: below
            assert f"  {heading}:" in printed, heading
    assert "hillside@demo" not in printed
    assert not DigestClaim.objects.exists()


def test_a_dry_run_on_a_monday_reminds_the_demos_key_action_owners(demo):
    today = timezone.localdate()
    monday = today + timedelta(days=-today.weekday() % 7)
    out = StringIO()
    call_command("send_reminders", "--dry-run", "--date", monday.isoformat(), stdout=out)
    printed = out.getvalue()
    assert f"  {HEADINGS[Kind.KEY]}:" in printed
    assert "Lease 30 homes from private landlords" in printed


def test_the_demo_has_a_signed_off_review_with_decisions_and_a_health_check(demo):
    past = Review.objects.filter(signed_off_at__isnull=False).get()
    assert past.decisions.count() == 2 and past.judgements.count() == 2
    assert Review.objects.filter(signed_off_at__isnull=True).count() == 1
    assert HealthCheck.objects.count() == 2
    call_command("seed_demo", stdout=StringIO())  # again: nothing doubles
    assert Review.objects.count() == 2 and HealthCheck.objects.count() == 2


def test_the_demo_has_a_peer_reviewer_who_reads_the_plan_only_and_whose_answers_members_read(
    demo, client
):
    reviewer = PeerReviewer.objects.get()
    assert reviewer.is_live and reviewer.submitted_at and reviewer.answers.count() == 4
    plan = reviewer.plan
    client.force_login(reviewer.user)
    assert client.get(plan.get_absolute_url()).status_code == 200
    assert client.get(plan.partnership.get_absolute_url()).status_code == 404
    for other in plan.partnership.plans.exclude(pk=plan.pk):
        assert client.get(other.get_absolute_url()).status_code == 404
    hillside = Partnership.objects.exclude(pk=plan.partnership_id).get()
    assert client.get(hillside.get_absolute_url()).status_code == 404

    client.force_login(User.objects.get(email="board@demo.improveplan.test"))
    page = client.get(reverse("reviews:peer_challenge", args=[plan.pk])).content.decode()
    assert "Grace Okafor" in page and "fire service" in page

    call_command("seed_demo", stdout=StringIO())  # again: nothing doubles
    assert PeerReviewer.objects.count() == 1 and PeerAnswer.objects.count() == 4


def test_the_demo_has_a_lessons_library_and_a_plan_wide_risk_register(demo, client):
    """Issue 24: the demo's lessons across its plans, and its register's risks to the whole
    plan, one of them past its review date."""
    lead = User.objects.get(email="lead@demo.improveplan.test")
    client.force_login(lead)
    partnership = Partnership.objects.get(memberships__user=lead, name__startswith="Riverside")
    page = client.get(reverse("reviews:lessons", args=[partnership.pk])).content.decode()
    assert page.count('class="card mb-2"') >= 4
    plan = partnership.plans.get(title__startswith="Healthier Riverside")
    register = client.get(reverse("actions:risk_register", args=[plan.pk])).content.decode()
    assert "The whole plan" in register and "Review overdue" in register
    assert plan.risks.filter(outcome__isnull=True).count() == 2
