"""Send the day's reminder digests now, as the scheduled run does: `--dry-run` to see who would
get what without sending or claiming anything, `--status` to see what is stuck, and
`--retry-failed DATE` to send a day's failed digests again once the cause is fixed."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reviews import services
from reviews.models import DigestClaim
from reviews.reminders import build_digests, failure_reason

Status = DigestClaim.Status
STUCK = [Status.CLAIMED, Status.WAITING, Status.UNCERTAIN, Status.FAILED]
STATUS_DAYS = 7  # how far back --status looks


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


class Command(BaseCommand):
    help = "Send each person's reminder digest for a day (today by default), at most once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Print, send nothing.")
        parser.add_argument("--date", help="The day to remind about, as YYYY-MM-DD.")
        parser.add_argument(
            "--status",
            action="store_true",
            help=f"List the last {STATUS_DAYS} days' unsent, failed and stale digests.",
        )
        parser.add_argument(
            "--retry-failed",
            metavar="DATE",
            help="Send that day's failed digests again (once the cause is fixed).",
        )

    def handle(self, *args, dry_run: bool = False, date: str | None = None, **options) -> None:
        if options["status"]:
            return self.status()
        if options["retry_failed"]:
            return self.retry_failed(self._day(options["retry_failed"], "--retry-failed"))
        day = self._day(date)
        if dry_run:
            return self.dry_run(day)
        result = services.digests_run(day=day)
        for line in self.housekeeping(result):
            self.stdout.write(line)
        taken = f" ({result.taken_over} left by earlier runs)" if result.taken_over else ""
        self.report_queued(result, f"reminder digest{'s' * (result.held != 1)} for {day}{taken}")

    def report_queued(self, result: services.RunResult, what: str) -> None:
        if result.not_queued:
            raise CommandError(
                f"{result.queue_error}. {result.queued} of {result.held} {what} queued; "
                f"the other {result.not_queued} wait for the next reminder run (on the hour) or "
                "for this command again once the task queue answers."
            )
        self.stdout.write(f"Queued {result.queued} {what}.")

    @staticmethod
    def housekeeping(result: services.RunResult) -> list[str]:
        lines = []
        if result.replaced:
            lines.append(
                f"{plural(result.replaced, 'unsent digest')} of the day before replaced by today's."
            )
        if result.given_up:
            lines.append(
                f"Gave up {plural(result.given_up, 'digest')} older than yesterday and still "
                "unsent (see --status)."
            )
        return lines

    def retry_failed(self, day: date) -> None:
        result = services.digests_send_again(DigestClaim.objects.filter(day=day))
        uncertain = DigestClaim.objects.filter(day=day, status=Status.UNCERTAIN).count()
        if uncertain:
            self.stdout.write(
                f"{plural(uncertain, 'digest')} of {day} may have been delivered (delivery "
                "uncertain) and are not sent again: check the mail server's log."
            )
        self.report_queued(result, f"failed digest{'s' * (result.held != 1)} of {day} again")

    def status(self) -> None:
        now = timezone.now()
        stale_before = now - timedelta(minutes=settings.REMINDER_STALE_MINUTES)
        since = timezone.localdate() - timedelta(days=STATUS_DAYS - 1)
        rows = (
            DigestClaim.objects.filter(day__gte=since, status__in=STUCK)
            .order_by("day", "status")
            .values_list("day", "status", "claimed_at", "last_error")
        )
        by_day: dict[date, Counter] = defaultdict(Counter)
        for day, status, claimed_at, error in rows:
            if status == Status.CLAIMED:
                if claimed_at >= stale_before:
                    heading = "being sent now (claimed in the last "
                    heading += f"{settings.REMINDER_STALE_MINUTES} minutes)"
                    by_day[day][(heading, "")] += 1
                    continue
                heading = "stale: claimed by a run that has gone, not sent; the next run takes it"
            else:
                heading = {
                    Status.WAITING: "unsent, waiting for the next run",
                    Status.UNCERTAIN: "delivery uncertain: not sent again by itself",
                    Status.FAILED: "failed: send again with --retry-failed once fixed",
                }[status]
            by_day[day][(heading, failure_reason(error))] += 1
        if not by_day:
            self.stdout.write(f"No unsent, failed or stale digests since {since}.")
            return
        for day in sorted(by_day):
            self.stdout.write(f"{day}: {plural(sum(by_day[day].values()), 'digest')} not sent")
            for (heading, why), count in sorted(by_day[day].items()):
                self.stdout.write(f"  {count} {heading}" + (f": {why}" if why else ""))

    def dry_run(self, day: date) -> None:
        digests = build_digests(day)
        for digest in sorted(digests.values(), key=lambda d: d.email):
            self.stdout.write(f"{digest.email} ({digest.name}):")
            for _, heading, items in digest.sections():
                self.stdout.write(f"  {heading}:")
                for item in items:
                    self.stdout.write(f"    - {item.text} ({item.plan}): {item.detail}")
                    self.stdout.write(f"      {item.url}")
        self.stdout.write(
            f"Dry run: {plural(len(digests), 'digest')} for {day}; nothing sent, nothing claimed."
        )

    @staticmethod
    def _day(text: str | None, option: str = "--date"):
        if not text:
            return timezone.localdate()
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise CommandError(
                f"{option} should be a day written YYYY-MM-DD, not {text!r}."
            ) from None
