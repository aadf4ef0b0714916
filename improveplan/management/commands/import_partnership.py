"""Load a partnership written by export_partnership into this database."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models.functions import Lower

from improveplan import security
from improveplan.models import SecurityEvent, User
from improveplan.portability import ImportRefused, describe, import_partnership, read_archive


class Command(BaseCommand):
    help = (
        "Import a partnership, and its files, exported by export_partnership (FILE “-” for "
        "stdin). "
        "It must not be in this database yet; nothing is changed if anything is wrong."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", metavar="FILE")

    def handle(self, *args, file: str, **options) -> None:
        try:
            raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"Could not read {file}: {error}.") from error
        try:
            data, files = read_archive(raw)
        except ImportRefused as refusal:
            raise CommandError(f"{file}: {refusal}") from refusal

        # Counted before the import makes them, to tell the operator who needs a password.
        people = data.get("users") if isinstance(data, dict) else None
        emails = {
            person["email"].strip().lower()
            for person in (people if isinstance(people, list) else [])
            if isinstance(person, dict) and isinstance(person.get("email"), str)
        }
        known = User.objects.annotate(address=Lower("email")).filter(address__in=emails).count()
        try:
            partnership = import_partnership(data=data, files=files)
        except ImportRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        security.record(
            SecurityEvent.Kind.IMPORT,
            partnership_id=partnership.pk,
            detail=f"import_partnership from {file}: {describe(data)}, {len(files)} files",
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported “{partnership}” (id {partnership.pk}): {describe(data)}, "
                f"{len(files)} files; "
                f"{len(emails) - known} new accounts, who sign in after a password reset."
            )
        )
