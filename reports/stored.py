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

import functools
import hashlib
import re
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from improveplan import portability
from improveplan.models import Organisation, Partnership, Plan

FOLDER = "reports"
TEMPLATES = Path(settings.BASE_DIR) / "templates" / "reports"
STYLESHEET = Path(settings.BASE_DIR) / "static" / "reports" / "print.css"


def _plan_rows(plan_id: int, partnership_id: int):
    """Every row a report of the plan may print, as tuples, in a fixed order."""
    yield Partnership.objects.filter(pk=partnership_id).values_list()
    yield Organisation.objects.filter(partnership_id=partnership_id).order_by("pk").values_list()
    # People's names, as action owners appear in the board report and the delivery plan.
    people = get_user_model().objects.filter(memberships__partnership_id=partnership_id)
    yield people.order_by("pk").values_list("pk", "full_name", "email")
    for model, lookup in _models_of_a_plan():
        rows = model._base_manager.filter(**{lookup: plan_id})
        yield rows.order_by("pk").values_list()
        for field in model._meta.many_to_many:
            if field.remote_field.through._meta.auto_created:
                yield rows.order_by("pk", field.name).values_list("pk", field.name)


# Apps whose rows no report prints: a comment posted leaves every kept report as it was.
NOT_PRINTED = {"comments"}


@functools.cache
def _models_of_a_plan() -> list[tuple[type, str]]:
    """The partnership's models whose rows belong to one plan and may be printed in a report,
    with the lookup to its id."""
    found = []
    for model, lookup in portability.partnership_lookups().items():
        if model._meta.app_label in NOT_PRINTED:
            continue
        if model is Plan:
            found.append((model, "pk"))
        elif lookup.endswith("plan__partnership"):
            found.append((model, lookup.removesuffix("__partnership")))
        # Otherwise (memberships, invitations) nothing a report prints.
    return found


# Ids no row has, standing in for the plan's and partnership's while the SQL is built.
PLAN_SLOT, PARTNERSHIP_SLOT = -7_000_001, -7_000_002


@functools.cache
def _postgresql_digest_query() -> tuple[str, tuple]:
    """One statement in which PostgreSQL hashes each set of rows and joins the hashes in
    order. Built once per process: compiling some twenty querysets costs more than running
    them. Its parameters are the slots above, filled in on each use."""
    parts, params = [], []
    for number, rows in enumerate(_plan_rows(PLAN_SLOT, PARTNERSHIP_SLOT)):
        sql, row_params = rows.query.sql_with_params()
        parts.append(
            f"SELECT {number} AS n, (SELECT md5(coalesce(string_agg(r::text, '|' "  # noqa: S608
            f"ORDER BY r::text), '')) FROM ({sql}) AS r) AS h"
        )
        params.extend(row_params)
    assert set(params) <= {PLAN_SLOT, PARTNERSHIP_SLOT}, params
    union = " UNION ALL ".join(parts)
    return f"SELECT string_agg(h, '' ORDER BY n) FROM ({union}) AS parts", tuple(params)  # noqa: S608


def _rows_digest_in_postgresql(plan: Plan) -> str:
    sql, slots = _postgresql_digest_query()
    values = {PLAN_SLOT: plan.pk, PARTNERSHIP_SLOT: plan.partnership_id}
    with connection.cursor() as cursor:
        cursor.execute(sql, [values[slot] for slot in slots])
        return cursor.fetchone()[0]


def _rows_digest_in_python(plan: Plan) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for rows in _plan_rows(plan.pk, plan.partnership_id):
        digest.update(f"{rows.model._meta.label}\n".encode())
        for row in rows:
            digest.update(repr(row).encode())
    return digest.hexdigest()


def _layout_stamps() -> tuple[tuple[Path, int, int], ...]:
    return tuple(
        (path, stat.st_mtime_ns, stat.st_size)
        for path in [*sorted(TEMPLATES.glob("*.html")), STYLESHEET]
        for stat in [path.stat()]
    )


@functools.lru_cache(maxsize=8)
def _layout_digest(*stamps: tuple[Path, int, int]) -> str:
    """The layout is part of what is printed: a changed template or stylesheet renders anew.
    Hashed by content, not by file times, which differ between the hosts a release is copied
    to: a worker must compute the same fingerprint as the web host that queued its render.
    Read again only when a file's time or size changes."""
    digest = hashlib.blake2b(digest_size=16)
    for path, _, _ in stamps:
        digest.update(path.name.encode() + b"\n" + path.read_bytes() + b"\n")
    return digest.hexdigest()


def fingerprint(plan: Plan, *, kind: str, year: int, quarter: int, today: date) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{kind} {year}-Q{quarter} {today.isoformat()}\n".encode())
    digest.update(_layout_digest(*_layout_stamps()).encode())
    rows = (
        _rows_digest_in_postgresql(plan)
        if connection.vendor == "postgresql"
        else _rows_digest_in_python(plan)
    )
    digest.update(rows.encode())
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


# reports/<plan id>/<kind>-<year>-Q<quarter>-<key>.pdf, as name_for writes them.
_KEPT_NAME = re.compile(r"(?P<kind>[a-z]+)-(?P<year>\d{4})-Q(?P<quarter>[1-4])-[0-9a-f]+\.pdf")
# A file younger than this is left alone: a request may have just found it and be about to
# send it.
PRUNE_AFTER = timedelta(hours=1)


def prune(*, now: datetime) -> int:
    """Remove every kept report but the latest of each plan, kind and quarter (and those of
    plans that no longer exist), leaving alone files kept in the last PRUNE_AFTER. Returns
    how many files went. A fingerprint names a day's data, so an older file of the same
    quarter would be served again only if the plan went back to exactly that day's state;
    then it is rendered again."""
    removed = 0
    try:
        # Object storage has no folders to look for: a prefix lists its files or nothing.
        folders, _ = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return removed
    plans = set(
        Plan.objects.filter(pk__in=[int(f) for f in folders if f.isdigit()]).values_list(
            "pk", flat=True
        )
    )
    for folder in folders:
        _, names = default_storage.listdir(f"{FOLDER}/{folder}")
        latest: dict[tuple[str, str, str], tuple[datetime, str]] = {}
        dated = []
        for name in names:
            match = _KEPT_NAME.fullmatch(name)
            if match is None:
                continue  # not one of ours
            path = f"{FOLDER}/{folder}/{name}"
            modified = default_storage.get_modified_time(path)
            dated.append((modified, path))
            group = (match["kind"], match["year"], match["quarter"])
            if group not in latest or latest[group] < (modified, path):
                latest[group] = (modified, path)
        keep = (
            set()
            if not folder.isdigit() or int(folder) not in plans
            else {path for _, path in latest.values()}
        )
        for modified, path in dated:
            if path not in keep and now - modified >= PRUNE_AFTER:
                default_storage.delete(path)
                removed += 1
    return removed
