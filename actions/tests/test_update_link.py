"""A reminder's link to post one update without signing in (actions/email_links.py): for
that action and that person only, for REMINDER_LINK_DAYS, showing nothing else of the plan,
refused once the action is closed or the person has left, and the update recorded as theirs."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from actions.email_links import update_link
from actions.models import Action, Update
from actions.tests.factories import ActionFactory
from improveplan.models import Membership, Plan
from outcomes.tests.factories import OutcomeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(world):
    outcome = OutcomeFactory(plan=world.plan, statement="A secret outcome of the plan")
    found = ActionFactory(plan=world.plan, lead_organisation=world.housing, title="Fit alarms")
    found.outcomes.add(outcome)
    ActionFactory(plan=world.plan, lead_organisation=world.housing, title="Another action")
    return found


def _path(action, user, **kwargs) -> str:
    return update_link(action.pk, user.pk, **kwargs).removeprefix("http://127.0.0.1:8000")


def test_the_link_opens_that_actions_form_and_nothing_else(client, world, action):
    response = client.get(_path(action, world.partner))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Update {action.reference} Fit alarms" in page
    for elsewhere in ("A secret outcome", "Another action", "Healthier Riverside", "Sign out"):
        assert elsewhere not in page
    assert "evidence_file" not in page


def test_the_update_is_recorded_as_the_persons(client, world, action):
    path = _path(action, world.partner)
    response = client.post(path, {"status": "at_risk", "progress": "30", "note": "Short of staff."})
    assert response.status_code == 302
    update = Update.objects.get(action=action)
    assert (update.author, update.status, update.progress) == (world.partner, "at_risk", 30)
    action.refresh_from_db()
    assert action.status == "at_risk"
    assert "saved" in client.get(response["Location"]).content.decode()
    assert not client.session.get("_auth_user_id")  # nobody was signed in


def test_one_link_takes_one_update(client, world, action):
    path = _path(action, world.partner)
    client.post(path, {"status": "at_risk", "progress": "30"})
    response = client.post(path, {"status": "on_track", "progress": "60"})
    assert response.status_code == 410
    assert "already" in response.content.decode()
    assert Update.objects.filter(action=action).count() == 1


def test_the_link_expires(client, world, action, settings):
    path = _path(action, world.partner)
    with time_machine.travel(timezone.now() + timedelta(days=settings.REMINDER_LINK_DAYS, hours=1)):
        response = client.get(path)
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_the_link_works_until_it_expires(client, world, action, settings):
    made = time.time() - (settings.REMINDER_LINK_DAYS * 86400 - 3600)
    assert client.get(_path(action, world.partner, now=made)).status_code == 200


def test_a_closed_action_refuses_it(client, world, action):
    Action.objects.filter(pk=action.pk).update(closure=Action.Closure.CLOSED, status="complete")
    response = client.post(_path(action, world.partner), {"status": "on_track", "progress": "5"})
    assert response.status_code == 410
    assert "closed" in response.content.decode()
    assert not Update.objects.exists()


def test_someone_who_left_the_partnership_is_refused(client, world, action):
    path = _path(action, world.partner)
    Membership.objects.filter(user=world.partner).delete()
    response = client.post(path, {"status": "on_track", "progress": "5"})
    assert response.status_code == 410
    assert "no longer a member" in response.content.decode()
    assert not Update.objects.exists()


def test_an_archived_plan_refuses_it(client, world, action):
    Plan.objects.filter(pk=world.plan.pk).update(status=Plan.Status.ARCHIVED)
    assert client.get(_path(action, world.partner)).status_code == 410


def test_a_link_for_someone_who_may_not_update_it_is_refused(client, world, action):
    assert client.get(_path(action, world.board)).status_code == 410


def test_a_link_is_for_its_action_only(client, world, action):
    other = ActionFactory(plan=world.plan, lead_organisation=world.housing)
    path = _path(action, world.partner)
    payload, stamp, signature = path.split("/")[2].split(":")
    data = json.loads(signing.b64_decode(payload.encode()))
    data["a"] = other.pk  # the same signature over another action
    forged = signing.b64_encode(json.dumps(data, separators=(",", ":")).encode()).decode()
    assert client.get(f"/update/{forged}:{stamp}:{signature}/").status_code == 410
    assert client.get(path[:-5] + "/").status_code == 410
    assert not Update.objects.exists()


def test_bad_input_saves_nothing_and_says_why(client, world, action):
    response = client.post(_path(action, world.partner), {"status": "complete", "progress": "100"})
    assert response.status_code == 422
    assert "Needed when the action is complete" in response.content.decode()
    assert not Update.objects.exists()
