"""Server time and query count of the plan dashboard and an outcome page.

Run from the project root: `.venv/bin/python bench/dashboard.py [--quick]`, with DATABASE_URL
set to the database to measure (make bench uses PostgreSQL). It builds a scratch partnership
whose plan has 10 outcomes × 5 indicators × 60 readings (each indicator with a target and a
comparator of 60 values), times the pages through Django's test client (the whole request:
middleware, views, templates, charts), then grows the plan tenfold and checks that the query
counts stay the same. It deletes what it made, also when it fails.
"""

from __future__ import annotations

import argparse
import uuid
from datetime import date
from decimal import Decimal

from common import median_ms, p95_ms, record, setup_django, timings

setup_django()

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from improveplan.models import Membership, Organisation, Partnership, Plan, Role, User
from outcomes.models import (
    Comparator,
    ComparatorReading,
    Indicator,
    Outcome,
    Reading,
    Target,
)

READINGS = 60


def month_end(index: int) -> date:
    year, month = divmod(index, 12)
    following = date(2015 + year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def grow(plan: Plan, owner: Organisation, outcomes: int, first: int = 0) -> None:
    """Add outcomes, each with 5 indicators of READINGS readings, a target and a comparator."""
    with transaction.atomic():
        made = Outcome.objects.bulk_create(
            Outcome(plan=plan, statement=f"Outcome {first + i}", priority=first + i + 1)
            for i in range(outcomes)
        )
        indicators = Indicator.objects.bulk_create(
            Indicator(
                plan=plan,
                outcome=outcome,
                code=f"B-{outcome.priority:03d}-{n}",
                name=f"Indicator {n} of outcome {outcome.priority}",
                owner=owner,
                unit=Indicator.Unit.PERCENT,
                direction=Indicator.Direction.LOWER,
            )
            for outcome in made
            for n in range(5)
        )
        Reading.objects.bulk_create(
            (
                Reading(
                    indicator=indicator,
                    period=month_end(m),
                    value=Decimal(str(round(30 - m * 0.1 + (m % 5) * 0.3, 1))),
                    lower=Decimal(str(round(29 - m * 0.1, 1))),
                    upper=Decimal(str(round(32 - m * 0.1 + 1.2, 1))),
                )
                for indicator in indicators
                for m in range(READINGS)
            ),
            batch_size=5000,
        )
        Target.objects.bulk_create(
            Target(
                indicator=indicator,
                baseline_value=Decimal(30),
                baseline_date=month_end(0),
                target_value=Decimal(22),
                target_date=date(2022, 3, 31),
            )
            for indicator in indicators
        )
        comparators = Comparator.objects.bulk_create(
            Comparator(indicator=indicator, name="England") for indicator in indicators
        )
        ComparatorReading.objects.bulk_create(
            (
                ComparatorReading(
                    comparator=comparator, period=month_end(m), value=Decimal(str(28 - m * 0.05))
                )
                for comparator in comparators
                for m in range(READINGS)
            ),
            batch_size=5000,
        )


def measure(client: Client, url: str, runs: int) -> tuple[int, list[float]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(queries), timings(lambda: client.get(url), runs=runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer runs, for development")
    options = parser.parse_args()
    runs = 10 if options.quick else 40

    tag = uuid.uuid4().hex[:8]
    partnership = Partnership.objects.create(name=f"Benchmark {tag}")
    try:
        owner = Organisation.objects.create(partnership=partnership, name="Council")
        lead = User.objects.create_user(f"bench-{tag}@example.org", None, full_name="Bench Lead")
        Membership.objects.create(
            user=lead, partnership=partnership, organisation=owner, role=Role.LEAD
        )
        plan = Plan.objects.create(
            partnership=partnership,
            title="Benchmark plan",
            period_start=date(2024, 4, 1),
            period_end=date(2029, 3, 31),
            outcome_limit=200,
        )
        grow(plan, owner, 10)
        client = Client()
        client.force_login(lead)
        client.get("/")  # a session's first request records when it began: not the page's cost
        dashboard = plan.get_absolute_url()
        outcome = plan.outcomes.first().get_absolute_url()

        dash_queries, dash_times = measure(client, dashboard, runs)
        outcome_queries, outcome_times = measure(client, outcome, runs)
        grow(plan, owner, 90, first=10)  # ten times the data
        dash_queries_10x, _ = measure(client, dashboard, 1)
        outcome_queries_10x, _ = measure(client, outcome, 1)
    finally:
        Membership.objects.filter(partnership=partnership).delete()
        partnership.delete()
        User.objects.filter(email__startswith=f"bench-{tag}").delete()

    record(
        "dashboard",
        [
            {
                "what": "Dashboard, 10 outcomes × 5 indicators × 60 readings: median server time",
                "value": median_ms(dash_times),
                "unit": "ms",
                "target": 150,
            },
            {
                "what": "Dashboard: 95th percentile server time",
                "value": p95_ms(dash_times),
                "unit": "ms",
            },
            {
                "what": "Dashboard: SQL queries (at 10× the data)",
                "value": dash_queries,
                "unit": f"queries ({dash_queries_10x})",
                "target": dash_queries,
                "check": dash_queries_10x == dash_queries,
            },
            {
                "what": "Outcome page, 5 indicators × 60 readings: median server time",
                "value": median_ms(outcome_times),
                "unit": "ms",
            },
            {
                "what": "Outcome page: SQL queries (at 10× the data)",
                "value": outcome_queries,
                "unit": f"queries ({outcome_queries_10x})",
                "target": outcome_queries,
                "check": outcome_queries_10x == outcome_queries,
            },
        ],
    )


if __name__ == "__main__":
    main()
