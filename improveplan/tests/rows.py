"""Rows read fast enough to compare before and after every request of a test.

The hostile-input tests and the access sweep read every row of the partnership data before
and after each post they make, tens of thousands of times a run. Compiling a Django queryset
costs more than running it on these few rows, so `rows` compiles each query once a process
and from then on runs its SQL; an id that changes from test to test (the other partnership's)
is compiled as `SLOT` and given at each use. The rows are as the database driver returns them
(a value changed in any column still changes its row).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from django.db import connection
from django.db.models import QuerySet

SLOT = -7_000_003  # an id no row has, standing in for the one given at each use

_COMPILED: dict[Hashable, tuple[str, tuple]] = {}


def rows(
    key: Hashable, queryset: Callable[[int], QuerySet], value: int | None = None
) -> list[tuple]:
    """The rows of ``queryset(SLOT)``, with ``value`` where it has SLOT; ``key`` names the
    query among those of the process."""
    return _run(key, queryset, value)[1]


def rows_with_names(key: Hashable, queryset: Callable[[int], QuerySet]) -> list[dict]:
    """The rows of ``queryset(SLOT)`` as dictionaries of column name to value."""
    names, found = _run(key, queryset, None)
    return [dict(zip(names, row, strict=True)) for row in found]


def _run(key: Hashable, queryset: Callable[[int], QuerySet], value: int | None):
    compiled = _COMPILED.get(key)
    if compiled is None:
        compiled = _COMPILED[key] = queryset(SLOT).query.sql_with_params()
    sql, params = compiled
    with connection.cursor() as cursor:
        cursor.execute(sql, tuple(value if param == SLOT else param for param in params))
        return [column[0] for column in cursor.description], cursor.fetchall()
