from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

SIGNED_IN_AT = "improveplan.signed_in_at"
SEEN_AT = "improveplan.seen_at"
# Writing the session on every request costs a database write; a minute's precision is plenty.
SEEN_AT_PRECISION = 60


class SessionTimeoutMiddleware:
    """End a session after SESSION_IDLE_TIMEOUT without a request, or SESSION_ABSOLUTE_TIMEOUT
    after signing in, whichever comes first."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            signed_in_at = request.session.setdefault(SIGNED_IN_AT, now)
            seen_at = request.session.get(SEEN_AT, now)
            idle = now - seen_at > settings.SESSION_IDLE_TIMEOUT
            too_old = now - signed_in_at > settings.SESSION_ABSOLUTE_TIMEOUT
            if idle or too_old:
                logout(request)
                messages.info(
                    request,
                    "You were signed out after a while without activity. Sign in again."
                    if idle
                    else "For safety, sessions last at most "
                    f"{settings.SESSION_ABSOLUTE_TIMEOUT // 3600} hours. Sign in again.",
                )
                return redirect_to_login(request.get_full_path())
            if now - seen_at >= SEEN_AT_PRECISION or SEEN_AT not in request.session:
                request.session[SEEN_AT] = now
        return self.get_response(request)
