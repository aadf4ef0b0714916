"""A plan's money read from the database, for every page and report that shows it: the sums
themselves are actions/money.py's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from actions import money
from actions.models import Action, Allocation, Budget, Contribution, MoneyMove, Spend
from outcomes.units import format_money as money_text


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
    return _table(
        (
            (
                action.pk,
                str(action.resource_provider or action.lead_organisation),
                action.resource_amount,
                action.is_live,
            )
            for action in actions
        ),
        outcomes,
        served,
        spent,
    )


def _table(
    actions: Iterable[tuple[int, str, Decimal | None, bool]],
    outcomes,
    served: dict[int, set[int]],
    spent,
) -> money.Table:
    """The table for each action's id, partner (its provider, else its lead organisation),
    resources and whether it is live."""
    order = {outcome.pk: position for position, outcome in enumerate(outcomes)}
    names = {outcome.pk: outcome.statement for outcome in outcomes}
    return money.resources_table(
        (
            money.ActionMoney(
                partner=partner,
                outcomes=tuple(
                    names[pk] for pk in sorted(served.get(action_id, ()), key=order.get)
                ),
                committed=(amount or Decimal(0)) if live else Decimal(0),
                spent=spent.get(action_id, Decimal(0)),
            )
            for action_id, partner, amount, live in actions
        ),
        outcomes=names.values(),
    )


def served_by_action(plan) -> dict[int, set[int]]:
    """The ids of the outcomes each of the plan's actions serves (only actions that serve
    one), in one query."""
    served: dict[int, set[int]] = defaultdict(set)
    for action_id, outcome_id in Action.outcomes.through.objects.filter(
        action__plan=plan
    ).values_list("action_id", "outcome_id"):
        served[action_id].add(outcome_id)
    return served


def plan_resources(
    plan, *, until: date | None = None, outcomes=None, served: dict[int, set[int]] | None = None
) -> money.Table:
    """Committed, spent (to ``until``, or all) and remaining, by partner and by outcome, in
    four queries however many actions (fewer given the plan's ``outcomes`` in order and
    ``served_by_action``), read as plain rows (a plan may have a thousand)."""
    rows = Action.objects.filter(plan=plan).values_list(
        "pk", "resource_provider__name", "lead_organisation__name", "resource_amount", "status"
    )
    served = served_by_action(plan) if served is None else served
    outcomes = list(plan.outcomes.all()) if outcomes is None else outcomes
    return _table(
        (
            (pk, lead if provider is None else provider, amount, Action.live_status(status))
            for pk, provider, lead, amount, status in rows
        ),
        outcomes,
        served,
        spent_by_action(plan, until=until),
    )


def pool_of(plan, table: money.Table) -> money.Pool:
    """The plan's pooled budget, its partners' contributions and its outcomes' allocations
    beside ``table`` (``plan_resources`` or ``resources_of``), in three queries."""
    budget = Budget.objects.filter(plan=plan).values_list("amount", flat=True).first()
    contributions = [
        money.Given(
            partner=item.organisation.name,
            kind=item.get_kind_display(),
            amount=item.amount,
            note=item.note,
        )
        for item in Contribution.objects.filter(plan=plan).select_related("organisation")
    ]
    allocations = dict(
        Allocation.objects.filter(plan=plan).values_list("outcome__statement", "amount")
    )
    return money.pool(budget, contributions, allocations, table)


def moves_of(plan, *, until: date | None = None) -> list[MoneyMove]:
    """The decisions that moved money between outcomes (made by the end of ``until``, or
    all), newest first, in one query."""
    moves = MoneyMove.objects.filter(plan=plan).select_related("decided_by")
    if until is not None:
        moves = moves.filter(decided_at__date__lte=until)
    return list(moves)


@transaction.atomic
def move_money(*, plan, from_outcome, to_outcome, amount: Decimal, reason: str, by) -> MoneyMove:
    """Move ``amount`` from one outcome's allocation to another's, and record the decision:
    both allocations change and the decision is kept, or nothing changes."""
    if from_outcome.pk == to_outcome.pk:
        raise ValidationError("Choose two different outcomes.")
    if amount <= 0:
        raise ValidationError("Move more than nothing.")
    # Both rows locked in one order, so two moves the other way round cannot deadlock.
    locked = {
        allocation.outcome_id: allocation
        for allocation in Allocation.objects.select_for_update()
        .filter(plan=plan, outcome__in=[from_outcome, to_outcome])
        .order_by("outcome_id")
    }
    source = locked.get(from_outcome.pk)
    held = source.amount if source else Decimal(0)
    if amount > held:
        raise ValidationError(
            f"At most {money_text(held)} can be moved from “{from_outcome.statement}”: "
            "that is all it has allocated."
        )
    target = locked.get(to_outcome.pk) or Allocation(plan=plan, outcome=to_outcome, amount=0)
    source.amount -= amount
    source.save(update_fields=["amount"])
    target.amount += amount
    target.save()
    return MoneyMove.objects.create(
        plan=plan,
        from_outcome=from_outcome,
        to_outcome=to_outcome,
        from_name=from_outcome.statement,
        to_name=to_outcome.statement,
        amount=amount,
        reason=reason,
        decided_by=by,
    )
