"""Each partner signs up: once a plan is agreed, a lead or partner of each member organisation
confirms its part by name; the plan page, the board report and the delivery plan say who has
and who has not."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from actions.tests.factories import ActionFactory
from actions.versions import plan_agree
from improveplan.models import Plan, SignUp
from improveplan.versions import sign_up_standing
from outcomes.tests.factories import OutcomeFactory
from reports import reports

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreed(world):
    OutcomeFactory(plan=world.plan)
    ActionFactory(
        plan=world.plan,
        lead_organisation=world.housing,
        title="Open a rent rescue fund",
        resource_amount=Decimal("12500"),
    )
    ActionFactory(
        plan=world.plan,
        lead_organisation=world.council,
        title="Train the council's advisers",
        resource_amount=Decimal("4000"),
        resource_provider=world.housing,
    ).supporting_organisations.add(world.housing)
    ActionFactory(
        plan=world.plan, lead_organisation=world.housing, title="Dropped", status="cancelled"
    )
    return plan_agree(plan=world.plan, by=world.lead)


def url(world) -> str:
    return reverse("improveplan:plan_sign_up", args=[world.plan.pk])


def page(client, address) -> str:
    return client.get(address).content.decode().replace("&#x27;", "'")


def test_nothing_to_sign_up_to_before_the_plan_is_agreed(partner_client, world):
    response = partner_client.get(url(world), follow=True)
    assert "The plan has not been agreed yet" in response.content.decode()
    assert not SignUp.objects.exists()


def test_a_partner_sees_their_organisations_part_and_signs_up_by_name(
    partner_client, world, agreed
):
    plan_page = page(partner_client, world.plan.get_absolute_url())
    assert "Sign up for Riverside Housing" in plan_page
    assert "0 of 2 organisations have confirmed their part in version 1" in plan_page
    form = page(partner_client, url(world))
    assert "Open a rent rescue fund (leads)" in form
    assert "Train the council's advisers (supports)" in form
    assert "Dropped" not in form  # cancelled: no part of it
    assert "Money it puts in: £16,500" in form
    refused = partner_client.post(url(world), {"job_title": "Director of Housing"})
    assert "Tick the box to confirm your organisation's part." in refused.content.decode().replace(
        "&#x27;", "'"
    )
    assert not SignUp.objects.exists()
    response = partner_client.post(
        url(world), {"job_title": "Director of Housing", "confirm": "on"}
    )
    assert response.status_code == 302
    sign_up = SignUp.objects.get()
    assert (sign_up.version, sign_up.organisation, sign_up.confirmed_by) == (
        agreed,
        world.housing,
        world.partner,
    )
    assert sign_up.name == "Pat Partner" and sign_up.history.count() == 1
    plan_page = page(partner_client, world.plan.get_absolute_url())
    assert "1 of 2 organisations has confirmed its part in version 1" in plan_page
    assert "Riverside Housing: <strong>signed up</strong> by Pat Partner, Director of Housing" in (
        plan_page
    )
    assert "Riverside Council: <strong>not yet signed up</strong>" in plan_page
    assert "Sign up for Riverside Housing" not in plan_page
    again = partner_client.post(
        url(world), {"job_title": "Someone else", "confirm": "on"}, follow=True
    )
    assert "Riverside Housing has already signed up to version 1" in again.content.decode()
    assert SignUp.objects.count() == 1


def test_a_new_version_asks_again(lead_client, world, agreed):
    lead_client.post(url(world), {"job_title": "Chief Executive", "confirm": "on"})
    assert SignUp.objects.get().organisation == world.council  # the lead's own organisation
    Plan.objects.filter(pk=world.plan.pk).update(vision="Everyone has a home.")
    world.plan.refresh_from_db()
    ActionFactory(plan=world.plan, lead_organisation=world.council, title="One more")
    second = plan_agree(plan=world.plan, by=world.lead)
    assert second.number == 2
    standing = sign_up_standing(world.plan)
    assert standing.version == second and standing.signed == []
    assert [o.name for o in standing.waiting] == ["Riverside Council", "Riverside Housing"]


def test_a_board_member_may_not_sign_up(board_client, world, agreed):
    assert board_client.get(url(world)).status_code == 403
    response = board_client.post(url(world), {"job_title": "Chair", "confirm": "on"})
    assert response.status_code == 403
    assert not SignUp.objects.exists()
    assert "Sign up for" not in page(board_client, world.plan.get_absolute_url())


def test_an_outsider_may_not_sign_up(client, world, agreed):
    client.force_login(world.outsider)
    response = client.post(url(world), {"job_title": "Chair", "confirm": "on"})
    assert response.status_code == 404
    assert not SignUp.objects.exists()


def test_the_board_report_and_delivery_plan_say_who_has_signed_up(partner_client, world, agreed):
    partner_client.post(url(world), {"job_title": "Director of Housing", "confirm": "on"})
    today = date.today()
    for kind in ("board", "plan"):
        html = reports.report_html(world.plan, kind=kind, year=today.year, quarter=1, today=today)
        section = html[html.index('id="sign-ups-title"') :]
        assert (
            "1 of 2 member organisations has confirmed its part (actions and resources) in "
            "version 1 of the plan; not yet: Riverside Council." in section
        ), kind
        assert "Pat Partner, Director of Housing" in section
    public = reports.report_html(world.plan, kind="public", year=today.year, quarter=1, today=today)
    assert "Pat Partner" not in public


def test_the_demo_has_two_of_its_partners_signed_up(demo):
    standing = sign_up_standing(SignUp.objects.first().version.plan)
    assert standing.version.number == 2
    assert len(standing.signed) == 2
    assert "Riverside Community Housing" in [o.name for o in standing.waiting]
