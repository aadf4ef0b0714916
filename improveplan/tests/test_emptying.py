"""After a test that commits, the database is left as Django's own flush leaves it
(improveplan/tests/emptying.py), without new files for every table."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.backends.postgresql.operations import DatabaseOperations

from actions.tests.factories import ActionFactory
from improveplan import stamps
from improveplan.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db(transaction=True)


def rows_in_each_table() -> dict[str, int]:
    tables = connection.introspection.django_table_names(only_existing=True)
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT '{table}', count(*) FROM {connection.ops.quote_name(table)}"  # noqa: S608
                for table in tables
            )
        )
        return dict(cursor.fetchall())


def files_of(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relfilenode FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


def flush() -> None:
    """As Django's test cases flush after a test that commits."""
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)


def test_the_flush_leaves_every_table_as_truncating_does(world):
    ActionFactory(plan=world.plan)
    flush()
    deleted = rows_in_each_table()
    ActionFactory(plan=PlanFactory())
    truncate = DatabaseOperations.sql_flush.__wrapped__
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", truncate)
        flush()
    # Only what Django makes again after a flush (content types, permissions) holds rows.
    assert deleted == rows_in_each_table()
    assert {table for table, count in deleted.items() if count} == {
        "django_content_type",
        "auth_permission",
    }


def test_the_flush_deletes_rather_than_making_new_files(world):
    ActionFactory(plan=world.plan)
    before = files_of("actions_action")
    flush()
    assert rows_in_each_table()["actions_action"] == 0
    assert files_of("actions_action") == before


def test_triggers_fire_again_once_the_flush_is_done():
    # Within a transaction already open too, where the mode would otherwise last to its end.
    with transaction.atomic():
        flush()
        with connection.cursor() as cursor:
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone()[0] == "origin"
    # The plans' stamps and the foreign keys' checks are triggers: both work as before.
    plan = PlanFactory()
    stamp = stamps.of_plans([plan.pk])
    ActionFactory(plan=plan)
    assert stamps.of_plans([plan.pk]) != stamp
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "INSERT INTO actions_milestone (action_id, title, due, done) "
            "VALUES (987654321, 'Nowhere', '2026-12-01', false)"
        )
