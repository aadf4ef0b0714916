"""How a figure reads, one function per unit, for every page, chart, PDF and email.

A count is a whole number ("2,205", never "2,205.0"), money is pounds before the number
("£15,808"), a percentage has one decimal place ("61.2%"), and a difference between two
percentages is in percentage points ("1.3 percentage points", not "1.3%"). Templates reach
these through the filters in outcomes/templatetags/units.py; an indicator through
``Indicator.measure``.

Plain Python, no Django, like the arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


def _number(value: float | Decimal, decimals: int) -> str:
    """Rounded half up from the figure as written (61.25 is 61.3, as a reader rounds it, where
    float rounding would give 61.2), with thousands separators and never "-0"."""
    if not math.isfinite(value) or abs(value) >= 1e15:  # past what a reading can hold
        return f"{float(value):,.{decimals}f}"
    written = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    rounded = written.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP) + 0
    return f"{rounded:,.{decimals}f}"


def format_count(value: float | Decimal) -> str:
    """People, incidents, homes: whole numbers with thousands separators, "2,205"."""
    return _number(value, 0)


def format_percent(value: float | Decimal) -> str:
    return f"{_number(value, 1)}%"


def format_percentage_points(value: float | Decimal) -> str:
    """The difference between two percentages: "1.3 percentage points"."""
    return f"{_number(value, 1)} percentage points"


def format_money(value: float | Decimal) -> str:
    """Whole pounds, the sign before the pound sign: "£15,808", "-£250"."""
    number = _number(abs(value), 0)
    return f"-£{number}" if number != "0" and value < 0 else f"£{number}"


def format_rate(value: float | Decimal, per: int | None) -> str:
    """A rate per so many people: "12.4 per 1,000"."""
    number = _number(value, 1)
    return f"{number} per {per:,}" if per else number


def format_days(value: float | Decimal) -> str:
    return f"{_number(value, 1)} days"


def format_score(value: float | Decimal) -> str:
    return _number(value, 1)


@dataclass(frozen=True)
class Measure:
    """The unit of an indicator, able to write its figures. `unit` takes the values of
    Indicator.Unit: percent, count, rate, money, days, score."""

    unit: str
    per: int | None = None

    def value(self, value: float | Decimal) -> str:
        if self.unit == "percent":
            return format_percent(value)
        if self.unit == "count":
            return format_count(value)
        if self.unit == "money":
            return format_money(value)
        if self.unit == "rate":
            return format_rate(value, self.per)
        if self.unit == "days":
            return format_days(value)
        return format_score(value)

    def number(self, value: float | Decimal) -> str:
        """The number alone, rounded as `value` rounds it, for a table headed by the unit."""
        return _number(value, 0 if self.unit in ("count", "money") else 1)

    def difference(self, value: float | Decimal) -> str:
        """A gap or a change: the same as a value, except that percentages differ in points."""
        if self.unit == "percent":
            return format_percentage_points(value)
        return self.value(value)

    def plain(self) -> PlainMeasure:
        """The same unit, written for everyone (the public summary)."""
        return PlainMeasure(self)

    def interval(self, lower: float, upper: float) -> str:
        """ "between 57.0% and 65.4%", "between 2 and 13", "between 17.5 and 20.8 per 1,000"."""
        first = self.value(lower)
        if self.unit == "rate" and self.per:
            first = first.removesuffix(f" per {self.per:,}")
        elif self.unit == "days":
            first = first.removesuffix(" days")
        return f"between {first} and {self.value(upper)}"


@dataclass(frozen=True)
class PlainMeasure:
    """A unit's figures for readers who are not specialists: a rate of people as a whole
    number "in every 100,000" (people do not come in tenths), everything else as `Measure`
    writes it."""

    measure: Measure

    def value(self, value: float | Decimal) -> str:
        if self.measure.unit == "rate":
            number = _number(value, 0)
            return f"{number} in every {self.measure.per:,}" if self.measure.per else number
        return self.measure.value(value)

    def number(self, value: float | Decimal) -> str:
        if self.measure.unit == "rate":
            return _number(value, 0)
        return self.measure.number(value)

    def interval(self, lower: float, upper: float) -> str:
        return f"between {self.value(lower)} and {self.value(upper)}"
