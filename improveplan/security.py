"""The security log: one function to write it, and the sign-in signals that feed it."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from improveplan.models import SecurityEvent


def record(
    kind: str,
    *,
    request: HttpRequest | None = None,
    user=None,
    email: str = "",
    partnership_id: int | None = None,
    detail: str = "",
) -> SecurityEvent:
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user
    return SecurityEvent.objects.create(
        kind=kind,
        user=user if user is not None and user.pk else None,
        email=(email or getattr(user, "email", "") or "")[:254],
        partnership_id=partnership_id,
        ip_address=(request.META.get("REMOTE_ADDR") or None) if request else None,
        path=request.get_full_path()[:500] if request else "",
        detail=detail[: SecurityEvent._meta.get_field("detail").max_length],
    )


def sign_in_address(request: HttpRequest, credentials: dict | None) -> str:
    """The address a sign-in attempt is for, as django-axes counts it: LEAD@x and lead@x
    are one account, so trying other cases must not buy more guesses."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(raw).strip().lower()


@receiver(user_logged_in, dispatch_uid="security_log_sign_in")
def _signed_in(sender, request, user, **kwargs) -> None:
    record(SecurityEvent.Kind.SIGN_IN, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="security_log_sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    record(
        SecurityEvent.Kind.SIGN_IN_FAILED,
        request=request,
        email=str(credentials.get("username", "")),
    )


@receiver(user_locked_out, dispatch_uid="security_log_locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs) -> None:
    record(SecurityEvent.Kind.LOCKED_OUT, request=request, email=str(username or ""))
