"""A plan's indicator with an action's expected effect and an external factor, shared by the
tests of scenarios, versions, option effects and the board report (issue 26)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from actions.models import ExpectedEffect
from actions.tests.factories import ActionFactory
from outcomes.models import ExternalFactor, Indicator, Reading
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory, TargetFactory


def families_in_temporary_accommodation(world):
    """Families in temporary accommodation rising about 10 a year, a target of 200, one
    action expected to take 25 off and an allowance freeze expected to add 15."""
    indicator = IndicatorFactory(
        outcome=OutcomeFactory(plan=world.plan),
        owner=world.council,
        code="HS-02",
        unit=Indicator.Unit.COUNT,
        direction=Indicator.Direction.LOWER,
        frequency=Indicator.Frequency.ANNUAL,
    )
    for year, value in enumerate([240, 252, 261, 270, 283], start=2021):
        Reading.objects.create(indicator=indicator, period=date(year, 3, 31), value=value)
    TargetFactory(
        indicator=indicator,
        baseline_value=Decimal("270"),
        baseline_date=date(2024, 3, 31),
        target_value=Decimal("200"),
        target_date=date(2028, 3, 31),
    )
    action = ActionFactory(plan=world.plan, lead_organisation=world.council, title="Lease homes")
    ExpectedEffect.objects.create(
        action=action, indicator=indicator, size=-25, low=-30, high=-15, starts=date(2025, 4, 1)
    )
    factor = ExternalFactor.objects.create(
        indicator=indicator,
        name="Allowance frozen",
        size=15,
        low=5,
        high=25,
        starts=date(2025, 4, 1),
    )
    return indicator, action, factor
