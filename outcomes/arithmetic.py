"""The statistics behind indicator forecasts.

Plain Python, with no Django and no numpy, so the arithmetic a board relies on can be read and
tested on its own.

Time is measured in years of 365.25 days from the earliest reading, so readings at uneven dates,
or with periods missing, are fitted where they really fall. A reading of a period (a quarter, a
year, three pooled years) is placed at its period's midpoint (`Point.x`), and a forecast for a
target date is placed where a reading like the latest, ending on that date, would be
(`placed_like`). Which readings a trend uses at all is `trend_readings`'s rule.
"""

from __future__ import annotations

import calendar
import functools
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction

from outcomes import periods
from outcomes.units import Measure

DAYS_PER_YEAR = Fraction(1461, 4)  # 365.25, exactly


@dataclass(frozen=True)
class Point:
    """One reading of the period that ends on `when` (and begins on `start`; None for a single
    day). `value` is None when the source suppressed it (`mark`, `note` say how and why).
    `lower` and `upper` are its confidence limits as published, at `level` (0.95 or 0.998),
    and need not be symmetric. `count` and `denominator` are what a rate or percentage was
    made from, where the source gives them. `series_break`: the way the figure is collected
    changed from this reading on, so it is not comparable with those before."""

    when: date
    value: float | None
    lower: float | None = None
    upper: float | None = None
    start: date | None = None
    label: str = ""
    level: float = 0.95
    count: float | None = None
    denominator: float | None = None
    series_break: bool = False
    mark: str = ""
    note: str = ""

    @property
    def first_day(self) -> date:
        return self.start or self.when

    @property
    def x(self) -> date:
        """Where a trend and a chart place the reading: the middle of its period. A pooled
        period of three years sits at its middle year, never at its last."""
        return periods.midpoint(self.first_day, self.when)

    @property
    def length(self) -> timedelta:
        """How long its period is, less a day: zero for a single day."""
        return self.when - self.first_day

    @property
    def months(self) -> int:
        """Its period's length in whole months: 12 for a year, 36 for three pooled years, 0
        for a single day."""
        return round((self.length.days + 1) / 30.4375) if self.start else 0

    @property
    def suppressed(self) -> bool:
        return self.value is None

    @property
    def period_text(self) -> str:
        """The period as pages, charts and reports write it (outcomes.periods.label_for); a
        bare date, with no period, as its month."""
        if self.start is None and not self.label:
            return format_month(self.when)
        return periods.label_for(self.first_day, self.when, self.label)

    @property
    def has_interval(self) -> bool:
        return self.lower is not None and self.upper is not None


def placed_like(end: date, like: Point | None) -> date:
    """Where a reading of the same length of period as `like`, ending on `end`, would be
    placed: a target for the year ending 31 March 2029 is forecast at that year's middle."""
    if like is None:
        return end
    if like.months:  # as many whole months: three years ending 31 Dec 2030 begin 1 Jan 2028
        return periods.midpoint(periods.months_before(end + timedelta(days=1), like.months), end)
    return periods.midpoint(end - like.length, end)


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"

    def meets(self, value: float, target_value: float) -> bool:
        """Reaching the target exactly counts as meeting it."""
        if self is Direction.HIGHER_IS_BETTER:
            return value >= target_value
        return value <= target_value


# Student's t distribution -----------------------------------------------------------------------


def _beta_continued_fraction(x: float, a: float, b: float) -> float:
    """The continued fraction of the incomplete beta function, by the modified Lentz method."""
    tiny = 1e-300  # stands in for a zero denominator, which Lentz's method must avoid
    c = 1.0
    d = 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 1000):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= d * c
        if abs(d * c - 1.0) < 1e-15:
            return result
    raise ArithmeticError(f"incomplete beta did not converge for x={x}, a={a}, b={b}")


def _regularized_beta(x: float, y: float, a: float, b: float) -> float:
    """I_x(a, b), with y = 1 − x passed in separately so that neither loses digits to 1 − x."""
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(y)
    )
    # The fraction converges quickly only on this side of the mean; beyond it use the symmetry.
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_continued_fraction(x, a, b) / a
    return 1.0 - math.exp(log_front) * _beta_continued_fraction(y, b, a) / b


def _upper_tail(t: float, df: float) -> float:
    """P(T ≥ t) for t ≥ 0, computed directly so that small tail probabilities keep their digits."""
    t_squared = t * t
    if math.isinf(t_squared):
        return 0.0
    total = df + t_squared
    return 0.5 * _regularized_beta(df / total, t_squared / total, df / 2.0, 0.5)


def _check_df(df: float) -> None:
    if not df > 0:
        raise ValueError(f"degrees of freedom must be positive, not {df}")


def student_t_cdf(t: float, df: float) -> float:
    """P(T ≤ t) for Student's t with `df` degrees of freedom."""
    _check_df(df)
    if t >= 0:
        return 1.0 - _upper_tail(t, df)
    return _upper_tail(-t, df)


def student_t_sf(t: float, df: float) -> float:
    """P(T ≥ t): the upper tail, without the loss of digits in 1 − cdf."""
    return student_t_cdf(-t, df)


@functools.lru_cache(maxsize=1024)
def student_t_quantile(p: float, df: float) -> float:
    """The t with P(T ≤ t) = p, found by bisection: slower than Newton's method, never lost.

    Cached: a page asks for the same few (level, degrees of freedom) pairs over and over."""
    _check_df(df)
    if not 0.0 < p < 1.0:
        raise ValueError(f"probability must be between 0 and 1, not {p}")
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -student_t_quantile(1.0 - p, df)
    tail = 1.0 - p
    low, high = 0.0, 1.0
    while _upper_tail(high, df) > tail:
        low, high = high, high * 2.0
    while True:
        middle = (low + high) / 2.0
        if middle <= low or middle >= high:  # no float left between them
            return middle
        if _upper_tail(middle, df) > tail:
            low = middle
        else:
            high = middle


# Which readings a trend uses --------------------------------------------------------------------


@dataclass(frozen=True)
class TrendReadings:
    """The readings a trend is fitted to (`points`, oldest first), and how many were left out
    by each of `trend_readings`'s rules."""

    points: list[Point]
    suppressed: int = 0
    before_break: int = 0
    before_start: int = 0
    other_length: int = 0
    overlapping: int = 0
    break_at: Point | None = None  # the reading that began the series the trend is of

    @property
    def left_out(self) -> str:
        """Why readings are not in the trend, as a sentence; "" when none were left out."""
        reasons = []
        if self.suppressed:
            reasons.append(_readings(self.suppressed, "suppressed by the source"))
        if self.before_break and self.break_at is not None:
            reasons.append(
                _readings(self.before_break, "from before the break in the series at ")
                + self.break_at.period_text
            )
        if self.before_start:
            reasons.append(_readings(self.before_start, "from before the trend's chosen start"))
        if self.other_length:
            reasons.append(_readings(self.other_length, "of periods not as long as the latest"))
        if self.overlapping:
            reasons.append(
                _readings(self.overlapping, "of periods overlapping a later one (rolling pooled)")
            )
        if not reasons:
            return ""
        return f"Left out of the trend: {'; '.join(reasons)}."


def _readings(number: int, what: str) -> str:
    return f"{number} reading{'' if number == 1 else 's'} {what}"


def trend_readings(readings: Sequence[Point], *, start_from: date | None = None) -> TrendReadings:
    """The readings a trend may be fitted to, by these rules in turn:

    1. A suppressed reading (no value) is left out.
    2. Only the series since the latest break: the reading flagged as a break in the series
       and those whose periods begin on or after its first day.
    3. Only readings whose periods end on or after `start_from`, the lead's chosen start.
    4. Only readings whose periods are as long as the latest one's, in whole months: yearly
       readings are never mixed with a three-year pooled one as if it were a year, nor
       quarters with years.
    5. Periods that overlap are not separate readings: in a rolling series of pooled periods
       (2018-20, 2019-21, 2020-22) each year is in three of them. From the latest back, a
       reading is used only if its period ends before the next one used begins (2020-22, then
       2017-19), so each year counts once.
    Each reading used is placed at its period's middle (`Point.x`).
    """
    ordered = sorted(readings, key=lambda point: (point.when, point.first_day))
    breaks = [point for point in ordered if point.series_break]
    break_at = max(breaks, key=lambda point: (point.first_day, point.when), default=None)
    suppressed = before_break = before_start = 0
    used: list[Point] = []
    for point in ordered:
        if point.value is None:
            suppressed += 1
        elif break_at is not None and point.first_day < break_at.first_day:
            before_break += 1
        elif start_from is not None and point.when < start_from:
            before_start += 1
        else:
            used.append(point)
    if not used:
        return TrendReadings([], suppressed, before_break, before_start, break_at=break_at)
    months = used[-1].months
    same = [point for point in used if point.months == months]
    kept: list[Point] = []
    for point in reversed(same):
        if not kept or point.when < kept[-1].first_day:
            kept.append(point)
    return TrendReadings(
        points=kept[::-1],
        suppressed=suppressed,
        before_break=before_break,
        before_start=before_start,
        other_length=len(used) - len(same),
        overlapping=len(same) - len(kept),
        break_at=break_at,
    )


# Trends and forecasts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    """A straight line fitted by ordinary least squares to readings against time.

    x is years since `origin`, the date of the earliest reading, so `intercept` is the fitted
    value on that date (a calendar year 0 would make it a meaningless extrapolation).
    `mean_years` (x̄) and `sxx` (Σ(x − x̄)², in years²) are what prediction intervals need.
    """

    origin: date
    slope_per_year: float
    intercept: float
    n: int
    residual_standard_error: float | None  # None when n == 2: two points leave no residuals
    mean_years: float
    sxx: float

    def years_since_origin(self, when: date) -> float:
        return (when - self.origin).days / float(DAYS_PER_YEAR)

    def value_at(self, when: date) -> float:
        return self.intercept + self.slope_per_year * self.years_since_origin(when)

    def prediction_scale(self, when: date) -> float | None:
        """How far a new reading at `when` may stray from the line: s·√(1 + 1/n + (x₀ − x̄)²/Sxx).

        It is wider than the uncertainty of the line itself because a single reading also
        carries the year-to-year scatter around the line.
        """
        if self.residual_standard_error is None:
            return None
        distance = self.years_since_origin(when) - self.mean_years
        return self.residual_standard_error * math.sqrt(
            1.0 + 1.0 / self.n + distance * distance / self.sxx
        )


def trend(points: Sequence[Point]) -> Trend | None:
    """The least-squares line through the readings; None without two distinct dates.

    Sums are taken about the means with math.fsum, so they are exact to the last bit of a
    float; residuals that are only rounding noise (a flat or perfectly straight series) are
    taken as zero rather than drawn as a hair-thin interval.
    """
    return _line([point.x for point in points], [float(point.value) for point in points])


def _line(whens: Sequence[date], values: Sequence[float]) -> Trend | None:
    """`trend` of readings given as their dates and their values."""
    n = len(values)
    if n < 2:
        return None
    origin = min(whens)
    days = [float((when - origin).days) for when in whens]
    mean_day = math.fsum(days) / n
    mean_value = math.fsum(values) / n
    centred_days = [day - mean_day for day in days]
    sxx = math.fsum(day * day for day in centred_days)
    if sxx == 0:
        return None  # every reading on one date: there is no time over which to see change
    sxy = math.fsum(
        day * (value - mean_value) for day, value in zip(centred_days, values, strict=True)
    )
    slope_per_day = sxy / sxx
    intercept = mean_value - slope_per_day * mean_day
    residual_standard_error = None
    if n > 2:
        squared_residuals = math.fsum(
            (value - mean_value - slope_per_day * day) ** 2
            for day, value in zip(centred_days, values, strict=True)
        )
        scale = math.fsum(value * value for value in values) or 1.0
        if squared_residuals <= scale * 1e-24:
            squared_residuals = 0.0
        residual_standard_error = math.sqrt(squared_residuals / (n - 2))
    days_per_year = float(DAYS_PER_YEAR)
    return Trend(
        origin=origin,
        slope_per_year=slope_per_day * days_per_year,
        intercept=intercept,
        n=n,
        residual_standard_error=residual_standard_error,
        mean_years=mean_day / days_per_year,
        sxx=sxx / days_per_year**2,
    )


@dataclass(frozen=True)
class Forecast:
    when: date
    value: float
    lower: float | None
    upper: float | None


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, not {level}")


def _forecast_from(fitted: Trend, when: date, level: float) -> Forecast:
    value = fitted.value_at(when)
    scale = fitted.prediction_scale(when)
    if scale is None:
        return Forecast(when=when, value=value, lower=None, upper=None)
    half_width = student_t_quantile((1.0 + level) / 2.0, fitted.n - 2) * scale
    return Forecast(when=when, value=value, lower=value - half_width, upper=value + half_width)


def forecast(
    points: Sequence[Point], when: date, level: float = 0.95, bounds: Bounds | None = None
) -> Forecast | None:
    """The trend's value at `when`, with the interval a single future reading should fall in.

    The interval is a prediction interval, not the confidence interval of the line: a board
    will compare it with one reading, which scatters around the line. None without a trend;
    no interval from two readings, which leave nothing to measure scatter by. With `bounds`,
    the trend is fitted on a scale that keeps it inside them (see `fit`).
    """
    _check_level(level)
    fitted = fit(points, bounds or UNBOUNDED)
    if fitted is None:
        return None
    return fitted.forecast(when, level)


def _likelihood_from(
    fitted: Trend, target_value: float, target_date: date, direction: Direction
) -> float | None:
    scale = fitted.prediction_scale(target_date)
    if scale is None:
        return None
    value = fitted.value_at(target_date)
    if scale == 0.0:  # readings exactly on a line: the forecast is certain
        return 1.0 if direction.meets(value, target_value) else 0.0
    t = (target_value - value) / scale
    if direction is Direction.HIGHER_IS_BETTER:
        return student_t_sf(t, fitted.n - 2)
    return student_t_cdf(t, fitted.n - 2)


def likelihood_of_meeting(
    points: Sequence[Point],
    target_value: float,
    target_date: date,
    direction: Direction,
    bounds: Bounds | None = None,
) -> float | None:
    """The chance (0 to 1) that the reading at `target_date` meets the target.

    From the predictive Student t distribution around the forecast, with n − 2 degrees of
    freedom (on the bounded scale when there are `bounds`). None with fewer than three
    readings: there is no scatter to judge the chance by.
    """
    fitted = fit(points, bounds or UNBOUNDED)
    if fitted is None:
        return None
    return fitted.likelihood(target_value, target_date, direction)


# Forecasts that stay inside the indicator's possible range --------------------------------------


@dataclass(frozen=True)
class Bounds:
    """The range an indicator's values can take: a percentage 0 to 100, a count at least 0, or
    limits a lead has set. None on a side means no limit there."""

    lower: float | None = None
    upper: float | None = None

    def __post_init__(self) -> None:
        if self.lower is not None and self.upper is not None and not self.lower < self.upper:
            raise ValueError(f"the lower bound {self.lower} must be below the upper {self.upper}")

    @property
    def limited(self) -> bool:
        return self.lower is not None or self.upper is not None

    def contains(self, value: float) -> bool:
        return (self.lower is None or value >= self.lower) and (
            self.upper is None or value <= self.upper
        )


UNBOUNDED = Bounds()


def _expit(z: float) -> float:
    """The inverse of the logit, without overflow at either end."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    small = math.exp(z)
    return small / (1.0 + small)


_LARGEST_EXPONENT = 700.0  # math.exp overflows a float just past 709


@dataclass(frozen=True)
class _BoundedScale:
    """The scale on which a bounded indicator's trend is a straight line.

    Between two bounds, the logit of the value's place in the range (a proportion's usual
    scale); above a lower bound only, the log of the distance from it (a count's); below an
    upper bound only, minus the log of the distance from it. Each maps the open range onto the
    whole real line and back, so a line and its interval, mapped back, cannot leave the range.

    A value on a bound (0 errors, 100%) has no place on these scales (log 0 is −∞). It is fitted
    as if it lay `inside_lower` (or `inside_upper`) inside the bound: half the distance of the
    closest reading not on that bound, at most a quarter of the range, as the usual "add a half
    to a zero count" does for counts of one upwards.
    """

    bounds: Bounds
    inside_lower: float
    inside_upper: float

    def to_line(self, value: float) -> float:
        return self.to_lines([value])[0]

    def to_lines(self, values: Sequence[float]) -> list[float]:
        low, high = self.bounds.lower, self.bounds.upper
        log, log1p = math.log, math.log1p
        if low is not None and high is not None:
            width = high - low
            first, last = self.inside_lower / width, 1.0 - self.inside_upper / width
            shares = [(value - low) / width for value in values]
            shares = [first if s < first else last if s > last else s for s in shares]
            return [log(share) - log1p(-share) for share in shares]
        if low is not None:
            inside, gaps = self.inside_lower, [value - low for value in values]
        else:
            inside, gaps = self.inside_upper, [high - value for value in values]
        lines = [log(gap if gap > inside else inside) for gap in gaps]
        return lines if low is not None else [-line for line in lines]

    def from_line(self, z: float) -> float:
        low, high = self.bounds.lower, self.bounds.upper
        if low is not None and high is not None:
            value = low + (high - low) * _expit(z)
        elif low is not None:
            value = low + math.exp(min(z, _LARGEST_EXPONENT))
        else:
            value = high - math.exp(min(-z, _LARGEST_EXPONENT))
        # Only float rounding could step over a bound here; the scale itself cannot.
        if low is not None:
            value = max(value, low)
        if high is not None:
            value = min(value, high)
        return value


def _inside(distances: list[float], range_width: float | None) -> float:
    """How far inside a bound to fit readings on it: half the closest distance off it, but
    not so close that float rounding puts it back on the bound (a billionth of the scale)."""
    off = [distance for distance in distances if distance > 0]
    inside = min(off) / 2 if off else 0.5
    if range_width is None:
        return max(inside, 1e-9 * max([1.0, *distances]))
    return min(max(inside, 1e-9 * range_width), range_width / 4)


def _bounded_scale(values: Sequence[float], bounds: Bounds) -> _BoundedScale:
    low, high = bounds.lower, bounds.upper
    width = None if low is None or high is None else high - low
    return _BoundedScale(
        bounds=bounds,
        inside_lower=0.0 if low is None else _inside([v - low for v in values], width),
        inside_upper=0.0 if high is None else _inside([high - v for v in values], width),
    )


@dataclass(frozen=True)
class Fit:
    """A trend ready to forecast from: a straight line through the readings themselves when
    the indicator has no bounds, or on its `_BoundedScale` when it has."""

    line: Trend
    scale: _BoundedScale | None = None

    def forecast(self, when: date, level: float = 0.95) -> Forecast:
        if self.scale is None:
            return _forecast_from(self.line, when, level)
        on_line = _forecast_from(self.line, when, level)
        back = self.scale.from_line
        if on_line.lower is None or on_line.upper is None:
            return Forecast(when=when, value=back(on_line.value), lower=None, upper=None)
        return Forecast(
            when=when,
            value=back(on_line.value),
            lower=back(on_line.lower),
            upper=back(on_line.upper),
        )

    def likelihood(
        self, target_value: float, target_date: date, direction: Direction
    ) -> float | None:
        if self.scale is None:
            return _likelihood_from(self.line, target_value, target_date, direction)
        # The scale keeps order, so meeting the target there is meeting it here; a target on
        # a bound is met as a reading on that bound was fitted: just inside it.
        return _likelihood_from(self.line, self.scale.to_line(target_value), target_date, direction)


def fit(points: Sequence[Point], bounds: Bounds = UNBOUNDED) -> Fit | None:
    """The trend to forecast by. Without bounds, the least-squares line of `trend`, unchanged.
    With bounds, the same line fitted on the bounded scale (logit between two bounds, log above
    one), so forecasts and their intervals, mapped back, stay in the range. A series that never
    moves is forecast to stay where it is, on whichever scale."""
    whens = [point.x for point in points]
    values = [float(point.value) for point in points]
    if not bounds.limited or not values or min(values) == max(values):
        fitted = _line(whens, values)
        return None if fitted is None else Fit(fitted)
    scale = _bounded_scale(values, bounds)
    fitted = _line(whens, scale.to_lines(values))
    return None if fitted is None else Fit(fitted, scale)


# Gaps and rates ---------------------------------------------------------------------------------


def gap(current: float, target_value: float, direction: Direction) -> float:
    """How far there is still to go, in the indicator's units; 0 once the target is met."""
    if direction is Direction.HIGHER_IS_BETTER:
        return max(0.0, target_value - current)
    return max(0.0, current - target_value)


def gap_in_people(gap_in_units: float, *, per: float, denominator: float) -> float:
    """A gap in a rate "per `per`" as a number of people: 2.5 per 100 of 12,000 is 300 people."""
    if per <= 0:
        raise ValueError(f"per must be positive, not {per}")
    return gap_in_units / per * denominator


def rate_needed_per_year(current: Point, target_value: float, target_date: date) -> float | None:
    """The steady change per year that would reach the target on the day; None once it is due."""
    days = (placed_like(target_date, current) - current.x).days
    if days <= 0:
        return None
    return (target_value - current.value) / (days / float(DAYS_PER_YEAR))


def recent_rate_per_year(points: Sequence[Point], last_n: int = 3) -> float | None:
    """The least-squares slope of the latest `last_n` readings, to set beside the rate needed."""
    if last_n < 2:
        raise ValueError(f"a rate needs at least two readings, not last_n={last_n}")
    recent = sorted(points, key=lambda point: point.x)[-last_n:]
    fitted = trend(recent)
    return None if fitted is None else fitted.slope_per_year


# Is a change bigger than its margin of error? --------------------------------------------------


class Method(StrEnum):
    """How `change_significance` decided."""

    NEWCOMBE = "newcombe"
    POISSON = "poisson"
    LIMITS = "limits"

    @property
    def label(self) -> str:
        return METHOD_LABELS[self]


METHOD_LABELS = {
    Method.NEWCOMBE: "Newcombe's hybrid score method for a difference of proportions (his "
    "method 10, from the two Wilson intervals)",
    Method.POISSON: "the exact test of the ratio of two Poisson rates, conditional on their "
    "total count",
    Method.LIMITS: "the square-and-add rule on the published confidence limits (the MOVER "
    "method of Zou and Donner)",
}

# The values `change_significance` takes for `kind`: a percentage of its denominator, or a
# rate of events per so many of it.
PROPORTION, RATE = "proportion", "rate"


@dataclass(frozen=True)
class Change:
    """Whether the change from one reading to the next is bigger than its margin of error, how
    that was decided and at what confidence level. `lower` and `upper` bound the difference
    later − earlier in the indicator's units; the Poisson test leaves them None (the ratio's
    exact interval, `poisson_ratio_interval`, costs tens of milliseconds to find, and no page
    shows it)."""

    significant: bool
    method: Method
    level: float
    lower: float | None
    upper: float | None

    @property
    def level_text(self) -> str:
        return level_text(self.level)


def level_text(level: float) -> str:
    """0.95 as "95%", 0.998 as "99.8%"."""
    return f"{level * 100:.1f}".removesuffix(".0") + "%"


def z_for(level: float) -> float:
    """The standard normal quantile of a two-sided interval: 1.96 for 95%, 3.09 for 99.8%."""
    _check_level(level)
    return statistics.NormalDist().inv_cdf((1.0 + level) / 2.0)


def wilson_interval(count: float, denominator: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson's score interval for the proportion count/denominator (Newcombe 1998, method 3)."""
    z = z_for(level)
    p = count / denominator
    z2n = z * z / denominator
    centre = p + z2n / 2.0
    spread = z * math.sqrt(p * (1.0 - p) / denominator + z2n / (4.0 * denominator))
    low = 0.0 if count == 0 else (centre - spread) / (1.0 + z2n)
    high = 1.0 if count == denominator else (centre + spread) / (1.0 + z2n)
    return low, high


def newcombe_difference(
    earlier: tuple[float, float], later: tuple[float, float], level: float = 0.95
) -> tuple[float, float]:
    """The interval of the difference of two independent proportions, later − earlier, each
    given as (count, denominator): Newcombe's hybrid score interval, his method 10, which
    squares and adds the distances to each proportion's Wilson limits (Newcombe, Stat Med
    1998;17:873-890)."""
    p1, p2 = later[0] / later[1], earlier[0] / earlier[1]
    l1, u1 = wilson_interval(*later, level)
    l2, u2 = wilson_interval(*earlier, level)
    difference = p1 - p2
    return (
        difference - math.hypot(p1 - l1, u2 - p2),
        difference + math.hypot(u1 - p1, p2 - l2),
    )


def _binomial_tails(k: int, n: int, p: float, q: float) -> tuple[float, float]:
    """P(X ≤ k) and P(X ≥ k) for X binomial(n, p), with q = 1 − p given separately."""
    at_most = 1.0 if k == n else _regularized_beta(q, p, n - k, k + 1.0)
    at_least = 1.0 if k == 0 else _regularized_beta(p, q, k, n - k + 1.0)
    return at_most, at_least


def poisson_rates_p_value(earlier: tuple[float, float], later: tuple[float, float]) -> float:
    """The two-sided p-value of the exact conditional test that two Poisson rates, each given
    as (count, person-time or population), are equal: given the total count, the later count
    is binomial with the later share of the person-time; twice the smaller tail (the central
    test, whose matching interval is `poisson_ratio_interval`)."""
    (x1, t1), (x2, t2) = earlier, later
    n = int(x1 + x2)
    if n == 0:
        return 1.0
    at_most, at_least = _binomial_tails(int(x2), n, t2 / (t1 + t2), t1 / (t1 + t2))
    return min(1.0, 2.0 * min(at_most, at_least))


def beta_quantile(p: float, a: float, b: float) -> float:
    """The x with I_x(a, b) = p, by bisection, to about fifteen significant digits."""
    low, high = 0.0, 1.0
    while high - low > 1e-15 * high:
        middle = (low + high) / 2.0
        if middle <= low or middle >= high:  # no float left between them
            break
        if _regularized_beta(middle, 1.0 - middle, a, b) < p:
            low = middle
        else:
            high = middle
    return (low + high) / 2.0


def poisson_ratio_interval(
    earlier: tuple[float, float], later: tuple[float, float], level: float = 0.95
) -> tuple[float, float]:
    """The exact (Clopper-Pearson) interval of the ratio of the later rate to the earlier,
    conditional on the total count: the interval R's poisson.test gives."""
    (x1, t1), (x2, t2) = earlier, later
    n = x1 + x2
    if n == 0:
        return 0.0, math.inf
    alpha = 1.0 - level
    per = t1 / t2
    low = 0.0
    if x2 > 0:
        share, rest = _quantile_and_complement(alpha / 2.0, x2, n - x2 + 1.0)
        low = share / rest * per
    if x2 == n:
        return low, math.inf
    share, rest = _quantile_and_complement(1.0 - alpha / 2.0, x2 + 1.0, n - x2)
    return low, share / rest * per


def _quantile_and_complement(p: float, a: float, b: float) -> tuple[float, float]:
    """x = `beta_quantile(p, a, b)` and 1 − x, whichever is smaller found directly, so that
    the odds x / (1 − x) keep their digits near 1 too."""
    x = beta_quantile(p, a, b)
    if x <= 0.5:
        return x, 1.0 - x
    rest = beta_quantile(1.0 - p, b, a)  # I_x(a, b) = p exactly when I_{1−x}(b, a) = 1 − p
    return 1.0 - rest, rest


def counts_of(point: Point, kind: str, per: float | None) -> tuple[float, float] | None:
    """The (count, denominator) a reading's value was made from, where a test may use them:
    whole counts, a proportion no more than its denominator, and a value that is the count
    over the denominator times `per` (to 1%, or 0.05 for rounding). A directly standardised
    rate, whose value is not its crude count over its population, is judged by its limits."""
    count, denominator = point.count, point.denominator
    if kind not in (PROPORTION, RATE) or not per or point.value is None:
        return None
    if count is None or denominator is None or denominator <= 0 or count < 0:
        return None
    if count != int(count):
        return None
    if kind == PROPORTION and (count > denominator or denominator != int(denominator)):
        return None
    made = count / denominator * per
    if abs(made - point.value) > max(0.05, 0.01 * abs(made)):
        return None
    return count, denominator


def _limits_change(earlier: Point, later: Point) -> Change | None:
    """The difference's interval from the two readings' own limits, each side squared and
    added (MOVER: Zou & Donner, Stat Med 2008;27:1693-1702); from Wilson limits it is
    Newcombe's method 10. Limits at different levels are brought to the lower one, each side
    scaled by the ratio of the normal quantiles."""
    if not (earlier.has_interval and later.has_interval):
        return None
    level = min(earlier.level, later.level)

    def below_and_above(point: Point) -> tuple[float, float]:
        scale = z_for(level) / z_for(point.level)
        return (
            max(0.0, point.value - point.lower) * scale,
            max(0.0, point.upper - point.value) * scale,
        )

    below_earlier, above_earlier = below_and_above(earlier)
    below_later, above_later = below_and_above(later)
    difference = later.value - earlier.value
    lower = difference - math.hypot(below_later, above_earlier)
    upper = difference + math.hypot(above_later, below_earlier)
    return Change(lower > 0.0 or upper < 0.0, Method.LIMITS, level, lower, upper)


def change_significance(
    earlier: Point, later: Point, *, kind: str = "", per: float | None = None
) -> Change | None:
    """Whether the change from `earlier` to `later` is bigger than its margin of error.

    - A percentage (`kind` PROPORTION, `per` 100) whose readings give their count and
      denominator: Newcombe's hybrid score interval of the difference (`newcombe_difference`).
    - A rate (`kind` RATE, `per` its "per") with counts and denominators: the exact
      conditional test of the two Poisson rates (`poisson_rates_p_value`).
    - Otherwise, where both readings have limits: the limits squared and added
      (`_limits_change`), which is right for asymmetric limits and respects their level.
    - Otherwise None: there is no margin of error to judge by.
    Both readings are taken as independent. The test is at 95%, or at 99.8% where both
    readings' limits are at 99.8%. None also when a reading is suppressed.
    """
    if earlier.value is None or later.value is None:
        return None
    level = 0.998 if earlier.level == later.level == 0.998 else 0.95
    first, second = counts_of(earlier, kind, per), counts_of(later, kind, per)
    if first is not None and second is not None:
        if kind == PROPORTION:
            lower, upper = newcombe_difference(first, second, level)
            return Change(
                lower > 0.0 or upper < 0.0, Method.NEWCOMBE, level, lower * per, upper * per
            )
        try:
            p_value = poisson_rates_p_value(first, second)
        except ArithmeticError:  # counts too large for the continued fraction: use the limits
            return _limits_change(earlier, later)
        return Change(p_value < 1.0 - level, Method.POISSON, level, None, None)
    return _limits_change(earlier, later)


def change_is_significant(
    earlier: Point, later: Point, *, kind: str = "", per: float | None = None
) -> bool | None:
    """`change_significance`'s answer alone."""
    change = change_significance(earlier, later, kind=kind, per=per)
    return None if change is None else change.significant


# Compared with England, the region, similar areas -----------------------------------------------


class Comparison(StrEnum):
    BETTER = "better"
    SIMILAR = "similar"
    WORSE = "worse"
    NOT_COMPARED = "not_compared"


@dataclass(frozen=True)
class Compared:
    """How the area's reading compares with a comparator's for the same period: `verdict`,
    the level of the area's interval, whether both intervals were compared, and, when not
    compared, why."""

    verdict: Comparison
    level: float | None = None
    both_intervals: bool = False
    reason: str = ""


def compare(area: Point | None, other: Point | None, direction: Direction) -> Compared:
    """The public health profiles' comparison with a benchmark: the area is better or worse
    when the comparator's value lies outside the area's confidence interval (95% or 99.8%, as
    published), and similar when inside it. Where the comparator has an interval at the same
    level, the two intervals are compared instead: better or worse only if they do not
    overlap. Which is better follows the indicator's direction. Not compared without a
    value for the period on either side, or without the area's interval."""
    if area is None:
        return Compared(Comparison.NOT_COMPARED, reason="no reading yet")
    if area.value is None:
        return Compared(Comparison.NOT_COMPARED, reason=f"our {area.period_text} is suppressed")
    if other is None:
        return Compared(Comparison.NOT_COMPARED, reason=f"no value for {area.period_text}")
    if other.value is None:
        return Compared(Comparison.NOT_COMPARED, reason=f"its {area.period_text} is suppressed")
    if not area.has_interval:
        return Compared(Comparison.NOT_COMPARED, reason="our reading has no confidence interval")
    both = other.has_interval and other.level == area.level
    low, high = (other.lower, other.upper) if both else (other.value, other.value)
    if area.lower > high:
        higher = True
    elif area.upper < low:
        higher = False
    else:
        return Compared(Comparison.SIMILAR, area.level, both)
    better = higher == (direction is Direction.HIGHER_IS_BETTER)
    return Compared(Comparison.BETTER if better else Comparison.WORSE, area.level, both)


def comparison_words(compared: Compared, name: str) -> str:
    """ "Better than England", "Similar to the North West", "Not compared with England: no
    value for 2023/24": how every page and report words a comparison."""
    if compared.verdict is Comparison.BETTER:
        return f"Better than {name}"
    if compared.verdict is Comparison.WORSE:
        return f"Worse than {name}"
    if compared.verdict is Comparison.SIMILAR:
        return f"Similar to {name}"
    return f"Not compared with {name}: {compared.reason}"


@dataclass(frozen=True)
class Spread:
    best_group: str
    best: float
    worst_group: str
    worst: float
    gap: float
    standard_deviation: float | None  # sample SD; None for a single group


def spread(values_by_group: Mapping[str, float], direction: Direction) -> Spread | None:
    """How far apart groups (areas, ages, ethnic groups…) are; ties go to the group listed first.

    The standard deviation is the sample one: the groups are taken as a sample of how much
    places like these vary. None for no groups at all.
    """
    if not values_by_group:
        return None
    highest = max(values_by_group, key=values_by_group.__getitem__)
    lowest = min(values_by_group, key=values_by_group.__getitem__)
    best_group, worst_group = (
        (highest, lowest) if direction is Direction.HIGHER_IS_BETTER else (lowest, highest)
    )
    best, worst = values_by_group[best_group], values_by_group[worst_group]
    values = list(values_by_group.values())
    return Spread(
        best_group=best_group,
        best=best,
        worst_group=worst_group,
        worst=worst,
        gap=abs(best - worst),
        standard_deviation=statistics.stdev(values) if len(values) > 1 else None,
    )


# Judgement --------------------------------------------------------------------------------------


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NOT_ENOUGH_DATA = "not_enough_data"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.ON_TRACK: "On track",
    Status.AT_RISK: "At risk",
    Status.OFF_TRACK: "Off track",
    Status.NOT_ENOUGH_DATA: "Not enough data",
}

# The status is read from the chance as the sentence prints it, a whole percent, so that "about
# a 70% chance" is never "At risk": at least 70% is on track, at least 30% at risk.
ON_TRACK_PERCENT = 70
AT_RISK_PERCENT = 30


@dataclass(frozen=True)
class Judgement:
    status: Status
    sentence: str
    forecast: Forecast | None
    likelihood: float | None
    # Forecast from fewer readings than a trend needs: the sentence says "based on only N".
    few_readings: bool = False


def format_value(value: float, unit: str = "", *, decimals: int = 1) -> str:
    """A number as a board paper prints it: "61.2%", "12.4 per 1,000 people", "12,000"."""
    number = f"{round(value, decimals) + 0.0:,.{decimals}f}"  # + 0.0 turns -0.0 into 0.0
    if not unit:
        return number
    if unit == "%":
        return f"{number}%"
    return f"{number} {unit}"


def format_month(when: date) -> str:
    return f"{when:%B %Y}"


def decimals_for(points: Sequence[Point], target_value: float) -> int:
    """Whole numbers for counts of 100 or more, where a tenth of a person means nothing."""
    values = [target_value, *(point.value for point in points)]
    counts = all(float(value).is_integer() for value in values)
    return 0 if counts and abs(target_value) >= 100 else 1


def chance_percent(likelihood: float) -> int:
    """The chance (0 to 1) as the whole percent that the sentence prints and the status is read
    from: one rounding for both, so they cannot disagree."""
    return round(likelihood * 100)


def status_for_chance(likelihood: float) -> Status:
    percent = chance_percent(likelihood)
    if percent >= ON_TRACK_PERCENT:
        return Status.ON_TRACK
    if percent >= AT_RISK_PERCENT:
        return Status.AT_RISK
    return Status.OFF_TRACK


def chance_in_words(likelihood: float) -> str:
    percent = chance_percent(likelihood)
    if percent < 1:
        return "less than a 1% chance"
    if percent > 99:
        return "more than a 99% chance"
    article = "an" if str(percent).startswith("8") or percent in (11, 18) else "a"
    return f"about {article} {percent}% chance"


def judge(
    points: Sequence[Point],
    *,
    target_value: float,
    target_date: date,
    direction: Direction,
    unit: str = "",
    today: date | None = None,
    months_per_reading: int = 3,
    bounds: Bounds | None = None,
    measure: Measure | None = None,
    minimum_points: int = 3,
    passed_readings: Sequence[Point] | None = None,
) -> Judgement:
    """Whether an indicator is on course for its target, in one sentence a board can read.

    The rules, in order:
    1. The target date has passed (before `today`, by default the real date): judged by what
       happened, not by the trend (`judge_passed_target`).
    2. Fewer than three readings (or all on one date): NOT_ENOUGH_DATA, because a line
       through two points shows no scatter to judge the chance of meeting the target by.
    3. The latest reading already meets the target and the forecast for the target date still
       does: ON_TRACK, whatever the chance says.
    4. Otherwise by the chance of meeting the target (`likelihood_of_meeting`) as the sentence
       prints it, in whole percent (`status_for_chance`): at least 70% is ON_TRACK, at least
       30% AT_RISK, anything lower OFF_TRACK.
    Meeting means reaching the target or beating it. With `bounds`, the forecast and the
    chance come from the bounded fit (`fit`); with `measure`, the sentence writes its figures
    in the indicator's unit (outcomes/units.py) rather than `unit`.

    `points` are the readings the trend is fitted to (`trend_readings`). With fewer than
    `minimum_points` of them (a plan's "fewest readings for a trend": public health profiles
    call a trend a trend from five) the forecast, its interval and the status are still given,
    and the sentence begins "Based on only N readings". The forecast is for a reading like the
    latest ending on the target date, placed at its period's middle (`placed_like`). A passed
    target is judged from `passed_readings` (every reading with a value), or else `points`.
    """
    if target_date < (today or date.today()):
        return judge_passed_target(
            points if passed_readings is None else passed_readings,
            target_value=target_value,
            target_date=target_date,
            direction=direction,
            unit=unit,
            months_per_reading=months_per_reading,
            measure=measure,
        )
    count = len(points)
    if count < 3:
        if count == 0:
            readings = "No readings" if passed_readings else "No readings yet"
        elif count == 1:
            readings = "Only 1 reading"
        else:
            readings = f"Only {count} readings"
        if passed_readings and len(passed_readings) > count:
            readings += " in the trend"  # the others are before a break or of other periods
        return Judgement(
            status=Status.NOT_ENOUGH_DATA,
            sentence=f"{readings}: at least three are needed to forecast.",
            forecast=None,
            likelihood=None,
        )
    fitted = fit(points, bounds or UNBOUNDED)
    if fitted is None:
        return Judgement(
            status=Status.NOT_ENOUGH_DATA,
            sentence=(
                f"All {count} readings share one date: readings from different dates are "
                "needed to forecast."
            ),
            forecast=None,
            likelihood=None,
        )
    latest = max(points, key=lambda point: point.when)
    target_x = placed_like(target_date, latest)
    predicted = fitted.forecast(target_x, 0.95)
    likelihood = fitted.likelihood(target_value, target_x, direction)
    assert likelihood is not None  # three readings at two or more dates always give one

    decimals = decimals_for(points, target_value)

    def show(value: float) -> str:
        if measure is not None:
            return measure.value(value)
        return format_value(value, unit, decimals=decimals)

    interval = ""
    # Readings exactly on a line leave no interval worth printing.
    if (
        predicted.lower is not None
        and predicted.upper is not None
        and show(predicted.lower) != show(predicted.upper)
    ):
        if measure is not None:
            interval = f" ({measure.interval(predicted.lower, predicted.upper)})"
        else:
            # "between 57.0% and 65.4%", but "between 17.5 and 20.8 per 1,000 people"
            lower = format_value(predicted.lower, decimals=decimals)
            lower = show(predicted.lower) if unit == "%" else lower
            interval = f" (between {lower} and {show(predicted.upper)})"
    when = f"{format_month(target_date)}{interval}"
    target = show(target_value)
    predicted_phrase = f"forecast {show(predicted.value)} by {when}"

    if direction.meets(latest.value, target_value) and direction.meets(
        predicted.value, target_value
    ):
        status = Status.ON_TRACK
        sentence = (
            f"Already at {show(latest.value)} against a target of {target}, and {predicted_phrase}."
        )
    else:
        status = status_for_chance(likelihood)
        sentence = (
            f"{predicted_phrase[0].upper()}{predicted_phrase[1:]}, against a target of {target}: "
            f"{chance_in_words(likelihood)} of meeting it."
        )
    few = count < minimum_points
    if few:
        sentence = (
            f"Based on only {count} readings (a trend needs {minimum_points}): "
            f"{sentence[0].lower()}{sentence[1:]}"
        )
    return Judgement(
        status=status,
        sentence=sentence,
        forecast=predicted,
        likelihood=likelihood,
        few_readings=few,
    )


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier; a month's last day gives a month's last
    day (31 March less one month is 29 February in a leap year, 30 April less one is 31 March)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return date(year, month, last)
    return date(year, month, min(day.day, last))


def reading_for(points: Sequence[Point], when: date, *, months_per_reading: int) -> Point | None:
    """The reading for the period ending on `when`, or else the latest one before it that is less
    than one reading period (`months_per_reading`) older; None when there is none."""
    earliest = months_before(when, months_per_reading)
    inside = [point for point in points if earliest < point.when <= when]
    return max(inside, key=lambda point: point.when, default=None)


def judge_passed_target(
    points: Sequence[Point],
    *,
    target_value: float,
    target_date: date,
    direction: Direction,
    unit: str = "",
    months_per_reading: int = 3,
    measure: Measure | None = None,
) -> Judgement:
    """A target whose date has passed, judged by the reading for that date (`reading_for`):
    met is ON_TRACK, missed is OFF_TRACK, no reading is NOT_ENOUGH_DATA. The trend line is not
    asked what happened once a reading can say it."""
    decimals = decimals_for(points, target_value)

    def show(value: float) -> str:
        if measure is not None:
            return measure.value(value)
        return format_value(value, unit, decimals=decimals)

    target = f"{show(target_value)} by {format_month(target_date)}"
    reading = reading_for(points, target_date, months_per_reading=months_per_reading)
    if reading is None:
        return Judgement(
            status=Status.NOT_ENOUGH_DATA,
            sentence=(
                f"The target date has passed and there is no reading for the target date, so "
                f"whether the target of {target} was met is not known."
            ),
            forecast=None,
            likelihood=None,
        )
    met = direction.meets(reading.value, target_value)
    return Judgement(
        status=Status.ON_TRACK if met else Status.OFF_TRACK,
        sentence=(
            f"Target {'met' if met else 'missed'}: {show(reading.value)} for "
            f"{reading.period_text}, against a target of {target}."
        ),
        forecast=None,
        likelihood=None,
    )


# Risks ------------------------------------------------------------------------------------------

RISK_SCALE = range(1, 6)  # likelihood and impact are each 1 to 5
RISK_HIGH, RISK_MEDIUM = 15, 8  # a score (likelihood × impact) at or above is high, medium


def risk_score(likelihood: int, impact: int) -> int:
    return likelihood * impact


def risk_rating(score: int) -> str:
    return "High" if score >= RISK_HIGH else "Medium" if score >= RISK_MEDIUM else "Low"


def risk_grid(scores: Sequence[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """How many risks sit in each cell of the 5 × 5 heat map, by (likelihood, impact); every
    cell is present, empty ones with 0."""
    grid = {(likelihood, impact): 0 for likelihood in RISK_SCALE for impact in RISK_SCALE}
    for likelihood, impact in scores:
        grid[likelihood, impact] += 1
    return grid


def risk_ratings_count(scores: Sequence[tuple[int, int]]) -> dict[str, int]:
    """How many risks are high, medium and low, in that order."""
    counts = {"High": 0, "Medium": 0, "Low": 0}
    for likelihood, impact in scores:
        counts[risk_rating(risk_score(likelihood, impact))] += 1
    return counts
