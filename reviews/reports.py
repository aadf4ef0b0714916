"""The quarterly board report: what the partnership's board reads each quarter, as a PDF.

Quarters are calendar quarters: Q1 is January to March, Q2 April to June, Q3 July to
September, Q4 October to December. Statuses are as they stand on the day the report is
prepared; the quarter names the period the board is reviewing.

``board_report_context`` loads the whole plan in a fixed number of queries, so a plan with
many outcomes and actions costs no more round trips than a small one.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery
from django.template.loader import render_to_string

from actions.models import Action, Update
from outcomes.arithmetic import Status
from outcomes.models import Indicator, Risk
from outcomes.status import draw_charts, indicator_reports

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
QUARTER_PATTERN = re.compile(r"(\d{4})-Q([1-4])")

# Exceptions first: what the board must look at comes before what is going well.
INDICATOR_ORDER = [Status.OFF_TRACK, Status.AT_RISK, Status.ON_TRACK, Status.NOT_ENOUGH_DATA]
ACTION_ORDER = [
    Action.Status.OFF_TRACK,
    Action.Status.AT_RISK,
    Action.Status.NOT_STARTED,
    Action.Status.ON_TRACK,
    Action.Status.COMPLETE,
    Action.Status.CANCELLED,
]
EXCEPTIONS = {Status.OFF_TRACK, Status.AT_RISK, Action.Status.OFF_TRACK, Action.Status.AT_RISK}


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first and last day of a calendar quarter (Q1 = January to March)."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"A quarter is 1 to 4, not {quarter}.")
    first = date(year, 3 * quarter - 2, 1)
    after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, after - timedelta(days=1)


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def parse_quarter(text: str) -> tuple[int, int]:
    """'2026-Q3' as (2026, 3); a ValueError that says what was expected otherwise."""
    match = QUARTER_PATTERN.fullmatch(text.strip())
    if not match or not 2000 <= int(match[1]) <= 2100:
        raise ValueError(
            "The quarter should be written as a year from 2000 to 2100 and a quarter from "
            "Q1 to Q4, for example 2026-Q3."
        )
    return int(match[1]), int(match[2])


def quarter_label(year: int, quarter: int) -> str:
    """'Q3 2026: July to September'."""
    first, last = quarter_bounds(year, quarter)
    return f"Q{quarter} {year}: {MONTHS[first.month - 1]} to {MONTHS[last.month - 1]}"


def _counts(statuses, order) -> list[dict]:
    counted = Counter(statuses)
    return [
        {
            "status": status,
            "label": status.label,
            "count": counted[status],
            "exception": status in EXCEPTIONS,
        }
        for status in order
    ]


def _actions(plan, *, first: date, last: date) -> list[Action]:
    latest = Update.objects.filter(action=OuterRef("pk")).order_by("-created_at", "-pk")
    return list(
        Action.objects.filter(plan=plan)
        .select_related("lead_organisation", "owner")
        .annotate(
            latest_note=Subquery(latest.values("note")[:1]),
            latest_update_at=Subquery(latest.values("created_at")[:1]),
            updates_in_quarter=Count(
                "updates", filter=Q(updates__created_at__date__range=(first, last))
            ),
        )
    )


def board_report_context(plan, *, year: int, quarter: int, today: date) -> dict:
    """Everything the board report shows, in a fixed number of queries."""
    first, last = quarter_bounds(year, quarter)
    outcomes = list(plan.outcomes.all())
    reports = draw_charts(
        indicator_reports(Indicator.objects.filter(plan=plan), today=today), small=False
    )
    actions = _actions(plan, first=first, last=last)
    links = Action.outcomes.through.objects.filter(action__plan=plan).values_list(
        "action_id", "outcome_id"
    )
    risks = sorted(
        Risk.objects.filter(outcome__plan=plan),
        key=lambda risk: (-risk.score, -risk.impact, risk.pk),
    )

    reports_by_outcome: dict[int, list] = defaultdict(list)
    for item in reports:
        reports_by_outcome[item.indicator.outcome_id].append(item)
    action_by_id = {action.pk: action for action in actions}
    actions_by_outcome: dict[int, list[Action]] = defaultdict(list)
    linked: set[int] = set()
    for action_id, outcome_id in links:
        actions_by_outcome[outcome_id].append(action_by_id[action_id])
        linked.add(action_id)
    risks_by_outcome: dict[int, list[Risk]] = defaultdict(list)
    for risk in risks:
        risks_by_outcome[risk.outcome_id].append(risk)
    for action in actions:
        action.overdue = action.is_overdue(today)

    def by_number(items: list[Action]) -> list[Action]:
        return sorted(items, key=lambda action: action.number)

    action_exceptions = sorted(
        (action for action in actions if action.status in EXCEPTIONS),
        key=lambda action: (ACTION_ORDER.index(action.status), action.number),
    )
    overdue = [action for action in actions if action.overdue]

    return {
        "partnership": plan.partnership,
        "plan": plan,
        "year": year,
        "quarter": quarter,
        "quarter_label": quarter_label(year, quarter),
        "quarter_first": first,
        "quarter_last": last,
        "today": today,
        "indicator_counts": _counts((item.status for item in reports), INDICATOR_ORDER),
        "action_counts": _counts(
            (Action.Status(action.status) for action in actions), ACTION_ORDER
        ),
        "indicator_exceptions": sorted(
            (item for item in reports if item.status in EXCEPTIONS),
            key=lambda item: INDICATOR_ORDER.index(item.status),
        ),
        "action_exceptions": action_exceptions,
        "overdue_actions": overdue,
        # The summary marks overdue exceptions in place and lists only the rest again.
        "other_overdue_actions": [action for action in overdue if action not in action_exceptions],
        "actions_updated_in_quarter": sum(1 for action in actions if action.updates_in_quarter),
        "outcomes": [
            {
                "outcome": outcome,
                "reports": reports_by_outcome[outcome.pk],
                "actions": by_number(actions_by_outcome[outcome.pk]),
                "risks": risks_by_outcome[outcome.pk],
            }
            for outcome in outcomes
        ],
        "unlinked_actions": [action for action in actions if action.pk not in linked],
        "reports": reports,
        "actions": actions,
        "risks": risks,
    }


def render_board_report(plan, *, year: int, quarter: int, today: date) -> bytes:
    """The board report as a tagged PDF (PDF/UA-1), with its title and language set."""
    from weasyprint import HTML  # takes 0.4 s to import; only this download needs it
    from weasyprint.urls import URLFetcher

    html = render_to_string(
        "reviews/board_report.html",
        board_report_context(plan, year=year, quarter=quarter, today=today),
    )
    # Only our own stylesheet is linked; the report never reaches out to the network.
    document = HTML(
        string=html,
        base_url=settings.BASE_DIR,
        url_fetcher=URLFetcher(allowed_protocols={"file"}),
    )
    return document.write_pdf(pdf_variant="pdf/ua-1")
