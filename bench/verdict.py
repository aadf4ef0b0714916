"""Is a benchmark figure within its target, allowing for how much it moves from run to run?

Pure functions, no Django, so that improveplan/tests/test_bench_verdict.py can pin them down.
A timing repeated in independent batches gives one median per batch; the spread of those
medians is the noise of the figure. A figure misses its target only when it is worse than the
target by more than that noise: on a busy machine a 152 ms page with 10 ms of noise against a
150 ms target is not evidence of a regression, a 200 ms page is.
"""

from __future__ import annotations

from collections.abc import Sequence

MET = "met"
WITHIN_NOISE = "met within noise"
MISSED = "missed"
FAILED = "failed"  # an exact check (such as equal query counts) that did not hold


def spread(batch_values: Sequence[float]) -> float:
    """The run-to-run noise of a figure measured in several independent batches: the range of
    the batches' values (0 for a single batch, whose noise was not measured)."""
    if len(batch_values) < 2:
        return 0.0
    return max(batch_values) - min(batch_values)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value at or above ``fraction`` of them."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered), round(fraction * len(ordered))) - 1)]


def judge(figure: dict) -> str:
    """The verdict on one recorded figure (see bench/common.py record for its keys).

    ``check`` (when present) is an exact condition and decides alone. Otherwise a figure with a
    target is met when its value is at most the target (at least, with ``"better": "higher"``),
    met within noise when it misses by no more than its ``noise``, and missed beyond that. A
    figure without a target gets no verdict ("").
    """
    if "check" in figure:
        return MET if figure["check"] else FAILED
    target = figure.get("target")
    if target is None:
        return ""
    value, noise = figure["value"], abs(figure.get("noise") or 0.0)
    shortfall = target - value if figure.get("better") == "higher" else value - target
    if shortfall <= 0:
        return MET
    if shortfall <= noise:
        return WITHIN_NOISE
    return MISSED


def failed(verdict: str) -> bool:
    return verdict in (MISSED, FAILED)
