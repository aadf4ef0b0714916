"""Hostile input into the actions app's forms: criteria, options and their appraisal,
SMART actions, milestones, updates, closing an action, due dates, and the action plan's
import.

The values, the kinds of field and the checks are the core's (improveplan/tests/hostile.py,
which says what every post must do); here are the forms, and what the app adds to the world.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

import pytest
from django.conf import settings as django_settings
from django.core import signing
from django.db.models import Exists, F, Model, OuterRef, QuerySet
from django.urls import reverse
from hypothesis import strategies as st

from actions.email_links import update_link
from actions.forms import quarters_of
from actions.models import (
    Action,
    Allocation,
    Budget,
    Communication,
    Contribution,
    Criterion,
    Declaration,
    DueDateProposal,
    ExpectedEffect,
    Milestone,
    Option,
    OptionEffect,
    Scenario,
    Score,
    Stakeholder,
    Update,
)
from actions.tests.factories import (
    ActionFactory,
    CriterionFactory,
    FindingFactory,
    MilestoneFactory,
    OptionFactory,
    UpdateFactory,
)
from conftest import World
from improveplan.models import Membership, Organisation, Plan, User
from improveplan.tests.hostile import (
    BOOLEAN,
    CORE,
    DATE,
    DECIMAL,
    EXAMPLES_PER_ACTIONS_BUTTON,
    EXAMPLES_PER_ACTIONS_FORM,
    FIXED,
    LINK,
    NUMBER,
    NUMBERS,
    ONERROR,
    ORGANISATION_ID,
    RANDOM_TEXT,
    SCRIPT,
    TEXT,
    Address,
    HostileForm,
    Kind,
    Layer,
    Targets,
    Upload,
    Value,
    anonymous,
    by_pk,
    choice,
    fixed,
    foreign_or_absent_ids,
    hostile_tests_of,
    many_of,
    named,
    no_slash,
    one_of_ours,
    our,
    partner,
    targets_in,
    their,
)
from improveplan.tests.kept_rows import kept_rows
from outcomes.models import Risk
from outcomes.tests.factories import EvidenceFactory, OutcomeFactory
from outcomes.tests.test_hostile_input import FILE_EDGES, OUTCOMES, RISK_FIELDS

pytestmark = pytest.mark.django_db


def _plan_contents(plan: Plan, owner: Organisation, made: dict[str, Model]) -> dict[str, Model]:
    """Steps 4–5 of a plan, on the outcome; and a second action, awaiting confirmation that
    it is complete, that depends on the first (so that the first depending on it makes a
    circle)."""
    outcome = made["outcome"]
    action = ActionFactory(plan=plan, lead_organisation=owner)  # the partner's, in ours
    action.outcomes.add(outcome)
    second_action = ActionFactory(
        plan=plan,
        lead_organisation=owner,
        status=Action.Status.COMPLETE,
        progress=100,
        closure=Action.Closure.AWAITING,
        completion_evidence="The clinic opened.",
        lessons_learned="Start sooner.",
    )
    second_action.depends_on.add(action)
    # As if the actions had been numbered by the site, so that the next one follows them.
    Plan.objects.filter(pk=plan.pk).update(last_action_number=second_action.number)
    update = UpdateFactory(action=action, author=plan.partnership.memberships.first().user)
    # Issue 16: the second action's owner asked for more time; a lead has not answered yet.
    due_proposal = DueDateProposal.objects.create(
        action=second_action, proposed_due=date(2031, 6, 30), reason="The provider starts late."
    )
    second_option = OptionFactory(outcome=outcome, decision="favoured", decision_reason="Cheap.")
    return {
        "criterion": CriterionFactory(plan=plan),
        "option": OptionFactory(outcome=outcome, decision="favoured", decision_reason="Works."),
        "action": action,
        "second_action": second_action,
        "milestone": MilestoneFactory(action=action),
        # Issue 26: on the second action, so that the first may add one to the indicator.
        "expected_effect": ExpectedEffect.objects.create(
            action=second_action,
            indicator=made["indicator"],
            size=2,
            low=1,
            high=3,
            starts=date(2026, 4, 1),
        ),
        "scenario": Scenario.objects.create(plan=plan, name="Only the funded actions"),
        # Issue 26: a second favoured option states an effect, so that scenarios offer it and
        # the first may add one to the indicator.
        "second_option": second_option,
        "option_effect": OptionEffect.objects.create(
            option=second_option,
            indicator=made["indicator"],
            size=2,
            low=1,
            high=3,
            starts=date(2026, 4, 1),
        ),
        "update": update,
        "finding": FindingFactory(plan=plan),  # Issue 5
        "due_proposal": due_proposal,  # Issue 16
        # Issue 24: an information gap of Step 2, to become an action.
        "gap": EvidenceFactory(outcome=outcome, kind="gap", summary="Why people leave"),
        "plan_risk": Risk.objects.create(  # a risk to the whole plan
            plan=plan, description="Partners leave", likelihood=2, impact=4
        ),
        # Issue 24: the pooled budget, a partner's contribution in kind (so that a cash one
        # may be added), the outcome's allocation, and an outcome with none (to allocate to,
        # and to move money to).
        "budget": Budget.objects.create(plan=plan, amount=100_000),
        "contribution": Contribution.objects.create(
            plan=plan, organisation=owner, amount=5_000, kind=Contribution.Kind.IN_KIND
        ),
        "allocation": Allocation.objects.create(plan=plan, outcome=outcome, amount=10_000),
        "spare_outcome": OutcomeFactory(plan=plan, priority=outcome.priority + 1),
        # Issue 24: the plan's frame. The lead's own declaration, which only they withdraw.
        "stakeholder": Stakeholder.objects.create(
            plan=plan, name="Carers", interest="Respite", consultation="A forum", frequency="Yearly"
        ),
        "communication": Communication.objects.create(
            plan=plan, audience="Residents", message="The plan", channel="A leaflet", timing="May"
        ),
        "declaration": Declaration.objects.create(
            plan=plan,
            member=plan.partnership.memberships.filter(role="lead").first().user,
            interest="A trustee of a bidder",
        ),
    }


def _crossed_links() -> dict[str, QuerySet]:
    """Actions, and their options' scores, that point outside their own plan or partnership."""
    through = Action.outcomes.through.objects
    supporting = Action.supporting_organisations.through.objects
    depends = Action.depends_on.through.objects
    owners_membership = Membership.objects.filter(
        user=OuterRef("owner"), partnership=OuterRef("plan__partnership")
    )
    return {
        "lead organisation elsewhere": Action.objects.exclude(
            lead_organisation__partnership=F("plan__partnership")
        ),
        "resource provider elsewhere": Action.objects.filter(
            resource_provider__isnull=False
        ).exclude(resource_provider__partnership=F("plan__partnership")),
        "option of another plan": Action.objects.filter(option__isnull=False).exclude(
            option__outcome__plan=F("plan")
        ),
        "success indicator of another plan": Action.objects.filter(
            success_indicator__isnull=False
        ).exclude(success_indicator__plan=F("plan")),
        "owner not a member of the plan's partnership": Action.objects.filter(
            owner__isnull=False
        ).filter(~Exists(owners_membership)),
        "action's outcome of another plan": through.exclude(outcome__plan=F("action__plan")),
        "supporting organisation elsewhere": supporting.exclude(
            organisation__partnership=F("action__plan__partnership")
        ),
        "depends on an action of another plan": depends.exclude(
            to_action__plan=F("from_action__plan")
        ),
        "criterion of another plan": Score.objects.exclude(
            criterion__plan=F("option__outcome__plan")
        ),
        "gap of another plan": Action.objects.filter(source_gap__isnull=False).exclude(
            source_gap__outcome__plan=F("plan")
        ),
        "risk's outcome of another plan": Risk.objects.filter(outcome__isnull=False).exclude(
            outcome__plan=F("plan")
        ),
        "action's risk of another plan": Action.risks.through.objects.exclude(
            risk__plan=F("action__plan")
        ),
        "option's risk of another plan": Option.risks.through.objects.exclude(
            risk__plan=F("option__outcome__plan")
        ),
        "indicator of another plan": ExpectedEffect.objects.exclude(
            indicator__plan=F("action__plan")
        ),
    }


ACTIONS = Layer(
    contents=_plan_contents,
    partnership_of={
        Criterion: "plan__partnership",
        Option: "outcome__plan__partnership",
        Score: "option__outcome__plan__partnership",
        Action: "plan__partnership",
        Milestone: "action__plan__partnership",
        Update: "action__plan__partnership",
    },
    crossed_links=_crossed_links,
)
LAYERS = (CORE, OUTCOMES, ACTIONS)


@kept_rows  # built once for the tests in a row (improveplan/tests/kept_rows.py)
def targets(world: World) -> Targets:
    return targets_in(world, LAYERS)


# What the app's forms take --------------------------------------------------------------


def _action_plan_workbook(t: Targets, edit: Callable | None = None) -> Upload:
    """Our plan's action plan as downloaded, perhaps with hostile cells written into it."""
    from openpyxl import load_workbook

    from actions.spreadsheets import write_xlsx

    out = io.BytesIO()
    write_xlsx(t.ours["plan"], out)
    if edit is not None:
        workbook = load_workbook(io.BytesIO(out.getvalue()))
        edit(workbook["Open actions"])
        out = io.BytesIO()
        workbook.save(out)
    return Upload("action-plan.xlsx", out.getvalue(), "application/octet-stream")


def _hostile_row(sheet) -> None:
    sheet.append(
        [
            SCRIPT,
            ONERROR,
            "😀" * 100,
            "99",
            SCRIPT,
            "nobody@example.org",
            SCRIPT,
            "2026-02-30",
            "0000-00-00",
            SCRIPT,
            "-1",
            SCRIPT,
            "\u202e RTL",
            SCRIPT,
            SCRIPT,
            SCRIPT,
            "=1+1",
            SCRIPT,
            "@SUM(1)",
            SCRIPT,
            "101",
            "A-99, A-01",
        ]
    )


ACTION_PLAN_EDGES: dict[str, Value] = {
    "hostile-new-row": lambda t: _action_plan_workbook(t, _hostile_row),
    "their-lead-organisation": lambda t: _action_plan_workbook(
        t, lambda sheet: sheet.cell(row=2, column=5, value=t.world.other_organisation.name)
    ),
    "circle": lambda t: _action_plan_workbook(
        t, lambda sheet: sheet.cell(row=2, column=22, value=sheet.cell(row=2, column=1).value)
    ),
    "readings-file": FILE_EDGES["script-in-every-cell"],
    "broken-zip": FILE_EDGES["broken-zip"],
    "empty": FILE_EDGES["empty"],
    "png": FILE_EDGES["png"],
}

ACTION_PLAN_FILE = Kind(
    typical=lambda t: _action_plan_workbook(t),
    plausible=lambda t: st.sampled_from(list(ACTION_PLAN_EDGES.values())).map(lambda u: u(t)),
    edges=ACTION_PLAN_EDGES,
    odd=lambda t: st.sampled_from(list(ACTION_PLAN_EDGES.values())).map(lambda u: u(t)),
)


def _members(t: Targets) -> list[User]:
    w = t.world
    return [w.partner, w.lead, w.board]


OWNER = Kind(  # a member of the lead organisation; the others are refused
    typical=lambda t: str(t.world.partner.pk),
    plausible=lambda t: st.sampled_from(["", *(str(u.pk) for u in _members(t))]),
    edges={
        "other-partnerships": lambda t: str(t.world.outsider.pk),
        "another-organisations": lambda t: str(t.world.lead.pk),
        "absent": str(2**31 - 1),
        "beyond-64-bits": str(2**63),
        "sql": "1 OR 1=1",
    },
    odd=foreign_or_absent_ids,
)
PERCENT = Kind(
    typical="40",
    plausible=lambda t: st.integers(0, 100).map(str),
    edges={"101": "101", "negative": "-1", "2**63": str(2**63), "half": "50.5", "NaN": "NaN"},
    odd=lambda t: st.one_of(st.integers().map(str), st.sampled_from(NUMBERS)),
)
WEIGHT = Kind(
    typical="3",
    plausible=lambda t: st.integers(1, 10).map(str),
    edges={"zero": "0", "11": "11", "negative": "-1", "2**31": str(2**31), "NaN": "NaN"},
    odd=NUMBER.odd,
)
SCORE = Kind(
    typical="3",
    plausible=fixed(["", "0", "1", "2", "3", "4", "5"]),
    edges={"6": "6", "negative": "-1", "3.0": "3.0", "2**63": str(2**63), "word": "three"},
    odd=NUMBER.odd,
)
VERSION = Kind(  # the version the form was read at: any other is a conflict, saving nothing
    typical=lambda t: str(t.ours["action"].version),
    plausible=lambda t: st.sampled_from([str(t.ours["action"].version), "", "0", "2"]),
    edges={
        "stale": "0",
        "ahead": "99",
        "negative": "-1",
        "2**31": str(2**31),
        "2**63": str(2**63),
        "NaN": "NaN",
        "empty": "",
    },
    odd=NUMBER.odd,
)


def _pdf(name: str = "minutes.pdf", content: bytes = b"%PDF-1.7\nminutes") -> Upload:
    return Upload(name, content, "application/pdf")


EVIDENCE_FILE_EDGES: dict[str, Value] = {
    "script-file-name": lambda t: _pdf(f'{SCRIPT}"><.pdf'),
    "path-in-name": lambda t: _pdf("../../../../etc/passwd.pdf"),
    "300-character-name": lambda t: _pdf("m" * 296 + ".pdf"),
    "astral-name": lambda t: _pdf("😀\u202eevil\U0010fffd.pdf"),
    "html-as-pdf": lambda t: Upload("minutes.pdf", f"<html>{SCRIPT}</html>".encode(), "text/html"),
    "svg": lambda t: Upload("x.svg", f"<svg onload=alert(1)>{SCRIPT}</svg>".encode(), ""),
    "exe": lambda t: Upload("minutes.pdf", b"MZ\x90\x00" + bytes(100), "application/pdf"),
    "empty": lambda t: Upload("minutes.pdf", b"", "application/pdf"),
    "broken-zip": lambda t: Upload("minutes.docx", b"PK\x03\x04" + b"\xff" * 100, ""),
    "png": lambda t: Upload("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(100), "image/png"),
    "csv-with-formulas": lambda t: Upload("sums.csv", b'=HYPERLINK("https://evil.example")\n', ""),
}
EVIDENCE_FILE = Kind(
    typical=lambda t: _pdf(),
    plausible=lambda t: st.sampled_from([_pdf, *EVIDENCE_FILE_EDGES.values()]).map(
        lambda upload: upload() if upload is _pdf else upload(t)
    ),
    edges=EVIDENCE_FILE_EDGES,
)

CRITERION_FIELDS = {
    "name": named("Reach", lambda t: t.ours["criterion"].name),
    "description": TEXT,
    "weight": WEIGHT,
    "order": NUMBER,
}
OPTION_FIELDS = {
    "kind": choice(Option.Kind.values),
    "title": TEXT,
    "description": TEXT,
    "evidence": TEXT,
    "cost": DECIMAL,
    "plausibility": choice(Option.Plausibility.values),
    "is_pilot": BOOLEAN,
    "pilot_evaluation": TEXT,
    "exit_plan": TEXT,
    "risk_notes": TEXT,
    "unintended_effects": TEXT,
}
MILESTONE_FIELDS = {"title": TEXT, "due": DATE, "done": BOOLEAN}
SCENARIO_FIELDS = {
    "name": TEXT,
    # The second action states an expected effect: only such actions are offered.
    "actions": many_of(lambda t: [t.ours["second_action"]], lambda t: [t.theirs["second_action"]]),
    "options": many_of(lambda t: [t.ours["second_option"]], lambda t: [t.theirs["second_option"]]),
    "external_factors": many_of(
        lambda t: [t.ours["external_factor"]], lambda t: [t.theirs["external_factor"]]
    ),
    "agreed": BOOLEAN,
}
EFFECT_FIELDS = {
    "indicator": one_of_ours("indicator"),
    "size": DECIMAL,
    "low": DECIMAL,
    "high": DECIMAL,
    "starts": DATE,
    "build_up_months": NUMBER,
}
OUR_ORGANISATIONS = many_of(
    lambda t: [t.world.council, t.world.housing], lambda t: [t.world.other_organisation]
)
ACTION_FIELDS = {
    "title": TEXT,
    "description": TEXT,
    "outcomes": many_of(lambda t: [t.ours["outcome"]], lambda t: [t.theirs["outcome"]]),
    "option": one_of_ours("option", required=False),
    "lead_organisation": ORGANISATION_ID,
    "owner": OWNER,
    "supporting_organisations": OUR_ORGANISATIONS,
    "start": DATE,
    "due": DATE,
    "term": choice(Action.Term.values),
    "is_key": BOOLEAN,
    "resource_amount": DECIMAL,
    "resource_provider": ORGANISATION_ID,
    "staff_time": TEXT,
    "expected_outputs": TEXT,
    "expected_outcomes": TEXT,
    "success_indicator": one_of_ours("indicator", required=False),
    "success_measure": TEXT,
    "monitoring": TEXT,
    "corporate_plan_ref": TEXT,
    "status": choice(Action.Status.values),
    "progress": PERCENT,
    # On the edit page: the other action, which depends on this one, would make a circle.
    "depends_on": many_of(lambda t: [t.ours["second_action"]], lambda t: [t.theirs["action"]]),
    "version": VERSION,
}
ACTION_TYPICAL: dict[str, Value] = {
    "lead_organisation": lambda t: str(t.world.housing.pk),  # the owner's organisation
    "start": "2027-04-01",
    "due": "2028-03-31",
}
UPDATE_FIELDS = {
    "status": choice(Action.Status.values),
    "progress": PERCENT,
    "note": TEXT,
    "evidence_link": LINK,
    "evidence_file": EVIDENCE_FILE,
    "completion_evidence": TEXT,
    "lessons_learned": TEXT,
}


def _our_actions(t: Targets) -> list[int]:
    return [t.ours["action"].pk, t.ours["second_action"].pk]


def _update_pages(t: Targets) -> list[Address]:
    """The action's page posts a form; My actions posts by htmx and gets the row back, 200
    when saved and 422 (or 409, the action closed) when not."""
    path = reverse("actions:update_create", args=[t.ours["action"].pk])
    return [Address(path), Address(path, headers={"HX-Request": "true"}, accepted=200)]


def _scored_fields(t: Targets) -> dict[str, str]:
    pk = t.ours["criterion"].pk
    return {"score_<criterion>": f"score_{pk}", "note_<criterion>": f"note_{pk}"}


FORMS: dict[str, HostileForm] = {
    "actions:import_xlsx": HostileForm(
        fields={"file": ACTION_PLAN_FILE},
        **by_pk("actions:import_xlsx", own=our("plan"), foreign=their("plan")),
    ),
}
for _kind, (_parent, _fields) in {
    "criterion": ("plan", CRITERION_FIELDS),
    "option": ("outcome", OPTION_FIELDS),
    "milestone": ("action", MILESTONE_FIELDS),
    # Issue 24: the plan's risk register
    "plan_risk": (
        "plan",
        {
            "outcome": one_of_ours("outcome", required=False),
            **RISK_FIELDS,
            "threatened_actions": many_of(
                lambda t: [t.ours["action"]], lambda t: [t.theirs["action"]]
            ),
            "threatened_options": many_of(
                lambda t: [t.ours["option"]], lambda t: [t.theirs["option"]]
            ),
        },
    ),
    "expected_effect": ("action", EFFECT_FIELDS),
    "option_effect": ("option", EFFECT_FIELDS),
    "scenario": ("plan", SCENARIO_FIELDS),
    # Issue 24: partners' contributions to the pooled budget, and its allocations to outcomes
    "contribution": (
        "plan",
        {
            "organisation": ORGANISATION_ID,
            "amount": DECIMAL,
            "kind": choice(Contribution.Kind.values),
            "note": TEXT,
        },
    ),
    "allocation": ("plan", {"outcome": one_of_ours("spare_outcome"), "amount": DECIMAL}),
    # Issue 24: the plan's frame
    "stakeholder": (
        "plan",
        {
            "name": TEXT,
            "interest": TEXT,
            "consultation": TEXT,
            "frequency": TEXT,
            "relationship_holder": OWNER,
        },
    ),
    "communication": (
        "plan",
        {
            "audience": TEXT,
            "message": TEXT,
            "channel": TEXT,
            "timing": TEXT,
            "action": one_of_ours("action", required=False),
        },
    ),
}.items():
    FORMS[f"actions:{_kind}_create"] = HostileForm(
        fields=_fields,
        examples=EXAMPLES_PER_ACTIONS_FORM,
        **by_pk(f"actions:{_kind}_create", own=our(_parent), foreign=their(_parent)),
    )
    FORMS[f"actions:{_kind}_edit"] = HostileForm(
        fields=_fields,
        examples=EXAMPLES_PER_ACTIONS_FORM,
        **by_pk(f"actions:{_kind}_edit", own=our(_kind), foreign=their(_kind)),
    )
    FORMS[f"actions:{_kind}_delete"] = HostileForm(
        fields={},
        examples=EXAMPLES_PER_ACTIONS_BUTTON,
        **by_pk(f"actions:{_kind}_delete", own=our(_kind), foreign=their(_kind)),
    )
FORMS.update(
    {
        "actions:criteria_defaults": HostileForm(
            fields={},
            examples=EXAMPLES_PER_ACTIONS_BUTTON,
            **by_pk("actions:criteria_defaults", own=our("plan"), foreign=their("plan")),
        ),
        "actions:option_scores": HostileForm(
            fields={"score_<criterion>": SCORE, "note_<criterion>": TEXT},
            real_names=_scored_fields,
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("actions:option_scores", own=our("option"), foreign=their("option")),
        ),
        "actions:option_decision": HostileForm(
            fields={"decision": choice(Option.Decision.values), "decision_reason": TEXT},
            typical={"decision": Option.Decision.FAVOURED},
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("actions:option_decision", own=our("option"), foreign=their("option")),
        ),
        "actions:option_to_actions": HostileForm(
            fields={"titles": TEXT, "lead_organisation": ORGANISATION_ID},
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("actions:option_to_actions", own=our("option"), foreign=their("option")),
        ),
        "actions:gap_to_action": HostileForm(
            fields={"title": TEXT, "lead_organisation": ORGANISATION_ID},
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("actions:gap_to_action", own=our("gap"), foreign=their("gap")),
        ),
        "actions:action_create": HostileForm(
            fields=ACTION_FIELDS,
            typical=ACTION_TYPICAL,
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("actions:action_create", own=our("plan"), foreign=their("plan")),
        ),
        "actions:action_edit": HostileForm(
            fields=ACTION_FIELDS,
            typical={**ACTION_TYPICAL, "depends_on": lambda t: []},
            own_edges=("depends_on", "version"),
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("actions:action_edit", own=our("action"), foreign=their("action")),
        ),
        "actions:action_delete": HostileForm(
            fields={},
            examples=EXAMPLES_PER_ACTIONS_BUTTON,
            **by_pk("actions:action_delete", own=_our_actions, foreign=their("action")),
        ),
        "actions:update_create": HostileForm(
            fields=UPDATE_FIELDS,
            user=partner,
            typical={"status": Action.Status.ON_TRACK},
            shown_on=lambda t: (t.ours["action"].get_absolute_url(), "update_form"),
            examples=EXAMPLES_PER_ACTIONS_FORM,
            pages=_update_pages,
            refused=by_pk("actions:update_create", own=our("action"), foreign=their("action"))[
                "refused"
            ],
        ),
        # The second action awaits a lead's confirmation that it is complete; the first not.
        "actions:closure_confirm": HostileForm(
            fields={},
            examples=EXAMPLES_PER_ACTIONS_BUTTON,
            **by_pk("actions:closure_confirm", own=_our_actions, foreign=their("action")),
        ),
        "actions:closure_return": HostileForm(
            fields={"reason": TEXT},
            shown_on=lambda t: (t.ours["second_action"].get_absolute_url(), "return_form"),
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk(
                "actions:closure_return",
                own=lambda t: [t.ours["second_action"].pk, t.ours["action"].pk],
                foreign=their("action"),
            ),
        ),
        "actions:milestone_toggle": HostileForm(
            fields={},
            user=partner,
            examples=EXAMPLES_PER_ACTIONS_BUTTON,
            **by_pk("actions:milestone_toggle", own=our("milestone"), foreign=their("milestone")),
        ),
        # Issue 16: a partner asks for a new due date; a lead answers.
        "actions:due_date_propose": HostileForm(
            fields={"proposed_due": DATE, "reason": TEXT},
            user=partner,
            shown_on=lambda t: (t.ours["action"].get_absolute_url(), "due_form"),
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("actions:due_date_propose", own=our("action"), foreign=their("action")),
        ),
        # Issue 24: spend in a quarter; the quarter is one of the plan's own.
        "actions:spend_record": HostileForm(
            fields={"quarter": TEXT, "amount": DECIMAL, "note": TEXT},
            typical={
                "quarter": lambda t: quarters_of(t.ours["plan"], today=date.today())[-1][0],
            },
            user=partner,
            shown_on=lambda t: (t.ours["action"].get_absolute_url(), "spend_form"),
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("actions:spend_record", own=our("action"), foreign=their("action")),
        ),
        # Issue 24: the pooled budget, and money moved between outcomes
        "actions:budget_edit": HostileForm(
            fields={"amount": DECIMAL, "note": TEXT},
            typical={"amount": "200000"},
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("actions:budget_edit", own=our("plan"), foreign=their("plan")),
        ),
        "actions:money_move": HostileForm(
            fields={
                "from_outcome": one_of_ours("outcome"),
                "to_outcome": one_of_ours("spare_outcome"),
                "amount": DECIMAL,
                "reason": TEXT,
            },
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("actions:money_move", own=our("plan"), foreign=their("plan")),
        ),
        # Issue 24: the plan's frame
        "actions:communication_to_action": HostileForm(
            fields={"title": TEXT, "lead_organisation": ORGANISATION_ID},
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk(
                "actions:communication_to_action",
                own=our("communication"),
                foreign=their("communication"),
            ),
        ),
        "actions:declaration_create": HostileForm(
            fields={"option": one_of_ours("option", required=False), "interest": TEXT},
            user=partner,
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk("actions:declaration_create", own=our("plan"), foreign=their("plan")),
        ),
        "actions:declaration_withdraw": HostileForm(
            fields={},
            examples=EXAMPLES_PER_ACTIONS_BUTTON,
            **by_pk(
                "actions:declaration_withdraw", own=our("declaration"), foreign=their("declaration")
            ),
        ),
        "actions:declaration_exclude": HostileForm(
            fields={},
            extra={"excluded": choice(["yes", "no"])},  # the button's value
            examples=EXAMPLES_PER_ACTIONS_BUTTON,
            **by_pk(
                "actions:declaration_exclude", own=our("declaration"), foreign=their("declaration")
            ),
        ),
        "actions:due_date_answer": HostileForm(
            fields={"answer": choice(["accept", "decline"]), "answer_reason": TEXT},
            shown_on=lambda t: (t.ours["second_action"].get_absolute_url(), "answer_form"),
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk(
                "actions:due_date_answer",
                own=our("due_proposal"),
                foreign=their("due_proposal"),
            ),
        ),
    }
)


# Issue 23: a reminder's link to post one update without signing in, for the partner's action.
def _update_links(t: Targets) -> list[Address]:
    link = update_link(t.ours["action"].pk, t.world.partner.pk)
    return [Address(link.removeprefix(django_settings.SITE_URL))]


def _broken_update_links(t: Targets) -> st.SearchStrategy[Address]:
    """Links for another person, for the other partnership's action, forged and mangled."""
    ours = update_link(t.ours["action"].pk, t.world.partner.pk).rsplit("/", 2)[-2]
    forged = [
        update_link(t.ours["action"].pk, t.world.board.pk).rsplit("/", 2)[-2],  # may not
        update_link(t.theirs["action"].pk, t.world.partner.pk).rsplit("/", 2)[-2],
        signing.dumps({"a": t.ours["action"].pk, "u": t.world.partner.pk, "t": 0}),
        ours[:-2] + ("AA" if not ours.endswith("AA") else "BB"),
        str(t.ours["action"].pk),
    ]
    tokens = st.one_of(st.sampled_from(forged), st.sampled_from(FIXED), RANDOM_TEXT)
    return tokens.map(
        lambda token: Address(
            reverse("actions:update_from_email", args=[no_slash(token)]), status=410
        )
    )


FORMS["actions:update_from_email"] = HostileForm(
    fields={name: kind for name, kind in UPDATE_FIELDS.items() if name != "evidence_file"},
    user=anonymous,
    typical={"status": Action.Status.ON_TRACK},
    examples=EXAMPLES_PER_ACTIONS_FORM,
    pages=_update_links,
    refused=_broken_update_links,
)


# The tests ------------------------------------------------------------------------------

(
    _write_example_counts,
    test_the_registry_names_every_field_the_form_takes,
    test_each_form_accepts_its_typical_input,
    test_each_edge_value_in_each_field,
    test_hostile_input_is_refused_or_saved_safely,
) = hostile_tests_of(FORMS)
