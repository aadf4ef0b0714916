"""Import indicator readings from a CSV or Excel file, as the upload page does."""

from __future__ import annotations

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from improveplan import security
from improveplan.models import Membership, Plan, Role, SecurityEvent
from outcomes.readings_io import Options, RowError, import_readings, read_rows


class Command(BaseCommand):
    help = (
        "Import indicator readings into a plan from a CSV or Excel file with the columns "
        "indicator, period, value and others (docs/guides/importing-data.md), or a public "
        "health profiles download the plan has matched. "
        "Nothing is saved if any row is wrong."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--plan", type=int, required=True, metavar="ID")
        parser.add_argument(
            "--as",
            dest="email",
            metavar="EMAIL",
            help="The member the readings are entered by; their role decides which "
            "indicators they may enter. The partnership's first lead if not given.",
        )
        parser.add_argument(
            "--decimal-comma",
            action="store_true",
            help="The file writes numbers 1.234,5 (a comma before the decimals).",
        )

    def handle(
        self, *args, file: str, plan: int, email: str | None, decimal_comma=False, **options
    ) -> None:
        try:
            the_plan = Plan.objects.select_related("partnership").get(pk=plan)
        except Plan.DoesNotExist:
            raise CommandError(f"There is no plan with id {plan}.") from None
        if the_plan.status == Plan.Status.ARCHIVED:
            # Read only, as on the site (improveplan/access.py).
            raise CommandError(
                f"The plan “{the_plan}” is archived, so it is read only: nothing was imported. "
                "A lead may reopen it from the plan's page."
            )
        membership = self._membership(the_plan, email)
        try:
            with open(file, "rb") as handle:
                rows = read_rows(File(handle, name=file))
        except OSError as error:
            raise CommandError(f"Could not read {file}: {error.strerror}.") from error

        if isinstance(rows, RowError):
            errors = [rows]
        else:
            result = import_readings(
                plan=the_plan,
                rows=rows,
                user=membership.user,
                membership=membership,
                options=Options(decimal_comma=decimal_comma),
            )
            errors = result.errors
            if result.needs_mapping is not None:
                errors = [
                    RowError(
                        0,
                        "",
                        "This is a public health profiles download, and the plan has not yet "
                        "matched its indicators and areas: a lead does that once, on the import "
                        "page.",
                    )
                ]
        if errors:
            for error in errors:
                self.stderr.write(str(error))
            problems = "1 problem" if len(errors) == 1 else f"{len(errors):,} problems"
            raise CommandError(f"Nothing was imported: the file has {problems}.")

        summary = (
            f"Created {result.created}, updated {result.updated}, unchanged {result.unchanged}."
        )
        security.record(
            SecurityEvent.Kind.IMPORT,
            user=membership.user,
            partnership_id=the_plan.partnership_id,
            detail=f"import_readings from {file} into plan {the_plan.pk}: {summary}",
        )
        self.stdout.write(self.style.SUCCESS(summary))

    def _membership(self, plan: Plan, email: str | None) -> Membership:
        memberships = Membership.objects.select_related("user", "organisation").filter(
            partnership=plan.partnership
        )
        if email:
            membership = memberships.filter(user__email__iexact=email.strip()).first()
            if membership is None:
                raise CommandError(f"{email} is not a member of {plan.partnership}.")
            return membership
        membership = memberships.filter(role=Role.LEAD).order_by("joined_at", "pk").first()
        if membership is None:
            raise CommandError(f"{plan.partnership} has no lead; say who imports with --as.")
        return membership
