"""The history of changes to outcomes, indicators, targets, readings, actions and milestones.

django-simple-history keeps a row per save (and per delete) in a Historical<Model> table, with
who and when; an action's row also keeps the links it had then (outcomes served, supporting
organisations, dependencies) in a table per link. Here those rows become what a reader wants:
which field changed, from what to what, which links were added or removed, by whom and when.
A page of history costs a fixed number of queries: the rows, the rows before them, one query
per kind of link, and one per kind of linked object (an owner, an organisation).

Writes that skip ``save()`` (``QuerySet.update()``, ``bulk_create``, ``bulk_update``, raw SQL,
links written through their ``through`` model) must call ``record()`` (objects in hand) or
``record_rows()`` (many rows, by pk) afterwards. A save followed by changes to the links goes
inside ``one_entry()``, so it is one entry rather than one per link added or removed; a
delete goes inside ``deleting()``, for the objects it changes without saving them:
improveplan/tests/test_history.py and test_history_of_links.py check each path leaves one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, router
from django.db.models import ForeignKey, Model, QuerySet
from django.db.models.deletion import Collector
from django.utils import timezone

from improveplan.plandiff import NOTHING, FieldChange

LIMIT = 200  # entries on one history page, newest first
KINDS = {"+": "Added", "~": "Changed", "-": "Deleted"}
# Bookkeeping a reader of the history does not need.
HIDDEN_FIELDS = {"id", "plan", "number"}
# What a reader calls a kind of link, where its field's own name would not say it.
LINK_LABELS = {"outcomes": "Outcomes served"}


@dataclass(frozen=True)
class Entry:
    what: str  # e.g. "Target", "Reading"
    name: str  # the object as it was named then
    kind: str  # Added, Changed, Deleted
    who: str
    when: datetime
    changes: tuple[FieldChange, ...]


def record(
    objects: Iterable[Model], *, user=None, created: bool = False, batch_size: int = 2000
) -> None:
    """Write a history row for each of the objects, saved without ``save()``: give them as
    they now are (with their pks). ``user`` defaults to the person making the request."""
    objects = list(objects)
    if objects:
        manager = type(objects[0]).history
        rows = manager.bulk_history_create(
            objects, update=not created, default_user=user, batch_size=batch_size
        )
        _record_links(manager.model, rows, batch_size=batch_size)


def _record_links(history_model, rows: list, *, batch_size: int) -> None:
    """Copy each object's links as they are now beside its new history rows: one query to
    read and one to write per kind of link, however many rows."""
    for field in _link_fields(history_model):
        link_history = getattr(history_model, field.name).model
        own, other = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
        links = defaultdict(list)
        for pk, owner, linked in field.remote_field.through.objects.filter(
            **{f"{own}__in": {row.id for row in rows}}
        ).values_list("pk", own, other):
            links[owner].append((pk, linked))
        link_history.objects.bulk_create(
            (
                link_history(id=pk, history_id=row.pk, **{own: row.id, other: linked})
                for row in rows
                for pk, linked in links[row.id]
            ),
            batch_size=batch_size,
        )


@contextmanager
def one_entry(instance: Model, *, created: bool = False, user=None) -> Iterator[Model]:
    """Record the saves of ``instance`` and the changes to its links made inside as one
    history row, written at the end. Without it, django-simple-history writes a row for the
    save and another for each link added or removed (``set()`` removes, then adds), so one
    form saved would read as several changes, the first with the links as they were."""
    instance.skip_history_when_saving = True
    try:
        yield instance
    finally:
        del instance.skip_history_when_saving
    record([instance], user=user, created=created)


@contextmanager
def deleting(obj: Model) -> Iterator[None]:
    """Deleting an object changes others without saving them: the delete takes it, and all
    it cascades to, out of the links their history keeps (an outcome out of the actions
    serving it) and empties their keys to it that are ``SET_NULL`` (an outcome's indicators
    out of the actions they measured). Record those objects after the delete inside, so their
    history says what went, when and by whom."""
    collector = Collector(using=router.db_for_write(type(obj)))
    collector.collect([obj])  # what the delete will do, found as the delete finds it
    gone = {(model, item.pk) for model, items in collector.data.items() for item in items}
    touched: dict[type[Model], set[int]] = defaultdict(set)
    for (field, _), batches in collector.field_updates.items():
        if has_history(field.model):
            for batch in batches:
                touched[field.model].update(item.pk for item in batch)
    for model in filter(has_history, apps.get_models()):
        for field in _link_fields(model.history.model):
            ids = {pk for kind, pk in gone if issubclass(kind, field.related_model)}
            if ids:
                linked = model._base_manager.filter(**{f"{field.name}__in": ids})
                touched[model].update(linked.values_list("pk", flat=True))
    yield
    for model, pks in touched.items():
        pks -= {pk for kind, pk in gone if kind is model}
        record(model._base_manager.filter(pk__in=pks).order_by("pk"))


def has_history(model) -> bool:
    """Whether django-simple-history keeps the model's changes."""
    return hasattr(model._meta, "simple_history_manager_attribute")


def record_rows(model, pks: list[int], *, user=None, created: bool = False) -> None:
    """The same as ``record()`` for rows just written in bulk, given by pk: the database copies
    them into the history table itself (INSERT … SELECT), so a 100,000-row import does not
    build 100,000 objects again. ``user`` must be given: there may be no request. Not for a
    model whose history keeps links (an action): use ``record()``, which copies them too."""
    history_model = model.history.model
    if history_model._history_m2m_fields:
        raise ValueError(f"{model.__name__}'s history keeps links: use record().")
    name = connection.ops.quote_name
    fields = history_model.tracked_fields
    columns = ", ".join(name(field.column) for field in fields)
    bookkeeping = ["history_date", "history_change_reason", "history_type", "history_user"]
    into = ", ".join(name(history_model._meta.get_field(field).column) for field in bookkeeping)
    when = history_model._meta.get_field("history_date").get_db_prep_save(
        timezone.now(), connection
    )
    kind = "+" if created else "~"
    user_id = user.pk if user is not None else None
    with connection.cursor() as cursor:
        for start in range(0, len(pks), 1000):
            batch = pks[start : start + 1000]
            # Only the models' own table and column names go into the text; values are params.
            cursor.execute(
                f"INSERT INTO {name(history_model._meta.db_table)} ({columns}, {into}) "  # noqa: S608
                f"SELECT {columns}, %s, NULL, %s, %s FROM {name(model._meta.db_table)} "
                f"WHERE {name(model._meta.pk.column)} IN ({', '.join(['%s'] * len(batch))})",
                [when, kind, user_id, *batch],
            )


def _tracked(model) -> list:
    return [
        field for field in model.history.model.tracked_fields if field.name not in HIDDEN_FIELDS
    ]


def _names_of_linked(model, rows: list) -> dict:
    """For each foreign key of the model, the names of the objects its history rows point at:
    one query per key, however many rows (and one more where some have since been deleted)."""
    names = {}
    for field in _tracked(model):
        if isinstance(field, ForeignKey):
            ids = {getattr(row, field.attname) for row in rows} - {None}
            names[field.attname] = _names_of(field.related_model, ids)
    return names


def _names_of(model, ids: set[int]) -> dict[int, str]:
    """The objects' names by id; for one since deleted, the name its own history last gave
    it, if it has a history."""
    if not ids:
        return {}
    found = model._base_manager.in_bulk(ids)
    if model is get_user_model():
        return {pk: user.full_name for pk, user in found.items()}
    names = {pk: str(obj) for pk, obj in found.items()}
    gone = ids - set(names)
    if gone and has_history(model):
        # Oldest first, so each id ends with the name it had last.
        for row in model.history.filter(id__in=gone).order_by("history_date", "history_id"):
            names[row.id] = _name(model, row, {})
    return names


def _shown(field, value, names: dict) -> str:
    if isinstance(field, ForeignKey) and value is not None:
        return names.get(field.attname, {}).get(value, f"(removed, id {value})")
    if field.choices and value not in (None, ""):
        return str(dict(field.flatchoices).get(value, value))
    return _plain(value)


def _plain(value) -> str:
    if value is None or value == "":
        return NOTHING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, datetime):
        value = timezone.localtime(value)
        return f"{value.day} {value:%B %Y, %H:%M}"
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


def _changes(fields, old, new, names: dict) -> tuple[FieldChange, ...]:
    """Fields that differ from the row before; for a new object, every field given a value."""
    changes = []
    for field in fields:
        after = getattr(new, field.attname)
        if old is None:
            if after in (None, ""):
                continue
            before_text = NOTHING
        elif getattr(old, field.attname) == after:
            continue
        else:
            before_text = _shown(field, getattr(old, field.attname), names)
        label = str(field.verbose_name)
        changes.append(
            FieldChange(label[:1].upper() + label[1:], before_text, _shown(field, after, names))
        )
    return tuple(changes)


def _link_fields(history_model) -> list:
    """The links a history keeps, in the order the model declares them (django-simple-history
    holds them in no order)."""
    return sorted(history_model._history_m2m_fields, key=lambda field: field.creation_counter)


def _links_of(model, rows: list) -> dict[str, dict[int, set[int]]]:
    """For each kind of link the model's history keeps, the ids each history row linked to:
    one query per kind, however many rows."""
    history_model = model.history.model
    links = {}
    for field in _link_fields(history_model):
        link_history = getattr(history_model, field.name).model
        linked = defaultdict(set)
        for history_id, other in link_history.objects.filter(
            history_id__in={row.history_id for row in rows}
        ).values_list("history_id", f"{field.m2m_reverse_field_name()}_id"):
            linked[history_id].add(other)
        links[field.name] = linked
    return links


def _names_of_links(model, links: dict) -> dict[str, dict[int, str]]:
    """The names of the objects linked to: one query per kind of link (and one more where
    some have since been deleted)."""
    return {
        field.name: _names_of(field.related_model, set().union(*links[field.name].values()))
        for field in _link_fields(model.history.model)
    }


def _link_changes(model, old, new, links: dict, names: dict) -> tuple[FieldChange, ...]:
    """Links added and removed since the row before; for a new object, the links it has."""
    changes = []
    for field in _link_fields(model.history.model):
        label = LINK_LABELS.get(field.name) or str(field.verbose_name).capitalize()
        linked, shown = links[field.name], names[field.name]
        after = linked.get(new.history_id, set())
        if old is None:
            if after:
                changes.append(FieldChange(label, NOTHING, "\n".join(_listed(after, shown))))
            continue
        before = linked.get(old.history_id, set())
        if before == after:
            continue
        what = [f"added “{name}”" for name in _listed(after - before, shown)]
        what += [f"removed “{name}”" for name in _listed(before - after, shown)]
        was = "\n".join(_listed(before, shown)) or NOTHING
        changes.append(FieldChange(label, was, "\n".join(what)))
    return tuple(changes)


def _listed(ids: set[int], names: dict[int, str]) -> list[str]:
    return sorted(names.get(pk, f"(removed, id {pk})") for pk in ids)


def _entries(model, history: QuerySet, limit: int) -> list[Entry]:
    latest = list(
        history.select_related("history_user").order_by("-history_date", "-history_id")[:limit]
    )
    if not latest:
        return []
    # Each row is compared with the one before it for the same object.
    earlier = history.filter(id__in={row.id for row in latest}).order_by(
        "history_date", "history_id"
    )
    previous: dict[int, Model] = {}
    before: dict[int, Model | None] = {}
    for row in earlier.only(*[f.attname for f in _tracked(model)], "id", "history_id"):
        before[row.history_id] = previous.get(row.id)
        previous[row.id] = row
    names = _names_of_linked(model, latest + [row for row in before.values() if row])
    links = _links_of(model, latest + [row for row in before.values() if row])
    link_names = _names_of_links(model, links)
    fields = _tracked(model)
    label = label_of(model).capitalize()
    entries = []
    for row in latest:
        # A row that adds the object starts afresh, even where an import brought its id back.
        old = before.get(row.history_id) if row.history_type != "+" else None
        changes = ()
        if row.history_type != "-":
            changes = _changes(fields, old, row, names)
            changes += _link_changes(model, old, row, links, link_names)
        if row.history_type == "~" and not changes:
            continue  # saved as it was: nothing for a reader
        user = row.history_user
        entries.append(
            Entry(
                what=label,
                name=_name(model, row, names),
                kind=KINDS[row.history_type],
                who=user.full_name if user else "the system",
                when=row.history_date,
                changes=changes,
            )
        )
    return entries


def _name(model, row, names: dict) -> str:
    """How the object was named in that row, without another query."""
    name = getattr(row, "reference", "") or getattr(row, "code", "")
    for attribute in ("title", "statement", "name"):
        if getattr(row, attribute, ""):
            return f"{name} {getattr(row, attribute)}".strip()
    if model.__name__ == "Reading":
        where = f" ({row.breakdown})" if row.breakdown else ""
        return f"{_plain(row.period)}{where}: {_plain(row.value)}"
    if model.__name__ == "DueDateProposal":
        return f"to {_plain(row.proposed_due)}"
    if model.__name__ == "Target":
        return f"{row.get_kind_display()} target"
    # Issue 24: a plan's money, named by whom or what it is for.
    if model.__name__ == "Budget":
        return "of the plan"
    if model.__name__ == "MoneyMove":
        return f"from “{row.from_name}” to “{row.to_name}”"
    if model.__name__ in ("Contribution", "Allocation"):
        key = "organisation_id" if model.__name__ == "Contribution" else "outcome_id"
        if found := names.get(key, {}).get(getattr(row, key)):
            return f"of {found}" if key == "organisation_id" else f"to “{found}”"
    return name or f"{label_of(model)} {row.id}"


def label_of(model) -> str:
    return str(model._meta.verbose_name)


def history_of(*sources: tuple[type[Model], dict], limit: int = LIMIT) -> list[Entry]:
    """Entries, newest first, for each (model, filter on its history rows) given: e.g.
    ``(Target, {"indicator_id": 7})`` for every target an indicator has had, even deleted."""
    entries = []
    for model, lookup in sources:
        entries += _entries(model, model.history.filter(**lookup), limit)
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]
