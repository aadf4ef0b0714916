from __future__ import annotations

from datetime import date

import factory

from improveplan.tests.factories import PartnershipFactory, PlanFactory
from reviews.models import HealthCheck, Review


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
