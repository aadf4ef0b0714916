"""Rows built once for the tests in a row that start from them, instead of once for each test.

Most tests start from the same rows: the root conftest's ``world``, the access sweep's
``sweep_world``, each app's hostile-input ``targets``, the demo. Built again for every test,
they cost more than many of the tests themselves (the demo alone is some 7,000 queries). A
fixture made with ``@kept_rows`` is built once, in a transaction of its own on the test
database; each test that asks for it then runs inside that transaction, in pytest-django's
usual transaction (a savepoint here), which is rolled back when the test ends. So every test
sees exactly the rows the fixture builds, as if built for it alone; and each test gets its own
copy of the Python objects, as with Django's ``setUpTestData``, so what one test changes in
them the next does not see.

The rows are rolled back, and built again for the next test that asks, when:

- a test asks for another set of these fixtures, or for none: it sees no row it did not ask
  for (a module's tests are ordered so that those asking for the same set run together);
- the tests move on to another module;
- they are older than ``MAX_AGE``, well inside the shortest time window the application
  keeps (an import is given up after five minutes, outcomes/imports.py), so that no test
  sees rows older than its own test would have made them by much.

A test that commits (``transactional_db``, ``live_server``, ``django_db(transaction=True)``)
or that moves the clock before its fixtures are built (a fixture asks for ``time_machine``)
keeps nothing: its fixtures build their rows for it alone, as if this module did not exist.

The builder of a kept fixture may ask only for other kept fixtures (it runs before any of the
test's own fixtures), and runs as a test would: fast password hashing, Celery tasks run at
once, uploaded files in a folder of their own, copied into each test's folder.
"""

from __future__ import annotations

import copy
import functools
import inspect
import io
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from improveplan.tests.rows import DIGEST

MAX_AGE = 120  # seconds a build is kept for
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
CLOCK_FIXTURES = {"time_machine"}
COMMITTING_FIXTURES = {
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


def kept_rows(build: Callable | None = None, *, copied: bool = False) -> Callable:
    """Make ``build`` a fixture of the same name whose rows are kept for the tests in a row
    that ask for it (see above). ``build`` takes the other kept fixtures it needs by name.
    With ``copied``, the rows of its first build in a process are copied, and written back
    instead of built again (below: "Builds copied")."""
    if build is None:
        return functools.partial(kept_rows, copied=copied)
    needs = list(inspect.signature(build).parameters)

    def fixture(request, db, **needed):
        if KEPT.serves(request.node, build.__name__):
            return KEPT.copy_for_test(build.__name__)
        if copied and not needed:
            from django.conf import settings

            return COPIES.build((build,), lambda: {build.__name__: build()}, settings.MEDIA_ROOT)[
                build.__name__
            ]
        return build(**needed)

    fixture.__signature__ = inspect.Signature(
        [
            inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD)
            for name in ("request", "db", *needs)
        ]
    )
    fixture.__name__ = build.__name__
    fixture.__qualname__ = build.__qualname__
    fixture.__module__ = build.__module__
    fixture.__doc__ = build.__doc__
    fixture.kept_build = build
    fixture.kept_needs = needs
    fixture.kept_copied = copied
    return pytest.fixture(name=build.__name__)(fixture)


@dataclass
class _Build:
    key: tuple  # the kept fixtures' builders, in the order they were built
    module: str
    values: dict[str, object]
    media: Path
    made_at: float
    atomic: object
    pickled: bytes = b""

    def copies(self) -> dict[str, object]:
        """A copy of every value, as one pickle: the objects the values share (the world's
        lead in the targets, say) are shared by the copies too. Unpickled, the objects are
        copied in a few times less time than ``copy.deepcopy`` takes."""
        if not self.pickled:
            self.pickled = pickle.dumps(self.values, pickle.HIGHEST_PROTOCOL)
        return pickle.loads(self.pickled)  # noqa: S301 (this process's own pickle)


@dataclass
class _Kept:
    build: _Build | None = None
    serving: str = ""  # the node id of the test the build is for, if it is for the current one
    copies: dict | None = None  # the current test's copies of the values
    media_copied: bool = False

    def serves(self, item, name: str) -> bool:
        """Whether the rows kept are the test's, with those of ``name`` (a fixture the test
        asks for by name as it runs, ``request.getfixturevalue``, is built for it alone)."""
        return self.build is not None and self.serving == item.nodeid and name in self.build.values

    def copy_for_test(self, name: str):
        if not self.media_copied:
            self.media_copied = True
            _copy_media(self.build.media)
        if self.copies is None:
            self.copies = self.build.copies()
        return self.copies[name]

    def prepare(self, item, media_folder: Callable[[], Path]) -> None:
        """Before the test's own transaction: keep, roll back or build the rows it asks for."""
        builders = _kept_builders(item)
        key = tuple(builders[name] for name in sorted(builders))
        keep = bool(builders) and not commits(item) and not _moves_the_clock(item)
        build = self.build
        if build is not None and not (
            keep
            and build.key == key
            and build.module == _module_of(item)
            and time.monotonic() - build.made_at < MAX_AGE
        ):
            self.drop()
        self.serving, self.copies, self.media_copied = "", None, False
        if not keep:
            return
        if self.build is None:
            self.build = _build(item, builders, media_folder())
        self.serving = item.nodeid

    def drop(self) -> None:
        from django.db import connection, transaction

        build, self.build, self.serving = self.build, None, ""
        if build is None:
            return
        if connection.in_atomic_block and not connection.closed_in_transaction:
            transaction.set_rollback(True)
            build.atomic.__exit__(None, None, None)
        else:  # the connection was closed under it: the server rolled it back
            connection.close()
        shutil.rmtree(build.media, ignore_errors=True)


KEPT = _Kept()


def _kept_builders(item) -> dict[str, Callable]:
    """The kept fixtures this test asks for, directly or through others, by name."""
    definitions = getattr(item, "_fixtureinfo", None)
    if definitions is None:
        return {}
    found = {}
    for name in item.fixturenames:
        defs = definitions.name2fixturedefs.get(name)
        if defs and hasattr(defs[-1].func, "kept_build"):
            found[name] = defs[-1].func
    return found


def commits(item) -> bool:
    """Whether the test commits: its rows cannot be kept (nor rolled back)."""
    from pytest_django.fixtures import validate_django_db

    marker = item.get_closest_marker("django_db")
    if marker:
        transaction, reset_sequences, *_ = validate_django_db(marker)
        if transaction or reset_sequences:
            return True
    return bool(COMMITTING_FIXTURES & set(item.fixturenames))


def _moves_the_clock(item) -> bool:
    return bool(CLOCK_FIXTURES & set(item.fixturenames))


def _build(item, builders: dict[str, Callable], media: Path) -> _Build:
    from django.db import transaction
    from django.test import override_settings

    from improveplan.celery import app

    atomic = transaction.atomic()
    atomic.__enter__()
    values: dict[str, object] = {}

    def value(name: str):
        if name not in values:
            fixture = builders.get(name)
            if fixture is None:
                raise pytest.UsageError(
                    f"A kept fixture may ask only for other kept fixtures, not for {name!r}"
                )
            needed = {need: value(need) for need in fixture.kept_needs}
            values[name] = fixture.kept_build(**needed)
        return values[name]

    def build_all() -> dict[str, object]:
        for name in builders:
            value(name)
        return values

    key = tuple(builders[name] for name in sorted(builders))
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with override_settings(PASSWORD_HASHERS=[FAST_HASHER], MEDIA_ROOT=media):
            if all(fixture.kept_copied for fixture in builders.values()):
                values = COPIES.build(key, build_all, media)
            else:
                build_all()
    except BaseException:
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
        raise
    finally:
        app.conf.task_always_eager = eager
    return _Build(
        key=key,
        module=_module_of(item),
        values=values,
        media=media,
        made_at=time.monotonic(),
        atomic=atomic,
    )


def _copy_media(folder: Path) -> None:
    from django.conf import settings

    if folder.exists() and any(folder.iterdir()):
        shutil.copytree(folder, settings.MEDIA_ROOT, dirs_exist_ok=True)


def order_by_kept_fixtures(items: list) -> None:
    """Within each run of one module's tests, those asking for the same kept fixtures one
    after another (in their order otherwise), so that the rows are built once for them all.
    The runs themselves stay where they are (pytest-django puts the tests that commit last)."""
    ordered, run = [], []
    for item in [*items, None]:
        if run and (item is None or _module_of(item) != _module_of(run[0])):
            first_of = {}
            for each in run:
                first_of.setdefault(_kept_key(each), len(first_of))
            ordered += sorted(run, key=lambda each: first_of[_kept_key(each)])  # stable
            run = []
        if item is not None:
            run.append(item)
    items[:] = ordered


def _module_of(item) -> str:
    return getattr(getattr(item, "module", None), "__name__", "")


def _kept_key(item) -> tuple:
    return tuple(sorted(_kept_builders(item)))


# Builds copied ---------------------------------------------------------------------------
# The demo takes seconds to build (some 7,000 queries), and many modules ask for it, and the
# browser tests, which commit, build it for themselves. A fixture made with
# ``@kept_rows(copied=True)`` is built for real the first time in a process; the rows it
# wrote are then copied out (PostgreSQL's COPY), with its files and its value, and a later
# build that starts from exactly the same rows writes them back instead (some 0.2 s), the
# same rows with the same ids. The starting rows are compared by digest (they differ after a
# test that commits, say, has had the tables emptied and the content types made again), and
# a copy is written back only on the day it was made: the demo's dates are the day's.


@dataclass
class _Copy:
    tables: dict[str, bytes]  # the tables the build changed, whole, as COPY wrote them
    values: dict[str, object]
    media: Path
    day: date


class _Copies:
    def __init__(self) -> None:
        self.made: dict[tuple, _Copy] = {}

    def build(self, key: tuple, build: Callable[[], dict], media: Path) -> dict[str, object]:
        from django.db import connection
        from django.utils import timezone

        if connection.vendor != "postgresql":
            return build()
        before = _digests()
        made = self.made.get((key, before))
        if made is not None and made.day == timezone.localdate():
            _write_back(made.tables)
            if made.media.exists():
                shutil.copytree(made.media, media, dirs_exist_ok=True)
            return copy.deepcopy(made.values)
        values = build()
        after = _digests()
        changed = sorted({table for table, *digest in after - before})
        if set(changed) & _tables_of_the_content_types():
            return values  # not copied: the ids it would write back change (below)
        kept_media = Path(tempfile.mkdtemp(prefix="kept-copy-"))
        if Path(media).exists():
            shutil.copytree(media, kept_media, dirs_exist_ok=True)
        self.made[(key, before)] = _Copy(
            tables=_copy_out(changed),
            values=copy.deepcopy(values),
            media=kept_media,
            day=timezone.localdate(),
        )
        return values


COPIES = _Copies()


def _tables() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


# Emptied by a test that commits, the tables are filled again with the content types and
# permissions, under new ids: the starting rows are compared without them, and a build that
# writes rows naming them is not copied.
CONTENT_TYPES = {"django_content_type", "auth_permission"}


def _tables_of_the_content_types() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND confrelid::regclass::text = ANY(%s)",
            [sorted(CONTENT_TYPES)],
        )
        return CONTENT_TYPES | {table for (table,) in cursor.fetchall()}


def _digests() -> frozenset:
    """Each table's name, with its count of rows and a digest of them all (but the content
    types' and permissions')."""
    from django.db import connection

    quote = connection.ops.quote_name
    names = [name for name in _tables() if name not in CONTENT_TYPES]
    sql = " UNION ALL ".join(
        f"SELECT %s, {DIGEST} FROM {quote(name)} r"  # noqa: S608 - the database's own names
        for name in names
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, names)
        return frozenset(cursor.fetchall())


def _copy_out(tables: list[str]) -> dict[str, bytes]:
    from django.db import connection

    found = {}
    with connection.cursor() as cursor:
        for table in tables:
            rows = io.BytesIO()
            cursor.copy_expert(
                f"COPY {connection.ops.quote_name(table)} TO STDOUT WITH (FORMAT binary)", rows
            )
            found[table] = rows.getvalue()
    return found


def _write_back(tables: dict[str, bytes]) -> None:
    """The tables as they were copied: their rows deleted and the copy's written, with no
    trigger run (the database's own, and those that check foreign keys: every table the build
    changed is written whole, so the rows agree as they did when copied)."""
    from django.db import connection, transaction

    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for table, rows in tables.items():
            cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608 - a table's name
            cursor.copy_expert(
                f"COPY {quote(table)} FROM STDIN WITH (FORMAT binary)", io.BytesIO(rows)
            )
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        # Emptied by a test that committed, the tables' sequences start again from one: each
        # goes on from the highest id written back, or from where it was, if higher.
        cursor.execute(_SEQUENCES, [list(tables)])
        for sequence, table, column in cursor.fetchall():
            cursor.execute(
                f"SELECT setval(%s, GREATEST(written, s.last_value)) FROM "  # noqa: S608
                f"(SELECT max({quote(column)}) AS written FROM {quote(table)}) w, "
                f"{quote(sequence)} s WHERE written IS NOT NULL",
                [sequence],
            )


_SEQUENCES = """
SELECT s.relname, t.relname, a.attname
FROM pg_class s
JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass
JOIN pg_class t ON t.oid = d.refobjid
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
WHERE s.relkind = 'S' AND t.relname = ANY(%s)
"""
