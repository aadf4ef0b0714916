"""Next year's plan (issue 24: evaluation feeds the next round).

``plan_carry_forward`` copies a plan into a new period: its outcomes; its indicators, each a
new indicator that carries on the old one and reads the same readings (never copies, see
``Indicator.series_readings``); its targets rolled on by the length between the two periods'
starts, with the latest reading as the new baseline; its criteria; and its open actions (not
complete, not cancelled, not closed), each carried with a link back to the action it carries
on. Closed and finished actions stay with the old plan; its lessons (reviews/lessons.py) are
listed on the new plan's page, read from the old plan.

``plan_from_template`` starts a plan from one of the partnership's templates: outcomes,
indicators without readings or targets, and criteria; no actions.

Each is one transaction: the new plan is made whole or not at all.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from actions.models import Action, Criterion
from actions.services import next_reference
from improveplan.models import Plan
from outcomes.models import Indicator, Outcome, Target, series_readings_of

# An indicator's own columns that a new plan's indicator starts with (not its plan, outcome,
# lead's override of the status or links).
INDICATOR_FIELDS = [
    "code",
    "name",
    "definition",
    "unit",
    "rate_per",
    "direction",
    "frequency",
    "source",
    "data_sharing",
    "owner_id",
    "kind",
    "denominator",
    "minimum",
    "maximum",
    "year_end_month",
]
OUTCOME_FIELDS = [
    "statement",
    "why_it_matters",
    "priority",
    "target_groups",
    "places",
    "assumptions",
]
ACTION_FIELDS = [
    "title",
    "description",
    "lead_organisation_id",
    "owner_id",
    "start",
    "due",
    "term",
    "resource_amount",
    "resource_provider_id",
    "staff_time",
    "expected_outputs",
    "expected_outcomes",
    "success_measure",
    "monitoring",
    "corporate_plan_ref",
    "is_key",
    "status",
    "progress",
]
# Targets roll on by the months between the plans' starts: a new plan starts within ten years.
MOST_MONTHS_ON = 120
PLAN_FIELDS = [
    "vision",
    "method",
    "outcome_limit",
    "indicator_limit",
    "trend_minimum_points",
    "scope",
    "manager_id",
    "expected_rating",
]


def months_between(earlier: date, later: date) -> int:
    """Whole months from one day to another (1 April 2025 to 1 April 2026: 12)."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def moved(day: date, months: int) -> date:
    """The day ``months`` later; a month's last day stays its month's last day."""
    last = calendar.monthrange(day.year, day.month)[1]
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    days = calendar.monthrange(year, month)[1]
    return date(year, month, days if day.day == last else min(day.day, days))


def next_period(plan: Plan) -> tuple[str, date, date]:
    """The title and period a copy forward offers: the next period of the same length, with
    the years in the title moved on."""
    start = plan.period_end + timedelta(days=1)
    months = max(months_between(plan.period_start, start), 1)
    end = moved(plan.period_end, months)
    title = plan.title
    if months % 12 == 0:
        years = months // 12

        def later(found: re.Match) -> str:
            number = int(found.group(0))
            width = len(found.group(0))
            return f"{(number + years) % (10**width):0{width}d}"

        title = re.sub(r"(?<!\d)(\d{4}|(?<=/)\d{2})(?!\d)", later, title)
    if title == plan.title:
        title = f"{plan.title} ({start:%Y}–{end:%y})"
    return title[:200], start, end


def _check_period(title: str, period_start: date, period_end: date) -> None:
    if period_end <= period_start:
        raise ValidationError("The new plan's period must end after it starts.")


def _new_plan(source: Plan, *, title: str, period_start: date, period_end: date, **links) -> Plan:
    plan = Plan(
        partnership_id=source.partnership_id,
        title=title,
        period_start=period_start,
        period_end=period_end,
        status=Plan.Status.DRAFT,
        **{name: getattr(source, name) for name in PLAN_FIELDS},
        **links,
    )
    plan.full_clean(exclude=["manager"])
    plan.save()
    return plan


def _copy_outcomes_and_indicators(
    source: Plan, plan: Plan, *, carry_on: bool
) -> tuple[dict[int, Outcome], dict[int, Indicator]]:
    outcomes = {}
    for old in source.outcomes.order_by("priority", "pk"):
        outcomes[old.pk] = Outcome.objects.create(
            plan=plan, **{name: getattr(old, name) for name in OUTCOME_FIELDS}
        )
    indicators = {}
    for old in source.indicators.order_by("pk"):
        new = Indicator(
            plan=plan,
            outcome=outcomes[old.outcome_id],
            **{name: getattr(old, name) for name in INDICATOR_FIELDS},
        )
        if carry_on:
            new.continues = old
            new.series_start_id = old.series_key
            new.trend_from = old.trend_from
        new.save()
        indicators[old.pk] = new
    return outcomes, indicators


def _copy_criteria(source: Plan, plan: Plan) -> None:
    Criterion.objects.bulk_create(
        Criterion(
            plan=plan,
            name=old.name,
            description=old.description,
            weight=old.weight,
            order=old.order,
        )
        for old in source.criteria.all()
    )


def _latest_readings(indicators: list[Indicator]) -> dict[int, tuple[date, object]]:
    """The last day and value of the latest whole-area reading of each indicator's series."""
    keys = {indicator.series_key for indicator in indicators}
    found = (
        series_readings_of(keys)
        .filter(breakdown="", value__isnull=False)
        .order_by("period", "period_start", "indicator_id")
        .values_list("indicator_id", "indicator__series_start_id", "period", "value")
    )
    return {start or owner: (period, value) for owner, start, period, value in found}


def _roll_targets(source: Plan, indicators: dict[int, Indicator], months: int) -> None:
    """Each target rolled on: its dates moved by ``months``, its value kept, its baseline the
    latest reading of the series where there is one before the new target date."""
    latest = _latest_readings(list(indicators.values()))
    for old in Target.objects.filter(indicator__plan=source).order_by("pk"):
        new_indicator = indicators[old.indicator_id]
        target_date = moved(old.target_date, months)
        baseline_value, baseline_date = old.baseline_value, moved(old.baseline_date, months)
        period, value = latest.get(new_indicator.series_key, (None, None))
        if period is not None and period < target_date:
            baseline_value, baseline_date = value, period
        Target.objects.create(
            indicator=new_indicator,
            kind=old.kind,
            baseline_value=baseline_value,
            baseline_date=baseline_date,
            target_value=old.target_value,
            target_date=target_date,
            trajectory_shape=old.trajectory_shape,
            trajectory_steps=old.trajectory_steps,
            trajectory_values=[
                [moved(date.fromisoformat(when), months).isoformat(), value]
                for when, value in old.trajectory_values
            ],
        )


def _carry_actions(
    source: Plan, plan: Plan, outcomes: dict[int, Outcome], indicators: dict[int, Indicator]
) -> list[Action]:
    carried = []
    for old in (
        Action.objects.filter(plan=source)
        .in_progress()
        .prefetch_related("outcomes", "supporting_organisations")
        .order_by("number")
    ):
        new = Action(
            plan=plan,
            continues=old,
            success_indicator=indicators.get(old.success_indicator_id),
            **{name: getattr(old, name) for name in ACTION_FIELDS},
        )
        new.number, new.reference = next_reference(plan)
        new.save()
        new.outcomes.set([outcomes[o.pk] for o in old.outcomes.all() if o.pk in outcomes])
        new.supporting_organisations.set(old.supporting_organisations.all())
        carried.append(new)
    return carried


def plan_carry_forward(
    *, plan: Plan, title: str, period_start: date, period_end: date
) -> tuple[Plan, list[Action]]:
    """Next year's plan, copied from ``plan``; raises ValidationError, saving nothing, when
    it cannot be."""
    _check_period(title, period_start, period_end)
    if period_start <= plan.period_start:
        raise ValidationError(
            f"The new plan must start after {plan} starts ({plan.period_start:%-d %B %Y})."
        )
    if months_between(plan.period_start, period_start) > MOST_MONTHS_ON:
        raise ValidationError(
            f"The new plan must start within {MOST_MONTHS_ON // 12} years of {plan}'s start."
        )
    with transaction.atomic():
        source = Plan.objects.select_for_update().get(pk=plan.pk)
        if source.is_template:
            raise ValidationError(
                "This plan is one of the partnership's templates: start a new plan from it "
                "instead of copying it forward."
            )
        already = source.carried_into.first()
        if already is not None:
            raise ValidationError(f"{source} has already been copied forward, into {already}.")
        months = max(months_between(source.period_start, period_start), 1)
        new = _new_plan(
            source,
            title=title,
            period_start=period_start,
            period_end=period_end,
            carried_from=source,
        )
        outcomes, indicators = _copy_outcomes_and_indicators(source, new, carry_on=True)
        try:
            _roll_targets(source, indicators, months)
        except (ValueError, OverflowError):
            raise ValidationError(
                "A target's dates cannot be moved on that far: choose an earlier start."
            ) from None
        _copy_criteria(source, new)
        carried = _carry_actions(source, new, outcomes, indicators)
    return new, carried


def plan_from_template(*, template: Plan, title: str, period_start: date, period_end: date) -> Plan:
    """A new plan started from one of the partnership's templates."""
    _check_period(title, period_start, period_end)
    if not template.is_template:
        raise ValidationError(f"{template} is no longer one of the partnership's templates.")
    with transaction.atomic():
        new = _new_plan(
            template,
            title=title,
            period_start=period_start,
            period_end=period_end,
            started_from=template,
        )
        _copy_outcomes_and_indicators(template, new, carry_on=False)
        _copy_criteria(template, new)
    return new
