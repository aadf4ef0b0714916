"""What changed in a period, read from the actions' history: the review page and the board
report say the same, and the demo's own story reads true against its database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from actions import services
from actions.models import Action
from actions.tests.factories import ActionFactory
from improveplan import history
from improveplan.models import Plan
from reports import reports
from reports.tests.pdf import read
from reviews import changes
from reviews.models import Review
from reviews.tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)


def at(day: str):
    return time_machine.travel(datetime.fromisoformat(f"{day} 10:00").replace(tzinfo=UTC))


def post(action, author, status, day: str, **extra) -> None:
    with at(day):
        services.update_post(action=action, author=author, status=status, progress=50, **extra)


def complete(action, world, *, done: str, confirmed: str) -> None:
    post(
        action,
        world.partner,
        Action.Status.COMPLETE,
        done,
        completion_evidence="Signed off by the service manager.",
        lessons_learned="Book venues early.",
    )
    with at(confirmed):
        services.closure_confirm(action=action, by=world.lead)


def page(client, url) -> str:
    return client.get(url).content.decode().replace("&#x27;", "'")


def section(text: str, heading: str, after: str) -> str:
    return text.split(heading, 1)[1].split(after, 1)[0]


@pytest.fixture
def story(world):
    """An action added and closed last spring, edited this quarter; one added and closed this
    quarter; the review of this quarter (October to December 2026)."""
    with at("2026-04-10"):
        old = ActionFactory(plan=world.plan, lead_organisation=world.housing, title="Old work")
    complete(old, world, done="2026-06-10", confirmed="2026-06-15")
    with at("2026-11-02"):  # a lead corrects its title: the action is saved again, not closed
        old.title = "Old work, retitled"
        old.save()
    with at("2026-10-12"):
        fresh = ActionFactory(plan=world.plan, lead_organisation=world.housing, title="New work")
    complete(fresh, world, done="2026-10-30", confirmed="2026-11-05")
    ReviewFactory(
        plan=world.plan,
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        meets_on=date(2026, 10, 20),
    )
    world.old, world.fresh = old, fresh
    world.review = ReviewFactory(plan=world.plan, meets_on=date(2026, 12, 1))
    return world


def test_closed_and_added_are_what_happened_in_the_period_on_the_page_and_in_the_report(
    story, board_client
):
    with at(TODAY.isoformat()):
        text = page(board_client, story.review.get_absolute_url())
        context = reports.board_report_context(story.plan, year=2026, quarter=4, today=TODAY)
    closed = section(text, "Closed actions", "New risks")
    added = section(text, "New actions", "Closed actions")
    # Closed in June and saved again in November: not closed this period.
    assert "Old work" not in closed and "Old work" not in added
    assert "New work" in closed and "(closed 5 Nov 2026)" in closed
    assert "New work" in added and "(added 12 Oct 2026)" in added
    assert "From 1 October 2026 to 23 November 2026, the period so far." in text
    # The board report's quarter reads the same from the same function.
    what = context["changes"]
    assert [item.action for item in what["closed_actions"]] == [story.fresh]
    assert [item.when for item in what["closed_actions"]] == [date(2026, 11, 5)]
    assert what["new_actions"] == [story.fresh]
    with at(TODAY.isoformat()):
        page_changes = changes.what_changed(story.review, today=TODAY)
    assert page_changes["status_changes"] == what["status_changes"]


def test_the_report_lists_closed_actions_and_the_spring_review_lists_the_old_one(story):
    with at(TODAY.isoformat()):
        q2 = reports.board_report_context(story.plan, year=2026, quarter=2, today=TODAY)
        pdf = read(reports.render_board_report(story.plan, year=2026, quarter=4, today=TODAY))
    assert [item.action for item in q2["changes"]["closed_actions"]] == [story.old]
    assert q2["changes"]["new_actions"] == [story.old]
    closed = section(pdf.text, "Actions closed", "Milestones reached")
    assert story.fresh.reference in closed and "5 Nov 2026" in closed
    assert story.old.reference not in closed


def test_the_changed_column_dates_the_update_that_changed_the_status(world):
    with at("2026-07-15"):
        action = ActionFactory(plan=world.plan, lead_organisation=world.housing, title="Clinics")
    post(action, world.partner, Action.Status.ON_TRACK, "2026-11-04")
    post(action, world.partner, Action.Status.ON_TRACK, "2026-11-18", note="Second clinic.")
    with at(TODAY.isoformat()):
        context = reports.board_report_context(world.plan, year=2026, quarter=4, today=TODAY)
        pdf = read(reports.render_board_report(world.plan, year=2026, quarter=4, today=TODAY))
    [change] = context["changes"]["status_changes"]
    assert (change.before.label, change.after.label) == ("Not started", "On track")
    assert change.when == date(2026, 11, 4)
    row = section(pdf.text, "Actions whose status changed", "Actions added")
    assert f"{action.reference} Clinics Not started On track 4 Nov 2026" in row
    assert "18 Nov" not in row


def test_a_status_set_by_a_leads_edit_counts_and_a_status_set_back_does_not(world):
    with at("2026-06-01"):
        edited = ActionFactory(plan=world.plan, lead_organisation=world.housing)
        back = ActionFactory(plan=world.plan, lead_organisation=world.housing)
    with at("2026-10-09"):  # a lead's edit, with no update posted
        edited.status = Action.Status.AT_RISK
        edited.save()
    post(back, world.partner, Action.Status.AT_RISK, "2026-10-10")
    post(back, world.partner, Action.Status.NOT_STARTED, "2026-10-20")
    review = ReviewFactory(plan=world.plan)
    with at(TODAY.isoformat()):
        changed = changes.what_changed(review, today=TODAY)
    [change] = changed["status_changes"]
    assert (change.action, change.after, change.when) == (
        edited,
        Action.Status.AT_RISK,
        date(2026, 10, 9),
    )


def test_a_partnership_imported_this_quarter_has_not_changed_everything(world):
    """An import brings its actions' ``created_at`` but starts their history afresh: one
    "Added" row each, dated the import, with the state they were in."""
    with at("2026-04-10"):
        action = ActionFactory(plan=world.plan, lead_organisation=world.housing)
    complete(action, world, done="2026-06-10", confirmed="2026-06-15")
    action.refresh_from_db()
    action.history.all().delete()
    with at("2026-11-01"):
        history.record([action], created=True)
    with at(TODAY.isoformat()):
        what = reports.board_report_context(world.plan, year=2026, quarter=4, today=TODAY)
    assert what["changes"]["status_changes"] == []
    assert what["changes"]["new_actions"] == []
    assert what["changes"]["closed_actions"] == []


# The demo's own story ------------------------------------------------------------------


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    with at(TODAY.isoformat()):
        call_command("seed_demo", stdout=StringIO())
    return Plan.objects.get(title__startswith="Healthier Riverside")


def test_the_demos_history_is_dated_as_its_actions_happened(demo):
    by_reference = {action.reference: action for action in demo.actions.all()}
    for action in by_reference.values():
        latest = action.history.order_by("-history_date", "-history_id").first()
        assert (latest.status, latest.closure) == (action.status, action.closure), action
    a24 = by_reference["A-24"]
    assert a24.created_at.date() < date(2025, 4, 1)
    closed = a24.history.filter(closure=Action.Closure.CLOSED).order_by("history_date").first()
    assert closed.history_date.date() == date(2025, 9, 24)
    # Every update's status is in the history on the update's day.
    for update in a24.updates.all():
        assert a24.history.filter(history_date=update.created_at, status=update.status).exists()


def test_the_demos_review_page_and_board_report_tell_what_happened_this_quarter(demo, client):
    from improveplan.models import User

    client.force_login(User.objects.get(email="board@demo.improveplan.test"))
    review = Review.objects.get(plan=demo, signed_off_at__isnull=True)
    past = Review.objects.get(plan=demo, signed_off_at__isnull=False)
    with at(TODAY.isoformat()):
        text = page(client, review.get_absolute_url())
        past_text = page(client, past.get_absolute_url())
        q4 = reports.board_report_context(demo, year=2026, quarter=4, today=TODAY)["changes"]
        q3 = reports.board_report_context(demo, year=2026, quarter=3, today=TODAY)["changes"]
    # Added this quarter: only the action the last review (20 October) asked for.
    [added] = q4["new_actions"]
    assert added.title == "Send the falls prevention figures to the review"
    assert section(text, "New actions", "Closed actions").count("<li>") == 1
    assert "(added 20 Oct 2026)" in text
    # Nothing was closed this quarter; were closed last quarter, and A-24
    # (completed in September 2025) in neither.
    assert q4["closed_actions"] == []
    assert "A-24" not in section(text, "What changed", "Judgements")
    assert [(c.action.reference, c.when) for c in q3["closed_actions"]] == [
        ("A-01", date(2026, 8, 19)),
        ("A-05", date(2026, 8, 6)),
        ("A-12", date(2026, 7, 6)),
    ]
    assert "A-01" in section(past_text, "Closed actions", "New risks")
    # The one risk raised since the last review was opened is the one new risk.
    risks = section(text, "New risks", "Indicators that moved")
    assert "Temporary accommodation providers leave the market" in risks
    assert "Stop-smoking grant ends" not in risks
    # A-03 went on track with its update of 4 November, not its later one of 18 November.
    a03 = next(c for c in q4["status_changes"] if c.action.reference == "A-03")
    assert (a03.before.label, a03.after.label, a03.when) == (
        "Not started",
        "On track",
        date(2026, 11, 4),
    )
    assert [c.action.reference for c in q4["status_changes"]] == [
        c.action.reference for c in changes.what_changed(review, today=TODAY)["status_changes"]
    ]
