"""The demo's reviews: last quarter's review, signed off with its decisions; this quarter's,
coming up; a health check; and an action due soon, so that a dry run of the reminders
(`send_reminders --dry-run`) shows every kind. Safe to run again; dates follow today."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from actions.models import Action, Criterion, Milestone
from actions.services import next_reference
from improveplan import notifications
from improveplan.models import Membership, Notification, NotificationPreference, Plan, Role, User
from outcomes.models import Indicator, Outcome, Risk, Target
from reviews import periods
from reviews.ingredients import INGREDIENTS
from reviews.models import (
    BoardPack,
    Decision,
    HealthCheck,
    HealthScore,
    OutcomeJudgement,
    PeerAnswer,
    PeerReviewer,
    Review,
)
from reviews.periods import period_of

DUE_SOON_TITLE = "Send the falls prevention figures to the review"
# Raised after last quarter's review, when leasing homes from private landlords went at risk:
# this quarter's review lists it as new.
RISK_RAISED_SINCE = "Temporary accommodation providers leave the market"

JUDGEMENTS = {
    "at_risk": "Falls admissions are still above the target line; the new classes are too "
    "recent to show in the figures.",
    "on_track": "Smoking keeps falling faster than the trend we planned for.",
}
DECISIONS = [
    (
        "Move two strength and balance classes into the libraries, where more older people "
        "already go.",
        0,
    ),
    (
        "Ask the ICB to bring forward the data-sharing agreement; without it we cannot see "
        "admissions by ward.",
        1,
    ),
]
# A peer reviewer from a neighbouring partnership, part way through the plan's challenge.
PEER_REVIEWER = ("peer@demo.improveplan.test", "Grace Okafor")
PEER_ANSWERS = {
    "1-standing": "The dashboard makes the position plain, and the falls chart with its "
    "margin of error is the clearest I have seen.",
    "2-needs": "The focus on older people in the two wards with most falls is well argued. "
    "Carers of people who fall are not mentioned.",
    "3-likelihood": "The plan admits falls are off track. Say what happens if the classes "
    "do not fill.",
    "5-ideas": "Our fire service adds a falls check to its home safety visits; it costs "
    "little and reaches people no class will.",
}


# Scores for the demo's four members, by ingredient, in INGREDIENTS' order.
HEALTH_SCORES = {
    Role.LEAD: [4, 4, 3, 3, 2, 2, 3, 4, 3],
    Role.PARTNER: [3, 3, 2, 3, 3, 2, 2, 3, 2],
    Role.BOARD: [4, 3, 3, 4, 3, 3, 3, 4, 4],
}


def seed_reviews(plan: Plan, *, today: date | None = None) -> None:
    today = today or timezone.localdate()
    with transaction.atomic():
        _seed_past_review(plan, today)
        _seed_next_review(plan, today)
        _seed_due_soon(plan, today)
        _seed_health_check(plan, today)
        _seed_peer_reviewer(plan)
        _seed_board_pack(plan)
        _seed_review_news(plan, today)


def _members(plan: Plan) -> dict[str, list]:
    found: dict[str, list] = {}
    for membership in Membership.objects.filter(partnership=plan.partnership).select_related(
        "user", "organisation"
    ):
        found.setdefault(membership.role, []).append(membership)
    return found


def _seed_past_review(plan: Plan, today: date) -> None:
    this_quarter, _ = period_of(today)
    first, last = period_of(this_quarter - timedelta(days=1))
    members = _members(plan)
    board = members[Role.BOARD][0].user
    review, _ = Review.objects.update_or_create(
        plan=plan,
        period_start=first,
        defaults={
            "period_end": last,
            "meets_on": last + timedelta(days=20),
            "attendees": "\n".join(m.user.full_name for ms in members.values() for m in ms),
            "lessons_learned": "Partners need the figures a week before the meeting, not on "
            "the day. Two actions slipped because nobody owned them by name.",
            "signed_off_by": board,
            "signed_off_at": datetime.combine(last + timedelta(days=21), datetime.min.time(), UTC),
            # The risks it knew when it was opened: all but the one raised since.
            "known_risks": list(
                Risk.objects.filter(plan=plan)
                .exclude(description=RISK_RAISED_SINCE)
                .order_by("pk")
                .values_list("pk", flat=True)
            ),
        },
    )
    outcomes = list(plan.outcomes.order_by("priority")[:2])
    for outcome, (rating, note) in zip(outcomes, JUDGEMENTS.items(), strict=False):
        OutcomeJudgement.objects.update_or_create(
            review=review, outcome=outcome, defaults={"rating": rating, "note": note}
        )
    actions = list(Action.objects.filter(plan=plan).order_by("number")[:4])
    review.actions_checked.set(actions)
    for text, index in DECISIONS:
        decision, _ = Decision.objects.update_or_create(
            review=review, text=text, defaults={"taken_on": review.meets_on}
        )
        if outcomes:
            decision.outcomes.set([outcomes[index % len(outcomes)]])
        decision.actions.set(actions[index : index + 1])


def _seed_next_review(plan: Plan, today: date) -> None:
    first, last = period_of(today)
    review = Review.objects.filter(plan=plan, period_start=first).first()
    if review is None:
        Review.objects.create(
            plan=plan, period_start=first, period_end=last, meets_on=today + timedelta(days=10)
        )
    elif not review.is_signed_off:
        Review.objects.filter(pk=review.pk).update(meets_on=today + timedelta(days=10))


def _seed_due_soon(plan: Plan, today: date) -> None:
    """An action of the housing partner's, due within the reminder window and started last
    quarter without an update since: it is "due soon" and "waiting for an update". The last
    review, short of figures, added it: its history says so, dated that day."""
    partner = next(m for m in _members(plan)[Role.PARTNER] if "Housing" in m.organisation.name)
    start = period_of(today)[0] - timedelta(days=30)
    action = Action.objects.filter(plan=plan, title=DUE_SOON_TITLE).first()
    created = action is None
    if created:
        number, reference = next_reference(plan)
        action = Action(plan=plan, number=number, reference=reference, title=DUE_SOON_TITLE)
    action.lead_organisation = partner.organisation
    action.owner = partner.user
    action.start = start
    action.due = today + timedelta(days=7)
    action.description = (
        "Collect the quarter's figures on households helped to stay at home and falls sensors "
        "fitted, check them with the ICB, and send them to the lead for the review papers."
    )
    falls = plan.outcomes.filter(statement__icontains="fall").first() or plan.outcomes.first()
    action.success_indicator = falls.indicators.first() if falls else None
    action.success_measure = "Figures with the lead a week before the review meets"
    action.staff_time = "Two days of an analyst's time"
    action.expected_outputs = "A two-page summary of the quarter's figures, with the sources."
    action.monitoring = "The lead checks the summary arrived when the review papers go out."
    action.save()
    action.outcomes.set([falls] if falls else [])
    if created:
        last_review = Review.objects.filter(plan=plan, period_end__lt=period_of(today)[0])
        met = last_review.order_by("-period_end").values_list("meets_on", flat=True).first()
        added = datetime.combine(min(met or today, today), time(11, 0), UTC)
        Action.history.filter(id=action.pk).update(history_date=added)
        Action.objects.filter(pk=action.pk).update(created_at=added)
    action.updates.all().delete()
    Milestone.objects.update_or_create(
        action=action,
        title="Draft figures to the lead",
        defaults={"due": today + timedelta(days=3), "done": False},
    )


def _seed_health_check(plan: Plan, today: date) -> None:
    opened = (
        date(today.year, 1, 15) if today >= date(today.year, 1, 15) else date(today.year - 1, 1, 15)
    )
    for year, shift in ((opened.year - 1, -1), (opened.year, 0)):
        check, _ = HealthCheck.objects.update_or_create(
            partnership=plan.partnership,
            title=f"Health check {year}",
            defaults={"opened_on": date(year, 1, 15)},
        )
        for role, marks in HEALTH_SCORES.items():
            for membership in _members(plan).get(role, []):
                for slug, score in zip(INGREDIENTS, marks, strict=True):
                    HealthScore.objects.update_or_create(
                        health_check=check,
                        user=membership.user,
                        ingredient=slug,
                        defaults={
                            "score": max(1, min(5, score + shift)),
                            # One comment, the lead's, to show how comments read.
                            "comment": "We still argue about priorities."
                            if slug == "focus" and role == Role.LEAD
                            else "",
                        },
                    )


def _seed_peer_reviewer(plan: Plan) -> None:
    """A peer reviewer who may read the demo plan for another month and has submitted their
    answers to some of the questions, which the partnership's members read on the plan."""
    from improveplan.management.commands.seed_demo import DEMO_PASSWORD

    email, full_name = PEER_REVIEWER
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name)
    lead = _members(plan)[Role.LEAD][0].user
    now = timezone.now()
    reviewer, _ = PeerReviewer.objects.update_or_create(
        plan=plan,
        email=email,
        defaults={
            "name": full_name,
            "invited_by": lead,
            "user": user,
            "accepted_at": now,
            "expires_at": now + timedelta(days=PeerReviewer.DEFAULT_DAYS),
            "revoked_at": None,
            "submitted_at": now,
        },
    )
    for question, text in PEER_ANSWERS.items():
        PeerAnswer.objects.update_or_create(
            reviewer=reviewer, question=question, defaults={"text": text}
        )


def _seed_board_pack(plan: Plan) -> None:
    """The board papers go to the board and to the lead, a fortnight before each meeting: the
    reminder run sends this quarter's (its meeting is ten days away)."""
    pack, _ = BoardPack.objects.update_or_create(
        plan=plan, defaults={"days_before": 14, "board_members": True}
    )
    pack.others.set(_members(plan)[Role.LEAD][:1])


def _seed_review_news(plan: Plan, today: date) -> None:
    """Yesterday the lead opened this quarter's review: the partners and the board were told.
    The board member reads such news in her daily digest (as everyone does by default), so a
    dry run of the reminders shows it under Notifications."""
    review = Review.objects.filter(plan=plan, period_start=period_of(today)[0]).first()
    members = _members(plan)
    if review is None or not members.get(Role.LEAD):
        return
    lead = members[Role.LEAD][0].user
    told = [m.user for role in (Role.PARTNER, Role.BOARD) for m in members.get(role, [])]
    yesterday = timezone.now() - timedelta(days=1)
    period = periods.label(review.period_start, review.period_end)
    text = (
        f"{lead} opened the review of {plan} for {period}: "
        f"the meeting is on {review.meets_on:%A %-d %B %Y}"
    )
    for user in told:
        NotificationPreference.objects.filter(user=user, kind=Notification.Kind.REVIEW).delete()
        Notification.objects.filter(user=user, kind=Notification.Kind.REVIEW).exclude(
            text=text
        ).delete()
        Notification.objects.update_or_create(
            user=user,
            kind=Notification.Kind.REVIEW,
            text=text,
            defaults={
                "partnership": plan.partnership,
                "plan": plan,
                "channel": notifications.DEFAULT_CHANNELS[Notification.Kind.REVIEW],
                "url": review.get_absolute_url(),
                "actor": lead,
                "created_at": yesterday,
                "read_at": None,
            },
        )
        notifications.unread_recount(user)


# Next year's plan (issue 24) -----------------------------------------------------------------
# The plan before the main one, archived, from which the main plan was copied forward (its
# smoking indicator carries on the same readings, an open action was carried on, and its
# lessons start the main plan's list), and one template a lead may start a plan from.

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
    # The earlier plan named it by an older reference.
    indicator, _ = Indicator.objects.get_or_create(
        plan=earlier, code="SMK", defaults={**copied, "outcome": outcome}
    )
    Target.objects.get_or_create(
        indicator=indicator,
        kind=Target.Kind.LOCAL,
        defaults={
            "baseline_value": Decimal("19.6"),
            "baseline_date": date(2022, 3, 31),
            "target_value": Decimal("16.0"),
            "target_date": date(2026, 3, 31),
        },
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
    # A template's target is an example to change: a plan started from it takes none.
    example, _ = Indicator.objects.get_or_create(
        plan=template, code="NS-01", defaults={**copied, "outcome": outcome}
    )
    Target.objects.get_or_create(
        indicator=example,
        kind=Target.Kind.LOCAL,
        defaults={
            "baseline_value": Decimal("18.0"),
            "baseline_date": date(2026, 3, 31),
            "target_value": Decimal("15.0"),
            "target_date": date(2029, 3, 31),
        },
    )
    for order, (name, weight) in enumerate([("Reach", 5), ("Cost", 3), ("Evidence", 4)]):
        Criterion.objects.get_or_create(
            plan=template, name=name, defaults={"weight": weight, "order": order}
        )
