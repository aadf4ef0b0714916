"""A plan's agreed versions: the snapshot frozen when a lead agrees it, and the comparison
of any two versions (or a version and the plan as it stands now, the current draft)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from improveplan import plandiff
from improveplan.models import Plan, PlanVersion

DRAFT = "draft"


def _number(value: Decimal | None) -> str | None:
    """2.5000 as "2.5": the stored precision is not what anyone agreed to."""
    if value is None:
        return None
    return f"{value.normalize():f}"


def _day(value) -> str | None:
    return value.isoformat() if value else None


def snapshot(plan: Plan) -> dict:
    """The plan as it stands, as JSON-ready data. A fixed number of queries, however big."""
    from actions.models import Action, Milestone
    from outcomes.models import Indicator, Outcome, Target

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
    }


def _resources(action) -> str | None:
    parts = []
    if action.resource_amount is not None:
        parts.append(f"£{action.resource_amount:,.2f}")
    if action.resource_provider:
        parts.append(f"from {action.resource_provider.name}")
    if action.staff_time:
        parts.append(action.staff_time)
    return " ".join(parts) or None


def readable(agreed: dict) -> dict:
    """A snapshot with its days as dates again, for a template's date filter."""

    def dated(item: dict) -> dict:
        item = {
            key: date.fromisoformat(value) if key in plandiff.DATE_FIELDS and value else value
            for key, value in item.items()
        }
        if "milestones" in item:
            item["milestones"] = [dated(milestone) for milestone in item["milestones"]]
        return item

    return {
        key: dated(value) if isinstance(value, dict) else [dated(item) for item in value]
        for key, value in agreed.items()
    }


NOT_AGREED = "Draft, not yet agreed"


def agreed_words(plan: Plan, *, name: bool = True) -> str:
    """Which version of the plan a report or page shows, in words: "Version 2, agreed
    21 October 2026 by Priya Shah", or "Draft, not yet agreed" for a plan never agreed.
    ``name=False`` leaves out who agreed it (the public summary names no one)."""
    latest = plan.versions.select_related("agreed_by").order_by("-number").first()
    if latest is None:
        return NOT_AGREED
    day = timezone.localdate(latest.agreed_at)
    words = f"Version {latest.number}, agreed {day.day} {day:%B %Y}"
    if name:
        who = latest.agreed_by.full_name if latest.agreed_by else ""
        words += f" by {who or 'a former member'}"
    return words


def live_ids(plan: Plan) -> dict[str, set[int]]:
    """The outcomes, indicators and actions of a version that the plan still has, by id:
    those whose history of changes can still be read."""
    return {
        "outcomes": set(plan.outcomes.values_list("pk", flat=True)),
        "indicators": set(plan.indicators.values_list("pk", flat=True)),
        "actions": set(plan.actions.values_list("pk", flat=True)),
    }


def snapshot_of(plan: Plan, which: str | int) -> dict:
    """A version's snapshot by number, or the plan as it stands for ``"draft"``."""
    if which == DRAFT:
        return snapshot(plan)
    return PlanVersion.objects.get(plan=plan, number=which).snapshot


def compare(plan: Plan, old: str | int, new: str | int) -> plandiff.PlanDiff:
    return plandiff.compare(snapshot_of(plan, old), snapshot_of(plan, new))
