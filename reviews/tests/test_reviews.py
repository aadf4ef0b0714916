"""The quarterly review: from what changed to signed-off decisions, and closed periods."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from actions import services
from actions.tests.factories import ActionFactory, UpdateFactory
from outcomes.models import Reading
from outcomes.readings_io import import_readings
from outcomes.tests.factories import (
    IndicatorFactory,
    OutcomeFactory,
    ReadingFactory,
    RiskFactory,
)
from reviews import changes
from reviews.models import Correction, Decision, Review
from reviews.tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 11, 23, 10, tzinfo=UTC), tick=False):
        yield


def page(client, url) -> str:
    return client.get(url).content.decode().replace("&#x27;", "'")


# Opening a review --------------------------------------------------------------------


def test_a_lead_opens_the_review_of_this_quarter(lead_client, world):
    RiskFactory(outcome=OutcomeFactory(plan=world.plan))
    response = lead_client.post(
        reverse("reviews:review_create", args=[world.plan.pk]),
        {"period": "2026-10-01", "meets_on": "2026-12-10", "attendees": "Lena\nPat"},
    )
    review = Review.objects.get()
    assert response["Location"] == review.get_absolute_url()
    assert (review.period_start, review.period_end) == (date(2026, 10, 1), date(2026, 12, 31))
    assert len(review.known_risks) == 1


def test_a_second_review_of_the_same_period_is_refused_clearly(lead_client, world):
    ReviewFactory(plan=world.plan)
    response = lead_client.post(
        reverse("reviews:review_create", args=[world.plan.pk]),
        {"period": "2026-10-01", "meets_on": "2026-12-10"},
    )
    assert response.status_code == 200
    assert (
        "This plan already has a review for October to December 2026"
        in page(lead_client, reverse("reviews:review_create", args=[world.plan.pk]))
        or "already has a review" in response.content.decode()
    )
    assert Review.objects.count() == 1


def test_the_service_refuses_a_duplicate_that_slips_past_the_form(world):
    from django.core.exceptions import ValidationError

    from reviews import services

    ReviewFactory(plan=world.plan)
    with pytest.raises(ValidationError, match="already has a review"):
        services.review_create(
            plan=world.plan,
            first=date(2026, 10, 1),
            last=date(2026, 12, 31),
            meets_on=date(2026, 12, 1),
            attendees="",
        )


def test_the_schedule_changes_the_periods_offered(lead_client, world):
    lead_client.post(reverse("reviews:schedule", args=[world.plan.pk]), {"months": "12"})
    form = lead_client.get(reverse("reviews:review_create", args=[world.plan.pk])).context["form"]
    assert ("2026-01-01", "January to December 2026") in form.fields["period"].choices


def test_partners_and_board_members_may_not_open_a_review(partner_client, board_client, world):
    url = reverse("reviews:review_create", args=[world.plan.pk])
    data = {"period": "2026-10-01", "meets_on": "2026-12-10"}
    assert partner_client.post(url, data).status_code == 403
    assert board_client.post(url, data).status_code == 403
    assert not Review.objects.exists()


# What changed ------------------------------------------------------------------------


def test_the_review_opens_with_what_changed_in_its_period(world):
    outcome = OutcomeFactory(plan=world.plan)
    old_risk = RiskFactory(outcome=outcome)
    ReviewFactory(
        plan=world.plan,
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        meets_on=date(2026, 9, 15),
        known_risks=[old_risk.pk],
    )
    review = ReviewFactory(plan=world.plan, meets_on=date(2026, 12, 1))
    new_risk = RiskFactory(outcome=outcome, description="Winter pressures")
    with time_machine.travel(datetime(2026, 6, 1, tzinfo=UTC)):
        action = ActionFactory(
            plan=world.plan, lead_organisation=world.housing, due=date(2026, 10, 30)
        )
    for day, status in [(date(2026, 8, 1), "on_track"), (date(2026, 10, 5), "off_track")]:
        with time_machine.travel(datetime.combine(day, datetime.min.time(), UTC)):
            services.update_post(action=action, author=world.partner, status=status, progress=10)
    fresh = ActionFactory(plan=world.plan, lead_organisation=world.housing, due=None)
    indicator = IndicatorFactory(outcome=outcome, direction="lower")
    ReadingFactory(indicator=indicator, period=date(2026, 6, 30), value=20, lower=19, upper=21)
    ReadingFactory(indicator=indicator, period=date(2026, 10, 31), value=15, lower=14, upper=16)
    still = IndicatorFactory(outcome=outcome)
    ReadingFactory(indicator=still, period=date(2026, 6, 30), value=20, lower=18, upper=22)
    ReadingFactory(indicator=still, period=date(2026, 10, 31), value=21, lower=19, upper=23)

    changed = changes.what_changed(review, today=date(2026, 11, 23))
    # The review's own period, to today while it runs.
    assert (changed["since"], changed["until"]) == (date(2026, 10, 1), date(2026, 11, 23))
    [change] = changed["status_changes"]
    assert (change.action, change.before.label, change.after.label, change.when) == (
        action,
        "On track",
        "Off track",
        date(2026, 10, 5),
    )
    assert changed["slipped"] == [action]
    assert changed["new_actions"] == [fresh]
    assert changed["new_risks"] == [new_risk]
    [movement] = changed["movements"]
    assert (movement.indicator, movement.direction) == (indicator, "better")


def test_the_review_page_shows_it_to_every_member(board_client, world):
    review = ReviewFactory(plan=world.plan)
    text = page(board_client, review.get_absolute_url())
    assert "What changed in the period" in text
    assert "Sign off this review" in text


# Judgements, decisions, sign-off -----------------------------------------------------


def test_a_lead_records_judgements_and_decisions(lead_client, world):
    review = ReviewFactory(plan=world.plan)
    outcome = OutcomeFactory(plan=world.plan, statement="Fewer falls")
    action = ActionFactory(plan=world.plan, lead_organisation=world.housing)
    lead_client.post(
        reverse("reviews:review_judge", args=[review.pk]),
        {"outcome": outcome.pk, "rating": "at_risk", "note": "Falls rose in the autumn."},
    )
    lead_client.post(
        reverse("reviews:decision_create", args=[review.pk]),
        {
            "text": "Move the strength classes to the libraries",
            "taken_on": "2026-12-01",
            "outcomes": [outcome.pk],
            "actions": [action.pk],
        },
    )
    lead_client.post(
        reverse("reviews:review_edit", args=[review.pk]),
        {
            "meets_on": "2026-12-01",
            "lessons_learned": "Ask earlier.",
            "actions_checked": [action.pk],
        },
    )
    text = page(lead_client, review.get_absolute_url())
    assert "Fewer falls: At risk" in text
    assert "Move the strength classes to the libraries" in text
    assert "Ask earlier." in text
    decision = Decision.objects.get()
    assert list(decision.actions.all()) == [action] and list(decision.outcomes.all()) == [outcome]


def test_an_outcome_of_another_plan_cannot_be_judged(lead_client, world):
    review = ReviewFactory(plan=world.plan)
    theirs = OutcomeFactory(plan=world.other_plan)
    response = lead_client.post(
        reverse("reviews:review_judge", args=[review.pk]),
        {"outcome": theirs.pk, "rating": "at_risk"},
    )
    assert "Choose one of this plan's outcomes." in response.content.decode().replace("&#x27;", "'")
    assert not review.judgements.exists()


def test_a_decision_shows_how_its_indicators_moved_since(world):
    outcome = OutcomeFactory(plan=world.plan)
    indicator = IndicatorFactory(outcome=outcome, direction="lower")
    ReadingFactory(indicator=indicator, period=date(2026, 3, 31), value=30)
    ReadingFactory(indicator=indicator, period=date(2026, 9, 30), value=25)
    decision = Decision.objects.create(
        review=ReviewFactory(plan=world.plan), text="Go", taken_on=date(2026, 4, 15)
    )
    decision.outcomes.add(outcome)
    [row] = changes.decision_movements([decision], today=date(2026, 11, 23))[decision.pk]
    assert (row["change"], row["better"]) == (-5.0, True)


def test_the_indicator_chart_marks_decisions_and_completed_actions(lead_client, world):
    outcome = OutcomeFactory(plan=world.plan)
    indicator = IndicatorFactory(outcome=outcome)
    ReadingFactory(indicator=indicator, period=date(2025, 12, 31))
    ReadingFactory(indicator=indicator, period=date(2026, 9, 30))
    decision = Decision.objects.create(
        review=ReviewFactory(plan=world.plan), text="Open hubs", taken_on=date(2026, 4, 15)
    )
    decision.outcomes.add(outcome)
    action = ActionFactory(plan=world.plan, lead_organisation=world.housing, reference="A-07")
    action.outcomes.add(outcome)
    UpdateFactory(action=action, status="complete", created_at=datetime(2026, 6, 1, tzinfo=UTC))
    text = page(lead_client, indicator.get_absolute_url())
    assert "Decision: Open hubs" in text
    assert "A-07 completed" in text


def test_only_a_board_member_signs_off(client, world):
    review = ReviewFactory(plan=world.plan)
    url = reverse("reviews:review_sign_off", args=[review.pk])
    for someone in (world.lead, world.partner):
        client.force_login(someone)
        assert client.post(url).status_code == 403
    review.refresh_from_db()
    assert not review.is_signed_off
    client.force_login(world.board)
    board_client = client
    assert board_client.post(url).status_code == 302
    review.refresh_from_db()
    assert review.signed_off_by == world.board
    # Once only, and nothing more may be changed in it.
    assert board_client.post(url).status_code == 403


def test_a_signed_off_review_cannot_be_changed(lead_client, world):
    review = ReviewFactory(plan=world.plan, signed_off_at=datetime(2026, 12, 2, tzinfo=UTC))
    response = lead_client.post(
        reverse("reviews:review_edit", args=[review.pk]),
        {"meets_on": "2026-12-01", "lessons_learned": "Changed"},
    )
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.lessons_learned == ""


# Closed periods ----------------------------------------------------------------------


@pytest.fixture
def closed(world):
    """The third quarter, signed off; a reading of the housing's indicator in it."""
    world.indicator = IndicatorFactory(outcome=OutcomeFactory(plan=world.plan), owner=world.housing)
    world.reading = ReadingFactory(indicator=world.indicator, period=date(2026, 9, 30), value=12)
    world.review = ReviewFactory(
        plan=world.plan,
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        meets_on=date(2026, 10, 20),
        signed_off_at=datetime(2026, 10, 21, tzinfo=UTC),
        signed_off_by=world.board,
    )
    return world


def test_a_closed_reading_cannot_be_edited_added_or_deleted(partner_client, closed):
    w = closed
    edit = partner_client.post(
        reverse("outcomes:reading_edit", args=[w.reading.pk]),
        {"period": "2026-09-30", "value": "99"},
    )
    assert "was closed when its review was signed off on 21 October 2026" in edit.content.decode()
    add = partner_client.post(
        reverse("outcomes:reading_create", args=[w.indicator.pk]),
        {"period": "2026-08-31", "value": "5"},
    )
    assert "was closed" in add.content.decode()
    partner_client.post(reverse("outcomes:reading_delete", args=[w.reading.pk]))
    assert list(Reading.objects.values_list("value", flat=True)) == [Decimal("12")]


def test_an_import_may_not_change_a_closed_period(closed):
    w = closed
    rows = [
        {
            "indicator": w.indicator.code,
            "period": "2026-09-30",
            "value": "13",
            "lower": "",
            "upper": "",
            "breakdown": "",
            "source_note": "",
        },
    ]
    result = import_readings(plan=w.plan, rows=rows, user=w.lead, membership=w.membership(w.lead))
    assert "was closed" in result.errors[0].message
    # The same reading again (an export imported back) changes nothing, and passes.
    rows[0]["value"] = "12"
    result = import_readings(plan=w.plan, rows=rows, user=w.lead, membership=w.membership(w.lead))
    assert result.ok and result.unchanged == 1


def test_a_lead_corrects_a_closed_reading_with_a_reason_that_is_kept(lead_client, closed):
    w = closed
    url = reverse("reviews:reading_correct", args=[w.reading.pk])
    refused = lead_client.post(url, {"value": "11", "reason": " "})
    assert "Say why" in refused.content.decode()
    lead_client.post(url, {"value": "11", "reason": "The survey was re-weighted."})
    w.reading.refresh_from_db()
    assert w.reading.value == Decimal("11")
    correction = Correction.objects.get()
    assert (correction.review, correction.made_by) == (w.review, w.lead)
    assert "12 → 11" in correction.what
    assert "re-weighted" in page(lead_client, w.review.get_absolute_url())


def test_a_partner_may_not_correct_a_closed_reading(partner_client, closed):
    url = reverse("reviews:reading_correct", args=[closed.reading.pk])
    assert partner_client.post(url, {"value": "11", "reason": "Mine"}).status_code == 403
    assert not Correction.objects.exists()


def test_no_update_is_taken_in_a_closed_period(partner_client, world):
    action = ActionFactory(plan=world.plan, lead_organisation=world.housing)
    ReviewFactory(plan=world.plan, signed_off_at=datetime(2026, 11, 20, tzinfo=UTC))
    response = partner_client.post(
        reverse("actions:update_create", args=[action.pk]),
        {"status": "on_track", "progress": 50},
        follow=True,
    )
    assert "was closed" in response.content.decode()
    assert not action.updates.exists()
