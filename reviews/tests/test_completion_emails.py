"""When a partner marks an action complete, each lead of the partnership gets one email about
it through the reminder machinery: claimed in the database, so never twice (issue 16, item 5).
Sent over a real SMTP server the test starts."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from actions import services as actions
from actions.models import Action
from actions.tests.factories import ActionFactory
from improveplan.models import Plan, Role
from improveplan.tests.factories import MembershipFactory
from reviews import services
from reviews.models import DigestClaim

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 24)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(f"{DAY}T10:00:00+00:00", tick=False):
        yield


@pytest.fixture
def action(world):
    return ActionFactory(
        plan=world.plan,
        lead_organisation=world.housing,
        owner=world.partner,
        reference="A-07",
        number=7,
        title="Open the tenancy advice line",
        start=date(2026, 4, 1),
        due=date(2027, 3, 31),
    )


def mark_complete(action, world):
    actions.update_post(
        action=action,
        author=world.partner,
        status=Action.Status.COMPLETE,
        progress=100,
        completion_evidence="The line opened on 2 November; 140 calls in its first fortnight.",
        lessons_learned="Evening hours brought in working tenants.",
    )


def run(django_capture_on_commit_callbacks) -> services.RunResult:
    with django_capture_on_commit_callbacks(execute=True):
        return services.digests_run(day=DAY)


def completion_emails(inbox) -> list:
    return [m for m in inbox.messages if "waits for your confirmation" in m["Subject"]]


def test_each_lead_gets_one_email_per_completion_however_often_the_run_goes(
    world, action, smtp_server, django_capture_on_commit_callbacks
):
    second_lead = MembershipFactory(organisation=world.housing, role=Role.LEAD).user
    mark_complete(action, world)
    for _ in range(3):  # the hourly runs of the day, and the next morning's
        run(django_capture_on_commit_callbacks)
    next_morning = time_machine.travel(f"{date(2026, 11, 25)}T08:00:00+00:00", tick=False)
    with next_morning, django_capture_on_commit_callbacks(execute=True):
        services.digests_run(day=date(2026, 11, 25))
    emails = completion_emails(smtp_server)
    assert sorted(m["To"] for m in emails) == sorted([world.lead.email, second_lead.email])
    email = emails[0]
    assert email["Subject"] == (
        "A-07 Open the tenancy advice line is marked complete and waits for your confirmation"
    )
    body = email.get_body(preferencelist=("plain",)).get_content()
    assert "marked complete by Pat Partner on 24 November 2026" in body
    assert f"/actions/{action.pk}/" in body
    assert world.partner.email not in [m["To"] for m in emails], "partners are not asked"
    assert world.outsider.email not in [m["To"] for m in smtp_server.messages]


def test_a_second_completion_after_a_return_is_a_second_email(
    world, action, smtp_server, django_capture_on_commit_callbacks
):
    mark_complete(action, world)
    run(django_capture_on_commit_callbacks)
    actions.closure_return(action=action, reason="The figures are not in yet.", by=world.lead)
    mark_complete(action, world)
    run(django_capture_on_commit_callbacks)
    run(django_capture_on_commit_callbacks)
    assert [m["To"] for m in completion_emails(smtp_server)] == [world.lead.email] * 2


def test_nothing_is_sent_once_a_lead_has_answered_or_for_an_archived_plan(
    world, action, smtp_server, django_capture_on_commit_callbacks
):
    mark_complete(action, world)
    actions.closure_confirm(action=action, by=world.lead)
    archived = ActionFactory(plan=world.other_plan, title="Hillside's")
    archived.plan.status = Plan.Status.ARCHIVED
    archived.plan.save()
    run(django_capture_on_commit_callbacks)
    assert completion_emails(smtp_server) == []
    assert not DigestClaim.objects.filter(key__startswith="completion-").exists()


def test_a_claim_whose_action_was_confirmed_before_it_went_sends_nothing(
    world, action, smtp_server, django_capture_on_commit_callbacks
):
    mark_complete(action, world)
    services.digests_run(day=DAY)  # claimed, not yet sent (no commit callbacks run)
    actions.closure_confirm(action=action, by=world.lead)
    claim = DigestClaim.objects.get(key__startswith="completion-")
    assert (
        services.digest_send(claim_id=claim.pk, token=claim.token, last_attempt=False)
        == DigestClaim.Status.NOTHING
    )
    assert completion_emails(smtp_server) == []
