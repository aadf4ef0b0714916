"""The demo's planning cycle (issue 24): the plan before the main one, archived, from which the
main plan was copied forward (its smoking indicator carries on the same readings, an open
action was carried on, and its lessons start the main plan's list), and one template a lead
may start a plan from. Safe to run again."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from actions.models import Action, Criterion
from improveplan.models import Plan
from outcomes.models import Indicator, Outcome

EARLIER = {
    "title": "Riverside Health Plan 2023–2026",
    "period_start": date(2023, 4, 1),
    "period_end": date(2026, 3, 31),
    "method": Plan.Method.FIVE_STEPS,
    "status": Plan.Status.ARCHIVED,
    "vision": "Fewer Riverside people start smoking, and more of those who smoke stop.",
}
# The earlier plan's actions: two finished, with what they taught, and one carried on.
EARLIER_ACTIONS = [
    {
        "title": "Stop-smoking advice at every GP practice's health check",
        "status": Action.Status.COMPLETE,
        "closure": Action.Closure.CLOSED,
        "progress": 100,
        "due": date(2024, 9, 30),
        "completion_evidence": "All 14 practices offer the advice; 1,120 referrals in a year.",
        "lessons_learned": "People booked when the receptionist offered the next clinic there "
        "and then; a leaflet alone brought almost nobody.",
    },
    {
        "title": "Smoke-free play areas in the borough's parks",
        "status": Action.Status.COMPLETE,
        "closure": Action.Closure.CLOSED,
        "progress": 100,
        "due": date(2025, 6, 30),
        "completion_evidence": "Signs in all 23 play areas; the parks team reports few breaches.",
        "lessons_learned": "Asking children to design the signs won the parents over faster "
        "than any notice from the council.",
    },
    {
        "title": "Open evening and weekend stop-smoking clinics in Northfield and Eastgate",
        "status": Action.Status.ON_TRACK,
        "progress": 40,
        "due": date(2026, 3, 31),
    },
]
CARRIED_TITLE = EARLIER_ACTIONS[-1]["title"]

TEMPLATE = {
    "title": "Template: a neighbourhood health plan",
    "period_start": date(2026, 4, 1),
    "period_end": date(2029, 3, 31),
    "method": Plan.Method.FIVE_STEPS,
    "status": Plan.Status.DRAFT,
    "is_template": True,
    "vision": "People in the neighbourhood live longer, healthier lives.",
}


@transaction.atomic
def seed_next_year(plan: Plan, lead) -> None:
    """The main plan's predecessor and the partnership's template."""
    earlier, _ = Plan.objects.update_or_create(
        partnership=plan.partnership, title=EARLIER["title"], defaults=EARLIER
    )
    Plan.objects.filter(pk=plan.pk).update(carried_from=earlier)
    main_outcome = plan.outcomes.get(statement="Fewer adults smoke")
    outcome, _ = Outcome.objects.get_or_create(
        plan=earlier,
        statement=main_outcome.statement,
        defaults={"why_it_matters": main_outcome.why_it_matters},
    )
    # The main plan's smoking indicator carries on the earlier plan's: the same readings.
    main = plan.indicators.get(code="SM-01")
    copied = {
        name: getattr(main, name)
        for name in ("name", "definition", "unit", "direction", "frequency", "source", "owner_id")
    }
    indicator, _ = Indicator.objects.get_or_create(
        plan=earlier, code=main.code, defaults={**copied, "outcome": outcome}
    )
    Indicator.objects.filter(pk=main.pk).update(continues=indicator, series_start=indicator)
    lead_organisation = main.owner_id
    for number, spec in enumerate(EARLIER_ACTIONS, start=1):
        action, created = Action.objects.get_or_create(
            plan=earlier,
            number=number,
            defaults={
                "reference": f"A-{number:02d}",
                "lead_organisation_id": lead_organisation,
                "owner": lead,
                "start": date(2023, 4, 1),
                **spec,
            },
        )
        if created:
            action.outcomes.add(outcome)
    Plan.objects.filter(pk=earlier.pk).update(last_action_number=len(EARLIER_ACTIONS))
    carried = earlier.actions.get(title=CARRIED_TITLE)
    plan.actions.filter(title=CARRIED_TITLE).update(continues=carried)

    template, _ = Plan.objects.update_or_create(
        partnership=plan.partnership, title=TEMPLATE["title"], defaults=TEMPLATE
    )
    outcome, _ = Outcome.objects.get_or_create(
        plan=template,
        statement="More people in the neighbourhood stop smoking",
        defaults={
            "why_it_matters": "Smoking is the largest single cause of the gap in life "
            "expectancy between neighbourhoods."
        },
    )
    Indicator.objects.get_or_create(
        plan=template, code=main.code, defaults={**copied, "outcome": outcome}
    )
    for order, (name, weight) in enumerate([("Reach", 5), ("Cost", 3), ("Evidence", 4)]):
        Criterion.objects.get_or_create(
            plan=template, name=name, defaults={"weight": weight, "order": order}
        )
