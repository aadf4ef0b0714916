"""Who an API request is from: a personal access token (``Authorization: Bearer ipat_…``)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from api.models import AccessToken, digest_of
from improveplan.access import membership_of

# Writing the time of last use on every request costs a write; a minute's precision is plenty.
LAST_USED_PRECISION = timedelta(minutes=1)


class AccessTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Send the token as: Authorization: Bearer <token>.")
        raw = parts[1].decode("latin-1")
        token = (
            AccessToken.objects.select_related("user", "partnership")
            .filter(digest=digest_of(raw))
            .first()
        )
        now = timezone.now()
        if token is None or token.revoked_at is not None:
            raise AuthenticationFailed("This token is not known, or it has been revoked.")
        if token.expires_at <= now:
            raise AuthenticationFailed(
                f"This token expired on {timezone.localtime(token.expires_at):%-d %B %Y}. "
                "Make a new one on your API tokens page."
            )
        if not token.user.is_active:
            raise AuthenticationFailed("This token's account is closed.")
        membership = membership_of(token.user, token.partnership_id)
        if membership is None:
            raise AuthenticationFailed(
                "This token's person is no longer a member of its partnership."
            )
        token.membership = membership
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="ImprovePlan API"'


class AccessTokenScheme(OpenApiAuthenticationExtension):
    """How the schema names the token: an HTTP bearer token."""

    target_class = "api.authentication.AccessTokenAuthentication"
    name = "accessToken"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token, made on your API tokens page.",
        }
