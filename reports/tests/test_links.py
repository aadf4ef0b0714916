"""The review pages link to the board report of the review's quarter: reports registers the
link with reviews at start-up (reviews/hooks.py, reports/apps.py)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from reviews import hooks
from reviews.tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db


@time_machine.travel(date(2026, 8, 14))
def test_a_review_links_to_the_board_report_of_the_quarter_its_period_ends_in(board_client, world):
    review = ReviewFactory(
        plan=world.plan, period_start=date(2026, 4, 1), period_end=date(2026, 6, 30)
    )
    url = f"{reverse('reports:board_report', args=[world.plan.pk])}?quarter=2026-Q2"

    listed = board_client.get(reverse("reviews:reviews", args=[world.plan.pk])).content.decode()
    detail = board_client.get(review.get_absolute_url()).content.decode()

    assert f'href="{url}"' in listed
    assert f'href="{url}"' in detail
    assert "Download the board report for Q2 2026: April to June (PDF)" in detail
    response = board_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "2026-Q2" in response["Content-Disposition"]


def test_reports_registers_the_link_at_start_up():
    assert len(hooks.BOARD_REPORT) == 1
