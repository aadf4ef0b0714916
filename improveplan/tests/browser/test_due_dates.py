"""A partner asks for more time and a lead answers, in a real browser, by what people see."""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import partial

import pytest
from playwright.sync_api import expect

from actions.models import Action
from actions.tests.factories import ActionFactory
from improveplan.tests.factories import PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.services  # Chromium


def test_a_partner_asks_for_more_time_and_a_lead_declines_with_a_reason(world, page, pages):
    today = date.today()
    action = ActionFactory(
        plan=world.plan,
        lead_organisation=world.housing,
        owner=world.partner,
        title="Open the tenancy advice line",
        start=today - timedelta(days=60),
        due=today + timedelta(days=20),
    )
    ActionFactory(
        plan=world.plan,
        lead_organisation=world.housing,
        title="Train the housing officers",
        status=Action.Status.COMPLETE,
        closure=Action.Closure.AWAITING,
    )
    asked_for = today + timedelta(days=90)

    # The partner, from My actions to the action's page.
    look = partial(pages.check, page, who="partner (due dates)")
    sign_in(page, world.partner.email, PASSWORD)
    page.get_by_role("link", name="My actions").first.click()
    expect(page.get_by_role("heading", name="Healthier Riverside")).to_be_visible()
    look(screenshot="my-actions-grouped")
    page.get_by_role("link", name=re.compile("Open the tenancy advice line")).click()
    ask = page.get_by_role("form", name="Ask for a new due date")
    ask.get_by_label("New due date").fill(asked_for.isoformat())
    ask.get_by_role("button", name="Ask a lead").click()  # no reason given
    expect(page.get_by_text("This field is required.")).to_be_visible()
    expect(ask.get_by_label("New due date")).to_have_value(asked_for.isoformat())
    look(screenshot="due-date-request-error")
    ask.get_by_label(re.compile("Why it needs more time")).fill("The provider starts in spring.")
    ask.get_by_role("button", name="Ask a lead").click()
    expect(page.get_by_text("Waiting for a lead's answer")).to_be_visible()
    look()
    page.get_by_role("button", name="Sign out").click()

    # The lead sees it waiting on their home page, and declines it with a reason.
    look = partial(pages.check, page, who="lead (due dates)")
    sign_in(page, world.lead.email, PASSWORD)
    waiting = page.get_by_role("region", name="Awaiting your confirmation")
    expect(
        waiting.get_by_role("link", name=re.compile("Train the housing officers"))
    ).to_be_visible()
    look(screenshot="home-awaiting-confirmation")
    waiting.get_by_role("link", name=re.compile("Open the tenancy advice line")).click()
    answer = page.get_by_role("form", name="Answer the request for a new due date")
    answer.get_by_label("Decline").check()
    answer.get_by_role("button", name="Send your answer").click()
    expect(page.get_by_text("Say why the request is declined.")).to_be_visible()
    look(screenshot="due-date-answer-error")
    answer.get_by_label("Decline").check()
    answer.get_by_label(re.compile("Your reason")).fill("The grant ends in March.")
    answer.get_by_role("button", name="Send your answer").click()
    expect(page.get_by_text(re.compile("is declined"))).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # The partner sees the answer on My actions, filtered to what they own.
    look = partial(pages.check, page, who="partner (due dates)")
    sign_in(page, world.partner.email, PASSWORD)
    page.goto("/my-actions/")
    page.get_by_text("Filter").click()
    page.get_by_label("Only those I own").check()
    page.get_by_role("button", name="Show these").click()
    card = page.locator(".my-action", has_text="Open the tenancy advice line")
    expect(card).to_contain_text("declined")
    expect(card).to_contain_text("The grant ends in March.")
    expect(page.get_by_text("Train the housing officers")).to_have_count(0)
    look(screenshot="my-actions-mine-declined")
    action.refresh_from_db()
    assert action.due == today + timedelta(days=20)
