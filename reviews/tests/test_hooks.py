"""The review pages link to the board report an app above registers (reviews/hooks.py), and
to no report when none is registered."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reviews import hooks
from reviews.tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(world):
    return ReviewFactory(plan=world.plan)


def pages(client, review) -> list[str]:
    return [
        client.get(url).content.decode()
        for url in (reverse("reviews:reviews", args=[review.plan_id]), review.get_absolute_url())
    ]


def test_the_review_pages_link_to_the_board_report_registered(monkeypatch, board_client, review):
    monkeypatch.setattr(hooks, "BOARD_REPORT", [])
    hooks.register_board_report(
        lambda found: hooks.ReportLink(url=f"/report-of-review-{found.pk}", quarter="Q4 2026")
    )

    listed, detail = pages(board_client, review)

    assert f'href="/report-of-review-{review.pk}"' in listed
    assert f'href="/report-of-review-{review.pk}"' in detail
    assert "Download the board report for Q4 2026 (PDF)" in detail


def test_without_a_board_report_the_review_pages_link_to_none(monkeypatch, board_client, review):
    monkeypatch.setattr(hooks, "BOARD_REPORT", [])

    listed, detail = pages(board_client, review)

    assert "Board report" not in listed
    assert "board report" not in detail
    assert "Every review of" in detail  # the page itself is there
