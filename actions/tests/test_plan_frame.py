"""Issue 24, item 8: the plan's frame page. Stakeholders and how each is consulted, the
communications plan (each item may be carried out by an action, made in one step), and
members' declarations of interest, which flag their scores on the options appraisal and may
be left out of the totals."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from actions.models import Action, Communication, Declaration, Score, Stakeholder
from actions.ranking import rank_options
from actions.tests.factories import ActionFactory, CriterionFactory, OptionFactory
from improveplan.limits import NOTE
from outcomes.tests.factories import OutcomeFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def frame_url(world) -> str:
    return reverse("actions:plan_frame", args=[world.plan.pk])


STAKEHOLDER = {
    "name": "Carers' forum",
    "interest": "Respite for the people they care for.",
    "consultation": "A meeting of the forum",
    "frequency": "Every quarter",
}
COMMUNICATION = {
    "audience": "Residents of Northfield",
    "message": "What the plan will change, and how to take part.",
    "channel": "The council's newsletter",
    "timing": "The month the plan is agreed",
}


# Stakeholders ---------------------------------------------------------------------------------


def test_a_lead_adds_a_stakeholder_and_every_member_reads_it(client, world):
    client.force_login(world.lead)
    response = client.post(
        reverse("actions:stakeholder_create", args=[world.plan.pk]),
        {**STAKEHOLDER, "relationship_holder": world.partner.pk},
    )
    assert response.status_code == 302
    client.force_login(world.board)
    page = text(client.get(frame_url(world)))
    assert (
        "Carers' forum Respite for the people they care for. A meeting of the forum "
        "Every quarter Pat Partner" in page
    )
    assert "Add a stakeholder" not in page  # a board member reads only


def test_the_relationship_is_held_by_a_member_and_texts_have_maximums(lead_client, world):
    url = reverse("actions:stakeholder_create", args=[world.plan.pk])
    response = lead_client.post(url, {**STAKEHOLDER, "relationship_holder": world.outsider.pk})
    assert "Choose a member of this partnership." in text(response)
    response = lead_client.post(url, {**STAKEHOLDER, "interest": "x" * (NOTE + 1)})
    assert f"at most {NOTE:,}".replace(",", "") in text(response).replace(",", "")
    response = lead_client.post(url, {**STAKEHOLDER, "name": "Two\nlines"})
    assert response.status_code == 200
    assert not Stakeholder.objects.exists()


def test_partners_and_board_members_may_not_add_stakeholders(client, world):
    for user in (world.partner, world.board):
        client.force_login(user)
        response = client.post(
            reverse("actions:stakeholder_create", args=[world.plan.pk]), STAKEHOLDER
        )
        assert response.status_code == 403
    client.force_login(world.outsider)
    assert client.get(frame_url(world)).status_code == 404
    assert not Stakeholder.objects.exists()


def test_a_stakeholders_changes_are_in_the_history(lead_client, world):
    lead_client.post(reverse("actions:stakeholder_create", args=[world.plan.pk]), STAKEHOLDER)
    stakeholder = Stakeholder.objects.get()
    lead_client.post(
        reverse("actions:stakeholder_edit", args=[stakeholder.pk]),
        {**STAKEHOLDER, "frequency": "Before each review"},
    )
    rows = list(stakeholder.history.order_by("history_date", "history_id"))
    assert [row.frequency for row in rows] == ["Every quarter", "Before each review"]
    assert {row.history_user for row in rows} == {world.lead}


# The communications plan ----------------------------------------------------------------------


def test_a_communication_becomes_an_action_in_one_step_and_once(lead_client, world):
    lead_client.post(reverse("actions:communication_create", args=[world.plan.pk]), COMMUNICATION)
    item = Communication.objects.get()
    page = text(lead_client.get(frame_url(world)))
    assert "Residents of Northfield What the plan will change" in page
    assert "Make an action for it" in page
    url = reverse("actions:communication_to_action", args=[item.pk])
    form = lead_client.get(url)
    assert (
        "Tell Residents of Northfield: The council&#x27;s newsletter" in (form.content.decode())
        or "Tell Residents of Northfield: The council's newsletter" in form.content.decode()
    )
    data = {"title": "Tell residents in the newsletter", "lead_organisation": world.council.pk}
    first = lead_client.post(url, data)
    second = lead_client.post(url, data)  # sent twice
    action = Action.objects.get(plan=world.plan)
    assert first.url == second.url == action.get_absolute_url()
    item.refresh_from_db()
    assert item.action == action and action.title == "Tell residents in the newsletter"
    assert "The council's newsletter" in action.description
    page = text(lead_client.get(frame_url(world)))
    assert f"{action.reference} Tell residents in the newsletter (not started)" in page
    assert "Make an action for it" not in page
    assert action.history.get().history_type == "+"


def test_a_communication_takes_only_this_plans_actions(lead_client, world):
    theirs = ActionFactory(plan=world.other_plan, lead_organisation=world.other_organisation)
    response = lead_client.post(
        reverse("actions:communication_create", args=[world.plan.pk]),
        {**COMMUNICATION, "action": theirs.pk},
    )
    assert "Choose from this plan." in text(response)
    response = lead_client.post(
        reverse("actions:communication_create", args=[world.plan.pk]),
        {**COMMUNICATION, "message": "x" * (NOTE + 1)},
    )
    assert response.status_code == 200
    assert not Communication.objects.exists()


def test_the_communication_to_action_refuses_another_partnerships_organisation(lead_client, world):
    item = Communication.objects.create(plan=world.plan, **COMMUNICATION)
    response = lead_client.post(
        reverse("actions:communication_to_action", args=[item.pk]),
        {"title": "Tell", "lead_organisation": world.other_organisation.pk},
    )
    assert response.status_code == 200
    assert not Action.objects.exists()


# Declarations of interest ---------------------------------------------------------------------


@pytest.fixture
def appraisal(world):
    """One outcome with two options scored on two criteria: the care homes' own option leads
    on the lead's scores, the other on nobody's (scores given before scorers were recorded)."""
    outcome = OutcomeFactory(plan=world.plan)
    impact = CriterionFactory(plan=world.plan, name="Impact", weight=5, order=1)
    cost = CriterionFactory(plan=world.plan, name="Cost", weight=1, order=2)
    homes = OptionFactory(outcome=outcome, title="Our care homes' own scheme")
    visits = OptionFactory(outcome=outcome, title="Home visits")
    Score.objects.create(option=homes, criterion=impact, score=5, scored_by=world.lead)
    Score.objects.create(option=homes, criterion=cost, score=5, scored_by=world.lead)
    Score.objects.create(option=visits, criterion=impact, score=4)
    Score.objects.create(option=visits, criterion=cost, score=3)
    return outcome, homes, visits


def ranks(client, outcome) -> list[str]:
    page = client.get(reverse("actions:appraisal", args=[outcome.pk])).content.decode()
    rows = re.findall(r'<tr id="option-\d+">\s*<td>(\d+)</td>\s*<th scope="row">([^<]+)<', page)
    return [(rank, html.unescape(title)) for rank, title in rows]


def test_a_member_declares_their_own_interest_only(partner_client, world, appraisal):
    _, homes, _ = appraisal
    url = reverse("actions:declaration_create", args=[world.plan.pk])
    response = partner_client.post(
        url,
        {
            "option": homes.pk,
            "interest": "Our organisation runs the homes.",
            "member": world.lead.pk,
        },
    )
    assert response.status_code == 302
    declaration = Declaration.objects.get()
    assert declaration.member == world.partner and declaration.option == homes
    assert declaration.history.get().history_user == world.partner


def test_declarations_refuse_bad_input_and_board_members(client, world, appraisal):
    url = reverse("actions:declaration_create", args=[world.plan.pk])
    client.force_login(world.partner)
    theirs = OptionFactory(outcome=OutcomeFactory(plan=world.other_plan))
    response = client.post(url, {"option": theirs.pk, "interest": "A grant"})
    assert "Choose from this plan." in text(response)
    response = client.post(url, {"option": "", "interest": "x" * (NOTE + 1)})
    assert response.status_code == 200
    response = client.post(url, {"option": "", "interest": ""})
    assert response.status_code == 200
    client.force_login(world.board)
    assert client.post(url, {"option": "", "interest": "A trustee"}).status_code == 403
    client.force_login(world.outsider)
    assert client.post(url, {"option": "", "interest": "A trustee"}).status_code == 404
    assert not Declaration.objects.exists()


def test_a_declaration_sent_twice_is_saved_once(partner_client, world):
    url = reverse("actions:declaration_create", args=[world.plan.pk])
    form = partner_client.get(url).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', form)
    data = {"option": "", "interest": "A relative works for a bidder."}
    if token:
        data["form_token"] = token.group(1)
    partner_client.post(url, data)
    partner_client.post(url, data)
    assert Declaration.objects.count() == (1 if token else 2)
    assert token, "the declaration form carries its once token"


def test_only_the_declarer_withdraws_and_only_a_lead_excludes(client, world):
    mine = Declaration.objects.create(plan=world.plan, member=world.partner, interest="A grant")
    client.force_login(world.lead)
    withdraw = reverse("actions:declaration_withdraw", args=[mine.pk])
    assert client.post(withdraw).status_code == 403
    client.force_login(world.partner)
    exclude = reverse("actions:declaration_exclude", args=[mine.pk])
    assert client.post(exclude, {"excluded": "yes"}).status_code == 403
    mine.refresh_from_db()
    assert not mine.excluded
    assert client.post(withdraw).status_code == 302
    assert not Declaration.objects.exists()


def test_a_declared_members_scores_are_flagged_and_a_lead_may_leave_them_out(
    lead_client, world, appraisal
):
    outcome, homes, visits = appraisal
    assert ranks(lead_client, outcome) == [("1", homes.title), ("2", visits.title)]
    page = text(lead_client.get(reverse("actions:appraisal", args=[outcome.pk])))
    assert "by Lena Lead" in page and "scorer not recorded" in page
    assert "Interest declared" not in page
    declaration = Declaration.objects.create(
        plan=world.plan, member=world.lead, option=homes, interest="I chair the homes' board."
    )
    page = text(lead_client.get(reverse("actions:appraisal", args=[outcome.pk])))
    assert page.count("Interest declared") == 2  # both of the lead's scores on the homes
    assert "leave out" not in page
    assert ranks(lead_client, outcome) == [("1", homes.title), ("2", visits.title)]
    lead_client.post(
        reverse("actions:declaration_exclude", args=[declaration.pk]), {"excluded": "yes"}
    )
    page = text(lead_client.get(reverse("actions:appraisal", args=[outcome.pk])))
    assert "The totals and the ranking leave out the scores of Lena Lead" in page
    assert "Interest declared: not counted" in page
    assert "0 of 30" in page  # the homes' total without the excluded scores
    assert ranks(lead_client, outcome) == [("1", visits.title), ("2", homes.title)]
    assert declaration.history.order_by("-history_date").first().excluded
    lead_client.post(
        reverse("actions:declaration_exclude", args=[declaration.pk]), {"excluded": "no"}
    )
    assert ranks(lead_client, outcome) == [("1", homes.title), ("2", visits.title)]


def test_an_interest_in_one_option_leaves_the_members_other_scores_alone(world, appraisal):
    outcome, homes, visits = appraisal
    Score.objects.filter(option=visits).update(scored_by=world.lead)
    Declaration.objects.create(
        plan=world.plan, member=world.lead, option=homes, interest="A trustee", excluded=True
    )
    ranking = rank_options(outcome, list(world.plan.criteria.all()))
    totals = {row.option.title: row.ranked.total for row in ranking.rows}
    assert totals == {homes.title: 0.0, visits.title: 23.0}


def test_scores_record_who_gave_them(lead_client, world, appraisal):
    _, _, visits = appraisal
    impact, cost = world.plan.criteria.order_by("order")
    lead_client.post(
        reverse("actions:option_scores", args=[visits.pk]),
        {f"score_{impact.pk}": "4", f"score_{cost.pk}": "1"},
    )
    scores = {score.criterion: score for score in visits.scores.all()}
    assert scores[impact].scored_by is None  # unchanged: keeps having no recorded scorer
    assert scores[cost].scored_by == world.lead and scores[cost].score == 1


# The demo -----------------------------------------------------------------------------------


def test_the_demo_plan_has_its_stakeholders_communications_and_a_declared_interest(demo, client):
    from improveplan.models import Plan, User

    plan = Plan.objects.get(title="Healthier Riverside 2026–2029")
    priya = User.objects.get(email="lead@demo.improveplan.test")
    client.force_login(priya)
    page = text(client.get(reverse("actions:plan_frame", args=[plan.pk])))
    assert "Private landlords and letting agents" in page
    carried = Communication.objects.get(plan=plan, action__isnull=False)
    assert f"{carried.action.reference} {carried.action.title}" in page
    declaration = Declaration.objects.get(plan=plan)
    assert (
        declaration.member == priya
        and declaration.option.title == "Build a council-run family hostel"
    )
    appraisal_page = text(
        client.get(reverse("actions:appraisal", args=[declaration.option.outcome_id]))
    )
    assert "Interest declared" in appraisal_page
    future = Plan.objects.get(method=Plan.Method.FUTURE_BASING)
    page = text(client.get(reverse("methods:future_basing", args=[future.pk])))
    assert "No key action leads to “Nobody has slept on Riverside's streets" not in page
    assert "No key action leads to “Every care leaver has a flat of their own" in page


def test_the_frames_history_shows_who_changed_what(client, world):
    client.force_login(world.lead)
    client.post(reverse("actions:stakeholder_create", args=[world.plan.pk]), STAKEHOLDER)
    client.post(reverse("actions:communication_create", args=[world.plan.pk]), COMMUNICATION)
    client.force_login(world.partner)
    client.post(
        reverse("actions:declaration_create", args=[world.plan.pk]),
        {"option": "", "interest": "A grant from a bidder."},
    )
    declaration = Declaration.objects.get()
    client.post(reverse("actions:declaration_withdraw", args=[declaration.pk]))
    client.force_login(world.board)
    page = text(client.get(reverse("actions:plan_frame_history", args=[world.plan.pk])))
    assert "Carers' forum" in page and "Residents of Northfield" in page
    assert "Lena Lead" in page and "Pat Partner" in page
    assert "A grant from a bidder." in page  # withdrawn, but kept in the history
