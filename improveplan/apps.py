from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ImproveplanConfig(AppConfig):
    name = "improveplan"
    verbose_name = "Partnerships"

    def ready(self) -> None:
        from improveplan import checks, security  # noqa: F401 - registers checks and signals

        post_migrate.connect(install_stamps, sender=self, dispatch_uid="improveplan.stamps")


def install_stamps(using: str, **kwargs) -> None:
    """After every migrate (once every app's tables are there): the triggers that keep each
    plan's stamp (improveplan/stamps.py), for the models as they now are."""
    from django.db import connections

    from improveplan import stamps

    stamps.install(connections[using])
