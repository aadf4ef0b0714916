"""What an action's people are told: a completion waiting for a lead, a lead's answer to it,
and a lead's answer to a request for a new due date."""

from __future__ import annotations

from datetime import date

import pytest

from actions import services
from actions.models import Action, DueDateProposal
from actions.tests.factories import ActionFactory
from improveplan.models import Notification, Role
from improveplan.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def told(kind: str) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(kind=kind).values_list("user__full_name", "text"))


@pytest.fixture
def action(world):
    return ActionFactory(
        plan=world.plan, lead_organisation=world.housing, owner=world.partner, title="Open a clinic"
    )


def complete(action, world, by=None):
    return services.update_post(
        action=action,
        author=by or world.partner,
        status=Action.Status.COMPLETE,
        progress=100,
        completion_evidence="It opened.",
        lessons_learned="Book early.",
    )


def test_every_lead_but_the_one_who_marked_it_is_told_of_a_completion(action, world):
    second = MembershipFactory(organisation=world.council, role=Role.LEAD).user
    complete(action, world)
    assert told(Notification.Kind.COMPLETION_WAITING) == sorted(
        [
            (
                name,
                f"Pat Partner marked {action.reference} Open a clinic complete: confirm it, "
                "or send it back with your reason",
            )
            for name in (world.lead.full_name, second.full_name)
        ]
    )
    Notification.objects.all().delete()
    services.closure_return(action=action, reason="No evidence", by=world.lead)
    complete(action, world, by=second)
    assert [name for name, _ in told(Notification.Kind.COMPLETION_WAITING)] == ["Lena Lead"]


def test_an_ordinary_update_tells_nobody(action, world):
    services.update_post(action=action, author=world.partner, status="on_track", progress=40)
    assert not Notification.objects.exists()


def test_the_owner_and_whoever_marked_it_hear_it_confirmed(action, world):
    marker = MembershipFactory(organisation=world.housing, role=Role.PARTNER).user
    complete(action, world, by=marker)
    services.closure_confirm(action=action, by=world.lead)
    answered = told(Notification.Kind.COMPLETION_ANSWERED)
    assert [name for name, _ in answered] == sorted([world.partner.full_name, marker.full_name])
    assert (
        answered[0][1]
        == f"Lena Lead confirmed {action.reference} Open a clinic complete and closed it"
    )


def test_a_completion_sent_back_says_why(action, world):
    complete(action, world)
    services.closure_return(action=action, reason="The figures are not in yet.", by=world.lead)
    assert told(Notification.Kind.COMPLETION_ANSWERED) == [
        (
            "Pat Partner",
            f"Lena Lead sent {action.reference} Open a clinic back as not yet complete: "
            "“The figures are not in yet.”",
        )
    ]


@pytest.mark.parametrize("accept", [True, False])
def test_the_partner_who_asked_for_a_new_due_date_hears_the_answer(action, world, accept):
    proposal = DueDateProposal.objects.create(
        action=action, proposed_by=world.partner, proposed_due=date(2027, 6, 30), reason="Staff."
    )
    services.due_date_answer(
        proposal=proposal, by=world.lead, accept=accept, reason="" if accept else "The grant ends."
    )
    notice = Notification.objects.get()
    assert (notice.user, notice.kind, notice.url) == (
        world.partner,
        Notification.Kind.DUE_DATE_ANSWERED,
        action.get_absolute_url(),
    )
    word = "accepted" if accept else "declined"
    assert notice.text.startswith(
        f"Lena Lead {word} your request to move {action.reference} Open a clinic to 30 June 2027"
    )
    assert notice.text.endswith("“The grant ends.”") != accept
