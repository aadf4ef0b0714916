"""The plan's money, worked out in plain Python (no Django): what each action commits and what
has been spent on it, summed by partner and by outcome, with what remains.

An action's money comes from its provider (or else its lead organisation). A cancelled action
commits nothing, though what was spent on it before it stopped stays spent. An action that
serves several outcomes has its money split evenly between them, to the penny, the odd pennies
going to the first, so that the outcomes' rows add up to the plan's total.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

PENNY = Decimal("0.01")


@dataclass(frozen=True)
class ActionMoney:
    """One action's money, as the table reads it."""

    partner: str
    outcomes: tuple[str, ...]  # the outcomes it serves, in the plan's order; () for none
    committed: Decimal  # its resources, or nothing when cancelled
    spent: Decimal  # every quarter's spend on it


@dataclass
class Row:
    name: str
    committed: Decimal = Decimal(0)
    spent: Decimal = Decimal(0)
    actions: int = 0

    @property
    def remaining(self) -> Decimal:
        return self.committed - self.spent


@dataclass
class Table:
    by_partner: list[Row] = field(default_factory=list)
    by_outcome: list[Row] = field(default_factory=list)
    total: Row = field(default_factory=lambda: Row("Total"))


def split(amount: Decimal, parts: int) -> list[Decimal]:
    """``amount`` in ``parts`` shares to the penny that add up to it exactly."""
    share = (amount / parts).quantize(PENNY, rounding=ROUND_DOWN)
    first = amount - share * (parts - 1)
    return [first] + [share] * (parts - 1)


NOT_LINKED = "Not linked to an outcome"


def resources_table(actions: Iterable[ActionMoney], *, outcomes: Iterable[str]) -> Table:
    """Committed, spent and remaining by partner (most committed first) and by outcome (in the
    plan's order, then money not linked to an outcome), and the plan's total."""
    table = Table()
    partners: dict[str, Row] = {}
    by_outcome: dict[str, Row] = {name: Row(name) for name in outcomes}
    for item in actions:
        row = partners.setdefault(item.partner, Row(item.partner))
        for target in (row, table.total):
            target.committed += item.committed
            target.spent += item.spent
            target.actions += 1
        served = item.outcomes or (NOT_LINKED,)
        for name, committed, spent in zip(
            served,
            split(item.committed, len(served)),
            split(item.spent, len(served)),
            strict=True,
        ):
            outcome = by_outcome.setdefault(name, Row(name))
            outcome.committed += committed
            outcome.spent += spent
            outcome.actions += 1
    table.by_partner = sorted(partners.values(), key=lambda row: (-row.committed, row.name))
    table.by_outcome = [row for row in by_outcome.values() if row.actions or row.name != NOT_LINKED]
    return table
