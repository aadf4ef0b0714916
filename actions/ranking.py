"""The ranking of one outcome's options, with declared interests taken into account (issue
24): the one place the totals on the options appraisal, and the favoured order, come from.

A score given by a member who has declared an interest in its option (or in the plan's
decisions as a whole) is flagged; when a lead has left that member's scores out, it is not
counted in the totals. The arithmetic itself is ``appraisal.rank``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from actions import appraisal
from actions.models import Declaration, Option, OptionEffect, Score, counted_option_effects


@dataclass(frozen=True)
class Cell:
    score: Score
    flagged: bool  # its scorer has declared an interest in the option
    excluded: bool  # and a lead has left that member's scores out of the totals


@dataclass(frozen=True)
class Row:
    option: Option
    ranked: appraisal.Ranked
    cells: list[Cell | None]  # one a criterion, in the criteria's order


@dataclass(frozen=True)
class Ranking:
    rows: list[Row]  # highest total first
    declarations: list[Declaration]
    excluded_members: list  # the members whose scores the totals leave out, by name


def rank_options(outcome, criteria: list) -> Ranking:
    """The outcome's options, ranked by their weighted totals (a fixed number of queries)."""
    options = list(
        outcome.options.prefetch_related(
            Prefetch("scores", queryset=Score.objects.select_related("criterion", "scored_by")),
            "risks",
            Prefetch("expected_effects", queryset=OptionEffect.objects.select_related("indicator")),
        ).select_related("decided_by")
    )
    # Issue 26: a favoured option's effect the forecast "with the plan" does not count is one
    # an action made from the option states itself: marked for the page to say so, by the
    # rule the forecast uses (`counted_option_effects`).
    counted = set(counted_option_effects(plan=outcome.plan_id).values_list("pk", flat=True))
    for option in options:
        for effect in option.expected_effects.all():
            effect.carried = (
                option.decision == Option.Decision.FAVOURED and effect.pk not in counted
            )
    declarations = list(
        Declaration.objects.filter(plan_id=outcome.plan_id).select_related("member", "option")
    )

    def judged(option: Option, score: Score) -> Cell:
        covering = [
            d
            for d in declarations
            if score.scored_by_id and d.member_id == score.scored_by_id and d.covers(option.pk)
        ]
        return Cell(score, bool(covering), any(d.excluded for d in covering))

    cells = {
        option.pk: {score.criterion_id: judged(option, score) for score in option.scores.all()}
        for option in options
    }
    ranking = appraisal.rank(
        [appraisal.CriterionWeight(str(c.pk), c.name, c.weight) for c in criteria],
        [
            appraisal.OptionScores(
                str(option.pk),
                option.title,
                {
                    str(criterion_id): cell.score.score
                    for criterion_id, cell in cells[option.pk].items()
                    if not cell.excluded
                },
            )
            for option in options
        ],
    )
    by_key = {item.key: item for item in ranking}
    rows = [
        Row(
            option,
            by_key[str(option.pk)],
            [cells[option.pk].get(criterion.pk) for criterion in criteria],
        )
        for option in sorted(options, key=lambda o: (by_key[str(o.pk)].rank, o.title))
    ]
    excluded = sorted(
        {d.member for d in declarations if d.excluded}, key=lambda m: m.full_name.casefold()
    )
    return Ranking(rows, declarations, excluded)
