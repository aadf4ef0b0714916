"""An empty plan as its lead first sees it, in a real browser: each page says what to do first
(issue 16, item 8), checked for accessibility."""

from __future__ import annotations

import re
from functools import partial

import pytest
from playwright.sync_api import expect

from improveplan.models import PlanVersion
from improveplan.tests.factories import PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.services  # Chromium


def test_an_empty_plan_says_what_to_do_first(world, page, pages):
    look = partial(pages.check, page, who="lead (empty plan)")
    sign_in(page, world.lead.email, PASSWORD)
    page.goto(world.plan.get_absolute_url())
    look(screenshot="empty-plan")

    page.goto(f"/plans/{world.plan.pk}/still-to-do/")
    expect(page.get_by_text("This plan has no outcomes yet")).to_be_visible()
    expect(page.get_by_text("Nothing is missing")).to_have_count(0)
    look(screenshot="empty-plan-still-to-do")

    page.goto(world.plan.get_absolute_url())
    page.get_by_role("link", name="Who is up to date").click()
    expect(page.get_by_text(re.compile("^Nothing to update yet"))).to_be_visible()
    expect(page.get_by_text("Everyone is up to date")).to_have_count(0)
    look(screenshot="empty-plan-up-to-date")

    page.goto(world.plan.get_absolute_url())
    page.get_by_role("link", name="Agree the plan").click()
    expect(page.get_by_text("A plan with no outcomes cannot be agreed").first).to_be_visible()
    page.get_by_role("button", name="Agree the plan").click()
    expect(page.get_by_text("A plan with no outcomes cannot be agreed").first).to_be_visible()
    look(screenshot="empty-plan-agree-refused")
    assert not PlanVersion.objects.filter(plan=world.plan).exists()
