"""Writes to the partnership core that touch more than one row or send email."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from improveplan import notifications, security
from improveplan.models import (
    Invitation,
    Membership,
    Organisation,
    Partnership,
    Plan,
    Role,
    SecurityEvent,
    User,
)
from improveplan.tasks import send_invitation_email

INVITATION_SALT = "improveplan.invitation"
ACCOUNT_EXISTS = "An account with this address already exists. Sign in to accept the invitation."

T = TypeVar("T")


# Invitations ---------------------------------------------------------------


def link_token(pk: int, expires_at, *, salt: str) -> str:
    """The secret part of an emailed link: signed, so only we can make one, and bound to the
    expiry the email gave, so sending the link again (a new expiry) ends the earlier one."""
    return signing.dumps([pk, expires_at.timestamp()], salt=salt)


def link_token_pk(token: str, *, salt: str) -> tuple[int, float] | None:
    """The (id, expiry) a link token was made for, or None for one we did not sign."""
    try:
        pk, stamp = signing.loads(token, salt=salt)
        return int(pk), float(stamp)
    except (signing.BadSignature, TypeError, ValueError):
        return None


def linked(rows: QuerySet[T], token: str, *, salt: str) -> T | None:
    """The row of ``rows`` an emailed link names (an invitation to a partnership, a peer
    reviewer's), or None for a link we did not sign or an earlier email's link: the row has
    been sent again since, with a new expiry."""
    found = link_token_pk(token, salt=salt)
    if found is None:
        return None
    pk, stamp = found
    row = rows.filter(pk=pk).first()
    if row is None or row.expires_at.timestamp() != stamp:
        return None
    return row


def accept_as_new_user(
    *, email: str, full_name: str, password: str, accept: Callable[[User], T]
) -> T:
    """Create the account of the person an emailed link was sent to and take up the link
    (``accept``) together, or neither."""
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(ACCOUNT_EXISTS)
        try:
            with transaction.atomic():
                user = User.objects.create_user(email, password, full_name=full_name)
        except IntegrityError:
            # The same address in another letter case, as the database compares them.
            raise ValidationError(ACCOUNT_EXISTS) from None
        return accept(user)


def invitation_token(invitation: Invitation) -> str:
    return link_token(invitation.pk, invitation.expires_at, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation | None:
    rows = Invitation.objects.select_related("partnership", "organisation")
    return linked(rows, token, salt=INVITATION_SALT)


def invitation_create(
    *,
    partnership: Partnership,
    organisation: Organisation,
    email: str,
    role: str,
    invited_by: User,
) -> Invitation:
    """Invite a person into one of the partnership's organisations, and email them the link."""
    email = email.strip().lower()
    if organisation.partnership_id != partnership.pk:
        raise ValidationError({"organisation": "Choose one of this partnership's organisations."})
    if Membership.objects.filter(partnership=partnership, user__email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a member of this partnership."})

    now = timezone.now()
    with transaction.atomic():
        # An expired invitation, or one whose email failed, no longer blocks a new one.
        Invitation.objects.pending().filter(
            Q(expires_at__lte=now) | Q(send_failed_at__isnull=False),
            partnership=partnership,
            email__iexact=email,
        ).update(cancelled_at=now)
        if (
            Invitation.objects.pending()
            .filter(partnership=partnership, email__iexact=email)
            .exists()
        ):
            raise ValidationError(
                {"email": f"{email} has already been invited. Resend or cancel that invitation."}
            )
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    partnership=partnership,
                    organisation=organisation,
                    email=email,
                    role=role,
                    invited_by=invited_by,
                    expires_at=Invitation.expiry_from(now),
                )
        except IntegrityError:
            # Two leads pressed the button at once; the other one won.
            raise ValidationError({"email": f"{email} has already been invited."}) from None
        transaction.on_commit(lambda: send_invitation_email.delay(invitation.pk))
    return invitation


def invitation_resend(*, invitation: Invitation) -> Invitation:
    """Give a pending invitation a fresh expiry date and email a new link; the earlier link
    stops working."""
    if invitation.accepted_at or invitation.cancelled_at:
        raise ValidationError("This invitation has already been used or cancelled.")
    invitation.expires_at = Invitation.expiry_from(timezone.now())
    invitation.send_failed_at = None
    invitation.save(update_fields=["expires_at", "send_failed_at"])
    transaction.on_commit(lambda: send_invitation_email.delay(invitation.pk))
    return invitation


def invitation_cancel(*, invitation: Invitation) -> None:
    Invitation.objects.pending().filter(pk=invitation.pk).update(cancelled_at=timezone.now())


def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Turn an invitation into a membership. A link works once, and only until it expires."""
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(f"This invitation was sent to {invitation.email}.")
    now = timezone.now()
    with transaction.atomic():
        # Claim the invitation: exactly one request can change this row.
        claimed = (
            Invitation.objects.pending()
            .filter(pk=invitation.pk, expires_at__gt=now)
            .update(accepted_at=now, accepted_by=user)
        )
        if claimed != 1:
            raise ValidationError("This invitation link has expired or has already been used.")
        if Membership.objects.filter(user=user, partnership_id=invitation.partnership_id).exists():
            raise ValidationError(f"You are already a member of {invitation.partnership}.")
        membership = Membership.objects.create(
            user=user,
            partnership_id=invitation.partnership_id,
            organisation_id=invitation.organisation_id,
            role=invitation.role,
        )
        security.record(
            SecurityEvent.Kind.MEMBER_JOINED,
            user=user,
            partnership_id=invitation.partnership_id,
            detail=f"Joined as {membership.get_role_display()} through invitation {invitation.pk}",
        )
        return membership


def invitation_accept_as_new_user(
    *, invitation: Invitation, full_name: str, password: str
) -> Membership:
    """Create the invited person's account and membership together, or neither."""
    return accept_as_new_user(
        email=invitation.email,
        full_name=full_name,
        password=password,
        accept=lambda user: invitation_accept(invitation=invitation, user=user),
    )


# Memberships ---------------------------------------------------------------


def _lock_leads(partnership_id: int) -> int:
    """Lock the partnership's row and count its leads, so two changes can't both remove one."""
    Partnership.objects.select_for_update().filter(pk=partnership_id).first()
    return Membership.objects.filter(partnership_id=partnership_id, role=Role.LEAD).count()


def membership_change(
    *, membership: Membership, role: str, organisation: Organisation, by: User
) -> Membership:
    """Change a member's role or organisation. A partnership always keeps one lead."""
    if organisation.partnership_id != membership.partnership_id:
        raise ValidationError({"organisation": "Choose one of this partnership's organisations."})
    with transaction.atomic():
        leads = _lock_leads(membership.partnership_id)
        current = Membership.objects.get(pk=membership.pk)
        if current.role == Role.LEAD and role != Role.LEAD and leads <= 1:
            raise ValidationError(
                {
                    "role": f"{current.user} is the partnership's only lead. "
                    "Make someone else a lead first."
                }
            )
        membership.role = role
        membership.organisation = organisation
        membership.save(update_fields=["role", "organisation"])
        if (current.role, current.organisation_id) != (role, organisation.pk):
            security.record(
                SecurityEvent.Kind.ROLE_CHANGED,
                user=by,
                partnership_id=membership.partnership_id,
                detail=f"{current.user.email}: {current.get_role_display()} for "
                f"{current.organisation} → {membership.get_role_display()} for {organisation}",
            )
    return membership


def membership_remove(*, membership: Membership, by: User) -> None:
    with transaction.atomic():
        leads = _lock_leads(membership.partnership_id)
        current = Membership.objects.filter(pk=membership.pk).first()
        if current is None:
            return
        if current.role == Role.LEAD and leads <= 1:
            raise ValidationError(
                f"{current.user} is the partnership's only lead and cannot be removed. "
                "Make someone else a lead first."
            )
        current.delete()
        notifications.forget_partnership(
            user_id=current.user_id, partnership_id=current.partnership_id
        )
        security.record(
            SecurityEvent.Kind.MEMBER_REMOVED,
            user=by,
            partnership_id=current.partnership_id,
            detail=f"{current.user.email} ({current.get_role_display()}) removed",
        )


# Plans: agreeing, archiving, reopening ----------------------------------------------


def plan_archive(*, plan: Plan) -> None:
    """Archived plans are read only: improveplan/access.py refuses every change to them."""
    plan.status = Plan.Status.ARCHIVED
    plan.save(update_fields=["status", "updated_at"])


def plan_reopen(*, plan: Plan) -> None:
    """Back from the archive: agreed if it ever was (its versions say so), else a draft."""
    plan.status = Plan.Status.AGREED if plan.versions.exists() else Plan.Status.DRAFT
    plan.save(update_fields=["status", "updated_at"])
