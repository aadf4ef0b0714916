"""Agreeing a plan: everything in it (outcomes, indicators, targets, actions with their owners
and dates) frozen as its next numbered version, and the comparison of any two versions (or a
version and the plan as it stands now, the current draft). It reads outcomes and actions, so it
lives here, above both; the core keeps the versions (improveplan.PlanVersion) and reads them
(improveplan/versions.py)."""

from __future__ import annotations

import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from actions import smart
from actions.models import Action, ExpectedEffect, Milestone, Scenario, counted_option_effects
from actions.services import smart_facts
from improveplan import plandiff
from improveplan.models import Plan, PlanVersion, User
from improveplan.versions import DRAFT
from outcomes.models import Indicator, Outcome, Target


def _number(value: Decimal | None) -> str | None:
    """2.5000 as "2.5": the stored precision is not what anyone agreed to."""
    if value is None:
        return None
    return f"{value.normalize():f}"


def _day(value) -> str | None:
    return value.isoformat() if value else None


def snapshot(plan: Plan) -> dict:
    """The plan as it stands, as JSON-ready data. A fixed number of queries, however big."""
    outcomes = list(Outcome.objects.filter(plan=plan).order_by("priority", "pk"))
    indicators = list(
        Indicator.objects.filter(plan=plan).select_related("owner", "outcome").order_by("code")
    )
    targets = list(
        Target.objects.filter(indicator__plan=plan)
        .select_related("indicator")
        .order_by("indicator__code", "kind")
    )
    actions = list(
        Action.objects.filter(plan=plan)
        .select_related("lead_organisation", "owner", "resource_provider")
        .prefetch_related(
            Prefetch("outcomes", queryset=Outcome.objects.order_by("priority", "pk")),
            "supporting_organisations",
            Prefetch("milestones", queryset=Milestone.objects.order_by("due", "pk")),
        )
        .order_by("number")
    )
    return {
        "plan": {
            "title": plan.title,
            "period_start": _day(plan.period_start),
            "period_end": _day(plan.period_end),
            "vision": plan.vision,
            "method": plan.get_method_display(),
            "smart_exception_reason": plan.smart_exception_reason,
        },
        "outcomes": [
            {
                "id": outcome.pk,
                "statement": outcome.statement,
                "priority": outcome.priority,
                "why_it_matters": outcome.why_it_matters,
                "target_groups": outcome.target_groups,
                "places": outcome.places,
            }
            for outcome in outcomes
        ],
        "indicators": [
            {
                "id": indicator.pk,
                "outcome_id": indicator.outcome_id,
                "outcome": indicator.outcome.statement,
                "code": indicator.code,
                "name": indicator.name,
                "unit": indicator.get_unit_display(),
                "direction": indicator.get_direction_display(),
                "owner": indicator.owner.name,
            }
            for indicator in indicators
        ],
        "targets": [
            {
                "id": target.pk,
                "indicator_id": target.indicator_id,
                "indicator": str(target.indicator),
                "kind": target.get_kind_display(),
                "baseline_value": _number(target.baseline_value),
                "baseline_date": _day(target.baseline_date),
                "target_value": _number(target.target_value),
                "target_date": _day(target.target_date),
            }
            for target in targets
        ],
        "actions": [
            {
                "id": action.pk,
                "reference": action.reference,
                "title": action.title,
                "outcomes": [outcome.statement for outcome in action.outcomes.all()],
                "lead_organisation": action.lead_organisation.name,
                "owner": action.owner.full_name if action.owner else None,
                "supporting_organisations": sorted(
                    organisation.name for organisation in action.supporting_organisations.all()
                ),
                "start": _day(action.start),
                "due": _day(action.due),
                "term": action.get_term_display(),
                "status": action.get_status_display(),
                "resources": _resources(action),
                "success_measure": action.success_measure,
                "milestones": [
                    {"title": milestone.title, "due": _day(milestone.due), "done": milestone.done}
                    for milestone in action.milestones.all()
                ],
            }
            for action in actions
        ],
        "scenarios": _agreed_scenario(plan),
    }


def _agreed_scenario(plan: Plan) -> list[dict]:
    """The scenario marked agreed, as the assumptions it counts on (issue 26): each action's
    expected effect and each external factor, in words, so that later edits to the scenario,
    its actions' effects or its factors do not change what this version says. Its forecasts are
    not kept: they move with every new reading, and the board report gives them as they are.
    No scenario, one query; else five."""
    scenario = (
        Scenario.objects.filter(plan=plan, agreed=True)
        .prefetch_related("external_factors__indicator")
        .first()
    )
    if scenario is None:
        return []
    effects = (
        ExpectedEffect.objects.filter(action__scenarios=scenario, indicator__plan=plan)
        .select_related("action", "indicator")
        .order_by("action__number", "indicator__code")
    )
    options = (
        counted_option_effects(plan=plan)
        .filter(option__scenarios=scenario)
        .select_related("indicator")
        .order_by("option__title", "indicator__code")
    )
    return [
        {
            "id": scenario.pk,
            "name": scenario.name,
            "effects": [
                f"{effect.action.reference} {effect.action.title}: "
                f"{_change(effect, effect.indicator)}"
                for effect in effects
            ]
            + [
                f"{effect.option.title} (favoured option): {_change(effect, effect.indicator)}"
                for effect in options
            ],
            "external_factors": sorted(
                f"{factor.name}: {_change(factor, factor.indicator)}"
                for factor in scenario.external_factors.all()
            ),
        }
    ]


def _change(effect, indicator) -> str:
    """ "-25 (-30 to -15) on HS-02 from 1 April 2025, over 12 months"."""
    measure = indicator.measure
    words = (
        f"{measure.difference(float(effect.size))} ({measure.difference(float(effect.low))} to "
        f"{measure.difference(float(effect.high))}) on {indicator.code} from "
        f"{effect.starts.day} {effect.starts:%B %Y}"
    )
    if effect.build_up_months:
        months = effect.build_up_months
        words += f", over {months} month{'s' if months != 1 else ''}"
    return words


def _resources(action) -> str | None:
    parts = []
    if action.resource_amount is not None:
        parts.append(f"£{action.resource_amount:,.2f}")
    if action.resource_provider:
        parts.append(f"from {action.resource_provider.name}")
    if action.staff_time:
        parts.append(action.staff_time)
    return " ".join(parts) or None


def snapshot_of(plan: Plan, which: str | int) -> dict:
    """A version's snapshot by number, or the plan as it stands for ``"draft"``."""
    if which == DRAFT:
        return snapshot(plan)
    return PlanVersion.objects.get(plan=plan, number=which).snapshot


def compare(plan: Plan, old: str | int, new: str | int) -> plandiff.PlanDiff:
    return plandiff.compare(snapshot_of(plan, old), snapshot_of(plan, new))


def not_yet_smart(plan: Plan) -> list[str]:
    """References of the plan's open actions that fail the SMART check."""
    actions = Action.objects.filter(plan=plan).open().prefetch_related("outcomes", "milestones")
    return [action.reference for action in actions if not smart.check(smart_facts(action)).ok]


NO_OUTCOMES = "A plan with no outcomes cannot be agreed: add the outcomes it is for first."


def plan_agree(*, plan: Plan, by: User, smart_exception_reason: str = "") -> PlanVersion:
    """The plan as it stands becomes its next numbered version, agreed by ``by`` now; when
    nothing has changed since the last version (the same plan agreed twice at once), that
    version stays and is returned."""
    if plan.status == Plan.Status.ARCHIVED:
        raise ValidationError("An archived plan cannot be agreed. Reopen it first.")
    if not plan.outcomes.exists():
        raise ValidationError(NO_OUTCOMES)
    with transaction.atomic():
        # The plan's row is locked so two leads agreeing at once make v1 and v2, not two v1s.
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        now = snapshot(locked)
        last = locked.versions.order_by("-number").first()
        reason = smart_exception_reason.strip()
        if (
            last is not None
            and locked.status == Plan.Status.AGREED
            # Compared as stored: JSON has lists where the snapshot may have tuples.
            and last.snapshot == json.loads(json.dumps(now))
            and last.smart_exception_reason == reason
        ):
            return last
        locked.status = Plan.Status.AGREED
        locked.smart_exception_reason = smart_exception_reason.strip()
        locked.save(update_fields=["status", "smart_exception_reason", "updated_at"])
        version = PlanVersion.objects.create(
            plan=locked,
            number=(last.number if last else 0) + 1,
            snapshot=now,
            agreed_by=by,
            agreed_at=timezone.now(),
            smart_exception_reason=locked.smart_exception_reason,
        )
    plan.status, plan.smart_exception_reason = locked.status, locked.smart_exception_reason
    return version
