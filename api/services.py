from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from api.models import PREFIX, AccessToken, digest_of
from improveplan import security
from improveplan.models import Partnership, SecurityEvent, User


def token_create(
    *, user: User, partnership: Partnership, name: str, scope: str, days: int, request=None
) -> tuple[AccessToken, str]:
    """A new token and its secret, which is not kept: the caller shows it once."""
    raw = AccessToken.new_secret()
    token = AccessToken.objects.create(
        user=user,
        partnership=partnership,
        name=name,
        scope=scope,
        prefix=raw[: len(PREFIX) + 6],
        digest=digest_of(raw),
        expires_at=timezone.now() + timedelta(days=days),
    )
    security.record(
        SecurityEvent.Kind.TOKEN,
        request=request,
        user=user,
        partnership_id=partnership.pk,
        detail=f"API token {token.prefix}… made: {token.get_scope_display()}, {days} days.",
    )
    return token, raw


def token_revoke(*, token: AccessToken, request=None) -> bool:
    """Revoke a live token; False if it was revoked already."""
    revoked = AccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        security.record(
            SecurityEvent.Kind.TOKEN,
            request=request,
            user=token.user,
            partnership_id=token.partnership_id,
            detail=f"API token {token.prefix}… revoked.",
        )
    return bool(revoked)
