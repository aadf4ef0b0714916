"""When a session has ended, the way back to signing in keeps the person's place.

Django sends a request without a session to the sign-in page with ``next`` set to the
request's own address. For a form that was being sent, that address often answers POST only
(``/actions/7/updates/new/``): signing in again led to a 405 page. And htmx, following the
redirect, drew the whole sign-in page inside the card of My actions. So:

- a form sent by htmx gets a short 401 answer, shown in place by static/improveplan/forms.js,
  with a sign-in link back to the page the person was on (what they typed is kept in the
  browser's session storage until saved);
- any other request that is not a GET comes back, after signing in, to the page the form was
  on (its Referer, on this site; else the home page), never to the address the form was
  sent to.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


class SignInAgainMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 302 or request.user.is_authenticated:
            return response
        sign_in = resolve_url(settings.LOGIN_URL)
        location = urlsplit(response.get("Location", ""))
        # Only the bounce of a page that needs a session carries ``next``; signing out does not.
        if location.path != sign_in or "next" not in parse_qs(location.query):
            return response
        htmx = request.headers.get("HX-Request") == "true"
        if htmx:
            page = _on_this_site(request, request.headers.get("HX-Current-URL", ""))
        elif request.method in ("GET", "HEAD"):
            return response
        else:
            page = _on_this_site(request, request.headers.get("Referer", ""))
        # Without a page to return to (no Referer), the home page: never the form's address.
        link = f"{sign_in}?{urlencode({'next': page or resolve_url(settings.LOGIN_REDIRECT_URL)})}"
        if htmx:
            return render(
                request, "registration/_session_ended.html", {"sign_in": link}, status=401
            )
        response["Location"] = link
        return response


def _on_this_site(request, url: str) -> str:
    """The path and query of ``url`` when it is a page of this site, else ""."""
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    parts = urlsplit(url)
    path = parts.path or "/"
    if path == resolve_url(settings.LOGIN_URL):
        return ""
    return f"{path}?{parts.query}" if parts.query else path
