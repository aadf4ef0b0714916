"""Actions that wait for other actions: their order, circles to refuse, and the critical path.

"Bear in mind the significance of individual actions and critical links between them" (Five
Steps, Step 5). An edge runs from an action to each action it depends on, so "A-05 → A-03"
reads "A-05 depends on A-03".

An action runs from the start of its start date to the end of its due date, so an action that
depends on it can start the next day: one due on 30 June holds back nothing that starts on
1 July, and one due on 1 July is a day late for it.

The dates come from the plan. When a dependency is due on or after the day its dependant
starts, the plan cannot be kept as written: the critical path pushes the dependant later, and
`conflicts` names each such pair with how many days late the dependency is.

No Django here: keys, labels and dates in, lists and dates out.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Task:
    key: str
    label: str
    start: date
    due: date
    depends_on: tuple[str, ...] = ()
    done: bool = False

    @property
    def days(self) -> int:
        """How long it takes: (due − start) days, so the due date itself is the last of them.
        One due before it starts counts as taking no time (the SMART check reports it)."""
        return max(0, (self.due - self.start).days)


class CycleError(ValueError):
    """Actions that wait for each other in a circle, so none of them could ever start."""

    def __init__(self, cycle: list[str]) -> None:
        self.cycle = cycle
        super().__init__(describe_cycle(cycle))


def describe_cycle(cycle: Sequence[str]) -> str:
    if len(cycle) == 2:
        return f"{cycle[0]} depends on itself."
    arrows = " → ".join(cycle)
    return f"These actions depend on each other in a circle, so none could start: {arrows}"


def find_cycle(edges: Mapping[str, Iterable[str]]) -> list[str] | None:
    """A circle of dependencies, beginning and ending with the same key, or None.

    `edges` maps each key to the keys it depends on; a key that appears only as a dependency
    depends on nothing. Keys are searched in the mapping's order, so the answer is repeatable.
    """
    graph = {key: list(depends_on) for key, depends_on in edges.items()}
    finished: set[str] = set()
    for root in graph:
        if root in finished:
            continue
        # Depth first without recursion, so that a chain of a thousand actions cannot overflow.
        path, on_path = [root], {root}
        waiting = [iter(graph[root])]
        while waiting:
            following = next(waiting[-1], None)
            if following is None:
                waiting.pop()
                left = path.pop()
                on_path.discard(left)
                finished.add(left)
            elif following in on_path:
                return [*path[path.index(following) :], following]
            elif following not in finished:
                path.append(following)
                on_path.add(following)
                waiting.append(iter(graph.get(following, ())))
    return None


def would_create_cycle(
    edges: Mapping[str, Iterable[str]], key: str, new_depends_on: Iterable[str]
) -> list[str] | None:
    """The circle that giving `key` these dependencies, in place of the ones it has, would make.

    For a form to check before it saves. The shortest such circle, from `key` back to `key`;
    None if there would be none. Circles elsewhere in `edges` that do not pass through `key`
    are not this change's doing and are not reported.
    """
    graph = {k: list(depends_on) for k, depends_on in edges.items()}
    graph[key] = list(new_depends_on)
    came_from: dict[str, str] = {}
    queue = deque([key])
    while queue:  # breadth first, so the circle reported is a shortest one
        current = queue.popleft()
        for following in graph.get(current, ()):
            if following == key:
                path = [current]
                while path[-1] != key:
                    path.append(came_from[path[-1]])
                return [*reversed(path), key]
            if following not in came_from:
                came_from[following] = current
                queue.append(following)
    return None


def _by_key(tasks: Sequence[Task]) -> dict[str, Task]:
    """The tasks by key, refusing a key used twice or a dependency on an action not given."""
    by_key: dict[str, Task] = {}
    for task in tasks:
        if task.key in by_key:
            raise ValueError(f"{task.key} is used by more than one action.")
        by_key[task.key] = task
    for task in tasks:
        for key in task.depends_on:
            if key not in by_key:
                raise ValueError(f"{task.key} depends on {key}, which is not in this plan.")
    return by_key


def order(tasks: Sequence[Task]) -> list[Task]:
    """Every action after the actions it depends on; otherwise the earliest start first, then
    by key. Raises CycleError if actions depend on each other in a circle."""
    by_key = _by_key(tasks)
    waiting_for = {task.key: len(set(task.depends_on)) for task in tasks}
    dependants: dict[str, list[str]] = {key: [] for key in by_key}
    for task in tasks:
        for key in set(task.depends_on):
            dependants[key].append(task.key)
    ready = [(task.start, task.key) for task in tasks if waiting_for[task.key] == 0]
    heapq.heapify(ready)
    ordered = []
    while ready:
        _, key = heapq.heappop(ready)
        ordered.append(by_key[key])
        for dependant in dependants[key]:
            waiting_for[dependant] -= 1
            if waiting_for[dependant] == 0:
                heapq.heappush(ready, (by_key[dependant].start, dependant))
    if len(ordered) < len(tasks):
        placed = {task.key for task in ordered}
        left = {task.key: task.depends_on for task in tasks if task.key not in placed}
        cycle = find_cycle(left)
        assert cycle is not None  # what Kahn's method cannot place always holds a circle
        raise CycleError(cycle)
    return ordered


@dataclass(frozen=True)
class CriticalPath:
    keys: list[str]  # the chain that decides when the plan can finish, first action first
    finish: date  # the earliest the last action can finish, given the dependencies
    slack_days: dict[str, int]  # how many days each action could slip without delaying `finish`


def critical_path(tasks: Sequence[Task]) -> CriticalPath | None:
    """The longest chain of dependent actions, by the critical path method; None for no tasks.

    Forward pass: an action starts on its own start date or the day after the last of its
    dependencies finishes, whichever is later, and takes (due − start) days. Backward pass: it
    must start by the day that lets every action depending on it keep to the plan's finish.
    Slack is the difference.

    The chain is traced back from the action that finishes last, through the dependency that
    holds each action back; where two tie, the earlier-starting one, then the lower key. It
    stops at an action held back only by its own start date.
    Raises CycleError or ValueError as `order` does.
    """
    if not tasks:
        return None
    ordered = order(tasks)
    # Days since 1 AD, so that the passes are plain integer arithmetic.
    earliest_start: dict[str, int] = {}
    earliest_finish: dict[str, int] = {}
    for task in ordered:
        earliest_start[task.key] = max(
            [task.start.toordinal(), *(earliest_finish[key] + 1 for key in task.depends_on)]
        )
        earliest_finish[task.key] = earliest_start[task.key] + task.days
    finish = max(earliest_finish.values())

    dependants: dict[str, set[str]] = {task.key: set() for task in ordered}
    for task in ordered:
        for key in task.depends_on:
            dependants[key].add(task.key)
    latest_start: dict[str, int] = {}
    for task in reversed(ordered):
        latest_finish = min((latest_start[key] - 1 for key in dependants[task.key]), default=finish)
        latest_start[task.key] = latest_finish - task.days
    slack = {task.key: latest_start[task.key] - earliest_start[task.key] for task in tasks}

    # Of the actions that finish last, the first in order, as for ties further back.
    by_key = {task.key: task for task in ordered}
    last = next(task for task in ordered if earliest_finish[task.key] == finish)
    keys = [last.key]
    while True:
        current = by_key[keys[-1]]
        holding_back = [
            by_key[key]
            for key in set(current.depends_on)
            if earliest_finish[key] + 1 == earliest_start[current.key]
        ]
        if not holding_back:
            break
        keys.append(min(holding_back, key=lambda task: (task.start, task.key)).key)
    keys.reverse()
    return CriticalPath(keys=keys, finish=date.fromordinal(finish), slack_days=slack)


def conflicts(tasks: Sequence[Task]) -> list[tuple[str, str, int]]:
    """(dependant, dependency, days late) for each dependency due on or after the day its
    dependant starts: how many days the dependant would have to move to wait for it.

    An action already done holds nothing up, so a pair where either is done is not reported.
    In the order of `tasks`, then of each one's dependencies. Raises ValueError as `order` does;
    a circle is no obstacle here.
    """
    by_key = _by_key(tasks)
    late = []
    for task in tasks:
        if task.done:
            continue
        for key in dict.fromkeys(task.depends_on):
            dependency = by_key[key]
            days = (dependency.due - task.start).days + 1
            if not dependency.done and days > 0:
                late.append((task.key, key, days))
    return late
