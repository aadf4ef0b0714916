from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from improveplan.models import Invitation


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
    subject = render_to_string("improveplan/emails/invitation_subject.txt", context).strip()
    body = render_to_string("improveplan/emails/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])
    return True
