"""Working together in the plan, in a real browser (issue 22): a partner mentions a lead on an
action, choosing her from the suggestions by keyboard; the lead sees the bell, opens the
notification and replies; the partner reads the reply. A comment posted meanwhile comes onto
an open page when its reader next acts, and a page left alone asks the server nothing."""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import partial

import pytest
from playwright.sync_api import expect

from actions.tests.factories import ActionFactory
from comments.models import Comment
from improveplan.tests.factories import PASSWORD
from reviews.tests.factories import ReviewFactory

from .conftest import sign_in

pytestmark = pytest.mark.services  # Chromium

LIVE_GAP_SECONDS = 15  # static/improveplan/live.js
LEFT_ALONE_SECONDS = 4 * LIVE_GAP_SECONDS


def bell(page):
    return page.get_by_role("link", name=re.compile(r"^Notifications"))


def test_a_partner_mentions_a_lead_who_replies_and_the_partner_reads_it(
    world, browser, page, pages, live_server
):
    today = date.today()
    action = ActionFactory(
        plan=world.plan,
        lead_organisation=world.housing,
        owner=world.partner,
        title="Open the tenancy advice line",
        start=today - timedelta(days=30),
        due=today + timedelta(days=60),
    )

    # The partner asks the lead, mentioning her from the suggestions, by keyboard.
    look = partial(pages.check, page, who="partner (comments)")
    sign_in(page, world.partner.email, PASSWORD)
    page.get_by_role("link", name="My actions").first.click()
    page.get_by_role("link", name=re.compile("Open the tenancy advice line")).click()
    box = page.get_by_label("Your comment")
    box.press_sequentially("@le")
    people = page.get_by_role("listbox", name="People to mention")
    expect(people).to_be_visible()
    expect(people.get_by_role("option")).to_have_count(1)
    expect(people.get_by_role("option", name=re.compile("Lena Lead"))).to_have_attribute(
        "aria-selected", "true"
    )
    expect(box).to_have_attribute("aria-activedescendant", re.compile(".+"))
    expect(page.get_by_role("status").filter(has_text="1 person matches")).to_be_attached()
    look(screenshot="comment-mention-suggested")  # its focus check leaves the box
    box.focus()
    box.press("End")
    box.press_sequentially("n")
    expect(people.get_by_role("option", name=re.compile("Lena Lead"))).to_be_visible()
    box.press("Enter")
    expect(people).to_be_hidden()
    expect(box).to_have_value("@Lena Lead ")
    box.press_sequentially("can you confirm the venue for the advice line?")
    page.get_by_role("button", name="Post the comment").click()
    expect(page.get_by_text("Your comment is posted.")).to_be_visible()
    posted = page.locator("article.comment").first
    expect(posted).to_contain_text("can you confirm the venue for the advice line?")
    expect(posted.locator("strong.mention")).to_have_text("@Lena Lead")
    expect(box).to_have_value("")  # a fresh form, ready for the next
    look(screenshot="comment-posted")
    comment = Comment.objects.get()
    assert list(comment.mentioned.all()) == [world.lead]
    # For a while its author may change it.
    posted.get_by_role("link", name="Change your comment").click()
    expect(page.get_by_role("heading", name="Change your comment")).to_be_visible()
    look(screenshot="comment-change")
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("button", name="Sign out").click()

    # The lead sees the bell, opens the notification, and replies.
    look = partial(pages.check, page, who="lead (comments)")
    sign_in(page, world.lead.email, PASSWORD)
    expect(bell(page)).to_have_accessible_name("Notifications 1 unread")
    bell(page).click()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    look(screenshot="notifications")
    page.get_by_role("link", name=re.compile("Pat Partner mentioned you on")).click()
    expect(page).to_have_url(re.compile(rf"/actions/{action.pk}/#comment-{comment.pk}$"))
    page.get_by_role("link", name="Reply to Pat Partner").click()
    expect(page.get_by_text("Replying to Pat Partner.")).to_be_visible()
    expect(page.get_by_label("Your comment")).to_be_focused()
    page.get_by_label("Your comment").fill("Yes: the library on Mill Street, from 2 March.")
    page.get_by_role("button", name="Post the comment").click()
    reply = page.locator(f"#comment-{comment.pk} .comment-replies article")
    expect(reply).to_contain_text("Yes: the library on Mill Street, from 2 March.")
    look()
    page.goto("/notifications/")
    page.get_by_role("button", name="Mark all as read").click()
    expect(bell(page)).to_have_accessible_name("Notifications")
    page.goto("/reminders/")
    look(screenshot="notification-settings")
    page.get_by_role("button", name="Sign out").click()

    # The partner sees the bell too, and reads the reply where it was written.
    look = partial(pages.check, page, who="partner (comments)")
    sign_in(page, world.partner.email, PASSWORD)
    # Time in the partner's pages runs as it does, but can be moved on (below) without the
    # test waiting for it; installed before the page left alone is loaded, so that every
    # timer that page could set is one that moving the time on fires.
    page.clock.install()
    expect(bell(page)).to_have_accessible_name("Notifications 1 unread")
    bell(page).click()
    page.get_by_role("link", name=re.compile("Lena Lead replied to your comment")).click()
    expect(page.locator(f"#comment-{comment.pk}")).to_contain_text(
        "Yes: the library on Mill Street, from 2 March."
    )
    look()

    # Meanwhile the lead, elsewhere, adds a comment. The partner's open page asks nothing of
    # the server while it is left alone; when the partner next acts (starts to type), it
    # comes without the page being loaded again.
    asked = []
    page.on(
        "request",
        lambda request: asked.append(request.url) if "/comments/" in request.url else None,
    )
    loaded = page.evaluate("() => performance.timeOrigin")
    lead_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        lead_page = lead_context.new_page()
        sign_in(lead_page, world.lead.email, PASSWORD)
        lead_page.goto(action.get_absolute_url())
        lead_page.get_by_label("Your comment").fill("The keys are with reception.")
        lead_page.get_by_role("button", name="Post the comment").click()
        expect(lead_page.get_by_text("Your comment is posted.")).to_be_visible()
    finally:
        lead_context.close()
    # Left alone for a minute (any timer due in it fires), four times the gap the page keeps
    # between two looks: a page that looked on a timer, however slow, would have looked.
    page.clock.run_for(LEFT_ALONE_SECONDS * 1000)
    assert asked == [], "a page left alone asked the server for its comments"
    expect(page.get_by_text("The keys are with reception.")).to_have_count(0)
    page.get_by_label("Your comment").focus()
    expect(page.get_by_text("The keys are with reception.")).to_be_visible()
    assert len(asked) == 1 and "since=" in asked[0]
    assert page.evaluate("() => performance.timeOrigin") == loaded  # the same page, not reloaded


def test_without_scripts_a_partner_replies_from_the_comments_page(
    world, page_without_scripts, pages
):
    page = page_without_scripts
    review = ReviewFactory(plan=world.plan)
    question = Comment.objects.create(
        plan=world.plan, review=review, author=world.lead, text="Are the papers ready?"
    )
    look = partial(pages.check, page, who="partner (comments, no scripts)")
    sign_in(page, world.partner.email, PASSWORD)
    page.goto(review.get_absolute_url())
    page.get_by_role("link", name="Reply to Lena Lead").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Comments on Review"))
    expect(page.get_by_text("Replying to Lena Lead.")).to_be_visible()
    look(screenshot="comments-page-reply")
    page.get_by_label("Your comment").fill("Nearly: @Lena Lead the figures come Friday.")
    page.get_by_role("button", name="Post the comment").click()
    expect(page.get_by_text("Your comment is posted.")).to_be_visible()
    reply = Comment.objects.get(parent=question)
    assert list(reply.mentioned.all()) == [world.lead]
    expect(page).to_have_url(re.compile(rf"#comment-{reply.pk}$"))
    look()
