from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"

    def ready(self) -> None:
        from improveplan import stamps

        # Each action has a stamp of its own, so that the Five Steps' progress on a plan's
        # page checks again only the actions that changed (methods/facts.py).
        stamps.register("actions.Action")

        from outcomes import hooks

        # An indicator's forecast "with the plan" adds its actions' expected effects.
        hooks.register_effects(expected_effects)


def expected_effects(indicators: list) -> dict:
    """{indicator id: [trajectories.Effect]} of the actions' expected effects, in one query."""
    from actions.models import ExpectedEffect

    found: dict = {}
    rows = ExpectedEffect.objects.filter(indicator__in=indicators).select_related("action")
    for effect in rows:
        found.setdefault(effect.indicator_id, []).append(effect.as_effect())
    return found
