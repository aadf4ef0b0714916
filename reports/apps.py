from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self) -> None:
        from reports import board_pack, links
        from reviews import hooks

        # The review pages link to the board report of the review's quarter.
        hooks.register_board_report(links.board_report_for)
        # The board pack before a review meeting carries that report and its decisions.
        hooks.register_board_pack(board_pack.papers_for, board_pack.pdf_for)
