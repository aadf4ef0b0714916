"""Rendered reports are kept as files and served again while the plan's data stays the same.

A report's file name carries a fingerprint: a hash over every row of the plan (and of what
the report prints from the partnership: its name, organisations and people's names), the
kind, the quarter and the day it is prepared (statuses are as they stand that day). Any
change to what a report could show gives a new fingerprint, so a kept file is never stale
and nothing needs invalidating. The rows are found through the partnership export's map
of models (improveplan.portability), so a model added later is covered without a change here.

Files live in the default storage under ``reports/<plan id>/``: on one machine that is
MEDIA_ROOT; past one machine, the object storage every web and worker host shares.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from improveplan import portability
from improveplan.models import Organisation, Partnership, Plan

FOLDER = "reports"
TEMPLATES = Path(settings.BASE_DIR) / "templates" / "reviews"
STYLESHEET = Path(settings.BASE_DIR) / "static" / "reviews" / "print.css"


def _plan_rows(plan: Plan):
    """Every row a report of the plan may print, as tuples, in a fixed order."""
    yield Partnership.objects.filter(pk=plan.partnership_id).values_list()
    yield (
        Organisation.objects.filter(partnership_id=plan.partnership_id).order_by("pk").values_list()
    )
    # People's names, as action owners appear in the board report and the delivery plan.
    people = get_user_model().objects.filter(memberships__partnership_id=plan.partnership_id)
    yield people.order_by("pk").values_list("pk", "full_name", "email")
    for model in portability.partnership_models():
        lookup = portability.partnership_lookup(model)
        if model is Plan:
            rows = model._base_manager.filter(pk=plan.pk)
        elif lookup.endswith("plan__partnership"):
            rows = model._base_manager.filter(**{lookup.removesuffix("__partnership"): plan.pk})
        else:
            continue  # memberships, invitations: nothing a report prints
        yield rows.order_by("pk").values_list()
        for field in model._meta.many_to_many:
            if field.remote_field.through._meta.auto_created:
                yield rows.order_by("pk", field.name).values_list("pk", field.name)


def fingerprint(plan: Plan, *, kind: str, year: int, quarter: int, today: date) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{kind} {year}-Q{quarter} {today.isoformat()}\n".encode())
    # The layout is part of what is printed: a changed template or stylesheet renders anew.
    for path in [*sorted(TEMPLATES.glob("*.html")), STYLESHEET]:
        digest.update(f"{path.name} {path.stat().st_mtime_ns}\n".encode())
    for rows in _plan_rows(plan):
        digest.update(f"{rows.model._meta.label}\n".encode())
        for row in rows:
            digest.update(repr(row).encode())
    return digest.hexdigest()


def name_for(plan: Plan, *, kind: str, year: int, quarter: int, key: str) -> str:
    return f"{FOLDER}/{plan.pk}/{kind}-{year}-Q{quarter}-{key}.pdf"


def kept(name: str) -> bool:
    return default_storage.exists(name)


def keep(name: str, pdf: bytes) -> None:
    """Store the rendered file. Two renders of the same fingerprint write the same bytes'
    worth of report, so whichever lands last is as good as the first."""
    if default_storage.exists(name):
        return
    default_storage.save(name, ContentFile(pdf))


def open_kept(name: str):
    return default_storage.open(name, "rb")
