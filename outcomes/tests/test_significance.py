"""Whether a change is bigger than its margin of error, checked against the worked examples
published with each method, and against scipy (which the module must not use)."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from outcomes.arithmetic import (
    PROPORTION,
    RATE,
    Method,
    Point,
    beta_quantile,
    change_is_significant,
    change_significance,
    counts_of,
    newcombe_difference,
    poisson_rates_p_value,
    poisson_ratio_interval,
    wilson_interval,
    z_for,
)

EARLIER, LATER = date(2023, 3, 31), date(2024, 3, 31)


def percent(when: date, count: int, denominator: int, level: float = 0.95) -> Point:
    """A percentage as the profiles publish it: the value, Wilson's limits at `level`, and the
    count and denominator behind them."""
    lower, upper = wilson_interval(count, denominator, level)
    return Point(
        when,
        100 * count / denominator,
        lower=100 * lower,
        upper=100 * upper,
        level=level,
        count=count,
        denominator=denominator,
    )


# Newcombe's method 10 ---------------------------------------------------------------------------

# Newcombe RG. Interval estimation for the difference between independent proportions:
# comparison of eleven methods. Stat Med 1998;17:873-890, Table II, method 10 (the score
# interval without continuity correction), 95% limits of p1 − p2 for examples (a) to (h).
NEWCOMBE_TABLE_II = [
    ((56, 70), (48, 80), (0.0524, 0.3339)),
    ((9, 10), (3, 10), (0.1705, 0.8090)),
    ((6, 7), (2, 7), (0.0582, 0.8062)),
    ((5, 56), (0, 29), (-0.0381, 0.1926)),
    ((0, 10), (0, 20), (-0.1611, 0.2775)),
    ((0, 10), (0, 10), (-0.2775, 0.2775)),
    ((10, 10), (0, 20), (0.6791, 1.0000)),
    ((10, 10), (0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("first", "second", "published"), NEWCOMBE_TABLE_II)
def test_newcombes_method_10_gives_his_table_ii(first, second, published):
    lower, upper = newcombe_difference(earlier=second, later=first)

    assert (round(lower, 4), round(upper, 4)) == published


def test_the_issues_example_is_not_a_significant_change_at_95_percent():
    """5 in 100 against 28 in 250: the old rule (√(m₁² + m₂²) of half-widths taken as 95%)
    called it significant; Newcombe's interval of the difference includes 0."""
    earlier, later = percent(EARLIER, 5, 100), percent(LATER, 28, 250)
    old_rule = abs(later.value - earlier.value) > math.hypot(
        (earlier.upper - earlier.lower) / 2, (later.upper - later.lower) / 2
    )

    change = change_significance(earlier, later, kind=PROPORTION, per=100)

    assert old_rule is True
    assert change.significant is False
    assert change.method is Method.NEWCOMBE and change.level == 0.95
    assert change.lower == pytest.approx(-0.819, abs=1e-3)  # percentage points
    assert change.upper == pytest.approx(11.533, abs=1e-3)


def test_the_first_example_of_table_ii_is_a_significant_change():
    change = change_significance(
        percent(EARLIER, 48, 80), percent(LATER, 56, 70), kind=PROPORTION, per=100
    )

    assert change.significant is True
    assert (round(change.lower, 2), round(change.upper, 2)) == (5.24, 33.39)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.sampled_from([0.95, 0.998]),
)
def test_wilsons_interval_agrees_with_scipy(counted, level):
    count, denominator = counted
    expected = stats.binomtest(count, denominator).proportion_ci(level, method="wilson")

    lower, upper = wilson_interval(count, denominator, level)

    assert lower == pytest.approx(expected.low, abs=1e-12)
    assert upper == pytest.approx(expected.high, abs=1e-12)


def test_the_square_and_add_rule_on_wilson_limits_is_newcombes_method():
    """Without counts, the published limits give the same answer, to the rounding of the
    limits as published."""
    for first, second, published in NEWCOMBE_TABLE_II:
        earlier, later = percent(EARLIER, *second), percent(LATER, *first)
        bare = [Point(p.when, p.value, p.lower, p.upper) for p in (earlier, later)]

        change = change_significance(*bare, kind=PROPORTION, per=100)

        assert change.method is Method.LIMITS
        assert (round(change.lower / 100, 4), round(change.upper / 100, 4)) == published


# The exact test of two Poisson rates -------------------------------------------------------------

# Fay MP. rateratio.test: An Exact Rate Ratio Test Assuming Poisson Counts, vignette (2022),
# section 1: 2 events in 17,877 person-years against 9 in 16,660: p = 0.05011, 95% interval of
# the rate ratio 0.02177406 to 1.00054910, "barely non-significant at the 0.05 level".
# Fay MP. exactci, vignette (2023), section 1: R's poisson.test(c(2, 10), c(17877, 20000)) gives
# the interval 0.02383738 to 1.04995468.


def test_the_rate_ratio_test_gives_fays_published_example():
    earlier, later = (9, 16660), (2, 17877)

    assert poisson_rates_p_value(earlier, later) == pytest.approx(0.05011, abs=5e-6)
    assert poisson_ratio_interval(earlier, later) == pytest.approx(
        (0.02177406, 1.00054910), abs=5e-9
    )
    assert poisson_ratio_interval((10, 20000), (2, 17877)) == pytest.approx(
        (0.02383738, 1.04995468), abs=5e-9
    )


def rate(when: date, count: int, population: int, per: int = 100_000) -> Point:
    return Point(when, count / population * per, count=count, denominator=population)


def test_a_change_of_rate_with_counts_is_judged_by_the_exact_test():
    barely = change_significance(
        rate(EARLIER, 9, 16660), rate(LATER, 2, 17877), kind=RATE, per=100_000
    )
    clearly = change_significance(
        rate(EARLIER, 30, 16660), rate(LATER, 2, 17877), kind=RATE, per=100_000
    )

    assert (barely.method, barely.significant, barely.level) == (Method.POISSON, False, 0.95)
    assert (clearly.method, clearly.significant) == (Method.POISSON, True)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 200), st.integers(0, 200), st.integers(1_000, 90_000))
def test_the_exact_test_agrees_with_scipy_and_with_its_interval(first, second, population):
    earlier, later = (first, 20_000), (second, population)
    total = first + second
    share = population / (20_000 + population)

    p_value = poisson_rates_p_value(earlier, later)
    low, high = poisson_ratio_interval(earlier, later)

    if total:
        lower_tail = stats.binom.cdf(second, total, share)
        upper_tail = stats.binom.sf(second - 1, total, share)
        assert p_value == pytest.approx(min(1.0, 2 * min(lower_tail, upper_tail)), rel=1e-9)
        # Clopper-Pearson limits of the later share of the count, as odds times the ratio of
        # the populations; the upper limit's complement is found directly, as 1 − p_U loses
        # its digits near 1.
        exact = stats.binomtest(second, total).proportion_ci(0.95, method="exact")
        ratio = 20_000 / population
        if second > 0:
            share = stats.beta.ppf(0.025, second, total - second + 1)
            assert share == pytest.approx(exact.low, abs=1e-12)
            assert low == pytest.approx(share / (1 - share) * ratio, rel=1e-9)
        if second < total:
            rest = stats.beta.ppf(0.025, total - second, second + 1)
            assert 1 - rest == pytest.approx(exact.high, abs=1e-12)
            assert high == pytest.approx((1 - rest) / rest * ratio, rel=1e-9)
    # The test and its interval never disagree: significant exactly when 1 is outside.
    if abs(p_value - 0.05) > 1e-9:
        assert (p_value < 0.05) == (not low <= 1.0 <= high)


@pytest.mark.parametrize(("p", "a", "b"), [(0.025, 2, 10), (0.975, 3, 9), (0.001, 0.5, 40)])
def test_the_beta_quantile_agrees_with_scipy(p, a, b):
    assert beta_quantile(p, a, b) == pytest.approx(stats.beta.ppf(p, a, b), rel=1e-12)


# Limits, levels and what counts may be used ------------------------------------------------------


def test_asymmetric_limits_are_used_as_published():
    """A rise from 2.0 (1.2 to 3.3) to 3.6 (2.6 to 4.9): the earlier reading's long upper side
    meets the later one's short lower side. Taken as symmetric, the same limits would call the
    change significant."""
    earlier = Point(EARLIER, 2.0, lower=1.2, upper=3.3)
    later = Point(LATER, 3.6, lower=2.6, upper=4.9)

    change = change_significance(earlier, later)

    assert change.method is Method.LIMITS
    assert change.lower == pytest.approx(1.6 - math.hypot(1.0, 1.3))
    assert change.significant is False
    symmetric = math.hypot((3.3 - 1.2) / 2, (4.9 - 2.6) / 2)
    assert symmetric < 1.6  # the midpoint rule's "significant"


def test_99_8_percent_limits_are_judged_at_99_8_percent():
    earlier = Point(EARLIER, 50.0, lower=44.0, upper=56.0, level=0.998)
    later = Point(LATER, 58.0, lower=52.0, upper=64.0, level=0.998)
    at_95 = Point(LATER, 58.0, lower=52.0, upper=64.0)

    both = change_significance(earlier, later)
    mixed = change_significance(earlier, at_95)

    # At 99.8% the margins combine to 8.5 > 8; the 99.8% limits brought to 95% (×1.96/3.09)
    # combine with the 95% ones to 7.1 < 8.
    assert (both.level, both.significant) == (0.998, False)
    assert (mixed.level, mixed.significant) == (0.95, True)
    scaled = 6.0 * z_for(0.95) / z_for(0.998)
    assert mixed.lower == pytest.approx(8.0 - math.hypot(6.0, scaled))


def test_a_standardised_rate_is_judged_by_its_limits_not_its_counts():
    """1,072 deaths in 928,200 person-years is a crude 115.5 per 100,000; the published 165.3 is
    directly standardised, so the counts say nothing about it."""
    dsr = Point(LATER, 165.3, lower=153.3, upper=178.0, count=1072, denominator=928200)
    crude = Point(LATER, 115.5, lower=108.7, upper=122.6, count=1072, denominator=928200)

    assert counts_of(dsr, RATE, 100_000) is None
    assert counts_of(crude, RATE, 100_000) == (1072, 928200)
    earlier = Point(EARLIER, 170.2, lower=157.9, upper=183.2, count=1096, denominator=922800)
    assert change_significance(earlier, dsr, kind=RATE, per=100_000).method is Method.LIMITS


@pytest.mark.parametrize(
    ("count", "denominator", "value"),
    [
        (5.5, 100, 5.5),  # not a whole count
        (120, 100, 120.0),  # more than its denominator
        (5, 0, 5.0),  # no denominator
        (-1, 100, -1.0),
        (5, 100, 6.0),  # the value is not the count over the denominator
    ],
)
def test_counts_a_proportion_cannot_have_are_not_used(count, denominator, value):
    point = Point(LATER, value, count=count, denominator=denominator)

    assert counts_of(point, PROPORTION, 100) is None


def test_nothing_is_said_without_limits_or_counts_or_of_a_suppressed_value():
    with_limits = Point(EARLIER, 60.0, lower=58.0, upper=62.0)

    assert change_significance(with_limits, Point(LATER, 70.0)) is None
    assert change_is_significant(with_limits, Point(LATER, None, mark="*")) is None
    assert (
        change_significance(Point(EARLIER, None), percent(LATER, 5, 100), kind=PROPORTION) is None
    )
