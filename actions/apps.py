from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"

    def ready(self) -> None:
        from improveplan import stamps

        # Each action has a stamp of its own, so that the Five Steps' progress on a plan's
        # page checks again only the actions that changed (methods/facts.py).
        stamps.register("actions.Action")

        from outcomes import hooks

        # An indicator's forecast "with the plan" adds its actions' expected effects, and
        # those of favoured options not yet carried by an action.
        hooks.register_effects(expected_effects)


def expected_effects(indicators: list) -> dict:
    """{indicator id: [trajectories.Effect]} of the actions' expected effects and the favoured
    options' still counted (`models.counted_option_effects`), in two queries."""
    from actions.models import ExpectedEffect, counted_option_effects

    found: dict = {}
    rows = ExpectedEffect.objects.filter(indicator__in=indicators).select_related("action")
    for effect in [*rows, *counted_option_effects(indicators)]:
        found.setdefault(effect.indicator_id, []).append(effect.as_effect())
    return found
