"""Titles and names are one line, on every form and import; every email subject is folded onto
one line, whatever it is built from (a title saved before this rule, say)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import models
from django.urls import reverse

from actions.models import Action
from actions.tests.test_spreadsheets import actions, add_row, exported, import_it  # noqa: F401
from improveplan.models import Plan
from improveplan.tests.test_portability import export, forget, table_counts, write
from improveplan.text import ONE_LINE_MESSAGE, email_subject, one_line

pytestmark = pytest.mark.django_db

EVIL = "Evil plan\r\nBcc: everyone@example.org"
# Every title and name a person types, by model: the rule must cover each.
TITLES = {
    "improveplan.Partnership": "name",
    "improveplan.Organisation": "name",
    "improveplan.User": "full_name",
    "improveplan.Plan": "title",
    "outcomes.Indicator": "name",
    "outcomes.Comparator": "name",
    "actions.Criterion": "name",
    "actions.Option": "title",
    "actions.Action": "title",
    "actions.Milestone": "title",
    "reviews.HealthCheck": "title",
    "reviews.PeerReviewer": "name",
    "improveplan.SignUp": "name",
    "outcomes.ExternalFactor": "name",
    "actions.Scenario": "name",
    "actions.Stakeholder": "name",
}


@pytest.mark.parametrize(("model", "field"), TITLES.items())
def test_every_title_and_name_refuses_a_line_break(model, field):
    # On the model field, so every model form (and the admin) refuses it too.
    assert one_line in apps.get_model(model)._meta.get_field(field).validators


def test_the_forms_that_are_not_model_forms_refuse_it_too():
    from improveplan.forms import NewMemberForm
    from reviews.forms import PeerInviteForm

    assert one_line in PeerInviteForm.base_fields["name"].validators
    assert one_line in NewMemberForm.base_fields["full_name"].validators


def test_no_title_or_name_field_is_left_out():
    """A new model with a title or name joins TITLES (and so gets the rule)."""
    found = {
        f"{model._meta.label}": field.name
        for model in apps.get_models()
        if not model.__name__.startswith("Historical")
        and model._meta.app_label in {"improveplan", "outcomes", "actions", "methods", "reviews"}
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField)
        and not field.choices
        and field.name in {"title", "name", "full_name"}
    }
    assert found == TITLES


@pytest.mark.parametrize("breaks", ["\r\n", "\n", "\r", "\u2028", "\x0b"])
def test_the_plan_form_refuses_a_title_on_two_lines_and_changes_nothing(lead_client, world, breaks):
    before = world.plan.title
    response = lead_client.post(
        reverse("improveplan:plan_edit", args=[world.plan.pk]),
        {
            "title": f"Evil plan{breaks}Bcc: everyone@example.org",
            "period_start": "2026-04-01",
            "period_end": "2029-03-31",
            "method": world.plan.method,
            "max_outcomes": 7,
            "max_actions_per_outcome": 7,
        },
    )
    assert response.status_code == 200
    assert ONE_LINE_MESSAGE in response.content.decode()
    world.plan.refresh_from_db()
    assert world.plan.title == before


def test_a_new_plan_with_a_title_on_two_lines_is_refused(lead_client, world):
    response = lead_client.post(
        reverse("improveplan:plan_create", args=[world.partnership.pk]),
        {"title": EVIL, "period_start": "2026-04-01", "period_end": "2029-03-31"},
    )
    assert response.status_code == 200
    assert ONE_LINE_MESSAGE in response.content.decode()
    assert not Plan.objects.filter(title__startswith="Evil").exists()


def test_an_action_title_on_two_lines_is_refused(lead_client, world):
    response = lead_client.post(
        reverse("actions:action_create", args=[world.plan.pk]),
        {
            "title": EVIL,
            "lead_organisation": world.council.pk,
            "term": "short",
            "status": "not_started",
            "progress": 0,
        },
    )
    assert response.status_code == 200
    assert ONE_LINE_MESSAGE in response.content.decode()
    assert not Action.objects.exists()


def test_the_action_plan_import_refuses_a_title_on_two_lines(world, actions):  # noqa: F811
    workbook = exported(world.plan)
    row = add_row(workbook, title=EVIL, lead_organisation="Riverside Council", term="Short")
    count = Action.objects.count()
    result = import_it(world, workbook)
    assert not result.ok
    [error] = result.errors
    assert (error.row, error.column) == (row, "title")
    assert "must be on one line" in error.message
    assert Action.objects.count() == count


def test_the_partnership_import_refuses_a_title_on_two_lines(world, tmp_path):
    path = tmp_path / "riverside.zip"
    data = export(world.partnership, path)
    forget(world.partnership)
    data["objects"]["improveplan.plan"][0]["title"] = EVIL
    write(path, data)
    counts = table_counts()
    with pytest.raises(CommandError, match="line break in its title, which must be on one line"):
        call_command("import_partnership", str(path), stdout=StringIO())
    assert table_counts() == counts


# Email subjects ---------------------------------------------------------------------------


def test_a_subject_is_folded_onto_one_line():
    assert email_subject(f"  You are invited to challenge {EVIL}\n") == (
        "You are invited to challenge Evil plan Bcc: everyone@example.org"
    )
    assert email_subject("A\u2028B\x0bC\x85D") == "A B C D"


def test_a_title_saved_before_the_rule_still_gets_its_invitations_sent(
    lead_client, world, smtp_server, django_capture_on_commit_callbacks
):
    """A plan title with a line break, as older versions accepted: the peer invitation used
    to fail with BadHeaderError (a 500) and leave the reviewer half-invited."""
    Plan.objects.filter(pk=world.plan.pk).update(title=EVIL)
    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(
            reverse("reviews:peer_invite", args=[world.plan.pk]),
            {"name": "Rita Reviewer", "email": "rita@elsewhere.example.org", "days": "30"},
        )
    assert response.status_code == 302
    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == (
        "You are invited to challenge Evil plan Bcc: everyone@example.org on ImprovePlan"
    )
    assert message["Bcc"] is None
    assert mail.outbox == []  # it went over SMTP, not to the test outbox
