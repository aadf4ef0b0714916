"""The history of changes: every save, delete and bulk write to outcomes, indicators, targets,
readings, actions and milestones leaves an entry saying who, when and what."""

from __future__ import annotations

import html
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions import services
from actions.models import Action, ExpectedEffect, Milestone, Scenario
from actions.tests.factories import ActionFactory, MilestoneFactory
from actions.tests.test_spreadsheets import add_row, edit, exported, import_it
from improveplan.history import history_of
from outcomes.models import ExternalFactor, Indicator, Outcome, Reading, Target
from outcomes.readings_io import import_readings
from outcomes.tests.factories import (
    IndicatorFactory,
    OutcomeFactory,
    ReadingFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def kinds(obj) -> list[str]:
    return list(
        type(obj)
        .history.filter(id=obj.pk)
        .order_by("history_id")
        .values_list("history_type", flat=True)
    )


CHANGES = {
    Outcome: (lambda w: OutcomeFactory(plan=w.plan), "statement", "Fewer adults smoke"),
    Indicator: (
        lambda w: IndicatorFactory(outcome__plan=w.plan, owner=w.council),
        "name",
        "Adults who smoke",
    ),
    Target: (
        lambda w: TargetFactory(indicator__outcome__plan=w.plan, indicator__owner=w.council),
        "target_date",
        date(2030, 3, 31),
    ),
    Reading: (
        lambda w: ReadingFactory(indicator__outcome__plan=w.plan, indicator__owner=w.council),
        "value",
        Decimal("12.5"),
    ),
    Action: (
        lambda w: ActionFactory(plan=w.plan, lead_organisation=w.council),
        "title",
        "Stop-smoking clinics",
    ),
    Milestone: (
        lambda w: MilestoneFactory(action__plan=w.plan, action__lead_organisation=w.council),
        "due",
        date(2026, 12, 31),
    ),
    # Issue 26
    Scenario: (
        lambda w: Scenario.objects.create(plan=w.plan, name="Only the funded actions"),
        "name",
        "Pilot scaled up",
    ),
    ExternalFactor: (
        lambda w: ExternalFactor.objects.create(
            indicator=IndicatorFactory(outcome__plan=w.plan, owner=w.council),
            name="Benefit change",
            size=-1,
            low=-2,
            high=0,
            starts=date(2026, 4, 1),
        ),
        "size",
        Decimal("-1.5"),
    ),
    ExpectedEffect: (
        lambda w: ExpectedEffect.objects.create(
            action=ActionFactory(plan=w.plan, lead_organisation=w.council),
            indicator=IndicatorFactory(outcome__plan=w.plan, owner=w.council),
            size=2,
            low=1,
            high=3,
            starts=date(2026, 4, 1),
        ),
        "high",
        Decimal("4"),
    ),
}


@pytest.mark.parametrize("model", CHANGES, ids=lambda model: model.__name__)
def test_every_save_and_delete_of_each_model_is_recorded(world, model):
    make, field, value = CHANGES[model]
    thing = make(world)
    setattr(thing, field, value)
    thing.save()
    pk = thing.pk
    thing.delete()
    thing.pk = pk
    assert kinds(thing) == ["+", "~", "-"]
    [entry] = [e for e in history_of((model, {"id": pk})) if e.kind == "Changed"]
    [change] = entry.changes
    assert change.new == (f"{value.day} {value:%B %Y}" if isinstance(value, date) else str(value))


def test_a_change_made_on_a_page_names_who_made_it_and_shows_old_and_new(lead_client, world):
    target = TargetFactory(
        indicator__outcome__plan=world.plan, indicator__owner=world.council, kind="local"
    )
    response = lead_client.post(
        reverse("outcomes:target_edit", args=[target.pk]),
        {
            "kind": "local",
            "baseline_value": "20",
            "baseline_date": "2024-03-31",
            "target_value": "15",
            "target_date": "2030-03-31",
        },
    )
    assert response.status_code == 302
    page = text(lead_client.get(reverse("outcomes:indicator_history", args=[target.indicator.pk])))
    assert "Changed: target Local target" in page
    assert "By Lena Lead" in page
    assert "Target date 31 March 2029 31 March 2030" in page


def test_the_action_history_shows_a_reassigned_owner_by_name(board_client, world):
    action = ActionFactory(plan=world.plan, lead_organisation=world.council, owner=world.lead)
    action.owner = world.partner
    action._history_user = world.lead
    action.save()
    MilestoneFactory(action=action, title="Clinics open")
    page = text(board_client.get(reverse("actions:action_history", args=[action.pk])))
    assert "Owner Lena Lead Pat Partner" in page
    assert "Added: milestone Clinics open" in page
    assert "By Lena Lead" in page


def test_deleting_an_indicator_records_its_readings_and_targets_going_too(world):
    indicator = IndicatorFactory(outcome__plan=world.plan, owner=world.council)
    reading = ReadingFactory(indicator=indicator)
    target = TargetFactory(indicator=indicator)
    indicator.delete()
    assert kinds(reading)[-1] == kinds(target)[-1] == "-"


# Bulk writes ------------------------------------------------------------------------------


def test_the_readings_import_records_new_and_changed_readings(world):
    indicator = IndicatorFactory(outcome__plan=world.plan, owner=world.council, code="HW-01")
    kept = ReadingFactory(indicator=indicator, period=date(2024, 3, 31), value=Decimal("20"))
    rows = [
        {"indicator": "HW-01", "period": "2024-03-31", "value": "19.5"},
        {"indicator": "HW-01", "period": "2025-03-31", "value": "18"},
    ]
    result = import_readings(
        plan=world.plan, rows=rows, user=world.lead, membership=world.membership(world.lead)
    )
    assert (result.created, result.updated) == (1, 1)
    new = Reading.objects.get(indicator=indicator, period=date(2025, 3, 31))
    assert kinds(kept) == ["+", "~"]
    assert kinds(new) == ["+"]
    changed = Reading.history.filter(id=kept.pk, history_type="~").get()
    assert (changed.value, changed.history_user) == (Decimal("19.5"), world.lead)
    [entry] = [e for e in history_of((Reading, {"id": kept.pk})) if e.kind == "Changed"]
    assert [(c.label, c.old, c.new) for c in entry.changes] == [
        ("Value", "20", "19.5"),
        ("Entered by", "—", "Lena Lead"),
    ]


def test_the_action_plan_workbook_import_records_new_and_changed_actions(world):
    first = ActionFactory(plan=world.plan, lead_organisation=world.council, title="Old title")
    world.plan.last_action_number = first.number
    world.plan.save()
    workbook = exported(world.plan)
    edit(workbook, first.reference, title="New title")
    add_row(workbook, title="Falls prevention classes", lead_organisation="Riverside Council")
    result = import_it(world, workbook)
    assert (result.created, result.updated) == (1, 1), result.errors
    made = Action.objects.get(plan=world.plan, title="Falls prevention classes")
    assert kinds(first) == ["+", "~"]
    assert kinds(made) == ["+"]
    assert Action.history.filter(id=made.pk).get().history_user == world.lead
    changed = Action.history.filter(id=first.pk, history_type="~").get()
    assert (changed.title, changed.history_user) == ("New title", world.lead)


def test_a_partners_update_and_a_leads_confirmation_are_recorded(world):
    action = ActionFactory(plan=world.plan, lead_organisation=world.housing)
    services.update_post(
        action=action,
        author=world.partner,
        status=Action.Status.COMPLETE,
        progress=100,
        completion_evidence="Minutes of 3 May",
        lessons_learned="Start earlier.",
    )
    services.closure_return(action=action, reason="No evidence attached.", by=world.lead)
    services.update_post(
        action=action,
        author=world.partner,
        status=Action.Status.COMPLETE,
        progress=100,
        completion_evidence="Minutes attached",
        lessons_learned="Start earlier.",
    )
    services.closure_confirm(action=action, by=world.lead)
    rows = list(Action.history.filter(id=action.pk).order_by("history_id"))
    assert [(row.history_type, row.closure, row.history_user) for row in rows] == [
        ("+", "open", None),
        ("~", "awaiting", world.partner),
        ("~", "open", world.lead),
        ("~", "awaiting", world.partner),
        ("~", "closed", world.lead),
    ]


# The pages --------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["outcome", "indicator", "action"])
def test_history_pages_keep_their_query_count(lead_client, world, page):
    indicator = IndicatorFactory(outcome__plan=world.plan, owner=world.council)
    action = ActionFactory(plan=world.plan, lead_organisation=world.council, owner=world.lead)
    url = {
        "outcome": reverse("outcomes:outcome_history", args=[indicator.outcome.pk]),
        "indicator": reverse("outcomes:indicator_history", args=[indicator.pk]),
        "action": reverse("actions:action_history", args=[action.pk]),
    }[page]

    def grow(n: int) -> None:
        for number in range(n):
            outcome = indicator.outcome
            outcome.statement = f"Statement {number}"
            outcome.save()
            reading = ReadingFactory(indicator=indicator, value=Decimal(number))
            reading.value += 1
            reading.save()
            TargetFactory(indicator=indicator, kind=["local", "national", "stretch"][number % 3])
            Target.objects.filter(indicator=indicator).delete()
            action.owner = [world.lead, world.partner][number % 2]
            action.save()
            MilestoneFactory(action=action)

    grow(2)
    small = queries_of(lead_client, url)
    grow(15)
    assert queries_of(lead_client, url) == small


def queries_of(client, url: str) -> int:
    """The queries a page costs, once the session's own bookkeeping is done."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_every_member_reads_the_history_link_from_the_page(partner_client, world):
    action = ActionFactory(plan=world.plan, lead_organisation=world.council)
    page = partner_client.get(action.get_absolute_url()).content.decode()
    assert reverse("actions:action_history", args=[action.pk]) in page
