from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self) -> None:
        from reports import links
        from reviews import hooks

        # The review pages link to the board report of the review's quarter.
        hooks.register_board_report(links.board_report_for)
