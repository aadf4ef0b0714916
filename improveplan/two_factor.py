"""Two-factor sign-in with an authenticator app (TOTP, django-otp), and recovery codes.

Whoever has set up an app is asked for its code after every sign-in, by password or through
their organisation. A partnership's lead may require it of every member: a member without an
app is then sent to set one up after signing in. What a session still owes is decided once,
when the person signs in (``_signed_in``), and kept in the session, so that other pages cost
no query; a requirement a lead turns on applies from each member's next sign-in.

Recovery codes (django-otp's static tokens) each work once, in place of the app's code.
"""

from __future__ import annotations

import base64
import io
from urllib.parse import quote

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from improveplan import security
from improveplan.access import get_partnership_for_user
from improveplan.models import Partnership, SecurityEvent

OWED = "improveplan.two_factor"  # session key: "verify", "set_up" or absent
NEW_CODES = "improveplan.two_factor_new_codes"
RECOVERY_CODES = 10
APP_NAME = "Authenticator app"
# What a session that still owes its second factor may open.
OPEN_WHILE_OWED = {"two_factor_verify", "two_factor_set_up", "logout", "healthz"}


def has_app(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def required_for(user) -> list[Partnership]:
    """The partnerships of the person that require a second factor."""
    return list(Partnership.objects.filter(memberships__user=user, require_two_factor=True))


def owed_at_sign_in(user) -> str | None:
    """What a person signing in now owes before any other page: a code from their app
    ("verify"), an app set up for a partnership that requires one ("set_up"), or nothing."""
    if has_app(user):
        return "verify"
    if required_for(user):
        return "set_up"
    return None


@receiver(user_logged_in, dispatch_uid="two_factor_owed_at_sign_in")
def _signed_in(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    owed = owed_at_sign_in(user)
    if owed:
        request.session[OWED] = owed
    else:
        request.session.pop(OWED, None)


class TwoFactorMiddleware:
    """Sends a session that still owes its second factor to give it (or set one up) before
    any other page."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        owed = request.user.is_authenticated and request.session.get(OWED)
        if owed and not request.user.is_verified():
            try:
                name = resolve(request.path_info).url_name
            except Resolver404:
                name = None
            if name not in OPEN_WHILE_OWED:
                target = "two_factor_verify" if owed == "verify" else "two_factor_set_up"
                nxt = request.get_full_path() if request.method == "GET" else ""
                return redirect(f"{reverse(target)}?next={quote(nxt)}" if nxt else target)
        return self.get_response(request)


def _next(request: HttpRequest) -> str:
    candidate = request.GET.get("next", "")
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("improveplan:home")


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6 digits your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()


def qr_svg(text: str) -> str:
    """A QR code of the text as an SVG image (no script, no style: our CSP allows it inline)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg") :]


def _new_codes(user) -> list[str]:
    """Replace the person's recovery codes with new ones, returned to be shown once."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="Recovery codes", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _show_codes_once(request: HttpRequest, codes: list[str]) -> None:
    request.session[NEW_CODES] = codes


@login_required
@require_http_methods(["GET", "HEAD"])
def overview(request: HttpRequest) -> HttpResponse:
    """The person's two-factor page: set up, recovery codes shown once, turn off."""
    user = request.user
    return render(
        request,
        "registration/two_factor.html",
        {
            "has_app": has_app(user),
            "required_by": required_for(user),
            "codes": request.session.pop(NEW_CODES, None),
            "codes_left": StaticToken.objects.filter(device__user=user).count(),
            "form": CodeForm(),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def set_up(request: HttpRequest) -> HttpResponse:
    """The key for a new app (kept on an unconfirmed device until a code from the app
    confirms it; django-otp throttles wrong codes), then the recovery codes, shown once."""
    user = request.user
    if has_app(user):
        messages.info(request, "Your authenticator app is already set up.")
        return redirect("two_factor")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
                codes = _new_codes(user)
            device.confirmed = True
            otp_login(request, device)
            request.session.pop(OWED, None)
            _show_codes_once(request, codes)
            security.record(
                SecurityEvent.Kind.TWO_FACTOR, request=request, detail="Authenticator app set up."
            )
            messages.success(
                request,
                "Your authenticator app is set up: from now on you will be asked for its code "
                "each time you sign in. Keep your recovery codes somewhere safe.",
            )
            return redirect("two_factor")
        form.add_error("code", "That code is not the one your app shows now. Try the next one.")
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/two_factor_set_up.html",
        {
            "form": form,
            "qr": qr_svg(device.config_url),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "required_by": required_for(user),
            "owed": request.session.get(OWED) == "set_up",
        },
        status=422 if form.is_bound else 200,
    )


def check_code(user, code: str):
    """The device the code is good for (the app, or a recovery code, which is used up)."""
    for device in (
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ):
        if device.verify_token(code):
            return device
    return None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """After signing in: the code from the app, or a recovery code."""
    if request.user.is_verified() or request.session.get(OWED) != "verify":
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = check_code(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            request.session.pop(OWED, None)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    f"You used a recovery code; {left} left. Make new ones on your "
                    "two-factor page if you are running out.",
                )
            return redirect(_next(request))
        security.record(
            SecurityEvent.Kind.SIGN_IN_FAILED,
            request=request,
            detail="Wrong code from the authenticator app or recovery codes.",
        )
        form.add_error(
            "code",
            "That code did not work. Wait for the next one, or use a recovery code. After "
            "several wrong codes, each try must wait a little longer.",
        )
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form},
        status=200 if not form.is_bound else 422,
    )


@login_required
@require_POST
def new_codes(request: HttpRequest) -> HttpResponse:
    if not has_app(request.user):
        messages.error(request, "Set up an authenticator app first.")
        return redirect("two_factor")
    _show_codes_once(request, _new_codes(request.user))
    messages.success(request, "Here are your new recovery codes; the old ones no longer work.")
    return redirect("two_factor")


@login_required
@require_POST
def turn_off(request: HttpRequest) -> HttpResponse:
    """Removing the app asks for a code from it first, and is refused while a partnership of
    the person requires it."""
    user = request.user
    required_by = required_for(user)
    form = CodeForm(request.POST)
    if required_by:
        names = ", ".join(p.name for p in required_by)
        messages.error(request, f"{names} requires two-factor sign-in, so it stays on.")
    elif not form.is_valid() or check_code(user, form.cleaned_data["code"]) is None:
        messages.error(request, "That code did not work, so two-factor sign-in is still on.")
    else:
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user).delete()
            StaticDevice.objects.filter(user=user).delete()
        request.session.pop(OWED, None)
        security.record(
            SecurityEvent.Kind.TWO_FACTOR, request=request, detail="Authenticator app removed."
        )
        messages.success(request, "Two-factor sign-in is off.")
    return redirect("two_factor")


class RequirementForm(forms.Form):
    require_two_factor = forms.BooleanField(
        label="Members must sign in with an authenticator app", required=False
    )


@login_required
@require_POST
def partnership_requirement(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead requires (or stops requiring) two-factor sign-in of the partnership's members."""
    partnership = get_partnership_for_user(request, pk, manage=True)
    form = RequirementForm(request.POST)
    form.is_valid()  # a checkbox: anything but on is off
    required = form.cleaned_data.get("require_two_factor", False)
    Partnership.objects.filter(pk=partnership.pk).update(require_two_factor=required)
    security.record(
        SecurityEvent.Kind.TWO_FACTOR,
        request=request,
        partnership_id=partnership.pk,
        detail=f"Two-factor sign-in {'required' if required else 'no longer required'}.",
    )
    messages.success(
        request,
        "Members must now sign in with an authenticator app; each is asked to set one up at "
        "their next sign-in."
        if required
        else "Members may now sign in without an authenticator app.",
    )
    return redirect(partnership)
