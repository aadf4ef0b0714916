"""Whether an action is SMART: specific, measurable, achievable, relevant and time-bound.

Five Steps to Better Outcomes asks of every action in a delivery plan: is it specific, can you
tell whether it was done, are there the resources to do it, and does it have milestones and
deadlines? This module asks those questions of the facts recorded about an action and says,
in plain words, what is missing. The rules are the table `RULES` below, one line a reason.

No Django here: the facts come in as plain values and the judgement goes out in words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


@dataclass(frozen=True)
class ActionFacts:
    """What the check needs to know about an action, without the database."""

    title: str
    description: str
    outcomes: int  # how many outcomes it serves
    lead_organisation: bool
    owner: bool
    start: date | None
    due: date | None
    success_indicator: bool  # linked to an indicator
    success_measure: str  # or a measure of success stated in words
    resources: bool  # an amount, a provider, or staff time given
    expected_outputs: str
    monitoring: str
    milestones: int


class Letter(StrEnum):
    SPECIFIC = "S"
    MEASURABLE = "M"
    ACHIEVABLE = "A"
    RELEVANT = "R"
    TIME_BOUND = "T"

    @property
    def label(self) -> str:
        return LETTER_LABELS[self]


LETTER_LABELS = {
    Letter.SPECIFIC: "Specific",
    Letter.MEASURABLE: "Measurable",
    Letter.ACHIEVABLE: "Achievable",
    Letter.RELEVANT: "Relevant",
    Letter.TIME_BOUND: "Time-bound",
}


@dataclass(frozen=True)
class Finding:
    letter: Letter
    ok: bool
    reasons: tuple[str, ...]  # why not, in plain words; empty when ok


@dataclass(frozen=True)
class SmartCheck:
    findings: tuple[Finding, ...]  # one per letter, in the order S, M, A, R, T

    @property
    def ok(self) -> bool:
        return all(finding.ok for finding in self.findings)

    @property
    def failing(self) -> list[Finding]:
        return [finding for finding in self.findings if not finding.ok]

    @property
    def summary(self) -> str:
        """ "SMART", or "Not yet: measurable (no measure of success), time-bound (no due date)"."""
        if self.ok:
            return "SMART"
        parts = [
            f"{finding.letter.label.lower()} ({', '.join(finding.reasons)})"
            for finding in self.failing
        ]
        return f"Not yet: {', '.join(parts)}"


# What counts as specific ------------------------------------------------------------------------

# Enough words to say what will be done, by whom or for whom, and where: about one sentence.
SHORTEST_DESCRIPTION = 40

# Wording that says an intention rather than a thing to be done. Each is matched as the start of
# a word, so "improve" also finds "improving" and "improvement".
VAGUE_WORDING = (
    "improv",
    "support",
    "promot",
    "raise awareness",
    "raising awareness",
    "work with",
    "working with",
    "explor",
    "look at",
    "looking at",
    "consider",
    "enhanc",
    "develop",
)

# Things a partner can deliver and count. Matched as whole words, singular or plural.
DELIVERABLES = (
    "service",
    "clinic",
    "course",
    "campaign",
    "visit",
    "plan",
    "report",
    "scheme",
    "session",
    "worker",
    "post",
    "home",
    "place",
    "check",
    "programme",
    "hub",
)

# A quantity written in words counts as much as one written in figures. Whole words only ("ten",
# not "tenants"). "One" is left out: in "work as one" or "one of" it is not a quantity.
NUMBER_WORDS = (
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "fifteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "hundred",
    "thousand",
    "half",
    "halve",
    "double",
    "treble",
)

# Capitalised words that are not names of a group or a place.
NOT_NAMES = (
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
    "I",
)


def _words_pattern(words: tuple[str, ...], *, whole: bool) -> re.Pattern[str]:
    ending = r"(?:s|es)?\b" if whole else ""
    alternatives = "|".join(re.escape(word).replace(r"\ ", r"\s+") for word in words)
    return re.compile(rf"\b(?:{alternatives}){ending}", re.IGNORECASE)


_VAGUE = _words_pattern(VAGUE_WORDING, whole=False)
_DELIVERABLE = _words_pattern(DELIVERABLES, whole=True)
_NUMBER_WORD = _words_pattern(NUMBER_WORDS, whole=True)
_FIGURE = re.compile(r"\d")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def has_number(text: str) -> bool:
    return bool(_FIGURE.search(text) or _NUMBER_WORD.search(text))


def names_a_group_or_place(text: str) -> bool:
    """A name such as "Northfield ward", "Riverside Housing" or "NHS": a capital letter that
    does not just begin a sentence, or an abbreviation."""
    for sentence in _SENTENCE_BREAK.split(text.strip()):
        for position, word in enumerate(_WORD.findall(sentence)):
            if word in NOT_NAMES:
                continue
            if (len(word) > 1 and word.isupper()) or (position > 0 and word[0].isupper()):
                return True
    return False


def is_vague(title: str, description: str) -> bool:
    """Vague wording ("improve", "work with"…) with no quantity, name or deliverable to pin it.

    Names are looked for in the description only: titles are often written in Title Case,
    where a capital letter means nothing.
    """
    text = f"{title}\n{description}"
    if not _VAGUE.search(text):
        return False
    concrete = has_number(text) or _DELIVERABLE.search(text) or names_a_group_or_place(description)
    return not concrete


# The rules --------------------------------------------------------------------------------------


def _long_enough(action: ActionFacts) -> bool:
    description = action.description.strip()
    return not description or len(description) >= SHORTEST_DESCRIPTION


def _measure_has_number(action: ActionFacts) -> bool:
    measure = action.success_measure.strip()
    return action.success_indicator or not measure or has_number(measure)


def _in_order(action: ActionFacts) -> bool:
    # Starting and finishing on one day is allowed: an event is an action too.
    return action.start is None or action.due is None or action.start <= action.due


def _milestones_if_long(action: ActionFacts) -> bool:
    if action.start is None or action.due is None:
        return True
    return (action.due - action.start).days <= 365 or action.milestones > 0


@dataclass(frozen=True)
class Rule:
    letter: Letter
    reason: str  # said when the rule is not met
    met: Callable[[ActionFacts], bool]


RULES = (
    Rule(
        Letter.SPECIFIC,
        "no description of what will be done",
        lambda a: bool(a.description.strip()),
    ),
    Rule(Letter.SPECIFIC, "the description is too short to say what will be done", _long_enough),
    Rule(
        Letter.SPECIFIC,
        "vague wording with no quantity or deliverable",
        lambda a: not is_vague(a.title, a.description),
    ),
    Rule(
        Letter.MEASURABLE,
        "no measure of success",
        lambda a: a.success_indicator or bool(a.success_measure.strip()),
    ),
    Rule(Letter.MEASURABLE, "the measure gives no number to reach", _measure_has_number),
    Rule(Letter.ACHIEVABLE, "no lead organisation", lambda a: a.lead_organisation),
    Rule(Letter.ACHIEVABLE, "no named owner", lambda a: a.owner),
    Rule(Letter.ACHIEVABLE, "no resources", lambda a: a.resources),
    Rule(Letter.RELEVANT, "serves no outcome", lambda a: a.outcomes > 0),
    Rule(Letter.TIME_BOUND, "no due date", lambda a: a.due is not None),
    Rule(Letter.TIME_BOUND, "starts after it is due", _in_order),
    Rule(Letter.TIME_BOUND, "over a year long with no milestones", _milestones_if_long),
)


def check(facts: ActionFacts) -> SmartCheck:
    """Every rule applied to the action: a finding for each letter, with the reasons it fails."""
    findings = []
    for letter in Letter:
        reasons = tuple(r.reason for r in RULES if r.letter is letter and not r.met(facts))
        findings.append(Finding(letter=letter, ok=not reasons, reasons=reasons))
    return SmartCheck(findings=tuple(findings))
