"""improveplan/deep_stack.py: a call made from one large frame, so that the frames above it
share one chunk of Python 3.11's frame stack."""

from __future__ import annotations

import sys
import threading

import pytest

from improveplan.deep_stack import DEEP_SLOTS, on_a_deep_stack


def _callers() -> list:
    frame, callers = sys._getframe(1), []
    while frame is not None:
        callers.append(frame.f_code)
        frame = frame.f_back
    return callers


def test_the_call_gets_its_arguments_and_gives_back_its_result():
    assert on_a_deep_stack(lambda a, /, b, *, function: (a, b, function), 1, 2, function=3) == (
        1,
        2,
        3,
    )


def test_what_the_call_raises_comes_through():
    with pytest.raises(ZeroDivisionError):
        on_a_deep_stack(lambda: 1 / 0)


@pytest.mark.skipif(sys.version_info >= (3, 13), reason="Python 3.13 keeps a spare chunk")
def test_the_call_is_made_from_a_frame_of_tens_of_thousands_of_slots():
    # In a thread of its own: this test's thread is on a deep stack already (the conftest's).
    found = []
    thread = threading.Thread(target=lambda: found.extend(on_a_deep_stack(_callers)))
    thread.start()
    thread.join()
    assert found[0].co_name == "from_a_large_frame"
    assert found[0].co_nlocals >= DEEP_SLOTS


@pytest.mark.skipif(sys.version_info >= (3, 13), reason="Python 3.13 keeps a spare chunk")
def test_each_test_function_runs_on_a_deep_stack():
    """The root conftest calls every test function from such a frame."""
    assert any(code.co_nlocals >= DEEP_SLOTS for code in _callers())


@pytest.mark.skipif(sys.version_info >= (3, 13), reason="Python 3.13 keeps a spare chunk")
def test_each_request_is_handled_on_a_deep_stack(settings, rf):
    from improveplan.middleware import DeepStackMiddleware

    assert settings.MIDDLEWARE[0] == "improveplan.middleware.DeepStackMiddleware"
    callers = DeepStackMiddleware(lambda request: _callers())(rf.get("/"))
    assert any(code.co_nlocals >= DEEP_SLOTS for code in callers)


@pytest.mark.skipif(sys.version_info >= (3, 13), reason="Python 3.13 keeps a spare chunk")
def test_a_deep_call_within_a_deep_call_adds_no_large_frame():
    callers = on_a_deep_stack(on_a_deep_stack, _callers)
    assert sum(code.co_nlocals >= DEEP_SLOTS for code in callers) == 1
