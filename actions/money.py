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

from outcomes.units import format_money

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
        row = partners.get(item.partner) or partners.setdefault(item.partner, Row(item.partner))
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
            outcome = by_outcome.get(name) or by_outcome.setdefault(name, Row(name))
            outcome.committed += committed
            outcome.spent += spent
            outcome.actions += 1
    table.by_partner = sorted(partners.values(), key=lambda row: (-row.committed, row.name))
    table.by_outcome = [row for row in by_outcome.values() if row.actions or row.name != NOT_LINKED]
    return table


# The pooled budget ------------------------------------------------------------------------


@dataclass(frozen=True)
class Given:
    """One partner's contribution to the pooled budget."""

    partner: str
    kind: str  # "Cash" or "In kind"
    amount: Decimal
    note: str = ""


@dataclass
class OutcomeMoney:
    """An outcome's allocation beside what its actions commit and have spent."""

    name: str
    allocated: Decimal = Decimal(0)
    committed: Decimal = Decimal(0)
    spent: Decimal = Decimal(0)

    @property
    def uncommitted(self) -> Decimal:
        """Allocated but not yet committed by an action (below nothing: over-committed)."""
        return self.allocated - self.committed

    @property
    def remaining(self) -> Decimal:
        """Allocated and not yet spent."""
        return self.allocated - self.spent


@dataclass
class Pool:
    budget: Decimal | None  # None: no pooled budget set
    contributions: list[Given] = field(default_factory=list)
    by_outcome: list[OutcomeMoney] = field(default_factory=list)
    total: OutcomeMoney = field(default_factory=lambda: OutcomeMoney("Total"))

    @property
    def contributed(self) -> Decimal:
        return sum((given.amount for given in self.contributions), Decimal(0))

    @property
    def cash(self) -> Decimal:
        return sum((g.amount for g in self.contributions if g.kind == "Cash"), Decimal(0))

    @property
    def in_kind(self) -> Decimal:
        return self.contributed - self.cash

    @property
    def not_pledged(self) -> Decimal:
        """How much of the budget no partner has pledged yet (below nothing: pledged beyond
        it)."""
        return (self.budget or Decimal(0)) - self.contributed

    @property
    def over_pledged(self) -> Decimal:
        return -self.not_pledged

    @property
    def allocated(self) -> Decimal:
        return self.total.allocated

    @property
    def unallocated(self) -> Decimal:
        return (self.budget or Decimal(0)) - self.allocated


def pool(
    budget: Decimal | None,
    contributions: Iterable[Given],
    allocations: dict[str, Decimal],
    table: Table,
) -> Pool:
    """The pooled budget, what each partner gives to it, and each outcome's allocation beside
    what its actions commit and have spent (``table``'s outcome rows, in their order: money
    not linked to an outcome has no allocation)."""
    result = Pool(budget=budget, contributions=list(contributions))
    for row in table.by_outcome:
        outcome = OutcomeMoney(
            row.name,
            allocated=allocations.get(row.name, Decimal(0)),
            committed=row.committed,
            spent=row.spent,
        )
        result.by_outcome.append(outcome)
        result.total.allocated += outcome.allocated
        result.total.committed += outcome.committed
        result.total.spent += outcome.spent
    return result


def allocation_problem(
    budget: Decimal | None, allocated_elsewhere: Decimal, amount: Decimal
) -> str:
    """Why an outcome may not be allocated ``amount`` (others have ``allocated_elsewhere``),
    or "" when it may."""
    if budget is None:
        return "Set the plan's pooled budget before allocating it to outcomes."
    free = budget - allocated_elsewhere
    if amount > free:
        return (
            f"That is more than the pooled budget has left: {format_money(budget)} less "
            f"{format_money(allocated_elsewhere)} allocated to other outcomes leaves "
            f"{format_money(free)}."
        )
    return ""
