"""The demo's comments: a partner asks the lead about the action due soon and is answered, a
question on an outcome with a link, a note on an indicator, one on the review coming up, and
a comment a lead hid with her reason; and the notifications they made, under the lead's and
the partner's bells. Safe to run again; times follow now."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from actions.models import Action
from comments.models import Comment
from comments.services import item_name, permalink
from improveplan import notifications
from improveplan.models import Membership, Notification, Plan, Role, User
from outcomes.models import Indicator
from reviews.demo import DUE_SOON_TITLE
from reviews.models import Review

HOUSING, HEALTH, LEAD, BOARD = "housing", "health", "lead", "board"


def _people(plan: Plan) -> dict[str, User]:
    found = {}
    for membership in Membership.objects.filter(partnership=plan.partnership).select_related(
        "user", "organisation"
    ):
        if membership.role == Role.LEAD:
            found.setdefault(LEAD, membership.user)
        elif membership.role == Role.BOARD:
            found.setdefault(BOARD, membership.user)
        elif "Housing" in membership.organisation.name:
            found.setdefault(HOUSING, membership.user)
        else:
            found.setdefault(HEALTH, membership.user)
    return found


def _comment(kind: str, thing, author: User, text: str, *, ago: timedelta, **fields) -> Comment:
    """The comment, found by its item, author and text, or made; dated ``ago``."""
    comment, _ = Comment.objects.update_or_create(
        plan=thing.plan,
        author=author,
        text=text,
        **{kind: thing},
        defaults={"created_at": timezone.now() - ago, **fields},
    )
    return comment


def _told(user: User, kind: str, comment: Comment, thing, text: str, *, read: bool) -> None:
    """The notification the comment made, as if notify() had made it then."""
    fields = {
        "partnership_id": thing.plan.partnership_id,
        "plan": thing.plan,
        "channel": notifications.DEFAULT_CHANNELS[kind],
        "url": permalink(comment, thing),
        "actor": comment.author,
        "created_at": comment.created_at,
        "read_at": comment.created_at + timedelta(minutes=30) if read else None,
    }
    Notification.objects.update_or_create(user=user, kind=kind, text=text, defaults=fields)
    notifications.unread_recount(user)


def seed_comments(plan: Plan) -> None:
    people = _people(plan)
    if not {HOUSING, HEALTH, LEAD, BOARD} <= set(people):
        return
    action = Action.objects.filter(plan=plan, title=DUE_SOON_TITLE).first()
    outcome = plan.outcomes.filter(statement__icontains="smoke").first()
    indicator = Indicator.objects.filter(plan=plan, code="OP-01").first()
    review = Review.objects.filter(plan=plan, signed_off_at__isnull=True).first()
    if not (action and outcome and indicator and review):
        return
    lead, housing, health = (people[k] for k in (LEAD, HOUSING, HEALTH))
    with transaction.atomic():
        question = _comment(
            "action",
            action,
            housing,
            f"@{lead.full_name} the ICB's falls figures for the quarter are not in yet. Can "
            "you ask them to send them by Friday, or should I send ours without them?",
            ago=timedelta(hours=26),
        )
        question.mentioned.set([lead])
        answer = _comment(
            "action",
            action,
            lead,
            "I have asked them this morning; send yours on Friday either way and we will add "
            "theirs to the papers when they come.",
            ago=timedelta(hours=3),
            parent=question,
        )
        _comment(
            "action",
            action,
            health,
            "We will have ours with you on Thursday.",
            ago=timedelta(hours=2),
            parent=question,
        )
        name = item_name("action", action)
        _told(
            lead,
            Notification.Kind.MENTION,
            question,
            action,
            f"{housing} mentioned you on {name}: {notifications.quoted(question.text)}",
            read=False,
        )
        _told(
            housing,
            Notification.Kind.REPLY,
            answer,
            action,
            f"{lead} replied to your comment on {name}: {notifications.quoted(answer.text)}",
            read=False,
        )
        _comment(
            "outcome",
            outcome,
            health,
            "The national quit figures for last year are out: "
            "https://www.gov.uk/government/statistics – our clinics are above the regional "
            "average for four-week quits.",
            ago=timedelta(days=6),
        )
        _comment(
            "indicator",
            indicator,
            housing,
            "Two of the sheltered schemes changed how they count falls in July, so the "
            "quarter's figure may dip for that reason alone.",
            ago=timedelta(days=9),
        )
        _comment(
            "review",
            review,
            lead,
            "Board papers go out a fortnight before the meeting. Please have your updates in "
            "by then, so the board report shows them.",
            ago=timedelta(days=1, hours=4),
        )
        hidden = _comment(
            "indicator",
            indicator,
            health,
            "The figure for Mrs D. at Elm Court is the one we discussed.",
            ago=timedelta(days=8),
        )
        if not hidden.is_hidden:
            hidden.hidden_at = hidden.created_at + timedelta(hours=1)
            hidden.hidden_by = lead
            hidden.hidden_reason = "It named a resident; the figures are in the indicator."
            hidden._history_user = lead
            hidden.save()
