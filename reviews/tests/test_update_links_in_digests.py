"""Each action in a reminder digest carries its own link to post an update without signing
in, made for the person the email goes to; sent through a real SMTP server."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine

from actions.models import Update
from actions.tests.factories import ActionFactory
from improveplan.models import Role
from improveplan.tests.factories import MembershipFactory
from reviews import services

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)
LINK = re.compile(r"http://127\.0\.0\.1:8000(/update/[^/\s\"]+/)")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-11-23 08:00:00+00:00", tick=False):
        yield


def test_each_person_gets_their_own_link_for_each_action(
    world, smtp_server, client, django_capture_on_commit_callbacks
):
    second = MembershipFactory(organisation=world.housing, role=Role.PARTNER).user
    alarms = ActionFactory(
        plan=world.plan, lead_organisation=world.housing, title="Fit alarms", due=date(2026, 11, 2)
    )
    ActionFactory(
        plan=world.plan, lead_organisation=world.housing, title="Lag pipes", due=date(2026, 11, 30)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.digests_run(day=TODAY)
    messages = {m["To"]: m for m in smtp_server.wait_for(2)}
    assert set(messages) == {world.partner.email, second.email}

    def links(message) -> list[str]:
        """One link an action (an action may be both due and waiting for its update)."""
        text = message.get_body(("plain",)).get_content()
        return list(dict.fromkeys(LINK.findall(text)))

    partners, seconds = links(messages[world.partner.email]), links(messages[second.email])
    assert len(partners) == 2 and len(seconds) == 2
    assert not set(partners) & set(seconds)  # each link is its person's
    html = messages[world.partner.email].get_body(("html",)).get_content()
    assert "without signing in" in html

    response = client.post(partners[0], {"status": "on_track", "progress": "50"})
    assert response.status_code == 302
    update = Update.objects.get()
    assert (update.author, update.action) == (world.partner, alarms)
