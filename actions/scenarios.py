"""Scenarios compared (issue 26): for each of a plan's indicators with a target, the forecast
at the target date from the trend alone and under each named scenario (the actions' expected
effects and the external factors it counts on), with the gap each leaves.

The arithmetic is `outcomes.trajectories.with_plan`; this module reads what it needs in a
fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from actions.models import ExpectedEffect, Scenario
from outcomes import arithmetic, charts
from outcomes.models import ExternalFactor, Indicator
from outcomes.status import IndicatorReport, indicator_reports
from outcomes.trajectories import with_plan

TREND_ALONE = "The trend alone"


@dataclass(frozen=True)
class Row:
    name: str
    agreed: bool
    value: float
    lower: float | None
    upper: float | None
    gap: str
    value_text: str = ""
    range_text: str = ""


def _row(report: IndicatorReport, name: str, agreed: bool, value, lower, upper) -> Row:
    measure = report.indicator.measure
    shown = "" if lower is None or upper is None else measure.interval(lower, upper)
    return Row(name, agreed, value, lower, upper, _gap(report, value), report.show(value), shown)


@dataclass(frozen=True)
class Compared:
    report: IndicatorReport
    rows: list[Row]
    chart: charts.Chart


def _gap(report: IndicatorReport, value: float) -> str:
    gap = arithmetic.gap(
        value, float(report.target.target_value), report.indicator.arithmetic_direction
    )
    if gap == 0:
        return "Meets the target"
    return f"{report.indicator.measure.difference(gap)} short"


def compare(plan) -> tuple[list[Scenario], list[Compared]]:
    scenarios = list(plan.scenarios.prefetch_related("actions", "external_factors"))
    by_action: dict[int, list] = defaultdict(list)
    for effect in ExpectedEffect.objects.filter(indicator__plan=plan).select_related("action"):
        by_action[effect.indicator_id].append((effect.action_id, effect.as_effect()))
    by_factor: dict[int, list] = defaultdict(list)
    for factor in ExternalFactor.objects.filter(indicator__plan=plan):
        by_factor[factor.indicator_id].append((factor.pk, factor.as_effect()))
    chosen = {
        scenario.pk: (
            {action.pk for action in scenario.actions.all()},
            {factor.pk for factor in scenario.external_factors.all()},
        )
        for scenario in scenarios
    }
    found = []
    for report in indicator_reports(Indicator.objects.filter(plan=plan), with_comparators=False):
        base = report.judgement.forecast
        if report.target is None or base is None:
            continue
        rows = [_row(report, TREND_ALONE, False, base.value, base.lower, base.upper)]
        counted = False
        for scenario in scenarios:
            actions, factors = chosen[scenario.pk]
            effects = [e for pk, e in by_action[report.indicator.pk] if pk in actions]
            effects += [e for pk, e in by_factor[report.indicator.pk] if pk in factors]
            counted = counted or bool(effects)
            planned = with_plan(base, effects, report.indicator.bounds)
            rows.append(
                _row(
                    report,
                    scenario.name,
                    scenario.agreed,
                    planned.value,
                    planned.lower,
                    planned.upper,
                )
            )
        if not counted:
            continue
        indicator = report.indicator
        chart = charts.scenario_chart(
            title=f"{indicator.code} {indicator.name}: forecasts for {base.when:%B %Y}",
            rows=[(row.name, row.value, row.lower, row.upper) for row in rows],
            target=float(report.target.target_value),
            measure=indicator.measure,
            chart_id=f"scenarios-{indicator.pk}",
        )
        found.append(Compared(report, rows, chart))
    return scenarios, found
