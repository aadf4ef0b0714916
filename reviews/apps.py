from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self) -> None:
        from improveplan import periods
        from reviews import locks

        # A signed-off review closes its period's readings and updates.
        periods.register(locks.closed_by_reviews)
