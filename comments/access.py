"""Who may read and write comments: the rules of the item they are on (improveplan/access.py
explains them), and those of the layers below for each kind of item.

- Reading: whoever may read the item reads its comments: every member of its partnership,
  and a live peer reviewer of its plan.
- Writing (a comment or a reply): the partnership's leads and partners, on any item they read,
  while its plan is not archived. Board members read (their role is read only), and a peer
  reviewer writes only their answers to the peer challenge.
- Changing one's own comment: its author, for ``Comment.EDITABLE_FOR`` after posting it.
- Hiding one: the partnership's leads, with a reason.
- Mentioning: only members of the partnership, who may all read the item.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from actions.access import get_action_for_user
from comments.models import Comment
from improveplan import access
from improveplan.models import Membership, Role
from outcomes.access import get_indicator_for_user, get_outcome_for_user
from reviews.access import get_review_for_user

WRITERS = (Role.LEAD, Role.PARTNER)


@dataclass(frozen=True)
class Kind:
    """One kind of item comments are on."""

    name: str
    getter: Callable  # the item's access helper: (request, pk, manage=False) -> item
    noun: str  # as a sentence names it: "the action"

    def get(self, request: HttpRequest, pk):
        return self.getter(request, pk)


KINDS: dict[str, Kind] = {
    "outcome": Kind("outcome", get_outcome_for_user, "the outcome"),
    "indicator": Kind("indicator", get_indicator_for_user, "the indicator"),
    "action": Kind("action", get_action_for_user, "the action"),
    "review": Kind("review", get_review_for_user, "the review"),
}


def kind_of(thing) -> str:
    return type(thing).__name__.lower()


def may_comment(membership) -> bool:
    """Leads and partners; not board members, nor peer reviewers (who have no membership)."""
    return isinstance(membership, Membership) and membership.role in WRITERS


def check_may_comment(request: HttpRequest, thing) -> None:
    """After the item's own helper (which refused outsiders, archived plans and peer
    reviewers' posts): refuse the members whose role only reads."""
    if not may_comment(request.membership):
        access.refuse(
            request, f"a comment on {kind_of(thing)} {thing.pk}", thing_partnership(thing)
        )
        raise PermissionDenied(
            "Board members read the comments; the partnership's leads and partners write them."
        )


def thing_partnership(thing) -> int:
    return thing.plan.partnership_id


def get_comment_for_user(request: HttpRequest, pk, *, manage: bool = False) -> Comment:
    queryset = Comment.objects.select_related(
        "plan__partnership", "author", "outcome", "indicator", "action", "review"
    )
    return access.get_in_users_partnership(
        request, queryset, pk, manage=manage, path="plan__partnership"
    )


def get_own_comment_to_edit(request: HttpRequest, pk) -> Comment:
    """One's own comment, while it may still be changed; 403 for anyone else's, or too late."""
    comment = get_comment_for_user(request, pk)
    # An archived plan says so first, whoever asks: nothing in it can be changed.
    access.check_plan_open(request, comment.plan)
    if comment.author_id != request.user.pk or not may_comment(request.membership):
        access.refuse(request, f"changing comment {comment.pk}", comment.plan.partnership_id)
        raise PermissionDenied("Only the person who wrote a comment may change it.")
    if comment.is_hidden:
        raise PermissionDenied("A lead has hidden this comment: it can no longer be changed.")
    if not comment.may_be_edited_by(request.user):
        minutes = int(Comment.EDITABLE_FOR.total_seconds() // 60)
        raise PermissionDenied(
            f"A comment may be changed for {minutes} minutes after it is posted; this one can "
            "no longer be. Add a reply to say more."
        )
    return comment
