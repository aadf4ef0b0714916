"""A database made by the migrations of before the apps were layered keeps every row when it
migrates forward: no model changed its table. And the migrations make the very schema the other
tests run on: those build their database from the models (pytest-django's ``--nomigrations``,
in pytest.ini: 1 s where migrating took 10), so a migration that did something the models do
not say (SQL of its own, a trigger, an index) would be tested nowhere else."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings

from conftest import service_missing
from improveplan import stamps

# The last migration of each app before the layering (docs/developers/index.md).
BEFORE = [
    ("improveplan", "0010_one_line_titles_and_unsent_invitations"),
    ("outcomes", "0007_import_jobs"),
    ("actions", "0007_one_line_titles"),
    ("reviews", "0007_one_line_titles_and_unsent_invitations"),
]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


@contextmanager
def a_new_database() -> Iterator[None]:
    """The default connection, for a while, on an empty database of its own beside the test
    database (whose name makes it this worker's alone), dropped after. A database made new
    migrates forward only: taking the test database back to before the layering and forward
    again cost three times as long (40 s against 14), for the migrations' model states
    rebuilt on the way back. The test database is left as it was, stamps' triggers and all."""
    own = connection.settings_dict["NAME"]
    new = f"{own}_layering"
    name = connection.ops.quote_name(new)
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}")
    connection.close()
    connection.settings_dict["NAME"] = new
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = own
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")


# How a schema made by the migrations may differ from one made from the models: the migrations'
# own record, and Django's through table of group permissions, whose id the auth app's
# migrations make a bigint and its model an integer (Django's table; nothing here uses groups).
NOT_COMPARED = {"django_migrations"}
DJANGOS_OWN = {("column", "auth_group_permissions", "id")}


def schema() -> set[tuple]:
    """Every table's columns, constraints, indexes and triggers, and every function, as
    PostgreSQL describes them, in no order (a column's place in its table aside)."""
    queries = {
        "column": """
            SELECT table_name, column_name, data_type, is_nullable, character_maximum_length,
                   numeric_precision, numeric_scale, column_default, is_identity
            FROM information_schema.columns WHERE table_schema = 'public'""",
        "constraint": """
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
            FROM pg_constraint WHERE connamespace = 'public'::regnamespace""",
        "index": """
            SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'""",
        "trigger": """
            SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid)
            FROM pg_trigger WHERE NOT tgisinternal""",
        "function": """
            SELECT 'function', proname, prosrc
            FROM pg_proc WHERE pronamespace = 'public'::regnamespace""",
    }
    described = set()
    with connection.cursor() as cursor:
        for kind, query in queries.items():
            cursor.execute(query)
            described |= {(kind, *row) for row in cursor.fetchall() if row[0] not in NOT_COMPARED}
    return {row for row in described if row[:3] not in DJANGOS_OWN}


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_migrations_keep_every_row_and_make_the_schema_the_tests_run_on():
    if connection.vendor != "postgresql":
        service_missing("PostgreSQL is not the database: set DATABASE_URL to run this test")
    # The migrations themselves, which --nomigrations hides from the rest of the run.
    with override_settings(MIGRATION_MODULES={}), a_new_database():
        _rows_made_before_the_layering_are_all_there_after_it()
        migrated = schema()
    of_the_tests = schema()
    assert migrated - of_the_tests == set(), "made by the migrations, not by the models"
    assert of_the_tests - migrated == set(), "made by the models, not by the migrations"
    assert {row[0] for row in migrated} == {"column", "constraint", "index", "trigger", "function"}


def _rows_made_before_the_layering_are_all_there_after_it():
    old = migrate(BEFORE).loader.project_state(BEFORE).apps
    partnership = old.get_model("improveplan", "Partnership").objects.create(name="Riverside")
    council = old.get_model("improveplan", "Organisation").objects.create(
        partnership=partnership, name="Riverside Council"
    )
    plan = old.get_model("improveplan", "Plan").objects.create(
        partnership=partnership,
        title="Healthier Riverside",
        period_start=date(2026, 4, 1),
        period_end=date(2029, 3, 31),
    )
    outcome = old.get_model("outcomes", "Outcome").objects.create(
        plan=plan, statement="Fewer people smoke"
    )
    indicator = old.get_model("outcomes", "Indicator").objects.create(
        plan=plan, outcome=outcome, code="SM-01", name="Adults who smoke", owner=council
    )
    reading = old.get_model("outcomes", "Reading").objects.create(
        indicator=indicator, period=date(2025, 12, 31), value=Decimal("14.5")
    )
    action = old.get_model("actions", "Action").objects.create(
        plan=plan,
        number=1,
        reference="A-01",
        title="Stop-smoking clinics",
        lead_organisation=council,
    )
    review = old.get_model("reviews", "Review").objects.create(
        plan=plan,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        meets_on=date(2026, 4, 20),
    )

    new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    stamps.install()
    assert not new.migration_plan(new.loader.graph.leaf_nodes())

    from actions.models import Action
    from improveplan.models import Organisation, Partnership, Plan
    from outcomes.models import Indicator, Outcome, Reading
    from reviews.models import Review

    assert Partnership.objects.get(pk=partnership.pk).name == "Riverside"
    assert Organisation.objects.get(pk=council.pk).name == "Riverside Council"
    assert Plan.objects.get(pk=plan.pk).title == "Healthier Riverside"
    assert Outcome.objects.get(pk=outcome.pk).statement == "Fewer people smoke"
    assert Indicator.objects.get(pk=indicator.pk).code == "SM-01"
    assert Reading.objects.get(pk=reading.pk).value == Decimal("14.5")
    assert Action.objects.get(pk=action.pk).reference == "A-01"
    assert Review.objects.get(pk=review.pk).period_end == date(2026, 3, 31)
