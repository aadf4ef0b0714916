"""The partnership health check: every member scores the nine ingredients, 1 to 5."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from reviews.ingredients import INGREDIENTS
from reviews.models import HealthCheck, HealthScore
from reviews.tests.factories import HealthCheckFactory

pytestmark = pytest.mark.django_db


def scores(value="4", **changed) -> dict:
    data = {f"score_{slug}": value for slug in INGREDIENTS}
    data |= {f"comment_{slug}": "" for slug in INGREDIENTS}
    return data | changed


def test_a_lead_opens_a_health_check(lead_client, world):
    response = lead_client.post(
        reverse("reviews:health_check_create", args=[world.partnership.pk]),
        {"title": "Health check 2026", "opened_on": "2026-11-23"},
    )
    check = HealthCheck.objects.get()
    assert response["Location"] == check.get_absolute_url()
    assert check.partnership == world.partnership


def test_partners_and_board_members_may_not_open_one(partner_client, world):
    url = reverse("reviews:health_check_create", args=[world.partnership.pk])
    assert partner_client.post(url, {"title": "Mine", "opened_on": "2026-11-23"}).status_code == 403
    assert not HealthCheck.objects.exists()


def test_every_member_scores_and_may_change_their_scores(client, world):
    check = HealthCheckFactory(partnership=world.partnership)
    url = reverse("reviews:health_check_score", args=[check.pk])
    for member in (world.lead, world.partner, world.board):
        client.force_login(member)
        assert client.post(url, scores("3", comment_focus="Too many priorities")).status_code == 302
    client.post(url, scores("5"))  # the board member again: replaces, never adds
    assert HealthScore.objects.count() == 27
    assert HealthScore.objects.filter(user=world.board, score=5).count() == 9


@pytest.mark.parametrize("bad", ["0", "6", "-1", "4.5", "", "five"])
def test_a_score_out_of_range_is_refused_clearly_and_nothing_is_saved(partner_client, world, bad):
    check = HealthCheckFactory(partnership=world.partnership)
    response = partner_client.post(
        reverse("reviews:health_check_score", args=[check.pk]), scores("4", score_review=bad)
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Score this ingredient from 1 to 5." in text or "from 1 (not true of us) to 5" in text
    assert not HealthScore.objects.exists()


def test_results_per_ingredient_are_compared_with_the_previous_check(board_client, world):
    before = HealthCheckFactory(partnership=world.partnership, opened_on=date(2025, 11, 1))
    now = HealthCheckFactory(partnership=world.partnership, opened_on=date(2026, 11, 1))
    for user, score in ((world.lead, 2), (world.partner, 4)):
        HealthScore.objects.create(health_check=now, user=user, ingredient="focus", score=score)
    HealthScore.objects.create(health_check=before, user=world.lead, ingredient="focus", score=1)
    text = board_client.get(now.get_absolute_url()).content.decode()
    focus = text[text.index("A few outcomes that matter") :]
    assert "3.0 (2)" in focus and "2–4" in focus and "+2.0" in focus
    assert "2 of 3 members have scored it" in text
    assert f'href="{before.get_absolute_url()}"' in text


def test_an_outsider_sees_nothing(outsider_client, world):
    check = HealthCheckFactory(partnership=world.partnership)
    assert outsider_client.get(check.get_absolute_url()).status_code == 404
