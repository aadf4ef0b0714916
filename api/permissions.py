from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.models import AccessToken


class MemberWithToken(BasePermission):
    """Signed in (a token or a session); a read-only token reads only. What the person may
    see and change inside the partnership is decided by the views, as on the pages."""

    message = "This token may only read: make a read-write token to change anything."

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        token = request.auth
        if request.method in SAFE_METHODS or not isinstance(token, AccessToken):
            return True
        return token.writes
