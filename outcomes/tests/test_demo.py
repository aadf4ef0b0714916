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


def test_the_demo_has_data_as_analysts_publish_it(demo):
    """A pooled period with 99.8% limits, a suppressed value, a break in the series, counts
    behind a percentage and a rate, comparators with limits and area codes, a chosen start of
    the trend and a school-or-calendar year: each shows on the pages."""
    assert Reading.objects.filter(period_label="2021 - 23", confidence_level="99.8").exists()
    assert Reading.objects.filter(value__isnull=True, suppression_mark="x").exists()
    assert Reading.objects.filter(series_break=True).exists()
    assert ComparatorReading.objects.filter(lower__isnull=False, count__isnull=False).exists()
    assert Indicator.objects.filter(trend_from__isnull=False).exists()
    assert Indicator.objects.exclude(year_end_month=3).exists()
    reports = indicator_reports(Indicator.objects.filter(plan__title__startswith="Healthier"))
    methods = {report.last_change.method for report in reports if report.last_change}
    assert methods == set(arithmetic.Method)
    verdicts = {series.compared.verdict for report in reports for series in report.comparators}
    assert {arithmetic.Comparison.BETTER, arithmetic.Comparison.SIMILAR} <= verdicts
    assert arithmetic.Comparison.WORSE in verdicts
    assert any(report.judgement.few_readings for report in reports)


def test_the_demo_has_a_planned_trajectory_of_each_shape(demo):
    """Step 3: the main plan's readings are judged against straight, stepped and typed paths,
    some ahead and some behind."""
    reports = {
        report.indicator.code: report
        for report in indicator_reports(
            Indicator.objects.filter(code__in=["SM-01", "HS-01", "HS-02"])
        )
    }
    shapes = {code: report.target.trajectory_shape for code, report in reports.items()}
    assert shapes == {"SM-01": "straight", "HS-01": "stepped", "HS-02": "values"}
    assert all(report.latest_check for report in reports.values())
    assert reports["SM-01"].latest_check.ahead
    assert not reports["HS-02"].latest_check.ahead
    assert "above trajectory" in reports["HS-02"].latest_check.words


def test_the_demo_shows_a_relationship_and_the_plan_with_and_without(demo):
    """Step 3: smoking against falls across the four neighbourhoods, and the families in
    temporary accommodation forecast with the leased homes and the frozen allowance."""
    from outcomes import hooks, relationships, status
    from outcomes.models import ExternalFactor

    plan = Indicator.objects.get(code="SM-01").plan
    first, second = (Indicator.objects.get(plan=plan, code=code) for code in ("SM-01", "OP-01"))
    found = relationships.page(plan, {"first": first.pk, "second": second.pk})["found"]
    assert found is not None and len(found.names) == 4
    assert found.relationship.correlation.r > 0.9
    assert "too few areas" not in found.sentences[0]
    homes = Indicator.objects.get(plan=plan, code="HS-02")
    assert ExternalFactor.objects.filter(indicator=homes).exists()
    [report] = status.indicator_reports(Indicator.objects.filter(pk=homes.pk))
    planned = status.plan_forecast(report, hooks.effects_for([homes])[homes.pk])
    assert planned.with_plan.value < planned.without.value
    assert planned.external_count == 1
    assert "short of the target" in planned.gap_with
