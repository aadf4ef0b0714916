"""Writes of comments: posting (and replying), changing one's own, hiding one; and who is told.

Who is told (improveplan/notifications.py decides how each person hears of it):
- everyone a comment mentions, when it is posted, and anyone a change newly mentions;
- the author of the comment a reply answers, unless the reply mentions them already.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from comments import mentions
from comments.models import Comment
from improveplan import notifications
from improveplan.models import Membership, Notification, User


def readers(plan) -> list[tuple[int, str]]:
    """The people who may be mentioned on an item of the plan, ``(id, name)``: the members of
    its partnership, who may all read it (a peer reviewer is not a member)."""
    return list(
        Membership.objects.filter(partnership_id=plan.partnership_id, user__is_active=True)
        .order_by("user__full_name", "user__email")
        .values_list("user_id", "user__full_name")
    )


def suggestions(plan, *, viewer) -> list[dict]:
    """Whom to suggest as a person types "@" (everyone who may read the item but themselves),
    as the page gives them to its script."""
    rows = (
        Membership.objects.filter(partnership_id=plan.partnership_id, user__is_active=True)
        .exclude(user=viewer)
        .order_by("user__full_name", "user__email")
        .values_list("user_id", "user__full_name", "organisation__name")
    )
    return [{"id": pk, "name": name, "organisation": org} for pk, name, org in rows if name]


def item_name(kind: str, thing) -> str:
    """The item as a notification names it."""
    if kind == "action":
        return f"{thing.reference} {thing.title}"
    if kind == "indicator":
        return f"{thing.code} {thing.name}"
    if kind == "review":
        return (
            f"the review of {thing.plan}, {thing.period_start:%-d %b %Y} to "
            f"{thing.period_end:%-d %b %Y}"
        )
    return str(thing)


def permalink(comment: Comment, thing) -> str:
    return f"{thing.get_absolute_url()}#comment-{comment.pk}"


def comment_post(
    *, kind: str, thing, author: User, text: str, parent: Comment | None = None
) -> Comment:
    """Post a comment on the item, or a reply to one of its comments; tell whom it concerns."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write something first."})
    if parent is not None:
        if getattr(parent, f"{kind}_id") != thing.pk:
            raise ValidationError({"parent": "Reply to a comment on this item."})
        parent = parent.parent or parent  # threads are one level deep
    plan = thing.plan
    people = readers(plan)
    named = [pk for pk in mentions.mentioned(text, people) if pk != author.pk]
    with transaction.atomic():
        comment = Comment.objects.create(
            plan=plan, parent=parent, author=author, text=text, **{kind: thing}
        )
        comment.mentioned.set(named)
        _tell(comment, kind=kind, thing=thing, author=author, mentioned=named, parent=parent)
    return comment


def _tell(comment, *, kind, thing, author, mentioned, parent) -> None:
    name = item_name(kind, thing)
    common = {
        "partnership_id": thing.plan.partnership_id,
        "plan_id": thing.plan.pk,
        "url": permalink(comment, thing),
        "actor": author,
    }
    quote = notifications.quoted(comment.text)
    if mentioned:
        notifications.notify(
            kind=Notification.Kind.MENTION,
            users=mentioned,
            text=f"{author} mentioned you on {name}: {quote}",
            **common,
        )
    if parent is not None and parent.author_id and parent.author_id not in mentioned:
        notifications.notify(
            kind=Notification.Kind.REPLY,
            users=[parent.author_id],
            text=f"{author} replied to your comment on {name}: {quote}",
            **common,
        )


def comment_edit(*, comment: Comment, thing, text: str, by: User) -> Comment:
    """Change one's own comment (the caller checked it may still be changed); anyone it now
    mentions for the first time is told."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write something, or leave the comment as it was."})
    kind = comment.kind
    before = set(comment.mentioned.values_list("pk", flat=True))
    named = [pk for pk in mentions.mentioned(text, readers(thing.plan)) if pk != by.pk]
    with transaction.atomic():
        comment.text = text
        comment.edited_at = timezone.now()
        comment.save(update_fields=["text", "edited_at"])
        comment.mentioned.set(named)
        new = [pk for pk in named if pk not in before]
        _tell(comment, kind=kind, thing=thing, author=by, mentioned=new, parent=None)
    return comment


def comment_hide(*, comment: Comment, by: User, reason: str) -> Comment:
    """A lead hides a comment from the page, saying why; the history keeps what it said."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why it is hidden: the partnership will read it."})
    with transaction.atomic():
        hidden = (
            Comment.objects.select_for_update()
            .filter(pk=comment.pk, hidden_at__isnull=True)
            .first()
        )
        if hidden is None:
            raise ValidationError("This comment is hidden already.")
        hidden.hidden_at = timezone.now()
        hidden.hidden_by = by
        hidden.hidden_reason = reason
        hidden.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    return hidden
