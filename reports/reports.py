"""The three reports of a plan, as PDFs: the quarterly board report, the delivery plan (the
plan as agreed, what partners sign up to) and the public summary (plain language for the
people the partnership serves: no staff names, no internal commentary, no risk register).

Quarters are calendar quarters: Q1 is January to March, Q2 April to June, Q3 July to
September, Q4 October to December. Statuses are as they stand on the day the report is
prepared; the quarter names the period the board is reviewing.

Each ``*_context`` loads the whole plan in a fixed number of queries, so a plan with many
outcomes and actions costs no more round trips than a small one.
"""

from __future__ import annotations

import gc
import re
import threading
import zlib
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery
from django.template.loader import render_to_string

from actions import risks as risk_register
from actions import scenarios, spending
from actions.models import Action, Milestone, Option, Update
from improveplan import versions
from improveplan.deep_stack import on_a_deep_stack
from outcomes.arithmetic import Status
from outcomes.models import Evidence, Indicator, Risk
from outcomes.status import draw_charts, indicator_reports
from reports import tagging
from reviews import changes, lessons
from reviews.periods import quarter_bounds, quarter_of

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
# "2026-Q3" as the web pages write it; "2026Q3" is accepted too, as people type it.
QUARTER_PATTERN = re.compile(r"(\d{4})-?Q([1-4])", re.IGNORECASE)

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
# The summary stays on one page: it lists this many of each kind of exception, worst first,
# and counts the rest, which are listed under their outcomes.
SUMMARY_ROWS = 10
EXCEPTIONS = {Status.OFF_TRACK, Status.AT_RISK, Action.Status.OFF_TRACK, Action.Status.AT_RISK}


def parse_quarter(text: str) -> tuple[int, int]:
    """'2026-Q3' (or '2026Q3') as (2026, 3); a ValueError that says what was expected."""
    match = QUARTER_PATTERN.fullmatch(text.strip())
    if not match or not 2000 <= int(match[1]) <= 2100:
        raise ValueError(
            "The quarter should be written as a year from 2000 to 2100 and a quarter from "
            "Q1 to Q4, for example 2026-Q3."
        )
    return int(match[1]), int(match[2])


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def next_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def report_quarters(plan) -> tuple[tuple[int, int], tuple[int, int]]:
    """The first and last quarter a plan's board report may be for: the quarters of the
    plan's period, and the one after it ends (its closing report)."""
    return quarter_of(plan.period_start), next_quarter(*quarter_of(plan.period_end))


def report_quarter(plan, asked: str | None, *, today: date) -> tuple[int, int]:
    """The quarter a board report is for: ``asked`` ('2026-Q3'), which must be one of the
    plan's (ValueError naming them otherwise), or else this quarter, or the nearest of the
    plan's when this one is not."""
    first, last = report_quarters(plan)
    if not asked:
        return min(max(quarter_of(today), first), last)
    year, quarter = parse_quarter(asked)
    if not first <= (year, quarter) <= last:
        raise ValueError(
            f"The board report of this plan is for a quarter from {first[0]}-Q{first[1]} to "
            f"{last[0]}-Q{last[1]}: the plan's period and the quarter after it."
        )
    return year, quarter


def offered_quarters(plan, *, today: date) -> list[tuple[int, int]]:
    """The quarters the plan's Reports page offers, newest first: from the plan's first to the
    one a report without a quarter is for (this quarter, brought into the plan's)."""
    first, _ = report_quarters(plan)
    last = report_quarter(plan, None, today=today)
    quarters = [first]
    while quarters[-1] < last:
        quarters.append(next_quarter(*quarters[-1]))
    return quarters[::-1]


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
        .select_related("lead_organisation", "owner", "resource_provider")
        .annotate(
            latest_note=Subquery(latest.values("note")[:1]),
            latest_update_at=Subquery(latest.values("created_at")[:1]),
            updates_in_quarter=Count(
                "updates", filter=Q(updates__created_at__date__range=(first, last))
            ),
        )
    )


def _common(plan, *, today: date) -> dict:
    return {
        "partnership": plan.partnership,
        "plan": plan,
        "today": today,
        **_version(plan, name=True),
    }


def _version(plan, *, name: bool) -> dict:
    """The cover's words for the plan's version, and whether it is a draft never agreed."""
    words = versions.agreed_words(plan, name=name)
    return {"plan_version": words, "draft": words == versions.NOT_AGREED}


def _new_readings(reports, *, first: date, last: date) -> list[dict]:
    """Each indicator's latest reading for a period in the quarter, beside the one before it."""
    rows = []
    for report in reports:
        points = report.points
        inside = [i for i, point in enumerate(points) if first <= point.when <= last]
        if not inside:
            continue
        point = points[inside[-1]]
        previous = points[inside[-1] - 1] if inside[-1] > 0 else None
        rows.append(
            {
                "report": report,
                "point": point,
                "now": report.show(point.value),
                "previous": previous,
                "before": report.show(previous.value if previous else None),
            }
        )
    return rows


def _milestones_reached(plan, *, first: date, last: date) -> list[Milestone]:
    return list(
        Milestone.objects.filter(action__plan=plan, done=True, done_at__date__range=(first, last))
        .select_related("action", "action__lead_organisation")
        .order_by("done_at", "pk")
    )


def changes_in_quarter(plan, *, actions, reports, first: date, last: date, today: date) -> dict:
    """What happened in the quarter: readings for its periods, milestones reached, and the
    actions added, whose status changed and closed, up to today if the quarter is still
    running (reviews.changes, which the review page reads them from too)."""
    since, until = changes.so_far(first, last, today=today)
    return {
        "until": until,
        "readings": _new_readings(reports, first=first, last=last),
        **changes.actions_changed(plan, actions, first=since, last=until),
        "milestones": _milestones_reached(plan, first=first, last=last),
    }


def what_we_achieved(changed: dict) -> dict:
    """What is worth celebrating of a period's changes (``changes_in_quarter`` or the same
    keys): the actions whose status became Complete in it, and the milestones reached in it.
    The board report and the public summary both read it from here."""
    completed = sorted(
        (row for row in changed["status_changes"] if row.after == Action.Status.COMPLETE),
        key=lambda row: (row.when, row.action.number),
    )
    # A milestone of work since stopped is nothing to celebrate.
    milestones = [m for m in changed["milestones"] if m.action.is_live]
    return {
        "completed": completed,
        "milestones": milestones,
        "count": len(completed) + len(milestones),
    }


def _decisions_needed(*, outcome, reports, actions, risks, undecided) -> list[str]:
    """What the board is asked to decide about one outcome, in sentences."""
    decisions = [
        f"Whether to take forward the option \u201c{option.title}\u201d, not yet decided."
        for option in undecided
    ]
    decisions += [
        f"How to handle the risk \u201c{risk.description}\u201d, which cannot be managed "
        "locally: it needs raising beyond the partnership."
        for risk in risks
        if not risk.manageable_locally
    ]
    # Work that is done or stopped is no response to an indicator going off track.
    live_actions = [action for action in actions if action.is_in_progress]
    for report in reports:
        if report.cautious_status == Status.OFF_TRACK and not live_actions:
            decisions.append(
                f"What to do about {report.indicator.code} {report.indicator.name}: it is off "
                "track and no action in progress (open, neither complete nor cancelled) serves "
                "this outcome."
            )
    decisions += [
        f"Whether to extend, re-plan or stop {action.reference} \u201c{action.title}\u201d: "
        "it is off track and past its due date."
        for action in actions
        if action.status == Action.Status.OFF_TRACK and action.overdue
    ]
    return decisions


def _plan_data(
    plan, *, today: date, first: date | None = None, last: date | None = None, plain: bool = False
):
    """The plan's indicators (with charts, in everyday words if ``plain``), actions and risks,
    grouped by outcome."""
    first = first or today
    last = last or today
    outcomes = list(plan.outcomes.all())
    # Each chart sits under a heading that names its indicator: no title drawn in it again.
    reports = draw_charts(
        indicator_reports(Indicator.objects.filter(plan=plan), today=today),
        small=False,
        titled=False,
        plain=plain,
    )
    actions = _actions(plan, first=first, last=last)
    links = Action.outcomes.through.objects.filter(action__plan=plan).values_list(
        "action_id", "outcome_id"
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
    for action in actions:
        action.overdue = action.is_overdue(today)
        action.outcome_ids = set()
    for action_id, outcome_id in links:
        action_by_id[action_id].outcome_ids.add(outcome_id)
    # Key actions first under each outcome: the board looks at them before the rest.
    for items in actions_by_outcome.values():
        items.sort(key=lambda action: (not action.is_key, action.number))
    return {
        "outcomes": outcomes,
        "reports": reports,
        "reports_by_outcome": reports_by_outcome,
        "actions": actions,
        "actions_by_outcome": actions_by_outcome,
        "unlinked_actions": [action for action in actions if action.pk not in linked],
    }


def board_report_context(plan, *, year: int, quarter: int, today: date) -> dict:
    """Everything the board report shows, in a fixed number of queries."""
    first, last = quarter_bounds(year, quarter)
    data = _plan_data(plan, today=today, first=first, last=last)
    reports, actions = data["reports"], data["actions"]
    register = risk_register.register(plan, today=today)
    all_risks = [row["risk"] for row in register["risks"]]
    risks_by_outcome: dict[int, list[Risk]] = defaultdict(list)
    for risk in all_risks:
        risks_by_outcome[risk.outcome_id].append(risk)
    undecided: dict[int, list[Option]] = defaultdict(list)
    for option in Option.objects.filter(outcome__plan=plan, decision=Option.Decision.UNDECIDED):
        undecided[option.outcome_id].append(option)

    action_exceptions = sorted(
        (action for action in actions if action.status in EXCEPTIONS),
        key=lambda action: (ACTION_ORDER.index(action.status), action.number),
    )
    overdue = [action for action in actions if action.overdue]
    other_overdue = [action for action in overdue if action not in action_exceptions]
    # By the worse of the computed status and a lead's: an override marks, never hides.
    indicator_exceptions = sorted(
        (item for item in reports if item.cautious_status in EXCEPTIONS),
        key=lambda item: INDICATOR_ORDER.index(item.cautious_status),
    )
    agreed_scenario, against_trend = scenarios.agreed_against_trend(plan, reports)
    quarter_changes = changes_in_quarter(
        plan, actions=actions, reports=reports, first=first, last=last, today=today
    )
    outcomes = []
    for outcome in data["outcomes"]:
        item = {
            "outcome": outcome,
            "reports": data["reports_by_outcome"][outcome.pk],
            "actions": data["actions_by_outcome"][outcome.pk],
            "risks": risks_by_outcome[outcome.pk],
        }
        item["decisions"] = _decisions_needed(undecided=undecided[outcome.pk], **item)
        outcomes.append(item)

    money = spending.resources_of(
        actions,
        data["outcomes"],
        {action.pk: action.outcome_ids for action in actions},
        spending.spent_by_action(plan, until=last),
    )
    return {
        **_common(plan, today=today),
        "year": year,
        "quarter": quarter,
        "quarter_label": quarter_label(year, quarter),
        "quarter_first": first,
        "quarter_last": last,
        "indicator_counts": _counts((item.cautious_status for item in reports), INDICATOR_ORDER),
        "overridden_count": sum(1 for item in reports if item.overridden),
        "action_counts": _counts(
            (Action.Status(action.status) for action in actions), ACTION_ORDER
        ),
        "indicator_exceptions": indicator_exceptions[:SUMMARY_ROWS],
        "indicator_exceptions_more": max(0, len(indicator_exceptions) - SUMMARY_ROWS),
        "action_exceptions": action_exceptions[:SUMMARY_ROWS],
        "action_exceptions_more": max(0, len(action_exceptions) - SUMMARY_ROWS),
        "overdue_actions": overdue,
        # The summary marks overdue exceptions in place and lists only the rest again.
        "other_overdue_actions": other_overdue[:SUMMARY_ROWS],
        "other_overdue_more": max(0, len(other_overdue) - SUMMARY_ROWS),
        "overdue_exceptions": len(overdue) - len(other_overdue),
        # First in the report: the actions the plan most depends on, however they stand.
        "key_actions": [action for action in actions if action.is_key and action.is_live],
        "sign_ups": versions.sign_up_standing(plan),
        "money": money,
        # Issue 24: the pooled budget and its allocations, and money moved by the quarter's end.
        "pool": spending.pool_of(plan, money),
        "moves": spending.moves_of(plan, until=last),
        # Issue 26: the agreed scenario's forecasts against the trend alone.
        "agreed_scenario": agreed_scenario,
        "against_trend": against_trend,
        "actions_updated_in_quarter": sum(1 for action in actions if action.updates_in_quarter),
        "changes": quarter_changes,
        "achieved": what_we_achieved(quarter_changes),
        "decisions": [
            (item["outcome"], item["decisions"]) for item in outcomes if item["decisions"]
        ],
        "outcomes": outcomes,
        "unlinked_actions": data["unlinked_actions"],
        "reports": reports,
        "actions": actions,
        "risks": all_risks,
        # Issue 24: the plan-wide register, its heat maps, and reviews past their date.
        "plan_risks": risks_by_outcome[None],
        "heat_map": register["heat_map"],
        "heat_map_after": register["heat_map_after"],
        "risk_reviews_overdue": sum(1 for row in register["risks"] if row["overdue"]),
    }


def delivery_plan_context(plan, *, today: date) -> dict:
    """The plan as agreed: vision, outcomes with their evidence and targets, the options chosen
    and why, SMART actions with milestones, resources by partner, and how it is monitored.
    Only live actions: a cancelled action is no part of what partners sign up to, and its
    money is not committed."""
    data = _plan_data(plan, today=today)
    actions = [action for action in data["actions"] if action.is_live]
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    for item in Evidence.objects.filter(outcome__plan=plan).select_related("lead_organisation"):
        evidence[item.outcome_id].append(item)
    favoured: dict[int, list[Option]] = defaultdict(list)
    for option in Option.objects.filter(outcome__plan=plan, decision=Option.Decision.FAVOURED):
        favoured[option.outcome_id].append(option)
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for milestone in Milestone.objects.filter(action__plan=plan).order_by("due", "pk"):
        milestones[milestone.action_id].append(milestone)
    supporters: dict[int, list[str]] = defaultdict(list)
    through = Action.supporting_organisations.through.objects.filter(action__plan=plan)
    for action_id, name in through.values_list("action_id", "organisation__name").order_by(
        "organisation__name"
    ):
        supporters[action_id].append(name)
    resources: dict[str, dict] = {}
    for action in actions:
        action.milestone_list = milestones[action.pk]
        action.supporter_names = supporters[action.pk]
        provider = action.resource_provider or action.lead_organisation
        row = resources.setdefault(
            str(provider), {"partner": provider, "amount": 0, "actions": [], "staff_time": []}
        )
        row["amount"] += action.resource_amount or 0
        row["actions"].append(action.reference)
        if action.staff_time:
            row["staff_time"].append(f"{action.reference}: {action.staff_time}")
    money = spending.resources_of(
        data["actions"],
        data["outcomes"],
        {action.pk: action.outcome_ids for action in data["actions"]},
        spending.spent_by_action(plan),
    )
    return {
        **_common(plan, today=today),
        "outcomes": [
            {
                "outcome": outcome,
                "reports": data["reports_by_outcome"][outcome.pk],
                "evidence": evidence[outcome.pk],
                "options": favoured[outcome.pk],
                "actions": [a for a in data["actions_by_outcome"][outcome.pk] if a.is_live],
            }
            for outcome in data["outcomes"]
        ],
        "unlinked_actions": [action for action in data["unlinked_actions"] if action.is_live],
        "cancelled_count": len(data["actions"]) - len(actions),
        "sign_ups": versions.sign_up_standing(plan),
        "money": money,
        # Issue 24: the pooled budget, who gives to it, and its allocations to outcomes.
        "pool": spending.pool_of(plan, money),
        "moves": spending.moves_of(plan),
        "reports": data["reports"],
        "actions": actions,
        "resources": sorted(
            resources.values(), key=lambda row: (-row["amount"], row["partner"].name)
        ),
        "total_resources": sum(row["amount"] for row in resources.values()),
        # Issue 24: what the plan's closed actions and reviews taught.
        "lessons": lessons.lessons(plan_id=plan.pk),
        # Issue 24: the plan's frame, whom it consults and whom it tells (two queries).
        "stakeholders": list(plan.stakeholders.select_related("relationship_holder")),
        "communications": list(plan.communications.select_related("action")),
        # Next year's plan: the plan it was copied forward from, whose lessons it starts with.
        "carried_from": plan.carried_from,
        "earlier_lessons": lessons.lessons(plan_id=plan.carried_from_id)
        if plan.carried_from_id
        else [],
    }


# The public summary says how things are going in everyday words, not in the board's terms.
PUBLIC_INDICATOR_WORDS = {
    Status.ON_TRACK: "On course to reach our aim",
    Status.AT_RISK: "Improving, but not yet fast enough",
    Status.OFF_TRACK: "Not on course yet: we are doing more",
    Status.NOT_ENOUGH_DATA: "Too early to say",
}
PUBLIC_ACTION_WORDS = {
    Action.Status.NOT_STARTED: "Not started yet",
    Action.Status.ON_TRACK: "Under way",
    Action.Status.AT_RISK: "Under way, running behind",
    Action.Status.OFF_TRACK: "Under way, running late",
    Action.Status.COMPLETE: "Done",
    Action.Status.CANCELLED: "Stopped",
}


def _public_indicator(report) -> dict:
    """An indicator as the public summary tells it, its figures in everyday words."""
    plain = report.indicator.measure.plain()  # "2,320 in every 100,000", not "2,320.0 per"
    return {
        "pk": report.indicator.pk,  # the public page's anchors and embeds
        "name": report.indicator.name,
        # Never better than the computed status, whatever a lead set.
        "words": PUBLIC_INDICATOR_WORDS[report.cautious_status],
        "now": plain.value(report.latest.value) if report.latest else None,
        "when": report.latest.when if report.latest else None,
        "aim": plain.value(report.target.target_value) if report.target else None,
        "aim_date": report.target.target_date if report.target else None,
        "chart": report.chart,
    }


def public_summary_context(plan, *, today: date) -> dict:
    """What the public summary shows. Everything a member of the public should not read is
    left out here, not merely hidden by the template: no people's names (owners, authors of
    updates, risk owners), no update notes or override reasons, no risks. It lists the live
    actions that serve an outcome, and its count of pieces of work counts that list."""
    data = _plan_data(plan, today=today, plain=True)
    outcomes = []
    listed: dict[int, Action] = {}
    for outcome in data["outcomes"]:
        indicators = [
            _public_indicator(report) for report in data["reports_by_outcome"][outcome.pk]
        ]
        live = [action for action in data["actions_by_outcome"][outcome.pk] if action.is_live]
        listed.update((action.pk, action) for action in live)
        actions = [
            {
                "title": action.title,
                "lead": action.lead_organisation.name,
                "due": action.due,
                "words": PUBLIC_ACTION_WORDS[Action.Status(action.status)],
            }
            for action in live
        ]
        outcomes.append(
            {
                "pk": outcome.pk,
                "statement": outcome.statement,
                "why_it_matters": outcome.why_it_matters,
                "who": outcome.target_groups,
                "where": outcome.places,
                "indicators": indicators,
                "actions": actions,
            }
        )
    counts = Counter(PUBLIC_ACTION_WORDS[Action.Status(a.status)] for a in listed.values())
    # What was achieved this quarter so far and the whole quarter before it: never empty just
    # because a quarter has only begun.
    year, quarter = quarter_of(today)
    since = quarter_bounds(*previous_quarter(year, quarter))[0]
    achieved = what_we_achieved(
        {
            **changes.actions_changed(plan, data["actions"], first=since, last=today),
            "milestones": _milestones_reached(plan, first=since, last=today),
        }
    )
    return {
        "partnership": plan.partnership,
        "plan": {
            "title": plan.title,
            "vision": plan.vision,
            "period_start": plan.period_start,
            "period_end": plan.period_end,
        },
        "today": today,
        **_version(plan, name=False),
        "outcomes": outcomes,
        "action_count": len(listed),
        "done_count": counts["Done"],
        "achieved_since": since,
        # Titles and lead organisations only: no people, no notes.
        "achieved": {
            "completed": [
                {
                    "title": row.action.title,
                    "lead": row.action.lead_organisation.name,
                    "when": row.when,
                }
                for row in achieved["completed"]
            ],
            "milestones": [
                {
                    "title": milestone.title,
                    "action": milestone.action.title,
                    "when": milestone.done_at,
                }
                for milestone in achieved["milestones"]
            ],
        },
    }


@dataclass(frozen=True)
class Kind:
    """One of the three reports."""

    slug: str
    name: str  # as a heading and a file name say it
    template: str
    quarterly: bool  # the board report is for a quarter; the others for the plan as it is

    def context(self, plan, *, year: int, quarter: int, today: date) -> dict:
        if self.slug == "board":
            return board_report_context(plan, year=year, quarter=quarter, today=today)
        if self.slug == "plan":
            return delivery_plan_context(plan, today=today)
        return public_summary_context(plan, today=today)

    def file_name(self, plan, *, year: int, quarter: int) -> str:
        stem = self.name.lower().replace(" ", "-")
        return (
            f"{stem}-{plan.pk}-{year}-Q{quarter}.pdf" if self.quarterly else f"{stem}-{plan.pk}.pdf"
        )


KINDS = {
    "board": Kind("board", "Board report", "reports/board_report.html", quarterly=True),
    "plan": Kind("plan", "Delivery plan", "reports/delivery_plan.html", quarterly=False),
    "public": Kind("public", "Public summary", "reports/public_summary.html", quarterly=False),
}


def report_html(plan, *, kind: str, year: int, quarter: int, today: date) -> str:
    report = KINDS[kind]
    context = report.context(plan, year=year, quarter=quarter, today=today)
    return breakable(render_to_string(report.template, {**context, "kind": report}))


# A word of the body's text this long (a web address, a name run together) may not fit its
# cell or line: it is given a place to break every BREAK_EVERY characters, an invisible zero-
# width space. CSS's overflow-wrap would do the same, but it cost WeasyPrint a seventh of the
# board report's render, on every line of every cell (docs/reports.md).
LONG_WORD = re.compile(r"(?:&#?\w+;|[^\s<&]){20,}")
LETTER = re.compile(r"&#?\w+;|.", re.S)  # an escaped character counts as one
TEXT = re.compile(r">([^<]+)<")
BREAK_EVERY = 12


def _break_word(word: re.Match) -> str:
    letters = LETTER.findall(word[0])
    return "\u200b".join(
        "".join(letters[start : start + BREAK_EVERY])
        for start in range(0, len(letters), BREAK_EVERY)
    )


def breakable(html: str) -> str:
    """The report's HTML with a break allowed inside each long word of its body's text (not in
    its head, nor in attributes: alt text is read, not laid out)."""
    head, body = html.split("<body", 1) if "<body" in html else ("", html)
    body = TEXT.sub(lambda text: ">" + LONG_WORD.sub(_break_word, text[1]) + "<", body)
    return f"{head}<body{body}" if head else body


# While a report renders, the cyclic garbage collector runs far less often (see below).
RENDER_GC_THRESHOLDS = (1_000_000, 100, 1000)
_renders = 0  # renders under way in this process
_thresholds_before = gc.get_threshold()
_renders_lock = threading.Lock()


@contextmanager
def fewer_collections():
    """WeasyPrint builds a few million small objects for a long report, and Python's default
    thresholds then run the cyclic collector over the growing heap again and again: a fifth
    of the large board report's render (5.1 s against 4.1 s, with no more peak memory:
    docs/reports.md). Raise the thresholds for the render, so that it rarely collects, and
    put them back after, whichever process renders (a web
    worker, a Celery worker, the command). Thresholds belong to the process, so concurrent
    renders in threads share one raise and the last to finish restores."""
    global _renders, _thresholds_before
    with _renders_lock:
        if _renders == 0:
            _thresholds_before = gc.get_threshold()
            gc.set_threshold(*RENDER_GC_THRESHOLDS)
        _renders += 1
    try:
        yield
    finally:
        with _renders_lock:
            _renders -= 1
            if _renders == 0:
                gc.set_threshold(*_thresholds_before)


# What a report may load while it renders: its own stylesheet, fonts and images, below this
# folder, and the charts, drawn into the HTML as data: URIs. Nothing else, whatever the HTML
# says: not another file (an attachment link could embed /etc/passwd in the PDF), not the
# network.
OWN_FILES = Path(settings.BASE_DIR) / "static" / "reports"
OWN_SUFFIXES = {".css", ".woff2", ".woff", ".ttf", ".otf", ".svg", ".png", ".jpg"}
OWN_DATA = ("data:image/svg+xml", "data:image/png", "data:image/jpeg")


def may_fetch(url: str) -> bool:
    """Whether a report may load ``url``: one of its own files, or an image written in."""
    if url.startswith(OWN_DATA):
        return True
    if not url.startswith("file:"):
        return False
    path = Path(url2pathname(urlsplit(url).path)).resolve()
    return path.is_relative_to(OWN_FILES.resolve()) and path.suffix in OWN_SUFFIXES


def own_files_fetcher():
    """WeasyPrint's URL fetcher for the reports: it refuses anything ``may_fetch`` does not
    allow (WeasyPrint then leaves that out and logs why), and fetches the rest as usual."""
    from weasyprint.urls import URLFetcher

    class OwnFiles(URLFetcher):
        def fetch(self, url, headers=None):
            if not may_fetch(url):
                raise ValueError(
                    "A report loads only its own stylesheet, fonts and images; refused: "
                    + url[:200]
                )
            return super().fetch(url, headers)

    return OwnFiles(allowed_protocols={"file", "data"})


def html_to_pdf(html: str) -> bytes:
    """HTML as a tagged PDF (PDF/UA-1), with its title and language set, and the structure a
    screen reader needs that WeasyPrint leaves out added as it writes (reports.tagging)."""
    with fewer_collections():
        # WeasyPrint's layout goes up and down across a border of Python 3.11's frame stack
        # some 17,600 times in the large board report, mapping and unmapping memory at each
        # (improveplan/deep_stack.py): called from one large frame, it maps memory once.
        pdf = on_a_deep_stack(_laid_out_and_written, html)
        # What the render leaves in cycles once written (the parsed HTML, whose elements know
        # their parents, and the laid-out boxes: 25,000 objects for the delivery plan of 300
        # actions) is young; collected now, in 15 to 20 ms, rather than whenever the next full
        # collection comes, a worker's memory stays level from report to report (the
        # delivery plan rendered nine times in one process: 266 MB at the end, not 372).
        gc.collect(1)
    return pdf


def _laid_out_and_written(html: str) -> bytes:
    from weasyprint import HTML  # takes 0.4 s to import; only the reports need it

    from reports import used_values

    used_values.install()
    _reuse_page_references()
    _compress_at_the_default_level()
    _record_layout_contexts()
    _draw_svg_text_in_runs()
    tagging.mark_terms()
    source = HTML(string=html, base_url=settings.BASE_DIR, url_fetcher=own_files_fetcher())
    _layouts.contexts = contexts = []
    try:
        document = source.render(pdf_variant="pdf/ua-1")
    finally:
        _layouts.contexts = None
    # Laying the pages out leaves tens of megabytes that only the layout referred to; let go
    # of before the PDF is written, the delivery plan of 300 actions peaks at 265 MB rather
    # than 310.
    for context in contexts:
        _let_go(context)
    if not contexts:  # a WeasyPrint whose contexts are not recorded
        gc.collect(1)
    # The structure tree mended before pydyf writes it.
    return document.write_pdf(pdf_variant="pdf/ua-1", finisher=tagging.finisher)


# The layout contexts made by the renders under way in this thread (see below).
_layouts = threading.local()


def _record_layout_contexts() -> None:
    """WeasyPrint (70) lays the pages out with a LayoutContext that holds the computed style
    of every element and the boxes before layout, and that refers to itself: its image loader
    is a partial of it, and its target collector keeps closures that refer to it. Nothing
    else refers to it once the pages are laid out, but those cycles leave it all to the cyclic
    collector: for the delivery plan of 300 actions, 560,000 objects that took 0.4 to 0.45 s
    of a collection to find. Record each context a render makes, so that the render can empty
    it once its pages are laid out and reference counting frees it at once. Done once; a
    later WeasyPrint without that class is left alone, and the render collects as before."""
    from weasyprint import document

    made = getattr(document, "LayoutContext", None)
    if made is None or getattr(made, "recorded", False):
        return

    class RecordedLayoutContext(made):
        recorded = True

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            contexts = getattr(_layouts, "contexts", None)
            if contexts is not None:
                contexts.append(self)

    document.LayoutContext = RecordedLayoutContext


def _draw_svg_text_in_runs() -> None:
    """WeasyPrint (70) lays out and draws an SVG text one letter at a time, for the sake of
    per-letter positions and rotations: a chart's labels cost as many layouts as letters,
    and a label in Arabic lost its joined letters. The charts (outcomes/charts.py) place each
    label as a whole, at one x and one y; such a text is laid out and drawn as one run here,
    and any other goes to WeasyPrint's own drawing. Done once; a later WeasyPrint whose SVG
    code differs is left alone."""
    from weasyprint import svg

    drawn = svg.TAGS.get("text")
    if drawn is None or getattr(drawn, "in_runs", False) or getattr(svg, "text", None) is not drawn:
        return

    def text(drawing, node, font_size):
        if not _one_run(node):
            return drawn(drawing, node, font_size)
        return _draw_run(drawing, node, font_size)

    text.in_runs = True
    for tag, draws in list(svg.TAGS.items()):
        if draws is drawn:
            svg.TAGS[tag] = text
    svg.text = text  # what its drawing compares a node's drawing with, for text-anchor


def _one_run(node) -> bool:
    """Whether an SVG text node is placed as a whole: one x and one y at most, no per-letter
    shifts or rotations, no spacing or length to fit."""
    if node.tag not in ("text", "tspan") or not node.text:
        return False
    if any(node.get(name) for name in ("dx", "dy", "rotate", "textLength", "letter-spacing")):
        return False
    return all(len(node.attrib.get(axis, "0").replace(",", " ").split()) <= 1 for axis in "xy")


def _draw_run(drawing, node, font_size) -> None:
    """WeasyPrint's weasyprint.svg.text.text, for a text placed as a whole (``_one_run``),
    with its letters laid out and drawn together."""
    from math import inf

    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.draw.text import draw_emojis, draw_first_line
    from weasyprint.matrix import Matrix
    from weasyprint.svg.bounding_box import extend_bounding_box
    from weasyprint.svg.text import Style, TextBox
    from weasyprint.svg.utils import size
    from weasyprint.text.line_break import split_first_line

    style = Style()
    style.update(INITIAL_VALUES)
    style.font_config = drawing.font_config
    style["font_family"] = [
        font.strip("\"'") for font in node.get("font-family", "sans-serif").split(",")
    ]
    style["font_style"] = node.get("font-style", "normal")
    weight = node.get("font-weight", 400)
    weight = {"normal": 400, "bold": 700}.get(weight, weight)
    try:
        style["font_weight"] = int(weight)
    except ValueError:
        style["font_weight"] = 400
    style["font_size"] = font_size
    if node.get("direction") in ("ltr", "rtl"):
        style["direction"] = node.get("direction")

    layout, _, _, width, height, baseline = split_first_line(
        node.text, style, drawing.context, inf, 0
    )
    # As WeasyPrint places text: its vertical alignment from the font size, not the font.
    ascent, descent = font_size * 0.8, font_size * 0.2
    anchor = node.get("display-anchor")
    alignment = node.get("dominant-baseline", node.get("alignment-baseline"))
    if anchor == "middle":
        y_align = -height / 2
    elif anchor == "bottom":
        y_align = -height
    elif anchor == "top":
        y_align = 0
    elif alignment in ("central", "middle"):
        y_align = (ascent + descent) / 2 - descent
    elif alignment in ("text-before-edge", "before_edge", "top", "hanging", "text-top"):
        y_align = ascent
    elif alignment in ("text-after-edge", "after_edge", "bottom", "text-bottom"):
        y_align = -descent
    else:
        y_align = 0

    x, y = drawing.cursor_position
    if "x" in node.attrib:
        x = size(node.attrib["x"].strip(), font_size, drawing.inner_width)
        if x:  # as WeasyPrint does: x="0" keeps the shift so far
            drawing.cursor_d_position[0] = 0
    if "y" in node.attrib:
        y = size(node.attrib["y"].strip(), font_size, drawing.inner_height)
        if y:
            drawing.cursor_d_position[1] = 0
    drawing.cursor_position = x + width, y
    x_position = x + drawing.cursor_d_position[0]
    y_position = y + drawing.cursor_d_position[1] + y_align
    node.text_bounding_box = extend_bounding_box(
        node.text_bounding_box,
        (
            (x_position, y_position - baseline),
            (x_position + width, y_position - baseline + height),
        ),
    )

    drawing.stream.push_state()
    fill, stroke = drawing.set_graphical_state(node, font_size)
    drawing.stream.begin_text()
    layout.reactivate(style)
    drawing.fill_stroke(fill, stroke, text=True)
    box = TextBox(layout, style)
    box.baseline = baseline
    emojis = draw_first_line(
        drawing.stream, box, "none", "none", Matrix(a=1, d=-1, e=x_position, f=y_position)
    )
    drawing.stream.end_text()
    drawing.stream.pop_state()
    draw_emojis(drawing.stream, style, x, y, emojis)


def _let_go(context) -> None:
    """Break the cycles through a layout context whose pages are laid out (see above)."""
    collector = getattr(context, "target_collector", None)
    for held in (collector, context):
        if hasattr(held, "__dict__"):
            held.__dict__.clear()


def _reuse_page_references() -> None:
    """pydyf (0.13) builds the tuple of every page's reference again each time WeasyPrint tags
    an element, some 20,000 times for the delivery plan of 300 actions (67 pages): 1.3 million
    references, 0.1 to 0.2 s. Keep the tuple until a page is added. Done once; left alone if
    a later pydyf no longer has that property."""
    import pydyf

    built = pydyf.PDF.page_references
    if not isinstance(built, property) or getattr(built.fget, "kept", False):
        return

    def page_references(pdf):
        kept = pdf.__dict__.get("_kept_page_references")
        if kept is None or kept[0] != len(pdf.pages["Kids"]):
            kept = pdf.__dict__["_kept_page_references"] = (
                len(pdf.pages["Kids"]),
                built.fget(pdf),
            )
        return kept[1]

    page_references.kept = True
    pydyf.PDF.page_references = property(page_references)


def _compress_at_the_default_level() -> None:
    """pydyf (0.13) compresses every stream at zlib's level 9: for the delivery plan of 300
    actions, writing the PDF (its object stream holds the structure tree's 18,000 elements)
    took 0.45 s of processor time, 0.2 s at zlib's default level (6, as pikepdf, which wrote
    the reports before, compresses). Done once; left alone if a later pydyf no longer
    compresses through its module's zlib."""
    import pydyf

    if getattr(pydyf, "zlib", None) is not zlib:
        return
    pydyf.zlib = SimpleNamespace(
        compress=zlib.compress, compressobj=lambda level=-1, *args: zlib.compressobj()
    )


def render_report(plan, *, kind: str, year: int, quarter: int, today: date) -> bytes:
    """One of the three reports of the plan as a PDF."""
    return html_to_pdf(report_html(plan, kind=kind, year=year, quarter=quarter, today=today))


def render_board_report(plan, *, year: int, quarter: int, today: date) -> bytes:
    return render_report(plan, kind="board", year=year, quarter=quarter, today=today)
