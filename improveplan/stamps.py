"""Stamps: numbers the database changes with every change to what a plan's pages show.

Pages keep what they computed (improveplan/kept.py) under the stamps of what they show, so a
kept part is never stale and nothing needs invalidating. The stamps are written by the
database itself: a trigger on every table whose rows belong to a partnership (the partnership
export's map, improveplan.portability, so a model added later is covered without a change
here), and on the links Django keeps between them. Every write counts, however it is made:
``save()``, ``QuerySet.update()``, ``bulk_create``, ``bulk_update``, deletes and their
cascades, raw SQL, an import, a change typed into ``psql``.

Each plan has a stamp; so has each object of a model registered as a *scope* (``register``;
the outcomes app registers indicators, so that a dashboard recomputes only the indicators
that changed). A row changes the stamp of its plan and of each scope it hangs from:

- a row that belongs to a plan changes that plan's stamp, and the stamps of the scopes on its
  way to the plan (a reading: its indicator's);
- a row of the partnership itself (its name, organisations, memberships, invitations, health
  checks) changes the stamp of every plan of the partnership;
- a change to a person's name or address (anything but their password and last sign-in)
  changes every plan's stamp, since names are printed wherever that person owns or wrote
  something. (A scope's kept parts put the names they print in their keys instead.)

PostgreSQL: a statement-level trigger notes what the statement changed, for its own
transaction only (StampPending: a row per transaction and stamp, so two transactions never
wait for each other there), and the stamps themselves are written as the transaction commits
(a deferred constraint trigger), with values from a sequence, never reused even after a
rollback. A page read inside the transaction sees its changes through the pending count;
other transactions see a new stamp once the data is committed with it, never before.

SQLite (development): a row-level trigger writes a random new stamp at once; SQLite lets one
transaction write at a time.

The triggers are (re)installed after every ``migrate`` (and the test database's), from the
models as they then are; ``install`` does nothing when they are already those.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection as default_connection
from django.db.models import Field, Model

from improveplan import portability
from improveplan.models import Plan, Stamp, StampPending

PREFIX = "improveplan_stamp_"  # every function and trigger installed here is named so
SEQUENCE = f"{PREFIX}value"
# A person's columns whose change no page shows.
UNSHOWN_USER_COLUMNS = {"password", "last_login"}

_scopes: list[str] = []


def register(label: str) -> None:
    """Give each object of a model ("app_label.Model", one that belongs to a plan) a stamp
    of its own, changed by its own row and every row that hangs from it. Called from the
    app's ``ready()``, before the triggers are installed."""
    if label.lower() not in _scopes:
        _scopes.append(label.lower())


def scope_of(model: type[Model]) -> str:
    return model._meta.label_lower


def _scope_models() -> list[type[Model]]:
    return [Plan, *(apps.get_model(label) for label in _scopes)]


@dataclass(frozen=True)
class Watched:
    """A table whose changes change stamps, and the foreign keys from it to its partnership."""

    model: type[Model]
    table: str
    path: tuple[Field, ...]
    people: bool = False  # the table of people, whose changes change every plan

    def keys(self, scope: type[Model], rows: str, *, alias: str = "r") -> str | None:
        """A SELECT of the ids of ``scope`` that the rows in relation ``rows`` change (each
        row named ``alias``), or None when they change none."""
        plan = _q(Plan._meta.db_table)
        if self.people:
            return f"SELECT p.id AS changed FROM {plan} AS p" if scope is Plan else None  # noqa: S608
        if self.model is scope:
            key = f"{alias}.{_q(scope._meta.pk.column)}"
            return f"SELECT {key} AS changed FROM {rows} AS {alias}"  # noqa: S608
        on_the_way = next(
            (i for i, field in enumerate(self.path) if field.related_model is scope), None
        )
        if on_the_way is not None:
            key = _follow(self.path[: on_the_way + 1], alias)
            return f"SELECT {key} AS changed FROM {rows} AS {alias}"  # noqa: S608
        if scope is Plan and not any(field.related_model is Plan for field in self.path):
            # A row of the partnership itself: every plan of the partnership.
            partnership = _q(Plan._meta.get_field("partnership").column)
            key = _follow(self.path, alias)
            return (
                f"SELECT p.id AS changed FROM {plan} AS p WHERE p.{partnership} IN "  # noqa: S608
                f"(SELECT {key} FROM {rows} AS {alias})"
            )
        return None


def _q(name: str) -> str:
    return default_connection.ops.quote_name(name)


def _follow(path: tuple[Field, ...], alias: str, depth: int = 0) -> str:
    """The SQL for the id at the end of a chain of foreign keys, from a row named ``alias``:
    ``r.plan_id``, or ``(SELECT a1.plan_id FROM indicator AS a1 WHERE a1.id = r.indicator_id)``.
    An empty chain is the row's own id (a partnership's)."""
    if not path:
        return f"{alias}.{_q('id')}"
    first, rest = path[0], path[1:]
    if not rest:
        return f"{alias}.{_q(first.column)}"
    inner = f"a{depth + 1}"
    return (
        f"(SELECT {_follow(rest, inner, depth + 1)} "  # noqa: S608 - names from the models
        f"FROM {_q(first.related_model._meta.db_table)} AS {inner} "
        f"WHERE {inner}.{_q(first.target_field.column)} = {alias}.{_q(first.column)})"
    )


def _path(model: type[Model], lookup: str) -> tuple[Field, ...]:
    fields, current = [], model
    for name in lookup.split("__"):
        if name == "pk":
            break
        field = current._meta.get_field(name)
        fields.append(field)
        current = field.related_model
    return tuple(fields)


def watched() -> list[Watched]:
    """Every table whose changes change stamps, from the models as they are now: the
    partnership export's models, the links Django keeps between them, and people."""
    found = [
        Watched(model, _q(model._meta.db_table), _path(model, lookup))
        for model, lookup in portability.partnership_lookups().items()
    ]
    for item in list(found):
        for field in item.model._meta.local_many_to_many:
            through = field.remote_field.through
            if through._meta.auto_created:  # else a model of its own, in the map already
                own = through._meta.get_field(field.m2m_field_name())
                found.append(Watched(through, _q(through._meta.db_table), (own, *item.path)))
    people = get_user_model()
    found.append(Watched(people, _q(people._meta.db_table), (), people=True))
    return found


def _shown_user_columns() -> list[str]:
    return [
        _q(field.column)
        for field in get_user_model()._meta.concrete_fields
        if field.column not in UNSHOWN_USER_COLUMNS and not field.primary_key
    ]


# Installing -------------------------------------------------------------------------------


def _name(table: str, suffix: str = "") -> str:
    return f"{PREFIX}{table.strip(chr(34) + '`')}{suffix}"[:63]


def _postgresql_script() -> list[str]:
    stamp, pending = _q(Stamp._meta.db_table), _q(StampPending._meta.db_table)
    statements = [
        f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}",
        # Notes, for this transaction, that it changed these objects of a scope.
        f"""CREATE OR REPLACE FUNCTION {PREFIX}note(changed_scope text, keys bigint[])
        RETURNS void LANGUAGE sql AS $body$
            INSERT INTO {pending} (xact, scope, key, changes)
            SELECT txid_current(), changed_scope, changed, 1
            FROM (SELECT DISTINCT unnest(keys) AS changed) AS keys
            WHERE changed IS NOT NULL ORDER BY changed
            ON CONFLICT (xact, scope, key) DO UPDATE SET changes = {pending}.changes + 1
        $body$""",  # noqa: S608 - every name here comes from the models
        # As the transaction commits: a new stamp for each object it changed.
        f"""CREATE OR REPLACE FUNCTION {PREFIX}commit() RETURNS trigger
        LANGUAGE plpgsql AS $body$
        BEGIN
            INSERT INTO {stamp} (scope, key, value)
            VALUES (NEW.scope, NEW.key, nextval('{SEQUENCE}'))
            ON CONFLICT (scope, key) DO UPDATE SET value = EXCLUDED.value;
            DELETE FROM {pending} WHERE id = NEW.id;
            RETURN NULL;
        END
        $body$""",  # noqa: S608
        f"DROP TRIGGER IF EXISTS {PREFIX}commit ON {pending}",
        f"""CREATE CONSTRAINT TRIGGER {PREFIX}commit AFTER INSERT ON {pending}
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {PREFIX}commit()""",
    ]
    scopes = _scope_models()
    for item in watched():

        def notes(rows: str, item: Watched = item) -> str:
            return "\n".join(
                f"PERFORM {PREFIX}note('{scope_of(scope)}', ARRAY({keys}));"
                for scope in scopes
                if (keys := item.keys(scope, rows)) is not None
            )

        if item.people:
            new = ", ".join(f"n.{c}" for c in _shown_user_columns())
            old = ", ".join(f"o.{c}" for c in _shown_user_columns())
            body = f"""
            IF EXISTS (SELECT 1 FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id
                       WHERE ({new}) IS DISTINCT FROM ({old})) THEN
                {notes("new_rows")}
            END IF;"""  # noqa: S608
            operations = ["UPDATE"]
        else:
            body = f"""
            IF TG_OP <> 'DELETE' THEN
                {notes("new_rows")}
            END IF;
            IF TG_OP <> 'INSERT' THEN
                {notes("old_rows")}
            END IF;"""
            operations = ["INSERT", "UPDATE", "DELETE"]
        function = _name(item.table)
        statements.append(
            f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger
            LANGUAGE plpgsql AS $body$
            BEGIN{body}
                RETURN NULL;
            END
            $body$"""
        )
        transition = {
            "INSERT": "NEW TABLE AS new_rows",
            "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            "DELETE": "OLD TABLE AS old_rows",
        }
        for operation in operations:
            name = _name(item.table, f"_{operation.lower()}")
            statements += [
                f"DROP TRIGGER IF EXISTS {name} ON {item.table}",
                f"CREATE TRIGGER {name} AFTER {operation} ON {item.table} "
                f"REFERENCING {transition[operation]} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {function}()",
            ]
    return statements


def _sqlite_script() -> list[str]:
    stamp = _q(Stamp._meta.db_table)
    statements = []
    scopes = _scope_models()
    for item in watched():
        # SQLite's row triggers name the row NEW or OLD: read them as a one-row relation.
        def keys_of(row: str, scope, item: Watched = item) -> str | None:
            columns = ", ".join(
                f"{row}.{_q(field.column)} AS {_q(field.column)}" for field in _row_columns(item)
            )
            return item.keys(scope, f"(SELECT {columns})")

        if item.people:
            changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _shown_user_columns())
            cases = [("UPDATE", f"WHEN {changed}", ["NEW"])]
        else:
            cases = [
                ("INSERT", "", ["NEW"]),
                ("UPDATE", "", ["NEW", "OLD"]),
                ("DELETE", "", ["OLD"]),
            ]
        for operation, when, rows in cases:
            writes = []
            for scope in scopes:
                selects = [s for row in rows if (s := keys_of(row, scope)) is not None]
                if selects:
                    writes.append(
                        f"INSERT INTO {stamp} (scope, key, value) "  # noqa: S608
                        f"SELECT '{scope_of(scope)}', changed, random() "
                        f"FROM ({' UNION '.join(selects)}) AS keys "
                        f"WHERE changed IS NOT NULL "
                        f"ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value;"
                    )
            name = _name(item.table, f"_{operation.lower()}")
            statements += [
                f"DROP TRIGGER IF EXISTS {name}",
                f"CREATE TRIGGER {name} AFTER {operation} ON {item.table} FOR EACH ROW {when} "
                f"BEGIN {' '.join(writes)} END",
            ]
    return statements


def _row_columns(item: Watched) -> list[Field]:
    return [field for field in item.model._meta.concrete_fields if field.column]


def script(connection=default_connection) -> list[str]:
    if connection.vendor == "postgresql":
        return _postgresql_script()
    if connection.vendor == "sqlite":
        return _sqlite_script()
    return []


def _triggers_in(statements: list[str]) -> set[tuple[str, str]]:
    """(trigger, table) of each trigger the script creates."""
    found = set()
    for statement in statements:
        if statement.startswith(("CREATE TRIGGER", "CREATE CONSTRAINT TRIGGER")):
            words = statement.split()
            found.add((words[words.index("TRIGGER") + 1], words[words.index("ON") + 1].strip('"')))
    return found


def _installed_triggers(cursor, connection) -> set[tuple[str, str]]:
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT tgname, relname FROM pg_trigger JOIN pg_class ON pg_class.oid = tgrelid "
            "WHERE tgname LIKE %s",
            [f"{PREFIX}%"],
        )
    else:
        cursor.execute(
            "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
            [f"{PREFIX}%"],
        )
    return set(cursor.fetchall())


def _digest(statements: list[str]) -> str:
    return hashlib.blake2b("\n".join(statements).encode(), digest_size=16).hexdigest()


def installed(connection=default_connection) -> bool:
    """Whether the triggers for the models as they are now are in the database: not before
    ``migrate`` has run after a deployment that added a model, nor if they were removed."""
    statements = script(connection)
    if not statements:
        return False
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT obj_description(%s::regclass, 'pg_class')", [_q(Stamp._meta.db_table)]
            )
            if cursor.fetchone()[0] != _digest(statements):
                return False
        return _triggers_in(statements) <= _installed_triggers(cursor, connection)


def install(connection=default_connection) -> bool:
    """Install the triggers for the models as they are now, and remove any left on tables
    that no longer belong to a partnership. Nothing is done when the installed ones are
    already these (PostgreSQL keeps a digest of them in a comment on the stamp table).
    Returns whether anything was installed."""
    if installed(connection):
        return False
    statements = script(connection)
    if not statements:
        return False
    with connection.cursor() as cursor:
        for name, table in _installed_triggers(cursor, connection) - _triggers_in(statements):
            on_table = f" ON {_q(table)}" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on_table}")
        for statement in statements:
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            stamp = _q(Stamp._meta.db_table)
            cursor.execute(f"COMMENT ON TABLE {stamp} IS '{_digest(statements)}'")
    return True


# Reading ----------------------------------------------------------------------------------


def of(model: type[Model], keys: Iterable[int], connection=default_connection) -> dict[int, str]:
    """The stamps of these objects of a scope (plans, or a registered model) as text, in one
    query. Inside a transaction that changed one, its stamp says so (how many statements
    changed it, in which transaction) until the commit gives it a new number."""
    ids = sorted({int(pk) for pk in keys})
    if not ids:
        return {}
    scope = scope_of(model)
    stamp = _q(Stamp._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            pending = _q(StampPending._meta.db_table)
            cursor.execute(
                f"SELECT k.id, s.value, q.changes, q.xact "  # noqa: S608 - names from the models
                f"FROM unnest(%s::bigint[]) AS k(id) "
                f"LEFT JOIN {stamp} AS s ON s.scope = %s AND s.key = k.id "
                f"LEFT JOIN {pending} AS q ON q.scope = %s AND q.key = k.id",
                [ids, scope, scope],
            )
        else:
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(
                f"SELECT key, value, NULL, NULL FROM {stamp} "  # noqa: S608
                f"WHERE scope = %s AND key IN ({marks})",
                [scope, *ids],
            )
        rows = cursor.fetchall()
    found = dict.fromkeys(ids, "0")
    for pk, value, changes, xact in rows:
        found[pk] = f"{value or 0}" + (f".{changes}.{xact}" if changes else "")
    return found


def of_plans(plan_ids: Iterable[int]) -> dict[int, str]:
    return of(Plan, plan_ids)
