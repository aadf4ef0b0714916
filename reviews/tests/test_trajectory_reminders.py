"""An indicator's owner is reminded of a latest reading behind its planned trajectory beyond
its margin of error (issue 26)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from improveplan.models import Role
from improveplan.tests.factories import MembershipFactory, OrganisationFactory
from outcomes.models import Indicator, Reading
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory, TargetFactory
from reviews.models import ReminderPreference
from reviews.reminders import Kind, build_digests
from reviews.services import digest_message

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)


def school_ready(world, owner, latest: str, lower: str | None, upper: str | None, code="SR-01"):
    """Annual readings to March 2026, a straight trajectory from 50 (March 2024) to 62 (March
    2027): 58.0 for March 2026."""
    indicator = IndicatorFactory(
        outcome=OutcomeFactory(plan=world.plan),
        owner=owner,
        code=code,
        name="Children ready for school",
        direction=Indicator.Direction.HIGHER,
        frequency=Indicator.Frequency.ANNUAL,
    )
    for year, value, low, high in [
        (2024, "50.0", None, None),
        (2025, "52.0", None, None),
        (2026, latest, lower, upper),
    ]:
        Reading.objects.create(
            indicator=indicator,
            period_start=date(year - 1, 4, 1),
            period=date(year, 3, 31),
            value=Decimal(value),
            lower=low and Decimal(low),
            upper=high and Decimal(high),
        )
    TargetFactory(
        indicator=indicator,
        baseline_date=date(2024, 3, 31),
        baseline_value=Decimal("50"),
        target_value=Decimal("62"),
        target_date=date(2027, 3, 31),
        trajectory_shape="straight",
    )
    return indicator


def behind(digest) -> list[tuple[str, str]]:
    return [(i.text, i.detail) for i in digest.items if i.kind == Kind.OFF_TRAJECTORY]


def test_the_owner_hears_of_a_reading_behind_beyond_its_margin(world):
    school_ready(world, world.housing, "52.0", "51.0", "53.0")
    digests = build_digests(TODAY)
    assert behind(digests[world.partner.pk]) == [
        (
            "SR-01 Children ready for school",
            "latest 52.0% (Mar 2026): 6.0 percentage points below trajectory, beyond its "
            "margin of error",
        )
    ]
    # The council does not own it, so its lead hears nothing of it.
    assert world.lead.pk not in digests or not behind(digests[world.lead.pk])
    message = digest_message(digests[world.partner.pk], day=TODAY)
    assert "Readings behind their planned trajectory" in message.body
    assert "6.0 percentage points below trajectory, beyond its margin of error" in message.body


def test_a_reading_without_a_margin_is_taken_as_it_stands(world):
    school_ready(world, world.housing, "57.0", None, None)
    [(_, detail)] = behind(build_digests(TODAY)[world.partner.pk])
    assert detail == (
        "latest 57.0% (Mar 2026): 1.0 percentage points below trajectory (the reading gives no "
        "margin of error)"
    )


@pytest.mark.parametrize(
    ("latest", "lower", "upper"),
    [
        ("56.5", "55.0", "59.0"),  # behind, but the trajectory's 58 is inside its margin
        ("60.0", "59.0", "61.0"),  # ahead beyond its margin: good news, not a reminder
        ("58.0", None, None),  # on the trajectory
    ],
)
def test_no_reminder_within_the_margin_ahead_or_on_it(world, latest, lower, upper):
    school_ready(world, world.housing, latest, lower, upper)
    digest = build_digests(TODAY).get(world.partner.pk)
    assert digest is None or not behind(digest)


def test_turning_readings_due_off_turns_these_off_too(world):
    school_ready(world, world.housing, "52.0", "51.0", "53.0")
    ReminderPreference.objects.create(user=world.partner, readings_due=False)
    digest = build_digests(TODAY).get(world.partner.pk)
    assert digest is None or not behind(digest)


def test_the_query_count_does_not_grow_with_indicators(world):
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            build_digests(TODAY)
        return len(captured)

    school_ready(world, world.housing, "52.0", "51.0", "53.0")
    few = count()
    for number in range(5):
        organisation = OrganisationFactory(partnership=world.partnership)
        MembershipFactory(organisation=organisation, role=Role.PARTNER)
        school_ready(world, organisation, "52.0", "51.0", "53.0", code=f"SR-1{number}")
    assert count() == few
    assert len([d for d in build_digests(TODAY).values() if behind(d)]) == 6
