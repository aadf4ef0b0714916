from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from improveplan.tests.factories import OrganisationFactory, PlanFactory
from outcomes.models import (
    Achievement,
    Comparator,
    ComparatorReading,
    Evidence,
    Indicator,
    Outcome,
    Proofing,
    Reading,
    Risk,
    Target,
)


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    plan = factory.SubFactory(PlanFactory)
    statement = factory.Sequence(lambda n: f"Outcome {n}")


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    outcome = factory.SubFactory(OutcomeFactory)
    plan = factory.SelfAttribute("outcome.plan")
    code = factory.Sequence(lambda n: f"IND-{n:03d}")
    name = factory.Sequence(lambda n: f"Indicator {n}")
    owner = factory.SubFactory(
        OrganisationFactory, partnership=factory.SelfAttribute("..plan.partnership")
    )
    unit = Indicator.Unit.PERCENT
    direction = Indicator.Direction.LOWER


class ReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reading

    indicator = factory.SubFactory(IndicatorFactory)
    period = factory.Sequence(lambda n: date(2000 + n % 90, 3, 31))
    value = Decimal("20.0")


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    indicator = factory.SubFactory(IndicatorFactory)
    baseline_value = Decimal("20.0")
    baseline_date = date(2024, 3, 31)
    target_value = Decimal("15.0")
    target_date = date(2029, 3, 31)


class ComparatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comparator

    indicator = factory.SubFactory(IndicatorFactory)
    name = factory.Sequence(lambda n: f"Comparator {n}")


class ComparatorReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComparatorReading

    comparator = factory.SubFactory(ComparatorFactory)
    period = date(2025, 3, 31)
    value = Decimal("18.5")


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    outcome = factory.SubFactory(OutcomeFactory)
    kind = Evidence.Kind.NEED
    summary = factory.Sequence(lambda n: f"Evidence {n}")


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk

    outcome = factory.SubFactory(OutcomeFactory)
    plan = factory.LazyAttribute(lambda risk: risk.outcome.plan)
    description = factory.Sequence(lambda n: f"Risk {n}")
    likelihood = 3
    impact = 4


class AchievementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Achievement

    outcome = factory.SubFactory(OutcomeFactory)
    statement = factory.Sequence(lambda n: f"Every family has what it needs ({n}).")


class ProofingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proofing

    outcome = factory.SubFactory(OutcomeFactory)
    topic = Proofing.Topic.RURAL
    finding = Proofing.Finding.NONE
