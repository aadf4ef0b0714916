"""A form sent twice saves once.

Every form that adds something carries a one-time token (``{% once_field %}``, a hidden
field). ``save_once`` claims the token in the same transaction as the save, as a unique row:
the same form sent again, at once (a double click, eight requests racing) or later (Back,
then save again), finds the token taken and saves nothing. A unique constraint that a save
trips (the same criterion added from two tabs at the same moment) is caught inside a
savepoint and counts as the same thing. Either way the view answers with ``already_saved``:
a page that says so, never a 500.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from improveplan.models import SentForm

FIELD = "form_token"
_TOKEN = re.compile(r"[0-9a-f]{32}")
# How long a claimed token is kept. A page left open longer than this and sent again saves
# again; no session lasts that long, so it would first ask to sign in.
KEPT_FOR = timedelta(days=30)

T = TypeVar("T")


class AlreadySaved(Exception):
    """What this form sends was saved already: by this form before, or just now by another."""


def new_token() -> str:
    return uuid.uuid4().hex


def sent_before(request: HttpRequest) -> bool:
    """Whether this form's token was claimed already. Asked when the form's fields fail their
    checks: they may fail only because the first sending has just saved the same thing."""
    token = request.POST.get(FIELD, "")
    return bool(_TOKEN.fullmatch(token)) and SentForm.objects.filter(token=token).exists()


def save_once(request: HttpRequest, save: Callable[[], T], *, claim: bool = True) -> T:
    """Run ``save`` with the form's token claimed in the same transaction; raise AlreadySaved
    when the token was claimed before or the save breaks a unique constraint. A request
    without a token (a script, an old page) is saved as before, duplicates still caught by
    the constraints. ``claim=False`` for edits, which are the same when sent twice: only the
    constraints are caught."""
    token = request.POST.get(FIELD, "")
    try:
        with transaction.atomic():
            if claim and _TOKEN.fullmatch(token):
                user = request.user if request.user.is_authenticated else None
                # A second request with this token waits here until the first commits.
                SentForm.objects.create(token=token, user=user, path=request.path[:300])
            return save()
    except IntegrityError as error:
        raise AlreadySaved from error


def already_saved(
    request: HttpRequest, *, noun: str, back_to: str, where: str = ""
) -> HttpResponse:
    """The answer to a form sent twice: nothing was added twice, and where to find it."""
    return render(
        request,
        "improveplan/already_saved.html",
        {"noun": noun, "back_to": back_to, "where": where or "Go back"},
        status=409,
    )


def prune(*, now: datetime) -> int:
    """Remove the tokens claimed more than KEPT_FOR ago (Celery beat runs this every night),
    so that the table holds a month of forms, not every form ever sent. Returns how many."""
    deleted, _ = SentForm.objects.filter(sent_at__lt=now - KEPT_FOR).delete()
    return deleted
