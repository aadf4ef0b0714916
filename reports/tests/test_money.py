"""Money: spend recorded against actions each quarter beside what they commit, and resources
by partner and by outcome (committed, spent, remaining) in the board report and delivery plan."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from actions import money, spending
from actions.models import Action, Allocation, Budget, Contribution, Spend
from actions.tests.factories import ActionFactory
from outcomes.tests.factories import OutcomeFactory
from reports import reports

pytestmark = pytest.mark.django_db

TODAY = date(2026, 8, 14)


def test_the_sums_split_shared_actions_evenly_and_cancelled_ones_commit_nothing():
    table = money.resources_table(
        [
            money.ActionMoney("Council", ("Homes", "Health"), Decimal("100.01"), Decimal("10")),
            money.ActionMoney("Housing", ("Homes",), Decimal("50"), Decimal("0")),
            money.ActionMoney("Housing", (), Decimal("0"), Decimal("7")),  # cancelled, spent
        ],
        outcomes=["Health", "Homes"],
    )
    assert [(r.name, r.committed, r.spent, r.remaining) for r in table.by_partner] == [
        ("Council", Decimal("100.01"), Decimal("10"), Decimal("90.01")),
        ("Housing", Decimal("50"), Decimal("7"), Decimal("43")),
    ]
    rows = {row.name: row for row in table.by_outcome}
    assert list(rows) == ["Health", "Homes", money.NOT_LINKED]
    assert rows["Homes"].committed == Decimal("100.01") and rows["Health"].committed == Decimal(
        "50.00"
    )
    assert sum(row.committed for row in table.by_outcome) == table.total.committed
    assert table.total.remaining == Decimal("133.01")


@pytest.fixture
def funded(world):
    homes = OutcomeFactory(plan=world.plan, statement="Fewer households lose their home")
    fund = ActionFactory(
        plan=world.plan,
        lead_organisation=world.housing,
        owner=world.partner,
        title="Open a rent rescue fund",
        resource_amount=Decimal("12500"),
    )
    fund.outcomes.add(homes)
    stopped = ActionFactory(
        plan=world.plan,
        lead_organisation=world.council,
        title="Stopped",
        resource_amount=Decimal("9000"),
        status=Action.Status.CANCELLED,
    )
    return fund, stopped


@time_machine.travel(TODAY, tick=False)
def test_a_partner_records_a_quarters_spend_and_corrects_it(partner_client, world, funded):
    fund, _ = funded
    url = reverse("actions:spend_record", args=[fund.pk])
    page = partner_client.get(fund.get_absolute_url()).content.decode()
    assert "Record the spend" in page and "Committed: £12,500" in page
    refused = partner_client.post(url, {"quarter": "2026-07-01", "amount": "-5"})
    assert refused.status_code == 422 and not Spend.objects.exists()
    wrong = partner_client.post(url, {"quarter": "1999-01-01", "amount": "5"})
    assert wrong.status_code == 422 and not Spend.objects.exists()
    partner_client.post(url, {"quarter": "2026-07-01", "amount": "3000", "note": "First grants"})
    partner_client.post(url, {"quarter": "2026-07-01", "amount": "3200", "note": "Corrected"})
    spend = Spend.objects.get()
    assert (spend.amount, spend.recorded_by) == (Decimal("3200"), world.partner)
    assert spend.history.count() == 2
    page = partner_client.get(fund.get_absolute_url()).content.decode()
    assert "Spent so far: £3,200" in page


def test_a_board_member_and_an_outsider_may_not_record_spend(board_client, client, world, funded):
    fund, _ = funded
    url = reverse("actions:spend_record", args=[fund.pk])
    assert board_client.post(url, {"quarter": "2026-07-01", "amount": "1"}).status_code == 403
    client.force_login(world.outsider)
    assert client.post(url, {"quarter": "2026-07-01", "amount": "1"}).status_code == 404
    assert not Spend.objects.exists()


def test_the_reports_show_committed_spent_and_remaining(world, funded):
    fund, stopped = funded
    Spend.objects.create(action=fund, quarter=date(2026, 4, 1), amount=Decimal("2000"))
    Spend.objects.create(action=fund, quarter=date(2026, 10, 1), amount=Decimal("1000"))
    Spend.objects.create(action=stopped, quarter=date(2026, 4, 1), amount=Decimal("500"))
    board = reports.board_report_context(world.plan, year=2026, quarter=3, today=TODAY)
    # The board's quarter: spend up to its end, not the quarter after.
    assert board["money"].total.committed == Decimal("12500")
    assert board["money"].total.spent == Decimal("2500")
    html = reports.report_html(world.plan, kind="plan", year=2026, quarter=3, today=TODAY)
    section = html[html.index('id="money-title"') :]
    assert "£12,500 committed, £3,500 spent and £9,000 remaining" in section
    assert "Fewer households lose their home" in section
    assert "Riverside Council" in section  # the cancelled action's spend stays spent
    board_html = reports.report_html(world.plan, kind="board", year=2026, quarter=3, today=TODAY)
    assert "£12,500 committed, £2,500 spent and £10,000 remaining" in board_html


def test_the_demo_records_spend_beside_what_was_committed(demo):
    plan = Action.objects.get(title__startswith="Recruit six stop-smoking advisers").plan
    html = reports.report_html(plan, kind="plan", year=2026, quarter=3, today=date(2026, 10, 5))
    section = html[html.index('id="money-title"') :]
    assert "Riverside Integrated Care Board" in section
    assert "£217,000 spent" in section  # 79,000 + 42,000 + 96,000


def test_the_plan_page_shows_the_money(board_client, world, funded):
    fund, _ = funded
    Spend.objects.create(action=fund, quarter=date(2026, 4, 1), amount=Decimal("2000"))
    page = board_client.get(world.plan.get_absolute_url()).content.decode()
    assert "£12,500 committed, £2,000 spent, £10,500 remaining." in page
    Spend.objects.filter(action=fund).update(amount=Decimal("2500"))
    page = board_client.get(world.plan.get_absolute_url()).content.decode()
    assert "£12,500 committed, £2,500 spent, £10,000 remaining." in page  # not kept stale


def test_the_reports_show_the_pooled_budget_and_money_moved(world, funded):
    """Issue 24: the same figures as the Money page (actions.spending.pool_of), and in the
    board report only the decisions made by the end of its quarter."""
    fund, _ = funded
    homes = fund.outcomes.get()
    warm = OutcomeFactory(plan=world.plan, statement="Warm homes")
    Budget.objects.create(plan=world.plan, amount=Decimal("20000"))
    Contribution.objects.create(plan=world.plan, organisation=world.council, amount=20000)
    Allocation.objects.create(plan=world.plan, outcome=homes, amount=Decimal("15000"))
    with time_machine.travel(TODAY, tick=False):
        spending.move_money(
            plan=world.plan,
            from_outcome=homes,
            to_outcome=warm,
            amount=Decimal("1000"),
            reason="Warm homes need it more.",
            by=world.lead,
        )
    pool = spending.pool_of(world.plan, spending.plan_resources(world.plan))
    assert (pool.allocated, pool.unallocated) == (Decimal("15000"), Decimal("5000"))
    for kind in ("board", "plan"):
        html = reports.report_html(world.plan, kind=kind, year=2026, quarter=3, today=TODAY)
        section = html[html.index('id="pooled-budget-title"') :]
        assert "The partners' pooled budget is £20,000" in section
        assert "£15,000 is allocated to outcomes and £5,000 is not yet allocated" in section
        assert "Warm homes need it more." in html[html.index('id="money-moves-title"') :]
    earlier = reports.report_html(world.plan, kind="board", year=2026, quarter=1, today=TODAY)
    assert "Warm homes need it more." not in earlier
    assert "No money has been moved between outcomes." in earlier


def test_a_kept_report_is_rendered_anew_when_the_money_changes(world, funded):
    """Reports are kept under a fingerprint of the plan's rows: a change to the pooled budget,
    an allocation or a move gives a new one, so no report shows stale money."""
    from reports import stored

    fund, _ = funded
    budget = Budget.objects.create(plan=world.plan, amount=Decimal("20000"))

    def key() -> str:
        return stored.fingerprint(world.plan, kind="board", year=2026, quarter=3, today=TODAY)

    before = key()
    budget.amount = Decimal("21000")
    budget.save()
    after_budget = key()
    Allocation.objects.create(plan=world.plan, outcome=fund.outcomes.get(), amount=1)
    assert len({before, after_budget, key()}) == 3
