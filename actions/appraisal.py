"""Options appraisal: scoring the options for improving an outcome against weighted criteria.

Step 4 of Five Steps to Better Outcomes asks "What should we favour, and why?" and suggests
agreeing criteria first. Partners weigh each criterion from 1 (matters least) to 10 and score
each option against it from 0 (none) to 5 (very well). An option's total is the sum of
weight × score; its maximum is what it would get with 5 on every criterion, so an option not
yet scored on everything is measured against the full maximum and cannot look better for it.

No Django here: plain values in, a ranked list out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

LOWEST_WEIGHT, HIGHEST_WEIGHT = 1, 10
LOWEST_SCORE, HIGHEST_SCORE = 0, 5

# (name, description, default weight), in the words of Step 4. Expected impact weighs most
# because improving the outcome is what the plan is for; the rest start in the middle of the
# scale so that partners can move each one up or down.
DEFAULT_CRITERIA: list[tuple[str, str, int]] = [
    (
        "Fit with the partnership's strategy",
        "How well the option fits the priorities of the partnership's strategy, and of the "
        "strategies for the wider area.",
        5,
    ),
    (
        "Expected impact on the outcome",
        "How far the option can be expected to move the outcome's indicators towards their "
        "targets, and to help other priorities, on the evidence of what has worked here and "
        "elsewhere.",
        8,
    ),
    (
        "Added value of partners working together",
        "What partners can achieve together on this that none could alone: pooled resources, "
        "joined-up delivery, shared information.",
        5,
    ),
    (
        "Affordability and value for money",
        "Whether the money is there, and whether the option is good value for money against "
        "the alternatives.",
        5,
    ),
    (
        "Capacity to deliver",
        "Whether partners have the people, skills and systems to carry the option out, and "
        "what could stop it being carried out.",
        5,
    ),
    (
        "Risk",
        "What could go wrong, weighed against what the option would return, and how far the "
        "risks can be managed. A higher score means lower risk.",
        5,
    ),
]


@dataclass(frozen=True)
class CriterionWeight:
    key: str
    name: str
    weight: int  # 1 to 10


@dataclass(frozen=True)
class OptionScores:
    key: str
    name: str
    scores: Mapping[str, int | None]  # criterion key → 0 to 5, or None while not yet scored


@dataclass(frozen=True)
class Ranked:
    key: str
    name: str
    total: float  # Σ weight × score over the criteria scored so far
    maximum: float  # Σ weight × 5 over every criterion
    percent: float  # total as a percentage of maximum
    scored: int  # how many criteria it has a score for
    rank: int  # 1 for the highest total; equal totals share a rank (1, 2, 2, 4)
    complete: bool  # scored on every criterion


def _check(criteria: Sequence[CriterionWeight], options: Sequence[OptionScores]) -> None:
    """Refuse what the forms should not have let through, naming what is wrong."""
    keys = set()
    for criterion in criteria:
        if criterion.key in keys:
            raise ValueError(f"The criterion “{criterion.name}” is listed more than once.")
        keys.add(criterion.key)
        weight = criterion.weight
        if isinstance(weight, bool) or not isinstance(weight, int):
            raise ValueError(f"The weight of “{criterion.name}” must be a whole number.")
        if not LOWEST_WEIGHT <= weight <= HIGHEST_WEIGHT:
            raise ValueError(
                f"The weight of “{criterion.name}” must be from {LOWEST_WEIGHT} to "
                f"{HIGHEST_WEIGHT}, not {weight}."
            )
    names = {criterion.key: criterion.name for criterion in criteria}
    for option in options:
        for key, score in option.scores.items():
            if key not in names:
                raise ValueError(f"“{option.name}” has a score for an unknown criterion, {key}.")
            if score is None:
                continue
            if isinstance(score, bool) or not isinstance(score, int):
                raise ValueError(
                    f"The score of “{option.name}” for “{names[key]}” must be a whole number."
                )
            if not LOWEST_SCORE <= score <= HIGHEST_SCORE:
                raise ValueError(
                    f"The score of “{option.name}” for “{names[key]}” must be from "
                    f"{LOWEST_SCORE} to {HIGHEST_SCORE}, not {score}."
                )


def rank(criteria: Sequence[CriterionWeight], options: Sequence[OptionScores]) -> list[Ranked]:
    """The options from the highest weighted total down; equal totals share a rank and are
    listed by name. Raises ValueError for a weight or a score out of range."""
    _check(criteria, options)
    maximum = sum(criterion.weight * HIGHEST_SCORE for criterion in criteria)
    totals = []
    for option in options:
        scores = [(c.weight, option.scores.get(c.key)) for c in criteria]
        scored = [(weight, score) for weight, score in scores if score is not None]
        total = sum(weight * score for weight, score in scored)  # whole numbers: ties are exact
        totals.append((option, total, len(scored)))
    totals.sort(key=lambda item: (-item[1], item[0].name.casefold(), item[0].key))

    ranked = []
    for position, (option, total, scored) in enumerate(totals, start=1):
        tied = ranked and ranked[-1].total == total
        ranked.append(
            Ranked(
                key=option.key,
                name=option.name,
                total=float(total),
                maximum=float(maximum),
                percent=100.0 * total / maximum if maximum else 0.0,
                scored=scored,
                rank=ranked[-1].rank if tied else position,
                complete=scored == len(criteria),
            )
        )
    return ranked
