from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from outcomes import arithmetic
from outcomes.models import ComparatorReading, Evidence, Indicator, Reading, Risk, Target
from outcomes.status import indicator_reports

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def debug_on(settings):
    """As when a developer runs seed_demo (the tests run it again); the demo itself is the root
    conftest's, seeded once for the tests in a row."""
    settings.DEBUG = True


def test_the_demo_shows_every_status(demo):
    statuses = {report.status for report in indicator_reports(Indicator.objects.all())}
    assert statuses == set(arithmetic.Status)


def test_the_demo_has_margins_neighbourhoods_targets_comparators_evidence_and_risks(demo):
    assert Reading.objects.filter(lower__isnull=False, upper__isnull=False).exists()
    assert Reading.objects.exclude(breakdown="").values("breakdown").distinct().count() == 4
    assert Target.objects.count() == Indicator.objects.count()
    assert ComparatorReading.objects.exists()
    assert Evidence.objects.filter(kind=Evidence.Kind.GAP).exists()
    assert Risk.objects.exists()


def test_seeding_again_changes_nothing(demo, settings):
    def counts():
        return [
            m.objects.count()
            for m in (Indicator, Reading, Target, ComparatorReading, Evidence, Risk)
        ]

    before = counts()
    values = list(Reading.objects.order_by("pk").values_list("value", "lower", "upper"))
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == before
    assert list(Reading.objects.order_by("pk").values_list("value", "lower", "upper")) == values
