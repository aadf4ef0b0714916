"""Issue 24 in the demo: the main plan's pooled budget, what each partner gives to it, its
allocations to the three outcomes, and one decision that moved money between them. Safe to
run again: the decision is made once, and what it changed is left as it stands."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from actions import spending
from actions.models import Allocation, Budget, Contribution, MoneyMove
from improveplan.models import Organisation, Plan, User

BUDGET = Decimal("3500000")
CASH, IN_KIND = Contribution.Kind.CASH, Contribution.Kind.IN_KIND
# Partner, cash or in kind, amount, note. They add up to the budget.
CONTRIBUTIONS = [
    ("Riverside Borough Council", CASH, "1750000", "Public health grant and adult social care"),
    ("Riverside Integrated Care Board", CASH, "1400000", "Better Care Fund share"),
    ("Riverside Integrated Care Board", IN_KIND, "100000", "Community nurses' time"),
    ("Riverside Community Housing", CASH, "150000", "Tenancy sustainment budget"),
    ("Eastshire Police – Riverside district", IN_KIND, "60000", "Neighbourhood officers' time"),
    ("Riverside Council for Voluntary Service", IN_KIND, "40000", "Volunteer coordination"),
]
# Each outcome's allocation as agreed, before the decision below moved money.
ALLOCATIONS = {
    "Fewer adults smoke": Decimal("700000"),
    "Older people live independently at home for longer": Decimal("1500000"),
    "Fewer households lose their home": Decimal("1150000"),
}
MOVE = {
    "from": "Fewer adults smoke",
    "to": "Older people live independently at home for longer",
    "amount": Decimal("80000"),
    "reason": "The smoking actions cost less than allowed for, and the reablement team needs "
    "agency staff over the winter while its recruitment catches up. Agreed at the October "
    "delivery group.",
    "on": datetime(2026, 10, 14, 11, 0),
}


def seed_money(
    plan: Plan, organisations: dict[str, Organisation], users_by_email: dict[str, User], *, by
) -> None:
    with transaction.atomic():
        Budget.objects.update_or_create(
            plan=plan, defaults={"amount": BUDGET, "note": "Agreed by the board in March 2026"}
        )
        for name, kind, amount, note in CONTRIBUTIONS:
            Contribution.objects.update_or_create(
                plan=plan,
                organisation=organisations[name],
                kind=kind,
                defaults={"amount": Decimal(amount), "note": note},
            )
        if MoneyMove.objects.filter(plan=plan).exists():
            return
        outcomes = {outcome.statement: outcome for outcome in plan.outcomes.all()}
        for statement, amount in ALLOCATIONS.items():
            Allocation.objects.update_or_create(
                plan=plan, outcome=outcomes[statement], defaults={"amount": amount}
            )
        move = spending.move_money(
            plan=plan,
            from_outcome=outcomes[MOVE["from"]],
            to_outcome=outcomes[MOVE["to"]],
            amount=MOVE["amount"],
            reason=MOVE["reason"],
            by=by,
        )
        move.decided_at = timezone.make_aware(MOVE["on"])
        move.save(update_fields=["decided_at"])
