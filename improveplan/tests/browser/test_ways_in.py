"""The ways in beyond the sign-in page (issue 23), in a real browser, checked for
accessibility: a lead publishes a plan and reads its public page and a chart to embed, makes
an API token and sets up two-factor sign-in; a partner posts an update from a reminder's link."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from actions.email_links import update_link
from actions.models import Update
from actions.tests.factories import ActionFactory
from improveplan.tests.factories import PASSWORD
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory, ReadingFactory

from .conftest import sign_in

pytestmark = pytest.mark.services  # Chromium


@pytest.fixture
def plan(world):
    cache.clear()
    outcome = OutcomeFactory(plan=world.plan, statement="Fewer people smoke")
    indicator = IndicatorFactory(outcome=outcome, owner=world.housing, name="Adults who smoke")
    for year, value in ((2021, 21), (2022, 20), (2023, 19), (2024, 18)):
        ReadingFactory(indicator=indicator, period=date(year, 3, 31), value=Decimal(value))
    action = ActionFactory(plan=world.plan, lead_organisation=world.housing, title="Open a clinic")
    action.outcomes.add(outcome)
    world.indicator, world.action = indicator, action
    return world.plan


def test_a_lead_publishes_the_plan_and_anyone_reads_it(world, plan, page, pages):
    sign_in(page, world.lead.email, PASSWORD)
    page.goto(plan.get_absolute_url())
    page.get_by_role("link", name="Public page").click()
    pages.check(page, who="lead", screenshot="publish")
    page.get_by_label("Sites that may embed the charts").fill("https://www.riverside.gov.uk")
    page.get_by_role("button", name="Publish the plan").click()
    expect(page.get_by_text("Published on")).to_be_visible()
    pages.check(page, who="lead (published)")
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"/public/plans/{plan.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Healthier Riverside")
    page.get_by_text("The figures in this chart").click()
    expect(page.get_by_role("region", name="The figures for Adults who smoke")).to_be_visible()
    pages.check(page, who="signed out", screenshot="public-plan")
    page.goto(f"/public/plans/{plan.pk}/charts/{world.indicator.pk}/embed/")
    pages.check(page, who="signed out", screenshot="public-embed")


def test_a_lead_makes_a_token_and_sets_up_two_factor_sign_in(world, page, pages):
    sign_in(page, world.lead.email, PASSWORD)
    page.get_by_role("link", name="API tokens").click()
    pages.check(page, who="lead", screenshot="api-tokens")
    page.get_by_label("Name").fill("Readings from the warehouse")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Make the token").click()
    expect(page.locator("#new-token")).to_contain_text("ipat_")
    pages.check(page, who="lead (a new token)")
    page.reload()
    expect(page.locator("#new-token")).to_have_count(0)  # shown once
    page.get_by_role("link", name="Two-factor sign-in").click()
    pages.check(page, who="lead", screenshot="two-factor")
    page.get_by_role("link", name="Set up an authenticator app").click()
    expect(
        page.get_by_role("img", name="A QR code holding the key written below it")
    ).to_be_visible()
    pages.check(page, who="lead", screenshot="two-factor-set-up")


def test_a_partner_posts_an_update_from_the_email(world, plan, page, pages):
    link = update_link(world.action.pk, world.partner.pk).removeprefix("http://127.0.0.1:8000")
    page.goto(link)
    pages.check(page, who="partner (from the email)", screenshot="update-from-email")
    page.get_by_label("Status").select_option(label="At risk")
    page.get_by_label("Progress (%)").fill("35")
    page.get_by_label("What has happened").fill("Two staff off sick.")
    page.get_by_role("button", name="Post the update").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your update is saved")
    pages.check(page, who="partner (from the email)")
    assert Update.objects.get(action=world.action).author == world.partner
