"""Who is up to date this quarter, and a one-off reminder to those behind."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from actions.tests.factories import ActionFactory, UpdateFactory
from improveplan.models import Role
from improveplan.tests.factories import MembershipFactory, OrganisationFactory
from outcomes.tests.factories import IndicatorFactory, ReadingFactory
from reviews.models import DigestClaim

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 11, 23, 10, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def standing(world):
    w = world
    w.behind = ActionFactory(plan=w.plan, lead_organisation=w.housing, title="Fit alarms")
    w.done = ActionFactory(plan=w.plan, lead_organisation=w.council, title="Open hub")
    UpdateFactory(action=w.done, created_at=datetime(2026, 10, 9, tzinfo=UTC))
    w.indicator = IndicatorFactory(outcome__plan=w.plan, owner=w.housing, frequency="quarterly")
    ReadingFactory(indicator=w.indicator, period=date(2026, 6, 30))
    return w


def test_every_member_sees_what_is_in_and_missing_by_organisation(board_client, standing):
    w = standing
    response = board_client.get(reverse("reviews:up_to_date", args=[w.plan.pk]))
    text = response.content.decode()
    assert "Who is up to date: October to December 2026" in text
    housing = text[text.index("Riverside Housing") :]
    assert "No update yet this quarter" in housing and "Fit alarms" in housing
    assert "Reading missing" in housing and "30 Sep 2026" in housing
    assert "Email a reminder" not in text  # only leads send them


def test_the_page_costs_the_same_queries_however_many_rows(
    lead_client, world, django_assert_max_num_queries
):
    for _ in range(10):
        organisation = OrganisationFactory(partnership=world.partnership)
        ActionFactory(plan=world.plan, lead_organisation=organisation)
        IndicatorFactory(outcome__plan=world.plan, owner=organisation)
    with django_assert_max_num_queries(12):
        assert (
            lead_client.get(reverse("reviews:up_to_date", args=[world.plan.pk])).status_code == 200
        )


def test_a_lead_reminds_those_behind_once_however_often_pressed(
    lead_client, standing, django_capture_on_commit_callbacks
):
    w = standing
    second = MembershipFactory(organisation=w.housing, role=Role.PARTNER).user
    url = reverse("reviews:remind_behind", args=[w.plan.pk])
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = lead_client.post(url, follow=True)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([w.partner.email, second.email])
    assert "A reminder from your partnership lead" in mail.outbox[0].subject
    assert "Fit alarms" in mail.outbox[0].body and "Open hub" not in mail.outbox[0].body
    assert "already been reminded today" in response.content.decode()
    assert DigestClaim.objects.filter(key=f"behind-plan-{w.plan.pk}").count() == 2


def test_the_daily_digest_still_goes_beside_a_one_off_reminder(
    lead_client, standing, django_capture_on_commit_callbacks
):
    from reviews import services

    with django_capture_on_commit_callbacks(execute=True):
        lead_client.post(reverse("reviews:remind_behind", args=[standing.plan.pk]))
        services.digests_run(day=date(2026, 11, 23))
    assert [m.to[0] for m in mail.outbox].count(standing.partner.email) == 2


def test_partners_may_not_send_reminders(partner_client, standing):
    assert (
        partner_client.post(reverse("reviews:remind_behind", args=[standing.plan.pk])).status_code
        == 403
    )
    assert mail.outbox == [] and not DigestClaim.objects.exists()
