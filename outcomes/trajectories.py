"""Step 3's arithmetic beyond the trend: planned trajectories, the plan's expected effects on a
forecast, and relationships between indicators.

Plain Python, with no Django, beside `outcomes.arithmetic` (the trend and its forecast):

- A **trajectory** is the path a partnership commits to from a target's baseline to the
  target, period by period: a straight line, a few equal steps, or values typed in. Each
  reading is judged against the trajectory's value for its period, with the reading's own
  margin of error (`check`).
- An **effect** is what an action (or a change outside the partnership's control) is expected
  to do to an indicator: a size with a low and a high estimate, when it starts and how long it
  takes to build up. `with_plan` adds the effects to the trend's forecast and carries their
  uncertainty through.
- A **relationship** between two indicators across areas or groups: Pearson's correlation with
  its interval (Fisher's z), the least-squares line and the points far from it (`relate`).

Every value a trajectory or a forecast gives stays inside the indicator's possible range
(`outcomes.arithmetic.Bounds`).
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from outcomes.arithmetic import UNBOUNDED, Bounds, Direction, Forecast, Point, z_for
from outcomes.units import Measure

# Planned trajectories ---------------------------------------------------------------------------


class Shape(StrEnum):
    STRAIGHT = "straight"
    STEPPED = "stepped"
    VALUES = "values"


@dataclass(frozen=True)
class Step:
    """The trajectory's value for the period that ends on `when`."""

    when: date
    value: float


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def period_ends(baseline_date: date, target_date: date, months: int) -> list[date]:
    """The last days of the periods after the baseline's, every `months` months, up to the
    target date. Periods end on a month's last day when the baseline does (31 March, 30 June,
    30 September, 31 December), else on the same day of the month. The target date is the last
    period's end even when it falls between two of them."""
    if months < 1:
        raise ValueError(f"a period must be at least a month long, not {months}")
    month_end = baseline_date.day == calendar.monthrange(baseline_date.year, baseline_date.month)[1]
    ends: list[date] = []
    index = baseline_date.year * 12 + baseline_date.month - 1
    while True:
        index += months
        year, month = divmod(index, 12)
        month += 1
        last = calendar.monthrange(year, month)[1]
        when = (
            _month_end(year, month)
            if month_end
            else date(year, month, min(baseline_date.day, last))
        )
        if when >= target_date:
            break
        ends.append(when)
    return [*ends, target_date]


def _inside(value: float, bounds: Bounds) -> float:
    if bounds.lower is not None:
        value = max(value, bounds.lower)
    if bounds.upper is not None:
        value = min(value, bounds.upper)
    return value


def straight(baseline: tuple[date, float], target: tuple[date, float], months: int) -> list[Step]:
    """A straight line from the baseline to the target, read at each period's end by the days
    it has run: the path that asks for the same progress every day."""
    (start, first), (end, last) = baseline, target
    if not end > start:
        raise ValueError("the target date must be after the baseline date")
    total = (end - start).days
    return [
        Step(when, first + (last - first) * (when - start).days / total)
        for when in period_ends(start, end, months)
    ]


def stepped(
    baseline: tuple[date, float], target: tuple[date, float], months: int, steps: int
) -> list[Step]:
    """The baseline held, then moved in `steps` equal steps at evenly spaced periods, the last
    at the target date: the path of changes that land all at once (a new service opening)."""
    (start, first), (end, last) = baseline, target
    if not end > start:
        raise ValueError("the target date must be after the baseline date")
    ends = period_ends(start, end, months)
    steps = max(1, min(steps, len(ends)))
    count = len(ends)
    return [
        Step(when, first + (last - first) * ((number * steps) // count) / steps)
        for number, when in enumerate(ends, start=1)
    ]


def out_of_range(steps: Sequence[Step], bounds: Bounds) -> list[Step]:
    """The steps a trajectory cannot have: values outside the indicator's possible range."""
    return [step for step in steps if not bounds.contains(step.value)]


@dataclass(frozen=True)
class Trajectory:
    """A planned path, its steps oldest first. A straight line has a value on every day between
    its baseline and target; stepped and typed paths only for the periods they name."""

    shape: Shape
    steps: tuple[Step, ...]
    baseline: tuple[date, float] | None = None

    def value_for(self, when: date) -> float | None:
        """The trajectory's value for the period ending on `when`; None outside it."""
        for step in self.steps:
            if step.when == when:
                return step.value
        if self.shape is Shape.STRAIGHT and self.baseline and self.steps:
            (start, first), end = self.baseline, self.steps[-1]
            if start <= when <= end.when:
                return first + (end.value - first) * (when - start).days / (end.when - start).days
        return None


@dataclass(frozen=True)
class Check:
    """A reading against the trajectory for its period. `difference` is reading − trajectory;
    `ahead` says whether that is the better side; `within_margin` whether the trajectory's value
    is inside the reading's own interval (None when the reading has none)."""

    planned: float
    value: float
    difference: float
    ahead: bool
    on_trajectory: bool
    within_margin: bool | None
    words: str


def check(reading: Point, planned: float, direction: Direction, measure: Measure) -> Check | None:
    """How a reading stands against the trajectory: "2.1 percentage points below trajectory,
    within its margin of error", or "beyond its margin of error". A reading the trajectory's
    value lies inside the interval of is within its margin of error: the gap may be chance.
    None for a suppressed reading."""
    if reading.value is None:
        return None
    difference = reading.value - planned
    shown = measure.difference(abs(difference))
    on_trajectory = float(measure.number(abs(difference)).replace(",", "")) == 0
    within = None
    if reading.has_interval:
        within = reading.lower <= planned <= reading.upper
    if on_trajectory:
        words = "On trajectory"
    else:
        side = "above" if difference > 0 else "below"
        words = f"{shown} {side} trajectory"
        if within is True:
            words += ", within its margin of error"
        elif within is False:
            words += ", beyond its margin of error"
        else:
            words += " (the reading gives no margin of error)"
    return Check(
        planned=planned,
        value=reading.value,
        difference=difference,
        ahead=on_trajectory or direction.meets(reading.value, planned),
        on_trajectory=on_trajectory,
        within_margin=within,
        words=words,
    )


# With and without the plan ----------------------------------------------------------------------


def _months_between(start: date, end: date) -> float:
    return (end - start).days / (365.25 / 12)


@dataclass(frozen=True)
class Effect:
    """What one action or outside change is expected to do to an indicator once fully built
    up: `size` in the indicator's units (negative lowers it), `low` and `high` the range it is
    expected to fall in 19 times out of 20 (a 95% range). It begins on `start` and grows in a
    straight line to its full size over `build_up_months`. `external`: outside the
    partnership's control (a national policy change)."""

    name: str
    size: float
    low: float
    high: float
    start: date
    build_up_months: int = 0
    external: bool = False

    def __post_init__(self) -> None:
        if not self.low <= self.size <= self.high:
            raise ValueError(
                f"{self.name}: the expected size {self.size} must lie between the low estimate"
                f" {self.low} and the high {self.high}"
            )
        if self.build_up_months < 0:
            raise ValueError("the build-up cannot take less than no time")

    def share_at(self, when: date) -> float:
        """How much of its full size it has reached by `when`: 0 before it starts, 1 once
        built up."""
        if when < self.start:
            return 0.0
        if self.build_up_months == 0:
            return 1.0
        return min(1.0, _months_between(self.start, when) / self.build_up_months)


@dataclass(frozen=True)
class PlannedForecast:
    """The forecast with the effects added: `value` and its interval (`lower`, `upper`; None
    when the trend has none), and the effects' own total and range at that date."""

    when: date
    value: float
    lower: float | None
    upper: float | None
    effect: float
    effect_low: float
    effect_high: float


def with_plan(
    base: Forecast, effects: Sequence[Effect], bounds: Bounds = UNBOUNDED
) -> PlannedForecast:
    """The trend's forecast ("without the plan") plus each effect's share of its size at the
    forecast's date ("with the plan").

    The trend's interval and each effect's range are taken as independent and at the same
    level (95%), and their half-widths are added in quadrature on each side separately:
    independent normal uncertainties add by their variances, and an effect's range need not
    be symmetric. The result is kept inside the indicator's possible range."""
    when = base.when
    shares = [(effect, effect.share_at(when)) for effect in effects]
    effect = math.fsum(share * e.size for e, share in shares)
    below = math.fsum((share * (e.size - e.low)) ** 2 for e, share in shares)
    above = math.fsum((share * (e.high - e.size)) ** 2 for e, share in shares)
    value = base.value + effect
    lower = upper = None
    if base.lower is not None and base.upper is not None:
        lower = value - math.sqrt((base.value - base.lower) ** 2 + below)
        upper = value + math.sqrt((base.upper - base.value) ** 2 + above)
        lower, upper = _inside(lower, bounds), _inside(upper, bounds)
    return PlannedForecast(
        when=when,
        value=_inside(value, bounds),
        lower=lower,
        upper=upper,
        effect=effect,
        effect_low=effect - math.sqrt(below),
        effect_high=effect + math.sqrt(above),
    )


# Relationships between indicators ---------------------------------------------------------------


@dataclass(frozen=True)
class Correlation:
    """Pearson's r between two sets of values, and its interval at `level` by Fisher's z
    (None with fewer than four pairs: too few to say anything)."""

    r: float
    n: int
    lower: float | None
    upper: float | None
    level: float = 0.95


def correlation(xs: Sequence[float], ys: Sequence[float], level: float = 0.95) -> Correlation:
    """r = Sxy / √(Sxx·Syy); the interval is tanh(atanh r ± z/√(n − 3))."""
    n = len(xs)
    if n != len(ys):
        raise ValueError("the two indicators must have as many values each")
    if n < 3:
        raise ValueError("a correlation needs at least three pairs of values")
    mean_x, mean_y = math.fsum(xs) / n, math.fsum(ys) / n
    sxx = math.fsum((x - mean_x) ** 2 for x in xs)
    syy = math.fsum((y - mean_y) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        raise ValueError(
            "one of the indicators is the same in every area: there is no relationship to see"
        )
    sxy = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    r = max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))
    lower = upper = None
    if n >= 4:
        if abs(r) == 1.0:
            lower = upper = r
        else:
            spread = z_for(level) / math.sqrt(n - 3)
            lower, upper = math.tanh(math.atanh(r) - spread), math.tanh(math.atanh(r) + spread)
    return Correlation(r=r, n=n, lower=lower, upper=upper, level=level)


@dataclass(frozen=True)
class Line:
    slope: float
    intercept: float

    def value_at(self, x: float) -> float:
        return self.intercept + self.slope * x


def least_squares(xs: Sequence[float], ys: Sequence[float]) -> Line:
    """The line that makes the squared vertical distances of the points from it least."""
    n = len(xs)
    mean_x, mean_y = math.fsum(xs) / n, math.fsum(ys) / n
    sxx = math.fsum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        raise ValueError("every point has the same x: no line can be fitted")
    sxy = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    return Line(slope=slope, intercept=mean_y - slope * mean_x)


def standardised_residuals(xs: Sequence[float], ys: Sequence[float], line: Line) -> list[float]:
    """Each point's distance from the line over the distance expected of it: eᵢ / (s·√(1 − hᵢ)),
    with s the residual standard error and hᵢ the point's leverage, 1/n + (xᵢ − x̄)²/Sxx
    (internally studentised residuals). Zero for all when the points lie on the line."""
    n = len(xs)
    if n < 3:
        return [0.0] * n
    mean_x = math.fsum(xs) / n
    sxx = math.fsum((x - mean_x) ** 2 for x in xs)
    residuals = [y - line.value_at(x) for x, y in zip(xs, ys, strict=True)]
    s = math.sqrt(math.fsum(e * e for e in residuals) / (n - 2))
    if s == 0:
        return [0.0] * n
    result = []
    for x, e in zip(xs, residuals, strict=True):
        leverage = 1.0 / n + (x - mean_x) ** 2 / sxx
        room = 1.0 - leverage
        result.append(e / (s * math.sqrt(room)) if room > 1e-12 else 0.0)
    return result


OUTLIER_LIMIT = 2.0


@dataclass(frozen=True)
class Relationship:
    correlation: Correlation
    line: Line
    residuals: tuple[float, ...]
    outliers: tuple[int, ...]  # the places, in the order given, of points far from the line

    @property
    def strength(self) -> str:
        """Words for r's size, as Cohen's rough guide has them."""
        size = abs(self.correlation.r)
        word = "strong" if size >= 0.5 else "moderate" if size >= 0.3 else "weak"
        if size < 0.1:
            return "no clear relationship"
        return f"a {word} {'positive' if self.correlation.r > 0 else 'negative'} relationship"


def relate(
    xs: Sequence[float], ys: Sequence[float], *, limit: float = OUTLIER_LIMIT, level: float = 0.95
) -> Relationship:
    """Correlation, line and outliers (standardised residual beyond ±`limit`) together."""
    found = correlation(xs, ys, level)
    line = least_squares(xs, ys)
    residuals = standardised_residuals(xs, ys, line)
    outliers = tuple(i for i, residual in enumerate(residuals) if abs(residual) > limit)
    return Relationship(found, line, tuple(residuals), outliers)
