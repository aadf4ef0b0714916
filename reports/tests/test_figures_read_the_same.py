"""One formatter per unit: the same figure reads the same on every page and in every PDF.

A count is "80" and "2,205" (never "80.0" or "2,205.0"), a target of none is "0" (never "0.0"),
money is "£15,808" (never "15,808 £"), and the gap in a percentage is "1.3 percentage points"
(never "1.3%")."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from actions.tests.factories import ActionFactory
from outcomes import units
from outcomes.tests.factories import (
    IndicatorFactory,
    OutcomeFactory,
    ReadingFactory,
    TargetFactory,
)
from reports import reports
from reports.tests.pdf import read

pytestmark = pytest.mark.django_db

TODAY = date(2026, 8, 14)


def test_one_function_per_unit():
    assert units.format_count(2205) == "2,205"
    assert units.format_count(Decimal("80.0000")) == "80"
    assert units.format_count(0) == "0"
    assert units.format_percent(61.25) == "61.3%"
    assert units.format_percentage_points(1.3) == "1.3 percentage points"
    assert units.format_money(Decimal("15808.40")) == "£15,808"
    assert units.format_money(-250) == "-£250"
    assert units.format_money(-0.2) == "£0"
    assert units.format_rate(12.44, 1000) == "12.4 per 1,000"
    assert units.format_days(3) == "3.0 days"
    assert units.Measure("percent").difference(1.3) == "1.3 percentage points"
    assert units.Measure("count").number(2205.0) == "2,205"  # under a heading with the unit
    assert units.Measure("percent").number(61.25) == "61.3"
    assert units.Measure("count").difference(12) == "12"
    assert units.Measure("rate", 1000).interval(17.46, 20.8) == "between 17.5 and 20.8 per 1,000"
    assert units.Measure("money").interval(1, 20) == "between £1 and £20"


@pytest.fixture
def figures(world):
    outcome = OutcomeFactory(plan=world.plan, statement="Fewer families lose their home")

    def indicator(code, unit, direction, values, baseline, target):
        made = IndicatorFactory(
            outcome=outcome,
            owner=world.council,
            code=code,
            name=f"Indicator {code}",
            unit=unit,
            direction=direction,
        )
        for year, value in enumerate(values):
            ReadingFactory(indicator=made, period=date(2022 + year, 3, 31), value=Decimal(value))
        TargetFactory(
            indicator=made,
            baseline_value=Decimal(baseline),
            baseline_date=date(2022, 3, 31),
            target_value=Decimal(target),
            target_date=date(2029, 3, 31),
        )
        return made

    indicator("TA-01", "count", "lower", ["2410", "2350", "2290", "2205"], "2410", "2000")
    indicator("ER-01", "count", "lower", ["95", "90", "84", "80"], "95", "0")
    indicator("PC-01", "percent", "higher", ["58.0", "59.5", "60.1", "61.3"], "58", "62.6")
    indicator("MO-01", "money", "lower", ["19250", "17400", "16900", "15808"], "19250", "9000")
    action = ActionFactory(plan=world.plan, lead_organisation=world.council, title="Rent deposits")
    action.resource_amount = Decimal("15808")
    action.save()
    action.outcomes.add(outcome)
    return outcome


WRONG = {
    "a count with a decimal": r"(?<![\d.,])(?:80|2,205|2,410)\.0(?!\d)",
    "a target of 0.0": r"target of 0\.0",
    "pounds after the number": r"\d £(?!\d)",
    "a gap in per cent": r"(?<![\d.])1\.3%",
}


def assert_reads_right(text: str, *, shows: tuple[str, ...]) -> None:
    text = " ".join(text.replace("&#x27;", "'").replace("&nbsp;", " ").split())
    for what, pattern in WRONG.items():
        found = re.search(pattern, text)
        assert found is None, f"{what}: …{text[max(0, found.start() - 60) : found.end() + 60]}…"
    for figure in shows:
        assert figure in text, figure


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_pages_write_each_figure_one_way(lead_client, world, figures):
    indicators = {i.code: i for i in figures.indicators.all()}

    assert_reads_right(
        page(lead_client, world.plan.get_absolute_url()),
        shows=("2,205", "80", "61.3%", "£15,808", "target of 0"),
    )
    assert_reads_right(
        page(lead_client, figures.get_absolute_url()),
        shows=("2,205", "80", "£15,808", "1.3 percentage points", "target of 0"),
    )
    for code, shows in {
        "TA-01": ("2,205", "2,410"),
        "ER-01": ("80", "target of 0"),
        "PC-01": ("61.3%", "1.3 percentage points"),
        "MO-01": ("£15,808", "£19,250"),
    }.items():
        assert_reads_right(page(lead_client, indicators[code].get_absolute_url()), shows=shows)
    assert_reads_right(
        page(lead_client, reverse("actions:golden_thread", args=[world.plan.pk])),
        shows=("£15,808", "£9,000"),
    )


def test_pdfs_write_each_figure_as_the_pages_do(world, figures):
    for kind, shows in {
        "board": ("2,205", "80", "61.3%", "£15,808", "target of 0"),
        "plan": ("£15,808",),
        "public": ("2,205", "80", "61.3%", "£15,808"),
    }.items():
        pdf = read(reports.render_report(world.plan, kind=kind, year=2026, quarter=3, today=TODAY))
        assert_reads_right(pdf.text, shows=shows)


def test_the_readings_export_keeps_the_figures_as_entered(lead_client, world, figures):
    """A file for spreadsheets and for importing again: plain numbers, no rounding, no units."""
    text = page(lead_client, reverse("outcomes:readings_export", args=[world.plan.pk]))

    assert "TA-01,2025-03-31,2205," in text
    assert "ER-01,2025-03-31,80," in text
    assert "MO-01,2025-03-31,15808," in text
    assert_reads_right(text, shows=())
