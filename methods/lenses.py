"""The other methods as lenses over the same plan: what each one asks of the data. No Django.

- LEAP: five stages in a cycle, each done or lacking something, and where the plan stands.
- Results-Based Accountability: which ideas cost nothing or little.
- Future-basing: whether an achievement is written as already true; milestones counted
  backwards from the vision date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

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


# LEAP ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeapFacts:
    """What the LEAP cycle reads of a plan, counted."""

    vision: bool
    outcomes: int
    outcomes_without_why: tuple[str, ...]
    outcomes_without_indicator: tuple[str, ...]
    indicators_without_baseline: tuple[str, ...]
    outcomes_without_action: tuple[str, ...]
    actions_not_smart: tuple[str, ...]
    actions_without_monitoring: tuple[str, ...]
    indicators_without_recent_reading: tuple[str, ...]
    open_actions_without_update: tuple[str, ...]
    closed_actions: int
    closed_without_lessons: tuple[str, ...]


@dataclass(frozen=True)
class LeapStage:
    key: str
    title: str
    asks: str
    lacks: tuple[str, ...]

    @property
    def done(self) -> bool:
        return not self.lacks


def _names(prefix: str, names: tuple[str, ...], limit: int = 5) -> list[str]:
    if not names:
        return []
    shown = ", ".join(names[:limit]) + (
        f" and {len(names) - limit} more" if len(names) > limit else ""
    )
    return [f"{prefix}: {shown}."]


def leap_stages(f: LeapFacts) -> list[LeapStage]:
    """The five stages of the LEAP cycle, each with what it still lacks."""
    visioning = []
    if not f.vision:
        visioning.append("The plan has no vision of the change written down.")
    if not f.outcomes:
        visioning.append("No outcome statements yet.")
    visioning += _names(
        "Outcomes that do not say why they matter, or for whom", f.outcomes_without_why
    )
    indicators = _names("Outcomes with no indicator", f.outcomes_without_indicator)
    indicators += _names("Indicators with no baseline", f.indicators_without_baseline)
    planning = _names("Outcomes no action serves", f.outcomes_without_action)
    planning += _names("Actions not yet SMART", f.actions_not_smart)
    monitoring = _names(
        "Actions that do not say how they are monitored", f.actions_without_monitoring
    )
    monitoring += _names(
        "Indicators without a reading in the last year", f.indicators_without_recent_reading
    )
    monitoring += _names("Open actions no one has reported on", f.open_actions_without_update)
    evaluation = []
    if not f.closed_actions:
        evaluation.append(
            "No action has been finished and closed yet, so there is nothing to learn from."
        )
    evaluation += _names("Closed actions with no lessons learned", f.closed_without_lessons)
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
        ),
    ]


def leap_position(stages: list[LeapStage]) -> LeapStage | None:
    """Where the plan stands: the first stage still lacking something (None: round the cycle)."""
    return next((stage for stage in stages if not stage.done), None)
