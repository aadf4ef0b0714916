"""Writes of the reviews app: reviews and their sign-off, and reminder emails.

Reminder emails: claim each one in the database, then send it, exactly once.

A run claims one ``DigestClaim`` row per person (INSERT … ON CONFLICT DO NOTHING under the
unique constraint), takes over rows left claimed by a run that died more than
``REMINDER_STALE_MINUTES`` ago, and queues one send task per row it holds, after its
transaction commits. The send task takes the row again with a conditional UPDATE that must
change exactly one row, so a task queued twice, or by a run that has since been overtaken,
sends nothing.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from improveplan.models import Membership, Plan, Role, User
from improveplan.services import link_token, link_token_pk
from improveplan.text import email_subject
from outcomes.models import Risk
from reviews import peer, periods
from reviews.models import (
    Correction,
    DigestClaim,
    HealthScore,
    OutcomeJudgement,
    PeerAnswer,
    PeerReviewer,
    Review,
)
from reviews.reminders import Digest, Kind, build_digests

logger = logging.getLogger(__name__)

# A one-off reminder from a lead covers what a person's organisation has not yet reported.
BEHIND = {Kind.MISSING_UPDATE, Kind.READING_DUE}


class TransientMailError(Exception):
    """The mail server could not take the message now; the send is retried later."""


def one_off_key(plan_id: int) -> str:
    return f"behind-plan-{plan_id}"


def digests_claim(*, day: date, user_ids, key: str = DigestClaim.DIGEST, plan_id=None) -> tuple:
    """Claim the rows for these people (and any stale ones of the day); (ids, token) held."""
    token = uuid.uuid4().hex
    now = timezone.now()
    stale_before = now - timedelta(minutes=settings.REMINDER_STALE_MINUTES)
    with transaction.atomic():
        DigestClaim.objects.bulk_create(
            (
                DigestClaim(
                    user_id=user_id, day=day, key=key, plan_id=plan_id, token=token, claimed_at=now
                )
                for user_id in user_ids
            ),
            ignore_conflicts=True,
            batch_size=1000,
        )
        DigestClaim.objects.filter(
            day=day, status=DigestClaim.Status.CLAIMED, claimed_at__lt=stale_before
        ).exclude(token=token).update(token=token, claimed_at=now)
    held = list(
        DigestClaim.objects.filter(token=token, status=DigestClaim.Status.CLAIMED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return held, token


def sends_queue(claim_ids: list[int], token: str) -> None:
    """Queue a send for each claim once the transaction commits. Without a broker the rows
    stay claimed, and the next run (within the hour) takes them over and sends them."""
    from reviews.tasks import send_digest

    def queue() -> None:
        for claim_id in claim_ids:
            try:
                send_digest.delay(claim_id, token)
            except Exception:
                logger.exception(
                    "Could not queue reminder %s; the next reminder run will send it.", claim_id
                )
                return

    transaction.on_commit(queue)


def digests_run(*, day: date) -> int:
    """The day's reminder run: claim every digest due today and queue the sends."""
    people = build_digests(day)
    with transaction.atomic():
        held, token = digests_claim(day=day, user_ids=sorted(people))
        sends_queue(held, token)
    return len(held)


def one_off_send(*, plan, day: date, user_ids: list[int] | None = None) -> int:
    """A lead's one-off reminder to those behind on a plan; once a day however often asked."""
    behind = build_digests(
        day, user_ids=user_ids, plan_id=plan.pk, kinds=BEHIND, respect_preferences=False
    )
    with transaction.atomic():
        held, token = digests_claim(
            day=day, user_ids=sorted(behind), key=one_off_key(plan.pk), plan_id=plan.pk
        )
        sends_queue(held, token)
    return len(held)


def digest_for(claim: DigestClaim) -> Digest | None:
    """What the claim's email says, from the data as it is now."""
    if claim.key == DigestClaim.DIGEST:
        found = build_digests(claim.day, user_ids=[claim.user_id])
    else:
        found = build_digests(
            claim.day,
            user_ids=[claim.user_id],
            plan_id=claim.plan_id,
            kinds=BEHIND,
            respect_preferences=False,
        )
    return found.get(claim.user_id)


def digest_message(digest: Digest, *, day: date, one_off: bool = False) -> EmailMultiAlternatives:
    counts = digest.counts()
    context = {
        "digest": digest,
        "sections": digest.sections(),
        "day": day,
        "one_off": one_off,
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
    """Send one claimed email. Returns the claim's status, or "skipped" when not ours."""
    taken = DigestClaim.objects.filter(
        pk=claim_id, token=token, status=DigestClaim.Status.CLAIMED
    ).update(attempts=F("attempts") + 1, claimed_at=timezone.now())
    if taken != 1:
        return "skipped"  # sent already, or taken over by a later run
    claim = DigestClaim.objects.get(pk=claim_id)
    ours = DigestClaim.objects.filter(pk=claim_id, token=token)
    digest = digest_for(claim)
    if digest is None:
        ours.update(status=DigestClaim.Status.NOTHING)
        return DigestClaim.Status.NOTHING
    try:
        digest_message(digest, day=claim.day, one_off=claim.key != DigestClaim.DIGEST).send()
    except (smtplib.SMTPException, OSError) as error:
        failed = last_attempt or _refused_for_good(error)
        ours.update(
            last_error=f"{type(error).__name__}: {error}"[:2000],
            status=DigestClaim.Status.FAILED if failed else DigestClaim.Status.CLAIMED,
        )
        logger.warning("Reminder %s to %s failed: %s", claim_id, digest.email, error)
        if failed:
            return DigestClaim.Status.FAILED
        raise TransientMailError(str(error)) from error
    ours.update(status=DigestClaim.Status.SENT, sent_at=timezone.now())
    return DigestClaim.Status.SENT


# Reviews ---------------------------------------------------------------------------


def review_create(*, plan, first: date, last: date, meets_on: date, attendees: str) -> Review:
    """Open a plan's review of one period; refused clearly if the period has one already."""
    try:
        with transaction.atomic():
            return Review.objects.create(
                plan=plan,
                period_start=first,
                period_end=last,
                meets_on=meets_on,
                attendees=attendees,
                known_risks=list(
                    Risk.objects.filter(outcome__plan=plan).values_list("pk", flat=True)
                ),
            )
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
    signed = Review.objects.filter(pk=review.pk, signed_off_at__isnull=True).update(
        signed_off_at=timezone.now(), signed_off_by=membership.user
    )
    if not signed:
        raise PermissionDenied("This review has been signed off already.")


def reading_correct(*, reading, review: Review, user, reason: str, **values) -> Correction:
    """Change a reading of a closed period and record who did it and why, together."""
    before = f"{reading.value.normalize():f}"
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
                f"{before} → {reading.value.normalize():f}"
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
    found = link_token_pk(token, salt=PEER_SALT)
    if found is None:
        return None
    pk, stamp = found
    reviewer = PeerReviewer.objects.select_related("plan__partnership").filter(pk=pk).first()
    if reviewer is None or reviewer.expires_at.timestamp() != stamp:
        return None  # an earlier email's link: the invitation has been sent again since
    return reviewer


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
    with transaction.atomic():
        if User.objects.filter(email__iexact=reviewer.email).exists():
            raise ValidationError(
                "An account with this address already exists. Sign in to accept the invitation."
            )
        try:
            with transaction.atomic():
                user = User.objects.create_user(reviewer.email, password, full_name=full_name)
        except IntegrityError:
            raise ValidationError(
                "An account with this address already exists. Sign in to accept the invitation."
            ) from None
        return peer_reviewer_accept(reviewer=reviewer, user=user)


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
