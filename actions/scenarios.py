"""Scenarios compared (issue 26): for each of a plan's indicators with a target, the forecast
at the target date from the trend alone and under each named scenario (the actions' expected
effects and the external factors it counts on), with the gap each leaves.

The arithmetic is `outcomes.trajectories.with_plan`; this module reads what it needs in a
fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from actions.models import ExpectedEffect, Scenario, counted_option_effects
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
    scenarios = list(plan.scenarios.prefetch_related("actions", "options", "external_factors"))
    by_action: dict[int, list] = defaultdict(list)
    for effect in ExpectedEffect.objects.filter(indicator__plan=plan).select_related("action"):
        by_action[effect.indicator_id].append((effect.action_id, effect.as_effect()))
    by_option: dict[int, list] = defaultdict(list)
    for effect in counted_option_effects(plan=plan):
        by_option[effect.indicator_id].append((effect.option_id, effect.as_effect()))
    by_factor: dict[int, list] = defaultdict(list)
    for factor in ExternalFactor.objects.filter(indicator__plan=plan):
        by_factor[factor.indicator_id].append((factor.pk, factor.as_effect()))
    chosen = {
        scenario.pk: (
            {action.pk for action in scenario.actions.all()},
            {factor.pk for factor in scenario.external_factors.all()},
            {option.pk for option in scenario.options.all()},
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
            actions, factors, options = chosen[scenario.pk]
            effects = [e for pk, e in by_action[report.indicator.pk] if pk in actions]
            effects += [e for pk, e in by_option[report.indicator.pk] if pk in options]
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


@dataclass(frozen=True)
class AgainstTrend:
    """One indicator's forecast at its target date on the trend alone and under the agreed
    scenario, and a sentence that says both (the board report)."""

    report: IndicatorReport
    trend: Row
    agreed: Row
    sentence: str


def agreed_against_trend(plan, reports: list[IndicatorReport]) -> tuple[Scenario | None, list]:
    """The plan's agreed scenario and, for each of ``reports`` with a target and a forecast
    whose indicator the scenario counts an effect on, the scenario against the trend. Four
    queries however big the plan (one when no scenario is agreed)."""
    scenario = plan.scenarios.filter(agreed=True).first()
    if scenario is None:
        return None, []
    by_indicator: dict[int, list] = defaultdict(list)
    chosen = ExpectedEffect.objects.filter(action__scenarios=scenario, indicator__plan=plan)
    for effect in chosen.select_related("action"):
        by_indicator[effect.indicator_id].append(effect.as_effect())
    for effect in counted_option_effects(plan=plan).filter(option__scenarios=scenario):
        by_indicator[effect.indicator_id].append(effect.as_effect())
    for factor in scenario.external_factors.all():
        by_indicator[factor.indicator_id].append(factor.as_effect())
    found = []
    for report in reports:
        base = report.judgement.forecast
        effects = by_indicator.get(report.indicator.pk)
        if report.target is None or base is None or not effects:
            continue
        planned = with_plan(base, effects, report.indicator.bounds)
        trend = _row(report, TREND_ALONE, False, base.value, base.lower, base.upper)
        agreed = _row(report, scenario.name, True, planned.value, planned.lower, planned.upper)
        found.append(AgainstTrend(report, trend, agreed, _sentence(report, trend, agreed)))
    return scenario, found


def _sentence(report: IndicatorReport, trend: Row, agreed: Row) -> str:
    when = f"{report.target.target_date:%B %Y}"
    ranged = f" ({agreed.range_text})" if agreed.range_text else ""
    meets = "meets" if agreed.gap == "Meets the target" else f"falls {agreed.gap} of"
    return (
        f"With the agreed scenario, {report.indicator.code} is forecast at {agreed.value_text}"
        f"{ranged} by {when}, against {trend.value_text} on the trend alone: it {meets} the"
        f" target of {report.target_text}."
    )
