"""Write everything that belongs to one partnership, and its evidence files, to one archive,
to import elsewhere."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from improveplan import security
from improveplan.models import Partnership, SecurityEvent
from improveplan.portability import ExportRefused, describe, export_partnership, write_archive


class Command(BaseCommand):
    help = (
        "Export a partnership, its plans, the people in it and its evidence files, as one zip "
        "archive (FILE “-” for stdout)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("partnership_id", type=int, metavar="ID")
        parser.add_argument("file", metavar="FILE")

    def handle(self, *args, partnership_id: int, file: str, **options) -> None:
        archive = io.BytesIO()
        try:
            data = export_partnership(partnership_id=partnership_id)
            files = write_archive(data, archive)
        except Partnership.DoesNotExist:
            raise CommandError(f"There is no partnership with id {partnership_id}.") from None
        except ExportRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        summary = f"Exported {describe(data)}, {files} files."
        security.record(
            SecurityEvent.Kind.EXPORT,
            partnership_id=partnership_id,
            detail=f"export_partnership to {file}: {describe(data)}, {files} files",
        )
        if file == "-":
            out = getattr(self.stdout._out, "buffer", None)
            if out is None:
                raise CommandError("Standard output here takes text only; name a FILE instead.")
            out.write(archive.getvalue())
            out.flush()
            self.stderr.write(summary)  # stdout is the export itself
            return
        try:
            Path(file).write_bytes(archive.getvalue())
        except OSError as error:
            raise CommandError(f"Could not write {file}: {error.strerror}.") from error
        self.stdout.write(self.style.SUCCESS(f"{summary[:-1]} to {file}."))
