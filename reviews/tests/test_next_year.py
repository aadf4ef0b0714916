"""Next year's plan (issue 24): a plan copied forward into a new period, and a plan started
from one of the partnership's templates."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from actions.models import Action, Criterion
from actions.tests.factories import ActionFactory, CriterionFactory
from improveplan.models import Plan, User
from improveplan.tests.factories import PlanFactory
from outcomes.models import Indicator, Outcome, Reading, Target
from outcomes.readings_io import import_readings, write_readings_csv
from outcomes.tests.factories import (
    IndicatorFactory,
    OutcomeFactory,
    ReadingFactory,
    TargetFactory,
)
from reviews import next_year
from reviews.tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 6)
TOKEN = "0123456789abcdef0123456789abcdef"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def last_year(world):
    """The plan for 2025/26, with an outcome, an indicator with readings and a target, and
    actions in every state."""
    plan = world.plan
    plan.title = "Healthier Riverside 2025/26"
    plan.period_start, plan.period_end = date(2025, 4, 1), date(2026, 3, 31)
    plan.save()
    outcome = OutcomeFactory(plan=plan, statement="Fewer adults smoke", priority=1)
    indicator = IndicatorFactory(
        outcome=outcome, owner=world.council, code="SMK", name="Adults who smoke"
    )
    for year, value in [(2023, "21.5"), (2024, "21.2"), (2025, "20.0")]:
        ReadingFactory(indicator=indicator, period=date(year, 3, 31), value=Decimal(value))
    TargetFactory(
        indicator=indicator,
        baseline_value=Decimal("21.5"),
        baseline_date=date(2023, 3, 31),
        target_value=Decimal("18.0"),
        target_date=date(2026, 3, 31),
    )
    CriterionFactory(plan=plan, name="Reach", weight=5)

    def action(title, **fields):
        made = ActionFactory(
            plan=plan,
            title=title,
            lead_organisation=world.housing,
            success_indicator=indicator,
            **fields,
        )
        made.outcomes.add(outcome)
        return made

    world.open_action = action("Open four evening clinics", status=Action.Status.ON_TRACK)
    world.not_started = action("Train pharmacists")
    world.complete = action("Print the leaflets", status=Action.Status.COMPLETE)
    world.cancelled = action("Hire a van", status=Action.Status.CANCELLED)
    world.closed = action(
        "Run the spring campaign",
        status=Action.Status.COMPLETE,
        closure=Action.Closure.CLOSED,
        lessons_learned="Evening sessions reached twice as many people as daytime ones.",
    )
    ReviewFactory(plan=plan, lessons_learned="Ask the pharmacies before the winter.")
    world.outcome, world.indicator = outcome, indicator
    return plan


def copy_forward(client, plan, **fields):
    data = {
        "title": "Healthier Riverside 2026/27",
        "period_start": "2026-04-01",
        "period_end": "2027-03-31",
        "form_token": TOKEN,
        **fields,
    }
    return client.post(reverse("reviews:plan_carry_forward", args=[plan.pk]), data)


def new_plan(world) -> Plan:
    return Plan.objects.get(carried_from=world.plan)


def test_the_form_offers_the_next_period_of_the_same_length(lead_client, last_year):
    page = lead_client.get(reverse("reviews:plan_carry_forward", args=[last_year.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert 'value="Healthier Riverside 2026/27"' in text
    assert 'value="2026-04-01"' in text and 'value="2027-03-31"' in text
    assert "Open four evening clinics" in text  # carried on
    assert "Run the spring campaign" not in text  # closed: it stays


def test_copying_forward_copies_outcomes_and_indicators_that_read_the_same_readings(
    lead_client, world, last_year
):
    response = copy_forward(lead_client, last_year)

    plan = new_plan(world)
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    assert plan.title == "Healthier Riverside 2026/27"
    assert plan.period_start == date(2026, 4, 1) and plan.status == Plan.Status.DRAFT
    assert list(plan.outcomes.values_list("statement", flat=True)) == ["Fewer adults smoke"]
    [indicator] = plan.indicators.all()
    assert (indicator.code, indicator.continues, indicator.series_start) == (
        "SMK",
        world.indicator,
        world.indicator,
    )
    assert indicator.outcome.plan == plan
    # The same readings, not copies: no reading was made.
    assert Reading.objects.count() == 3
    assert not indicator.readings.exists()
    page = lead_client.get(indicator.get_absolute_url()).content.decode()
    assert "20.0%" in page and "21.5%" in page
    assert f"Entered in {last_year}" in page
    # The walk counts them too: Step 1 does not ask for readings the indicator has.
    still = lead_client.get(reverse("methods:still_to_do", args=[plan.pk])).content.decode()
    assert "has no readings" not in still and "no readings yet" not in still.lower()
    assert Criterion.objects.filter(plan=plan, name="Reach", weight=5).exists()


def test_a_reading_added_after_copying_shows_in_both_plans(lead_client, world, last_year):
    copy_forward(lead_client, last_year)
    plan = new_plan(world)
    [indicator] = plan.indicators.all()
    # Both dashboards once, so that what they show is kept.
    for shown in (plan, last_year, world.outcome, indicator.outcome):
        lead_client.get(shown.get_absolute_url())

    response = lead_client.post(
        reverse("outcomes:reading_create", args=[indicator.pk]),
        {"period": "2026-03-31", "value": "17.3"},
    )
    assert response.status_code == 302

    for shown in (indicator, world.indicator):
        assert "17.3%" in lead_client.get(shown.get_absolute_url()).content.decode()
    for shown in (plan, last_year, world.outcome, indicator.outcome):
        assert "17.3%" in lead_client.get(shown.get_absolute_url()).content.decode()
    # A reading entered in last year's plan shows in next year's too.
    ReadingFactory(indicator=world.indicator, period=date(2022, 3, 31), value=Decimal("22.4"))
    assert "22.4%" in lead_client.get(indicator.get_absolute_url()).content.decode()


def test_who_is_up_to_date_counts_a_reading_entered_in_the_plan_before(
    lead_client, world, last_year
):
    copy_forward(lead_client, last_year)
    plan = new_plan(world)
    url = reverse("reviews:up_to_date", args=[plan.pk])
    assert "Reading missing:" in lead_client.get(url).content.decode()

    # Last quarter's reading, entered in last year's plan, is the same reading in this one.
    ReadingFactory(indicator=world.indicator, period=date(2026, 9, 30), value=Decimal("19"))

    page = lead_client.get(url).content.decode()
    assert "Reading missing:" not in page and "Reading in:" in page


def test_the_export_and_import_of_next_years_plan_use_the_same_readings(world, last_year):
    client = Client()
    client.force_login(world.lead)
    copy_forward(client, last_year)
    client_plan = new_plan(world)

    out = io.StringIO()
    assert write_readings_csv(client_plan, out) == 3
    assert "SMK,2025-03-31,20," in out.getvalue()  # last year's reading, under its code

    # The same period imported into next year's plan changes the shared reading.
    result = import_readings(
        plan=client_plan,
        rows=[{"indicator": "SMK", "period": "2025-03-31", "value": "19.8"}],
        user=world.lead,
        membership=world.membership(world.lead),
    )
    assert (result.created, result.updated) == (0, 1)
    assert Reading.objects.count() == 3
    assert Reading.objects.get(indicator=world.indicator, period=date(2025, 3, 31)).value == (
        Decimal("19.8")
    )


def test_targets_roll_on_with_the_latest_reading_as_baseline(lead_client, world, last_year):
    copy_forward(lead_client, last_year)

    target = Target.objects.get(indicator__plan=new_plan(world))
    assert target.target_date == date(2027, 3, 31)  # a year on
    assert target.target_value == Decimal("18.0")  # kept
    assert (target.baseline_date, target.baseline_value) == (date(2025, 3, 31), Decimal("20"))
    # Last year's target is as it was.
    old = Target.objects.get(indicator=world.indicator)
    assert old.target_date == date(2026, 3, 31) and old.baseline_value == Decimal("21.5")


def test_open_actions_are_carried_with_links_both_ways_and_closed_ones_stay(
    lead_client, world, last_year
):
    copy_forward(lead_client, last_year)
    plan = new_plan(world)

    carried = {action.continues: action for action in plan.actions.all()}
    assert set(carried) == {world.open_action, world.not_started}
    later = carried[world.open_action]
    assert later.reference == "A-01" and later.status == Action.Status.ON_TRACK
    assert [outcome.plan for outcome in later.outcomes.all()] == [plan]
    assert later.success_indicator.plan == plan
    # Finished, closed and cancelled actions stay with last year's plan, as they were.
    assert Action.objects.filter(plan=last_year).count() == 5
    page = lead_client.get(later.get_absolute_url()).content.decode()
    assert "Carries on" in page and world.open_action.get_absolute_url() in page
    page = lead_client.get(world.open_action.get_absolute_url()).content.decode()
    assert "Carried on in" in page and later.get_absolute_url() in page


def test_last_years_lessons_are_listed_on_the_new_plan(lead_client, world, last_year):
    copy_forward(lead_client, last_year)

    page = lead_client.get(new_plan(world).get_absolute_url()).content.decode()
    assert "Evening sessions reached twice as many people as daytime ones." in page
    assert "Ask the pharmacies before the winter." in page
    assert f'copied forward from <a href="{last_year.get_absolute_url()}">' in page
    old = lead_client.get(last_year.get_absolute_url()).content.decode()
    assert "has been copied forward into" in old


def test_a_double_submit_makes_one_plan(lead_client, world, last_year):
    copy_forward(lead_client, last_year)
    again = copy_forward(lead_client, last_year)

    assert again.status_code == 409
    assert Plan.objects.filter(carried_from=last_year).count() == 1
    # Sent afresh (another token), it is refused with a reason.
    refused = copy_forward(lead_client, last_year, form_token="f" * 32)
    assert refused.status_code == 200
    assert "has already been copied forward" in refused.content.decode()
    assert Plan.objects.filter(partnership=world.partnership).count() == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"period_end": "2026-03-01"}, "The period must end after it starts."),
        ({"period_start": "2025-01-01", "period_end": "2025-12-31"}, "must start after"),
        ({"title": "Two\nlines"}, "Keep this to one line"),
        ({"title": "x" * 201}, "at most 200 characters"),
        ({"period_start": "not a day"}, "Enter a valid date."),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(lead_client, world, last_year, fields, message):
    before = (Plan.objects.count(), Action.objects.count(), Indicator.objects.count())

    response = copy_forward(lead_client, last_year, **fields)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert (Plan.objects.count(), Action.objects.count(), Indicator.objects.count()) == before


def test_an_archived_plan_may_be_copied_forward_and_stays_as_it_was(lead_client, world, last_year):
    last_year.status = Plan.Status.ARCHIVED
    last_year.save()

    copy_forward(lead_client, last_year)

    assert new_plan(world).status == Plan.Status.DRAFT
    last_year.refresh_from_db()
    assert last_year.status == Plan.Status.ARCHIVED


def test_only_a_lead_may_copy_forward(client, world, last_year):
    for user, status in [(world.outsider, 404), (world.partner, 403), (world.board, 403)]:
        client.force_login(user)
        assert copy_forward(client, last_year).status_code == status
        url = reverse("reviews:plan_carry_forward", args=[last_year.pk])
        assert client.get(url).status_code == status
    assert not Plan.objects.filter(carried_from=last_year).exists()


# Templates ------------------------------------------------------------------------------


def test_a_lead_marks_a_template_and_starts_a_plan_from_it(lead_client, world, last_year):
    response = lead_client.post(
        reverse("reviews:plan_template", args=[last_year.pk]), {"template": "on"}
    )
    assert response.status_code == 302
    last_year.refresh_from_db()
    assert last_year.is_template

    form = lead_client.get(reverse("reviews:plan_from_template", args=[world.partnership.pk]))
    assert last_year.title in form.content.decode()
    response = lead_client.post(
        reverse("reviews:plan_from_template", args=[world.partnership.pk]),
        {
            "template": last_year.pk,
            "title": "Healthier Northside",
            "period_start": "2027-04-01",
            "period_end": "2030-03-31",
            "form_token": TOKEN,
        },
    )

    plan = Plan.objects.get(title="Healthier Northside")
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    assert plan.started_from == last_year and plan.carried_from is None
    assert list(plan.outcomes.values_list("statement", flat=True)) == ["Fewer adults smoke"]
    [indicator] = plan.indicators.all()
    assert indicator.code == "SMK" and indicator.continues is None
    assert indicator.series_start is None
    assert not indicator.series_readings().exists()  # no readings
    assert not Target.objects.filter(indicator=indicator).exists()
    assert not plan.actions.exists()
    assert plan.criteria.filter(name="Reach").exists()
    page = lead_client.get(plan.get_absolute_url()).content.decode()
    assert "started from the template" in page


def test_templates_never_leak_to_another_partnership(client, world, last_year):
    last_year.is_template = True
    last_year.save()
    theirs = PlanFactory(partnership=world.other_partnership, title="Hillside template")
    theirs.is_template = True
    theirs.save()
    OutcomeFactory(plan=theirs, statement="Secret outcome")

    client.force_login(world.lead)
    form = client.get(reverse("reviews:plan_from_template", args=[world.partnership.pk]))
    assert "Hillside template" not in form.content.decode()
    response = client.post(
        reverse("reviews:plan_from_template", args=[world.partnership.pk]),
        {
            "template": theirs.pk,
            "title": "Stolen",
            "period_start": "2027-04-01",
            "period_end": "2028-03-31",
            "form_token": TOKEN,
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Plan.objects.filter(title="Stolen").exists()
    assert not Outcome.objects.filter(statement="Secret outcome").exclude(plan=theirs).exists()
    # Nor may its lead start one in ours.
    client.force_login(world.outsider)
    url = reverse("reviews:plan_from_template", args=[world.partnership.pk])
    assert client.get(url).status_code == 404


def test_a_plan_not_a_template_cannot_start_a_plan(lead_client, world, last_year):
    response = lead_client.post(
        reverse("reviews:plan_from_template", args=[world.partnership.pk]),
        {
            "template": last_year.pk,
            "title": "Not from a template",
            "period_start": "2027-04-01",
            "period_end": "2028-03-31",
        },
    )
    assert response.status_code == 200
    assert not Plan.objects.filter(title="Not from a template").exists()


def test_partners_and_board_may_not_mark_templates(client, world, last_year):
    for user, status in [(world.outsider, 404), (world.partner, 403), (world.board, 403)]:
        client.force_login(user)
        url = reverse("reviews:plan_template", args=[last_year.pk])
        assert client.post(url, {"template": "on"}).status_code == status
    last_year.refresh_from_db()
    assert not last_year.is_template


# The plan's history of changes -------------------------------------------------------------


def test_the_plans_own_changes_are_in_its_history(lead_client, world, last_year):
    lead_client.post(
        reverse("improveplan:plan_edit", args=[last_year.pk]),
        {
            "title": last_year.title,
            "period_start": "2025-04-01",
            "period_end": "2026-03-31",
            "method": last_year.method,
            "outcome_limit": 7,
            "indicator_limit": 5,
            "trend_minimum_points": 5,
            "scope": "Adults in the three northern wards.",
            "manager": world.lead.pk,
        },
    )

    page = lead_client.get(reverse("improveplan:plan_history", args=[last_year.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Adults in the three northern wards." in text
    assert "Lena Lead" in text
    assert (
        reverse("improveplan:plan_history", args=[last_year.pk])
        in lead_client.get(last_year.get_absolute_url()).content.decode()
    )


# The demo ---------------------------------------------------------------------------------


def test_the_demo_plan_was_copied_forward_and_the_partnership_has_a_template(client, demo):
    from improveplan.management.commands.seed_demo import PEOPLE
    from improveplan.management.commands.seed_demo import PLAN as MAIN

    client.force_login(User.objects.get(email=PEOPLE[0][0]))
    plan = Plan.objects.get(title=MAIN["title"])
    earlier = plan.carried_from
    assert earlier is not None and earlier.status == Plan.Status.ARCHIVED
    page = client.get(plan.get_absolute_url()).content.decode()
    assert f'copied forward from <a href="{earlier.get_absolute_url()}">' in page
    assert "People booked when the receptionist offered the next clinic" in page  # a lesson
    # The smoking indicator reads the same readings in both plans.
    indicator = plan.indicators.get(code="SM-01")
    earlier_indicator = earlier.indicators.get(code="SMK")
    assert indicator.continues == earlier_indicator
    assert earlier_indicator.series_readings().count() == indicator.readings.count() > 0
    # The carried action links back.
    carried = plan.actions.get(continues__isnull=False)
    assert carried.continues.plan == earlier
    assert "Carries on" in client.get(carried.get_absolute_url()).content.decode()
    # One template, offered when starting a plan.
    [template] = Plan.objects.filter(partnership=plan.partnership, is_template=True)
    form = client.get(reverse("reviews:plan_from_template", args=[plan.partnership_id]))
    assert template.title in form.content.decode()


def test_a_partnership_with_next_years_plan_moves_whole(world, last_year, tmp_path):
    from improveplan.tests.test_portability import export, forget, import_file, snapshot

    plan, _ = next_year.plan_carry_forward(
        plan=last_year,
        title="Healthier Riverside 2026/27",
        period_start=date(2026, 4, 1),
        period_end=date(2027, 3, 31),
    )
    before = snapshot(world.partnership.pk)
    export(world.partnership, tmp_path / "riverside.zip")
    forget(world.partnership)

    import_file(tmp_path / "riverside.zip")

    assert snapshot(world.partnership.pk) == before
    plan = Plan.objects.get(pk=plan.pk)
    assert plan.carried_from_id == last_year.pk
    assert plan.indicators.get().continues_id == world.indicator.pk
    assert {action.continues_id for action in plan.actions.all()} == {
        world.open_action.pk,
        world.not_started.pk,
    }
