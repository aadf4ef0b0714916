"""How each indicator is doing: the arithmetic applied to what is in the database.

``indicator_reports`` loads everything a page needs for many indicators in a fixed number of
queries, then works in memory, so a dashboard's query count does not grow with its rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from outcomes import arithmetic
from outcomes.models import Comparator, Indicator, Outcome, Reading, Target

# When an indicator has several targets, the one the partnership judges itself by.
TARGET_PREFERENCE = [Target.Kind.LOCAL, Target.Kind.NATIONAL, Target.Kind.STRETCH]


@dataclass
class IndicatorReport:
    indicator: Indicator
    points: list[arithmetic.Point]
    breakdowns: dict[str, list[arithmetic.Point]]
    target: Target | None
    judgement: arithmetic.Judgement
    computed_status: arithmetic.Status
    latest: arithmetic.Point | None
    gap: float | None = None
    gap_in_people: float | None = None
    rate_needed: float | None = None
    recent_rate: float | None = None
    last_change_significant: bool | None = None
    spread: arithmetic.Spread | None = None
    comparators: list[Comparator] = field(default_factory=list)
    chart: object | None = None  # outcomes.charts.Chart, drawn on request
    small_chart: object | None = None

    @property
    def status(self) -> arithmetic.Status:
        return arithmetic.Status(self.indicator.status_override or self.computed_status)

    @property
    def overridden(self) -> bool:
        return bool(self.indicator.status_override)

    @property
    def unit(self) -> str:
        return self.indicator.unit_symbol

    def show(self, value: float | None) -> str:
        return "–" if value is None else arithmetic.format_value(value, self.unit)

    @property
    def latest_text(self) -> str:
        return self.show(self.latest.value if self.latest else None)

    @property
    def target_text(self) -> str:
        return self.show(float(self.target.target_value) if self.target else None)

    @property
    def gap_text(self) -> str:
        return self.show(self.gap)

    @property
    def rate_needed_text(self) -> str:
        return self.show(self.rate_needed)

    @property
    def recent_rate_text(self) -> str:
        return self.show(self.recent_rate)

    @property
    def best_text(self) -> str:
        return self.show(self.spread.best if self.spread else None)

    @property
    def worst_text(self) -> str:
        return self.show(self.spread.worst if self.spread else None)


def with_report_data(indicators: QuerySet[Indicator]) -> QuerySet[Indicator]:
    """The prefetches ``report`` needs: readings, targets, comparators and their readings."""
    return indicators.select_related("owner", "outcome", "overridden_by").prefetch_related(
        Prefetch("readings", queryset=Reading.objects.order_by("period")),
        "targets",
        Prefetch(
            "comparators",
            queryset=Comparator.objects.prefetch_related("readings"),
        ),
    )


def main_target(targets) -> Target | None:
    by_kind = {target.kind: target for target in targets}
    return next((by_kind[kind] for kind in TARGET_PREFERENCE if kind in by_kind), None)


def report(indicator: Indicator, *, today: date | None = None) -> IndicatorReport:
    """Everything known about one indicator's course. Uses prefetched rows when present."""
    today = today or timezone.localdate()
    whole_area: list[arithmetic.Point] = []
    breakdowns: dict[str, list[arithmetic.Point]] = {}
    for reading in indicator.readings.all():
        if reading.breakdown:
            breakdowns.setdefault(reading.breakdown, []).append(reading.point)
        else:
            whole_area.append(reading.point)
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
            whole_area,
            target_value=float(target.target_value),
            target_date=target.target_date,
            direction=direction,
            unit=indicator.unit_symbol,
            today=today,
        )
    result = IndicatorReport(
        indicator=indicator,
        points=whole_area,
        breakdowns=breakdowns,
        target=target,
        judgement=judgement,
        computed_status=judgement.status,
        latest=latest,
        comparators=list(indicator.comparators.all()),
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
    result.recent_rate = arithmetic.recent_rate_per_year(whole_area)
    if len(whole_area) >= 2:
        result.last_change_significant = arithmetic.change_is_significant(
            whole_area[-2], whole_area[-1]
        )
    latest_by_group = {name: points[-1].value for name, points in breakdowns.items() if points}
    result.spread = arithmetic.spread(latest_by_group, direction)
    return result


def indicator_reports(indicators: QuerySet[Indicator]) -> list[IndicatorReport]:
    today = timezone.localdate()
    return [report(indicator, today=today) for indicator in with_report_data(indicators)]


def plan_outcome_reports(plan) -> list[tuple[Outcome, list[IndicatorReport]]]:
    """Every outcome of the plan with its indicators' reports, in a fixed number of queries."""
    outcomes = list(plan.outcomes.all())
    reports = indicator_reports(Indicator.objects.filter(plan=plan))
    by_outcome: dict[int, list] = {outcome.pk: [] for outcome in outcomes}
    for item in reports:
        by_outcome[item.indicator.outcome_id].append(item)
    return [(outcome, by_outcome[outcome.pk]) for outcome in outcomes]
