from __future__ import annotations

import gzip
import secrets
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers

from improveplan.deep_stack import on_a_deep_stack

SIGNED_IN_AT = "improveplan.signed_in_at"
SEEN_AT = "improveplan.seen_at"
# Writing the session on every request costs a database write; a minute's precision is plenty.
SEEN_AT_PRECISION = 60


class DeepStackMiddleware:
    """Each request handled from one large frame (improveplan/deep_stack.py): above it,
    Django's middleware, the view and its templates go up and down across the borders of
    Python 3.11's frame stack, which mapped and unmapped memory at each crossing."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return on_a_deep_stack(self.get_response, request)


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


class FormEncodingMiddleware:
    """Answer a form whose declared charset is not UTF-8 with the site's 400 page, before
    anything reads it. Django refuses such a form when it is read, but its error pages read the
    form again for their CSRF check, so the refusal escaped as the server's bare 500."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        charset = request.content_params.get("charset", "utf-8").lower().replace("_", "-")
        if (
            request.method == "POST"
            and request.content_type == "application/x-www-form-urlencoded"
            and charset not in ("utf-8", "utf8")
        ):
            return render(
                request,
                "400.html",
                {"problem": "The form was sent in an encoding this site does not read (UTF-8)."},
                status=400,
            )
        return self.get_response(request)


class PrivateResponsesMiddleware:
    """Partnership data stays out of shared caches and browsers' disk caches: every page and
    download is sent ``Cache-Control: private, no-store`` (WhiteNoise answers the public
    static files before this runs, with their own long-lived headers). A published plan's
    public page, which anyone may read, says so with ``response.public_page`` and keeps its own
    (public/views.py)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(response, "public_page", False):
            patch_cache_control(response, private=True, no_store=True)
        return response


class CompressedPagesMiddleware(GZipMiddleware):
    """Pages and other text compressed with gzip for browsers that accept it: the largest
    plan's dashboard is 570 kB of HTML (two hundred sparklines) and 21 kB compressed. Level 3,
    not Django's 6: a third of the processor time for a fifth more bytes (bench/notes.md).
    Files that are compressed already (PDFs, workbooks, images) are sent as they are. Against
    the BREACH attack, each response carries up to 100 random bytes in its gzip header, as
    Django's own does, and the CSRF token is masked anew on every page."""

    COMPRESSED_TYPES = ("text/", "application/json", "image/svg+xml")
    LEVEL = 3

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith(self.COMPRESSED_TYPES):
            return response
        if response.streaming or response.has_header("Content-Encoding"):
            return super().process_response(request, response)
        if len(response.content) < 200:
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if "gzip" not in request.META.get("HTTP_ACCEPT_ENCODING", ""):
            return response
        compressed = memoryview(gzip.compress(response.content, compresslevel=self.LEVEL, mtime=0))
        header = bytearray(compressed[:10])
        header[3] = gzip.FNAME  # a file name of random length, then the data
        name = secrets.token_hex(1 + secrets.randbelow(self.max_random_bytes // 2)).encode()
        content = bytes(header) + name + b"\x00" + compressed[10:]
        if len(content) >= len(response.content):
            return response
        response.content = content
        response.headers["Content-Length"] = str(len(response.content))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response
