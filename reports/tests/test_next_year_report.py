"""Issue 24, next year's plan: the delivery plan of a plan copied forward says which plan it
carries on and lists that plan's lessons under "What we have learned"."""

from __future__ import annotations

from datetime import date

import pytest

from actions.models import Action
from actions.tests.factories import ActionFactory
from reports import reports
from reports.tests.pdf import read
from reviews.next_year import plan_carry_forward

pytestmark = pytest.mark.django_db


def test_the_delivery_plan_of_next_years_plan_starts_from_last_years_lessons(world):
    last_year = world.plan
    last_year.title = "Healthier Riverside 2025/26"
    last_year.period_start, last_year.period_end = date(2025, 4, 1), date(2026, 3, 31)
    last_year.save()
    ActionFactory(
        plan=last_year,
        lead_organisation=world.council,
        status=Action.Status.COMPLETE,
        closure=Action.Closure.CLOSED,
        lessons_learned="Book the rooms before the councils' budgets are set.",
    )

    plan, _ = plan_carry_forward(
        plan=last_year,
        title="Healthier Riverside 2026/27",
        period_start=date(2026, 4, 1),
        period_end=date(2027, 3, 31),
    )

    pdf = read(
        reports.render_report(plan, kind="plan", year=2026, quarter=3, today=date(2026, 8, 14))
    )
    assert "This plan carries on Healthier Riverside 2025/26 (April 2025 to March 2026)" in pdf.text
    assert "What Healthier Riverside 2025/26 taught us" in pdf.text
    assert "Book the rooms before the councils' budgets are set." in pdf.text
    # Last year's own delivery plan says nothing of the kind.
    earlier = read(
        reports.render_report(last_year, kind="plan", year=2026, quarter=3, today=date(2026, 8, 14))
    )
    assert "taught us" not in earlier.text and "This plan carries on" not in earlier.text
