"""Issue 24, item 5: lessons across plans. The partnership's lessons library (from closed
actions and reviews, searchable, never another partnership's), the closed-actions sheet's
lessons and evidence columns, and the delivery plan's lessons."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from django.urls import reverse

from actions.models import Action
from actions.tests.factories import ActionFactory
from actions.tests.test_spreadsheets import exported, import_it, snapshot
from improveplan.tests.factories import PlanFactory
from reports import reports
from reports.tests.pdf import read
from reviews.tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def closed(plan, title, lessons, evidence="The report went to cabinet.", **extra):
    return ActionFactory(
        plan=plan,
        title=title,
        status=Action.Status.COMPLETE,
        progress=100,
        closure=Action.Closure.CLOSED,
        lessons_learned=lessons,
        completion_evidence=evidence,
        **extra,
    )


def test_the_library_gathers_lessons_of_every_plan_and_searches_them(lead_client, world):
    last_year = PlanFactory(partnership=world.partnership, title="Healthy Riverside 2023–2026")
    closed(last_year, "Open a Saturday clinic", "Book rooms a term ahead: schools fill first.")
    closed(world.plan, "Train pharmacists", "Pair each new pharmacist with an experienced one.")
    ActionFactory(plan=world.plan, lessons_learned="Still open, so not a lesson yet.")
    ReviewFactory(plan=world.plan, lessons_learned="Data sharing took three months to agree.")
    closed(world.other_plan, "Hillside's own", "Hillside's lesson stays in Hillside.")

    url = reverse("reviews:lessons", args=[world.partnership.pk])
    page = text(lead_client.get(url))
    assert "Book rooms a term ahead" in page and "Healthy Riverside 2023–2026" in page
    assert "Pair each new pharmacist" in page
    assert "Data sharing took three months to agree." in page
    assert "Still open" not in page and "Hillside's lesson" not in page
    assert "Evidence it was done: The report went to cabinet." in page

    found = text(lead_client.get(url, {"q": "rooms"}))
    assert "1 lesson mention “rooms”." in found
    assert "Book rooms a term ahead" in found and "Pair each new pharmacist" not in found
    # A search longer than the box allows is cut short, not refused.
    assert lead_client.get(url, {"q": "x" * 5000}).status_code == 200


def test_the_closed_sheet_has_lessons_and_evidence_and_round_trips(world):
    action = closed(world.plan, "Train pharmacists", "Pair each new pharmacist.")
    workbook = exported(world.plan)
    sheet = workbook["Closed actions"]
    header = [cell.value for cell in sheet[1]]
    assert header[-2:] == ["completion_evidence", "lessons_learned"]
    row = [cell.value for cell in sheet[2]]
    assert row[0] == action.reference
    assert row[-2:] == ["The report went to cabinet.", "Pair each new pharmacist."]
    assert "lessons_learned" not in [cell.value for cell in workbook["Open actions"][1]]
    before = snapshot(world.plan)
    result = import_it(world, workbook)
    assert not result.errors
    assert snapshot(world.plan) == before  # exported and imported unchanged: nothing changes


def test_the_delivery_plan_lists_what_was_learned(world):
    closed(world.plan, "Train pharmacists", "Pair each new pharmacist with an experienced one.")
    pdf = read(
        reports.render_report(
            world.plan, kind="plan", year=2026, quarter=3, today=date(2026, 8, 14)
        )
    )
    assert "What we have learned" in pdf.text
    assert "Pair each new pharmacist with an experienced one." in pdf.text
    assert "Evidence it was done" in pdf.text
