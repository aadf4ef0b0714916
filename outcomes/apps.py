from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"

    def ready(self) -> None:
        from improveplan import stamps

        # Each indicator has a stamp of its own, so that a dashboard recomputes only the
        # indicators that changed (outcomes/status.py).
        stamps.register("outcomes.Indicator")
