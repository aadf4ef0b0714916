from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"

    def ready(self) -> None:
        from improveplan import stamps

        # Each action has a stamp of its own, so that the Five Steps' progress on a plan's
        # page checks again only the actions that changed (methods/facts.py).
        stamps.register("actions.Action")
