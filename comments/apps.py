from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"

    def ready(self) -> None:
        from comments import views
        from improveplan import discussion

        # The outcome, indicator, action and review pages show their comments at the foot.
        discussion.register(views.discussion)
