"""The rows the hostile-input tests and the access sweep compare before and after a request:
a change to any column of any row must show."""

import pytest

from improveplan.models import Organisation, Partnership, Plan
from improveplan.tests.rows import tables

pytestmark = pytest.mark.django_db


def _read():
    return tables(
        "test_rows",
        (
            ("plans", lambda slot: Plan.objects.values_list()),
            ("partnerships", lambda slot: Partnership.objects.values_list()),
            ("organisations", lambda slot: Organisation.objects.values_list()),
        ),
    )


def test_nothing_changed_reads_the_same(world):
    assert _read() == _read()


def test_one_column_of_one_row_changed_shows_in_its_table_alone(world):
    before = _read()
    Plan.objects.filter(pk=world.plan.pk).update(title=world.plan.title + ".")
    after = _read()
    assert after["plans"] != before["plans"]
    assert after["partnerships"] == before["partnerships"]
    assert after["organisations"] == before["organisations"]


def test_a_row_added_or_deleted_shows(world):
    before = _read()
    Organisation.objects.create(partnership=world.partnership, name="Riverside Police")
    added = _read()
    assert added["organisations"] != before["organisations"]
    Organisation.objects.filter(name="Riverside Police").delete()
    assert _read() == before


def test_the_same_rows_in_another_order_read_the_same(world):
    before = _read()
    # Rewriting a row moves it on disk: PostgreSQL then returns the rows in another order.
    Partnership.objects.filter(pk=world.partnership.pk).update(name=world.partnership.name)
    assert _read() == before
