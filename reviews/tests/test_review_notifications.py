"""A review opened or signed off is news for everyone in the partnership."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from improveplan.models import Notification
from reviews.tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db


def test_everyone_but_the_lead_who_opened_it_hears_of_a_new_review(lead_client, world):
    from reviews.periods import periods_around

    first, _ = periods_around(date.today())[0]
    response = lead_client.post(
        reverse("reviews:review_create", args=[world.plan.pk]),
        {"period": first.isoformat(), "meets_on": "2031-06-30", "attendees": ""},
    )
    assert response.status_code == 302
    told = Notification.objects.filter(kind=Notification.Kind.REVIEW)
    assert sorted(told.values_list("user__full_name", flat=True)) == ["Bo Board", "Pat Partner"]
    notice = told.first()
    assert notice.text.startswith("Lena Lead opened the review of Healthier Riverside for ")
    assert notice.text.endswith("the meeting is on Monday 30 June 2031")
    assert notice.url == response["Location"]
    assert notice.channel == Notification.Channel.DIGEST  # news: in the digest by default


def test_everyone_but_the_board_member_who_signed_it_off_hears_of_it(board_client, world):
    review = ReviewFactory(plan=world.plan)
    board_client.post(reverse("reviews:review_sign_off", args=[review.pk]))
    told = Notification.objects.filter(kind=Notification.Kind.REVIEW)
    assert sorted(told.values_list("user__full_name", flat=True)) == ["Lena Lead", "Pat Partner"]
    assert told.first().text == (
        "Bo Board signed off the review of Healthier Riverside for October to December 2026"
    )
