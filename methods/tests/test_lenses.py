"""What the other methods ask of the data, without the database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from methods import lenses, walk


def test_no_cost_and_low_cost_ideas_are_told_apart():
    assert lenses.cost_band(Decimal(0)) == "No cost"
    assert lenses.cost_band(Decimal(3500)) == "Low cost"
    assert lenses.cost_band(lenses.LOW_COST_LIMIT) == "Low cost"
    assert lenses.cost_band(Decimal(120000)) == ""
    assert lenses.cost_band(None) == ""


def test_achievements_are_written_as_already_true():
    assert lenses.written_as_achieved("Every care leaver has a flat of their own.")
    assert not lenses.written_as_achieved("We will have a forum of care leavers.")
    assert not lenses.written_as_achieved("Nobody sleeps rough by 2030.")
    assert lenses.written_as_achieved("Willow Court has 40 tenants.")  # a word, not "will"


def test_months_are_counted_back_from_the_vision_date():
    vision = date(2030, 3, 31)
    assert lenses.months_before(date(2029, 3, 31), vision) == 12
    assert lenses.months_before(date(2029, 4, 30), vision) == 11
    assert lenses.months_before(date(2030, 4, 30), vision) == -1


NOTHING_LACKING = lenses.LeapFacts(
    plan=1,
    vision=True,
    outcomes=2,
    outcomes_without_why=(),
    outcomes_without_indicator=(),
    indicators_without_baseline=(),
    outcomes_without_action=(),
    actions=(),
    actions_without_monitoring=(),
    indicators_without_recent_reading=(),
    open_actions_without_update=(),
    closed_actions=1,
    closed_without_lessons=(),
)


def test_the_plan_stands_at_the_first_leap_stage_that_lacks_something():
    stages = lenses.leap_stages(NOTHING_LACKING)
    assert [stage.done for stage in stages] == [True] * 5
    assert lenses.leap_position(stages) is None
    stages = lenses.leap_stages(
        replace(
            NOTHING_LACKING,
            actions_without_monitoring=(lenses.Thing(7, "A-02"),),
            closed_actions=0,
        )
    )
    assert lenses.leap_position(stages).key == "monitoring"
    assert stages[3].lacks == (
        walk.Missing("A-02 does not say how it is monitored.", "action_edit", 7),
    )
    # Before any action is closed there is nothing to evaluate: evaluation waits, but lacks
    # nothing that could be put right now, so the plan can still be agreed.
    assert not stages[4].done and not stages[4].lacks


def test_each_thing_lacking_is_its_own_line_with_its_own_fix():
    not_smart = tuple(
        walk.ActionFacts(n, f"A-{n:02d}", "Visits", ("time-bound (no due date)",))
        for n in range(1, 9)
    )
    lines = lenses.leap_stages(replace(NOTHING_LACKING, actions=not_smart))[2].lacks
    assert [(line.page, line.pk) for line in lines] == [("action_edit", n) for n in range(1, 9)]


def test_readings_lacking_may_be_entered_by_the_partners_who_own_the_data():
    curve = lenses.CurveFacts(
        indicator=lenses.Thing(3, "SR-01 Ready for school", frozenset([9])),
        outcome=lenses.Thing(2, "Children are ready for school"),
        readings=0,
        has_target=True,
        story=True,
        ideas=True,
        cheap_idea=True,
        actions=(walk.ActionFacts(5, "A-01", "Visits", ()),),
    )
    [reading] = lenses.curve_lacks(curve)
    assert (reading.page, reading.pk, reading.writers) == ("reading_create", 3, frozenset([9]))


def test_future_basing_lacks_a_vision_date_and_achievements_written_as_true():
    area = lenses.SuccessArea(
        lenses.Thing(2, "Nobody sleeps rough"), (lenses.Thing(4, "We will end it."),), actions=1
    )
    facts = lenses.FutureFacts(plan=1, vision=True, vision_date=None, areas=(area,), actions=())
    assert [m.page for m in lenses.future_lacks(facts)] == [
        "plan_edit:vision_date",
        "achievement_edit",
    ]


def test_a_finding_is_answered_by_adding_an_action_then_choosing_it():
    facts = lenses.CareFacts(
        plan=1,
        outcomes=(lenses.Thing(2, "People are safe"),),
        outcomes_without_action=(),
        findings=1,
        unanswered_findings=(lenses.Thing(6, "Medicine records have gaps"),),
        actions=(),
        closed_without_lessons=(),
    )
    assert [(m.page, m.pk) for m in lenses.care_lacks(facts)] == [("action_create", 2)]
    facts = replace(facts, actions=(walk.ActionFacts(5, "A-01", "Audit", ()),))
    assert [(m.page, m.pk) for m in lenses.care_lacks(facts)] == [("finding_edit", 6)]
