from django.apps import AppConfig


class MethodsConfig(AppConfig):
    name = "methods"

    def ready(self) -> None:
        from methods import walk
        from outcomes import hooks

        # The outcome page lists the Five Steps and walks Steps 1–3 itself.
        hooks.register_walk_steps([(title, questions) for title, _, questions in walk.STEPS])
