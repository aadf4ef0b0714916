"""What higher apps add to the outcome and indicator pages, filled at start-up.

outcomes sits below actions, methods and reviews, so it never imports them; an app above
registers here, in its ``AppConfig.ready()``, what these pages show of it:

- ``register_chart_marks(marks_for)``: ``marks_for(indicators)`` takes a list of indicators
  and returns ``{indicator id: [charts.Mark, ...]}`` for some of them, in one or two queries
  (reviews: when linked actions were completed and decisions taken). ``chart_marks_for``
  gathers every source's marks for every indicator, earliest first.
- ``register_effects(effects_for)``: ``effects_for(indicators)`` returns ``{indicator id:
  [trajectories.Effect, ...]}`` for some of them, in one query (actions: the expected effects
  of actions). ``effects_for`` gathers every source's, with the indicators' external factors.
- ``register_walk_steps(steps)``: the Five Steps as ``(title, guiding questions)`` in order
  (methods: the walk); the outcome page lists them and walks Steps 1–3 itself. Without them
  it lists none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from outcomes.charts import Mark
from outcomes.models import ExternalFactor
from outcomes.trajectories import Effect

MARK_SOURCES: list[Callable[[list], dict[int, list[Mark]]]] = []
EFFECT_SOURCES: list[Callable[[list], dict[int, list[Effect]]]] = []
WALK_STEPS: list[tuple[str, tuple[str, ...]]] = []


def register_chart_marks(marks_for: Callable[[list], dict[int, list[Mark]]]) -> None:
    if marks_for not in MARK_SOURCES:
        MARK_SOURCES.append(marks_for)


def chart_marks_for(indicators: Iterable) -> dict[int, list[Mark]]:
    indicators = list(indicators)
    marks: dict[int, list[Mark]] = {indicator.pk: [] for indicator in indicators}
    for marks_for in MARK_SOURCES:
        for indicator_id, found in marks_for(indicators).items():
            marks[indicator_id].extend(found)
    for indicator_marks in marks.values():
        indicator_marks.sort(key=lambda mark: mark.when)
    return marks


def register_effects(effects_for: Callable[[list], dict[int, list[Effect]]]) -> None:
    if effects_for not in EFFECT_SOURCES:
        EFFECT_SOURCES.append(effects_for)


def effects_for(indicators: Iterable) -> dict[int, list[Effect]]:
    """Every expected effect and external factor of each indicator, earliest start first."""
    indicators = list(indicators)
    effects: dict[int, list[Effect]] = {indicator.pk: [] for indicator in indicators}
    for factor in ExternalFactor.objects.filter(indicator__in=indicators):
        effects[factor.indicator_id].append(factor.as_effect())
    for source in EFFECT_SOURCES:
        for indicator_id, found in source(indicators).items():
            effects[indicator_id].extend(found)
    for found in effects.values():
        found.sort(key=lambda effect: (effect.start, effect.external, effect.name))
    return effects


def register_walk_steps(steps: Sequence[tuple[str, Sequence[str]]]) -> None:
    WALK_STEPS[:] = [(title, tuple(questions)) for title, questions in steps]


def walk_steps() -> list[tuple[int, str, tuple[str, ...]]]:
    """The steps as ``(number, title, questions)``, numbered from 1."""
    return [(number, title, questions) for number, (title, questions) in enumerate(WALK_STEPS, 1)]
