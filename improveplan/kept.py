"""Parts of pages kept in the cache, under the stamps of the plans they show.

A plan page spends most of its time computing every indicator's trend, forecast, status and
chart, the Five Steps' progress and the SMART checks, and writing them out as HTML. None of it
changes until the plan's data does, so the part of the page that shows them is rendered once
and kept under a key made of:

- the plans' stamps (improveplan/stamps.py), which the database changes with every write to
  anything the part shows, in the same commit: a kept part is never stale;
- the day, since statuses, forecasts and "overdue" are as they stand today;
- the code (a digest of the templates and the Python), so a deployment never serves a part
  an older version rendered;
- whatever else the part depends on: the viewer's role where it shows other links, the
  filters asked for.

A kept part is rendered without the request: it must not hold anything of one person's
session (a CSRF token, a CSP nonce, messages), which the page around it adds. The cache is
Redis when CACHE_URL is set (shared by every web process), else each process's memory. When
the cache cannot be reached the part is computed as if nothing were kept.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models import Model
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from improveplan import stamps

logger = logging.getLogger(__name__)

# A kept part names its day, so it is of no use after midnight.
KEPT_FOR = 24 * 60 * 60
# Without the triggers that keep the stamps nothing is kept; asked again after this long.
CHECK_AGAIN_AFTER = 60
_checked = {"at": -CHECK_AGAIN_AFTER, "installed": False}

try:  # the Redis client is installed with Celery; a cache that fails must not fail the page
    from redis.exceptions import RedisError as _CacheError
except ImportError:  # pragma: no cover
    _CacheError = OSError


# What a kept part's forms carry in place of the CSRF token: ``part`` puts each request's own
# token back (the token is one person's, the part everyone's).
CSRF_PLACEHOLDER = "csrf-token-of-the-request-kept-py"


@dataclass(frozen=True)
class _Viewer:
    """What a kept part sees of the request: the viewer's membership, nothing else."""

    membership: object


def viewer(request) -> tuple:
    """What a kept part may show of the person looking, for its key: their role (a lead's
    buttons, a board member's order of links) and, for a peer reviewer, their grant."""
    membership = request.membership
    reviewer = getattr(membership, "reviewer", None)
    return (
        membership.role,
        membership.manages,
        reviewer.pk if reviewer else None,
        reviewer.expires_at if reviewer else None,
    )


def context_for(request) -> dict:
    """The context every kept part is rendered with, besides its own: ``request`` with only
    the viewer's membership (``viewer(request)`` must be in the part's key), and the forms'
    CSRF token as a placeholder."""
    return {"request": _Viewer(request.membership), "csrf_token": CSRF_PLACEHOLDER}


@functools.cache
def code_version() -> str:
    """A digest of the project's own Python and templates as deployed (names, sizes, times):
    the apps in the project's folder (not the packages installed beside it) and the
    templates folder. Read once a process."""
    base = Path(settings.BASE_DIR).resolve()
    folders = {Path(d).resolve() for engine in settings.TEMPLATES for d in engine.get("DIRS", [])}
    folders.update(
        Path(config.path).resolve()
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == base
    )
    digest = hashlib.blake2b(digest_size=8)
    for folder in sorted(folders):
        for path in sorted([*folder.rglob("*.py"), *folder.rglob("*.html")]):
            stat = path.stat()
            digest.update(f"{path.relative_to(base)} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _stamps_kept() -> bool:
    """Whether the database keeps the stamps: its triggers are those of the models as they
    are now. A deployment's new model, before ``migrate`` has run, must not be trusted to
    change a stamp; so until it does, every page is computed and an error is logged."""
    now = time.monotonic()
    if _checked["installed"] or now - _checked["at"] < CHECK_AGAIN_AFTER:
        return _checked["installed"]
    _checked.update(at=now, installed=stamps.installed())
    if not _checked["installed"]:
        logger.error(
            "The database's triggers for the plans' stamps are missing or out of date: "
            "run `manage.py migrate`. Until then pages are computed on every request."
        )
    return _checked["installed"]


def _key(name: str, described: list[str], day: str | None = None) -> str:
    text = "|".join(described)
    if len(text) > 100 or not text.isprintable() or " " in text:
        text = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    return f"kept:{code_version()}:{name}:{day or _today()}:{text}"


def _today() -> str:
    return timezone.localdate().isoformat()


def key(name: str, plan_ids: Iterable[int], parts: Iterable[object] = ()) -> str:
    """The cache key of a part: its name, the plans' stamps now, the day, the code, and
    ``parts``."""
    found = stamps.of_plans(plan_ids)
    return _key(
        name,
        [",".join(f"{pk}:{stamp}" for pk, stamp in sorted(found.items())), *map(repr, parts)],
    )


def part(
    name: str,
    *,
    plans: Iterable[int],
    parts: Iterable[object] = (),
    render: Callable[[], str],
    request=None,
) -> SafeString:
    """The HTML ``render()`` gives, kept until one of ``plans`` changes (or the day, or the
    code, or ``parts``); ``render`` runs only when nothing is kept. With ``request``, the
    forms in it get that request's CSRF token (rendered with ``context_for``)."""
    if not _stamps_kept():
        html = str(render())
    else:
        cache_key = key(name, plans, parts)
        kept = _get_many([cache_key])
        html = kept.get(cache_key)
        if html is None:
            html = str(render())
            _set_many({cache_key: html})
    if request is not None and CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return mark_safe(html)  # noqa: S308 - HTML our own templates rendered


def many(
    name: str,
    *,
    model: type[Model],
    parts: dict[int, tuple],
    render: Callable[[list[int]], dict[int, str]],
) -> dict[int, SafeString]:
    """One part of a page for each object of a stamped scope (``model``, see
    improveplan.stamps), each kept until that object changes (or the day, or the code, or its
    ``parts``): ``render`` is given the ids of the objects with nothing kept and returns
    their HTML by id."""
    found = values(name, model=model, parts=parts, compute=render)
    return {pk: mark_safe(html) for pk, html in found.items()}  # noqa: S308 - our templates'


def values(
    name: str,
    *,
    model: type[Model],
    parts: dict[int, tuple],
    compute: Callable[[list[int]], dict[int, object]],
) -> dict[int, object]:
    """What ``compute`` gives for each object of a stamped scope, kept like ``many``'s parts:
    plain values (numbers, text, small dataclasses), never model instances.

    Once every one was found kept, they are kept together too, under a key made of every
    one's: while none of the objects changes (a plan's thousand actions, as its readings
    change) that one entry is read, not an entry for each."""
    if not _stamps_kept():
        return compute(list(parts)) if parts else {}
    found, day = stamps.of(model, parts), _today()
    keys = {
        pk: _key(name, [f"{pk}:{found[pk]}", *map(repr, extra)], day) for pk, extra in parts.items()
    }
    together = _key(f"{name}-together", ["\n".join(keys.values())], day)
    kept = _get_many([together])
    if together in kept:
        return kept[together]
    kept = _get_many(list(keys.values()))
    missing = [pk for pk, cache_key in keys.items() if cache_key not in kept]
    computed = compute(missing) if missing else {}
    result = {
        pk: computed[pk] if pk in computed else kept[cache_key] for pk, cache_key in keys.items()
    }
    _set_many(
        {keys[pk]: value for pk, value in computed.items()} if computed else {together: result}
    )
    return result


def by_content(
    name: str, contents: dict[int, object], render: Callable[[list[int]], dict[int, str]]
) -> dict[int, SafeString]:
    """One part of a page for each item, kept while what it is rendered from stays the same:
    ``contents`` gives, by id, everything the part is rendered from (plain values whose
    ``repr`` shows all of them, such as the walk's dataclasses); ``render`` is given the ids
    whose part is not kept."""
    day = _today()
    keys = {
        pk: _key(name, [hashlib.blake2b(repr(content).encode(), digest_size=16).hexdigest()], day)
        for pk, content in contents.items()
    }
    kept = _get_many(list(set(keys.values())))
    missing = [pk for pk, cache_key in keys.items() if cache_key not in kept]
    rendered = {pk: str(html) for pk, html in (render(missing) if missing else {}).items()}
    _set_many({keys[pk]: html for pk, html in rendered.items()})
    return {
        pk: mark_safe(rendered[pk] if pk in rendered else kept[cache_key])  # noqa: S308
        for pk, cache_key in keys.items()
    }


def _get_many(keys: list[str]) -> dict[str, str]:
    try:
        return cache.get_many(keys)
    except _CacheError as error:
        logger.warning("The cache could not be read (%s); computing the page.", error)
        return {}


def _set_many(entries: dict[str, object]) -> None:
    if not entries:
        return
    try:
        cache.set_many(entries, KEPT_FOR)
    except _CacheError as error:
        logger.warning("The cache could not be written (%s).", error)
