"""Rows read fast enough to compare before and after every request of a test.

The hostile-input tests and the access sweep read every row of the partnership data before
and after each post they make, tens of thousands of times a run. Compiling a Django queryset
costs more than running it on these few rows, so `rows` compiles each query once a process
and from then on runs its SQL; an id that changes from test to test (the other partnership's)
is compiled as `SLOT` and given at each use. The rows are as the database driver returns them
(a value changed in any column still changes its row).

`tables` reads many tables at once to say whether any of them changed: on PostgreSQL, one
query gives each table's count of rows and a digest of their text (the rows themselves cross
no wire and need no sorting in Python); elsewhere it gives each table's rows, sorted.
"""

from __future__ import annotations

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


def tables(key: str, querysets: Sequence[tuple[str, Callable[[int], QuerySet]]]) -> dict:
    """What each of ``querysets(SLOT)`` (named by the first of its pair) holds, to compare
    with what it held before: equal exactly when no row of any of them changed. ``key`` names
    the query among those of the process."""
    if connection.vendor != "postgresql":
        return {name: sorted(map(repr, rows((key, name), made))) for name, made in querysets}
    connection.ensure_connection()
    prepared = _PREPARED.setdefault(connection.connection, set())
    with connection.cursor() as cursor:
        if key not in prepared:
            # Prepared once a connection: planning a query of a hundred tables takes longer
            # than running it on these few rows. A rollback keeps what was prepared.
            cursor.execute(f"PREPARE {_statement(key)} AS {_digests_sql(cursor, querysets)}")
            prepared.add(key)
        # Parallel workers would take longer to start than these few rows take to read; a
        # query this wide would otherwise be planned for them.
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute(f"EXECUTE {_statement(key)}")
        found = cursor.fetchall()
        cursor.execute("SET LOCAL max_parallel_workers_per_gather TO DEFAULT")
    return {name: (count, digest) for name, count, digest in found}


# The statements prepared, by the driver's connection they were prepared on (held, so that a
# new connection is never taken for one that had them).
_PREPARED: dict[object, set[str]] = {}

# Each table's count of rows and a digest of them all: every column of each row as PostgreSQL
# writes it out, sorted so that the digest does not depend on the order the rows come back in.
DIGEST = "count(*), md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), ''))"


def _statement(key: str) -> str:
    assert key.isidentifier(), key
    return f"tables_{key}"


def _digests_sql(cursor, querysets) -> str:
    selects = []
    for name, made in querysets:
        sql, params = made(SLOT).order_by().query.sql_with_params()  # the digest sorts
        # S608: the SQL is Django's, compiled from our own querysets; the driver quotes values.
        select = cursor.mogrify(f"SELECT %s, {DIGEST} FROM ({sql}) r", (name, *params))  # noqa: S608
        selects.append(select.decode())
    return " UNION ALL ".join(selects)
