"""The plan dashboard's indicator rows: each indicator's latest reading, target, status, the
judgement's sentence and a sparkline, as HTML kept until that indicator changes.

A plan's dashboard is kept whole until anything in the plan changes (improveplan/kept.py);
when something does, only the indicators whose own stamp changed (their row, readings,
targets, comparators: improveplan/stamps.py) are computed and drawn again. What a row prints
from elsewhere, the names of the indicator's owner and of the lead who overruled its status,
goes in its key, with the plan's settings the row's arithmetic reads (the fewest readings
for a trend).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from improveplan import kept, stamps
from outcomes.models import Indicator, Outcome, series_indicators
from outcomes.status import draw_charts, indicator_reports


def plan_dashboard(plan) -> list[tuple[Outcome, list[SafeString]]]:
    """Every outcome of the plan with its indicators' rows, in a fixed number of queries.
    The indicators are read as plain rows: only the rows not kept need more of them."""
    outcomes = list(plan.outcomes.all())
    in_plan = Indicator.objects.filter(plan=plan)
    # Who overruled a status, looked up for each indicator rather than joined: a join hashes
    # every person in the database for the few indicators overruled.
    overrider = get_user_model().objects.filter(pk=OuterRef("overridden_by_id")).order_by()
    indicators = list(
        in_plan.annotate(
            overrider_name=Subquery(overrider.values("full_name")),
            overrider_email=Subquery(overrider.values("email")),
        ).values_list(
            "pk",
            "outcome_id",
            "series_start_id",
            "owner__name",
            "overridden_by_id",
            "overrider_name",
            "overrider_email",
        )
    )
    shared = _series_stamps(in_plan.order_by().values(key=Coalesce("series_start_id", "pk")))
    rows = kept.many(
        "dashboard-row",
        model=Indicator,
        parts={
            pk: (
                owner,
                # As str(indicator.overridden_by) prints it, from its columns.
                str(get_user_model()(full_name=full_name, email=email) if overruled else None),
                plan.trend_minimum_points,
                shared.get(start or pk, ()),
            )
            for pk, _, start, owner, overruled, full_name, email in indicators
        },
        render=_rows,
    )
    by_outcome: dict[int, list[SafeString]] = {outcome.pk: [] for outcome in outcomes}
    for pk, outcome_id, *_ in indicators:
        by_outcome[outcome_id].append(rows[pk])
    return [(outcome, by_outcome[outcome.pk]) for outcome in outcomes]


def _series_stamps(keys: QuerySet) -> dict[int, tuple]:
    """For indicators that share readings with another plan's (a plan copied forward), by
    the first indicator of their series (``keys``, a subquery of their ids), the stamps of
    every indicator in their series: a reading entered in either plan changes the row in
    both. One query, and one more only when there are such indicators."""
    mates = list(
        series_indicators(keys)
        .exclude(series_start_id=None, continued_by=None)
        .values_list("pk", "series_start_id")
    )
    if not mates:
        return {}
    found = stamps.of(Indicator, [pk for pk, _ in mates])
    shared: dict[int, list[str]] = {}
    for pk, start in sorted(mates):
        shared.setdefault(start or pk, []).append(f"{pk}:{found[pk]}")
    return {key: tuple(value) for key, value in shared.items()}


def _rows(indicator_ids: list[int]) -> dict[int, str]:
    reports = draw_charts(
        indicator_reports(Indicator.objects.filter(pk__in=indicator_ids)),
        small=True,
    )
    return {
        report.indicator.pk: render_to_string("outcomes/_dashboard_row.html", {"report": report})
        for report in reports
    }
