from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self) -> None:
        from improveplan import periods
        from outcomes import hooks
        from reviews import changes, locks

        # A signed-off review closes its period's readings and updates.
        periods.register(locks.closed_by_reviews)
        # Indicators' charts mark when linked actions were completed and decisions taken.
        hooks.register_chart_marks(changes.chart_marks)
