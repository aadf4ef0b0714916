"""Moving a whole partnership from one database to another.

`export_partnership` writes everything that belongs to one partnership as JSON-ready data;
`import_partnership` puts it into a database that does not hold it yet, keeping its ids.
The commands carry the data and the files its rows name (evidence files) as one zip archive
(`write_archive`, `read_archive`): the data as `partnership.json`, each file under `files/`
by its storage name. An import puts the rows and the files in, or neither.
Which models belong is found from their foreign keys, so a new model is carried without
changes here – or, if it is linked to a partnership's data in a way the export cannot
follow, `partnership_models()` stops with a message saying what to do.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date, time
from decimal import Decimal
from graphlib import CycleError, TopologicalSorter
from typing import Any, BinaryIO

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, connection, transaction
from django.db.models import CharField, Field, FileField, Model, QuerySet, TextField
from django.utils import timezone

from improveplan import history, text
from improveplan.models import Partnership

FORMAT = "improveplan-partnership"
VERSION = 1

# The apps whose models a partnership's data lives in.
PARTNERSHIP_APPS = ("improveplan", "outcomes", "actions", "reviews", "comments")

# Models ("app_label.ModelName") that stay with the database they were written in.
NOT_EXPORTED = {
    "improveplan.SecurityEvent",  # a record of this site's sign-ins, not of the partnership
    # The history of changes (django-simple-history) stays too: its rows point at users and at
    # since-deleted objects without constraints, so the export could not check them. Agreed
    # versions (PlanVersion) do travel: they are part of the plan.
    "outcomes.HistoricalOutcome",
    "outcomes.HistoricalIndicator",
    "outcomes.HistoricalReading",
    "outcomes.HistoricalTarget",
    "outcomes.HistoricalRisk",
    "outcomes.HistoricalExternalFactor",
    "actions.HistoricalExpectedEffect",
    "actions.HistoricalOptionEffect",
    "actions.HistoricalScenario",
    "actions.HistoricalAction",
    "actions.HistoricalMilestone",
    "actions.HistoricalDueDateProposal",
    "actions.HistoricalSpend",
    "actions.HistoricalBudget",
    "actions.HistoricalContribution",
    "actions.HistoricalAllocation",
    "actions.HistoricalMoneyMove",
    "actions.HistoricalAction_outcomes",
    "actions.HistoricalAction_supporting_organisations",
    "actions.HistoricalAction_depends_on",
    "actions.HistoricalAction_achievements",  # Issue 24: the plan's frame
    "actions.HistoricalStakeholder",
    "actions.HistoricalCommunication",
    "actions.HistoricalDeclaration",
    "improveplan.HistoricalSignUp",
    "improveplan.HistoricalPlan",
    "reviews.DigestClaim",  # which reminder emails this site sent: nothing to move
    "comments.HistoricalComment",
    # What this site told each person (under the bell, by email): nothing to move.
    "improveplan.Notification",
}


class ImportRefused(Exception):
    """The data cannot be imported into this database; nothing was changed."""


class ExportRefused(Exception):
    """The partnership's data is not self-contained, so an import of it would fail."""


# Which models belong to a partnership ---------------------------------------


def partnership_models() -> list[type[Model]]:
    """Partnership and every model tied to it by required foreign keys, each after the
    models it points to."""
    return list(_partnership_lookups())


def partnership_rows(model: type[Model], *, partnership_id: int) -> QuerySet:
    """The rows of one of `partnership_models()` that belong to the partnership."""
    return _rows(model, _partnership_lookups()[model], partnership_id)


def partnership_lookups() -> dict[type[Model], str]:
    """Each of `partnership_models()` with the lookup from it to its partnership's id, such
    as `plan__partnership` for a model whose rows hang off a plan."""
    return _partnership_lookups()


def _rows(model: type[Model], lookup: str, partnership_id: int) -> QuerySet:
    return model._base_manager.filter(**{lookup: partnership_id}).order_by("pk")


def _candidate_models() -> list[type[Model]]:
    user_model = get_user_model()
    # Compared as labels, so a name here need not be a model that exists (yet).
    skipped = {label.lower() for label in NOT_EXPORTED}
    return [
        model
        for app_label in PARTNERSHIP_APPS
        for model in apps.get_app_config(app_label).get_models()
        if model is not user_model
        and not model._meta.proxy
        and model._meta.label_lower not in skipped
    ]


def _relations(model: type[Model]) -> list[Field]:
    """The model's own foreign keys and one-to-ones, and its many-to-manys whose links
    Django keeps itself (one with a `through` model is carried by that model's rows)."""
    return [
        field
        for field in model._meta.get_fields()
        if field.is_relation
        and field.concrete
        and not (field.many_to_many and not field.remote_field.through._meta.auto_created)
    ]


def _user_fields(model: type[Model]) -> list[Field]:
    user_model = get_user_model()
    return [field for field in _relations(model) if field.related_model is user_model]


def _partnership_lookups() -> dict[type[Model], str]:
    """Each partnership model, in insertion order, with the lookup from it to the partnership's
    id (`plan__partnership` for a model whose rows hang off a plan)."""
    candidates = _candidate_models()
    lookups: dict[type[Model], str] = {Partnership: "pk"}
    pending = [model for model in candidates if model is not Partnership]
    while True:
        # Breadth first, so each model gets its shortest chain of required foreign keys.
        found = {}
        for model in pending:
            for field in _relations(model):
                target = field.related_model
                if field.many_to_many or field.null or target is model or target not in lookups:
                    continue
                found[model] = (
                    field.name if target is Partnership else f"{field.name}__{lookups[target]}"
                )
                break
        if not found:
            break
        lookups.update(found)
        pending = [model for model in pending if model not in found]

    user_model = get_user_model()
    for model in pending:
        if linked := [f.name for f in _relations(model) if f.related_model in lookups]:
            raise ImproperlyConfigured(
                f"{model._meta.label} points to a partnership's data ({', '.join(linked)}) but "
                "has no required foreign key leading to Partnership, so the partnership export "
                "cannot tell which partnership its rows belong to. Give it one, or add "
                f'"{model._meta.label}" to NOT_EXPORTED in improveplan/portability.py.'
            )
    for model in lookups:
        for field in _relations(model):
            if field.related_model not in lookups and field.related_model is not user_model:
                raise ImproperlyConfigured(
                    f"{model._meta.label}.{field.name} points to "
                    f"{field.related_model._meta.label}, "
                    "which is not part of a partnership, so an exported partnership could not "
                    "be imported into another database. Improve improveplan/portability.py "
                    "before adding such a link."
                )
    return {model: lookups[model] for model in _insertion_order(lookups)}


def _insertion_order(models: dict[type[Model], str]) -> list[type[Model]]:
    def graph(*, required_only: bool) -> dict:
        return {
            model: [
                field.related_model
                for field in _relations(model)
                if not field.many_to_many
                and field.related_model in models
                and field.related_model is not model
                and not (required_only and field.null)
            ]
            for model in models
        }

    try:
        return list(TopologicalSorter(graph(required_only=False)).static_order())
    except CycleError:
        # Two models point at each other through an optional link. The database checks
        # foreign keys at commit, so ordering by the required links is enough.
        return list(TopologicalSorter(graph(required_only=True)).static_order())


# Export --------------------------------------------------------------------


def export_partnership(*, partnership_id: int) -> dict:
    """Everything that belongs to the partnership, and the people it refers to, as data
    that `json.dumps` can write."""
    partnership = Partnership.objects.get(pk=partnership_id)
    lookups = _partnership_lookups()
    objects: dict[str, list[dict]] = {}
    user_ids: set = set()
    for model, lookup in lookups.items():
        rows = []
        for dumped in serializers.serialize("python", _rows(model, lookup, partnership.pk)):
            row = {"pk": dumped["pk"], **dumped["fields"]}
            for field in _relations(model):
                if field.many_to_many:
                    row[field.name] = sorted(row[field.name])
            for field in _user_fields(model):
                value = row[field.name]
                user_ids.update(value if field.many_to_many else [value])
            rows.append(row)
        objects[model._meta.label_lower] = rows

    user_ids.discard(None)
    users = get_user_model()._base_manager.filter(pk__in=user_ids).order_by("email")
    email_of = {user.pk: user.email for user in users}
    for model in lookups:
        for field in _user_fields(model):
            for row in objects[model._meta.label_lower]:
                value = row[field.name]
                if field.many_to_many:
                    row[field.name] = sorted(email_of[pk] for pk in value)
                elif value is not None:
                    row[field.name] = email_of[value]

    data = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "users": [
            {
                "email": user.email,
                "full_name": user.full_name,
                "is_active": user.is_active,
                "date_joined": user.date_joined,
            }
            for user in users
        ],
        "objects": objects,
    }
    data = _json_ready(data)
    if dangling := _dangling_references(data["objects"], list(lookups)):
        raise ExportRefused(
            f"“{partnership}” refers to rows of another partnership ({dangling}); "
            "correct them before exporting it."
        )
    return data


def _json_ready(value: Any) -> Any:
    """Dates and times at full precision (Django's JSON encoder drops microseconds)."""
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    if isinstance(value, date | time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _dangling_references(objects: dict[str, list[dict]], models: list[type[Model]]) -> str:
    """Links from the rows to partnership rows that are not among them, described briefly.
    With none, every row belongs to the one partnership in `objects`."""
    pks = {model: {row["pk"] for row in objects[model._meta.label_lower]} for model in models}
    dangling = []
    for model in models:
        for field in _relations(model):
            if field.related_model not in pks:
                continue
            for row in objects[model._meta.label_lower]:
                value = row.get(field.name)
                values = value if isinstance(value, list) else [value]
                missing = [v for v in values if v is not None and v not in pks[field.related_model]]
                if missing:
                    dangling.append(
                        f"{model._meta.label_lower} {row['pk']} {field.name} → {missing[0]}"
                    )
    return "; ".join(dangling[:3]) + ("…" if len(dangling) > 3 else "")


def describe(data: dict) -> str:
    """How many rows of each model, and how many people, the data holds: for a summary line."""
    counts = [f"{len(rows)} {label}" for label, rows in data.get("objects", {}).items() if rows]
    counts.append(f"{len(data.get('users', []))} users")
    return ", ".join(counts)


# Import --------------------------------------------------------------------


def import_partnership(*, data: dict, files: dict[str, bytes] | None = None) -> Partnership:
    """Put an exported partnership into this database, all or nothing. Its rows keep their
    ids; people are matched to existing accounts by email, or get a new account without a
    password (they set one through password reset). ``files`` are the files the rows name,
    by storage name (from the archive); they go into this site's storage with the rows, or,
    if anything fails, not at all."""
    files = files or {}
    models = partnership_models()
    objects = _objects_from(data, models)
    if too_long := _too_long(objects, models):
        raise ImportRefused(f"{too_long}; nothing was imported.")
    if dangling := _dangling_references(objects, models):
        raise ImportRefused(
            f"The file refers to rows it does not hold ({dangling}); nothing was imported."
        )
    _check_files(objects, models, files)
    written: list[str] = []
    imported = False
    try:
        with transaction.atomic():
            _refuse_what_exists(objects, models)
            user_ids = _accounts_for(data.get("users"))
            saved = []
            for model in models:
                dumped = [
                    {
                        "model": model._meta.label_lower,
                        "pk": row["pk"],
                        "fields": _fields_with_user_ids(model, row, user_ids),
                    }
                    for row in objects[model._meta.label_lower]
                ]
                for deserialized in serializers.deserialize("python", dumped):
                    if broken := text.one_line_problems(deserialized.object):
                        raise ImportRefused(
                            f"A {model._meta.verbose_name} in the file has a line break in its "
                            f"{', '.join(broken)}, which must be on one line; nothing was "
                            "imported."
                        )
                    saved.append((deserialized.object, deserialized.m2m_data))
                    deserialized.save(save_m2m=False, force_insert=True)
            # Many-to-many links last, once the rows at both ends exist. The history of
            # changes starts here: one "Added" row for each object whose changes are kept,
            # with its links, rather than a row for each link set.
            for obj, m2m_data in saved:
                obj.skip_history_when_saving = True
                for name, pks in (m2m_data or {}).items():
                    getattr(obj, name).set(pks)
                del obj.skip_history_when_saving
            for model in models:
                if history.has_history(model):
                    history.record([obj for obj, _ in saved if type(obj) is model], created=True)
            connection.check_constraints(table_names=[model._meta.db_table for model in models])
            # Rows came with their ids; move each id sequence past them for later inserts.
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)
            # The files last, once everything else has been accepted; removed again below
            # if the transaction still fails.
            _put_files(files, written)
        imported = True
    except (DeserializationError, ValidationError) as error:
        raise ImportRefused(
            f"The file holds a value that does not fit ({error}); nothing was imported."
        ) from error
    except DatabaseError as error:
        raise ImportRefused(
            f"The database refused the data ({error}); nothing was imported."
        ) from error
    finally:
        if not imported:
            for name in written:
                default_storage.delete(name)
    return Partnership.objects.get(pk=objects["improveplan.partnership"][0]["pk"])


# Files: evidence and anything else a row keeps in the file storage -------------------

ARCHIVE_DATA = "partnership.json"
ARCHIVE_FILES = "files/"
# The names this site gives stored files: a folder, then letters, digits, dots, dashes and
# underscores; never a ".." or an absolute path.
_STORED_NAME = re.compile(r"(?!/)(?!.*(^|/)\.\.?(/|$))[A-Za-z0-9._/-]{1,300}")
# No evidence file is larger than UPLOAD_MAX_MB allows (at most 100 MB).
LARGEST_FILE = 100 * 1_048_576


def _file_fields(model: type[Model]) -> list[FileField]:
    return [field for field in model._meta.concrete_fields if isinstance(field, FileField)]


def file_names(data: dict) -> list[str]:
    """The stored files an export's rows name, each once, in order."""
    names: dict[str, None] = {}
    models = {model._meta.label_lower: model for model in partnership_models()}
    for label, rows in (data.get("objects") or {}).items():
        model = models.get(label)
        for field in _file_fields(model) if model else []:
            for row in rows if isinstance(rows, list) else []:
                if isinstance(row, dict) and (name := row.get(field.name)):
                    names[name] = None
    return list(names)


def write_archive(data: dict, target: BinaryIO) -> int:
    """The export and every file its rows name, as one zip archive; returns how many files.
    A file missing from the storage stops the export: an archive without it could not be
    imported whole."""
    names = file_names(data)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        archive.writestr(ARCHIVE_DATA, text)
        for name in names:
            try:
                with default_storage.open(name, "rb") as stored:
                    archive.writestr(ARCHIVE_FILES + name, stored.read())
            except FileNotFoundError:
                raise ExportRefused(
                    f"The file {name}, which the partnership's data names, is not in the file "
                    "storage; restore it from a backup before exporting."
                ) from None
    return len(names)


def read_archive(raw: bytes) -> tuple[Any, dict[str, bytes]]:
    """The export's data and its files from an archive, or the data alone from the JSON file
    that exports were before they carried files."""
    if not raw.startswith(b"PK\x03\x04"):
        try:
            return json.loads(raw.decode("utf-8")), {}
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ImportRefused(f"The file is not valid JSON: {error}.") from error
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            entries = [entry for entry in archive.infolist() if not entry.is_dir()]
            if ARCHIVE_DATA not in {entry.filename for entry in entries}:
                raise ImportRefused(f"The archive holds no {ARCHIVE_DATA}; it is not an export.")
            files = {}
            for entry in entries:
                if entry.filename == ARCHIVE_DATA:
                    continue
                name = entry.filename.removeprefix(ARCHIVE_FILES)
                if not entry.filename.startswith(ARCHIVE_FILES) or not _STORED_NAME.fullmatch(name):
                    raise ImportRefused(
                        f"The archive holds {entry.filename!r}, which is not a file of an "
                        "export; nothing was imported."
                    )
                if entry.file_size > LARGEST_FILE:
                    raise ImportRefused(f"The file {name} in the archive is too large.")
                files[name] = archive.read(entry)
            text = archive.read(ARCHIVE_DATA).decode("utf-8")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
        raise ImportRefused(f"The archive cannot be read: {error}.") from error
    except UnicodeDecodeError as error:
        raise ImportRefused(f"{ARCHIVE_DATA} is not text: {error}.") from error
    try:
        return json.loads(text), files
    except json.JSONDecodeError as error:
        raise ImportRefused(f"{ARCHIVE_DATA} is not valid JSON: {error}.") from error


def _check_files(objects: dict[str, list[dict]], models: list[type[Model]], files: dict) -> None:
    """Every file the rows name comes with them, and nothing else does."""
    named = file_names({"objects": objects})
    for name in named:
        if not isinstance(name, str) or not _STORED_NAME.fullmatch(name):
            raise ImportRefused(f"The file names a stored file as {name!r}; nothing was imported.")
    if missing := [name for name in named if name not in files]:
        raise ImportRefused(
            f"The rows name {len(missing)} files the archive does not hold ({missing[0]}…); "
            "export the partnership again with its files. Nothing was imported."
        )
    if extra := sorted(set(files) - set(named)):
        raise ImportRefused(
            f"The archive holds files no row names ({extra[0]}); nothing was imported."
        )


def _put_files(files: dict[str, bytes], written: list[str]) -> None:
    for name, content in files.items():
        if default_storage.exists(name):
            # The same storage as the site exported from, or an import tried before.
            with default_storage.open(name, "rb") as stored:
                if stored.read() == content:
                    continue
            raise ImportRefused(
                f"This site's file storage already holds a different file named {name}; "
                "nothing was imported."
            )
        saved = default_storage.save(name, ContentFile(content))
        written.append(saved)
        if saved != name:
            raise ImportRefused(f"The file {name} could not be stored under its own name.")


def _objects_from(data: dict, models: list[type[Model]]) -> dict[str, list[dict]]:
    """The file's rows by model label, once its shape is known to be right."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportRefused(f"This is not an ImprovePlan partnership export (format “{FORMAT}”).")
    if data.get("version") != VERSION:
        raise ImportRefused(
            f"The file is version {data.get('version')!r} of the partnership export; "
            f"this site reads version {VERSION}."
        )
    given = data.get("objects")
    if not isinstance(given, dict) or not isinstance(data.get("users"), list):
        raise ImportRefused("The file has no “objects” and “users”; it is not a complete export.")
    known = {model._meta.label_lower: model for model in models}
    if unknown := sorted(set(given) - set(known)):
        raise ImportRefused(
            f"The file holds {', '.join(unknown)}, which this site does not import; "
            "it may come from a newer version of ImprovePlan."
        )
    objects = {}
    for label in known:
        rows = given.get(label, [])
        if not isinstance(rows, list) or not all(
            isinstance(row, dict) and isinstance(row.get("pk"), int | str) for row in rows
        ):
            raise ImportRefused(f"The {label} rows in the file are not rows with ids.")
        objects[label] = rows
    if len(objects["improveplan.partnership"]) != 1:
        raise ImportRefused("The file must hold exactly one partnership.")
    return objects


def _too_long(objects: dict[str, list[dict]], models: list[type[Model]]) -> str:
    """The first text in the file longer than its field's max_length (which the database
    does not check for a TextField), said plainly; "" if none is."""
    for model in models:
        limits = {
            field.name: field.max_length
            for field in model._meta.concrete_fields
            if isinstance(field, CharField | TextField) and field.max_length
        }
        for row in objects[model._meta.label_lower]:
            for name, most in limits.items():
                value = row.get(name)
                if isinstance(value, str) and len(value) > most:
                    return (
                        f"The {model._meta.verbose_name} with id {row['pk']} has a "
                        f"{model._meta.get_field(name).verbose_name} of {len(value):,} "
                        f"characters; the most it may have is {most:,}"
                    )
    return ""


def _refuse_what_exists(objects: dict[str, list[dict]], models: list[type[Model]]) -> None:
    imported = objects["improveplan.partnership"][0]
    name = imported.get("name", "")
    if existing := Partnership.objects.filter(name__iexact=name).first():
        raise ImportRefused(
            f"This database already holds the partnership “{existing}” (id {existing.pk}); "
            "nothing was imported."
        )
    if existing := Partnership.objects.filter(pk=imported["pk"]).first():
        raise ImportRefused(
            f"This database already uses id {existing.pk}, for the partnership “{existing}”; "
            "nothing was imported."
        )
    for model in models:
        pks = [model._meta.pk.to_python(row["pk"]) for row in objects[model._meta.label_lower]]
        taken = []
        for start in range(0, len(pks), 500):  # SQLite limits a query's parameters
            chunk = pks[start : start + 500]
            taken += model._base_manager.filter(pk__in=chunk).values_list("pk", flat=True)
        if taken:
            ids = ", ".join(str(pk) for pk in sorted(taken)[:10])
            raise ImportRefused(
                f"This database already holds {model._meta.verbose_name_plural} with the ids "
                f"{ids} from the file; nothing was imported."
            )


def _accounts_for(users: list) -> dict[str, Any]:
    """The id of each person's account by lower-case email, making the accounts that are
    missing. Nothing but email, name, active and joining date is taken from the file."""
    user_model = get_user_model()
    ids = {}
    for person in users:
        email = person.get("email") if isinstance(person, dict) else None
        if not isinstance(email, str) or not email.strip():
            raise ImportRefused("Each of the file's users needs an email address.")
        email = email.strip()
        user = user_model._base_manager.filter(email__iexact=email).first()
        if user is None:
            date_joined = user_model._meta.get_field("date_joined").to_python(
                person.get("date_joined")
            )
            user = user_model.objects.create_user(
                email,
                None,  # an unusable password
                full_name=person.get("full_name") or "",
                is_active=person.get("is_active") is not False,
                date_joined=date_joined or timezone.now(),
            )
        ids[email.lower()] = user.pk
    return ids


def _fields_with_user_ids(model: type[Model], row: dict, user_ids: dict[str, Any]) -> dict:
    """The row's fields as the deserializer takes them, people as account ids."""

    def user_id(email: Any) -> Any:
        if not isinstance(email, str) or email.strip().lower() not in user_ids:
            raise ImportRefused(
                f"{model._meta.label_lower} {row['pk']} refers to {email!r}, "
                "who is not among the file's users; nothing was imported."
            )
        return user_ids[email.strip().lower()]

    fields = {key: value for key, value in row.items() if key != "pk"}
    for field in _user_fields(model):
        value = fields.get(field.name)
        if field.many_to_many:
            fields[field.name] = [user_id(email) for email in value or []]
        elif value is not None:
            fields[field.name] = user_id(value)
    return fields
