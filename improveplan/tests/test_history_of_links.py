"""The history of an action's links: every outcome served, supporting organisation and
dependency added or removed, by any path, leaves one entry saying who, when and what."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from actions import services
from actions.models import Action, Option
from actions.tests.factories import ActionFactory, OptionFactory
from actions.tests.test_pages import action_data
from actions.tests.test_spreadsheets import add_row, edit, exported, import_it
from improveplan import history
from improveplan.history import history_of
from improveplan.tests.test_history import kinds, queries_of, text
from improveplan.tests.test_portability import export, forget, import_file
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory

pytestmark = pytest.mark.django_db

WHEN = datetime(2027, 6, 1, 9, 30, tzinfo=UTC)  # after the rows made without travelling


@pytest.fixture
def falls(world):
    return OutcomeFactory(plan=world.plan, statement="Fewer falls", priority=1)


@pytest.fixture
def homes(world):
    return OutcomeFactory(plan=world.plan, statement="Warmer homes", priority=2)


@pytest.fixture
def first(world):
    made = ActionFactory(plan=world.plan, lead_organisation=world.council, title="Map the need")
    world.plan.last_action_number = made.number  # so new actions come after it
    world.plan.save()
    return made


def links(action) -> list[tuple[str, str, str]]:
    """The newest entry's link changes, as (what, was, now)."""
    entry = history_of((Action, {"id": action.pk}))[0]
    return [
        (change.label, change.old, change.new)
        for change in entry.changes
        if change.label in ("Outcomes served", "Supporting organisations", "Depends on")
    ]


# The action form -------------------------------------------------------------------------


def test_a_new_action_from_the_form_is_one_entry_with_its_links(lead_client, world, falls, first):
    data = action_data(
        world, falls, supporting_organisations=[world.council.pk], depends_on=[first.pk]
    )
    start = timezone.now()
    response = lead_client.post(reverse("actions:action_create", args=[world.plan.pk]), data)
    assert response.status_code == 302
    made = Action.objects.get(title="Recruit two landlord mediators")
    assert kinds(made) == ["+"]
    [entry] = history_of((Action, {"id": made.pk}))
    assert (entry.kind, entry.who) == ("Added", "Lena Lead")
    assert start <= entry.when <= timezone.now()
    assert links(made) == [
        ("Outcomes served", "—", "Fewer falls"),
        ("Supporting organisations", "—", "Riverside Council"),
        ("Depends on", "—", f"{first.reference} Map the need"),
    ]


def test_editing_the_links_on_the_form_is_one_entry_saying_what_was_added_and_removed(
    lead_client, world, falls, homes, first
):
    action = ActionFactory(plan=world.plan, lead_organisation=world.housing, owner=world.partner)
    action.outcomes.add(falls)
    action.supporting_organisations.add(world.council)
    before = len(kinds(action))
    data = action_data(
        world,
        homes,
        outcomes=[homes.pk],
        depends_on=[first.pk],
        version=Action.objects.get(pk=action.pk).version,
    )
    response = lead_client.post(reverse("actions:action_edit", args=[action.pk]), data)
    assert response.status_code == 302
    assert len(kinds(action)) == before + 1  # one save, one entry
    assert links(action) == [
        ("Outcomes served", "Fewer falls", "added “Warmer homes”\nremoved “Fewer falls”"),
        ("Supporting organisations", "Riverside Council", "removed “Riverside Council”"),
        ("Depends on", "—", f"added “{first.reference} Map the need”"),
    ]
    page = text(lead_client.get(reverse("actions:action_history", args=[action.pk])))
    assert "Outcomes served Fewer falls added “Warmer homes” removed “Fewer falls”" in page
    when = timezone.localtime(history_of((Action, {"id": action.pk}))[0].when)
    assert f"By Lena Lead, {when:%-d %B %Y, %H:%M}" in page


def test_a_refused_form_leaves_no_entry(lead_client, world, falls):
    action = ActionFactory(plan=world.plan, lead_organisation=world.housing)
    action.outcomes.add(falls)
    before = kinds(action)
    # Another partnership's organisation is not a choice.
    data = action_data(
        world,
        falls,
        supporting_organisations=[world.other_organisation.pk],
        version=Action.objects.get(pk=action.pk).version,
    )
    response = lead_client.post(reverse("actions:action_edit", args=[action.pk]), data)
    assert response.status_code == 200
    assert kinds(action) == before
    assert "Hillside Council" not in text(
        lead_client.get(reverse("actions:action_history", args=[action.pk]))
    )


def test_a_failure_inside_one_entry_records_nothing(world, falls):
    action = ActionFactory(plan=world.plan, lead_organisation=world.council)
    before = kinds(action)
    with pytest.raises(RuntimeError), history.one_entry(action):
        action.outcomes.add(falls)
        raise RuntimeError
    assert kinds(action) == before


# Other paths ----------------------------------------------------------------------------


def test_links_changed_after_a_save_are_an_entry_each(world, falls, homes, first):
    """Code that adds or removes a link directly still leaves an entry (django-simple-history
    records the action on each change to the link)."""
    action = ActionFactory(plan=world.plan, lead_organisation=world.council)
    action._history_user = world.lead
    action.outcomes.add(falls, homes)
    assert links(action) == [("Outcomes served", "—", "added “Fewer falls”\nadded “Warmer homes”")]
    action.outcomes.remove(homes)
    assert links(action) == [
        ("Outcomes served", "Fewer falls\nWarmer homes", "removed “Warmer homes”")
    ]
    action.depends_on.add(first)
    action.supporting_organisations.add(world.housing)
    assert links(action) == [("Supporting organisations", "—", "added “Riverside Housing”")]
    assert history_of((Action, {"id": action.pk}))[0].who == "Lena Lead"


def test_an_option_turned_into_actions_is_one_entry_serving_its_outcome(world, falls):
    option = OptionFactory(
        outcome=falls, decision=Option.Decision.FAVOURED, decision_reason="Cheap and proven."
    )
    [made] = services.option_to_actions(
        option=option, titles=["Strength and balance classes"], lead_organisation=world.council
    )
    assert kinds(made) == ["+"]
    assert links(made) == [("Outcomes served", "—", "Fewer falls")]


def test_the_workbook_import_records_the_links_each_row_gives(world, falls, homes, first):
    first.outcomes.add(falls)
    first.supporting_organisations.add(world.housing)
    workbook = exported(world.plan)
    edit(workbook, first.reference, outcomes="2", supporting_organisations="")
    add_row(
        workbook,
        title="Falls prevention classes",
        lead_organisation="Riverside Council",
        outcomes="1, 2",
        supporting_organisations="Riverside Housing",
        depends_on=first.reference,
    )
    before = len(kinds(first))
    with time_machine.travel(WHEN, tick=False):
        result = import_it(world, workbook)
    assert (result.created, result.updated) == (1, 1), result.errors
    assert len(kinds(first)) == before + 1
    [entry] = history_of((Action, {"id": first.pk}))[:1]
    assert (entry.who, entry.when) == ("Lena Lead", WHEN)
    assert links(first) == [
        ("Outcomes served", "Fewer falls", "added “Warmer homes”\nremoved “Fewer falls”"),
        ("Supporting organisations", "Riverside Housing", "removed “Riverside Housing”"),
    ]
    made = Action.objects.get(title="Falls prevention classes")
    assert kinds(made) == ["+"]
    assert links(made) == [
        ("Outcomes served", "—", "Fewer falls\nWarmer homes"),
        ("Supporting organisations", "—", "Riverside Housing"),
        ("Depends on", "—", f"{first.reference} Map the need"),
    ]


def test_deleting_an_outcome_is_an_entry_on_the_actions_serving_it(lead_client, world, falls):
    action = ActionFactory(plan=world.plan, lead_organisation=world.council)
    action.outcomes.add(falls)
    response = lead_client.post(reverse("outcomes:outcome_delete", args=[falls.pk]))
    assert response.status_code == 302
    assert history_of((Action, {"id": action.pk}))[0].who == "Lena Lead"
    # The outcome is gone; its name is kept by its own history.
    assert links(action) == [("Outcomes served", "Fewer falls", "removed “Fewer falls”")]


def test_deleting_an_outcome_also_records_the_indicator_its_actions_lost(lead_client, world, falls):
    indicator = IndicatorFactory(outcome=falls, owner=world.council, code="HW-01", name="Falls")
    action = ActionFactory(
        plan=world.plan, lead_organisation=world.council, success_indicator=indicator
    )
    action.outcomes.add(falls)
    before = len(kinds(action))
    lead_client.post(reverse("outcomes:outcome_delete", args=[falls.pk]))
    assert len(kinds(action)) == before + 1  # one entry for both
    [entry] = history_of((Action, {"id": action.pk}))[:1]
    assert [(change.label, change.old, change.new) for change in entry.changes] == [
        ("Indicator that measures success", "HW-01 Falls", "—"),
        ("Outcomes served", "Fewer falls", "removed “Fewer falls”"),
    ]


def test_deleting_an_action_is_an_entry_on_the_actions_waiting_for_it(lead_client, world, first):
    waiting = ActionFactory(plan=world.plan, lead_organisation=world.council)
    waiting.depends_on.add(first)
    reference = first.reference
    response = lead_client.post(reverse("actions:action_delete", args=[first.pk]))
    assert response.status_code == 302
    assert history_of((Action, {"id": waiting.pk}))[0].who == "Lena Lead"
    assert links(waiting) == [
        ("Depends on", f"{reference} Map the need", f"removed “{reference} Map the need”")
    ]


def test_an_imported_partnerships_history_starts_with_its_links(world, falls, tmp_path):
    action = ActionFactory(plan=world.plan, lead_organisation=world.council)
    action.outcomes.add(falls)
    action.supporting_organisations.add(world.housing)
    path = tmp_path / "riverside.json"
    export(world.partnership, path)
    forget(world.partnership)
    with time_machine.travel(WHEN, tick=False):
        import_file(path)
    # One row at the import, with the links: not one per link set.
    assert Action.history.filter(id=action.pk, history_date=WHEN).count() == 1
    assert kinds(action)[-1] == "+"
    assert links(action) == [
        ("Outcomes served", "—", "Fewer falls"),
        ("Supporting organisations", "—", "Riverside Housing"),
    ]


def test_the_migration_takes_the_links_of_today_as_those_of_earlier_rows(world, falls):
    action = ActionFactory(plan=world.plan, lead_organisation=world.council)
    action.title = "Renamed"
    action.save()
    action.skip_history_when_saving = True
    action.outcomes.add(falls)  # as before links were kept
    del action.skip_history_when_saving
    links_model = Action.history.model.outcomes.model
    assert not links_model.objects.filter(action_id=action.pk).exists()
    migration = importlib.import_module("actions.migrations.0004_history_of_links")
    migration.links_as_they_are_now(apps, None)
    assert links_model.objects.filter(action_id=action.pk).count() == 2  # both rows
    [renamed, added] = history_of((Action, {"id": action.pk}))
    assert [change.label for change in renamed.changes] == ["Title"]  # no link "added" here
    assert ("Outcomes served", "—", "Fewer falls") in [
        (change.label, change.old, change.new) for change in added.changes
    ]


# Partnerships apart, and the page's cost -------------------------------------------------------


def test_an_actions_history_shows_only_its_own_partnerships_names(lead_client, world, falls):
    theirs = OutcomeFactory(plan=world.other_plan, statement="Hillside children thrive")
    their_action = ActionFactory(plan=world.other_plan, lead_organisation=world.other_organisation)
    their_action.outcomes.add(theirs)
    action = ActionFactory(plan=world.plan, lead_organisation=world.council)
    action.outcomes.add(falls)
    action.supporting_organisations.add(world.housing)
    action.depends_on.add(ActionFactory(plan=world.plan, lead_organisation=world.council))
    page = text(lead_client.get(reverse("actions:action_history", args=[action.pk])))
    assert "Fewer falls" in page and "Riverside Housing" in page
    for name in ("Hillside", their_action.title):
        assert name not in page
    # And the other way: their history page is not ours to read.
    assert (
        lead_client.get(reverse("actions:action_history", args=[their_action.pk])).status_code
        == 404
    )


def test_the_action_history_page_keeps_its_query_count_as_links_change(
    lead_client, world, falls, homes
):
    action = ActionFactory(plan=world.plan, lead_organisation=world.council)
    url = reverse("actions:action_history", args=[action.pk])

    def grow(n: int) -> None:
        for number in range(n):
            other = ActionFactory(plan=world.plan, lead_organisation=world.council)
            action.depends_on.add(other)
            action.outcomes.set([[falls], [homes], [falls, homes]][number % 3])
            action.supporting_organisations.set([[world.housing], []][number % 2])
            outcome = OutcomeFactory(plan=world.plan)
            action.outcomes.add(outcome)
            outcome.delete()  # a name found in the outcome's own history

    grow(2)
    small = queries_of(lead_client, url)
    grow(15)
    assert queries_of(lead_client, url) == small
