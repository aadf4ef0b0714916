"""The demo plan's two agreed versions: agreed in the spring, then again in the autumn after
a target was given another year and an action changed hands."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db import transaction

from actions.models import Action
from actions.versions import not_yet_smart, plan_agree
from improveplan.models import Membership, Plan, PlanVersion, SignUp, User
from outcomes.models import Target

AGREED = (datetime(2026, 4, 20, 10, 0, tzinfo=UTC), datetime(2026, 10, 21, 10, 0, tzinfo=UTC))
REASON = (
    "The board agreed the plan at its meeting; the actions still without a named owner or a "
    "measure will have them by the first quarterly review."
)


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _change(thing, by: User, **fields) -> None:
    for name, value in fields.items():
        setattr(thing, name, value)
    thing._history_user = by  # the history names the lead, not "the system"
    thing.save()


def seed_plan_versions(plan: Plan, lead: User) -> None:
    """Versions 1 and 2 of the plan, unless it has them; the plan as seeded is version 2."""
    if plan.versions.count() >= 2:
        # seed_demo sets the plan's fields again each run, status included.
        Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.AGREED)
        return
    targets = Target.objects.filter(indicator__plan=plan).order_by("indicator__code", "kind")
    target = next((t for t in targets if _year_earlier(t.target_date) > t.baseline_date), None)
    action = (
        Action.objects.filter(plan=plan, owner__isnull=False)
        .exclude(owner=lead)
        .order_by("number")
        .first()
    )
    if target is None or action is None:
        return
    lead_organisation = Membership.objects.get(user=lead, partnership=plan.partnership).organisation
    now = {"target_date": target.target_date}
    held_by = {"owner": action.owner, "lead_organisation": action.lead_organisation}
    with transaction.atomic():
        plan.versions.all().delete()
        # In the spring the target was a year sooner and the lead's own council held the action.
        _change(target, lead, target_date=_year_earlier(target.target_date))
        _change(action, lead, owner=lead, lead_organisation=lead_organisation)
        reason = REASON if not_yet_smart(plan) else ""
        plan_agree(plan=plan, by=lead, smart_exception_reason=reason)
        _change(target, lead, **now)
        _change(action, lead, **held_by)
        plan_agree(plan=plan, by=lead, smart_exception_reason=reason)
        for number, when in enumerate(AGREED, 1):
            PlanVersion.objects.filter(plan=plan, number=number).update(agreed_at=when)


# Who signed up to version 2, and as what; Riverside Community Housing has not yet.
SIGN_UPS = {
    "lead@demo.improveplan.test": ("Director of Public Health", datetime(2026, 10, 23, 9, 30)),
    "health@demo.improveplan.test": ("Director of Strategy", datetime(2026, 10, 28, 14, 0)),
}


def seed_sign_ups(plan: Plan) -> None:
    """Two of the partners' sign-ups to the plan as last agreed; safe to run again."""
    version = plan.versions.order_by("-number").first()
    if version is None:
        return
    for email, (job_title, when) in SIGN_UPS.items():
        membership = Membership.objects.select_related("user", "organisation").get(
            user__email=email, partnership=plan.partnership
        )
        SignUp.objects.get_or_create(
            version=version,
            organisation=membership.organisation,
            defaults={
                "confirmed_by": membership.user,
                "name": membership.user.full_name,
                "job_title": job_title,
                "confirmed_at": when.replace(tzinfo=UTC),
            },
        )
