"""Render one of a plan's reports to a file, as the download does.

python manage.py render_report --plan 3 --kind board --quarter 2026Q3 --output report.pdf
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from improveplan.models import Plan
from reports import reports
from reviews.periods import quarter_of


class Command(BaseCommand):
    help = "Render a plan's board report, delivery plan or public summary as a PDF file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--plan", required=True, help="The plan's id.")
        parser.add_argument(
            "--kind", required=True, help=f"Which report: {', '.join(reports.KINDS)}."
        )
        parser.add_argument(
            "--quarter", help="For the board report: 2026Q3 or 2026-Q3. This quarter if not given."
        )
        parser.add_argument("--output", required=True, help="The PDF file to write.")

    def handle(self, *args, plan: str, kind: str, quarter: str | None, output: str, **options):
        if kind not in reports.KINDS:
            raise CommandError(
                f"There is no report of kind {kind!r}; choose one of: {', '.join(reports.KINDS)}."
            )
        found = (
            Plan.objects.select_related("partnership").filter(pk=int(plan)).first()
            if plan.isdigit() and int(plan) < 2**63
            else None
        )
        if found is None:
            raise CommandError(f"There is no plan with id {plan!r}.")
        today = timezone.localdate()
        try:
            year, number = reports.parse_quarter(quarter) if quarter else quarter_of(today)
        except ValueError as error:
            raise CommandError(str(error)) from None
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"The folder {target.parent} does not exist.")
        pdf = reports.render_report(found, kind=kind, year=year, quarter=number, today=today)
        target.write_bytes(pdf)
        self.stdout.write(f"Wrote {reports.KINDS[kind].name.lower()} of {found} to {target}.")
