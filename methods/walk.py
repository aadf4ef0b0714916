"""The Five Steps walk for one outcome: what each step asks, what is answered, what is missing.

The facts come in as plain values (``methods/facts.py`` reads them from the database) and
each step goes out as the questions it asks, what has been answered and what is still
missing, each missing thing with the kind of page that puts it right. Policy proofing runs
beside the steps. No Django here.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class IndicatorFacts:
    pk: int
    name: str
    readings: int
    comparator_values: int
    has_target: bool
    comparator_pk: int | None = None  # its first comparator, if it has one


@dataclass(frozen=True)
class OptionFacts:
    pk: int
    title: str
    scores: int  # criteria it has been scored against
    favoured: bool


@dataclass(frozen=True)
class ActionFacts:
    pk: int
    reference: str
    title: str
    smart_gaps: tuple[str, ...]  # what the SMART check says is missing; empty when SMART


@dataclass(frozen=True)
class OutcomeFacts:
    pk: int
    statement: str
    indicators: tuple[IndicatorFacts, ...] = ()
    evidence_kinds: frozenset[str] = frozenset()  # Evidence.Kind values recorded
    has_assumptions: bool = False
    risks: int = 0
    criteria: int = 0  # the plan's
    options: tuple[OptionFacts, ...] = ()
    actions: tuple[ActionFacts, ...] = ()
    proofed: frozenset[str] = frozenset()  # Proofing.Topic values answered


@dataclass(frozen=True)
class Missing:
    """Something still to do, and the page that does it: ``page`` names one of the views'
    links (e.g. "indicator_create"), ``pk`` the thing that page is about."""

    text: str
    page: str
    pk: int
    topic: str = ""  # for policy proofing: which question
    # Organisations whose partners may put it right too (leads always may): the owner of
    # an indicator's data enters its readings; the organisations on an action report on it.
    writers: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    subtitle: str
    questions: tuple[str, ...]
    answered: tuple[str, ...] = ()
    missing: tuple[Missing, ...] = ()

    @property
    def done(self) -> bool:
        return not self.missing


# The guiding questions, in our own words (after "Five Steps to Better Outcomes").
STEPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "Where are we now?",
        "How we are doing, and how that has changed",
        (
            "What do the indicators say, and how has each moved over the years?",
            "How do we compare with the rest of the country, the region and similar areas?",
            "Which groups and places are doing worst, and how wide is the gap?",
            "Is the latest change bigger than the margin of error?",
        ),
    ),
    (
        "What evidence do we have for priorities?",
        "Needs, their causes, and what is already done about them",
        (
            "What is the need, who has it and where?",
            "What causes it, and what stands in the way of change?",
            "What is being done already, at what scale and cost, and does it work?",
            "What don't we know yet? Each gap can become an action.",
        ),
    ),
    (
        "Where are we trying to reach?",
        "Whether the targets will be met on the present course",
        (
            "Where will the current trend take us by the target date, and how sure can we be?",
            "How far is that from the target, in units and in people?",
            "How fast must things change, compared with how fast they are changing?",
            "What could knock us off course, and what are we assuming?",
        ),
    ),
    (
        "How will we get there?",
        "The options, weighed against what matters to the partnership",
        (
            "What could we do: more of what works, something new, the same thing better, "
            "or less of what doesn't?",
            "What evidence is there that each would work here, and what would it cost?",
            "Which do we favour, and why? Which should be tried as a pilot first?",
        ),
    ),
    (
        "What are we going to do now?",
        "Actions the partners commit to",
        (
            "Which actions will we take, and which outcome does each serve?",
            "Who leads each one, who supports it, and by when will it be done?",
            "Is each action specific, measurable, achievable, relevant and time-bound?",
            "How will we know it is happening, and whether it is working?",
        ),
    ),
)

PROOFING_TITLE = "Policy proofing"


def walk(facts: OutcomeFacts) -> list[Step]:
    """The five steps for one outcome, each with what is answered and what is missing."""
    builders = (_step_1, _step_2, _step_3, _step_4, _step_5)
    steps = []
    for number, ((title, subtitle, questions), build) in enumerate(
        zip(STEPS, builders, strict=True), 1
    ):
        answered, missing = build(facts)
        steps.append(Step(number, title, subtitle, questions, tuple(answered), tuple(missing)))
    return steps


def _step_1(f: OutcomeFacts) -> tuple[list[str], list[Missing]]:
    answered, missing = [], []
    if not f.indicators:
        missing.append(
            Missing(
                "No indicator yet: how will we know whether this outcome is being reached?",
                "indicator_create",
                f.pk,
            )
        )
    for indicator in f.indicators:
        if indicator.readings:
            answered.append(f"{indicator.name}: {_count(indicator.readings, 'reading')}.")
        else:
            missing.append(
                Missing(f"{indicator.name} has no readings yet.", "reading_create", indicator.pk)
            )
        if indicator.comparator_values:
            answered.append(f"{indicator.name} is compared with other areas.")
        elif indicator.comparator_pk:
            missing.append(
                Missing(
                    f"{indicator.name}'s comparator has no values yet.",
                    "comparator_reading_create",
                    indicator.comparator_pk,
                )
            )
        else:
            missing.append(
                Missing(
                    f"{indicator.name} is not compared with anywhere else yet.",
                    "comparator_create",
                    indicator.pk,
                )
            )
    return answered, missing


EVIDENCE_NEEDED = (
    ("need", "the need: who has it, and where", "Needs"),
    ("cause", "what causes it", "Causes"),
    ("intervention", "what is being done about it already", "Current interventions"),
)


def _step_2(f: OutcomeFacts) -> tuple[list[str], list[Missing]]:
    answered, missing = [], []
    for kind, words, heading in EVIDENCE_NEEDED:
        if kind in f.evidence_kinds:
            answered.append(f"{heading} recorded.")
        else:
            missing.append(Missing(f"No evidence yet of {words}.", f"evidence_create:{kind}", f.pk))
    if "gap" in f.evidence_kinds:
        answered.append("Information gaps written down.")
    return answered, missing


def _step_3(f: OutcomeFacts) -> tuple[list[str], list[Missing]]:
    answered, missing = [], []
    for indicator in f.indicators:
        if indicator.has_target:
            answered.append(f"{indicator.name} has a target.")
        else:
            missing.append(
                Missing(f"{indicator.name} has no target.", "target_create", indicator.pk)
            )
    if f.has_assumptions:
        answered.append("The assumptions behind the forecast are written down.")
    else:
        missing.append(
            Missing(
                "The assumptions behind the forecast are not written down.", "outcome_edit", f.pk
            )
        )
    if f.risks:
        answered.append(f"{_count(f.risks, 'risk')} recorded.")
    else:
        missing.append(
            Missing("No risks recorded: what could knock us off course?", "risk_create", f.pk)
        )
    return answered, missing


def _step_4(f: OutcomeFacts) -> tuple[list[str], list[Missing]]:
    answered, missing = [], []
    if f.criteria:
        answered.append(
            f"The plan judges options by {_count(f.criteria, 'criterion', 'criteria')}."
        )
    else:
        missing.append(Missing("The plan has no criteria to judge options by.", "criteria", f.pk))
    if not f.options:
        missing.append(Missing("No options yet: what could we do?", "option_create", f.pk))
    for option in f.options:
        if f.criteria and option.scores < f.criteria:
            missing.append(
                Missing(
                    f"“{option.title}” is not scored against every criterion.",
                    "option_scores",
                    option.pk,
                )
            )
    favoured = [option for option in f.options if option.favoured]
    if favoured:
        answered.append("Favoured: " + "; ".join(option.title for option in favoured) + ".")
    elif f.options:
        missing.append(
            Missing(
                "No option is favoured yet: which should we take forward, and why?",
                "option_decision",
                f.options[0].pk,
            )
        )
    return answered, missing


def _step_5(f: OutcomeFacts) -> tuple[list[str], list[Missing]]:
    answered, missing = [], []
    if not f.actions:
        missing.append(Missing("No action serves this outcome yet.", "action_create", f.pk))
    for action in f.actions:
        if gap := not_smart(action):
            missing.append(gap)
        else:
            answered.append(f"{action.reference} {action.title} is SMART.")
    return answered, missing


def not_smart(action: ActionFacts) -> Missing | None:
    """What an action lacks to be SMART, with the page that puts it right (None: it is SMART).
    Every method asks this of every action."""
    if not action.smart_gaps:
        return None
    # Milestones are added on their own page; everything else on the action's form.
    only_milestones = all("milestone" in gap for gap in action.smart_gaps)
    return Missing(
        f"{action.reference} {action.title} is not yet SMART: "
        + "; ".join(action.smart_gaps)
        + ".",
        "milestone_create" if only_milestones else "action_edit",
        action.pk,
    )


PROOFING_TOPICS = (
    ("affected_differently", "Groups who may be affected differently"),
    ("missing_from_data", "Groups missing from the data"),
    ("rural", "Rural areas"),
    ("environment", "Environmental sustainability"),
)


def proofing_missing(f: OutcomeFacts) -> list[Missing]:
    """The policy-proofing questions this outcome has not answered yet."""
    return [
        Missing(f"Not answered yet: {label.lower()}.", "proofing", f.pk, label.lower())
        for topic, label in PROOFING_TOPICS
        if topic not in f.proofed
    ]


def next_step(steps: list[Step]) -> int | None:
    """The first step with something missing, or None when all five are done."""
    return next((step.number for step in steps if not step.done), None)


@dataclass
class OutcomeProgress:
    facts: OutcomeFacts
    steps: list[Step]
    proofing: list[Missing] = field(default_factory=list)

    @property
    def missing(self) -> list[tuple[int | None, Missing]]:
        """Everything still to do for this outcome: (step number or None, what)."""
        found = [(step.number, item) for step in self.steps for item in step.missing]
        return found + [(None, item) for item in self.proofing]

    @property
    def steps_done(self) -> int:
        return sum(step.done for step in self.steps)


def progress(facts: OutcomeFacts) -> OutcomeProgress:
    return OutcomeProgress(facts, walk(facts), proofing_missing(facts))


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"
