"""Steps 4–5 as people use them: options, actions, partners' updates, closing an action."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Action, Criterion, Option, Score, Update
from actions.tests.factories import (
    ActionFactory,
    MilestoneFactory,
    OptionFactory,
    UpdateFactory,
)
from improveplan.models import Role
from improveplan.tests.factories import MembershipFactory
from outcomes.tests.factories import OutcomeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def outcome(world):
    return OutcomeFactory(plan=world.plan, statement="Fewer households lose their home")


@pytest.fixture
def action(world, outcome):
    made = ActionFactory(plan=world.plan, lead_organisation=world.housing, owner=world.partner)
    made.outcomes.add(outcome)
    return made


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


# Options appraisal ----------------------------------------------------------------------


def test_suggested_criteria_then_scores_rank_the_options(lead_client, world, outcome):
    lead_client.post(reverse("actions:criteria_defaults", args=[world.plan.pk]))
    criteria = list(Criterion.objects.filter(plan=world.plan))
    assert len(criteria) == 6
    cheap = OptionFactory(outcome=outcome, title="Landlord mediation")
    dear = OptionFactory(outcome=outcome, title="New hostel")
    for option, value in ((cheap, 5), (dear, 2)):
        data = {f"score_{c.pk}": value for c in criteria}
        response = lead_client.post(reverse("actions:option_scores", args=[option.pk]), data)
        assert response.status_code == 302
    assert Score.objects.count() == 12
    page = text(lead_client.get(reverse("actions:appraisal", args=[outcome.pk])))
    assert page.index("Landlord mediation") < page.index("New hostel")


def test_a_decision_needs_a_reason_and_a_favoured_option_becomes_actions(
    lead_client, world, outcome
):
    option = OptionFactory(outcome=outcome, title="Landlord mediation")
    url = reverse("actions:option_decision", args=[option.pk])
    refused = lead_client.post(url, {"decision": "favoured", "decision_reason": ""})
    assert "Say why" in text(refused)
    lead_client.post(url, {"decision": "favoured", "decision_reason": "Cheap and proven."})
    response = lead_client.post(
        reverse("actions:option_to_actions", args=[option.pk]),
        {
            "titles": "Recruit two mediators\nOpen a landlord helpline\n",
            "lead_organisation": world.housing.pk,
        },
    )
    assert response.status_code == 302
    made = Action.objects.filter(option=option).order_by("number")
    assert [a.reference for a in made] == ["A-01", "A-02"]
    assert all(outcome in a.outcomes.all() for a in made)


def test_doing_less_needs_an_exit_plan(lead_client, outcome):
    response = lead_client.post(
        reverse("actions:option_create", args=[outcome.pk]),
        {"kind": "less", "title": "Close the drop-in", "decision": "undecided"},
    )
    assert "Doing less needs a plan for winding down safely." in text(response)
    assert not Option.objects.exists()


# Actions ------------------------------------------------------------------------------------


def action_data(world, outcome, **changes):
    data = {
        "title": "Recruit two landlord mediators",
        "description": "Recruit and train two mediators for private rented homes in Northfield.",
        "outcomes": [outcome.pk],
        "lead_organisation": world.housing.pk,
        "owner": world.partner.pk,
        "start": "2026-04-01",
        "due": "2027-03-31",
        "term": "short",
        "resource_amount": "60000",
        "resource_provider": world.council.pk,
        "success_measure": "150 tenancies saved by March 2027",
        "status": "not_started",
        "progress": 0,
    }
    data.update(changes)
    return data


def test_references_are_never_reused(lead_client, world, outcome):
    url = reverse("actions:action_create", args=[world.plan.pk])
    for title in ("One", "Two"):
        lead_client.post(url, action_data(world, outcome, title=title))
    Action.objects.get(reference="A-02").delete()
    lead_client.post(url, action_data(world, outcome, title="Three"))
    assert sorted(Action.objects.values_list("reference", flat=True)) == ["A-01", "A-03"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"due": "2026-01-01"}, "The due date cannot come before the start."),
        ({"progress": 101}, "Ensure this value is less than or equal to 100."),
        ({"owner": None}, None),
    ],
)
def test_bad_actions_are_refused(lead_client, world, outcome, changes, message):
    data = {k: v for k, v in action_data(world, outcome, **changes).items() if v is not None}
    response = lead_client.post(reverse("actions:action_create", args=[world.plan.pk]), data)
    if message:
        assert message in text(response)
        assert not Action.objects.exists()
    else:
        assert response.status_code == 302  # an owner is optional; the SMART check flags it


def test_the_owner_must_work_for_the_lead_organisation(lead_client, world, outcome):
    data = action_data(world, outcome, owner=world.board.pk)  # the board member is council
    response = lead_client.post(reverse("actions:action_create", args=[world.plan.pk]), data)
    assert "The owner must work for the lead organisation, Riverside Housing." in text(response)


def test_a_dependency_circle_is_refused(lead_client, world, outcome, action):
    other = ActionFactory(plan=world.plan, lead_organisation=world.housing)
    other.depends_on.add(action)
    data = action_data(world, outcome, depends_on=[other.pk], version=action.version)
    response = lead_client.post(reverse("actions:action_edit", args=[action.pk]), data)
    assert "That would make a circle" in text(response)
    assert not action.depends_on.exists()


def test_a_second_save_over_someone_elses_change_is_refused(lead_client, world, outcome, action):
    url = reverse("actions:action_edit", args=[action.pk])
    read = action.version
    lead_client.post(url, action_data(world, outcome, title="First change", version=read))
    response = lead_client.post(
        url, action_data(world, outcome, title="Second change", version=read)
    )
    assert response.status_code == 409
    assert "Someone else saved this action while you were editing it" in text(response)
    action.refresh_from_db()
    assert action.title == "First change"


def test_the_smart_check_says_what_is_missing(lead_client, world, action):
    page = text(lead_client.get(action.get_absolute_url()))
    assert "SMART check" in page
    assert "no measure of success" in page


# Partners' updates -----------------------------------------------------------------------


def test_a_partner_posts_an_update_with_evidence_and_sees_it_in_the_history(partner_client, action):
    response = partner_client.post(
        reverse("actions:update_create", args=[action.pk]),
        {
            "status": "on_track",
            "progress": 30,
            "note": "First mediator in post.",
            "evidence_file": SimpleUploadedFile("contract.pdf", b"%PDF-1.7 signed"),
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.progress) == ("on_track", 30)
    page = text(partner_client.get(action.get_absolute_url()))
    assert "First mediator in post." in page and "Download contract.pdf" in page
    update = Update.objects.get()
    download = partner_client.get(reverse("actions:evidence", args=[update.pk]))
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == "application/pdf"


def test_an_evidence_file_is_judged_by_its_content(partner_client, action):
    response = partner_client.post(
        reverse("actions:update_create", args=[action.pk]),
        {
            "status": "on_track",
            "progress": 30,
            "evidence_file": SimpleUploadedFile("report.pdf", b"MZ\x90\x00 a program"),
        },
        follow=True,
    )
    assert "not of a kind we accept" in text(response)
    assert not Update.objects.exists()


def test_from_my_actions_an_update_comes_back_in_place(partner_client, action):
    response = partner_client.post(
        reverse("actions:update_create", args=[action.pk]),
        {"status": "at_risk", "progress": 10, "note": "Recruitment slow."},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Your update is saved" in text(response)
    assert 'id="my-action-' in text(response)
    invalid = partner_client.post(
        reverse("actions:update_create", args=[action.pk]),
        {"status": "at_risk", "progress": 140},
        headers={"HX-Request": "true"},
    )
    assert invalid.status_code == 422
    assert "less than or equal to 100" in text(invalid)
    assert Update.objects.count() == 1


def test_a_partner_of_another_organisation_may_not_update(client, world, action):
    council_partner = MembershipFactory(organisation=world.council, role=Role.PARTNER).user
    client.force_login(council_partner)
    response = client.post(
        reverse("actions:update_create", args=[action.pk]), {"status": "on_track", "progress": 5}
    )
    assert response.status_code == 403
    assert not Update.objects.exists()


def test_completing_needs_evidence_and_lessons_then_a_lead_confirms(client, world, action):
    client.force_login(world.partner)
    url = reverse("actions:update_create", args=[action.pk])
    client.post(url, {"status": "complete", "progress": 100})
    action.refresh_from_db()
    assert action.closure == Action.Closure.OPEN
    client.post(
        url,
        {
            "status": "complete",
            "progress": 100,
            "completion_evidence": "150 tenancies saved.",
            "lessons_learned": "Start recruiting earlier.",
        },
    )
    action.refresh_from_db()
    assert action.closure == Action.Closure.AWAITING
    client.force_login(world.lead)
    client.post(reverse("actions:closure_return", args=[action.pk]), {"reason": "Figures not in."})
    action.refresh_from_db()
    assert (action.closure, action.returned_reason) == (Action.Closure.OPEN, "Figures not in.")
    Action.objects.filter(pk=action.pk).update(closure=Action.Closure.AWAITING)
    client.post(reverse("actions:closure_confirm", args=[action.pk]))
    action.refresh_from_db()
    assert action.closure == Action.Closure.CLOSED


def test_my_actions_lists_my_organisations_actions_soonest_due_first(partner_client, world):
    ActionFactory(
        plan=world.plan, lead_organisation=world.housing, due=date(2027, 6, 1), title="Later one"
    )
    sooner = ActionFactory(
        plan=world.plan,
        lead_organisation=world.council,
        start=date(2025, 6, 1),
        due=date(2026, 1, 1),
        title="Sooner one",
    )
    sooner.supporting_organisations.add(world.housing)
    ActionFactory(plan=world.plan, lead_organisation=world.council, title="Not ours")
    ActionFactory(plan=world.other_plan, title="Another partnership's")
    page = text(partner_client.get(reverse("actions:my_actions")))
    assert page.index("Sooner one") < page.index("Later one")
    assert "Not ours" not in page and "Another partnership's" not in page
    assert "Overdue" in page


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["my_actions", "plan"])
def test_action_lists_keep_their_query_count(partner_client, world, outcome, page):
    url = (
        reverse("actions:my_actions")
        if page == "my_actions"
        else reverse("actions:plan", args=[world.plan.pk])
    )

    def grow(n):
        for _ in range(n):
            made = ActionFactory(plan=world.plan, lead_organisation=world.housing)
            made.outcomes.add(outcome)
            made.supporting_organisations.add(world.council)
            MilestoneFactory(action=made)
            UpdateFactory(action=made, author=world.partner)

    # The page is computed after any change to the plan, and kept until the next one: both
    # cost the same queries whatever the number of actions.
    grow(2)
    _count(partner_client, url)
    grow(1)
    computed, kept = _count(partner_client, url), _count(partner_client, url)
    assert kept < computed
    grow(10)
    assert _count(partner_client, url) == computed
    assert _count(partner_client, url) == kept


def test_the_action_plan_filters_by_status(lead_client, world):
    ActionFactory(plan=world.plan, lead_organisation=world.housing, title="Risky", status="at_risk")
    ActionFactory(plan=world.plan, lead_organisation=world.housing, title="Fine", status="on_track")
    page = text(lead_client.get(reverse("actions:plan", args=[world.plan.pk]) + "?status=at_risk"))
    assert "Risky" in page and "Fine" not in page


def test_a_plan_with_actions_that_are_not_smart_is_agreed_only_with_a_reason(
    lead_client, world, action
):
    data = {"smart_exception_reason": ""}
    url = reverse("improveplan:plan_agree", args=[world.plan.pk])
    refused = lead_client.post(url, data)
    assert f"1 action is not yet SMART ({action.reference})" in text(refused)
    world.plan.refresh_from_db()
    assert world.plan.status == "draft"
    reason = "The board agreed on 20 November; owners are being named this month."
    assert lead_client.post(url, {**data, "smart_exception_reason": reason}).status_code == 302
    world.plan.refresh_from_db()
    assert world.plan.status == "agreed"


def test_the_timeline_shows_the_critical_path(board_client, world, outcome):
    first = ActionFactory(
        plan=world.plan,
        lead_organisation=world.housing,
        title="Recruit",
        start=date(2026, 4, 1),
        due=date(2026, 9, 30),
    )
    second = ActionFactory(
        plan=world.plan,
        lead_organisation=world.housing,
        title="Train",
        start=date(2026, 10, 1),
        due=date(2027, 3, 31),
    )
    second.depends_on.add(first)
    page = text(board_client.get(reverse("actions:timeline", args=[world.plan.pk])))
    assert "<svg" in page and 'role="img"' in page
    assert "critical path" in page.lower()
    assert first.reference in page and second.reference in page


def test_the_golden_thread_leads_from_outcome_to_owner_and_back(board_client, world, action):
    page = text(board_client.get(reverse("actions:golden_thread", args=[world.plan.pk])))
    assert "Fewer households lose their home" in page
    assert action.reference in page and str(world.partner) in page
    orphan = ActionFactory(plan=world.plan, lead_organisation=world.council, title="Orphan")
    page = text(board_client.get(reverse("actions:golden_thread", args=[world.plan.pk])))
    assert "Actions that serve no outcome" in page and orphan.reference in page


def test_the_action_plan_downloads_as_a_workbook_with_open_and_closed_sheets(
    board_client, world, action
):
    import io

    from openpyxl import load_workbook

    ActionFactory(plan=world.plan, lead_organisation=world.council, closure="closed", title="Done")
    response = board_client.get(reverse("actions:export_xlsx", args=[world.plan.pk]))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Open actions", "Closed actions", "Spend", "Money"]
    assert workbook["Closed actions"]["B2"].value == "Done"


def test_my_actions_fetches_an_update_form_only_when_asked(client, world, action):
    client.force_login(world.partner)
    page = text(client.get(reverse("actions:my_actions")))
    assert "Post an update" in page and 'name="progress"' not in page
    form = text(client.get(reverse("actions:update_form", args=[action.pk])))
    assert 'name="progress"' in form and "autofocus" in form
    client.force_login(world.board)
    assert "not post updates" in text(client.get(reverse("actions:update_form", args=[action.pk])))


def test_a_lead_uploads_an_edited_workbook(lead_client, world, action):
    import io

    from openpyxl import load_workbook

    workbook = load_workbook(
        io.BytesIO(lead_client.get(reverse("actions:export_xlsx", args=[world.plan.pk])).content)
    )
    workbook["Open actions"]["B2"] = "Recruit three landlord mediators"
    buffer = io.BytesIO()
    workbook.save(buffer)
    url = reverse("actions:import_xlsx", args=[world.plan.pk])
    response = lead_client.post(url, {"file": SimpleUploadedFile("plan.xlsx", buffer.getvalue())})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.title == "Recruit three landlord mediators"
    bad = lead_client.post(url, {"file": SimpleUploadedFile("plan.xlsx", b"not a workbook")})
    assert "Nothing was saved" in text(bad)


def test_the_smart_check_follows_the_form_as_the_lead_types(lead_client, world, outcome):
    url = reverse("actions:smart_preview", args=[world.plan.pk])
    empty = text(lead_client.get(url, {"title": "Improve things"}))
    assert "Not yet" in empty and "no due date" in empty and "serves no outcome" in empty
    filled = text(lead_client.get(url, action_data(world, outcome)))
    assert "serves no outcome" not in filled and "no due date" not in filled
    assert "no measure of success" not in filled
    other = OutcomeFactory(plan=world.other_plan)
    leak = text(lead_client.get(url, {"outcomes": [other.pk]}))
    assert "serves no outcome" in leak  # another partnership's outcome counts for nothing
    long_one = action_data(world, outcome, start="2026-04-01", due="2028-03-31")
    assert "over a year long with no milestones" in text(lead_client.get(url, long_one))


def test_the_action_plan_says_which_actions_are_not_yet_smart(lead_client, world, action):
    page = text(lead_client.get(reverse("actions:plan", args=[world.plan.pk])))
    assert "SMART?" in page and "Not yet" in page and "no measure of success" in page
