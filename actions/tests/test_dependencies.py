"""Actions that depend on others: the order to do them in, circles refused with a message a lead
can act on, the critical path, and the dependencies the plan's own dates make late."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from actions.dependencies import (
    CriticalPath,
    CycleError,
    Task,
    conflicts,
    critical_path,
    find_cycle,
    order,
    would_create_cycle,
)


def task(key: str, start: str, due: str, *depends_on: str, done: bool = False) -> Task:
    return Task(
        key=key,
        label=f"Action {key}",
        start=date.fromisoformat(start),
        due=date.fromisoformat(due),
        depends_on=depends_on,
        done=done,
    )


def keys(tasks) -> list[str]:
    return [t.key for t in tasks]


# A chain: recruit the workers, train them, then open the clinic.
CHAIN = [
    task("A-03", "2026-07-01", "2026-09-30", "A-02"),  # open the clinic: 91 days
    task("A-01", "2026-04-01", "2026-05-31"),  # recruit: 60 days
    task("A-02", "2026-06-01", "2026-06-30", "A-01"),  # train: 29 days
]

# A diamond: a needs assessment, then two pieces of work, then a launch that needs both.
DIAMOND = [
    task("A-01", "2026-04-01", "2026-04-30"),
    task("A-02", "2026-05-01", "2026-07-31", "A-01"),  # the longer branch: 91 days
    task("A-03", "2026-05-01", "2026-05-31", "A-01"),  # 30 days
    task("A-04", "2026-08-01", "2026-08-31", "A-02", "A-03"),
]


# Circles ----------------------------------------------------------------------------------------


def test_no_cycle_in_a_chain_or_a_diamond():
    assert find_cycle({t.key: t.depends_on for t in CHAIN}) is None
    assert find_cycle({t.key: t.depends_on for t in DIAMOND}) is None
    assert find_cycle({}) is None


def test_a_cycle_begins_and_ends_with_the_same_action():
    edges = {"A-01": [], "A-03": ["A-05"], "A-05": ["A-07"], "A-07": ["A-03"]}

    assert find_cycle(edges) == ["A-03", "A-05", "A-07", "A-03"]


def test_the_cycle_found_leaves_out_the_way_into_it():
    edges = {"A-01": ["A-03"], "A-03": ["A-05"], "A-05": ["A-03"]}

    assert find_cycle(edges) == ["A-03", "A-05", "A-03"]


def test_an_action_depending_on_itself_is_a_cycle():
    assert find_cycle({"A-01": [], "A-02": ["A-02"]}) == ["A-02", "A-02"]


def test_keys_named_only_as_dependencies_depend_on_nothing():
    assert find_cycle({"A-02": ["A-01"], "A-03": ["A-01", "A-02"]}) is None


def test_a_long_chain_does_not_overflow_the_stack():
    edges = {f"A-{n}": [f"A-{n + 1}"] for n in range(5000)}
    assert find_cycle(edges) is None

    edges["A-5000"] = ["A-0"]
    cycle = find_cycle(edges)
    assert cycle is not None and len(cycle) == 5002 and cycle[0] == cycle[-1] == "A-0"


def test_would_create_cycle_names_the_circle_from_the_action_being_saved():
    edges = {"A-03": [], "A-05": ["A-04"], "A-04": ["A-03"]}

    assert would_create_cycle(edges, "A-03", ["A-05"]) == ["A-03", "A-05", "A-04", "A-03"]


def test_would_create_cycle_reports_the_shortest_circle():
    edges = {"A-01": [], "A-02": ["A-01"], "A-03": ["A-02"], "A-04": ["A-03", "A-01"]}

    assert would_create_cycle(edges, "A-01", ["A-04"]) == ["A-01", "A-04", "A-01"]


def test_would_create_cycle_replaces_the_current_dependencies():
    """Dropping a dependency that made the circle is allowed."""
    edges = {"A-01": ["A-02"], "A-02": ["A-01"]}

    assert would_create_cycle(edges, "A-01", []) is None
    assert would_create_cycle(edges, "A-01", ["A-02"]) == ["A-01", "A-02", "A-01"]


def test_would_create_cycle_of_an_action_depending_on_itself():
    assert would_create_cycle({"A-01": []}, "A-01", ["A-01"]) == ["A-01", "A-01"]


def test_would_create_cycle_allows_a_new_action_and_a_diamond():
    edges = {t.key: t.depends_on for t in DIAMOND}

    assert would_create_cycle(edges, "A-09", ["A-04", "A-01"]) is None
    assert would_create_cycle(edges, "A-04", ["A-01", "A-02", "A-03"]) is None


def test_would_create_cycle_ignores_circles_elsewhere():
    edges = {"A-01": ["A-02"], "A-02": ["A-01"], "A-03": []}

    assert would_create_cycle(edges, "A-03", ["A-01"]) is None


# Order ------------------------------------------------------------------------------------------


def test_order_puts_dependencies_first():
    assert keys(order(CHAIN)) == ["A-01", "A-02", "A-03"]
    assert keys(order(DIAMOND)) == ["A-01", "A-02", "A-03", "A-04"]


def test_order_breaks_ties_by_start_date_then_key():
    tasks = [
        task("B", "2026-05-01", "2026-06-01"),
        task("C", "2026-04-01", "2026-06-01"),
        task("A", "2026-05-01", "2026-06-01"),
        task("D", "2026-01-01", "2026-06-01", "A"),  # starts first, but must wait for A
    ]

    assert keys(order(tasks)) == ["C", "A", "D", "B"]


def test_order_of_nothing_is_nothing():
    assert order([]) == []


def test_order_counts_a_repeated_dependency_once():
    tasks = [task("A", "2026-04-01", "2026-05-01"), task("B", "2026-05-01", "2026-06-01", "A", "A")]

    assert keys(order(tasks)) == ["A", "B"]


def test_order_refuses_a_cycle_with_a_clear_message():
    tasks = [*CHAIN, task("A-05", "2026-04-01", "2026-05-01", "A-03")]
    tasks[0] = task("A-03", "2026-07-01", "2026-09-30", "A-02", "A-05")

    with pytest.raises(CycleError) as raised:
        order(tasks)

    assert raised.value.cycle == ["A-03", "A-05", "A-03"]
    assert str(raised.value) == (
        "These actions depend on each other in a circle, so none could start: A-03 → A-05 → A-03"
    )
    assert isinstance(raised.value, ValueError), "a form can treat it as any bad value"


def test_order_refuses_an_action_that_depends_on_itself():
    with pytest.raises(CycleError, match=r"^A-01 depends on itself\.$") as raised:
        order([task("A-01", "2026-04-01", "2026-05-01", "A-01")])

    assert raised.value.cycle == ["A-01", "A-01"]


def test_order_refuses_a_dependency_on_an_unknown_action():
    tasks = [task("A-01", "2026-04-01", "2026-05-01", "A-99")]

    with pytest.raises(ValueError, match=r"^A-01 depends on A-99, which is not in this plan\.$"):
        order(tasks)


def test_order_refuses_a_key_used_twice():
    tasks = [task("A-01", "2026-04-01", "2026-05-01"), task("A-01", "2026-06-01", "2026-07-01")]

    with pytest.raises(ValueError, match="A-01 is used by more than one action"):
        order(tasks)


# The critical path ------------------------------------------------------------------------------


def test_the_critical_path_of_nothing_is_none():
    assert critical_path([]) is None


def test_a_single_action_is_its_own_critical_path():
    result = critical_path([task("A-01", "2026-04-01", "2026-05-01")])

    assert result == CriticalPath(keys=["A-01"], finish=date(2026, 5, 1), slack_days={"A-01": 0})


def test_a_chain_that_keeps_to_its_dates_is_all_critical():
    result = critical_path(CHAIN)

    assert result.keys == ["A-01", "A-02", "A-03"]
    assert result.finish == date(2026, 9, 30)
    assert result.slack_days == {"A-03": 0, "A-01": 0, "A-02": 0}


def test_the_critical_path_through_a_diamond_takes_the_longer_branch():
    result = critical_path(DIAMOND)

    assert result.keys == ["A-01", "A-02", "A-04"]
    assert result.finish == date(2026, 8, 31)
    # A-03 could finish as late as 31 July, 61 days after its 31 May, without delaying A-04.
    assert result.slack_days == {"A-01": 0, "A-02": 0, "A-03": 61, "A-04": 0}


def test_a_late_dependency_pushes_its_dependant_and_the_finish():
    tasks = [
        task("A-01", "2026-04-01", "2026-06-30"),
        task("A-02", "2026-06-01", "2026-07-31", "A-01"),  # 60 days, held back to 30 June
    ]

    result = critical_path(tasks)

    assert result.keys == ["A-01", "A-02"]
    assert result.finish == date(2026, 8, 30)  # from 1 July, 60 days
    assert result.slack_days == {"A-01": 0, "A-02": 0}


def test_parallel_branches_the_later_finish_is_critical_and_the_other_has_slack():
    tasks = [
        task("H-01", "2026-04-01", "2026-06-30"),
        task("H-02", "2026-07-01", "2026-12-31", "H-01"),
        task("E-01", "2026-04-01", "2026-05-31"),
        task("E-02", "2026-06-01", "2026-09-30", "E-01"),
    ]

    result = critical_path(tasks)

    assert result.keys == ["H-01", "H-02"]
    assert result.finish == date(2026, 12, 31)
    assert result.slack_days["E-02"] == 92  # 30 September to 31 December
    assert result.slack_days["E-01"] == 92
    assert result.slack_days["H-01"] == result.slack_days["H-02"] == 0


def test_a_chain_stops_at_an_action_held_back_by_its_own_start_date():
    tasks = [
        task("A-01", "2026-04-01", "2026-04-30"),
        task("A-02", "2026-09-01", "2026-12-31", "A-01"),  # waits for September, not for A-01
    ]

    result = critical_path(tasks)

    assert result.keys == ["A-02"]
    assert result.slack_days == {"A-01": 123, "A-02": 0}  # 1 April to 2 August


def test_tied_branches_take_the_earlier_start_then_the_lower_key():
    tasks = [
        task("A-01", "2026-04-01", "2026-04-30"),
        task("A-03", "2026-05-01", "2026-05-31", "A-01"),
        task("A-02", "2026-05-01", "2026-05-31", "A-01"),
        task("A-04", "2026-06-01", "2026-06-30", "A-03", "A-02"),
    ]

    result = critical_path(tasks)

    assert result.keys == ["A-01", "A-02", "A-04"]
    assert result.slack_days["A-02"] == result.slack_days["A-03"] == 0


def test_tied_finishes_end_the_path_at_the_earlier_start_then_the_lower_key():
    shorter = task("A-01", "2026-05-01", "2026-06-30")
    longer = task("A-02", "2026-04-01", "2026-06-30")
    twin = task("A-00", "2026-04-01", "2026-06-30")

    assert critical_path([shorter, longer]).keys == ["A-02"]
    assert critical_path([shorter, longer, twin]).keys == ["A-00"]


def test_a_dependant_starts_the_day_after_its_dependency_is_due():
    tasks = [
        task("A-01", "2026-04-01", "2026-04-30"),
        task("A-02", "2026-04-30", "2026-04-30", "A-01"),  # a one-day event, planned a day early
    ]

    result = critical_path(tasks)

    assert result.keys == ["A-01", "A-02"]
    assert result.finish == date(2026, 5, 1)


def test_an_action_due_before_it_starts_takes_no_time():
    tasks = [task("A-01", "2026-06-01", "2026-04-01")]

    result = critical_path(tasks)

    assert result.finish == date(2026, 6, 1)
    assert tasks[0].days == 0


def test_the_critical_path_refuses_what_order_refuses():
    with pytest.raises(CycleError):
        critical_path(
            [task("A", "2026-04-01", "2026-05-01", "B"), task("B", "2026-04-01", "2026-05-01", "A")]
        )
    with pytest.raises(ValueError, match="not in this plan"):
        critical_path([task("A", "2026-04-01", "2026-05-01", "Z")])


def test_slack_is_never_negative_in_a_tangle_of_dependencies():
    tasks = [
        task("A", "2026-04-01", "2026-05-15"),
        task("B", "2026-04-15", "2026-07-01", "A"),
        task("C", "2026-05-01", "2026-06-01", "A"),
        task("D", "2026-06-01", "2026-10-01", "C"),
        task("E", "2026-03-01", "2026-03-31"),
        task("F", "2026-07-01", "2026-09-01", "B", "E"),
        task("G", "2026-09-01", "2026-09-30", "F", "D"),
    ]

    result = critical_path(tasks)

    assert min(result.slack_days.values()) == 0
    assert all(result.slack_days[key] == 0 for key in result.keys)
    assert result.keys[-1] == "G"


# Late dependencies ------------------------------------------------------------------------------


def test_no_conflicts_when_every_dependency_is_due_by_its_dependants_start():
    assert conflicts(CHAIN) == []
    assert conflicts(DIAMOND) == []
    assert conflicts([]) == []


def test_a_dependency_due_the_day_before_its_dependant_starts_is_not_late():
    tasks = [task("A", "2026-04-01", "2026-04-30"), task("B", "2026-05-01", "2026-06-01", "A")]

    assert conflicts(tasks) == []


def test_a_dependency_due_on_the_day_its_dependant_starts_is_a_day_late():
    tasks = [task("A", "2026-04-01", "2026-05-01"), task("B", "2026-05-01", "2026-06-01", "A")]

    assert conflicts(tasks) == [("B", "A", 1)]


def test_conflicts_say_how_many_days_late_each_dependency_is():
    tasks = [
        task("A-01", "2026-04-01", "2026-06-30"),
        task("A-02", "2026-04-01", "2026-05-10"),
        task("A-03", "2026-06-01", "2026-07-31", "A-01", "A-02"),
        task("A-04", "2026-06-29", "2026-07-31", "A-01"),
    ]

    assert conflicts(tasks) == [("A-03", "A-01", 30), ("A-04", "A-01", 2)]


def test_a_dependency_already_done_is_not_late():
    tasks = [
        task("A-01", "2026-04-01", "2026-06-30", done=True),
        task("A-02", "2026-06-01", "2026-07-31", "A-01"),
    ]

    assert conflicts(tasks) == []


def test_an_action_already_done_was_not_held_up():
    tasks = [
        task("A-01", "2026-04-01", "2026-06-30"),
        task("A-02", "2026-06-01", "2026-07-31", "A-01", done=True),
    ]

    assert conflicts(tasks) == []


def test_conflicts_are_found_even_in_a_circle_but_not_for_unknown_actions():
    tasks = [task("A", "2026-04-01", "2026-06-01", "B"), task("B", "2026-05-01", "2026-07-01", "A")]

    assert conflicts(tasks) == [("A", "B", 92), ("B", "A", 32)]
    with pytest.raises(ValueError, match="A depends on Z, which is not in this plan"):
        conflicts([task("A", "2026-04-01", "2026-05-01", "Z")])


def test_dependencies_is_plain_python_without_django():
    code = (
        "import sys, actions.dependencies; "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
