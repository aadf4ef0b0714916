"""Every report names the version of the plan it shows: the agreed version, who agreed it and
when, or, for a plan never agreed, "Draft, not yet agreed" on every page (issue 15, item 12)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.utils import timezone

from actions.versions import plan_agree
from outcomes.models import Outcome
from reports import reports
from reports.tests.pdf import read

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 6)
KINDS = ["board", "plan", "public"]


def pages(plan, kind: str) -> list[str]:
    pdf = read(reports.render_report(plan, kind=kind, year=2026, quarter=4, today=TODAY))
    return [" ".join(page.extract_text().split()) for page in pdf.reader.pages]


def agree(plan, by, day: date) -> None:
    when = timezone.make_aware(datetime(day.year, day.month, day.day, 15, 30))
    with time_machine.travel(when, tick=False):
        plan_agree(plan=plan, by=by)


@pytest.mark.parametrize("kind", KINDS)
def test_a_draft_plans_report_says_so_on_every_page(planned, kind):
    text = pages(planned.plan, kind)
    assert len(text) > 1  # the first page (cover and contents) and at least one more
    assert "Plan version Draft, not yet agreed" in text[0]
    for number, page in enumerate(text, start=1):
        assert "Draft, not yet agreed" in page, f"page {number}"
    assert "As last changed" not in " ".join(text)


@pytest.mark.parametrize("kind", ["board", "plan"])
def test_the_cover_names_the_agreed_version_who_agreed_it_and_when(planned, kind):
    agree(planned.plan, planned.lead, date(2026, 9, 1))
    # Agreed again after a change (agreeing an unchanged plan keeps its version: issue 16).
    Outcome.objects.filter(plan=planned.plan).update(target_groups="Routine workers and carers")
    agree(planned.plan, planned.lead, date(2026, 10, 21))
    text = pages(planned.plan, kind)
    assert "Plan version Version 2, agreed 21 October 2026 by Lena Lead" in text[0]
    assert "Draft, not yet agreed" not in " ".join(text)


def test_the_public_summary_names_the_agreed_version_but_no_one(planned):
    agree(planned.plan, planned.lead, date(2026, 10, 21))
    text = pages(planned.plan, "public")
    assert "Plan version Version 1, agreed 21 October 2026" in text[0]
    assert "Lena Lead" not in " ".join(text)
    assert "Draft, not yet agreed" not in " ".join(text)
