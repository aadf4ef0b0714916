"""Writes to actions that touch more than one row: numbering, saving without lost edits,
turning an option into actions, partners' updates and closing an action."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from actions import appraisal, smart
from actions.models import (
    Action,
    Communication,
    Criterion,
    DueDateProposal,
    Milestone,
    Option,
    Score,
    Update,
)
from improveplan import history, notifications
from improveplan.limits import LONG_TEXT
from improveplan.models import Membership, Notification, Plan, Role, User
from improveplan.periods import PeriodClosed, closing_period
from improveplan.uploads import Kind
from outcomes.models import Evidence


class EditConflict(Exception):
    """Someone else saved the action since this form was opened."""

    def __init__(self, current: Action) -> None:
        super().__init__("The action was changed by someone else.")
        self.current = current


def next_reference(plan: Plan) -> tuple[int, str]:
    """The next action number of the plan; never one used before, even if since deleted.
    Call inside a transaction: it locks the plan's row until the transaction ends."""
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    number = locked.last_action_number + 1
    Plan.objects.filter(pk=plan.pk).update(last_action_number=number)
    plan.last_action_number = number
    return number, f"A-{number:02d}"


def action_create(*, form) -> Action:
    """Save a new action from a valid ActionForm (its instance's plan already set)."""
    with transaction.atomic():
        action = form.save(commit=False)
        action.number, action.reference = next_reference(action.plan)
        with history.one_entry(action, created=True):
            action.save()
            form.save_m2m()
    return action


def action_save(*, form, read_version: int) -> Action:
    """Save an edited action, unless someone else saved it after this form was read."""
    with transaction.atomic():
        claimed = Action.objects.filter(pk=form.instance.pk, version=read_version).update(
            version=F("version") + 1
        )
        if claimed != 1:
            raise EditConflict(Action.objects.get(pk=form.instance.pk))
        action = form.save(commit=False)
        action.version = read_version + 1
        with history.one_entry(action):
            action.save()
            form.save_m2m()
    return action


def criteria_add_defaults(*, plan: Plan) -> int:
    """The suggested criteria, for a plan that has none yet. Returns how many were added."""
    if plan.criteria.exists():
        return 0
    Criterion.objects.bulk_create(
        Criterion(plan=plan, name=name, description=description, weight=weight, order=order)
        for order, (name, description, weight) in enumerate(appraisal.DEFAULT_CRITERIA, 1)
    )
    return len(appraisal.DEFAULT_CRITERIA)


def option_decide(*, option: Option, decision: str, reason: str, by: User) -> Option:
    if decision != Option.Decision.UNDECIDED and not reason.strip():
        raise ValidationError({"decision_reason": "Say why: it is what the partners will read."})
    option.decision = decision
    option.decision_reason = reason.strip() if decision != Option.Decision.UNDECIDED else ""
    option.decided_by = by if decision != Option.Decision.UNDECIDED else None
    option.decided_at = timezone.now() if decision != Option.Decision.UNDECIDED else None
    option.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at"])
    return option


# What an action made from an option copies from it: the option's field → the action's field.
# Nothing else is copied. The option's evidence stays on the option (the action links to it):
# it says why the option should work, not what difference the action will make. Its cost is
# for the whole option, so it is not split between the actions made from it.
OPTION_TO_ACTION = {
    "description": "description",
    "pilot_evaluation": "monitoring",  # how the pilot will be evaluated
}


def option_to_actions(*, option: Option, titles: Iterable[str], lead_organisation) -> list[Action]:
    """A favoured option becomes one action per title, serving the option's outcome and
    linked to it, with the fields OPTION_TO_ACTION names copied."""
    if option.decision != Option.Decision.FAVOURED:
        raise ValidationError("Only a favoured option becomes actions.")
    titles = [title.strip() for title in titles if title.strip()]
    if not titles:
        raise ValidationError({"titles": "Give at least one action, one to a line."})
    plan = option.outcome.plan
    made = []
    with transaction.atomic():
        for title in titles:
            number, reference = next_reference(plan)
            action = Action(
                plan=plan,
                number=number,
                reference=reference,
                title=title[:200],
                option=option,
                lead_organisation=lead_organisation,
                **{to: getattr(option, source) for source, to in OPTION_TO_ACTION.items()},
            )
            with history.one_entry(action, created=True):
                action.save()
                action.outcomes.add(option.outcome)
            made.append(action)
    return made


def gap_to_action(*, gap: Evidence, title: str, lead_organisation) -> Action:
    """An information gap (Step 2: what don't we know yet?) becomes a draft action to fill
    it: serving the gap's outcome, not started, with the gap recorded as where it came from.
    The gap stays in the evidence until someone deletes it; the action names it."""
    if gap.kind != Evidence.Kind.GAP:
        raise ValidationError("Only an information gap becomes an action this way.")
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Say what the action is."})
    plan = gap.outcome.plan
    with transaction.atomic():
        number, reference = next_reference(plan)
        action = Action(
            plan=plan,
            number=number,
            reference=reference,
            title=title[:200],
            description=gap.detail,
            source_gap=gap,
            lead_organisation=lead_organisation,
            expected_outputs=f"What we do not know yet, found out: {gap.summary}"[:LONG_TEXT],
        )
        with history.one_entry(action, created=True):
            action.save()
            action.outcomes.add(gap.outcome)
    return action


class AlreadyPosted(Exception):
    """The same update by the same person moments ago: the form was sent again."""


# An update the same as the author's last one within this time is the same form sent again
# (e.g. Back, then save again, on a page the browser fetched afresh with a new token).
SAME_UPDATE_WITHIN = timedelta(minutes=10)


def update_refusal(action: Action, *, today) -> str | None:
    """Why the action takes no update today, if it does not: closed, or its period closed.
    For the API and a reminder's link (the update page says the same in its own words)."""
    if action.is_closed:
        return "This action is closed: it takes no more updates."
    if closed := closing_period(action.plan_id, today):
        return f"{PeriodClosed(closed)} Updates start again with the next period."
    return None


def update_post(
    *,
    action: Action,
    author: User,
    status: str,
    progress: int,
    note: str = "",
    evidence_link: str = "",
    evidence_file=None,
    evidence_kind: Kind | None = None,
    completion_evidence: str = "",
    lessons_learned: str = "",
) -> Update:
    """A partner's update: kept in the history, and the action now shows this state.

    Marking an action complete asks for the evidence of completion and the lessons learned,
    and leaves it waiting for a lead to confirm."""
    if status == Action.Status.COMPLETE and not (
        completion_evidence.strip() and lessons_learned.strip()
    ):
        raise ValidationError(
            "An action marked complete needs its evidence of completion and the lessons learned."
        )
    with transaction.atomic():
        # Locked, so that two of the same update at once are seen one after the other.
        Action.objects.select_for_update().filter(pk=action.pk).first()
        # The action's last update, whoever posted it: after a lead's answer (sending a
        # completion back), the same update again is a new one, not a repeat.
        last = (
            Update.objects.filter(
                action=action, created_at__gte=timezone.now() - SAME_UPDATE_WITHIN
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if (
            last is not None
            and last.author_id == author.pk
            and evidence_file is None
            and not last.evidence_file
            and (last.status, last.progress, last.note, last.evidence_link)
            == (status, progress, note, evidence_link)
        ):
            raise AlreadyPosted
        update = Update(
            action=action,
            author=author,
            status=status,
            progress=progress,
            note=note,
            evidence_link=evidence_link,
            token=secrets.token_hex(16),
        )
        if evidence_file is not None:
            update.evidence_name = evidence_file.name[:200]
            update.evidence_kind = evidence_kind.name if evidence_kind else ""
            update.evidence_file.save("evidence.bin", evidence_file, save=False)
        update.save()
        changes = {"status": status, "progress": progress, "version": F("version") + 1}
        if status == Action.Status.COMPLETE and action.closure == Action.Closure.OPEN:
            changes |= {
                "closure": Action.Closure.AWAITING,
                "completion_evidence": completion_evidence.strip(),
                "lessons_learned": lessons_learned.strip(),
            }
        Action.objects.filter(pk=action.pk).update(**changes, updated_at=timezone.now())
        waits_for_a_lead = "closure" in changes
        action.refresh_from_db()
        history.record([action], user=author)
        if waits_for_a_lead:
            _tell_the_leads(action, author=author)
    return update


def _partnership_id(action: Action) -> int:
    return Plan.objects.values_list("partnership_id", flat=True).get(pk=action.plan_id)


def _tell_the_leads(action: Action, *, author: User) -> None:
    partnership_id = _partnership_id(action)
    leads = Membership.objects.filter(partnership_id=partnership_id, role=Role.LEAD)
    notifications.notify(
        kind=Notification.Kind.COMPLETION_WAITING,
        users=leads.values_list("user_id", flat=True),
        partnership_id=partnership_id,
        plan_id=action.plan_id,
        text=f"{author} marked {action.reference} {action.title} complete: confirm it, or "
        "send it back with your reason",
        url=action.get_absolute_url(),
        actor=author,
    )


def _tell_who_completed(action: Action, *, by: User | None, text: str) -> None:
    """The action's owner and whoever marked it complete: a lead has answered."""
    marked_by = (
        Update.objects.filter(action=action, status=Action.Status.COMPLETE)
        .order_by("-created_at", "-pk")
        .values_list("author_id", flat=True)
        .first()
    )
    notifications.notify(
        kind=Notification.Kind.COMPLETION_ANSWERED,
        users=[action.owner_id, marked_by],
        partnership_id=_partnership_id(action),
        plan_id=action.plan_id,
        text=text,
        url=action.get_absolute_url(),
        actor=by,
    )


def closure_confirm(*, action: Action, by: User | None = None) -> None:
    with transaction.atomic():
        updated = Action.objects.filter(pk=action.pk, closure=Action.Closure.AWAITING).update(
            closure=Action.Closure.CLOSED, progress=100, version=F("version") + 1
        )
        if updated != 1:
            raise ValidationError("This action is not waiting to be confirmed as complete.")
        action.refresh_from_db()
        history.record([action], user=by)
        _tell_who_completed(
            action,
            by=by,
            text=f"{by or 'A lead'} confirmed {action.reference} {action.title} complete and "
            "closed it",
        )


def closure_return(*, action: Action, reason: str, by: User) -> None:
    if not reason.strip():
        raise ValidationError("Say why the action is not complete yet.")
    with transaction.atomic():
        updated = Action.objects.filter(pk=action.pk, closure=Action.Closure.AWAITING).update(
            closure=Action.Closure.OPEN,
            status=Action.Status.AT_RISK,
            returned_reason=reason.strip(),
            version=F("version") + 1,
        )
        if updated != 1:
            raise ValidationError("This action is not waiting to be confirmed as complete.")
        action.refresh_from_db()
        history.record([action], user=by)
        Update.objects.create(
            action=action,
            author=by,
            status=Action.Status.AT_RISK,
            progress=action.progress,
            note=f"Returned by a lead, not yet complete: {reason.strip()}",
        )
        _tell_who_completed(
            action,
            by=by,
            text=f"{by} sent {action.reference} {action.title} back as not yet complete: "
            f"{notifications.quoted(reason)}",
        )


def due_date_propose(
    *, action: Action, by: User, proposed_due, reason: str, today=None
) -> DueDateProposal:
    """A partner asks a lead to move the action's due date; nothing moves until a lead says so."""
    today = today or timezone.localdate()
    reason = reason.strip()
    if not action.is_in_progress:
        raise ValidationError("This action is complete or cancelled: its due date stays as it is.")
    if not reason:
        raise ValidationError({"reason": "Say why the action needs a new due date."})
    if proposed_due == action.due:
        raise ValidationError({"proposed_due": "That is the due date it already has."})
    if proposed_due < today:
        raise ValidationError({"proposed_due": "A new due date cannot be in the past."})
    if action.start and proposed_due < action.start:
        raise ValidationError(
            {"proposed_due": f"A due date cannot be before the start, {action.start:%-d %B %Y}."}
        )
    try:
        with transaction.atomic():
            return DueDateProposal.objects.create(
                action=action,
                proposed_by=by,
                was_due=action.due,
                proposed_due=proposed_due,
                reason=reason,
            )
    except IntegrityError:
        raise ValidationError(
            "A request for a new due date is already waiting for a lead's answer."
        ) from None


def due_date_answer(
    *, proposal: DueDateProposal, by: User, accept: bool, reason: str = ""
) -> DueDateProposal:
    """A lead accepts (the action's due date moves, in its history) or declines, with a reason."""
    reason = reason.strip()
    if not accept and not reason:
        raise ValidationError({"answer_reason": "Say why the request is declined."})
    answer = DueDateProposal.Answer.ACCEPTED if accept else DueDateProposal.Answer.DECLINED
    with transaction.atomic():
        # Claimed by a conditional update, so two leads answering at once answer once.
        claimed = DueDateProposal.objects.filter(
            pk=proposal.pk, answer=DueDateProposal.Answer.PENDING
        ).update(answer=answer, answered_by=by, answered_at=timezone.now(), answer_reason=reason)
        if claimed != 1:
            raise ValidationError("This request has already been answered.")
        proposal.refresh_from_db()
        history.record([proposal], user=by)
        if accept:
            action = proposal.action
            if action.start and proposal.proposed_due < action.start:
                raise ValidationError("The new due date is before the action's start.")
            Action.objects.filter(pk=action.pk).update(
                due=proposal.proposed_due, version=F("version") + 1, updated_at=timezone.now()
            )
            action.refresh_from_db()
            history.record([action], user=by)
        action = proposal.action
        new_due = f"{proposal.proposed_due:%-d %B %Y}"
        notifications.notify(
            kind=Notification.Kind.DUE_DATE_ANSWERED,
            users=[proposal.proposed_by_id],
            partnership_id=_partnership_id(action),
            plan_id=action.plan_id,
            text=f"{by} accepted your request to move {action.reference} {action.title} to "
            f"{new_due}"
            if accept
            else f"{by} declined your request to move {action.reference} {action.title} to "
            f"{new_due}: {notifications.quoted(reason)}",
            url=action.get_absolute_url(),
            actor=by,
        )
    return proposal


def milestone_toggle(*, milestone: Milestone) -> Milestone:
    milestone.done = not milestone.done
    milestone.done_at = timezone.now() if milestone.done else None
    milestone.save(update_fields=["done", "done_at"])
    return milestone


def smart_facts(
    action: Action, *, milestones: int | None = None, outcomes: int | None = None
) -> smart.ActionFacts:
    """What the SMART check needs to know of a saved action. ``milestones`` and ``outcomes``,
    when given, are its counts as read already (no query)."""
    return smart.ActionFacts(
        title=action.title,
        description=action.description,
        outcomes=action.outcomes.count() if outcomes is None else outcomes,
        lead_organisation=action.lead_organisation_id is not None,
        owner=action.owner_id is not None,
        start=action.start,
        due=action.due,
        success_indicator=action.success_indicator_id is not None,
        success_measure=action.success_measure,
        resources=bool(action.resource_amount or action.resource_provider_id or action.staff_time),
        expected_outputs=action.expected_outputs,
        monitoring=action.monitoring,
        milestones=action.milestones.count() if milestones is None else milestones,
    )


# Issue 24: the plan's frame ------------------------------------------------------------------


def scores_save(*, option: Option, scores: dict, by: User) -> None:
    """Save one option's scores ({criterion: (score or None, note)}). A score that changes
    records who gave it; one left as it was keeps its scorer."""
    existing = {score.criterion_id: score for score in option.scores.all()}
    with transaction.atomic():
        for criterion, (value, note) in scores.items():
            score = existing.get(criterion.pk)
            if value is None:
                if score is not None:
                    score.delete()
            elif score is None:
                Score.objects.create(
                    option=option, criterion=criterion, score=value, note=note, scored_by=by
                )
            elif (score.score, score.note) != (value, note):
                score.score, score.note, score.scored_by = value, note, by
                score.save(update_fields=["score", "note", "scored_by"])


def communication_to_action(
    *, communication: Communication, title: str, lead_organisation
) -> tuple[Action, bool]:
    """An item of the communications plan becomes a draft action that carries it out, in one
    step. Returns the action and whether it was made now: an item an action already carries
    (a form sent twice) keeps that action."""
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Say what the action is."})
    with transaction.atomic():
        communication = Communication.objects.select_for_update().get(pk=communication.pk)
        if communication.action is not None:
            return communication.action, False
        plan = communication.plan
        number, reference = next_reference(plan)
        action = Action(
            plan=plan,
            number=number,
            reference=reference,
            title=title[:200],
            description=(
                f"Tell {communication.audience} {communication.timing}, by "
                f"{communication.channel}: {communication.message}"
            )[:LONG_TEXT],
            lead_organisation=lead_organisation,
        )
        with history.one_entry(action, created=True):
            action.save()
        communication.action = action
        communication.save(update_fields=["action"])
    return action, True
