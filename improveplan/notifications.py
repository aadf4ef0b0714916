"""Notifications: what needs one person's attention, under the bell on every page.

Any app raises one with ``notify()`` inside the transaction of the change that causes it (a
comment that mentions someone, a lead confirming a completed action, a review signed off). It
goes only to members of the partnership the change belongs to, never to the person who made
the change, and each person's choice for its kind is kept on the row as its ``channel``:

- ``site``: under the bell only;
- ``at_once``: emailed as soon as the change is saved. The emails are the reviews app's, which
  registers its mailer here at start-up (``register_mailer``) and sends each through the same
  claim-before-send machinery as the reminder digests, so none goes twice;
- ``digest``: in the person's next daily reminder digest (reviews/reminders.py).

The count of unread notifications is kept on the person's account (``User.unread_notifications``)
so that the bell costs no query; only the functions here change it, in the same transaction as
the rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from improveplan.models import Membership, Notification, NotificationPreference, User

Kind = Notification.Kind
Channel = Notification.Channel

# What each kind does for someone who has not chosen: what asks them to act comes at once;
# news of reviews comes with the digest; a report they wait for is on the site.
DEFAULT_CHANNELS: dict[str, str] = {
    Kind.MENTION: Channel.AT_ONCE,
    Kind.REPLY: Channel.AT_ONCE,
    Kind.COMPLETION_ANSWERED: Channel.AT_ONCE,
    Kind.DUE_DATE_ANSWERED: Channel.AT_ONCE,
    Kind.COMPLETION_WAITING: Channel.AT_ONCE,
    Kind.REVIEW: Channel.DIGEST,
    Kind.REPORT_READY: Channel.SITE,
}
TEXT_LENGTH = Notification._meta.get_field("text").max_length
SNIPPET_LENGTH = 120

# Each takes the ids of notifications to email at once, after the transaction that made them
# commits (reviews.services.notifications_email).
MAILERS: list[Callable[[list[int]], None]] = []


def register_mailer(send: Callable[[list[int]], None]) -> None:
    if send not in MAILERS:
        MAILERS.append(send)


def shortened(text: str, length: int) -> str:
    """Text on one line, cut at ``length`` characters with an ellipsis."""
    text = " ".join(str(text).split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def quoted(text: str) -> str:
    """The start of what someone wrote, to quote in a notification."""
    return f"\u201c{shortened(text, SNIPPET_LENGTH)}\u201d"


def channels_for(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """Each person's choice for this kind, or its default (one query)."""
    user_ids = list(user_ids)
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind).values_list(
            "user_id", "channel"
        )
    )
    return {user_id: chosen.get(user_id, DEFAULT_CHANNELS[kind]) for user_id in user_ids}


def preferences_of(user) -> dict[str, str]:
    """Every kind with the person's channel for it, in the order of ``Kind``."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))
    return {kind: chosen.get(kind, DEFAULT_CHANNELS[kind]) for kind in Kind.values}


def preferences_save(*, user, channels: dict[str, str]) -> None:
    """Keep the person's choices; one that is the kind's default needs no row."""
    with transaction.atomic():
        for kind, channel in channels.items():
            if channel == DEFAULT_CHANNELS[kind]:
                NotificationPreference.objects.filter(user=user, kind=kind).delete()
            else:
                NotificationPreference.objects.update_or_create(
                    user=user, kind=kind, defaults={"channel": channel}
                )


def notify(
    *,
    kind: str,
    users: Iterable,
    partnership_id: int,
    text: str,
    url: str,
    plan_id: int | None = None,
    actor=None,
) -> list[Notification]:
    """Tell these people (users or ids) about something in the partnership; call it inside the
    transaction of the change. Only active members of the partnership are told, and never the
    person who made the change (``actor``). Returns the notifications made."""
    ids = {getattr(user, "pk", user) for user in users if user is not None}
    ids.discard(getattr(actor, "pk", actor))
    if not ids:
        return []
    members = set(
        Membership.objects.filter(
            partnership_id=partnership_id, user_id__in=ids, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    if not members:
        return []
    channels = channels_for(members, kind)
    now = timezone.now()
    made = Notification.objects.bulk_create(
        Notification(
            user_id=user_id,
            partnership_id=partnership_id,
            plan_id=plan_id,
            kind=kind,
            channel=channels[user_id],
            text=shortened(text, TEXT_LENGTH),
            url=url[:500],
            actor_id=getattr(actor, "pk", actor),
            created_at=now,
        )
        for user_id in sorted(members)
    )
    User.objects.filter(pk__in=members).update(unread_notifications=F("unread_notifications") + 1)
    at_once = [n.pk for n in made if n.channel == Channel.AT_ONCE]
    if at_once and MAILERS:
        # Robust: a mail server or task queue that fails must not undo the change; the next
        # reminder run emails what was not (reviews.services.digests_run).
        for send in MAILERS:
            transaction.on_commit(lambda send=send: send(at_once), robust=True)
    return made


def _count_down(counts: Counter) -> None:
    for user_id, count in counts.items():
        User.objects.filter(pk=user_id).update(
            unread_notifications=Greatest(F("unread_notifications") - Value(count), Value(0))
        )


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the person's notifications read (these, or all of them). Returns how many were
    unread: a notification that was read already, or is someone else's, is left alone."""
    with transaction.atomic():
        rows = Notification.objects.filter(user=user, read_at__isnull=True)
        if ids is not None:
            rows = rows.filter(pk__in=list(ids))
        count = rows.update(read_at=timezone.now())
        if count:
            _count_down(Counter({user.pk: count}))
    user.unread_notifications = max(0, user.unread_notifications - count)
    return count


def unread_recount(user) -> int:
    """Set the kept count from the rows (it drifts only if rows go without this module: a plan
    or a partnership deleted), and return it."""
    count = Notification.objects.filter(user=user, read_at__isnull=True).count()
    if count != user.unread_notifications:
        User.objects.filter(pk=user.pk).update(unread_notifications=count)
        user.unread_notifications = count
    return count


def forget_partnership(*, user_id: int, partnership_id: int) -> int:
    """Remove one person's notifications about a partnership they have left: they may no
    longer see what those say. Returns how many were removed."""
    with transaction.atomic():
        rows = Notification.objects.filter(user_id=user_id, partnership_id=partnership_id)
        unread = rows.filter(read_at__isnull=True).count()
        deleted, _ = rows.delete()
        if unread:
            _count_down(Counter({user_id: unread}))
    return deleted
