"""Issue 24, item 3: the plan's risk register where the board and the owners read it: the
board report's register and heat maps, and overdue risk reviews in the owner's reminders."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from outcomes.models import Risk
from outcomes.tests.factories import OutcomeFactory, RiskFactory
from reports import reports
from reports.tests.pdf import read
from reviews.reminders import Kind, build_digests

pytestmark = pytest.mark.django_db


def test_an_overdue_risk_review_reaches_its_owner_only(world):
    today = timezone.localdate()
    RiskFactory(
        outcome=OutcomeFactory(plan=world.plan),
        description="Clinic rooms are lost",
        owned_by=world.partner,
        review_date=today - timedelta(days=3),
    )
    RiskFactory(
        outcome=OutcomeFactory(plan=world.plan),
        description="Not yet due",
        owned_by=world.partner,
        review_date=today + timedelta(days=3),
    )
    digests = build_digests(today)
    items = [item for item in digests[world.partner.pk].items if item.kind == Kind.RISK_REVIEW]
    assert [item.text for item in items] == ["Clinic rooms are lost"]
    assert "3 days ago" in items[0].detail
    assert f"/plans/{world.plan.pk}/risks/#risk-" in items[0].url
    lead = digests.get(world.lead.pk)
    assert lead is None or not [i for i in lead.items if i.kind == Kind.RISK_REVIEW]


def test_the_board_report_shows_the_register_and_its_heat_maps(world):
    outcome = OutcomeFactory(plan=world.plan)
    Risk.objects.create(
        plan=world.plan,
        description="Pooled budget falls by a third",
        likelihood=4,
        impact=5,
        likelihood_after=3,
        impact_after=3,
        review_date=date(2026, 8, 1),
        owned_by=world.lead,
    )
    RiskFactory(outcome=outcome, description="Clinic rooms are lost", likelihood=2, impact=2)
    pdf = read(
        reports.render_report(
            world.plan, kind="board", year=2026, quarter=3, today=date(2026, 8, 14)
        )
    )
    assert "The risk register" in pdf.text
    assert "Pooled budget falls by a third" in pdf.text
    assert "1 is past its review date" in pdf.text
    alts = pdf.figure_alts()
    assert "2 risks: 1 high, 0 medium, 1 low." in alts[0]
    assert "1 risk: 0 high, 1 medium, 0 low." in alts[1]
