"""Issue 24's money: a plan's pooled budget and each partner's contribution, allocations to
outcomes beside what actions commit and spend, and money moved between outcomes recorded as a
decision; on the Money page, in its history, the workbook, the board report and delivery plan."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from actions import money, spending
from actions.models import Action, Allocation, Budget, Contribution, MoneyMove, Spend
from actions.spreadsheets import MONEY_SHEET, SPEND_SHEET, write_xlsx
from actions.tests.factories import ActionFactory
from improveplan.limits import NOTE
from improveplan.tests.factories import OrganisationFactory
from outcomes.tests.factories import OutcomeFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 8, 14)


@pytest.fixture
def funded(world):
    """Two outcomes, a pooled budget of £10,000, allocations of £6,000 and £3,000, and a
    live action (£4,000, £1,500 spent) and a cancelled one (£2,000) under the first."""
    homes = OutcomeFactory(
        plan=world.plan, statement="Fewer households lose their home", priority=1
    )
    health = OutcomeFactory(plan=world.plan, statement="Fewer adults smoke", priority=2)
    Budget.objects.create(plan=world.plan, amount=Decimal("10000"))
    Contribution.objects.create(plan=world.plan, organisation=world.council, amount=Decimal("7000"))
    Contribution.objects.create(
        plan=world.plan,
        organisation=world.housing,
        amount=Decimal("1000"),
        kind=Contribution.Kind.IN_KIND,
        note="A caseworker's time",
    )
    Allocation.objects.create(plan=world.plan, outcome=homes, amount=Decimal("6000"))
    Allocation.objects.create(plan=world.plan, outcome=health, amount=Decimal("3000"))
    fund = ActionFactory(
        plan=world.plan,
        lead_organisation=world.housing,
        title="Open a rent rescue fund",
        resource_amount=Decimal("4000"),
    )
    fund.outcomes.add(homes)
    stopped = ActionFactory(
        plan=world.plan,
        lead_organisation=world.council,
        title="Stopped",
        resource_amount=Decimal("2000"),
        status=Action.Status.CANCELLED,
    )
    stopped.outcomes.add(homes)
    Spend.objects.create(action=fund, quarter=date(2026, 4, 1), amount=Decimal("1500"))
    return homes, health


def test_the_pool_sums_allocations_beside_committed_and_spent():
    table = money.resources_table(
        [money.ActionMoney("Council", ("Homes",), Decimal("4000"), Decimal("1500"))],
        outcomes=["Homes", "Health"],
    )
    pool = money.pool(
        Decimal("10000"),
        [money.Given("Council", "Cash", Decimal("7000")), money.Given("Police", "In kind", 500)],
        {"Homes": Decimal("6000"), "Health": Decimal("3000")},
        table,
    )
    homes, health = pool.by_outcome
    assert (homes.allocated, homes.committed, homes.uncommitted, homes.remaining) == (
        Decimal("6000"),
        Decimal("4000"),
        Decimal("2000"),
        Decimal("4500"),
    )
    assert health.committed == 0 and health.remaining == Decimal("3000")
    assert (pool.allocated, pool.unallocated) == (Decimal("9000"), Decimal("1000"))
    assert (pool.contributed, pool.cash, pool.in_kind) == (Decimal("7500"), 7000, 500)
    assert pool.not_pledged == Decimal("2500")
    assert money.allocation_problem(None, 0, Decimal("1"))
    assert money.allocation_problem(Decimal("100"), Decimal("60"), Decimal("40")) == ""
    assert "leaves £40" in money.allocation_problem(Decimal("100"), Decimal("60"), Decimal("41"))


def test_the_money_page_shows_budget_contributions_allocations_and_the_rest(
    board_client, world, funded
):
    page = board_client.get(reverse("actions:money", args=[world.plan.pk])).content.decode()
    assert page.count("<h1") == 1
    assert "The partners' pooled budget is £10,000" in page
    assert "They have pledged £8,000 to it (£7,000 in cash, £1,000 in kind)" in page
    assert "so £2,000 of the budget has no partner behind it yet" in page
    assert "£9,000 is allocated to outcomes and £1,000 is not yet allocated" in page
    assert "A caseworker&#x27;s time" in page or "A caseworker's time" in page
    # The cancelled action commits nothing: homes has £4,000 committed of its £6,000.
    row = page[page.index('<th scope="row">Fewer households lose their home</th>') :]
    row = row[: row.index("</tr>")]
    assert [cell.split(">")[-1] for cell in row.split("</td>")[:-1]] == [
        "£6,000",
        "£4,000",
        "£2,000",
        "£1,500",
        "£4,500",
    ]
    # A board member reads it, with no buttons to change it.
    assert "Set the pooled budget" not in page and "Change the pooled budget" not in page


def test_a_lead_sets_the_budget_and_adds_a_contribution_and_an_allocation(lead_client, world):
    outcome = OutcomeFactory(plan=world.plan, statement="Warm homes")
    url = reverse("actions:budget_edit", args=[world.plan.pk])
    assert lead_client.post(url, {"amount": "-1"}).status_code == 200
    assert not Budget.objects.exists()
    response = lead_client.post(url, {"amount": "5000", "note": "Agreed in March"})
    assert response.status_code == 302
    assert Budget.objects.get().amount == Decimal("5000")
    added = lead_client.post(
        reverse("actions:contribution_create", args=[world.plan.pk]),
        {"organisation": world.housing.pk, "amount": "2500", "kind": "in_kind", "note": "Rooms"},
    )
    assert added.status_code == 302
    assert Contribution.objects.get().get_kind_display() == "In kind"
    allocate = reverse("actions:allocation_create", args=[world.plan.pk])
    over = lead_client.post(allocate, {"outcome": outcome.pk, "amount": "5000.01"})
    assert "more than the pooled budget has left" in over.content.decode()
    assert not Allocation.objects.exists()
    assert lead_client.post(allocate, {"outcome": outcome.pk, "amount": "5000"}).status_code == 302
    # The budget cannot now fall below what is allocated.
    refused = lead_client.post(url, {"amount": "4000"})
    assert "already allocated to outcomes" in refused.content.decode()
    assert Budget.objects.get().amount == Decimal("5000")


def test_bad_input_changes_nothing(lead_client, world, funded):
    homes, _health = funded
    add = reverse("actions:contribution_create", args=[world.plan.pk])
    for data in (
        {"organisation": world.housing.pk, "amount": "-5", "kind": "cash"},
        {"organisation": world.housing.pk, "amount": "5", "kind": "cash", "note": "x" * 301},
        {"organisation": world.other_organisation.pk, "amount": "5", "kind": "cash"},
        {"organisation": world.council.pk, "amount": "5", "kind": "cash"},  # has one in cash
    ):
        response = lead_client.post(add, data)
        assert response.status_code == 200, data
    assert Contribution.objects.count() == 2
    page = lead_client.post(add, {"organisation": world.council.pk, "amount": "5", "kind": "cash"})
    assert "already has a contribution in cash" in page.content.decode()
    allocate = reverse("actions:allocation_create", args=[world.plan.pk])
    taken = lead_client.post(allocate, {"outcome": homes.pk, "amount": "1"})
    assert "no allocation yet" in taken.content.decode()
    edit = reverse("actions:allocation_edit", args=[homes.allocation.pk])
    over = lead_client.post(edit, {"outcome": homes.pk, "amount": "7000.01"})
    assert "leaves £7,000" in over.content.decode()
    assert lead_client.post(edit, {"outcome": homes.pk, "amount": "-1"}).status_code == 200
    assert Allocation.objects.get(outcome=homes).amount == Decimal("6000")


def test_money_moves_between_outcomes_as_one_recorded_decision(lead_client, world, funded):
    homes, health = funded
    url = reverse("actions:money_move", args=[world.plan.pk])
    data = {
        "from_outcome": homes.pk,
        "to_outcome": health.pk,
        "amount": "2500",
        "reason": "The fund needs less than allowed for.",
    }
    response = lead_client.post(url, {**data, "form_token": "a" * 32})
    assert response.status_code == 302
    amounts = dict(Allocation.objects.values_list("outcome__statement", "amount"))
    assert amounts == {homes.statement: Decimal("3500"), health.statement: Decimal("5500")}
    move = MoneyMove.objects.get()
    assert (move.decided_by, move.amount, move.from_name) == (world.lead, 2500, homes.statement)
    # Sent again (a double click): saved once.
    again = lead_client.post(url, {**data, "form_token": "a" * 32})
    assert again.status_code == 409 and MoneyMove.objects.count() == 1
    page = lead_client.get(reverse("actions:money", args=[world.plan.pk])).content.decode()
    record = page[page.index('id="money-moves"') :]
    today = timezone.localdate()
    assert f"{today.day} {today:%B %Y}" in record and "£2,500" in record
    assert "The fund needs less than allowed for." in record and "Lena Lead" in record


def test_a_move_of_more_than_allocated_or_wrongly_made_changes_nothing(lead_client, world, funded):
    homes, health = funded
    url = reverse("actions:money_move", args=[world.plan.pk])
    base = {"from_outcome": homes.pk, "to_outcome": health.pk, "reason": "Why"}
    too_much = lead_client.post(url, {**base, "amount": "6000.01"})
    assert "At most £6,000 can be moved from" in too_much.content.decode()
    for data in (
        {**base, "amount": "-10"},
        {**base, "amount": "0"},
        {**base, "amount": "10", "to_outcome": homes.pk},
        {**base, "amount": "10", "reason": "x" * (NOTE + 1)},
        {**base, "amount": "10", "reason": ""},
    ):
        assert lead_client.post(url, data).status_code == 200, data
    assert not MoneyMove.objects.exists()
    assert Allocation.objects.get(outcome=homes).amount == Decimal("6000")


def test_a_move_that_fails_half_way_leaves_both_allocations(world, funded):
    homes, health = funded
    with (
        mock.patch.object(MoneyMove.objects, "create", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        spending.move_money(
            plan=world.plan,
            from_outcome=homes,
            to_outcome=health,
            amount=Decimal("100"),
            reason="Test",
            by=world.lead,
        )
    amounts = dict(Allocation.objects.values_list("outcome__statement", "amount"))
    assert amounts == {homes.statement: Decimal("6000"), health.statement: Decimal("3000")}


def test_partners_board_and_outsiders_may_not_change_the_money(client, world, funded):
    homes, health = funded
    posts = {
        reverse("actions:budget_edit", args=[world.plan.pk]): {"amount": "1"},
        reverse("actions:money_move", args=[world.plan.pk]): {
            "from_outcome": homes.pk,
            "to_outcome": health.pk,
            "amount": "1",
            "reason": "Why",
        },
        reverse("actions:contribution_create", args=[world.plan.pk]): {
            "organisation": world.housing.pk,
            "amount": "1",
            "kind": "cash",
        },
        reverse("actions:allocation_edit", args=[homes.allocation.pk]): {
            "outcome": homes.pk,
            "amount": "1",
        },
    }
    for user, status in ((world.partner, 403), (world.board, 403), (world.outsider, 404)):
        client.force_login(user)
        for url, data in posts.items():
            assert client.post(url, data).status_code == status, (user, url)
    assert client.get(reverse("actions:money", args=[world.plan.pk])).status_code == 404
    assert Budget.objects.get().amount == Decimal("10000")
    assert not MoneyMove.objects.exists()
    assert Allocation.objects.get(outcome=homes).amount == Decimal("6000")


def test_the_history_of_changes_keeps_every_change_to_the_money(lead_client, world, funded):
    homes, health = funded
    lead_client.post(
        reverse("actions:budget_edit", args=[world.plan.pk]), {"amount": "12000", "note": ""}
    )
    lead_client.post(
        reverse("actions:money_move", args=[world.plan.pk]),
        {"from_outcome": homes.pk, "to_outcome": health.pk, "amount": "500", "reason": "Why"},
    )
    page = lead_client.get(reverse("actions:money_history", args=[world.plan.pk]))
    text = page.content.decode()
    assert "Changed: pooled budget of the plan" in text
    assert "12000" in text and "10000" in text
    assert f"Changed: allocation to “{homes.statement}”" in text
    assert f"Added: money moved from “{homes.statement}” to “{health.statement}”" in text
    assert "Added: contribution of Riverside Council" in text
    assert "By Lena Lead" in text


def test_the_workbook_gives_the_pages_figures(world, funded):
    homes, health = funded
    with time_machine.travel(TODAY, tick=False):
        spending.move_money(
            plan=world.plan,
            from_outcome=homes,
            to_outcome=health,
            amount=Decimal("1000"),
            reason="Smoking needs it more.",
            by=world.lead,
        )
    pool = spending.pool_of(world.plan, spending.plan_resources(world.plan))
    out = io.BytesIO()
    write_xlsx(world.plan, out)
    workbook = load_workbook(io.BytesIO(out.getvalue()))
    spend_rows = list(workbook[SPEND_SHEET].values)
    assert spend_rows[1][:2] == (
        Action.objects.get(title__startswith="Open").reference,
        "Open a rent rescue fund",
    )
    assert spend_rows[1][3] == 1500 and spend_rows[1][4] == 4000
    cells = list(workbook[MONEY_SHEET].values)
    by_name = {row[0]: row for row in cells if row and row[0]}
    allocations = cells[cells.index(("Allocations to outcomes",) + (None,) * 5) :]
    allocated = {row[0]: row for row in allocations[:5] if row}
    assert by_name["Pooled budget"][1] in (None, 10000)  # the heading row, then the figure
    assert allocated[homes.statement][1:6] == (5000, 4000, 1000, 1500, 3500)
    assert allocated["Total"][1] == pool.allocated == 9000
    assert by_name["Not allocated to an outcome"][1] == pool.unallocated == 1000
    assert [row[0] for row in cells if row and row[1] == "Cash or in kind"] == ["Partner"]


def test_the_plan_page_shows_a_change_to_the_money_at_once(board_client, world, funded):
    page = board_client.get(world.plan.get_absolute_url()).content.decode()
    assert "£4,000 committed, £1,500 spent" in page
    assert reverse("actions:money", args=[world.plan.pk]) in page
    Spend.objects.filter(action__plan=world.plan).update(amount=Decimal("1750"))
    page = board_client.get(world.plan.get_absolute_url()).content.decode()
    assert "£4,000 committed, £1,750 spent" in page
    assert "Pooled budget £10,000: £9,000 allocated to outcomes, £1,000 not yet allocated." in page
    Budget.objects.filter(plan=world.plan).update(amount=Decimal("12000"))
    page = board_client.get(world.plan.get_absolute_url()).content.decode()
    assert "Pooled budget £12,000: £9,000 allocated to outcomes, £3,000 not yet allocated." in page


def test_the_demo_has_a_pooled_budget_allocations_and_a_decision(demo):
    move = MoneyMove.objects.get()
    plan = move.plan
    assert plan.budget.amount == Decimal("3500000")
    pool = spending.pool_of(plan, spending.plan_resources(plan))
    assert pool.contributed == pool.budget
    assert pool.in_kind == Decimal("200000")
    assert pool.unallocated == Decimal("150000")
    assert {row.name: row.allocated for row in pool.by_outcome}["Fewer adults smoke"] == 620000
    assert move.decided_by.email == "lead@demo.improveplan.test"


def test_a_lead_sees_the_buttons_until_the_plan_is_archived(lead_client, world, funded):
    url = reverse("actions:money", args=[world.plan.pk])
    page = lead_client.get(url).content.decode()
    assert "Change the pooled budget" in page and "Move money between outcomes" in page
    world.plan.status = "archived"
    world.plan.save()
    page = lead_client.get(url).content.decode()
    assert "Change the pooled budget" not in page and "contributions/" not in page
    response = lead_client.post(
        reverse("actions:budget_edit", args=[world.plan.pk]), {"amount": "1"}
    )
    assert response.status_code == 403
    assert Budget.objects.get().amount == Decimal("10000")


def test_the_money_page_costs_the_same_queries_however_much_it_lists(lead_client, world, funded):
    homes, _health = funded
    url = reverse("actions:money", args=[world.plan.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert lead_client.get(url).status_code == 200
        return len(captured)

    queries()  # the first request of a session does more (its session, the menus)
    few = queries()
    for number in range(5):
        outcome = OutcomeFactory(plan=world.plan, statement=f"Outcome {number}")
        Allocation.objects.create(plan=world.plan, outcome=outcome, amount=1)
        spending.move_money(
            plan=world.plan,
            from_outcome=homes,
            to_outcome=outcome,
            amount=Decimal(1),
            reason="Why",
            by=world.lead,
        )
        ActionFactory(plan=world.plan, lead_organisation=world.council).outcomes.add(outcome)
        Contribution.objects.create(
            plan=world.plan,
            organisation=OrganisationFactory(partnership=world.partnership),
            amount=number,
        )
    assert queries() == few
