"""Write everything that belongs to one partnership to a JSON file, to import elsewhere."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from improveplan import security
from improveplan.models import Partnership, SecurityEvent
from improveplan.portability import ExportRefused, describe, export_partnership


class Command(BaseCommand):
    help = "Export a partnership, its plans and the people in it, as JSON (FILE “-” for stdout)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("partnership_id", type=int, metavar="ID")
        parser.add_argument("file", metavar="FILE")

    def handle(self, *args, partnership_id: int, file: str, **options) -> None:
        try:
            data = export_partnership(partnership_id=partnership_id)
        except Partnership.DoesNotExist:
            raise CommandError(f"There is no partnership with id {partnership_id}.") from None
        except ExportRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        summary = f"Exported {describe(data)}."
        security.record(
            SecurityEvent.Kind.EXPORT,
            partnership_id=partnership_id,
            detail=f"export_partnership to {file}: {describe(data)}",
        )
        if file == "-":
            self.stdout.write(text, ending="")
            self.stderr.write(summary)  # stdout is the export itself
            return
        try:
            Path(file).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Could not write {file}: {error.strerror}.") from error
        self.stdout.write(self.style.SUCCESS(f"{summary[:-1]} to {file}."))
