from django.apps import AppConfig


class ImproveplanConfig(AppConfig):
    name = "improveplan"
    verbose_name = "Partnerships"

    def ready(self) -> None:
        from improveplan import checks, security  # noqa: F401 - registers checks and signals
