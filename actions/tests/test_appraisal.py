"""Options appraisal: the weighted totals a partnership compares its options by, the ranks it
sees, and the mistakes it is told about."""

from __future__ import annotations

import subprocess
import sys

import pytest

from actions.appraisal import DEFAULT_CRITERIA, CriterionWeight, OptionScores, Ranked, rank

CRITERIA = [
    CriterionWeight("fit", "Fit with the partnership's strategy", 5),
    CriterionWeight("impact", "Expected impact on the outcome", 8),
    CriterionWeight("risk", "Risk", 2),
]  # maximum 5 × (5 + 8 + 2) = 75


def option(key: str, name: str, **scores: int | None) -> OptionScores:
    return OptionScores(key=key, name=name, scores=scores)


def test_the_weighted_total_maximum_and_percentage():
    (ranked,) = rank(CRITERIA, [option("o1", "Health trainers", fit=4, impact=3, risk=5)])

    assert ranked == Ranked(
        key="o1",
        name="Health trainers",
        total=54.0,  # 5×4 + 8×3 + 2×5
        maximum=75.0,
        percent=72.0,
        scored=3,
        rank=1,
        complete=True,
    )


def test_options_are_ranked_by_total_highest_first():
    options = [
        option("low", "Leaflets", fit=1, impact=1, risk=5),  # 5 + 8 + 10 = 23
        option("high", "Health trainers", fit=4, impact=5, risk=3),  # 20 + 40 + 6 = 66
        option("middle", "Pharmacy checks", fit=3, impact=3, risk=3),  # 15 + 24 + 6 = 45
    ]

    result = rank(CRITERIA, options)

    assert [(r.key, r.total, r.rank) for r in result] == [
        ("high", 66.0, 1),
        ("middle", 45.0, 2),
        ("low", 23.0, 3),
    ]


def test_the_weights_decide_between_options():
    """An option strong on a heavy criterion beats one equally strong on a light one."""
    options = [
        option("a", "Strong on risk", fit=0, impact=0, risk=5),
        option("b", "Strong on impact", fit=0, impact=5, risk=0),
    ]

    assert [r.key for r in rank(CRITERIA, options)] == ["b", "a"]


def test_equal_totals_share_a_rank_and_are_listed_by_name():
    options = [
        option("d", "Debt advice", fit=1, impact=1, risk=1),  # 15
        option("c", "community champions", fit=3, impact=3, risk=3),  # 45
        option("b", "Befriending", fit=3, impact=3, risk=3),  # 45
        option("a", "Walking groups", fit=5, impact=5, risk=5),  # 75
    ]

    result = rank(CRITERIA, options)

    assert [(r.name, r.rank) for r in result] == [
        ("Walking groups", 1),
        ("Befriending", 2),
        ("community champions", 2),  # by name whatever its case
        ("Debt advice", 4),
    ]


def test_every_option_tied_shares_first_place():
    options = [option(k, k.upper(), fit=2, impact=2, risk=2) for k in ("c", "a", "b")]

    assert [(r.name, r.rank) for r in rank(CRITERIA, options)] == [("A", 1), ("B", 1), ("C", 1)]


def test_an_option_not_yet_fully_scored_is_measured_against_the_full_maximum():
    (partial,) = rank(CRITERIA, [option("o", "New clinic", fit=5, impact=None)])

    assert partial.total == 25.0
    assert partial.maximum == 75.0
    assert partial.percent == pytest.approx(33.333, abs=0.001)
    assert partial.scored == 1
    assert not partial.complete


def test_an_option_with_no_scores_yet():
    (unscored,) = rank(CRITERIA, [option("o", "Not yet discussed")])

    assert (unscored.total, unscored.percent, unscored.scored, unscored.complete) == (
        0.0,
        0.0,
        0,
        False,
    )


def test_a_score_of_zero_counts_as_scored():
    (zero,) = rank(CRITERIA, [option("o", "Do nothing", fit=0, impact=0, risk=0)])

    assert zero.total == 0.0 and zero.scored == 3 and zero.complete


def test_no_options_and_no_criteria():
    assert rank(CRITERIA, []) == []
    (only,) = rank([], [option("o", "Anything")])
    assert (only.total, only.maximum, only.percent, only.complete) == (0.0, 0.0, 0.0, True)


def test_totals_are_floats_as_the_page_prints_them():
    (ranked,) = rank(CRITERIA, [option("o", "Health trainers", fit=4, impact=3, risk=5)])

    assert all(isinstance(v, float) for v in (ranked.total, ranked.maximum, ranked.percent))


# What is refused --------------------------------------------------------------------------------


@pytest.mark.parametrize("weight", [0, 11, -1])
def test_a_weight_outside_one_to_ten_is_refused_naming_the_criterion(weight):
    criteria = [*CRITERIA, CriterionWeight("cost", "Affordability and value for money", weight)]

    with pytest.raises(ValueError) as raised:
        rank(criteria, [])

    assert str(raised.value) == (
        f"The weight of “Affordability and value for money” must be from 1 to 10, not {weight}."
    )


@pytest.mark.parametrize("weight", [1, 10])
def test_weights_of_one_and_ten_are_allowed(weight):
    assert rank([CriterionWeight("c", "Cost", weight)], [option("o", "O", c=5)])[0].percent == 100


@pytest.mark.parametrize("weight", [2.5, True, "5"])
def test_a_weight_must_be_a_whole_number(weight):
    with pytest.raises(ValueError, match=r"The weight of “Cost” must be a whole number\."):
        rank([CriterionWeight("c", "Cost", weight)], [])


@pytest.mark.parametrize("score", [-1, 6])
def test_a_score_outside_zero_to_five_is_refused_naming_the_option_and_criterion(score):
    with pytest.raises(ValueError) as raised:
        rank(CRITERIA, [option("o", "Health trainers", fit=3, impact=score)])

    assert str(raised.value) == (
        "The score of “Health trainers” for “Expected impact on the outcome” must be from "
        f"0 to 5, not {score}."
    )


def test_a_score_must_be_a_whole_number():
    with pytest.raises(ValueError, match="The score of “Leaflets” for “Risk” must be a whole"):
        rank(CRITERIA, [option("o", "Leaflets", risk=2.5)])


def test_a_score_for_an_unknown_criterion_is_refused():
    with pytest.raises(ValueError, match="“Leaflets” has a score for an unknown criterion, cost"):
        rank(CRITERIA, [option("o", "Leaflets", cost=3)])


def test_a_criterion_listed_twice_is_refused():
    with pytest.raises(ValueError, match=r"The criterion “Risk” is listed more than once\."):
        rank([*CRITERIA, CriterionWeight("risk", "Risk", 3)], [])


# The default criteria ---------------------------------------------------------------------------


def test_the_default_criteria_are_those_of_step_four():
    assert [name for name, _, _ in DEFAULT_CRITERIA] == [
        "Fit with the partnership's strategy",
        "Expected impact on the outcome",
        "Added value of partners working together",
        "Affordability and value for money",
        "Capacity to deliver",
        "Risk",
    ]


def test_the_default_criteria_are_described_and_validly_weighted():
    criteria = [
        CriterionWeight(str(n), name, weight)
        for n, (name, _, weight) in enumerate(DEFAULT_CRITERIA)
    ]

    rank(criteria, [])  # raises if a default weight were out of range
    for _, description, _ in DEFAULT_CRITERIA:
        assert description.endswith(".") and len(description) > 40


def test_risk_is_scored_so_that_higher_is_better():
    (risk_description,) = [d for name, d, _ in DEFAULT_CRITERIA if name == "Risk"]

    assert "A higher score means lower risk." in risk_description


def test_appraisal_is_plain_python_without_django():
    code = (
        "import sys, actions.appraisal; "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
