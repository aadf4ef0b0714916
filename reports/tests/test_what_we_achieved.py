"""Celebrating what was achieved: the actions completed and the milestones reached in a
quarter, in the board report's "What we achieved" and on the public summary and page."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from actions import services
from actions.models import Action
from actions.tests.factories import ActionFactory, MilestoneFactory
from outcomes.tests.factories import OutcomeFactory
from reports import reports

pytestmark = pytest.mark.django_db

TODAY = date(2026, 9, 20)  # in Q3 2026: July to September


def at(day: str):
    return time_machine.travel(datetime.fromisoformat(f"{day} 10:00").replace(tzinfo=UTC))


def _done(action, world, day: str) -> None:
    with at(day):
        services.update_post(
            action=action,
            author=world.partner,
            status=Action.Status.COMPLETE,
            progress=100,
            completion_evidence="Signed off by the service manager.",
            lessons_learned="Book venues early.",
        )


@pytest.fixture
def achieved(world):
    outcome = OutcomeFactory(plan=world.plan, statement="Fewer people smoke")
    made = {}
    with at("2026-04-01"):
        for key, title in [
            ("clinics", "Open evening stop-smoking clinics"),
            ("before", "Train pharmacy staff"),
            ("going", "Run a quit campaign"),
            ("stopped", "Open a vape shop patrol"),
        ]:
            made[key] = ActionFactory(
                plan=world.plan, lead_organisation=world.housing, owner=world.partner, title=title
            )
            made[key].outcomes.add(outcome)
    _done(made["clinics"], world, "2026-08-12")
    _done(made["before"], world, "2026-06-15")  # the quarter before: not this one's
    MilestoneFactory(
        action=made["going"],
        title="Campaign posters in every surgery",
        due=date(2026, 8, 1),
        done=True,
        done_at=datetime(2026, 7, 30, 16, tzinfo=UTC),
    )
    MilestoneFactory(
        action=made["going"],
        title="Radio advert recorded",
        due=date(2026, 12, 1),
    )
    Action.objects.filter(pk=made["stopped"].pk).update(status=Action.Status.CANCELLED)
    MilestoneFactory(
        action=made["stopped"],
        title="Patrol rota agreed",
        due=date(2026, 8, 1),
        done=True,
        done_at=datetime(2026, 8, 2, 16, tzinfo=UTC),
    )
    return made


def test_the_board_report_celebrates_the_quarters_completions_and_milestones(world, achieved):
    context = reports.board_report_context(world.plan, year=2026, quarter=3, today=TODAY)
    got = context["achieved"]
    assert [row.action.title for row in got["completed"]] == ["Open evening stop-smoking clinics"]
    assert [m.title for m in got["milestones"]] == ["Campaign posters in every surgery"]
    html = reports.report_html(world.plan, kind="board", year=2026, quarter=3, today=TODAY)
    section = html[html.index('id="achieved-title"') : html.index('id="changes-title"')]
    assert "In Q3 2026" in section and "so far" in section
    assert "1 action was completed and 1 milestone reached" in section
    assert "Open evening stop-smoking clinics" in section and "12 Aug 2026" in section
    assert "Campaign posters in every surgery" in section
    for absent in ("Train pharmacy staff", "Radio advert recorded", "Patrol rota agreed"):
        assert absent not in section
    assert html.index('id="achieved-title"') < html.index('id="changes-title"')


def test_a_quarter_with_nothing_achieved_says_so(world, achieved):
    html = reports.report_html(world.plan, kind="board", year=2026, quarter=1, today=TODAY)
    section = html[html.index('id="achieved-title"') : html.index('id="changes-title"')]
    assert "No action was completed and no milestone reached in the quarter." in section


def test_the_public_summary_celebrates_without_naming_anyone(world, achieved):
    context = reports.public_summary_context(world.plan, today=TODAY)
    assert context["achieved_since"] == date(2026, 4, 1)  # the quarter before, and this one
    assert [a["title"] for a in context["achieved"]["completed"]] == [
        "Train pharmacy staff",
        "Open evening stop-smoking clinics",
    ]
    html = reports.report_html(world.plan, kind="public", year=2026, quarter=3, today=TODAY)
    # After each outcome's own figures and work, before how progress is checked.
    assert html.rindex('id="outcome-') < html.index('id="achieved-title"')
    section = html[html.index('id="achieved-title"') : html.index('id="more-title"')]
    assert "Since 1 April 2026, the partners have:" in section
    assert "finished “Open evening stop-smoking clinics” (Riverside Housing, August 2026)" in (
        section
    )
    assert "reached “Campaign posters in every surgery”, a step of “Run a quit campaign”" in (
        section
    )
    assert "Patrol rota agreed" not in section
    assert world.partner.full_name not in section


def test_the_public_page_shows_what_was_achieved(lead_client, client, world, achieved):
    cache.clear()
    response = lead_client.post(
        reverse("publishing:publish", args=[world.plan.pk]), {"embed_sites": ""}
    )
    assert response.status_code == 302
    lead_client.logout()
    with time_machine.travel(datetime(2026, 9, 20, 12, tzinfo=UTC)):
        page = client.get(reverse("publishing:plan", args=[world.plan.pk])).content.decode()
    cache.clear()
    section = page[page.index('id="achieved-title"') :]
    assert "What we have achieved" in section
    assert "Open evening stop-smoking clinics" in section
    assert '<a href="#achieved">What we have achieved</a>' in page


def test_the_demo_celebrates_its_third_quarter(demo):
    plan = Action.objects.get(title__startswith="Recruit six stop-smoking advisers").plan
    context = reports.board_report_context(plan, year=2026, quarter=3, today=date(2026, 10, 5))
    completed = [row.action.title for row in context["achieved"]["completed"]]
    assert "Recruit six stop-smoking advisers for Northfield and Eastgate" in completed
    assert "All six advisers in post" in [m.title for m in context["achieved"]["milestones"]]
