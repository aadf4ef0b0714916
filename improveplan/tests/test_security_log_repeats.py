"""The security log grows with people, not with requests: one person's repeated refusals are
counted on one row per kind and page within the window, and past a number of pages on one more."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from improveplan import security
from improveplan.models import SecurityEvent
from improveplan.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db

REFUSED = SecurityEvent.Kind.ACCESS_REFUSED


def refusals(**filters):
    return SecurityEvent.objects.filter(kind=REFUSED, **filters)


def test_reloading_a_refused_page_fifty_times_makes_one_row_that_counts_them(client, world):
    client.force_login(world.outsider)
    for _ in range(50):
        assert client.get(world.plan.get_absolute_url()).status_code == 404
    event = refusals().get()
    assert event.count == 50
    assert event.user == world.outsider and event.path == world.plan.get_absolute_url()
    assert event.last_at >= event.at


def test_many_pages_make_a_bounded_number_of_rows_and_lose_no_count(client, world):
    plans = PlanFactory.create_batch(security.PAGES_PER_WINDOW + 15, partnership=world.partnership)
    client.force_login(world.outsider)
    for _ in range(2):
        for plan in plans:
            assert client.get(plan.get_absolute_url()).status_code == 404
    assert refusals().count() == security.PAGES_PER_WINDOW + 1
    assert refusals().aggregate(total=Sum("count"))["total"] == 2 * len(plans)
    other = refusals().get(path=security.OTHER_PAGES)
    assert other.count == 2 * 15
    assert other.detail.startswith("More refusals on further pages")


def test_a_new_window_starts_a_new_row(client, world):
    client.force_login(world.outsider)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.get(world.plan.get_absolute_url())
        clock.shift(security.REPEAT_WINDOW - timedelta(seconds=1))
        client.get(world.plan.get_absolute_url())
        assert list(refusals().values_list("count", flat=True)) == [2]
        clock.shift(timedelta(seconds=2))
        client.get(world.plan.get_absolute_url())
    assert list(refusals().values_list("count", flat=True)) == [1, 2]


def test_two_people_are_never_counted_together(client, world):
    for person in [world.outsider, world.board, world.outsider]:
        client.force_login(person)
        client.post(reverse("improveplan:plan_edit", args=[world.plan.pk]), {})
    assert refusals(user=world.outsider).get().count == 2
    assert refusals(user=world.board).get().count == 1


def test_guessing_passwords_past_the_lockout_makes_two_rows(client, world, settings):
    attempts = settings.AXES_FAILURE_LIMIT + 40
    for _ in range(attempts):
        client.post(reverse("login"), {"username": world.lead.email, "password": "wrong"})
    failed = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SIGN_IN_FAILED)
    locked = SecurityEvent.objects.get(kind=SecurityEvent.Kind.LOCKED_OUT)
    assert failed.email == locked.email == world.lead.email
    assert failed.count + locked.count >= attempts


def test_other_events_are_never_folded(lead_client, world):
    for _ in range(3):
        security.record(SecurityEvent.Kind.EXPORT, user=world.lead, detail="readings as CSV")
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.EXPORT).count() == 3
