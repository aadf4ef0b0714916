"""The other methods as lenses over the same plan: what each one asks of the data. No Django.

- LEAP: five stages in a cycle, each done or lacking something, and where the plan stands.
- Results-Based Accountability: which ideas cost nothing or little; what a curve still lacks.
- Future-basing: whether an achievement is written as already true; milestones counted
  backwards from the vision date; what the picture of the future still lacks.
- A care service's action plan: what its findings and actions still lack.

Each lack is a ``walk.Missing``, naming the page that puts it right, exactly as in the walk,
so every method's page can lead a lead from nothing to an agreed plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from methods.walk import ActionFacts, Missing, not_smart


@dataclass(frozen=True)
class Thing:
    """Something of the plan a lack is about: an outcome, indicator, achievement, action…"""

    pk: int
    name: str
    writers: frozenset[int] = frozenset()  # see walk.Missing.writers


def _smart(actions: tuple[ActionFacts, ...]) -> list[Missing]:
    return [gap for action in actions if (gap := not_smart(action))]


def _no_outcome(plan: int, why: str) -> list[Missing]:
    return [Missing(f"No outcome yet: {why}", "outcome_create", plan)]


# Results-Based Accountability ------------------------------------------------------------

# Turn the Curve asks for no-cost and low-cost ideas beside the rest: up to this much a year.
LOW_COST_LIMIT = Decimal(5000)


def cost_band(cost: Decimal | None) -> str:
    """ "No cost", "Low cost" or "" (costed higher, or not costed)."""
    if cost is None:
        return ""
    if cost == 0:
        return "No cost"
    return "Low cost" if cost <= LOW_COST_LIMIT else ""


@dataclass(frozen=True)
class CurveFacts:
    """What Turn the Curve reads for one indicator."""

    indicator: Thing
    outcome: Thing
    readings: int
    has_target: bool
    story: bool  # causes, barriers or opportunities recorded for its outcome
    ideas: bool  # options not turned down, or evidence of what already works
    cheap_idea: bool  # an option costing nothing or little
    actions: tuple[ActionFacts, ...]  # the actions serving its outcome


def curve_lacks(f: CurveFacts) -> list[Missing]:
    """What one indicator's Turn the Curve page still lacks."""
    indicator, outcome = f.indicator, f.outcome
    lacks = []
    if not f.readings:
        lacks.append(
            Missing(
                f"{indicator.name} has no readings yet: there is no curve to turn.",
                "reading_create",
                indicator.pk,
                writers=indicator.writers,
            )
        )
    if not f.has_target:
        lacks.append(
            Missing(
                f"{indicator.name} has no target: where should the curve go?",
                "target_create",
                indicator.pk,
            )
        )
    if not f.story:
        lacks.append(
            Missing(
                f"No story behind the curve of “{outcome.name}” yet: what causes it, "
                "and what stands in the way?",
                "evidence_create:cause",
                outcome.pk,
            )
        )
    if not f.ideas:
        lacks.append(
            Missing(
                f"Nothing yet on what works for “{outcome.name}”: add ideas, or evidence "
                "of what already works.",
                "option_create",
                outcome.pk,
            )
        )
    if not f.cheap_idea:
        lacks.append(
            Missing(
                f"No no-cost or low-cost idea yet for “{outcome.name}”.",
                "option_create",
                outcome.pk,
            )
        )
    if not f.actions:
        lacks.append(
            Missing(f"No action plan yet for “{outcome.name}”.", "action_create", outcome.pk)
        )
    return lacks + _smart(f.actions)


def rba_lacks(
    plan: int, without_population: tuple[Thing, ...], curves: list[CurveFacts], outcomes: int
) -> list[Missing]:
    """What the plan's Turn the Curve pages lack together: every outcome needs a population
    indicator, and every population indicator's curve what ``curve_lacks`` asks. A lack
    shared by indicators of one outcome is listed once."""
    if not outcomes:
        return _no_outcome(plan, "what do we want for the people who live here?")
    lacks = [
        Missing(
            f"“{outcome.name}” has no population indicator: how would we recognise it?",
            "indicator_create",
            outcome.pk,
        )
        for outcome in without_population
    ]
    for curve in curves:
        lacks += curve_lacks(curve)
    return list(dict.fromkeys(lacks))


# Future-basing -------------------------------------------------------------------------

# Wording that puts an achievement in the future, or makes it a wish, rather than a fact
# seen on the vision date.
NOT_YET_WORDING = re.compile(
    r"\b(will|shall|going to|plan to|aim to|hope to|want to|should|would|by 20\d\d)\b",
    re.IGNORECASE,
)


def written_as_achieved(statement: str) -> bool:
    """Whether an achievement reads as already true: "Every tenant has…", not "We will…"."""
    return NOT_YET_WORDING.search(statement) is None


def months_before(when: date, vision_date: date) -> int:
    """Whole months from a date to the vision date (negative after it)."""
    months = (vision_date.year - when.year) * 12 + vision_date.month - when.month
    if vision_date.day < when.day:
        months -= 1
    return months


@dataclass(frozen=True)
class SuccessArea:
    """An outcome seen from the vision date: what is true then, and whether actions serve it."""

    outcome: Thing
    achievements: tuple[Thing, ...]
    actions: int
    # Each achievement comes true through at least one critical action: a live key action
    # linked to it. These achievements have none yet.
    without_key_action: tuple[Thing, ...] = ()


@dataclass(frozen=True)
class FutureFacts:
    plan: int
    vision: bool
    vision_date: date | None
    areas: tuple[SuccessArea, ...]
    actions: tuple[tuple[ActionFacts, date | None], ...]  # each with its due date


def future_lacks(f: FutureFacts) -> list[Missing]:
    """What the picture of the future, and the way back from it, still lack."""
    lacks = []
    if not f.vision_date:
        lacks.append(
            Missing(
                "No vision date: on which day is the vision seen as come true?",
                "plan_edit:vision_date",
                f.plan,
            )
        )
    if not f.vision:
        lacks.append(Missing("The vision is not written down yet.", "plan_edit:vision", f.plan))
    if not f.areas:
        lacks += _no_outcome(f.plan, "in what are we successful on the vision date?")
    for area in f.areas:
        outcome = area.outcome
        if not area.achievements:
            lacks.append(
                Missing(
                    f"Nothing yet says what is true of “{outcome.name}” on the vision date.",
                    "achievement_create",
                    outcome.pk,
                )
            )
        lacks += [
            Missing(
                f"“{achievement.name}” is not written as already true.",
                "achievement_edit",
                achievement.pk,
            )
            for achievement in area.achievements
            if not written_as_achieved(achievement.name)
        ]
        if not area.actions:
            lacks.append(
                Missing(f"No action leads to “{outcome.name}” yet.", "action_create", outcome.pk)
            )
        else:
            lacks += [
                Missing(
                    f"No key action leads to “{achievement.name}”: link the action it most "
                    "depends on, and mark that action as key.",
                    "achievement_actions",
                    achievement.pk,
                )
                for achievement in area.without_key_action
            ]
    for action, due in f.actions:
        if gap := not_smart(action):
            lacks.append(gap)
        elif f.vision_date and due and due > f.vision_date:
            lacks.append(
                Missing(
                    f"{action.reference} {action.title} is due after the vision date.",
                    "action_edit",
                    action.pk,
                )
            )
    return lacks


# A care service's action plan ------------------------------------------------------------


@dataclass(frozen=True)
class CareFacts:
    plan: int
    outcomes: tuple[Thing, ...]
    outcomes_without_action: tuple[Thing, ...]
    findings: int
    unanswered_findings: tuple[Thing, ...]
    actions: tuple[ActionFacts, ...]
    closed_without_lessons: tuple[Thing, ...]


def care_lacks(f: CareFacts) -> list[Missing]:
    """What the improvement action plan still lacks: every finding answered by an action,
    every action SMART and serving an outcome, every closed action's lessons written."""
    lacks = []
    if not f.outcomes:
        lacks += _no_outcome(f.plan, "what should the service achieve for the people it cares for?")
    if not f.findings:
        lacks.append(
            Missing(
                "No inspection findings yet: what did the inspection, or the service's own "
                "checks, find?",
                "finding_create",
                f.plan,
            )
        )
    for finding in f.unanswered_findings:
        text = f"No action answers the finding “{finding.name}” yet."
        if f.actions:
            lacks.append(Missing(text, "finding_edit", finding.pk))
        elif f.outcomes:
            lacks.append(Missing(text, "action_create", f.outcomes[0].pk))
    lacks += [
        Missing(f"No action serves “{outcome.name}” yet.", "action_create", outcome.pk)
        for outcome in f.outcomes_without_action
    ]
    lacks += _smart(f.actions)
    lacks += [
        Missing(f"{action.name} was closed with no lessons learned.", "action:lessons", action.pk)
        for action in f.closed_without_lessons
    ]
    return list(dict.fromkeys(lacks))


# LEAP ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeapFacts:
    """What the LEAP cycle reads of a plan."""

    plan: int
    vision: bool
    outcomes: int
    outcomes_without_why: tuple[Thing, ...]
    outcomes_without_indicator: tuple[Thing, ...]
    indicators_without_baseline: tuple[Thing, ...]
    outcomes_without_action: tuple[Thing, ...]
    actions: tuple[ActionFacts, ...]
    actions_without_monitoring: tuple[Thing, ...]
    indicators_without_recent_reading: tuple[Thing, ...]
    open_actions_without_update: tuple[Thing, ...]
    closed_actions: int
    closed_without_lessons: tuple[Thing, ...]


@dataclass(frozen=True)
class LeapStage:
    key: str
    title: str
    asks: str
    lacks: tuple[Missing, ...]
    waiting: str = ""  # why the stage cannot be done yet, though nothing can be put right now

    @property
    def done(self) -> bool:
        return not self.lacks and not self.waiting


def _each(things: tuple[Thing, ...], says: str, page: str) -> list[Missing]:
    return [
        Missing(f"{thing.name} {says}", page, thing.pk, writers=thing.writers) for thing in things
    ]


def leap_stages(f: LeapFacts) -> list[LeapStage]:
    """The five stages of the LEAP cycle, each with what it still lacks."""
    visioning = []
    if not f.vision:
        visioning.append(
            Missing(
                "The plan has no vision of the change written down.", "plan_edit:vision", f.plan
            )
        )
    if not f.outcomes:
        visioning += _no_outcome(f.plan, "what change do we want to see?")
    visioning += _each(
        f.outcomes_without_why, "does not say why it matters, or for whom.", "outcome_edit:why"
    )
    indicators = _each(f.outcomes_without_indicator, "has no indicator.", "indicator_create")
    indicators += _each(f.indicators_without_baseline, "has no baseline.", "target_create")
    planning = _each(f.outcomes_without_action, "is served by no action.", "action_create")
    planning += _smart(f.actions)
    monitoring = _each(
        f.actions_without_monitoring, "does not say how it is monitored.", "action_edit"
    )
    monitoring += _each(
        f.indicators_without_recent_reading, "has no reading from the last year.", "reading_create"
    )
    monitoring += _each(f.open_actions_without_update, "has had no update yet.", "action:update")
    evaluation = _each(
        f.closed_without_lessons, "was closed with no lessons learned.", "action:lessons"
    )
    waiting = (
        ""
        if f.closed_actions
        else "Nothing to evaluate until an action is finished and closed: this stage comes "
        "after delivery."
    )
    return [
        LeapStage(
            "visioning",
            "Visioning outcomes",
            "What change do the people with a stake in it want to see?",
            tuple(visioning),
        ),
        LeapStage(
            "indicators",
            "Indicators and baseline",
            "How will we know the change is happening, and where are we starting from?",
            tuple(indicators),
        ),
        LeapStage(
            "action_plan",
            "Action planning",
            "What will we do, with what resources, and is it enough to bring the change about?",
            tuple(planning),
        ),
        LeapStage(
            "monitoring",
            "Monitoring",
            "Which indicators tell us about progress, and how do we report to one another?",
            tuple(monitoring),
        ),
        LeapStage(
            "evaluation",
            "Evaluation",
            "What worked, what didn't, and what will we do differently next time round?",
            tuple(evaluation),
            waiting,
        ),
    ]


def leap_position(stages: list[LeapStage]) -> LeapStage | None:
    """Where the plan stands: the first stage not done (None: round the cycle)."""
    return next((stage for stage in stages if not stage.done), None)
