from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from improveplan.models import Membership, Role
from improveplan.services import membership_change, membership_remove
from improveplan.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def edit_url(world, user):
    return reverse("improveplan:membership_edit", args=[world.membership(user).pk])


def remove_url(world, user):
    return reverse("improveplan:membership_remove", args=[world.membership(user).pk])


def test_lead_changes_a_partners_role_and_organisation(lead_client, world):
    response = lead_client.post(
        edit_url(world, world.partner), {"role": Role.BOARD, "organisation": world.council.pk}
    )
    assert response.status_code == 302
    membership = world.membership(world.partner)
    assert (membership.role, membership.organisation) == (Role.BOARD, world.council)


def test_the_only_lead_cannot_stop_being_a_lead(lead_client, world):
    response = lead_client.post(
        edit_url(world, world.lead), {"role": Role.PARTNER, "organisation": world.council.pk}
    )
    assert response.status_code == 200
    page = response.content.decode().replace("&#x27;", "'")
    assert "the partnership's only lead" in page
    assert world.membership(world.lead).role == Role.LEAD


def test_the_only_lead_cannot_be_removed(lead_client, world):
    response = lead_client.post(remove_url(world, world.lead), follow=True)
    assert "only lead and cannot be removed" in response.content.decode().replace("&#x27;", "'")
    assert world.membership(world.lead).role == Role.LEAD


def test_with_two_leads_one_may_step_down(lead_client, world):
    second = MembershipFactory(organisation=world.housing, role=Role.LEAD).user
    response = lead_client.post(
        edit_url(world, second), {"role": Role.PARTNER, "organisation": world.housing.pk}
    )
    assert response.status_code == 302
    assert world.membership(second).role == Role.PARTNER


def test_lead_removes_a_member_who_then_sees_nothing(client, lead_client, world):
    page = lead_client.get(remove_url(world, world.partner))
    assert "Remove Pat Partner from Riverside Partnership?" in page.content.decode()
    assert lead_client.post(remove_url(world, world.partner)).status_code == 302
    assert not Membership.objects.filter(user=world.partner, partnership=world.partnership).exists()
    client.force_login(world.partner)
    assert client.get(world.partnership.get_absolute_url()).status_code == 404
    assert client.get(world.plan.get_absolute_url()).status_code == 404


def test_a_lead_may_leave_when_another_lead_remains(lead_client, world):
    MembershipFactory(organisation=world.housing, role=Role.LEAD)
    response = lead_client.post(remove_url(world, world.lead))
    assert response["Location"] == reverse("improveplan:home")
    assert not Membership.objects.filter(user=world.lead, partnership=world.partnership).exists()


def test_an_unknown_role_is_refused(lead_client, world):
    response = lead_client.post(
        edit_url(world, world.partner), {"role": "owner", "organisation": world.housing.pk}
    )
    assert response.status_code == 200
    assert world.membership(world.partner).role == Role.PARTNER


def test_service_refuses_another_partnerships_organisation(world):
    membership = world.membership(world.partner)
    with pytest.raises(ValidationError):
        membership_change(
            membership=membership,
            role=Role.PARTNER,
            organisation=world.other_organisation,
            by=world.lead,
        )
    assert world.membership(world.partner).organisation == world.housing


@pytest.mark.django_db(transaction=True)
def test_two_leads_removing_each_other_at_once_leave_one_lead(world, postgresql):
    """On PostgreSQL two requests really run at once; the row lock keeps one lead."""
    second = MembershipFactory(organisation=world.housing, role=Role.LEAD)
    first = world.membership(world.lead)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def remove(membership):
        try:
            barrier.wait(timeout=10)
            membership_remove(membership=membership, by=membership.user)
            outcomes.append("removed")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=remove, args=(m,)) for m in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "removed"]
    assert Membership.objects.filter(partnership=world.partnership, role=Role.LEAD).count() == 1
