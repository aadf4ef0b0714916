"""Indicator statuses in the reports: an override marks an indicator, never hides it, and work
that is done or stopped is no response to an indicator going off track."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from actions.models import Action
from actions.tests.factories import ActionFactory
from outcomes.models import Indicator
from outcomes.status import indicator_reports
from reports import reports
from reports.tests.pdf import read

pytestmark = pytest.mark.django_db

TODAY = date(2026, 8, 14)


@pytest.fixture
def planned(planned):
    """The shared plan, its indicator a score: unbounded, so its forecast is the plain straight
    line whatever bounded indicators' forecasts do."""
    planned.indicator.unit = Indicator.Unit.SCORE
    planned.indicator.save()
    return planned


def render(plan, kind: str) -> str:
    return read(reports.render_report(plan, kind=kind, year=2026, quarter=3, today=TODAY)).text


def between(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def overrule(indicator, status: str, reason: str, by) -> None:
    indicator.status_override = status
    indicator.override_reason = reason
    indicator.overridden_by = by
    indicator.overridden_at = timezone.make_aware(timezone.datetime(2026, 8, 3, 10))
    indicator.save()


def test_the_planned_indicator_is_computed_off_track(planned):
    [report] = indicator_reports(planned.plan.indicators.all(), today=TODAY)
    assert report.computed_status == "off_track"
    assert "about a 27% chance of meeting it" in report.judgement.sentence


def test_an_indicator_set_on_track_stays_in_the_board_reports_exceptions_with_who_when_why(
    planned,
):
    overrule(planned.indicator, "on_track", "New clinics open in September.", planned.lead)

    text = render(planned.plan, "board")

    exceptions = between(text, "Indicators off track or at risk", "Actions off track or at risk")
    assert "Adults who smoke" in exceptions
    override = (
        "On track (set by Lena Lead on 3 August 2026 instead of the computed “Off track”; "
        "reason: “New clinics open in September.”) Based on only 3 readings (a trend needs 5): "
        "forecast "
    )
    assert override in exceptions
    # Wherever the report shows the status (the exceptions and the outcome's own page), the
    # computed one, who, when and why are beside it: "On track" never stands alone beside
    # "about a 27% chance".
    assert text.count(override) == 2
    assert text.count("On track (") == 2
    assert "A lead set the status of 1 indicator." in text
    assert "Indicators by status Status Indicators Off track 1 At risk 0 On track 0" in text


def test_the_public_summary_never_says_better_than_the_computed_status(planned):
    overrule(planned.indicator, "on_track", "New clinics open in September.", planned.lead)

    text = render(planned.plan, "public")

    assert "On course to reach our aim" not in text
    assert "Not on course yet: we are doing more" in text
    assert "New clinics open" not in text and "Lena Lead" not in text


def test_a_lead_may_flag_an_indicator_worse_than_computed(planned):
    overrule(planned.indicator, "on_track", "Placeholder", planned.lead)  # a reason is required
    [report] = indicator_reports(planned.plan.indicators.all(), today=TODAY)
    assert report.cautious_status == "off_track"
    overrule(planned.indicator, "not_enough_data", "The survey changed its question.", planned.lead)
    [report] = indicator_reports(planned.plan.indicators.all(), today=TODAY)
    assert report.cautious_status == "off_track"  # "too early to say" hides nothing either


@pytest.mark.parametrize(
    "statuses",
    [
        [Action.Status.COMPLETE],
        [Action.Status.CANCELLED],
        [Action.Status.COMPLETE, Action.Status.CANCELLED],
    ],
)
def test_an_off_track_indicator_served_only_by_done_or_stopped_work_needs_a_decision(
    planned, statuses
):
    planned.action.status = statuses[0]
    planned.action.save()
    for status in statuses[1:]:
        ActionFactory(plan=planned.plan, status=status).outcomes.add(planned.outcome)

    text = render(planned.plan, "board")

    asked = "Adults who smoke: it is off track and no action in progress"
    assert text.count(asked) == 2  # in the report's decisions, and under the outcome


def test_a_live_action_is_a_response(planned):
    planned.action.status = Action.Status.ON_TRACK
    planned.action.save()
    ActionFactory(plan=planned.plan, status=Action.Status.CANCELLED).outcomes.add(planned.outcome)

    text = render(planned.plan, "board")

    assert "What to do about" not in text
