"""A lead finds the reminders that could not be delivered on Who is up to date and sends a
day's again, in a real browser, checked for accessibility (issue 18, item 10)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from actions.tests.factories import ActionFactory
from improveplan.tests.factories import PASSWORD
from reviews.models import DigestClaim

from .conftest import sign_in

pytestmark = pytest.mark.services  # Chromium


def test_a_lead_sends_a_day_s_failed_reminders_again(world, page, pages):
    day = timezone.localdate() - timedelta(days=1)
    ActionFactory(plan=world.plan, lead_organisation=world.housing, due=day - timedelta(days=9))
    DigestClaim.objects.create(
        user=world.partner,
        day=day,
        status=DigestClaim.Status.FAILED,
        token="gone",
        claimed_at=timezone.now(),
        last_error=f"SMTPRecipientsRefused: {{'{world.partner.email}': (550, b'No such user')}}",
    )
    look = partial(pages.check, page, who="lead (a failed reminder)")
    sign_in(page, world.lead.email, PASSWORD)
    page.goto(f"/plans/{world.plan.pk}/up-to-date/")
    page.get_by_role("link", name="see which, and send them again").click()
    section = page.get_by_role("region", name="Reminders that could not be delivered")
    expect(section.get_by_role("cell", name="Pat Partner")).to_be_visible()
    expect(section.get_by_text("No such user")).to_be_visible()
    look(screenshot="failed-reminders")

    when = f"{day:%-d %B %Y}"
    section.get_by_role("button", name=f"Send the failed reminders of {when} again").click()
    expect(page.get_by_text(f"1 failed reminder of {when} is on its way again.")).to_be_visible()
    expect(page.get_by_text("Nothing failed: no reminder")).to_be_visible()
    look(screenshot="failed-reminders-sent-again")
    assert DigestClaim.objects.get().status == DigestClaim.Status.SENT
    assert [m.to for m in mail.outbox] == [[world.partner.email]]
