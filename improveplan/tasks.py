from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from improveplan import once
from improveplan.models import Invitation
from improveplan.text import email_subject

logger = logging.getLogger(__name__)


@shared_task
def send_invitation_email(invitation_id: int) -> bool:
    """Email the invitation link. Sends nothing for an invitation no longer pending."""
    invitation = (
        Invitation.objects.pending()
        .select_related("partnership", "organisation", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.is_expired:
        return False
    from improveplan.services import invitation_token

    context = {
        "invitation": invitation,
        "link": settings.SITE_URL
        + reverse("improveplan:invitation_accept", args=[invitation_token(invitation)]),
        "site_name": settings.SITE_NAME,
    }
    subject = render_to_string("improveplan/emails/invitation_subject.txt", context)
    body = render_to_string("improveplan/emails/invitation.txt", context)
    return sent_or_marked(
        Invitation.objects.filter(pk=invitation.pk),
        email_subject(subject),
        body,
        invitation.email,
    )


def sent_or_marked(rows, subject: str, body: str, to: str) -> bool:
    """Send one invitation's email; if it fails, for whatever reason, mark the invitation's
    row (``send_failed_at``) so that the page says so and it can be sent again, rather than
    leaving an invitation that looks sent and blocks a new one."""
    try:
        send_mail(subject, body, None, [to])
    except Exception:
        logger.exception("The invitation email to %s could not be sent.", to)
        rows.update(send_failed_at=timezone.now())
        return False
    rows.exclude(send_failed_at=None).update(send_failed_at=None)
    return True


@shared_task
def prune_sent_forms() -> int:
    """Forget the one-time tokens of forms sent more than a month ago (improveplan/once.py)."""
    return once.prune(now=timezone.now())
