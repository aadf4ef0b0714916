"""Send the day's reminder digests now, as the scheduled run does: `--dry-run` to see who would
get what without sending or claiming anything."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reviews import services
from reviews.reminders import build_digests


class Command(BaseCommand):
    help = "Send each person's reminder digest for a day (today by default), at most once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Print, send nothing.")
        parser.add_argument("--date", help="The day to remind about, as YYYY-MM-DD.")

    def handle(self, *args, dry_run: bool = False, date: str | None = None, **options) -> None:
        day = self._day(date)
        if not dry_run:
            queued = services.digests_run(day=day)
            self.stdout.write(f"Queued {queued} reminder digest{'s' * (queued != 1)} for {day}.")
            return
        digests = build_digests(day)
        for digest in sorted(digests.values(), key=lambda d: d.email):
            self.stdout.write(f"{digest.email} ({digest.name}):")
            for _, heading, items in digest.sections():
                self.stdout.write(f"  {heading}:")
                for item in items:
                    self.stdout.write(f"    - {item.text} ({item.plan}): {item.detail}")
                    self.stdout.write(f"      {item.url}")
        self.stdout.write(
            f"Dry run: {len(digests)} digest{'s' * (len(digests) != 1)} for {day}; "
            "nothing sent, nothing claimed."
        )

    @staticmethod
    def _day(text: str | None):
        if not text:
            return timezone.localdate()
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise CommandError(
                f"--date should be a day written YYYY-MM-DD, not {text!r}."
            ) from None
