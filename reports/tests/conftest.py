from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from actions.models import Option
from actions.tests.factories import ActionFactory, MilestoneFactory, OptionFactory, UpdateFactory
from conftest import World
from improveplan.models import Plan
from outcomes.tests.factories import (
    EvidenceFactory,
    IndicatorFactory,
    OutcomeFactory,
    ReadingFactory,
    RiskFactory,
    TargetFactory,
)
from reports import reports


@pytest.fixture
def planned(world: World) -> World:
    """A plan with one of everything the delivery plan and public summary show."""
    outcome = OutcomeFactory(
        plan=world.plan,
        statement="Fewer adults smoke",
        why_it_matters="Smoking shortens lives here more than anything else.",
        target_groups="Routine and manual workers",
    )
    indicator = IndicatorFactory(outcome=outcome, owner=world.council, name="Adults who smoke")
    for year, value in [(2022, "21.5"), (2023, "21.2"), (2024, "20.0")]:
        ReadingFactory(indicator=indicator, period=date(year, 3, 31), value=Decimal(value))
    TargetFactory(indicator=indicator, target_value=Decimal("15.0"))
    EvidenceFactory(outcome=outcome, kind="barrier", summary="Clinics open only in office hours")
    OptionFactory(
        outcome=outcome,
        title="Evening clinics",
        decision=Option.Decision.FAVOURED,
        decision_reason="Reaches shift workers the day clinics miss.",
    )
    action = ActionFactory(
        plan=world.plan,
        lead_organisation=world.council,
        owner=world.lead,
        title="Open four evening clinics",
        resource_amount=Decimal("40000"),
        staff_time="Two advisers, two evenings a week",
        success_measure="300 quit attempts a year",
        monitoring="Quit attempts counted monthly",
    )
    action.outcomes.add(outcome)
    action.supporting_organisations.add(world.housing)
    MilestoneFactory(action=action, title="First clinic opens")
    UpdateFactory(action=action, author=world.partner, note="Venue booked for the first clinic.")
    RiskFactory(outcome=outcome, description="Grant ends next year", owner="Director of Finance")
    world.outcome, world.indicator, world.action = outcome, indicator, action
    return world


# The demo's three reports, rendered once in a test process: several tests read them, and
# seeding the demo and rendering take half a minute. Bytes and text only, no database rows,
# so a later test's own transaction cannot change them.
DEMO_DAY = date(2026, 12, 6)
_demo: dict[str, tuple[str, bytes]] = {}


@pytest.fixture
def demo_reports(settings) -> dict[str, tuple[str, bytes]]:
    """Each kind of report of the demo's plan, prepared on DEMO_DAY: (its HTML, its PDF)."""
    if not _demo:
        settings.DEBUG = True  # seed_demo refuses to run without it
        with time_machine.travel(datetime(2026, 12, 6, 10, tzinfo=UTC), tick=False):
            call_command("seed_demo", stdout=StringIO())
        settings.DEBUG = False
        plan = Plan.objects.get(title__startswith="Healthier Riverside")
        for kind in reports.KINDS:
            html = reports.report_html(plan, kind=kind, year=2026, quarter=4, today=DEMO_DAY)
            _demo[kind] = (html, reports.html_to_pdf(html))
    return _demo
