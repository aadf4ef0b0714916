"""Signing in through one's organisation with OpenID Connect (mozilla-django-oidc).

A person is matched to their ImprovePlan account by an email address that their organisation
says it has verified, never by name, and never by an address it has not verified. No account
is made here: an invitation makes it, as for everyone else. The provider is named by the
OIDC_* settings (docs/admin/configuration.md); without them single sign-on is off and its
addresses answer 404.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from improveplan import security
from improveplan.models import SecurityEvent, User

# Microsoft Entra ID says an address is verified in its optional claim xms_edov.
VERIFIED_CLAIMS = ("email_verified", "xms_edov")


def verified_email(claims: dict) -> str:
    """The address the provider vouches for, in lower case; "" when it does not vouch."""
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip():
        return ""
    if not any(claims.get(name) in (True, "true") for name in VERIFIED_CLAIMS):
        return ""
    return email.strip().lower()


class SignInThroughOrganisation(OIDCAuthenticationBackend):
    def filter_users_by_claims(self, claims: dict):
        email = verified_email(claims)
        if not email:
            return User.objects.none()
        return User.objects.filter(email__iexact=email, is_active=True)

    def verify_claims(self, claims: dict) -> bool:
        return bool(verified_email(claims))

    def get_or_create_user(self, access_token, id_token, payload):
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is None:
            security.record(
                SecurityEvent.Kind.SIGN_IN_FAILED,
                request=self.request,
                detail="Single sign-on: no account with that verified address.",
            )
        return user

    def update_user(self, user, claims):
        return user  # the account's name is the person's own; the provider's is not copied


class SignInPage(LoginView):
    """The sign-in page, with a button to sign in through one's organisation when it is set up."""

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(
            sso_enabled=settings.OIDC_ENABLED, sso_name=settings.OIDC_PROVIDER_NAME, **kwargs
        )


def _enabled() -> None:
    if not settings.OIDC_ENABLED:
        raise Http404("Single sign-on is not set up on this site.")


class Start(OIDCAuthenticationRequestView):
    def get(self, request):
        _enabled()
        return super().get(request)


class Return(OIDCAuthenticationCallbackView):
    def get(self, request):
        _enabled()
        return super().get(request)

    def login_failure(self):
        messages.error(
            self.request,
            f"You could not be signed in through {settings.OIDC_PROVIDER_NAME}. Your "
            "organisation must confirm your email address, and it must be the address of an "
            "ImprovePlan account: ask your partnership's lead for an invitation, or sign in "
            "with your password.",
        )
        return HttpResponseRedirect(reverse("login"))
