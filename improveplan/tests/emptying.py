"""How a test that commits leaves the database empty for the next.

Django empties every table after such a test (``transactional_db``, ``live_server``: its
``flush``) with one ``TRUNCATE`` of all of them. PostgreSQL truncates a table by giving it, its
indexes and its TOAST table new files and removing the old ones, whether it held a row or not:
some 150 tables, 0.45 s a test, 33 s of PostgreSQL's time over a run, for a few dozen rows.

Here the same tables are emptied by ``DELETE``, with the session in replica mode so that no
trigger fires: neither the plans' stamps (``improveplan/stamps.py``), which a row deleted would
otherwise bump, nor the foreign keys' checks, which ``TRUNCATE`` skips too (it empties every
table at once). What is left is what ``TRUNCATE`` leaves: every table empty, the sequences where
they were. Only the database's superuser may set replica mode; for anyone else, and whenever
Django asks for more (sequences reset, or ``CASCADE``), Django's own ``TRUNCATE`` does it.
"""

from __future__ import annotations

import functools


def install() -> None:
    """For the tests: PostgreSQL's flush by ``DELETE`` (above). Done once in a process."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    if getattr(DatabaseOperations.sql_flush, "deletes", False):
        return
    truncate = DatabaseOperations.sql_flush

    @functools.wraps(truncate)
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables or not _superuser(self.connection):
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        # The names are Django's own list of its tables, quoted.
        deletes = [f"DELETE FROM {self.quote_name(table)}" for table in tables]  # noqa: S608
        # One statement, in the transaction Django's flush opens (or the savepoint, within
        # one already open), and the mode set back at its end, whatever comes after it there.
        return [
            "; ".join(
                [
                    "SET LOCAL session_replication_role = replica",
                    *deletes,
                    "SET LOCAL session_replication_role = DEFAULT",
                ]
            )
        ]

    sql_flush.deletes = True
    DatabaseOperations.sql_flush = sql_flush


def _superuser(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        return cursor.fetchone()[0]
