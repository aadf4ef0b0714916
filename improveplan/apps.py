from django.apps import AppConfig


class ImproveplanConfig(AppConfig):
    name = "improveplan"
    verbose_name = "Partnerships"
