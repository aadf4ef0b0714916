"""Who is reminded of what: the digest builder."""

from __future__ import annotations

from datetime import date

import pytest

from actions.models import Action
from actions.tests.factories import ActionFactory, UpdateFactory
from improveplan.models import Plan, Role
from improveplan.tests.factories import MembershipFactory, OrganisationFactory
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory, ReadingFactory
from reviews.models import ReminderPreference
from reviews.reminders import Kind, build_digests, last_finished_period
from reviews.tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)  # a Monday, in the fourth quarter


def kinds_of(digest) -> dict[str, list[str]]:
    return {kind: [item.text for item in items] for kind, _, items in digest.sections()}


@pytest.fixture
def reminders(world):
    """One thing of every kind for the partner (housing) in the first partnership."""
    w = world
    w.overdue = ActionFactory(
        plan=w.plan, lead_organisation=w.housing, title="Fit smoke alarms", due=date(2026, 11, 2)
    )
    w.due_soon = ActionFactory(
        plan=w.plan, lead_organisation=w.housing, title="Train wardens", due=date(2026, 12, 1)
    )
    w.later = ActionFactory(plan=w.plan, lead_organisation=w.housing, title="Later", due=None)
    UpdateFactory(action=w.later, created_at="2026-10-05T10:00:00Z")
    w.owned = ActionFactory(
        plan=w.plan, lead_organisation=w.council, owner=w.lead, title="Council's", due=None
    )
    UpdateFactory(action=w.owned, created_at="2026-10-05T10:00:00Z")
    outcome = OutcomeFactory(plan=w.plan)
    w.indicator = IndicatorFactory(outcome=outcome, owner=w.housing, frequency="quarterly")
    ReadingFactory(indicator=w.indicator, period=date(2026, 6, 30))
    w.fresh = IndicatorFactory(outcome=outcome, owner=w.housing, frequency="annual")
    ReadingFactory(indicator=w.fresh, period=date(2025, 12, 31))
    w.review = ReviewFactory(plan=w.plan, meets_on=date(2026, 12, 2))
    return w


def test_each_kind_reaches_the_people_who_answer_for_it(reminders):
    w = reminders
    digests = build_digests(TODAY)
    partner = kinds_of(digests[w.partner.pk])
    assert partner[Kind.OVERDUE] == [f"{w.overdue.reference} Fit smoke alarms"]
    assert partner[Kind.DUE_SOON] == [f"{w.due_soon.reference} Train wardens"]
    # Started last quarter, nothing since 1 October; "Later" has this quarter's update.
    assert partner[Kind.MISSING_UPDATE] == [
        f"{w.overdue.reference} Fit smoke alarms",
        f"{w.due_soon.reference} Train wardens",
    ]
    assert partner[Kind.READING_DUE] == [str(w.indicator)]
    assert partner[Kind.REVIEW] == [f"Review of {w.plan}"]
    # The board member hears only of the review; the lead of it and of what they own.
    assert kinds_of(digests[w.board.pk]) == {Kind.REVIEW: [f"Review of {w.plan}"]}
    assert Kind.OVERDUE not in kinds_of(digests[w.lead.pk])
    assert w.outsider.pk not in digests


def test_every_item_links_straight_to_it(reminders, settings):
    w = reminders
    items = {item.kind: item for item in build_digests(TODAY)[w.partner.pk].items}
    assert items[Kind.OVERDUE].url == f"{settings.SITE_URL}/actions/{w.overdue.pk}/"
    assert items[Kind.READING_DUE].url == settings.SITE_URL + w.indicator.get_absolute_url()
    assert items[Kind.REVIEW].url == settings.SITE_URL + w.review.get_absolute_url()


def test_an_action_with_no_owner_goes_to_its_lead_organisation(world):
    ActionFactory(plan=world.plan, lead_organisation=world.council, due=date(2026, 11, 1))
    digests = build_digests(TODAY)
    assert set(digests) == {world.lead.pk}  # the council's lead; its board member is not asked


def test_people_may_turn_the_optional_kinds_off_but_not_overdue(reminders):
    w = reminders
    ReminderPreference.objects.create(
        user=w.partner, due_soon=False, missing_updates=False, readings_due=False, reviews=False
    )
    assert set(kinds_of(build_digests(TODAY)[w.partner.pk])) == {Kind.OVERDUE}


def test_a_weekly_digest_comes_on_mondays_only(reminders):
    w = reminders
    ReminderPreference.objects.create(user=w.partner, frequency="weekly")
    assert w.partner.pk in build_digests(TODAY)
    assert w.partner.pk not in build_digests(date(2026, 11, 24))
    assert w.lead.pk in build_digests(date(2026, 11, 24))


def test_archived_plans_remind_nobody(reminders):
    Plan.objects.filter(pk=reminders.plan.pk).update(status=Plan.Status.ARCHIVED)
    assert build_digests(TODAY) == {}


def test_closed_and_complete_actions_are_not_reminded(world):
    ActionFactory(
        plan=world.plan,
        lead_organisation=world.housing,
        due=date(2026, 11, 1),
        status=Action.Status.COMPLETE,
    )
    ActionFactory(
        plan=world.plan,
        lead_organisation=world.housing,
        due=date(2026, 11, 1),
        closure=Action.Closure.CLOSED,
    )
    assert build_digests(TODAY) == {}


def test_the_last_finished_period_of_each_frequency():
    assert last_finished_period("monthly", TODAY) == date(2026, 10, 31)
    assert last_finished_period("quarterly", TODAY) == date(2026, 9, 30)
    assert last_finished_period("annual", TODAY) == date(2025, 12, 31)


def _people_and_actions(world, count: int) -> None:
    for _ in range(count):
        organisation = OrganisationFactory(partnership=world.partnership)
        MembershipFactory(organisation=organisation, role=Role.PARTNER)
        ActionFactory(plan=world.plan, lead_organisation=organisation, due=date(2026, 11, 1))
        IndicatorFactory(outcome__plan=world.plan, owner=organisation)


@pytest.mark.parametrize("people", [3, 30])
def test_the_query_count_does_not_grow_with_people(world, people, django_assert_num_queries):
    _people_and_actions(world, people)
    ReviewFactory(plan=world.plan, meets_on=date(2026, 11, 30))
    # Seven: the members, their preferences, the actions, the indicators, the reviews, (issue
    # 22) the notifications people chose to have in their digest, and (issue 24) the risks
    # whose review is overdue, and (issue 26) the indicators with a planned trajectory (two
    # more, their targets and latest readings, when any has one).
    with django_assert_num_queries(8):
        digests = build_digests(TODAY)
    assert len(digests) == people + 3  # and the lead, partner and board member (the review)
