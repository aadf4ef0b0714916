"""The stamps the database changes with every write to a plan's data (improveplan/stamps.py):
every table is watched, every way of writing changes them, and a transaction's changes are
its own until it commits, without making another transaction wait."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django.db.models import ForeignKey, OneToOneField

from actions.models import Action, Milestone
from actions.tests.factories import ActionFactory, MilestoneFactory
from improveplan import stamps
from improveplan.models import Partnership, Plan, Stamp, StampPending
from improveplan.tests.factories import OrganisationFactory
from outcomes.models import Indicator, Reading
from outcomes.readings_io import import_readings
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory, ReadingFactory

pytestmark = [pytest.mark.django_db, pytest.mark.services]

# Tables with a way to a partnership whose rows no page of a plan shows: why each is left out.
NOT_WATCHED = {
    "improveplan.securityevent": "the site's security log, read in the admin",
    "reviews.digestclaim": "which reminder emails were sent today",
    "improveplan.stamp": "the stamps themselves",
    "improveplan.stamppending": "the stamps themselves",
    "improveplan.notification": "one person's notifications, under the bell, on no kept page",
    "api.accesstoken": "one person's API tokens, on their own page, on no kept page",
    "reports.reportrequest": "who asked for a report, to tell them when it is ready",
    "publishing.publication": "the public page keeps its own rendering (publishing/)",
}


def _leads_to_a_partnership(model, seen=()) -> bool:
    """Whether any chain of foreign keys from the model reaches a plan or a partnership."""
    for field in model._meta.concrete_fields:
        if not isinstance(field, ForeignKey | OneToOneField):
            continue
        target = field.related_model
        if target in (Plan, Partnership):
            return True
        if (
            target not in seen
            and target is not model
            and _leads_to_a_partnership(target, (*seen, model))
        ):
            return True
    return False


def test_every_table_that_leads_to_a_plan_or_partnership_is_watched():
    """Found here from the foreign keys of every model of every app, not from the export's
    map the triggers are built from: a model added in any app is caught."""
    watched = {item.model._meta.label_lower for item in stamps.watched()}
    leading = {
        model._meta.label_lower
        for model in apps.get_models(include_auto_created=True)
        if _leads_to_a_partnership(model)
        # django-simple-history's copies of rows, written beside each change
        and not model.__name__.startswith("Historical")
    }
    assert leading - set(NOT_WATCHED) <= watched
    assert get_user_model()._meta.label_lower in watched


def test_each_watched_table_has_its_triggers(postgresql):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, tgname FROM pg_trigger JOIN pg_class ON pg_class.oid = tgrelid "
            "WHERE tgname LIKE %s",
            [f"{stamps.PREFIX}%"],
        )
        installed = {(table, name) for table, name in cursor.fetchall()}
    for item in stamps.watched():
        table = item.model._meta.db_table
        operations = ["update"] if item.people else ["insert", "update", "delete"]
        for operation in operations:
            name = stamps._name(f'"{table}"', f"_{operation}")
            assert (table, name) in installed, f"{table} has no {operation} trigger"


def test_installing_again_changes_nothing(postgresql):
    assert stamps.install(connection) is False


# Every way of writing ---------------------------------------------------------------------


@pytest.fixture
def planned(world):
    outcome = OutcomeFactory(plan=world.plan, statement="Fewer adults smoke")
    world.outcome = outcome
    world.indicator = IndicatorFactory(outcome=outcome, owner=world.council, code="SMK")
    ReadingFactory(indicator=world.indicator, period=date(2024, 3, 31), value=Decimal("20"))
    world.action = ActionFactory(plan=world.plan, lead_organisation=world.council)
    world.action.outcomes.add(outcome)
    MilestoneFactory(action=world.action)
    world.other_indicator = IndicatorFactory(
        outcome=OutcomeFactory(plan=world.other_plan), owner=world.other_organisation
    )
    return world


def _plans(w) -> tuple[str, str]:
    found = stamps.of_plans([w.plan.pk, w.other_plan.pk])
    return found[w.plan.pk], found[w.other_plan.pk]


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


CHANGES = {
    "save": lambda w: ReadingFactory(indicator=w.indicator, period=date(2025, 3, 31)),
    "QuerySet.update": lambda w: Reading.objects.filter(indicator=w.indicator).update(
        value=Decimal("19")
    ),
    "bulk_create": lambda w: Reading.objects.bulk_create(
        [Reading(indicator=w.indicator, period=date(2026, 3, 31), value=Decimal("18"))]
    ),
    "bulk_update": lambda w: Reading.objects.bulk_update(
        [Reading(pk=r.pk, value=Decimal("17")) for r in w.indicator.readings.all()], ["value"]
    ),
    "delete with its cascade": lambda w: Indicator.objects.filter(pk=w.indicator.pk).delete(),
    "raw SQL": lambda w: _raw(
        f"UPDATE {Reading._meta.db_table} SET value = 16 WHERE indicator_id = %s",  # noqa: S608
        [w.indicator.pk],
    ),
    "a link added": lambda w: w.action.outcomes.add(OutcomeFactory(plan=w.plan)),
    "links cleared": lambda w: w.action.outcomes.clear(),
    "a milestone changed": lambda w: Milestone.objects.filter(action=w.action).update(done=True),
    "the plan itself": lambda w: Plan.objects.filter(pk=w.plan.pk).update(title="Renamed"),
    "readings imported": lambda w: import_readings(
        plan=w.plan,
        rows=[{"indicator": "SMK", "period": "2023-03-31", "value": "21"}],
        user=w.lead,
        membership=w.membership(w.lead),
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_way_of_writing_changes_the_plans_stamp_and_no_other(planned, change):
    before, other = _plans(planned)
    assert _plans(planned) == (before, other)  # reading them changes nothing
    CHANGES[change](planned)
    after, other_after = _plans(planned)
    assert after != before
    assert other_after == other


def test_a_reading_changes_its_indicators_stamp_not_its_neighbours(planned):
    neighbour = IndicatorFactory(outcome=planned.outcome, owner=planned.council)
    indicators = [planned.indicator.pk, neighbour.pk]
    before = stamps.of(Indicator, indicators)
    Reading.objects.filter(indicator=planned.indicator).update(value=Decimal("1"))
    after = stamps.of(Indicator, indicators)
    assert after[planned.indicator.pk] != before[planned.indicator.pk]
    assert after[neighbour.pk] == before[neighbour.pk]


def test_a_milestone_and_a_link_change_their_actions_stamp(planned):
    other = ActionFactory(plan=planned.plan, lead_organisation=planned.council)
    ids = [planned.action.pk, other.pk]
    before = stamps.of(Action, ids)
    MilestoneFactory(action=planned.action)
    middle = stamps.of(Action, ids)
    assert middle[planned.action.pk] != before[planned.action.pk]
    other.outcomes.add(planned.outcome)
    after = stamps.of(Action, ids)
    assert after[other.pk] != middle[other.pk]
    assert after[planned.action.pk] == middle[planned.action.pk]


def test_a_change_to_the_partnership_changes_each_of_its_plans_and_no_other(planned):
    before, other = _plans(planned)
    planned.council.name = "Renamed council"
    planned.council.save()
    after, other_after = _plans(planned)
    assert after != before
    assert other_after == other
    OrganisationFactory(partnership=planned.partnership)
    assert _plans(planned)[0] != after


def test_a_persons_new_name_changes_every_plan_but_signing_in_does_not(planned):
    before = _plans(planned)
    planned.lead.last_login = planned.lead.date_joined
    planned.lead.save(update_fields=["last_login"])
    planned.lead.set_password("a new long password")
    planned.lead.save()
    assert _plans(planned) == before
    planned.lead.full_name = "Lena Renamed"
    planned.lead.save()
    after = _plans(planned)
    assert after[0] != before[0] and after[1] != before[1]


# Transactions -----------------------------------------------------------------------------


def test_a_transaction_sees_its_own_changes_and_a_rollback_leaves_the_stamp(planned):
    before = stamps.of_plans([planned.plan.pk])[planned.plan.pk]
    with pytest.raises(RuntimeError), transaction.atomic():
        Reading.objects.filter(indicator=planned.indicator).update(value=Decimal("2"))
        first = stamps.of_plans([planned.plan.pk])[planned.plan.pk]
        Reading.objects.filter(indicator=planned.indicator).update(value=Decimal("3"))
        second = stamps.of_plans([planned.plan.pk])[planned.plan.pk]
        assert len({before, first, second}) == 3
        raise RuntimeError
    assert stamps.of_plans([planned.plan.pk])[planned.plan.pk] == before


@pytest.mark.django_db(transaction=True)
def test_an_open_transaction_makes_no_other_wait_and_each_commit_gives_a_new_stamp(
    world, postgresql
):
    indicator = IndicatorFactory(outcome=OutcomeFactory(plan=world.plan), owner=world.council)
    first = ReadingFactory(indicator=indicator, period=date(2024, 3, 31))
    second = ReadingFactory(indicator=indicator, period=date(2025, 3, 31))
    before = stamps.of_plans([world.plan.pk])[world.plan.pk]
    changed, release, problems = threading.Event(), threading.Event(), []

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                Reading.objects.filter(pk=first.pk).update(value=Decimal("5"))
                changed.set()
                release.wait(20)
        except Exception as error:  # noqa: BLE001 - reported by the test below
            problems.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    try:
        assert changed.wait(20)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            # The same plan, the same indicator: written at once, not after the other commits.
            Reading.objects.filter(pk=second.pk).update(value=Decimal("6"))
        committed = stamps.of_plans([world.plan.pk])[world.plan.pk]
        assert committed != before
    finally:
        release.set()
        thread.join(30)
    assert problems == []
    assert stamps.of_plans([world.plan.pk])[world.plan.pk] not in (before, committed)
    assert not StampPending.objects.exists()  # each commit wrote its stamps and cleared up
    assert Stamp.objects.filter(scope="improveplan.plan", key=world.plan.pk).count() == 1


def test_without_its_triggers_a_page_is_computed_every_time_not_kept_stale(
    planned, postgresql, monkeypatch
):
    from django.test import Client

    from improveplan import kept

    client = Client()
    client.force_login(planned.lead)
    url = planned.plan.get_absolute_url()
    assert "18.5%" not in client.get(url).content.decode()  # computed, and kept
    trigger = stamps._name('"outcomes_reading"', "_update")
    with connection.cursor() as cursor:  # undone with the test's transaction
        cursor.execute(f"DROP TRIGGER {trigger} ON outcomes_reading")
    monkeypatch.setattr(kept, "_checked", {"at": -kept.CHECK_AGAIN_AFTER, "installed": False})
    assert stamps.installed() is False
    Reading.objects.filter(indicator=planned.indicator).update(value=Decimal("18.5"))
    assert "18.5%" in client.get(url).content.decode()
