"""A plan's money read from the database, for every page and report that shows it: the sums
themselves are actions/money.py's."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from actions import money
from actions.models import Action, Spend


def spent_by_action(plan, *, until: date | None = None) -> dict[int, Decimal]:
    """Each action's spend, to ``until`` (or all), in one query."""
    spends = Spend.objects.filter(action__plan=plan)
    if until is not None:
        spends = spends.filter(quarter__lte=until)
    spent: dict[int, Decimal] = defaultdict(Decimal)
    for action_id, amount in spends.values_list("action_id", "amount"):
        spent[action_id] += amount
    return spent


def resources_of(actions, outcomes, served: dict[int, set[int]], spent) -> money.Table:
    """The table for actions already loaded (with their lead organisation and provider), the
    plan's outcomes in order, the outcome ids each action serves, and ``spent_by_action``."""
    order = {outcome.pk: position for position, outcome in enumerate(outcomes)}
    names = {outcome.pk: outcome.statement for outcome in outcomes}
    return money.resources_table(
        (
            money.ActionMoney(
                partner=str(action.resource_provider or action.lead_organisation),
                outcomes=tuple(
                    names[pk] for pk in sorted(served.get(action.pk, ()), key=order.get)
                ),
                committed=(action.resource_amount or Decimal(0)) if action.is_live else Decimal(0),
                spent=spent.get(action.pk, Decimal(0)),
            )
            for action in actions
        ),
        outcomes=names.values(),
    )


def plan_resources(plan, *, until: date | None = None) -> money.Table:
    """Committed, spent (to ``until``, or all) and remaining, by partner and by outcome, in
    four queries however many actions."""
    actions = list(
        Action.objects.filter(plan=plan).select_related("lead_organisation", "resource_provider")
    )
    served: dict[int, set[int]] = defaultdict(set)
    for action_id, outcome_id in Action.outcomes.through.objects.filter(
        action__plan=plan
    ).values_list("action_id", "outcome_id"):
        served[action_id].add(outcome_id)
    outcomes = list(plan.outcomes.all())
    return resources_of(actions, outcomes, served, spent_by_action(plan, until=until))
