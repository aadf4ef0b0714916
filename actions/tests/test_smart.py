"""The SMART check: what a lead sees beside an action that is not yet specific, measurable,
achievable, relevant and time-bound, and why."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import date

import pytest

from actions.smart import (
    RULES,
    ActionFacts,
    Finding,
    Letter,
    SmartCheck,
    check,
    has_number,
    is_vague,
    names_a_group_or_place,
)

# A fully SMART action, from which each test takes one thing away.
HEALTH_CHECKS = ActionFacts(
    title="NHS Health Checks in Northfield",
    description=(
        "Run 12 community health check sessions a year in Northfield ward, for men aged 40 to "
        "74 who have not been checked in the last five years."
    ),
    outcomes=1,
    lead_organisation=True,
    owner=True,
    start=date(2026, 4, 1),
    due=date(2027, 3, 31),
    success_indicator=False,
    success_measure="600 men checked by March 2027",
    resources=True,
    expected_outputs="12 sessions; 600 checks",
    monitoring="Quarterly counts from the practices",
    milestones=0,
)


def facts(**changes) -> ActionFacts:
    return replace(HEALTH_CHECKS, **changes)


def finding(action: ActionFacts, letter: Letter) -> Finding:
    (found,) = [f for f in check(action).findings if f.letter is letter]
    return found


def reasons(action: ActionFacts, letter: Letter) -> tuple[str, ...]:
    return finding(action, letter).reasons


# The whole check --------------------------------------------------------------------------------


def test_a_fully_smart_action():
    result = check(HEALTH_CHECKS)

    assert result.ok
    assert result.failing == []
    assert result.summary == "SMART"
    assert [f.letter for f in result.findings] == list(Letter)
    assert all(f.ok and f.reasons == () for f in result.findings)


def test_an_empty_action_fails_every_letter_with_every_reason():
    empty = ActionFacts(
        title="",
        description="",
        outcomes=0,
        lead_organisation=False,
        owner=False,
        start=None,
        due=None,
        success_indicator=False,
        success_measure="",
        resources=False,
        expected_outputs="",
        monitoring="",
        milestones=0,
    )

    result = check(empty)

    assert not result.ok
    assert [f.letter for f in result.failing] == list(Letter)
    assert result.summary == (
        "Not yet: specific (no description of what will be done), "
        "measurable (no measure of success), "
        "achievable (no lead organisation, no named owner, no resources), "
        "relevant (serves no outcome), "
        "time-bound (no due date)"
    )


def test_the_summary_names_only_the_failing_letters_in_order():
    action = facts(due=None, success_measure="", lead_organisation=True)

    assert check(action).summary == (
        "Not yet: measurable (no measure of success), time-bound (no due date)"
    )


def test_failing_lists_the_findings_that_are_not_ok():
    result = check(facts(outcomes=0))

    assert result.failing == [Finding(Letter.RELEVANT, False, ("serves no outcome",))]


def test_a_check_with_no_findings_is_smart():
    assert SmartCheck(findings=()).summary == "SMART"


def test_letters_have_labels_and_are_their_initials():
    assert [(letter.value, letter.label) for letter in Letter] == [
        ("S", "Specific"),
        ("M", "Measurable"),
        ("A", "Achievable"),
        ("R", "Relevant"),
        ("T", "Time-bound"),
    ]


def test_every_rule_has_a_reason_in_plain_words():
    for rule in RULES:
        assert rule.reason and rule.reason == rule.reason.lower()
        assert not rule.reason.endswith(".")


# Specific ---------------------------------------------------------------------------------------


def test_specific_needs_a_description():
    assert reasons(facts(description="   "), Letter.SPECIFIC) == (
        "no description of what will be done",
    )


def test_specific_needs_a_description_of_at_least_forty_characters():
    short = "Run 12 clinics in Northfield ward."  # 34 characters
    just_enough = "Run 12 clinics in Northfield ward by GPs."  # 41

    assert reasons(facts(description=short), Letter.SPECIFIC) == (
        "the description is too short to say what will be done",
    )
    assert finding(facts(description=just_enough), Letter.SPECIFIC).ok


def test_vague_wording_with_nothing_concrete_is_not_specific():
    action = facts(
        title="Improve health outcomes",
        description="work with partners to promote healthy lifestyles and raise awareness.",
    )

    assert reasons(action, Letter.SPECIFIC) == ("vague wording with no quantity or deliverable",)
    assert check(action).summary == (
        "Not yet: specific (vague wording with no quantity or deliverable)"
    )


def test_a_short_vague_description_gives_both_reasons():
    assert reasons(facts(title="Support", description="Explore options."), Letter.SPECIFIC) == (
        "the description is too short to say what will be done",
        "vague wording with no quantity or deliverable",
    )


def test_a_vague_title_with_no_description_gives_both_reasons():
    assert reasons(facts(title="Improve things", description=""), Letter.SPECIFIC) == (
        "no description of what will be done",
        "vague wording with no quantity or deliverable",
    )


@pytest.mark.parametrize(
    "description",
    [
        "work with partners to improve take-up by 15% among older people in the area",
        "work with partners to improve take-up among older people, aiming to double it",
        "work with partners to improve take-up among older people through a new clinic",
        "work with partners to improve take-up among older people with home visits",
        "work with partners to improve take-up among older people in Northfield ward",
        "work with partners to improve take-up among older people who are NHS patients",
    ],
    ids=["figure", "number word", "deliverable", "plural deliverable", "place", "abbreviation"],
)
def test_vague_verbs_are_pinned_by_a_number_a_name_or_a_deliverable(description):
    assert finding(facts(title="Take-up", description=description), Letter.SPECIFIC).ok


def test_concrete_wording_without_vague_verbs_is_specific():
    action = facts(title="Recruit", description="Recruit volunteer drivers for the patient bus.")

    assert finding(action, Letter.SPECIFIC).ok


@pytest.mark.parametrize(
    "text",
    [
        "Improving access for local people, with partners and residents across the area.",
        "We will be supporting people and enhancing their wellbeing over the coming years.",
        "Develop our approach and consider how we might look at things differently.",
        "Raising awareness of healthy eating among young people and their families.",
    ],
)
def test_every_form_of_a_vague_word_is_vague(text):
    assert is_vague("", text)


def test_a_capital_at_the_start_of_a_sentence_is_not_a_name():
    assert not names_a_group_or_place("Improve access. Support people! Enhance lives? Consider")
    assert names_a_group_or_place("Improve access for people in Eastfield.")


def test_months_and_i_are_not_names():
    assert not names_a_group_or_place("by the end of March I would hope to improve access")


def test_a_title_case_title_is_not_taken_for_a_name():
    action = facts(
        title="Improve Health And Wellbeing",
        description="improve health and wellbeing for local people across the whole area",
    )

    assert reasons(action, Letter.SPECIFIC) == ("vague wording with no quantity or deliverable",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("600 men", True),
        ("a 5% rise", True),
        ("three new posts", True),
        ("halve the waiting list", True),
        ("hundreds of families", True),
        ("more tenants attend", False),  # "ten" inside a word is not a number
        ("work as one", False),
        ("", False),
    ],
)
def test_has_number(text, expected):
    assert has_number(text) is expected


# Measurable -------------------------------------------------------------------------------------


def test_measurable_with_a_linked_indicator_and_no_stated_measure():
    assert finding(facts(success_indicator=True, success_measure=""), Letter.MEASURABLE).ok


def test_a_linked_indicator_makes_a_measure_without_a_number_enough():
    action = facts(success_indicator=True, success_measure="more people checked")

    assert finding(action, Letter.MEASURABLE).ok


def test_measurable_needs_a_measure_of_success():
    assert reasons(facts(success_measure="  "), Letter.MEASURABLE) == ("no measure of success",)


def test_a_stated_measure_needs_a_number_to_reach():
    action = facts(success_measure="more men checked than last year")

    assert reasons(action, Letter.MEASURABLE) == ("the measure gives no number to reach",)


def test_a_number_in_words_is_a_number_to_reach():
    assert finding(facts(success_measure="twenty new volunteers"), Letter.MEASURABLE).ok


# Achievable -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("missing", "reason"),
    [
        ("lead_organisation", "no lead organisation"),
        ("owner", "no named owner"),
        ("resources", "no resources"),
    ],
)
def test_achievable_needs_a_lead_an_owner_and_resources(missing, reason):
    assert reasons(facts(**{missing: False}), Letter.ACHIEVABLE) == (reason,)


def test_achievable_lists_everything_missing():
    action = facts(lead_organisation=False, owner=False, resources=False)

    assert check(action).summary == (
        "Not yet: achievable (no lead organisation, no named owner, no resources)"
    )


# Relevant ---------------------------------------------------------------------------------------


def test_relevant_needs_an_outcome():
    assert reasons(facts(outcomes=0), Letter.RELEVANT) == ("serves no outcome",)
    assert finding(facts(outcomes=3), Letter.RELEVANT).ok


# Time-bound -------------------------------------------------------------------------------------


def test_time_bound_needs_a_due_date():
    assert reasons(facts(due=None), Letter.TIME_BOUND) == ("no due date",)


def test_a_due_date_without_a_start_is_enough():
    assert finding(facts(start=None), Letter.TIME_BOUND).ok


def test_an_action_cannot_start_after_it_is_due():
    action = facts(start=date(2026, 4, 2), due=date(2026, 4, 1))

    assert reasons(action, Letter.TIME_BOUND) == ("starts after it is due",)


def test_an_action_may_start_and_finish_on_one_day():
    assert finding(facts(start=date(2026, 6, 6), due=date(2026, 6, 6)), Letter.TIME_BOUND).ok


def test_a_year_long_action_needs_no_milestones():
    action = facts(start=date(2026, 4, 1), due=date(2027, 4, 1), milestones=0)  # 365 days

    assert finding(action, Letter.TIME_BOUND).ok


def test_an_action_over_a_year_long_needs_a_milestone():
    longer = facts(start=date(2026, 4, 1), due=date(2027, 4, 2), milestones=0)  # 366 days

    assert reasons(longer, Letter.TIME_BOUND) == ("over a year long with no milestones",)
    assert finding(replace(longer, milestones=1), Letter.TIME_BOUND).ok


def test_the_other_answers_do_not_decide_the_check():
    """Expected outputs and monitoring are recorded for the plan, but SMART does not need them."""
    assert check(facts(expected_outputs="", monitoring="")).ok


def test_smart_is_plain_python_without_django():
    code = (
        "import sys, actions.smart; "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
