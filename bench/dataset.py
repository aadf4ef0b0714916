"""The benchmarks' one large dataset, built once per run and shared by every page measurement.

`bench/run.py` runs this first (`.venv/bin/python bench/dataset.py [--quick]`): it empties the
benchmark database (its name must contain "bench") and builds, with bulk inserts and COPY:

- 200 partnerships of 6 organisations each, and 5,000 people spread over them (25 a
  partnership: 2 leads, 3 board members, 20 partners; three in each partnership also sit
  on the board of another), all with one password so that locust can sign them in;
- the largest plan (partnership 0): 40 outcomes, 200 indicators × 60 readings, each with a
  target and a comparator of 60 readings, 1,000 actions, 3,000 milestones, 10,000 updates;
- a tenth of it (partnership 1): 4 outcomes, 20 indicators, 100 actions, 300 milestones and
  1,000 updates, to show that the pages' query counts do not grow with the data;
- the plan issue 3 sets its dashboard target for (partnership 2): 10 outcomes × 5 indicators;
- in every other partnership a small plan (2 outcomes, 4 indicators, 20 actions).

The scripts find these with `plan(LARGEST)` and friends. The build is timed and recorded.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from common import check_migrated, record, setup_django

setup_django()

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from actions.models import Action, Milestone, Update
from improveplan.models import Membership, Organisation, Partnership, Plan, Role, User
from outcomes.models import Comparator, ComparatorReading, Indicator, Outcome, Reading, Target

PASSWORD = "bench-only sign-in password"  # noqa: S105 - scratch accounts in the bench database
PARTNERSHIPS = 200
PEOPLE = 5_000
ORGANISATIONS = 6
SECOND_SEATS = {3, 4, 9}  # these sit on the board of a second partnership too
BATCH = 5_000
TEXT = (
    "Work with the practices and the housing teams to reach the households most at risk, "
    "with a named contact in each ward and a monthly report to the board. "
)


@dataclass(frozen=True)
class Size:
    title: str
    outcomes: int
    indicators: int  # in all, spread evenly over the outcomes
    actions: int
    milestones: int  # in all
    updates: int  # in all
    readings: int = 60  # an indicator
    comparators: bool = True  # each indicator with a comparator of as many readings


LARGEST = Size("Bench: the largest plan", 40, 200, 1_000, 3_000, 10_000)
TENTH = Size("Bench: a tenth of the largest", 4, 20, 100, 300, 1_000)
DASHBOARD = Size("Bench: 10 outcomes × 5 indicators", 10, 50, 100, 300, 1_000)
SMALL = Size("Bench: a small plan", 2, 4, 20, 60, 100, comparators=False)


def plan(size: Size) -> Plan:
    return Plan.objects.select_related("partnership").get(title=size.title)


def member(size: Size, role: str = Role.PARTNER) -> User:
    """A person of the plan's first organisation with that role and no other partnership, so
    that My actions shows the same kind of list at every size."""
    return (
        User.objects.filter(
            memberships__partnership__plans__title=size.title,
            memberships__role=role,
            memberships__organisation__name__endswith=" 0",
        )
        .annotate(partnerships=Count("memberships"))
        .filter(partnerships=1)
        .order_by("email")
        .first()
    )


def month_end(index: int) -> date:
    year, month = divmod(index, 12)
    following = date(2015 + year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return following - timedelta(days=1)


# What COPY must give each reading besides its value: the database has no defaults for them.
PERIOD_COLUMNS = [
    "period_start",
    "period_label",
    "suppression_mark",
    "value_note",
    "confidence_level",
]


def period_values(index: int) -> list:
    """A monthly reading's first day, no label of the source's, no suppression, 95% limits."""
    return [month_end(index).replace(day=1), "", "", "", "95"]


def copy(model, columns: list[str], rows) -> None:
    """Rows straight into the model's table with PostgreSQL's COPY: building model instances
    for the tens of thousands of readings and updates took most of the build's time."""
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(r"\N" if value is None else str(value) for value in row) + "\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN", buffer)


def empty_database() -> None:
    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql":
        sys.exit("The benchmarks run on PostgreSQL: set DATABASE_URL (make bench does).")
    if "bench" not in name:
        sys.exit(f"Refusing to empty {name!r}: the benchmark database's name must say 'bench'.")
    call_command("flush", interactive=False, verbosity=0)


def people(partnerships: list[Partnership]) -> tuple[dict, dict]:
    """Everyone. Returns each partnership's organisations, and its leads and partners by
    organisation (who may own actions)."""
    organisations = Organisation.objects.bulk_create(
        Organisation(partnership=p, name=f"Organisation {n}")
        for p in partnerships
        for n in range(ORGANISATIONS)
    )
    by_partnership = {
        p.pk: organisations[i * ORGANISATIONS : (i + 1) * ORGANISATIONS]
        for i, p in enumerate(partnerships)
    }
    password = make_password(PASSWORD)  # hashed once: hashing 5,000 times would take minutes
    users = User.objects.bulk_create(
        (
            User(email=f"person{i:04d}@bench.invalid", full_name=f"Person {i}", password=password)
            for i in range(PEOPLE)
        ),
        batch_size=BATCH,
    )
    memberships, doers = [], {p.pk: [[] for _ in range(ORGANISATIONS)] for p in partnerships}
    for i, user in enumerate(users):
        partnership = partnerships[i % PARTNERSHIPS]
        seat = i // PARTNERSHIPS
        role = Role.LEAD if seat < 2 else Role.BOARD if seat < 5 else Role.PARTNER
        organisation = by_partnership[partnership.pk][seat % ORGANISATIONS]
        memberships.append(
            Membership(user=user, partnership=partnership, organisation=organisation, role=role)
        )
        if role != Role.BOARD:
            doers[partnership.pk][seat % ORGANISATIONS].append(user)
        if seat in SECOND_SEATS:
            other = partnerships[(i + PARTNERSHIPS // 2 + 1) % PARTNERSHIPS]
            memberships.append(
                Membership(
                    user=user,
                    partnership=other,
                    organisation=by_partnership[other.pk][0],
                    role=Role.BOARD,
                )
            )
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    return by_partnership, doers


def build_plans(sizes: list[Size], partnerships, organisations, doers) -> None:
    """Every plan at once, one bulk insert a table."""
    randomly = random.Random(10)
    plans = Plan.objects.bulk_create(
        Plan(
            partnership=p,
            title=size.title,
            period_start=date(2024, 4, 1),
            period_end=date(2029, 3, 31),
            outcome_limit=max(7, size.outcomes),
            last_action_number=size.actions,
            status=Plan.Status.AGREED,
        )
        for p, size in zip(partnerships, sizes, strict=True)
    )
    outcomes = Outcome.objects.bulk_create(
        Outcome(plan=plan, statement=f"Outcome {n + 1} of {size.title}", priority=n + 1)
        for plan, size in zip(plans, sizes, strict=True)
        for n in range(size.outcomes)
    )
    outcomes_of = {plan.pk: [o for o in outcomes if o.plan_id == plan.pk] for plan in plans}
    indicators = Indicator.objects.bulk_create(
        (
            Indicator(
                plan=plan,
                outcome=outcomes_of[plan.pk][n % size.outcomes],
                code=f"B-{n:03d}",
                name=f"Indicator {n}",
                owner=organisations[plan.partnership_id][n % ORGANISATIONS],
                unit=Indicator.Unit.PERCENT,
                direction=Indicator.Direction.LOWER,
            )
            for plan, size in zip(plans, sizes, strict=True)
            for n in range(size.indicators)
        ),
        batch_size=BATCH,
    )
    size_of = {plan.pk: size for plan, size in zip(plans, sizes, strict=True)}
    now = timezone.now()
    copy(
        Reading,
        [
            "indicator_id",
            "period",
            "value",
            "lower",
            "upper",
            "breakdown",
            "source_note",
            "entered_at",
            *PERIOD_COLUMNS,
            "series_break",
        ],
        (
            [
                indicator.pk,
                month_end(m),
                (300 - m + m % 5 * 3) / 10,
                (290 - m) / 10,
                (332 - m) / 10,
                "",
                "",
                now,
                *period_values(m),
                False,
            ]
            for indicator in indicators
            for m in range(size_of[indicator.plan_id].readings)
        ),
    )
    Target.objects.bulk_create(
        (
            Target(
                indicator=indicator,
                baseline_value=Decimal(30),
                baseline_date=month_end(0),
                target_value=Decimal(22),
                target_date=date(2022, 3, 31),
            )
            for indicator in indicators
        ),
        batch_size=BATCH,
    )
    compared = [i for i in indicators if size_of[i.plan_id].comparators]
    comparators = Comparator.objects.bulk_create(
        (Comparator(indicator=indicator, name="England") for indicator in compared),
        batch_size=BATCH,
    )
    copy(
        ComparatorReading,
        ["comparator_id", "period", "value", *PERIOD_COLUMNS],
        (
            [comparator.pk, month_end(m), (280 - m // 2) / 10, *period_values(m)]
            for comparator, indicator in zip(comparators, compared, strict=True)
            for m in range(size_of[indicator.plan_id].readings)
        ),
    )
    build_actions(plans, sizes, outcomes_of, indicators, organisations, doers, randomly)


def build_actions(plans, sizes, outcomes_of, indicators, organisations, doers, randomly) -> None:
    """Actions leading from outcomes, led and supported by the organisations, depending on
    earlier ones, each with its share of milestones and updates."""
    indicators_of: dict[int, list[Indicator]] = {}
    for indicator in indicators:
        indicators_of.setdefault(indicator.plan_id, []).append(indicator)
    actions = []
    for plan, size in zip(plans, sizes, strict=True):
        organisation_list = organisations[plan.partnership_id]
        for number in range(1, size.actions + 1):
            lead = number % ORGANISATIONS
            start = date(2026, 4, 1) + timedelta(days=number % 365)
            actions.append(
                Action(
                    plan=plan,
                    number=number,
                    reference=f"A-{number:02d}",
                    title=f"Action {number} of {size.title}",
                    description=TEXT * 2,
                    lead_organisation=organisation_list[lead],
                    owner=doers[plan.partnership_id][lead][0],
                    start=start,
                    due=start + timedelta(days=180),
                    term=Action.Term.SHORT,
                    resource_amount=Decimal(1000 * (number % 50)),
                    resource_provider=organisation_list[(lead + 1) % ORGANISATIONS],
                    staff_time="0.5 FTE for a year",
                    expected_outputs=TEXT,
                    expected_outcomes=TEXT,
                    success_indicator=indicators_of[plan.pk][number % size.indicators],
                    success_measure="400 households helped by March 2027",
                    monitoring=TEXT,
                    corporate_plan_ref=f"CP-{number % 40}",
                    status=Action.Status.ON_TRACK,
                    progress=number % 101,
                    closure=Action.Closure.CLOSED if number % 7 == 0 else Action.Closure.OPEN,
                )
            )
    actions = Action.objects.bulk_create(actions, batch_size=BATCH)
    by_plan: dict[int, list[Action]] = {}
    for action in actions:
        by_plan.setdefault(action.plan_id, []).append(action)
    Action.outcomes.through.objects.bulk_create(
        (
            Action.outcomes.through(action=action, outcome=outcome)
            for action in actions
            for outcome in randomly.sample(outcomes_of[action.plan_id], 1 + action.number % 2)
        ),
        batch_size=BATCH,
    )
    Action.supporting_organisations.through.objects.bulk_create(
        (
            Action.supporting_organisations.through(action=action, organisation=organisation)
            for action in actions
            for organisation in randomly.sample(
                organisations[action.plan.partnership_id], action.number % 3
            )
        ),
        batch_size=BATCH,
    )
    Action.depends_on.through.objects.bulk_create(
        (
            Action.depends_on.through(from_action=action, to_action=earlier)
            for plan_actions in by_plan.values()
            for index, action in enumerate(plan_actions)
            for earlier in randomly.sample(plan_actions[:index], min(index, action.number % 3))
        ),
        batch_size=BATCH,
    )
    size_of = {plan.pk: size for plan, size in zip(plans, sizes, strict=True)}
    copy(
        Milestone,
        ["action_id", "title", "due", "done"],
        (
            [
                action.pk,
                f"Milestone {n + 1} of {action.reference}",
                action.start + timedelta(days=60 * (n + 1)),
                n == 0,
            ]
            for action in actions
            for n in range(size_of[action.plan_id].milestones // size_of[action.plan_id].actions)
        ),
    )
    first = datetime(2026, 5, 1, 9, tzinfo=UTC)
    note = "Met the practice managers; two more wards signed up."
    copy(
        Update,
        [
            "action_id",
            "author_id",
            "created_at",
            "status",
            "progress",
            "note",
            "evidence_link",
            "evidence_file",
            "evidence_name",
            "evidence_kind",
            "token",
        ],
        (
            [
                action.pk,
                action.owner_id,
                first + timedelta(days=7 * n),
                Action.Status.ON_TRACK,
                min(100, 10 * n),
                note,
                "",
                "",
                "",
                "",
                "",
            ]
            for action in actions
            for n in range(size_of[action.plan_id].updates // size_of[action.plan_id].actions)
        ),
    )


def build() -> None:
    check_migrated()
    empty_database()
    with transaction.atomic():
        partnerships = Partnership.objects.bulk_create(
            Partnership(name=f"Bench partnership {n:03d}") for n in range(PARTNERSHIPS)
        )
        organisations, doers = people(partnerships)
        sizes = [LARGEST, TENTH, DASHBOARD] + [SMALL] * (PARTNERSHIPS - 3)
        build_plans(sizes, partnerships, organisations, doers)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as a live database would have


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the same data: it takes seconds")
    parser.parse_args()
    started = time.perf_counter()
    build()
    seconds = time.perf_counter() - started
    counts = {
        "people": User.objects.count(),
        "readings": Reading.objects.count() + ComparatorReading.objects.count(),
        "actions": Action.objects.count(),
        "updates": Update.objects.count(),
    }
    print(", ".join(f"{n:,} {what}" for what, n in counts.items()))
    record(
        "dataset",
        [
            {
                "what": f"Build the dataset ({PARTNERSHIPS} partnerships, "
                + ", ".join(f"{n:,} {what}" for what, n in counts.items())
                + ")",
                "value": seconds,
                "unit": "s",
            }
        ],
    )


if __name__ == "__main__":
    main()
