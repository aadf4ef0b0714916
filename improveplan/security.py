"""The security log: one function to write it, and the sign-in signals that feed it."""

from __future__ import annotations

from datetime import timedelta

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models import F
from django.dispatch import receiver
from django.http import HttpRequest

from improveplan.models import SecurityEvent

# A member can be refused as often as they like (one reload, one row): repeats by one person
# within the window are counted on one row per kind, address and page, and past
# PAGES_PER_WINDOW pages on one more row, so the log grows with people, not with requests.
REPEATED = {
    SecurityEvent.Kind.ACCESS_REFUSED,
    SecurityEvent.Kind.SIGN_IN_FAILED,
    SecurityEvent.Kind.LOCKED_OUT,
}
REPEAT_WINDOW = timedelta(hours=1)
PAGES_PER_WINDOW = 20
OTHER_PAGES = "(other pages)"


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
    event = SecurityEvent(
        kind=kind,
        user=user if user is not None and user.pk else None,
        email=(email or getattr(user, "email", "") or "")[:254],
        partnership_id=partnership_id,
        ip_address=(request.META.get("REMOTE_ADDR") or None) if request else None,
        path=request.get_full_path()[:500] if request else "",
        detail=detail[: SecurityEvent._meta.get_field("detail").max_length],
    )
    if kind in REPEATED and (repeated := _count_repeat(event)) is not None:
        return repeated
    event.save()
    return event


def _count_repeat(event: SecurityEvent) -> SecurityEvent | None:
    """The row this refusal is counted on, if the same person was refused in the window."""
    now = event.at
    person = (
        {"user": event.user}
        if event.user
        else {"user__isnull": True, "ip_address": event.ip_address}
    )
    recent = SecurityEvent.objects.filter(kind=event.kind, at__gt=now - REPEAT_WINDOW, **person)
    same = recent.filter(email=event.email, path=event.path).order_by("-at").first()
    if same is None:
        if recent.exclude(path=OTHER_PAGES).count() < PAGES_PER_WINDOW:
            return None
        same = recent.filter(path=OTHER_PAGES).order_by("-at").first()
        if same is None:
            event.path = OTHER_PAGES
            event.detail = f"More refusals on further pages; the first was: {event.detail}"
            return None
    SecurityEvent.objects.filter(pk=same.pk).update(count=F("count") + 1, last_at=now)
    same.refresh_from_db(fields=["count", "last_at"])
    return same


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
