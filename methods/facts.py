"""What the walk and the lenses need to know of a plan, read in a fixed number of queries
whatever the plan's size, and handed to the pure modules as plain values."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Exists, Min, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from actions import services, smart, spending
from actions.models import Action, Milestone, Option
from improveplan import kept
from improveplan.models import Plan
from methods import lenses, walk
from outcomes.models import (
    ComparatorReading,
    Evidence,
    Indicator,
    Outcome,
    Proofing,
    Risk,
    Target,
    series_readings_subquery,
)


def plan_actions(plan: Plan):
    """The plan's actions with everything the SMART check and the lenses read."""
    return (
        Action.objects.filter(plan=plan)
        .select_related("lead_organisation", "owner", "success_indicator")
        .prefetch_related("outcomes", "supporting_organisations", "milestones", "depends_on")
    )


def smart_gaps(
    action: Action, *, milestones: int | None = None, outcomes: int | None = None
) -> tuple[str, ...]:
    """What the SMART check says an action lacks: from prefetched rows, or from the counts
    given (no query either way)."""
    facts = services.smart_facts(
        action,
        milestones=len(action.milestones.all()) if milestones is None else milestones,
        outcomes=outcomes,
    )
    return tuple(
        f"{finding.letter.label.lower()} ({', '.join(finding.reasons)})"
        for finding in smart.check(facts).failing
    )


def _count(rows) -> Coalesce:
    """How many of these rows there are, as a subquery of the outer query."""
    counted = rows.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")), 0)


def action_facts(action: Action) -> walk.ActionFacts:
    return walk.ActionFacts(action.pk, action.reference, action.title, smart_gaps(action))


def action_writers(action: Action) -> frozenset[int]:
    """The organisations whose partners may report on an action (from prefetched rows)."""
    return frozenset(
        [action.lead_organisation_id, *(o.pk for o in action.supporting_organisations.all())]
    )


def curve_facts(plan: Plan, indicators, actions) -> list[lenses.CurveFacts]:
    """Turn the Curve's facts for each of the given indicators of the plan, in a fixed number
    of queries; ``actions`` are the plan's actions, as ``plan_actions`` reads them."""
    indicators = list(
        indicators.select_related("outcome").annotate(
            reading_count=_count(series_readings_subquery()),
            target_count=Exists(Target.objects.filter(indicator=OuterRef("pk"))),
        )
    )
    ids = {indicator.outcome_id for indicator in indicators}
    story_kinds = (Evidence.Kind.CAUSE, Evidence.Kind.BARRIER, Evidence.Kind.OPPORTUNITY)
    story, works = set(), set()
    for outcome_id, kind, effect in Evidence.objects.filter(outcome_id__in=ids).values_list(
        "outcome_id", "kind", "effect"
    ):
        if kind in story_kinds:
            story.add(outcome_id)
        if kind == Evidence.Kind.INTERVENTION and effect:
            works.add(outcome_id)
    ideas, cheap = set(), set()
    for outcome_id, cost in (
        Option.objects.filter(outcome_id__in=ids)
        .exclude(decision=Option.Decision.NOT_FAVOURED)
        .values_list("outcome_id", "cost")
    ):
        ideas.add(outcome_id)
        if lenses.cost_band(cost):
            cheap.add(outcome_id)
    serving = defaultdict(list)
    for action in actions:
        for outcome in action.outcomes.all():
            serving[outcome.pk].append(action_facts(action))
    return [
        lenses.CurveFacts(
            indicator=lenses.Thing(indicator.pk, str(indicator), frozenset([indicator.owner_id])),
            outcome=lenses.Thing(indicator.outcome_id, indicator.outcome.statement),
            readings=indicator.reading_count,
            has_target=bool(indicator.target_count),
            story=indicator.outcome_id in story,
            ideas=indicator.outcome_id in ideas | works,
            cheap_idea=indicator.outcome_id in cheap,
            actions=tuple(serving[indicator.outcome_id]),
        )
        for indicator in indicators
    ]


def _indicator_facts(indicators) -> dict[int, tuple[int, walk.IndicatorFacts]]:
    """Each of these indicators' outcome and facts, in the queryset's order, in one query."""
    # Counted in subqueries: joining readings, comparator values and targets at once would
    # multiply them (60 readings × 60 comparator values a row per indicator).
    return {
        indicator.pk: (
            indicator.outcome_id,
            walk.IndicatorFacts(
                indicator.pk,
                str(indicator),
                indicator.reading_count,
                indicator.comparator_value_count,
                bool(indicator.target_count),
                indicator.first_comparator,
            ),
        )
        for indicator in indicators.annotate(
            reading_count=_count(series_readings_subquery()),
            comparator_value_count=_count(
                ComparatorReading.objects.filter(comparator__indicator=OuterRef("pk"))
            ),
            target_count=Exists(Target.objects.filter(indicator=OuterRef("pk"))),
            first_comparator=Min("comparators"),
        )
    }


def _action_facts(actions) -> dict[int, walk.ActionFacts]:
    """Each of these actions' facts, in the queryset's order, in one query: only what the
    SMART check reads, as counts, with no related manager's queryset for each action."""
    served = Action.outcomes.through.objects.filter(action=OuterRef("pk"))
    return {
        action.pk: walk.ActionFacts(
            action.pk,
            action.reference,
            action.title,
            smart_gaps(action, milestones=action.milestone_count, outcomes=action.outcome_count),
        )
        for action in actions.annotate(
            milestone_count=_count(Milestone.objects.filter(action=OuterRef("pk"))),
            outcome_count=_count(served),
        )
    }


def outcome_facts(
    plan: Plan, outcomes=None, actions=None, *, keep: bool = False, served=None
) -> list[walk.OutcomeFacts]:
    """The walk's facts for each outcome of the plan (or for the outcomes given). ``keep``
    keeps each indicator's and action's facts until it changes (improveplan/kept.py): for
    the plan's page, which reads every one of a plan's thousand actions. ``served`` is
    ``actions.spending.served_by_action`` when the page has it already."""
    outcomes = list(outcomes if outcomes is not None else plan.outcomes.all())
    ids = [outcome.pk for outcome in outcomes]
    indicators = defaultdict(list)
    in_outcomes = Indicator.objects.filter(outcome_id__in=ids)
    if keep:
        listed = dict(in_outcomes.values_list("pk", "outcome_id"))
        known = kept.values(
            "walk-indicator",
            model=Indicator,
            parts=dict.fromkeys(listed, ()),
            compute=lambda missing: {
                pk: facts
                for pk, (_, facts) in _indicator_facts(
                    Indicator.objects.filter(pk__in=missing)
                ).items()
            },
        )
        found = [(outcome_id, known[pk]) for pk, outcome_id in listed.items()]
    else:
        found = list(_indicator_facts(in_outcomes).values())
    for outcome_id, facts in found:
        indicators[outcome_id].append(facts)
    evidence = defaultdict(set)
    for outcome_id, kind in Evidence.objects.filter(outcome_id__in=ids).values_list(
        "outcome_id", "kind"
    ):
        evidence[outcome_id].add(kind)
    risks = dict(
        Risk.objects.filter(outcome_id__in=ids)
        .order_by()
        .values_list("outcome_id")
        .annotate(n=Count("pk"))
        .values_list("outcome_id", "n")
    )
    proofed = defaultdict(set)
    for outcome_id, topic in Proofing.objects.filter(outcome_id__in=ids).values_list(
        "outcome_id", "topic"
    ):
        proofed[outcome_id].add(topic)
    criteria = plan.criteria.count()
    options = defaultdict(list)
    for option in Option.objects.filter(outcome_id__in=ids).annotate(score_count=Count("scores")):
        options[option.outcome_id].append(
            walk.OptionFacts(
                option.pk,
                option.title,
                option.score_count,
                option.decision == Option.Decision.FAVOURED,
            )
        )
    by_outcome = defaultdict(list)
    if actions is None:
        # Each action's facts, kept (with ``keep``) until it changes: its row, milestones or
        # links. A plan may have a thousand actions, each with its SMART check.
        if served is None:
            served = spending.served_by_action(plan)
        if keep:
            # Only the actions that serve an outcome: the others' facts are shown nowhere.
            known = kept.values(
                "walk-action",
                model=Action,
                parts=dict.fromkeys(sorted(served), ()),
                compute=lambda missing: _action_facts(Action.objects.filter(pk__in=missing)),
            )
        else:
            known = _action_facts(Action.objects.filter(plan=plan))
        for pk, facts in known.items():
            for outcome_id in served.get(pk, ()):
                by_outcome[outcome_id].append(facts)
    else:
        for action in actions:
            facts = action_facts(action)
            for outcome in action.outcomes.all():
                by_outcome[outcome.pk].append(facts)
    return [
        walk.OutcomeFacts(
            pk=outcome.pk,
            statement=outcome.statement,
            indicators=tuple(indicators[outcome.pk]),
            evidence_kinds=frozenset(evidence[outcome.pk]),
            has_assumptions=bool(outcome.assumptions.strip()),
            risks=risks.get(outcome.pk, 0),
            criteria=criteria,
            options=tuple(options[outcome.pk]),
            actions=tuple(by_outcome[outcome.pk]),
            proofed=frozenset(proofed[outcome.pk]),
        )
        for outcome in outcomes
    ]


def plan_progress(
    plan: Plan, outcomes=None, *, keep: bool = False, served=None
) -> list[tuple[Outcome, walk.OutcomeProgress]]:
    outcomes = list(outcomes if outcomes is not None else plan.outcomes.all())
    found = outcome_facts(plan, outcomes, keep=keep, served=served)
    return [(outcome, walk.progress(facts)) for outcome, facts in zip(outcomes, found, strict=True)]
