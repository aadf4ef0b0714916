from __future__ import annotations

from datetime import date

import factory

from actions.models import Action, Criterion, Finding, Milestone, Option, Score, Update
from improveplan.tests.factories import OrganisationFactory, PlanFactory
from outcomes.tests.factories import OutcomeFactory


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    plan = factory.SubFactory(PlanFactory)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    weight = 3


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Option

    outcome = factory.SubFactory(OutcomeFactory)
    title = factory.Sequence(lambda n: f"Option {n}")


class ScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Score

    option = factory.SubFactory(OptionFactory)
    criterion = factory.SubFactory(
        CriterionFactory, plan=factory.SelfAttribute("..option.outcome.plan")
    )
    score = 3


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    reference = factory.LazyAttribute(lambda a: f"A-{a.number:02d}")
    title = factory.Sequence(lambda n: f"Action {n}")
    lead_organisation = factory.SubFactory(
        OrganisationFactory, partnership=factory.SelfAttribute("..plan.partnership")
    )
    start = date(2026, 4, 1)
    due = date(2027, 3, 31)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    action = factory.SubFactory(ActionFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due = date(2026, 9, 30)


class UpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Update

    action = factory.SubFactory(ActionFactory)
    status = Action.Status.ON_TRACK
    progress = 20
    note = "Going to plan."


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    plan = factory.SubFactory(PlanFactory)
    key_question = Finding.KeyQuestion.SAFE
    summary = factory.Sequence(lambda n: f"Finding {n}")
