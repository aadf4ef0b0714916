"""What the other methods ask of the data, without the database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from methods import lenses


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
    vision=True,
    outcomes=2,
    outcomes_without_why=(),
    outcomes_without_indicator=(),
    indicators_without_baseline=(),
    outcomes_without_action=(),
    actions_not_smart=(),
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
    from dataclasses import replace

    stages = lenses.leap_stages(
        replace(NOTHING_LACKING, actions_without_monitoring=("A-02",), closed_actions=0)
    )
    assert lenses.leap_position(stages).key == "monitoring"
    assert stages[3].lacks == ("Actions that do not say how they are monitored: A-02.",)
    assert not stages[4].done


def test_long_lists_of_names_are_cut_short():
    from dataclasses import replace

    facts = replace(NOTHING_LACKING, actions_not_smart=tuple(f"A-{n:02d}" for n in range(1, 9)))
    [line] = lenses.leap_stages(facts)[2].lacks
    assert line == "Actions not yet SMART: A-01, A-02, A-03, A-04, A-05 and 3 more."
