"""The walk's arithmetic of what is answered and what is missing, without the database."""

from __future__ import annotations

from methods import walk
from outcomes.models import Proofing

EMPTY = walk.OutcomeFacts(pk=1, statement="More children are ready for school")

FULL = walk.OutcomeFacts(
    pk=1,
    statement="More children are ready for school",
    indicators=(walk.IndicatorFacts(10, "SR-01 Ready for school", 8, 8, True, 3),),
    evidence_kinds=frozenset({"need", "cause", "intervention", "gap"}),
    has_assumptions=True,
    risks=2,
    criteria=6,
    options=(walk.OptionFacts(20, "Home visits", 6, True),),
    actions=(walk.ActionFacts(30, "A-01", "Run 400 home visits", ()),),
    proofed=frozenset(Proofing.Topic.values),
)


def test_an_empty_outcome_misses_something_at_every_step():
    progress = walk.progress(EMPTY)
    assert [step.done for step in progress.steps] == [False] * 5
    assert walk.next_step(progress.steps) == 1
    assert [item.page for item in progress.steps[0].missing] == ["indicator_create"]
    assert len(progress.proofing) == 4


def test_a_complete_outcome_has_nothing_missing():
    progress = walk.progress(FULL)
    assert progress.steps_done == 5
    assert progress.missing == []
    assert walk.next_step(progress.steps) is None
    assert "A-01 Run 400 home visits is SMART." in progress.steps[4].answered


def test_a_comparator_without_values_asks_for_its_values():
    facts = walk.OutcomeFacts(
        pk=1, statement="x", indicators=(walk.IndicatorFacts(10, "SR-01", 3, 0, True, 7),)
    )
    [missing] = walk.walk(facts)[0].missing
    assert (missing.page, missing.pk) == ("comparator_reading_create", 7)


def test_options_must_be_scored_against_every_criterion_and_one_favoured():
    facts = walk.OutcomeFacts(
        pk=1, statement="x", criteria=6, options=(walk.OptionFacts(20, "Home visits", 4, False),)
    )
    pages = [item.page for item in walk.walk(facts)[3].missing]
    assert pages == ["option_scores", "option_decision"]


def test_an_action_missing_only_milestones_is_sent_to_add_one():
    gap = ("time-bound (over a year long with no milestones)",)
    facts = walk.OutcomeFacts(
        pk=1, statement="x", actions=(walk.ActionFacts(30, "A-01", "T", gap),)
    )
    [missing] = walk.walk(facts)[4].missing
    assert missing.page == "milestone_create"
    assert "not yet SMART: time-bound (over a year long with no milestones)." in missing.text


def test_the_proofing_topics_are_the_models():
    assert [topic for topic, _ in walk.PROOFING_TOPICS] == Proofing.Topic.values
