"""How each indicator is doing: the arithmetic applied to what is in the database.

``indicator_reports`` loads everything a page needs for many indicators in a fixed number of
queries, then works in memory, so a dashboard's query count does not grow with its rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from outcomes import arithmetic, charts, hooks, periods, trajectories
from outcomes.models import (
    POINT_FIELDS,
    READING_POINT_FIELDS,
    Comparator,
    Indicator,
    Outcome,
    Target,
    point_from,
    series_readings_of,
)

# When an indicator has several targets, the one the partnership judges itself by.
TARGET_PREFERENCE = [Target.Kind.LOCAL, Target.Kind.NATIONAL, Target.Kind.STRETCH]
# How far before a passed target's date a reading may be and still stand for it: one period.
MONTHS_PER_READING = {
    Indicator.Frequency.MONTHLY: 1,
    Indicator.Frequency.QUARTERLY: 3,
    Indicator.Frequency.ANNUAL: 12,
}
# From best to worst, to find the more cautious of a computed status and a lead's: not enough
# data says less than "on track" and more than "at risk".
STATUS_CAUTION = [
    arithmetic.Status.ON_TRACK,
    arithmetic.Status.NOT_ENOUGH_DATA,
    arithmetic.Status.AT_RISK,
    arithmetic.Status.OFF_TRACK,
]


# A comparison with similar areas, as the public summary's charts name it.
PLACES_LIKE_OURS = "Places like ours"


@dataclass(frozen=True)
class ComparatorSeries:
    """A comparator's values, oldest first, and how the area compares with it in the area's
    latest period (set by `report`)."""

    comparator: Comparator
    points: list[arithmetic.Point]
    compared: arithmetic.Compared | None = None

    @property
    def words(self) -> str:
        """ "Worse than England": the one wording of a comparison, on every page and report."""
        if self.compared is None:
            return ""
        return arithmetic.comparison_words(self.compared, self.comparator.name)

    @property
    def verdict(self) -> str:
        """better, similar, worse or not_compared: the class that colours the words."""
        return "" if self.compared is None else self.compared.verdict.value


@dataclass(frozen=True)
class TrajectoryRow:
    period: str
    planned: float
    reading: arithmetic.Point | None = None
    check: trajectories.Check | None = None


@dataclass
class IndicatorReport:
    """`readings`: every whole-area reading, suppressed ones too, oldest first; `points`: those
    with a value; `trend`: the ones the trend is fitted to, and what was left out and why."""

    indicator: Indicator
    points: list[arithmetic.Point]
    breakdowns: dict[str, list[arithmetic.Point]]
    target: Target | None
    judgement: arithmetic.Judgement
    computed_status: arithmetic.Status
    latest: arithmetic.Point | None
    readings: list[arithmetic.Point] = field(default_factory=list)
    trend: arithmetic.TrendReadings | None = None
    gap: float | None = None
    gap_in_people: float | None = None
    rate_needed: float | None = None
    recent_rate: float | None = None
    last_change: arithmetic.Change | None = None
    spread: arithmetic.Spread | None = None
    comparators: list[ComparatorSeries] = field(default_factory=list)
    # The target's planned trajectory, and each whole-area reading it has a value for against it.
    trajectory: trajectories.Trajectory | None = None
    trajectory_checks: list[tuple[arithmetic.Point, trajectories.Check]] = field(
        default_factory=list
    )
    chart: object | None = None  # outcomes.charts.Chart, drawn on request
    small_chart: object | None = None

    @property
    def status(self) -> arithmetic.Status:
        """The status members see first: a lead's, where one overruled the computed status
        (pages always show the computed one, who, when and why beside it)."""
        return arithmetic.Status(self.indicator.status_override or self.computed_status)

    @property
    def overridden(self) -> bool:
        return bool(self.indicator.status_override)

    @property
    def cautious_status(self) -> arithmetic.Status:
        """The worse of the computed status and a lead's: what the board report's exceptions,
        counts and decisions go by and what the public summary says, so that an override can
        flag an indicator but never hide one."""
        return max(self.computed_status, self.status, key=STATUS_CAUTION.index)

    @property
    def unit(self) -> str:
        return self.indicator.unit_symbol

    def show(self, value: float | None) -> str:
        """A value in the indicator's unit, as every page, chart and PDF writes it."""
        return "–" if value is None else self.indicator.measure.value(value)

    @property
    def latest_text(self) -> str:
        return self.show(self.latest.value if self.latest else None)

    @property
    def last_change_significant(self) -> bool | None:
        return None if self.last_change is None else self.last_change.significant

    @property
    def last_change_text(self) -> str:
        """The latest change against its margin of error, with the method and level that
        decided it: one sentence for the pages and the board report."""
        change = self.last_change
        if change is None:
            return ""
        earlier, later = self.trend.points[-2], self.trend.points[-1]
        verdict = "larger than" if change.significant else "within"
        return (
            f"The change from {earlier.period_text} to {later.period_text} is {verdict} its "
            f"margin of error at {change.level_text}, by {change.method.label}."
        )

    @property
    def comparison_basis(self) -> str:
        """How the comparisons were made, with the period and level: the indicator page says
        it under them."""
        area = self.readings[-1] if self.readings else None
        if area is None or area.value is None or not area.has_interval:
            return ""
        return (
            f"For {area.period_text}, as the public health profiles compare: better or worse "
            f"when the comparator's value lies outside our {arithmetic.level_text(area.level)} "
            "confidence interval (or, when the comparator has an interval at the same level, "
            "when the two intervals do not overlap), similar otherwise. Which is better follows "
            "the indicator's direction."
        )

    @property
    def latest_suppressed(self) -> arithmetic.Point | None:
        """The latest whole-area reading, when the source suppressed it."""
        if self.readings and self.readings[-1].value is None:
            return self.readings[-1]
        return None

    @property
    def latest_check(self) -> trajectories.Check | None:
        """The latest reading against the trajectory, when the trajectory covers its period."""
        if self.trajectory_checks and self.trajectory_checks[-1][0] == self.latest:
            return self.trajectory_checks[-1][1]
        return None

    @property
    def latest_check_text(self) -> str:
        """ "Sep 2025: 2.1 percentage points below trajectory, within its margin of error"."""
        check = self.latest_check
        return f"{self.latest.period_text}: {check.words}" if check else ""

    @property
    def trajectory_rows(self) -> list[TrajectoryRow]:
        """A row a period, oldest first: each period the trajectory names, and each reading it
        was judged at, with the reading and the judgement where there is one."""
        if self.trajectory is None:
            return []
        frequency = self.indicator.frequency
        rows = {
            step.when: TrajectoryRow(
                periods.label_for(periods.start_for(step.when, frequency), step.when), step.value
            )
            for step in self.trajectory.steps
        }
        for point, found in self.trajectory_checks:
            rows[point.when] = TrajectoryRow(point.period_text, found.planned, point, found)
        return [rows[when] for when in sorted(rows)]

    @property
    def target_text(self) -> str:
        return self.show(float(self.target.target_value) if self.target else None)

    @property
    def baseline_text(self) -> str:
        return self.show(float(self.target.baseline_value) if self.target else None)

    @property
    def gap_text(self) -> str:
        return "–" if self.gap is None else self.indicator.measure.difference(self.gap)

    def change(self, per_year: float | None) -> str:
        """A yearly change in words: "a fall of 0.5 percentage points", "a rise of 12"."""
        if per_year is None:
            return "–"
        size = self.indicator.measure.difference(abs(per_year))
        if per_year == 0:
            return "no change"
        return f"{'a rise' if per_year > 0 else 'a fall'} of {size}"

    @property
    def rate_needed_text(self) -> str:
        return self.change(self.rate_needed)

    @property
    def recent_rate_text(self) -> str:
        return self.change(self.recent_rate)

    @property
    def best_text(self) -> str:
        return self.show(self.spread.best if self.spread else None)

    @property
    def worst_text(self) -> str:
        return self.show(self.spread.worst if self.spread else None)


@dataclass(frozen=True)
class PlanForecast:
    """The forecast at the target date without the plan (the trend alone) and with it (the
    trend plus the expected effects and external factors), and the gap each leaves."""

    report: IndicatorReport
    without: arithmetic.Forecast
    with_plan: trajectories.PlannedForecast
    effects: list[tuple[trajectories.Effect, float]]  # each with its share built up by then

    def _show_range(self, lower, upper) -> str:
        if lower is None or upper is None:
            return ""
        return self.report.indicator.measure.interval(lower, upper)

    @property
    def without_text(self) -> str:
        return self.report.show(self.without.value)

    @property
    def without_range(self) -> str:
        return self._show_range(self.without.lower, self.without.upper)

    @property
    def with_text(self) -> str:
        return self.report.show(self.with_plan.value)

    @property
    def with_range(self) -> str:
        return self._show_range(self.with_plan.lower, self.with_plan.upper)

    def _gap(self, value: float) -> str:
        target = self.report.target
        gap = arithmetic.gap(
            value, float(target.target_value), self.report.indicator.arithmetic_direction
        )
        if gap == 0:
            return "Meets the target"
        return f"{self.report.indicator.measure.difference(gap)} short of the target"

    @property
    def gap_without(self) -> str:
        return self._gap(self.without.value)

    @property
    def gap_with(self) -> str:
        return self._gap(self.with_plan.value)

    @property
    def external_count(self) -> int:
        return sum(1 for effect, _ in self.effects if effect.external)


def plan_forecast(
    report: IndicatorReport, effects: list[trajectories.Effect]
) -> PlanForecast | None:
    """The forecast at the target date with and without the plan; None without a target, a
    forecast, or any effect to add."""
    base = report.judgement.forecast
    if report.target is None or base is None or not effects:
        return None
    planned = trajectories.with_plan(base, effects, report.indicator.bounds)
    return PlanForecast(
        report=report,
        without=base,
        with_plan=planned,
        effects=[(effect, effect.share_at(base.when)) for effect in effects],
    )


def main_target(targets) -> Target | None:
    by_kind = {target.kind: target for target in targets}
    return next((by_kind[kind] for kind in TARGET_PREFERENCE if kind in by_kind), None)


def report(
    indicator: Indicator,
    *,
    series: dict[str, list[arithmetic.Point]],
    comparators: list[ComparatorSeries] = (),
    today: date | None = None,
) -> IndicatorReport:
    """Everything known about one indicator's course. ``series`` maps a breakdown ("" for the
    whole area) to its readings, oldest first, suppressed ones too; targets come from the
    indicator (prefetched), the fewest readings for a trend from its plan."""
    today = today or timezone.localdate()
    readings = series.get("", [])
    whole_area = [point for point in readings if point.value is not None]
    trend = arithmetic.trend_readings(readings, start_from=indicator.trend_from)
    breakdowns = {
        name: [point for point in points if point.value is not None]
        for name, points in series.items()
        if name
    }
    target = main_target(indicator.targets.all())
    direction = indicator.arithmetic_direction
    latest = whole_area[-1] if whole_area else None

    if target is None:
        judgement = arithmetic.Judgement(
            status=arithmetic.Status.NOT_ENOUGH_DATA,
            sentence="No target has been set, so there is nothing to judge progress against.",
            forecast=None,
            likelihood=None,
        )
    else:
        judgement = arithmetic.judge(
            trend.points,
            target_value=float(target.target_value),
            target_date=target.target_date,
            direction=direction,
            unit=indicator.unit_symbol,
            today=today,
            months_per_reading=MONTHS_PER_READING[indicator.frequency],
            bounds=indicator.bounds,
            measure=indicator.measure,
            minimum_points=indicator.plan.trend_minimum_points,
            passed_readings=whole_area,
        )
    result = IndicatorReport(
        indicator=indicator,
        points=whole_area,
        breakdowns=breakdowns,
        target=target,
        judgement=judgement,
        computed_status=judgement.status,
        latest=latest,
        readings=readings,
        trend=trend,
        comparators=[
            replace(series, compared=_compared(indicator, readings, series))
            for series in comparators
        ],
    )
    if latest and target:
        result.gap = arithmetic.gap(latest.value, float(target.target_value), direction)
        if indicator.denominator and indicator.people_per:
            result.gap_in_people = arithmetic.gap_in_people(
                result.gap, per=indicator.people_per, denominator=indicator.denominator
            )
        result.rate_needed = arithmetic.rate_needed_per_year(
            latest, float(target.target_value), target.target_date
        )
    if target is not None:
        result.trajectory = target.trajectory(MONTHS_PER_READING[indicator.frequency])
    if result.trajectory is not None:
        for point in whole_area:
            planned = result.trajectory.value_for(point.when)
            if planned is not None:
                found = trajectories.check(point, planned, direction, indicator.measure)
                result.trajectory_checks.append((point, found))
    result.recent_rate = arithmetic.recent_rate_per_year(trend.points)
    if len(trend.points) >= 2:
        result.last_change = indicator.change_significance(trend.points[-2], trend.points[-1])
    latest_by_group = {name: points[-1].value for name, points in breakdowns.items() if points}
    result.spread = arithmetic.spread(latest_by_group, direction)
    return result


def _compared(indicator, readings, series: ComparatorSeries) -> arithmetic.Compared:
    """The area's latest period (suppressed or not) against the comparator's value for the
    same period."""
    area = readings[-1] if readings else None
    other = None
    if area is not None:
        same = (area.first_day, area.when)
        other = next((p for p in series.points if (p.first_day, p.when) == same), None)
    return arithmetic.compare(area, other, indicator.arithmetic_direction)


def _series_points(indicators: list[Indicator]) -> dict[int, dict[str, list[arithmetic.Point]]]:
    """Each indicator's readings by group, oldest first, in one query: its own and those of
    the indicators of its series (a plan copied forward reads the same readings as the plan
    before it). Where two indicators of a series hold the same period, the indicator's own
    reading is shown, else the later indicator's."""
    keys = {indicator.series_key for indicator in indicators}
    readers: dict[int, list[Indicator]] = defaultdict(list)
    for indicator in indicators:
        readers[indicator.series_key].append(indicator)
    rows = (
        series_readings_of(keys)
        .order_by("period", "period_start", "indicator_id")
        .values_list(
            "indicator_id", "indicator__series_start_id", "breakdown", *READING_POINT_FIELDS
        )
    )
    chosen: dict[int, dict[tuple, tuple[bool, int, list]]] = defaultdict(dict)
    for owner, start, breakdown, *point in rows:
        for reader in readers[start or owner]:
            slot = (breakdown, point[0], point[1])  # the group, the first and last day
            rank = (owner == reader.pk, owner)
            if slot not in chosen[reader.pk] or chosen[reader.pk][slot][:2] < rank:
                chosen[reader.pk][slot] = (*rank, point)
    series: dict[int, dict[str, list[arithmetic.Point]]] = defaultdict(lambda: defaultdict(list))
    for reader_id, slots in chosen.items():
        for (breakdown, *_), (*_, point) in sorted(
            slots.items(), key=lambda item: (item[0][2], item[0][1])
        ):
            series[reader_id][breakdown].append(point_from(*point))
    return series


def indicator_reports(
    indicators: QuerySet[Indicator], *, with_comparators: bool = True, today: date | None = None
) -> list[IndicatorReport]:
    """Reports for many indicators in four queries, whatever their number and readings.

    Readings are read as plain rows, not model instances: a dashboard may hold tens of
    thousands of them."""
    today = today or timezone.localdate()
    indicators = list(
        indicators.select_related("owner", "outcome", "overridden_by", "plan").prefetch_related(
            "targets"
        )
    )
    ids = [indicator.pk for indicator in indicators]
    series = _series_points(indicators)

    comparators: dict[int, list[ComparatorSeries]] = defaultdict(list)
    if with_comparators:
        # One query: each comparator with its values, a comparator without any as one row of
        # NULLs (a left join).
        fields = ["id", "indicator_id", "name", "kind", "area_code"]
        rows = (
            Comparator.objects.filter(indicator_id__in=ids)
            .order_by("indicator_id", "kind", "name", "readings__period", "readings__period_start")
            .values_list(*fields, *(f"readings__{name}" for name in POINT_FIELDS))
        )
        by_pk: dict[int, ComparatorSeries] = {}
        for row in rows:
            pk, indicator_id, point = row[0], row[1], row[len(fields) :]
            if pk not in by_pk:
                comparator = Comparator.from_db("default", fields, row[: len(fields)])
                by_pk[pk] = ComparatorSeries(comparator=comparator, points=[])
                comparators[indicator_id].append(by_pk[pk])
            if point[1] is not None:  # a value's last day: this comparator has values
                by_pk[pk].points.append(point_from(*point))
    return [
        report(
            indicator,
            series=series[indicator.pk],
            comparators=comparators[indicator.pk],
            today=today,
        )
        for indicator in indicators
    ]


def plan_outcome_reports(plan) -> list[tuple[Outcome, list[IndicatorReport]]]:
    """Every outcome of the plan with its indicators' reports and comparisons, in a fixed
    number of queries."""
    outcomes = list(plan.outcomes.all())
    reports = draw_charts(indicator_reports(Indicator.objects.filter(plan=plan)), small=True)
    by_outcome: dict[int, list] = {outcome.pk: [] for outcome in outcomes}
    for item in reports:
        by_outcome[item.indicator.outcome_id].append(item)
    return [(outcome, by_outcome[outcome.pk]) for outcome in outcomes]


def draw_charts(
    reports: list[IndicatorReport],
    *,
    small: bool,
    marks: dict | None = None,
    titled: bool = True,
    plain: bool = False,
) -> list[IndicatorReport]:
    """Attach each report's chart: full size with comparators, or a dashboard sparkline.
    ``marks`` (indicator id → charts.Mark list) adds completed actions and decisions;
    ``titled=False`` leaves the title out of the drawing, for a page that heads it itself;
    ``plain=True`` draws it in everyday words (the public summary), comparisons with similar
    areas as "Places like ours". A full-size chart draws the forecast with the plan beside the
    trend's, from every indicator's expected effects and external factors (`hooks.effects_for`,
    a fixed number of queries however many indicators)."""
    effects = {} if small else hooks.effects_for(item.indicator for item in reports)
    for item in reports:
        indicator = item.indicator
        target = item.target
        chart = charts.indicator_chart(
            title=f"{indicator.code} {indicator.name}",
            unit=indicator.unit_symbol,
            measure=indicator.measure.plain() if plain else indicator.measure,
            plain=plain,
            bounds=indicator.bounds,
            readings=item.readings,
            trend_from=indicator.trend_from,
            minimum_points=indicator.plan.trend_minimum_points,
            direction=indicator.arithmetic_direction,
            target=charts.TargetLine(
                baseline_date=target.baseline_date,
                baseline_value=float(target.baseline_value),
                target_date=target.target_date,
                target_value=float(target.target_value),
                label=f"{target.get_kind_display()} target",
            )
            if target
            else None,
            trajectory=item.trajectory.steps if item.trajectory else (),
            comparators=[
                charts.Series(
                    name=PLACES_LIKE_OURS
                    if plain and series.comparator.kind == Comparator.Kind.SIMILAR
                    else series.comparator.name,
                    points=series.points,
                )
                for series in item.comparators
            ],
            marks=(marks or {}).get(indicator.pk, ()),
            effects=effects.get(indicator.pk, ()),
            small=small,
            titled=titled,
            chart_id=f"{'spark' if small else 'chart'}-{indicator.pk}",
        )
        if small:
            item.small_chart = chart
        else:
            item.chart = chart
    return reports
