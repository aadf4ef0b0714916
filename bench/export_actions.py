"""How long does exporting a large action plan as an Excel workbook take?

Run from the project root: `.venv/bin/python bench/export_actions.py [--quick]`, with
DATABASE_URL set to the database to measure (make bench uses PostgreSQL). It builds a scratch
partnership whose plan has 1,000 actions (200 with --quick), each serving outcomes, supported
by other organisations, depending on earlier actions and with three milestones, then times
`write_xlsx` and counts its queries. It deletes what it made, also when it fails.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import uuid
from datetime import date, timedelta
from decimal import Decimal

from common import record, setup_django, timings

setup_django()

from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from actions.models import Action, Milestone
from actions.spreadsheets import write_xlsx
from improveplan.models import Membership, Organisation, Partnership, Plan, Role, User
from outcomes.models import Indicator, Outcome

ORGANISATIONS = 6
OUTCOMES = 10
MILESTONES = 3  # an action
TEXT = (
    "Work with the practices and the housing teams to reach the households most at risk, "
    "with a named contact in each ward and a monthly report to the board. "
)


def check_migrated() -> None:
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        sys.exit(
            f"The database {connection.settings_dict['NAME']} has migrations to apply: run "
            "`manage.py migrate` against it first (with the same DATABASE_URL)."
        )


def scratch_plan(tag: str, count: int) -> Plan:
    """A plan of ``count`` actions with everything the workbook shows filled in."""
    randomly = random.Random(tag)
    with transaction.atomic():
        partnership = Partnership.objects.create(name=f"Benchmark {tag}")
        organisations = Organisation.objects.bulk_create(
            Organisation(partnership=partnership, name=f"Bench Organisation {n}")
            for n in range(ORGANISATIONS)
        )
        owners = []
        for n, organisation in enumerate(organisations):
            user = User.objects.create_user(
                f"bench-{tag}-{n}@example.invalid", full_name=f"Bench Owner {n}"
            )
            Membership.objects.create(
                user=user, partnership=partnership, organisation=organisation, role=Role.PARTNER
            )
            owners.append(user)
        plan = Plan.objects.create(
            partnership=partnership,
            title="Benchmark plan",
            period_start=date(2026, 4, 1),
            period_end=date(2029, 3, 31),
            last_action_number=count,
        )
        outcomes = Outcome.objects.bulk_create(
            Outcome(plan=plan, statement=f"Outcome {n}", priority=n + 1) for n in range(OUTCOMES)
        )
        indicators = Indicator.objects.bulk_create(
            Indicator(
                plan=plan,
                outcome=outcome,
                code=f"B-{outcome.priority:02d}",
                name=f"Indicator of {outcome}",
                owner=organisations[0],
            )
            for outcome in outcomes
        )
        actions = []
        for number in range(1, count + 1):
            lead = number % ORGANISATIONS
            start = date(2026, 4, 1) + timedelta(days=number % 365)
            actions.append(
                Action(
                    plan=plan,
                    number=number,
                    reference=f"A-{number:02d}",
                    title=f"Benchmark action {number}",
                    description=TEXT * 2,
                    lead_organisation=organisations[lead],
                    owner=owners[lead],
                    start=start,
                    due=start + timedelta(days=180),
                    term=Action.Term.SHORT,
                    resource_amount=Decimal(1000 * (number % 50)),
                    resource_provider=organisations[(lead + 1) % ORGANISATIONS],
                    staff_time="0.5 FTE for a year",
                    expected_outputs=TEXT,
                    expected_outcomes=TEXT,
                    success_indicator=indicators[number % OUTCOMES],
                    success_measure="400 households helped by March 2027",
                    monitoring=TEXT,
                    corporate_plan_ref=f"CP-{number % 40}",
                    status=Action.Status.ON_TRACK,
                    progress=number % 101,
                    closure=Action.Closure.CLOSED if number % 7 == 0 else Action.Closure.OPEN,
                )
            )
        actions = Action.objects.bulk_create(actions)
        Action.outcomes.through.objects.bulk_create(
            Action.outcomes.through(action=action, outcome=outcome)
            for action in actions
            for outcome in randomly.sample(outcomes, 1 + action.number % 2)
        )
        Action.supporting_organisations.through.objects.bulk_create(
            Action.supporting_organisations.through(action=action, organisation=organisation)
            for action in actions
            for organisation in randomly.sample(organisations, action.number % 3)
        )
        Action.depends_on.through.objects.bulk_create(
            Action.depends_on.through(from_action=action, to_action=earlier)
            for index, action in enumerate(actions)
            for earlier in randomly.sample(actions[:index], min(index, action.number % 3))
        )
        Milestone.objects.bulk_create(
            Milestone(
                action=action,
                title=f"Milestone {n} of {action.reference}",
                due=action.start + timedelta(days=60 * (n + 1)),
                done=n == 0,
            )
            for action in actions
            for n in range(MILESTONES)
        )
    return plan


def clean_up(tag: str) -> None:
    Partnership.objects.filter(name=f"Benchmark {tag}").delete()
    User.objects.filter(email__startswith=f"bench-{tag}-").delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 actions, for development")
    count = 200 if parser.parse_args().quick else 1000
    print(
        f"{count:,} actions, {count * MILESTONES:,} milestones, "
        f"{connection.vendor} ({connection.settings_dict['NAME']})"
    )
    check_migrated()
    tag = uuid.uuid4().hex[:8]
    try:
        plan = scratch_plan(tag, count)
        with CaptureQueriesContext(connection) as queries:
            out = io.BytesIO()
            write_xlsx(plan, out)
        print(f"{len(queries)} queries, {len(out.getvalue()) / 1e6:.2f} MB")
        seconds = timings(lambda: write_xlsx(plan, io.BytesIO()), runs=5, warmup=1)
    finally:
        clean_up(tag)
    median = sorted(seconds)[len(seconds) // 2]
    print(f"write_xlsx: median {median:.2f} s, from {min(seconds):.2f} to {max(seconds):.2f} s")
    record(
        "export_actions",
        [
            {
                "what": f"Export {count:,} actions as XLSX",
                "value": median,
                "unit": "s",
                "target": 3 if count >= 1000 else None,
                "noise": max(seconds) - min(seconds),
            }
        ],
    )


if __name__ == "__main__":
    main()
