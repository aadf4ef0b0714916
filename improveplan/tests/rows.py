"""Rows read fast enough to compare before and after every request of a test.

The hostile-input tests and the access sweep read every row of the partnership data before
and after each post they make, tens of thousands of times a run. Compiling a Django queryset
costs more than running it on these few rows, so `rows` compiles each query once a process
and from then on runs its SQL; an id that changes from test to test (the other partnership's)
is compiled as `SLOT` and given at each use. The rows are as the database driver returns them
(a value changed in any column still changes its row).

`tables` reads many tables at once to say whether any of them changed: on PostgreSQL, one
query gives each table's count of rows and a digest of their text (the rows themselves cross
no wire and need no sorting in Python); elsewhere it gives each table's rows, sorted. `found`
runs many queries at once to say which rows each of them finds: on PostgreSQL in one query,
elsewhere one by one. Both compile their querysets once a process; on PostgreSQL they are
prepared once a connection, with SLOT as the statement's parameter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence

from django.db import connection
from django.db.models import QuerySet

SLOT = -7_000_003  # an id no row has, standing in for the one given at each use

_COMPILED: dict[Hashable, tuple[str, tuple]] = {}


def rows(
    key: Hashable, queryset: Callable[[int], QuerySet], value: int | None = None
) -> list[tuple]:
    """The rows of ``queryset(SLOT)``, with ``value`` where it has SLOT; ``key`` names the
    query among those of the process."""
    compiled = _COMPILED.get(key)
    if compiled is None:
        compiled = _COMPILED[key] = queryset(SLOT).query.sql_with_params()
    sql, params = compiled
    with connection.cursor() as cursor:
        cursor.execute(sql, tuple(value if param == SLOT else param for param in params))
        return cursor.fetchall()


def tables(
    key: str, querysets: Sequence[tuple[str, Callable[[int], QuerySet]]], value: int | None = None
) -> dict:
    """What each of ``querysets(SLOT)`` (named by the first of its pair) holds, with ``value``
    where it has SLOT, to compare with what it held before: equal exactly when no row of any
    of them changed. ``key`` names the query among those of the process."""
    if connection.vendor != "postgresql":
        return {name: sorted(map(repr, rows((key, name), made, value))) for name, made in querysets}
    digests = _execute(key, lambda cursor: _digests_sql(cursor, querysets), value)
    return {name: (count, digest) for name, count, digest in digests}


def found(key: str, querysets: Sequence[tuple[str, QuerySet]]) -> list[tuple]:
    """The primary key of every row each of ``querysets`` finds, with the name of its
    queryset (the first of its pair), sorted. ``key`` names the query among those of the
    process."""
    if connection.vendor != "postgresql":
        return sorted(
            (name, pk)
            for name, queryset in querysets
            for (pk,) in rows((key, name), lambda slot, queryset=queryset: _pks(queryset))
        )
    names = [name for name, _ in querysets]
    pks = _execute(key, lambda cursor: _pks_sql(cursor, querysets))
    return sorted((names[number], pk) for number, pk in pks)


# The statements prepared, by the driver's connection they were prepared on (held, so that a
# new connection is never taken for one that had them); and the SQL of each, by its key.
_PREPARED: dict[object, set[str]] = {}
_SQL: dict[str, str] = {}


def _execute(key: str, sql: Callable, value: int | None = None) -> list[tuple]:
    """The rows of the statement ``key``, prepared from ``sql(cursor)`` the first time this
    connection runs it, with ``value`` as its parameter if it has one."""
    connection.ensure_connection()
    prepared = _PREPARED.setdefault(connection.connection, set())
    with connection.cursor() as cursor:
        if key not in prepared:
            if key not in _SQL:
                _SQL[key] = sql(cursor)
            # Prepared once a connection: planning a query of a hundred tables takes longer
            # than running it on these few rows. A rollback keeps what was prepared.
            cursor.execute(f"PREPARE {_statement(key)} AS {_SQL[key]}")
            prepared.add(key)
        # Parallel workers would take longer to start than these few rows take to read; a
        # query this wide would otherwise be planned for them.
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        if value is None:
            cursor.execute(f"EXECUTE {_statement(key)}")
        else:
            cursor.execute(f"EXECUTE {_statement(key)} (%s)", (value,))
        result = cursor.fetchall()
        cursor.execute("SET LOCAL max_parallel_workers_per_gather TO DEFAULT")
    return result


# Each table's count of rows and a digest of them all: every column of each row as PostgreSQL
# writes it out, sorted so that the digest does not depend on the order the rows come back in.
DIGEST = "count(*), md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), ''))"


def _statement(key: str) -> str:
    assert key.isidentifier(), key
    return f"tables_{key}"


def _digests_sql(cursor, querysets) -> str:
    selects = []
    for name, made in querysets:
        sql = _inline(cursor, *made(SLOT).order_by().query.sql_with_params())  # the digest sorts
        # S608: the SQL is Django's, compiled from our own querysets; the driver quotes values.
        selects.append(f"SELECT {_quoted(cursor, name)}, {DIGEST} FROM ({sql}) r")  # noqa: S608
    return " UNION ALL ".join(selects)


def _pks(queryset: QuerySet) -> QuerySet:
    return queryset.order_by().values_list("pk")


def _pks_sql(cursor, querysets) -> str:
    selects = []
    for number, (_, queryset) in enumerate(querysets):
        sql = _inline(cursor, *_pks(queryset).query.sql_with_params())
        # Each queryset is named by its number: the names need no quoting. S608: as above.
        selects.append(f"SELECT {number}, r.* FROM ({sql}) r")  # noqa: S608
    return " UNION ALL ".join(selects)


def _quoted(cursor, value) -> str:
    return cursor.mogrify("%s", (value,)).decode()


def _inline(cursor, sql: str, params: Sequence) -> str:
    """Django's SQL with its parameters written in, quoted by the driver, but for SLOT, which
    becomes the prepared statement's parameter ($1)."""
    values = iter(params)

    def written(placeholder: re.Match) -> str:
        if placeholder.group() == "%%":
            return "%"
        value = next(values)
        return "$1" if value == SLOT else _quoted(cursor, value)

    inlined = re.sub("%%|%s", written, sql)
    assert next(values, _NONE_LEFT) is _NONE_LEFT, "more parameters than placeholders"
    return inlined


_NONE_LEFT = object()
