from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from improveplan.tests.factories import PartnershipFactory, PlanFactory, UserFactory
from reviews.models import HealthCheck, PeerReviewer, Review


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    plan = factory.SubFactory(PlanFactory)
    period_start = date(2026, 10, 1)
    period_end = date(2026, 12, 31)
    meets_on = date(2026, 12, 1)


class HealthCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthCheck

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Health check {2020 + n}")
    opened_on = date(2026, 1, 15)


class PeerReviewerFactory(factory.django.DjangoModelFactory):
    """A peer reviewer who has taken up their link and may read the plan for a month."""

    class Meta:
        model = PeerReviewer

    plan = factory.SubFactory(PlanFactory)
    user = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(lambda reviewer: reviewer.user.email if reviewer.user else "")
    name = factory.LazyAttribute(lambda reviewer: reviewer.user.full_name if reviewer.user else "")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    accepted_at = factory.LazyFunction(timezone.now)
