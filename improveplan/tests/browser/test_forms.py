"""A partner's update, in a real browser, at the edges where it used to fail silently
(issue 16): errors shown where the form is, each naming its field, with focus on the first;
a session that ended while typing; the same form saved twice.

Every state reached is checked for accessibility (conftest.py).
"""

from __future__ import annotations

import re
import time
from functools import partial

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from actions.models import Update
from actions.tests.factories import ActionFactory
from improveplan.middleware import SEEN_AT
from improveplan.tests.factories import PASSWORD

from .conftest import messages, sign_in

pytestmark = pytest.mark.services  # Chromium

EVIDENCE_NEEDED = "Evidence that it is complete: needed when the action is complete."
LESSONS_NEEDED = "Lessons learned: needed when the action is complete."
NOTE = "All 212 families visited; the last two in the week of 8 December."


@pytest.fixture
def action(world):
    return ActionFactory(
        plan=world.plan,
        number=3,
        title="Visit every family given notice to quit",
        lead_organisation=world.housing,
        owner=world.partner,
    )


def heading(page):
    return page.get_by_role("heading", level=1)


def open_update_form_in_my_actions(page) -> None:
    page.get_by_role("link", name="My actions").click()
    expect(heading(page)).to_have_text("My actions")
    page.get_by_role("link", name="Post an update to A-03").click()
    expect(page.get_by_label("What has happened")).to_be_visible()


def idle_for_hours() -> None:
    """Every session last saw a request long ago: the next request finds it ended."""
    for row in Session.objects.all():
        session = SessionStore(session_key=row.session_key)
        session[SEEN_AT] = time.time() - 10 * 3600
        session.save()


def sign_in_again(page, email: str) -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()


def test_marking_complete_from_my_actions_without_evidence_says_what_is_missing_in_place(
    world, action, page, pages
):
    look = partial(pages.check, page, who="partner (update errors)")
    sign_in(page, world.partner.email, PASSWORD)
    open_update_form_in_my_actions(page)
    page.get_by_label("Status").select_option(label="Complete")
    page.get_by_label("Progress (%)").fill("100")
    page.get_by_label("What has happened").fill(NOTE)
    page.get_by_role("button", name="Save the update to A-03").click()

    errors = page.get_by_role("alert")
    expect(errors).to_contain_text(EVIDENCE_NEEDED)
    expect(errors).to_contain_text(LESSONS_NEEDED)
    expect(page.get_by_label("Evidence that it is complete")).to_be_focused()
    expect(page.get_by_label("What has happened")).to_have_value(NOTE)
    expect(page.get_by_label("Status")).to_have_value("complete")
    expect(heading(page)).to_have_text("My actions")  # the card, not a page of its own
    look(screenshot="my-actions-update-errors")

    # Each error leads to its field.
    errors.get_by_role("link", name=LESSONS_NEEDED).click()
    expect(page.get_by_label("Lessons learned")).to_be_focused()
    page.get_by_label("Evidence that it is complete").fill("Visit log signed off by the board.")
    page.get_by_label("Lessons learned").fill("Start with the families given notice first.")
    page.get_by_role("button", name="Save the update to A-03").click()
    expect(page.get_by_role("status")).to_contain_text("Your update is saved")
    look()
    assert Update.objects.get(action=action).note == NOTE


def test_the_same_errors_on_the_actions_own_page_name_their_fields(world, action, page, pages):
    look = partial(pages.check, page, who="partner (update errors)")
    sign_in(page, world.partner.email, PASSWORD)
    page.goto(action.get_absolute_url())
    page.get_by_label("Status").select_option(label="Complete")
    page.get_by_label("Progress (%)").fill("100")
    page.get_by_label("What has happened").fill(NOTE)
    page.get_by_role("button", name="Save the update").click()

    errors = page.get_by_role("alert")
    expect(errors).to_contain_text(EVIDENCE_NEEDED)
    expect(errors).to_contain_text(LESSONS_NEEDED)
    expect(page.locator("main")).not_to_contain_text("complete.; Needed")
    expect(page.get_by_label("Evidence that it is complete")).to_be_focused()
    expect(page.get_by_label("What has happened")).to_have_value(NOTE)
    look(screenshot="action-update-errors")
    assert not Update.objects.exists()


def test_a_session_that_ends_on_my_actions_keeps_what_was_typed(world, action, page, pages):
    look = partial(pages.check, page, who="partner (session ended)")
    sign_in(page, world.partner.email, PASSWORD)
    open_update_form_in_my_actions(page)
    page.get_by_label("Status").select_option(label="At risk")
    page.get_by_label("Progress (%)").fill("35")
    page.get_by_label("What has happened").fill(NOTE)
    idle_for_hours()
    page.get_by_role("button", name="Save the update to A-03").click()

    card = page.get_by_role("article", name="A-03 Visit every family given notice to quit")
    message = card.get_by_role("alert")
    expect(message).to_contain_text("Your session has ended, so this is not saved yet.")
    expect(message).to_be_focused()
    expect(page.get_by_role("button", name="Sign in")).to_have_count(0)  # no page in the card
    expect(page.get_by_label("What has happened")).to_have_value(NOTE)
    look(screenshot="my-actions-session-ended")

    message.get_by_role("link", name="Sign in again").click()
    expect(heading(page)).to_have_text("Sign in")
    look()
    sign_in_again(page, world.partner.email)
    expect(heading(page)).to_have_text("My actions")
    expect(page.get_by_label("What has happened")).to_have_value(NOTE)
    expect(page.get_by_label("Progress (%)")).to_have_value("35")
    expect(page.get_by_label("Status")).to_have_value("at_risk")
    expect(page.get_by_role("status")).to_contain_text("What you typed here before is back")
    look(screenshot="my-actions-draft-back")
    page.get_by_role("button", name="Save the update to A-03").click()
    expect(page.get_by_role("status")).to_contain_text("Your update is saved")
    assert Update.objects.get(action=action).note == NOTE

    # Saved, the draft is gone: the form opens empty again.
    page.reload()
    page.get_by_role("link", name="Post an update to A-03").click()
    expect(page.get_by_label("What has happened")).to_have_value("")


def test_a_session_that_ends_on_the_action_page_comes_back_to_it_with_the_text(
    world, action, page, pages
):
    look = partial(pages.check, page, who="partner (session ended)")
    sign_in(page, world.partner.email, PASSWORD)
    page.goto(action.get_absolute_url())
    page.get_by_label("What has happened").fill(NOTE)
    idle_for_hours()
    page.get_by_role("button", name="Save the update").click()

    expect(heading(page)).to_have_text("Sign in")
    expect(messages(page)).to_contain_text("You were signed out after a while")
    assert re.search(r"next=%2Factions%2F\d+%2F$", page.url), page.url
    sign_in_again(page, world.partner.email)
    expect(heading(page)).to_have_text("A-03 Visit every family given notice to quit")
    expect(page.get_by_label("What has happened")).to_have_value(NOTE)
    look(screenshot="action-draft-back")
    page.get_by_role("button", name="Save the update").click()
    expect(messages(page)).to_contain_text("Your update to A-03 has been saved")
    assert Update.objects.get(action=action).note == NOTE
    page.reload()
    expect(page.get_by_label("What has happened")).to_have_value("")


def test_back_after_saving_then_saving_again_keeps_one_update(world, action, page, pages):
    sign_in(page, world.partner.email, PASSWORD)
    page.goto(action.get_absolute_url())
    page.get_by_label("Progress (%)").fill("60")
    page.get_by_label("What has happened").fill(NOTE)
    page.get_by_role("button", name="Save the update").click()
    expect(messages(page)).to_contain_text("Your update to A-03 has been saved")

    page.go_back()
    expect(page.get_by_label("What has happened")).to_have_value(NOTE)
    page.get_by_role("button", name="Save the update").click()
    expect(page.locator("main")).to_contain_text("This update had already been saved")
    pages.check(page, who="partner (sent twice)", screenshot="update-already-saved")
    assert Update.objects.filter(action=action).count() == 1
    action.refresh_from_db()
    assert action.progress == 60
