"""What changed in a period: what a review meeting opens with, and what the board report
says changed in its quarter.

The period is the review's own (a quarter, unless the plan is reviewed every six months or
every year) or the board report's quarter, from its first day to its last, or to today while
it is still running: each change belongs to exactly one period, whenever its review meets.
``actions_changed`` reads the actions' history of changes (django-simple-history) for both:
an action's status and closure at the period's start are those of its last history row before
it, and at its end those of its last row by then. Everything is read in a fixed number of
queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from actions.models import Action, Update
from outcomes.models import Indicator, Reading, Risk
from reviews.models import Review


@dataclass(frozen=True)
class StatusChange:
    action: Action
    before: Action.Status  # at the period's start, or when added, if added in the period
    after: Action.Status  # at its end
    when: date  # the day of the change that gave it the status it has at the end
    added: bool  # added in the period


@dataclass(frozen=True)
class Closed:
    action: Action
    when: date  # the day a lead confirmed it complete


@dataclass(frozen=True)
class Movement:
    indicator: Indicator
    earlier: Reading
    later: Reading
    better: bool

    @property
    def direction(self) -> str:
        return "better" if self.better else "worse"


def previous_review(review: Review) -> Review | None:
    return (
        Review.objects.filter(plan_id=review.plan_id, period_start__lt=review.period_start)
        .order_by("-period_start")
        .first()
    )


def so_far(first: date, last: date, *, today: date) -> tuple[date, date]:
    """The days of a period that what changed covers: from its first day to its last, or to
    today while it is still running."""
    return first, min(last, today)


def actions_changed(plan, actions, *, first: date, last: date) -> dict:
    """Of ``actions`` (the plan's, as the caller loaded them), those added, those whose status
    changed and those closed between ``first`` and ``last`` (days, both included), by reference.

    Added: the day the action was added (its ``created_at``, which its "Added" history row
    also records and which, unlike the history, travels with a partnership's import) is in the
    period. Status changed: its status at the end differs from its status at the start (or
    the one it was added with), dated by the change that gave it its status at the end, not by
    a later update that left it as it was. Closed: closed at the end and not at the start. A
    partnership's history starts at its import, so the first row of an action's history is
    never read as a change. One query, however many actions.
    """
    actions = sorted(actions, key=lambda action: action.number)
    start: dict[int, tuple[str, str]] = {}  # (status, closure) at the period's start
    end: dict[int, tuple[str, str]] = {}  # and at its end
    status_since: dict[int, date] = {}
    closed_on: dict[int, date] = {}
    rows = (
        Action.history.filter(plan_id=plan.pk, history_date__date__lte=last)
        .exclude(history_type="-")
        .order_by("history_date", "history_id")
        .values_list("id", "history_date", "status", "closure")
    )
    for pk, when, status, closure in rows:
        day = timezone.localdate(when)
        before = end.get(pk)
        if day < first or pk not in start:
            start[pk] = (status, closure)
        if before is None or before[0] != status:
            status_since[pk] = day
        if before is not None and before[1] != closure == Action.Closure.CLOSED:
            closed_on[pk] = day
        end[pk] = (status, closure)

    def added(action: Action) -> bool:
        return first <= timezone.localdate(action.created_at) <= last

    changed = [
        StatusChange(
            action,
            Action.Status(start[action.pk][0]),
            Action.Status(end[action.pk][0]),
            status_since[action.pk],
            added(action),
        )
        for action in actions
        if action.pk in end and start[action.pk][0] != end[action.pk][0]
    ]
    closed = [
        Closed(action, closed_on[action.pk])
        for action in actions
        if action.pk in end and end[action.pk][1] == Action.Closure.CLOSED != start[action.pk][1]
    ]
    return {
        "status_changes": changed,
        "new_actions": [action for action in actions if added(action)],
        "closed_actions": closed,
    }


def significant_movements(indicators, *, since: date, until: date) -> list[Movement]:
    """Indicators whose latest reading by ``until`` differs from the latest before ``since``
    by more than the two readings' margins of error (whole-area readings only)."""
    readings: dict[int, list[Reading]] = {}
    for reading in Reading.objects.filter(
        indicator__in=indicators, breakdown="", period__lte=until, value__isnull=False
    ).order_by("indicator_id", "period"):
        readings.setdefault(reading.indicator_id, []).append(reading)
    found = []
    for indicator in indicators:
        rows = readings.get(indicator.pk, [])
        earlier = [r for r in rows if r.period < since]
        later = [r for r in rows if r.period >= since]
        if not earlier or not later:
            continue
        first, last = earlier[-1], later[-1]
        change = indicator.change_significance(first.point, last.point)
        if change is not None and change.significant:
            higher = last.value > first.value
            better = higher == (indicator.direction == Indicator.Direction.HIGHER)
            found.append(Movement(indicator, first, last, better))
    return found


def what_changed(review: Review, *, today: date) -> dict:
    """What the review's period has seen so far (see the module's docstring)."""
    since, until = so_far(review.period_start, review.period_end, today=today)
    plan = review.plan
    actions = list(Action.objects.filter(plan=plan).select_related("lead_organisation"))
    done = (Action.Status.COMPLETE, Action.Status.CANCELLED)
    previous = previous_review(review)
    known_risks = set(previous.known_risks) if previous else None
    risks = list(Risk.objects.filter(plan=plan).select_related("outcome"))
    indicators = list(Indicator.objects.filter(plan=plan))
    return {
        "since": since,
        "until": until,
        **actions_changed(plan, actions, first=since, last=until),
        "slipped": sorted(
            (
                a
                for a in actions
                if a.due and since <= a.due <= until and a.status not in done and a.is_open
            ),
            key=lambda a: a.due,
        ),
        # The first review has nothing to compare with: every risk is listed as new.
        "new_risks": [r for r in risks if known_risks is None or r.pk not in known_risks],
        "movements": significant_movements(indicators, since=since, until=until),
    }


def decision_movements(decisions, *, today: date) -> dict[int, list[dict]]:
    """For each decision, how its indicators have moved since it was taken: those of the
    outcomes it affects and the measures of success of the actions it affects."""
    decisions = list(decisions)
    links: dict[int, set[int]] = {d.pk: set() for d in decisions}
    for decision_id, indicator_id in Indicator.objects.filter(
        outcome__decisions__in=decisions
    ).values_list("outcome__decisions", "pk"):
        links[decision_id].add(indicator_id)
    for decision_id, indicator_id in Action.objects.filter(
        decisions__in=decisions, success_indicator__isnull=False
    ).values_list("decisions", "success_indicator"):
        links[decision_id].add(indicator_id)
    wanted = set().union(*links.values()) if links else set()
    indicators = {i.pk: i for i in Indicator.objects.filter(pk__in=wanted)}
    readings: dict[int, list[Reading]] = {}
    for reading in Reading.objects.filter(
        indicator__in=wanted, breakdown="", period__lte=today, value__isnull=False
    ).order_by("indicator_id", "period"):
        readings.setdefault(reading.indicator_id, []).append(reading)
    moved: dict[int, list[dict]] = {}
    for decision in decisions:
        rows = []
        for indicator_id in sorted(links[decision.pk], key=lambda pk: indicators[pk].code):
            indicator = indicators[indicator_id]
            series = readings.get(indicator_id, [])
            before = [r for r in series if r.period <= decision.taken_on]
            after = [r for r in series if r.period > decision.taken_on]
            row = {"indicator": indicator, "before": before[-1] if before else None}
            row["latest"] = after[-1] if after else None
            if row["before"] and row["latest"]:
                change = float(row["latest"].value - row["before"].value)
                higher_better = indicator.direction == Indicator.Direction.HIGHER
                row["change"] = change
                row["better"] = change != 0 and (change > 0) == higher_better
                change = indicator.change_significance(row["before"].point, row["latest"].point)
                row["significant"] = None if change is None else change.significant
            rows.append(row)
        moved[decision.pk] = rows
    return moved


def chart_marks(indicators) -> dict[int, list]:
    """Marks for each indicator's chart: when the actions linked to it were completed (its
    measure of success, or serving its outcome) and when decisions about it were taken."""
    from outcomes.charts import Mark

    indicators = list(indicators)
    marks: dict[int, list] = {i.pk: [] for i in indicators}
    by_outcome: dict[int, list[int]] = {}
    for indicator in indicators:
        by_outcome.setdefault(indicator.outcome_id, []).append(indicator.pk)
    completed = (
        Update.objects.filter(status=Action.Status.COMPLETE)
        .filter(action__plan__in={i.plan_id for i in indicators})
        .order_by("action_id", "created_at")
        .values_list("action_id", "created_at", "action__reference")
    )
    first_done: dict[int, tuple] = {}
    for action_id, when, reference in completed:
        first_done.setdefault(action_id, (when.date(), reference))
    serving = Action.outcomes.through.objects.filter(action_id__in=first_done).values_list(
        "action_id", "outcome_id"
    )
    targets: dict[int, set[int]] = {}
    for action_id, outcome_id in serving:
        targets.setdefault(action_id, set()).update(by_outcome.get(outcome_id, []))
    for action_id, indicator_id in Action.objects.filter(
        pk__in=first_done, success_indicator__in=marks
    ).values_list("pk", "success_indicator"):
        targets.setdefault(action_id, set()).add(indicator_id)
    for action_id, indicator_ids in targets.items():
        when, reference = first_done[action_id]
        for indicator_id in indicator_ids:
            marks[indicator_id].append(Mark(when, f"{reference} completed"))
    from reviews.models import Decision

    decided = Decision.outcomes.through.objects.filter(outcome_id__in=by_outcome).values_list(
        "outcome_id", "decision__taken_on", "decision__text"
    )
    for outcome_id, taken_on, text in decided:
        for indicator_id in by_outcome[outcome_id]:
            marks[indicator_id].append(Mark(taken_on, f"Decision: {text}"))
    for indicator_marks in marks.values():
        indicator_marks.sort(key=lambda mark: mark.when)
    return marks
