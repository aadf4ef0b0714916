from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self) -> None:
        from improveplan import access, notifications, periods
        from outcomes import hooks
        from reviews import access as reviews_access
        from reviews import changes, locks, services

        # A signed-off review closes its period's readings and updates.
        periods.register(locks.closed_by_reviews)
        # A live peer reviewer may read the plan they were invited to challenge.
        access.register_plan_grants(reviews_access.live_grants)
        # Indicators' charts mark when linked actions were completed and decisions taken.
        hooks.register_chart_marks(changes.chart_marks)
        # Notifications wanted by email at once are claimed and sent like the digests.
        notifications.register_mailer(services.notifications_email)
