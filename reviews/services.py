"""Writes of the reviews app: reviews and their sign-off, and reminder emails.

Reminder emails: claim each one in the database, then send it, exactly once.

A run builds every person's digest at once (``build_digests``), claims one ``DigestClaim``
row per person with what the email says (INSERT … ON CONFLICT DO NOTHING under the unique
constraint), and queues the rows it holds in batches, after its transaction commits: a send
task sends its batch over one connection to the mail server. Just before each email it takes
that row again with a conditional UPDATE that must change exactly one row, so a task queued
twice, or by a run that has since been overtaken, sends nothing; it sends what the row says,
without building it again, and marks the row sent as soon as the server has taken it.

Nothing claimed is left: each run also takes over rows of that day and the day before that are
``waiting`` (the mail server failed for the moment, or the task queue did not answer) or still
``claimed`` more than ``REMINDER_STALE_MINUTES`` after a run claimed them (its worker died). A
daily digest left from the day before is replaced by the day's own when the person gets one;
rows older still are given up (``failed``, saying why). ``digests_send_again`` sends a day's
failed rows again once the cause is fixed. A message the server was handed whole but never
confirmed is ``uncertain`` and never sent again by itself.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import KombuError

from improveplan import notifications
from improveplan.mail_backend import DeliveryUncertain
from improveplan.models import Membership, Notification, Plan, Role, User
from improveplan.services import accept_as_new_user, link_token, linked
from improveplan.text import email_subject
from outcomes.models import Risk
from reviews import board_pack, peer, periods
from reviews.models import (
    Correction,
    DigestClaim,
    HealthScore,
    OutcomeJudgement,
    PeerAnswer,
    PeerReviewer,
    Review,
)
from reviews.reminders import (
    COMPLETION_KEY,
    NOTICE_FIELDS,
    NOTICE_KEY,
    Digest,
    Kind,
    build_digests,
    completions_waiting,
    notice_from_row,
)

logger = logging.getLogger(__name__)

# A one-off reminder from a lead covers what a person's organisation has not yet reported.
BEHIND = {Kind.MISSING_UPDATE, Kind.READING_DUE}
Status = DigestClaim.Status


class TransientMailError(Exception):
    """The mail server could not take the message now; the send is retried later."""


@dataclass
class RunResult:
    """What a reminder run did, for the command and the page to say."""

    day: date
    claimed: int = 0  # rows new to this run
    taken_over: int = 0  # rows earlier runs left unsent, now this run's
    replaced: int = 0  # the day before's unsent digests, replaced by the day's own
    given_up: int = 0  # unsent rows too old to send: failed, with the reason
    queued: int = 0
    not_queued: int = 0  # the task queue did not answer: waiting for the next run
    queue_error: str = ""
    # One-off reminders: how earlier presses of the day stand, by status.
    earlier: dict[str, int] = field(default_factory=dict)

    @property
    def held(self) -> int:
        return self.claimed + self.taken_over


def one_off_key(plan_id: int) -> str:
    return f"behind-plan-{plan_id}"


def _left_unsent(now: datetime) -> Q:
    """Rows a later run should take: waiting, or claimed by a run that is long gone."""
    stale_before = now - timedelta(minutes=settings.REMINDER_STALE_MINUTES)
    return Q(status=Status.WAITING) | Q(status=Status.CLAIMED, claimed_at__lt=stale_before)


def digests_for_claims(claims) -> dict[int, Digest | None]:
    """Each claim's email from the data as it is now, built once per day and purpose."""
    groups: dict[tuple, list[DigestClaim]] = defaultdict(list)
    packs = []
    for claim in claims:
        if claim.key.startswith(board_pack.KEY):
            packs.append(claim)
        else:
            groups[claim.day, claim.key, claim.plan_id].append(claim)
    found: dict[int, Digest | None] = {}
    if packs:
        found.update(board_pack.digests_for_claims(packs, today=timezone.localdate()))
    for (day, key, plan_id), group in groups.items():
        user_ids = [claim.user_id for claim in group]
        if key.startswith(NOTICE_KEY):
            # Still there and unread? Read on the site meanwhile, there is nothing to say.
            found.update(
                {
                    claim.pk: notices_as_digests(ids=[int(key.removeprefix(NOTICE_KEY))]).get(
                        claim.user_id
                    )
                    for claim in group
                }
            )
            continue
        if key.startswith(COMPLETION_KEY):
            # Still waiting for a lead? Once confirmed or sent back, there is nothing to say.
            waiting = completions_waiting(update_ids=[int(key.removeprefix(COMPLETION_KEY))])
            by_user = {completion.user_id: completion.digest for completion in waiting}
            found.update({claim.pk: by_user.get(claim.user_id) for claim in group})
            continue
        if key == DigestClaim.DIGEST:
            digests = build_digests(day, user_ids=user_ids)
        else:
            digests = build_digests(
                day, user_ids=user_ids, plan_id=plan_id, kinds=BEHIND, respect_preferences=False
            )
        found.update({claim.pk: digests.get(claim.user_id) for claim in group})
    return found


def _take(rows: QuerySet, *, token: str, now: datetime, built: dict | None = None) -> int:
    """Take these rows for this run (one conditional UPDATE: of two runs at once, each row goes
    to one) and write what each says now; those with nothing left to say are closed. ``built``
    holds digests already built, by (day, key). Returns how many rows the run holds."""
    rows.update(token=token, claimed_at=now, status=Status.CLAIMED)
    taken = list(DigestClaim.objects.filter(token=token, status=Status.CLAIMED))
    built = built or {}
    known = {
        claim.pk: built[claim.day, claim.key].get(claim.user_id)
        for claim in taken
        if (claim.day, claim.key) in built
    }
    known.update(digests_for_claims(claim for claim in taken if claim.pk not in known))
    for claim in taken:
        digest = known[claim.pk]
        claim.content = digest.content() if digest else None
    DigestClaim.objects.bulk_update(taken, ["content"], batch_size=500)
    empty = [claim.pk for claim in taken if claim.content is None]
    DigestClaim.objects.filter(pk__in=empty).update(status=Status.NOTHING)
    return len(taken) - len(empty)


def _claim_new(*, day: date, digests: dict[int, Digest], key: str, plan_id, token, now) -> None:
    DigestClaim.objects.bulk_create(
        (
            DigestClaim(
                user_id=user_id,
                day=day,
                key=key,
                plan_id=plan_id,
                token=token,
                claimed_at=now,
                content=digest.content(),
            )
            for user_id, digest in sorted(digests.items())
        ),
        ignore_conflicts=True,
        batch_size=1000,
    )


def _claim_completions(*, token: str, now: datetime, user_ids: list[int] | None) -> None:
    """One email to each lead for each action marked complete and waiting for them, unless
    they chose to hear of these on the site only or in their digest. Its claim is keyed by the
    update that marked it complete and dated by that day, so it is made once: a later run, or
    a second scheduler, finds the row there and sends nothing again."""
    waiting = [
        completion
        for completion in completions_waiting()
        if user_ids is None or completion.user_id in user_ids
    ]
    channels = notifications.channels_for(
        {completion.user_id for completion in waiting}, Notification.Kind.COMPLETION_WAITING
    )
    DigestClaim.objects.bulk_create(
        (
            DigestClaim(
                user_id=completion.user_id,
                day=completion.day,
                key=completion.key,
                plan_id=completion.plan_id,
                token=token,
                claimed_at=now,
                content=completion.digest.content(),
            )
            for completion in waiting
            if channels[completion.user_id] == Notification.Channel.AT_ONCE
        ),
        ignore_conflicts=True,
        batch_size=1000,
    )


def _notices_to_email(
    *, ids: list[int] | None = None, since: datetime | None = None
) -> QuerySet[Notification]:
    """Notifications their person wants by email at once and has not read yet. A completion
    waiting for a lead has its own email, keyed by the completion (``_claim_completions``)."""
    rows = Notification.objects.filter(
        channel=Notification.Channel.AT_ONCE, read_at__isnull=True, user__is_active=True
    ).exclude(kind=Notification.Kind.COMPLETION_WAITING)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    return rows


def notices_as_digests(*, ids: list[int]) -> dict[int, Digest]:
    """Each of these notifications still to email, as its email says it, by person."""
    rows = _notices_to_email(ids=ids).values_list(
        "pk", "user_id", "user__email", "user__full_name", *NOTICE_FIELDS
    )
    return {
        user_id: Digest(user_id, email, name, [notice_from_row(row)])
        for _pk, user_id, email, name, *row in rows
    }


def _claim_notices(
    *,
    token: str,
    now: datetime,
    ids: list[int] | None = None,
    since: datetime | None = None,
    user_ids: list[int] | None = None,
) -> None:
    """One email for each notification wanted at once, keyed by the notification and dated by
    the day it was made: whichever comes first (the email queued as it was made, a reminder
    run, a second scheduler) inserts the row and sends; the others find it there."""
    rows = _notices_to_email(ids=ids, since=since)
    if user_ids is not None:
        rows = rows.filter(user_id__in=user_ids)
    found = rows.values_list(
        "pk", "user_id", "user__email", "user__full_name", "plan_id", *NOTICE_FIELDS
    )
    DigestClaim.objects.bulk_create(
        (
            DigestClaim(
                user_id=user_id,
                day=timezone.localdate(row[2]),
                key=f"{NOTICE_KEY}{pk}",
                plan_id=plan_id,
                token=token,
                claimed_at=now,
                content=Digest(user_id, email, name, [notice_from_row(row)]).content(),
            )
            for pk, user_id, email, name, plan_id, *row in found
        ),
        ignore_conflicts=True,
        batch_size=1000,
    )


def notifications_email(notification_ids: list[int]) -> RunResult:
    """Email these notifications now, each once (improveplan/notifications.py queues this
    after the change that made them commits). A completion waiting for a lead goes as the
    completion's own email. Returns what was claimed and queued."""
    result = RunResult(timezone.localdate())
    token, now = uuid.uuid4().hex, timezone.now()
    completions = list(
        Notification.objects.filter(
            pk__in=notification_ids,
            kind=Notification.Kind.COMPLETION_WAITING,
            channel=Notification.Channel.AT_ONCE,
        ).values_list("user_id", flat=True)
    )
    with transaction.atomic():
        _claim_notices(token=token, now=now, ids=notification_ids)
        if completions:
            _claim_completions(token=token, now=now, user_ids=completions)
        held = _held(token)
        result.claimed = len(held)
        sends_queue(held, token, result)
    return result


def _claim_board_packs(*, day: date, token: str, now: datetime, user_ids: list[int] | None) -> None:
    """The board papers of every review due by ``day``, one email to each recipient, keyed by
    the review and dated by its meeting: claimed once, whoever claims first."""
    for review, people in board_pack.unclaimed(day, user_ids=user_ids):
        DigestClaim.objects.bulk_create(
            (
                DigestClaim(
                    user_id=user_id,
                    day=review.meets_on,
                    key=board_pack.key_of(review.pk),
                    plan_id=review.plan_id,
                    token=token,
                    claimed_at=now,
                    content=digest.content(),
                )
                for user_id, digest in sorted(board_pack.digests(review, people, today=day).items())
            ),
            ignore_conflicts=True,
        )


def _held(token: str) -> list[int]:
    return list(
        DigestClaim.objects.filter(token=token, status=Status.CLAIMED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# Emails one send task sends over one connection to the mail server: few enough that a
# batch is over in seconds and a worker's others are not held up for long.
SEND_BATCH = 50


def sends_queue(claim_ids: list[int], token: str, result: RunResult) -> None:
    """Queue the sends of these claims, in batches, once the transaction commits, counting in
    ``result``. When the task queue does not answer, the rest wait (``waiting``) for the next
    run."""
    from reviews.tasks import send_digests

    def queue() -> None:
        for start in range(0, len(claim_ids), SEND_BATCH):
            batch = claim_ids[start : start + SEND_BATCH]
            try:
                send_digests.delay(batch, token)
            except (KombuError, OSError) as error:
                left = claim_ids[start:]
                reason = (
                    f"Not queued: the task queue did not answer ({type(error).__name__}: {error})"
                )
                DigestClaim.objects.filter(pk__in=left, token=token, status=Status.CLAIMED).update(
                    status=Status.WAITING, last_error=reason[:2000]
                )
                result.not_queued, result.queue_error = len(left), reason
                logger.warning("%s; %s reminders wait for the next run.", reason, len(left))
                return
            result.queued += len(batch)

    transaction.on_commit(queue)


def digests_run(*, day: date, user_ids: list[int] | None = None) -> RunResult:
    """The day's reminder run: give up what is too old, claim every digest due today, take
    over what earlier runs of today and yesterday left unsent, and queue the sends.
    ``user_ids`` narrows it to those people (the benchmark's own, in a shared database)."""
    result = RunResult(day)
    people = build_digests(day, user_ids=user_ids)
    yesterday = day - timedelta(days=1)
    token, now = uuid.uuid4().hex, timezone.now()
    left = DigestClaim.objects.filter(_left_unsent(now))
    if user_ids is not None:
        left = left.filter(user_id__in=user_ids)
    with transaction.atomic():
        result.given_up = left.filter(day__lt=yesterday).update(
            status=Status.FAILED,
            last_error=Concat(
                Value(f"Given up on {day:%-d %B %Y}: not sent by the end of the next day. "),
                F("last_error"),
            ),
        )
        result.replaced = left.filter(
            day=yesterday, key=DigestClaim.DIGEST, user_id__in=list(people)
        ).update(
            status=Status.REPLACED,
            last_error=Concat(
                Value(f"Replaced by the digest of {day:%-d %B %Y}. "), F("last_error")
            ),
        )
        result.taken_over = _take(
            # A board pack is dated by its meeting, which may be days ahead.
            left.filter(Q(day__in=[day, yesterday]) | board_pack.left_unsent_in_future(day)),
            token=token,
            now=now,
            built={(day, DigestClaim.DIGEST): people},
        )
        _claim_new(
            day=day, digests=people, key=DigestClaim.DIGEST, plan_id=None, token=token, now=now
        )
        _claim_completions(token=token, now=now, user_ids=user_ids)
        # Notifications to email at once that were not (the task queue did not answer).
        since = timezone.make_aware(datetime.combine(yesterday, datetime.min.time()))
        _claim_notices(token=token, now=now, since=since, user_ids=user_ids)
        _claim_board_packs(day=day, token=token, now=now, user_ids=user_ids)
        held = _held(token)
        result.claimed = len(held) - result.taken_over
        sends_queue(held, token, result)
    return result


def one_off_send(*, plan, day: date, user_ids: list[int] | None = None) -> RunResult:
    """A lead's one-off reminder to those behind on a plan; once a day however often asked.
    Takes over only its own unsent rows (never the daily digests); ``earlier`` says how the
    day's earlier presses stand for those behind now."""
    result = RunResult(day)
    key = one_off_key(plan.pk)
    behind = build_digests(
        day, user_ids=user_ids, plan_id=plan.pk, kinds=BEHIND, respect_preferences=False
    )
    token, now = uuid.uuid4().hex, timezone.now()
    ours = DigestClaim.objects.filter(day=day, key=key, user_id__in=list(behind))
    with transaction.atomic():
        result.taken_over = _take(
            ours.filter(_left_unsent(now)), token=token, now=now, built={(day, key): behind}
        )
        _claim_new(day=day, digests=behind, key=key, plan_id=plan.pk, token=token, now=now)
        held = _held(token)
        result.claimed = len(held) - result.taken_over
        sends_queue(held, token, result)
    earlier = ours.exclude(token=token).values_list("status", flat=True)
    for status in earlier:
        result.earlier[status] = result.earlier.get(status, 0) + 1
    return result


def digests_send_again(rows: QuerySet) -> RunResult:
    """Send these rows again if they failed (the cause is fixed): each is claimed as a new run
    would, so a row sent meanwhile, or sent by a second call, is not sent twice. The command
    (a day), the admin (rows picked) and a lead's page (their partnership's, of a day) all
    send again through here."""
    result = RunResult(timezone.localdate())
    token, now = uuid.uuid4().hex, timezone.now()
    # By id, so that the claiming UPDATE checks the status on the row itself: rows chosen
    # through a join (a partnership's members) would be matched in a subquery, which a
    # second call at the same moment could pass with the status it saw before the first.
    failed = DigestClaim.objects.filter(
        pk__in=list(rows.failed().values_list("pk", flat=True)), status=Status.FAILED
    )
    with transaction.atomic():
        result.taken_over = _take(failed, token=token, now=now)
        sends_queue(_held(token), token, result)
    return result


def digest_for(claim: DigestClaim) -> Digest | None:
    """What the claim's email says: as kept in the row, or (rows from before that was kept)
    from the data as it is now."""
    # A completion is said only while it still waits: a lead may have answered meanwhile; a
    # notification only while it is unread and its person still in its partnership.
    fresh = claim.key.startswith((COMPLETION_KEY, NOTICE_KEY))
    if claim.content is not None and not fresh:
        return Digest.from_content(claim.user_id, claim.content)
    return digests_for_claims([claim])[claim.pk]


def digest_message(
    digest: Digest,
    *,
    day: date,
    one_off: bool = False,
    completion: bool = False,
    notice: bool = False,
) -> EmailMultiAlternatives:
    """The email of a claim: the daily digest, a lead's one-off reminder, a completion
    waiting for a lead's confirmation (``completion``: one action, its own subject), or a
    notification wanted at once (``notice``: its own subject)."""
    counts = digest.counts()
    context = {
        "digest": digest,
        "sections": digest.sections_with_links(),
        "day": day,
        "one_off": one_off,
        "completion": digest.items[0] if completion else None,
        "notice": digest.items[0] if notice else None,
        "site_name": settings.SITE_NAME,
        "preferences_url": settings.SITE_URL + reverse("reviews:preferences"),
        "overdue": counts.get(Kind.OVERDUE, 0),
        "total": len(digest.items),
    }
    subject = email_subject(render_to_string("reviews/emails/digest_subject.txt", context))
    message = EmailMultiAlternatives(
        subject, render_to_string("reviews/emails/digest.txt", context), None, [digest.email]
    )
    message.attach_alternative(render_to_string("reviews/emails/digest.html", context), "text/html")
    return message


def _refused_for_good(error: Exception) -> bool:
    """A 5xx answer: the server will never take this message, so retrying is pointless."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def digest_send(*, claim_id: int, token: str, last_attempt: bool) -> str:
    """Send one claimed email (``digests_send`` for one). Returns the claim's status, or
    "skipped" when not ours; a passing failure raises ``TransientMailError``."""
    status = digests_send(claim_ids=[claim_id], token=token, last_attempt=last_attempt)[claim_id]
    if status == Status.CLAIMED:
        error = DigestClaim.objects.values_list("last_error", flat=True).get(pk=claim_id)
        raise TransientMailError(error)
    return status


def digests_send(*, claim_ids: list[int], token: str, last_attempt: bool) -> dict[int, str]:
    """Send claimed emails, one after another over one connection to the mail server. Returns
    each claim's status, or "skipped" for one that is not ours.

    Each is still claimed just before it is sent (a conditional UPDATE that renews its
    ``claimed_at``, so a long batch never looks stranded to a later run) and marked sent as
    soon as the server takes it, so a worker that dies mid-batch leaves at most the one in
    flight unconfirmed, as a task for one email did. A passing failure (connection refused, a
    4xx answer) leaves that claim ``claimed`` for the caller to try again, or ``waiting`` for
    the next run after the last attempt; the others are sent regardless.
    """
    rows = DigestClaim.objects.filter(pk__in=claim_ids, token=token, status=Status.CLAIMED)
    claims = {claim.pk: claim for claim in rows}
    mail = _MailConnection()
    try:
        return {
            claim_id: _send_claimed(claims[claim_id], token, last_attempt, mail)
            if claim_id in claims
            else "skipped"
            for claim_id in claim_ids
        }
    finally:
        mail.close()


class _MailConnection:
    """One connection to the mail server for a batch, opened when first needed and opened
    afresh after a failure (which may have left it broken)."""

    def __init__(self) -> None:
        self.backend = get_connection()
        self.is_open = False

    def send(self, message: EmailMultiAlternatives) -> None:
        if not self.is_open:
            self.backend.open()
            self.is_open = True
        message.connection = self.backend
        message.send()

    def close(self) -> None:
        if self.is_open:
            self.is_open = False
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.backend.close()  # the next message, or batch, connects afresh


def _send_claimed(claim: DigestClaim, token: str, last_attempt: bool, mail) -> str:
    ours = DigestClaim.objects.filter(pk=claim.pk, token=token)
    taken = ours.filter(status=Status.CLAIMED).update(
        attempts=F("attempts") + 1, claimed_at=timezone.now()
    )
    if taken != 1:
        return "skipped"  # sent already, or taken over by a later run
    digest = digest_for(claim)
    if digest is None or not digest.items:
        ours.update(status=Status.NOTHING)
        return Status.NOTHING
    if claim.key.startswith(board_pack.KEY):
        today = timezone.localdate()
        review = board_pack.still_due(claim, today=today)
        if review is None:  # signed off, past, or no longer theirs: nothing to send
            ours.update(status=Status.NOTHING)
            return Status.NOTHING
        message = board_pack.message(digest, review=review, today=today)
        return _sent(claim, ours, mail, message, last_attempt)
    completion = claim.key.startswith(COMPLETION_KEY)
    notice = claim.key.startswith(NOTICE_KEY)
    message = digest_message(
        digest,
        day=claim.day,
        one_off=claim.key != DigestClaim.DIGEST and not (completion or notice),
        completion=completion,
        notice=notice,
    )
    return _sent(claim, ours, mail, message, last_attempt)


def _sent(
    claim: DigestClaim, ours: QuerySet, mail, message: EmailMultiAlternatives, last_attempt: bool
) -> str:
    """Send a claimed email and keep how it went in its row."""
    to = ", ".join(message.to)
    try:
        mail.send(message)
    except DeliveryUncertain as error:
        mail.close()
        # It may have been delivered: sending it again could make two. Say so, send no more.
        ours.update(last_error=f"{error}"[:2000], status=Status.UNCERTAIN)
        logger.warning("Reminder %s to %s: delivery uncertain: %s", claim.pk, to, error)
        return Status.UNCERTAIN
    except (smtplib.SMTPException, OSError) as error:
        mail.close()
        status = (
            Status.FAILED
            if _refused_for_good(error)
            else Status.WAITING
            if last_attempt
            else Status.CLAIMED
        )
        ours.update(last_error=f"{type(error).__name__}: {error}"[:2000], status=status)
        logger.warning("Reminder %s to %s failed: %s", claim.pk, to, error)
        return status
    ours.update(status=Status.SENT, sent_at=timezone.now())
    return Status.SENT


# Reviews ---------------------------------------------------------------------------


def _tell_the_partnership(review: Review, *, by: User | None, text: str) -> None:
    plan = review.plan
    notifications.notify(
        kind=Notification.Kind.REVIEW,
        users=Membership.objects.filter(partnership_id=plan.partnership_id).values_list(
            "user_id", flat=True
        ),
        partnership_id=plan.partnership_id,
        plan_id=plan.pk,
        text=text,
        url=review.get_absolute_url(),
        actor=by,
    )


def review_create(
    *, plan, first: date, last: date, meets_on: date, attendees: str, by: User | None = None
) -> Review:
    """Open a plan's review of one period; refused clearly if the period has one already.
    Every member of the partnership is told (``by``, the lead who opened it, is not)."""
    try:
        with transaction.atomic():
            review = Review.objects.create(
                plan=plan,
                period_start=first,
                period_end=last,
                meets_on=meets_on,
                attendees=attendees,
                known_risks=list(Risk.objects.filter(plan=plan).values_list("pk", flat=True)),
            )
            _tell_the_partnership(
                review,
                by=by,
                text=f"{by or 'A lead'} opened the review of {plan} for "
                f"{periods.label(first, last)}: the meeting is on {meets_on:%A %-d %B %Y}",
            )
            return review
    except IntegrityError:  # a second lead opened the same period a moment ago
        raise ValidationError(
            {
                "period": f"This plan already has a review for {periods.label(first, last)}. "
                "Open that review instead of starting another."
            }
        ) from None


def check_open(review: Review) -> None:
    if review.is_signed_off:
        raise PermissionDenied("This review has been signed off: it can no longer be changed.")


def judgement_set(*, review: Review, outcome, rating: str, note: str) -> OutcomeJudgement:
    check_open(review)
    judgement, _ = OutcomeJudgement.objects.update_or_create(
        review=review, outcome=outcome, defaults={"rating": rating, "note": note}
    )
    return judgement


def review_sign_off(*, review: Review, membership: Membership) -> None:
    """A board member signs the review off, which closes its period's readings and updates."""
    if membership.role != Role.BOARD:
        raise PermissionDenied("Only a board member may sign off a review.")
    with transaction.atomic():
        signed = Review.objects.filter(pk=review.pk, signed_off_at__isnull=True).update(
            signed_off_at=timezone.now(), signed_off_by=membership.user
        )
        if not signed:
            raise PermissionDenied("This review has been signed off already.")
        _tell_the_partnership(
            review,
            by=membership.user,
            text=f"{membership.user} signed off the review of {review.plan} for "
            f"{periods.label(review.period_start, review.period_end)}",
        )


def reading_correct(*, reading, review: Review, user, reason: str, **values) -> Correction:
    """Change a reading of a closed period and record who did it and why, together."""

    def written(value) -> str:  # a suppressed reading has no value
        return "suppressed" if value is None else f"{value.normalize():f}"

    before = written(reading.value)
    with transaction.atomic():
        for name, value in values.items():
            setattr(reading, name, value)
        reading.entered_by = user
        reading.save(update_fields=[*values, "entered_by", "entered_at"])
        return Correction.objects.create(
            review=review,
            made_by=user,
            what=(
                f"{reading.indicator.code} for {reading.period:%-d %B %Y}"
                f"{f' ({reading.breakdown})' if reading.breakdown else ''}: "
                f"{before} → {written(reading.value)}"
            )[:300],
            reason=reason.strip(),
        )


def health_scores_save(*, health_check, user, scores: dict[str, tuple[int, str]]) -> None:
    """A member's nine scores, all or none; giving them again replaces the earlier ones."""
    with transaction.atomic():
        for ingredient, (score, comment) in scores.items():
            HealthScore.objects.update_or_create(
                health_check=health_check,
                user=user,
                ingredient=ingredient,
                defaults={"score": score, "comment": comment},
            )


# Peer challenge -----------------------------------------------------------------------

PEER_SALT = "reviews.peer_reviewer"


def peer_token(reviewer: PeerReviewer) -> str:
    """The secret part of a peer reviewer's link (improveplan.services.link_token)."""
    return link_token(reviewer.pk, reviewer.expires_at, salt=PEER_SALT)


def peer_reviewer_from_token(token: str) -> PeerReviewer | None:
    rows = PeerReviewer.objects.select_related("plan__partnership")
    return linked(rows, token, salt=PEER_SALT)


def peer_reviewer_invite(
    *, plan: Plan, email: str, name: str, days: int, invited_by: User
) -> PeerReviewer:
    """Invite someone from outside the partnership to read one plan for ``days`` days and
    answer the peer challenge questions; email them a link that works once."""
    email = email.strip().lower()
    if not 1 <= days <= PeerReviewer.MAX_DAYS:
        raise ValidationError({"days": f"Choose from 1 to {PeerReviewer.MAX_DAYS} days."})
    members = Membership.objects.filter(partnership_id=plan.partnership_id)
    if members.filter(user__email__iexact=email).exists():
        raise ValidationError(
            {"email": f"{email} is a member of this partnership; a peer reviewer is from outside."}
        )
    now = timezone.now()
    with transaction.atomic():
        Plan.objects.select_for_update().filter(pk=plan.pk).first()  # one invitation at a time
        invited = PeerReviewer.objects.filter(
            plan=plan, email__iexact=email, revoked_at__isnull=True, expires_at__gt=now
        )
        # An invitation whose email failed was never received: it is sent again, anew.
        unsent = invited.filter(accepted_at__isnull=True, send_failed_at__isnull=False).first()
        if unsent is None and invited.exists():
            raise ValidationError({"email": f"{email} is already invited to review this plan."})
        reviewer = unsent or PeerReviewer(plan=plan, email=email)
        reviewer.name = name.strip()
        reviewer.invited_by = invited_by
        reviewer.expires_at = now + timedelta(days=days)
        reviewer.send_failed_at = None
        reviewer.save()
        from reviews.tasks import send_peer_invitation

        transaction.on_commit(lambda: send_peer_invitation.delay(reviewer.pk))
    return reviewer


def peer_reviewer_accept(*, reviewer: PeerReviewer, user: User) -> PeerReviewer:
    """Take up a peer reviewer's link: it works once, until it expires, unless revoked."""
    if user.email.lower() != reviewer.email.lower():
        raise ValidationError(f"This invitation was sent to {reviewer.email}.")
    now = timezone.now()
    claimed = PeerReviewer.objects.filter(
        pk=reviewer.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(accepted_at=now, user=user)
    if claimed != 1:
        raise ValidationError("This invitation link has expired or has already been used.")
    reviewer.refresh_from_db()
    return reviewer


def peer_reviewer_accept_as_new_user(
    *, reviewer: PeerReviewer, full_name: str, password: str
) -> PeerReviewer:
    """Create the reviewer's account and take up the link together, or neither."""
    return accept_as_new_user(
        email=reviewer.email,
        full_name=full_name,
        password=password,
        accept=lambda user: peer_reviewer_accept(reviewer=reviewer, user=user),
    )


def peer_reviewer_revoke(*, reviewer: PeerReviewer) -> None:
    """End a reviewer's access at once. Their answers stay with the plan."""
    PeerReviewer.objects.filter(pk=reviewer.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def peer_answers_save(*, reviewer: PeerReviewer, answers: dict[str, str], submit: bool) -> None:
    """Keep a reviewer's answers (blank ones are dropped); submitting makes them final and
    shows them to the partnership."""
    with transaction.atomic():
        # Claim the row: answers already submitted, or access that has ended, change nothing.
        still_open = PeerReviewer.objects.live().filter(pk=reviewer.pk, submitted_at__isnull=True)
        if still_open.select_for_update().first() is None:
            raise ValidationError("These answers can no longer be changed.")
        PeerAnswer.objects.filter(reviewer=reviewer).delete()
        PeerAnswer.objects.bulk_create(
            PeerAnswer(reviewer=reviewer, question=key, text=text.strip())
            for key, text in answers.items()
            if key in peer.question_keys() and text.strip()
        )
        if submit:
            still_open.update(submitted_at=timezone.now())
