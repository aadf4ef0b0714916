"""Each person's reminder settings, and the pages that list a plan's reviews."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reviews.models import ReminderPreference
from reviews.tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db

URL = reverse("reviews:preferences")


def test_the_page_shows_the_defaults_without_saving_anything(partner_client):
    page = partner_client.get(URL).content.decode()
    # Issue 22: the "Reminder emails" page grew into the notification settings.
    assert "<h1>Notification settings</h1>" in page
    assert '<h2 id="reminders-heading">Reminder emails</h2>' in page
    assert 'value="daily"' in page and "checked" in page
    assert not ReminderPreference.objects.exists()


def test_a_person_saves_their_own_settings(partner_client, world):
    response = partner_client.post(URL, {"frequency": "weekly", "due_soon": "on"})
    assert response.status_code == 302
    preference = ReminderPreference.objects.get(user=world.partner)
    assert preference.frequency == "weekly" and preference.due_soon
    assert not (preference.missing_updates or preference.readings_due or preference.reviews)
    # Saving again changes the same row.
    partner_client.post(URL, {"frequency": "daily"})
    assert ReminderPreference.objects.get().frequency == "daily"


def test_an_unknown_frequency_is_refused_clearly(partner_client):
    response = partner_client.post(URL, {"frequency": "hourly"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ReminderPreference.objects.exists()


def test_signing_in_is_needed(client):
    assert client.get(URL).status_code == 302


def test_the_plan_lists_its_reviews(board_client, world):
    review = ReviewFactory(plan=world.plan)
    page = board_client.get(reverse("reviews:reviews", args=[world.plan.pk])).content.decode()
    assert review.get_absolute_url() in page
    detail = board_client.get(review.get_absolute_url()).content.decode()
    assert "Review of October to December 2026" in detail


def test_the_plan_page_links_to_its_reviews(board_client, world):
    page = board_client.get(world.plan.get_absolute_url()).content.decode()
    assert reverse("reviews:reviews", args=[world.plan.pk]) in page
