"""The benchmark's verdict (bench/verdict.py): `make bench` fails only on a figure that misses
its target by more than the run-to-run noise it measured, or on a failed exact check."""

from __future__ import annotations

import pytest

from bench.verdict import (
    FAILED,
    MET,
    MISSED,
    WITHIN_NOISE,
    failed,
    judge,
    percentile,
    spread,
)


def test_a_figure_at_or_under_its_target_is_met():
    assert judge({"value": 150, "target": 150}) == MET
    assert judge({"value": 97.1, "target": 150, "noise": 20}) == MET


def test_a_miss_no_larger_than_the_noise_is_not_a_failure():
    verdict = judge({"value": 159.4, "target": 150, "noise": 12.0})
    assert verdict == WITHIN_NOISE
    assert not failed(verdict)


def test_a_miss_larger_than_the_noise_fails():
    verdict = judge({"value": 200, "target": 150, "noise": 12.0})
    assert verdict == MISSED
    assert failed(verdict)


def test_without_measured_noise_any_miss_fails():
    assert judge({"value": 15.1, "target": 15}) == MISSED
    assert judge({"value": 15.1, "target": 15, "noise": None}) == MISSED


def test_a_minimum_target_is_missed_by_falling_short():
    assert judge({"value": 90, "target": 100, "better": "higher"}) == MISSED
    assert judge({"value": 95, "target": 100, "better": "higher", "noise": 6}) == WITHIN_NOISE
    assert judge({"value": 120, "target": 100, "better": "higher"}) == MET


def test_an_exact_check_decides_alone_whatever_the_noise():
    # Query counts: 12 at full data against 12 at a tenth, or not.
    assert judge({"value": 12, "target": 12, "check": True}) == MET
    verdict = judge({"value": 13, "target": 12, "noise": 5, "check": False})
    assert verdict == FAILED
    assert failed(verdict)


def test_a_figure_without_a_target_gets_no_verdict():
    assert judge({"value": 732.1, "unit": "requests/s"}) == ""
    assert not failed("")


def test_noise_is_the_spread_of_the_batches():
    assert spread([91.0, 97.5, 103.0]) == pytest.approx(12.0)
    assert spread([97.0]) == 0.0
    assert spread([]) == 0.0


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 0.95) == 95
    assert percentile(values, 0.5) == 50
    assert percentile([7.0], 0.95) == 7.0
