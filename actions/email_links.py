"""A reminder's link that lets an action's owner post one update without signing in.

The link is signed (SECRET_KEY) for one action and one person, and says when it was made; it
works for REMINDER_LINK_DAYS. It is refused once the action is closed or its period closed,
once the person is no longer a member who may update the action, once the plan is archived,
and once the person has posted an update to the action since the link was made: one update a
link. The page it opens shows that action and nothing else of the plan.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from actions.access import may_update_action
from actions.models import Action, Update
from actions.services import update_refusal
from improveplan.access import membership_of
from improveplan.models import Plan, User

SALT = "actions.update-from-email"


def update_link(action_id: int, user_id: int, *, now: float | None = None) -> str:
    """The absolute address of the link, for one action and one person."""
    return update_links([action_id], user_id, now=now)[action_id]


def update_links(action_ids, user_id: int, *, now: float | None = None) -> dict[int, str]:
    """The links of several actions for one person, by action id. The address is worked out
    once: a digest may hold sixty actions, and a day's run thousands of digests."""
    made = int(time.time() if now is None else now)
    slot = "token"  # the URL's <str:token>, filled in for each action below
    before, after = reverse("actions:update_from_email", args=[slot]).rsplit(slot, 1)
    address = settings.SITE_URL + before
    return {
        action_id: address
        + signing.dumps({"a": action_id, "u": user_id, "t": made}, salt=SALT, compress=True)
        + after
        for action_id in action_ids
    }


@dataclass(frozen=True)
class Opened:
    """A link that works: the action, the person, and when the link was made."""

    action: Action
    user: User
    made_at: timezone.datetime


class Refused(Exception):
    """Why a link does not work, in words for the person who followed it; ``spent`` when it
    worked once already."""

    def __init__(self, why: str, *, spent: bool = False) -> None:
        super().__init__(why)
        self.spent = spent


def open_link(token: str) -> Opened:
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.REMINDER_LINK_DAYS * 24 * 3600)
        action_id, user_id, made = int(data["a"]), int(data["u"]), int(data["t"])
    except signing.SignatureExpired:
        raise Refused(
            f"This link has expired: links in reminders work for {settings.REMINDER_LINK_DAYS} "
            "days. Sign in to post your update, or use the link in your latest reminder."
        ) from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Refused("This link is not complete. Copy the whole link from the email.") from None
    action = Action.objects.select_related("plan").filter(pk=action_id).first()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    membership = membership_of(user, action.plan.partnership_id) if action and user else None
    if action is None or user is None or membership is None:
        raise Refused(
            "This link no longer works: you are no longer a member of the partnership, or the "
            "action has been removed."
        )
    if not may_update_action(membership, action):
        raise Refused("You may no longer update this action. Ask your partnership's lead.")
    if action.plan.status == Plan.Status.ARCHIVED:
        raise Refused("This action's plan is archived, so it takes no more updates.")
    if refusal := update_refusal(action, today=timezone.localdate()):
        raise Refused(refusal)
    made_at = timezone.datetime.fromtimestamp(made, tz=timezone.get_current_timezone())
    if Update.objects.filter(action=action, author=user, created_at__gte=made_at).exists():
        raise Refused(
            "You have posted your update with this link already: each link takes one. "
            "Sign in to post another.",
            spent=True,
        )
    return Opened(action=action, user=user, made_at=made_at)
