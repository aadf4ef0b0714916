"""The access sweep: every URL the project defines, tried by everyone who should not get in.

Adding a URL pattern without an entry in ROUTES fails ``test_every_url_is_in_the_sweep``,
so every later feature inherits these checks. For each route the sweep checks that
- an anonymous visitor is sent to sign in (unless the page is public);
- a member of another partnership gets 404 for this partnership's ids, by GET and by POST,
  and changes nothing;
- a board member's (and, where only leads may write, a partner's) POST gets 403;
- ids of another partnership's objects handed in through form fields are refused with a
  message, and nothing is saved.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse

from actions.models import (
    Allocation,
    Budget,
    Communication,
    Contribution,
    Declaration,
    DueDateProposal,
    ExpectedEffect,
    OptionEffect,
    Scenario,
    Stakeholder,
)
from actions.tests.factories import (
    ActionFactory,
    CriterionFactory,
    FindingFactory,
    MilestoneFactory,
    OptionFactory,
    UpdateFactory,
)
from actions.versions import plan_agree
from api.services import token_create
from comments.tests.factories import CommentFactory
from conftest import World
from improveplan import notifications
from improveplan.models import Invitation, Notification, Role
from improveplan.tests.factories import InvitationFactory, UserFactory
from improveplan.tests.kept_rows import kept_rows
from improveplan.tests.rows import tables
from outcomes.models import ExternalFactor, ImportJob
from outcomes.tests.factories import (
    AchievementFactory,
    ComparatorFactory,
    ComparatorReadingFactory,
    EvidenceFactory,
    IndicatorFactory,
    OutcomeFactory,
    ReadingFactory,
    RiskFactory,
    TargetFactory,
)
from reviews.tests.factories import HealthCheckFactory, PeerReviewerFactory, ReviewFactory

pytestmark = pytest.mark.django_db

Kwargs = Callable[[World], dict]


@dataclass(frozen=True)
class Route:
    kwargs: Kwargs | None = None  # how to name this partnership's object; None: no object id
    public: bool = False  # anyone may open it: sign-in, password reset, invitation links
    writes: bool = False  # a POST changes something
    partner_writes: bool = False  # partners may write through it (their organisation's things)
    get: bool = True  # answers GET; False for POST-only buttons
    foreign_fields: Kwargs | None = None  # a POST whose id fields name the other partnership's
    board_writes: bool = False  # only board members may post it (signing off a review)
    # Only the one person it belongs to may open it (a peer reviewer's own answers); the
    # partnership's members get 404 like anyone else (reviews/tests/test_peer_challenge.py).
    own_only: bool = False
    # Only the member who made it and the leads may open it (an import's progress page);
    # other members get 403 (actions/tests/test_import_jobs.py).
    sender_and_leads: bool = False
    # Only a request that brings METRICS_TOKEN gets it (the metrics for Prometheus); to
    # everyone else, signed in or not, site administrators too, it does not exist.
    token_only: bool = False
    # The API (issue 23): asks for a token (401) rather than sending to the sign-in page, and
    # is swept with tokens of every role below (test_every_api_route_for_every_role).
    api: bool = False


def _partnership(w: World) -> dict:
    return {"pk": w.partnership.pk}


def _plan(w: World) -> dict:
    return {"pk": w.plan.pk}


def _partner_membership(w: World) -> dict:
    return {"pk": w.membership(w.partner).pk}


def _invitation(w: World) -> dict:
    return {"pk": Invitation.objects.get(partnership=w.partnership).pk}


def _import_job(w: World) -> dict:
    job, _ = ImportJob.objects.get_or_create(
        plan=w.plan,
        user=w.partner,
        kind=ImportJob.Kind.READINGS,
        defaults={"file_name": "readings.csv", "status": ImportJob.Status.DONE},
    )
    return {"pk": job.pk}


def _waiting_import_job(w: World) -> dict:
    job, _ = ImportJob.objects.get_or_create(
        plan=w.plan,
        user=w.partner,
        kind=ImportJob.Kind.READINGS,
        status=ImportJob.Status.MAPPING,
        defaults={
            "file_name": "profile.csv",
            "options": {"survey": {"indicators": [["90366", "Life expectancy", 1]], "areas": []}},
        },
    )
    return {"pk": job.pk}


def _agreed_version(w: World) -> dict:
    version = w.plan.versions.first() or plan_agree(plan=w.plan, by=w.lead)
    return {"pk": w.plan.pk, "number": version.number}


def crud_routes(
    kind: str, *, parent: Kwargs, own, partner_writes=False, foreign_fields=None, app="outcomes"
):
    """The add, edit and delete pages of one kind of thing (improveplan/items.py)."""
    return {
        f"{app}:{kind}_create": Route(
            kwargs=parent, writes=True, partner_writes=partner_writes, foreign_fields=foreign_fields
        ),
        f"{app}:{kind}_edit": Route(
            kwargs=lambda w: {"pk": own(w).pk},
            writes=True,
            partner_writes=partner_writes,
            foreign_fields=foreign_fields,
        ),
        f"{app}:{kind}_delete": Route(
            kwargs=lambda w: {"pk": own(w).pk}, writes=True, partner_writes=partner_writes
        ),
    }


ROUTES: dict[str, Route] = {
    # The partnership core
    "improveplan:home": Route(),
    "improveplan:partnership": Route(kwargs=_partnership),
    "improveplan:organisation_create": Route(kwargs=_partnership, writes=True),
    "improveplan:organisation_edit": Route(kwargs=lambda w: {"pk": w.council.pk}, writes=True),
    "improveplan:invitation_create": Route(
        kwargs=_partnership,
        writes=True,
        foreign_fields=lambda w: {
            "email": "newcomer@example.org",
            "organisation": w.other_organisation.pk,
            "role": Role.PARTNER,
        },
    ),
    "improveplan:invitation_resend": Route(kwargs=_invitation, writes=True, get=False),
    "improveplan:invitation_cancel": Route(kwargs=_invitation, writes=True, get=False),
    "improveplan:invitation_accept": Route(public=True),  # a signed token, tested on its own
    "improveplan:membership_edit": Route(
        kwargs=_partner_membership,
        writes=True,
        foreign_fields=lambda w: {"role": Role.PARTNER, "organisation": w.other_organisation.pk},
    ),
    "improveplan:membership_remove": Route(kwargs=_partner_membership, writes=True),
    "improveplan:plan_create": Route(kwargs=_partnership, writes=True),
    "improveplan:plan": Route(kwargs=_plan),
    "outcomes:relationships": Route(kwargs=_plan),  # Issue 26
    "improveplan:plan_edit": Route(kwargs=_plan, writes=True),
    # Steps 1–3: outcomes and what hangs off them
    "outcomes:outcome": Route(kwargs=lambda w: {"pk": w.outcome.pk}),
    "outcomes:readings_import": Route(kwargs=_plan, writes=True, partner_writes=True),
    "outcomes:readings_export": Route(kwargs=_plan),
    "outcomes:import_job": Route(kwargs=_import_job, sender_and_leads=True),
    # A profiles download waiting for a lead to match it: only leads may (issue 17).
    "outcomes:import_mapping": Route(kwargs=_waiting_import_job, writes=True),
    "outcomes:readings_grid": Route(
        kwargs=lambda w: {"pk": w.indicator.pk}, writes=True, partner_writes=True
    ),
    "outcomes:indicator": Route(kwargs=lambda w: {"pk": w.indicator.pk}),
    "outcomes:indicator_status": Route(
        kwargs=lambda w: {"pk": w.indicator.pk}, writes=True, get=False
    ),
    **crud_routes("outcome", parent=_plan, own=lambda w: w.outcome),
    **crud_routes(
        "indicator",
        parent=lambda w: {"pk": w.outcome.pk},
        own=lambda w: w.indicator,
        foreign_fields=lambda w: {
            "code": "X-1",
            "name": "Smoking",
            "kind": "population",
            "unit": "percent",
            "direction": "lower",
            "frequency": "annual",
            "owner": w.other_organisation.pk,
        },
    ),
    **crud_routes(
        "reading",
        parent=lambda w: {"pk": w.indicator.pk},
        own=lambda w: w.reading,
        partner_writes=True,
    ),
    **crud_routes("target", parent=lambda w: {"pk": w.indicator.pk}, own=lambda w: w.target),
    # Issue 26: what is expected of actions and of changes outside the partnership's control.
    **crud_routes(
        "external_factor", parent=lambda w: {"pk": w.indicator.pk}, own=lambda w: w.external_factor
    ),
    **crud_routes(
        "expected_effect",
        parent=lambda w: {"pk": w.action.pk},
        own=lambda w: w.expected_effect,
        app="actions",
    ),
    **crud_routes(
        "option_effect",
        parent=lambda w: {"pk": w.option.pk},
        own=lambda w: w.option_effect,
        app="actions",
    ),
    **crud_routes("scenario", parent=_plan, own=lambda w: w.scenario, app="actions"),
    # Issue 24: the plan's money: pooled budget, contributions, allocations, money moved.
    "actions:money": Route(kwargs=_plan),
    "actions:money_history": Route(kwargs=_plan),
    "actions:budget_edit": Route(kwargs=_plan, writes=True),
    "actions:money_move": Route(kwargs=_plan, writes=True),
    **crud_routes(
        "contribution",
        parent=_plan,
        own=lambda w: w.contribution,
        app="actions",
        foreign_fields=lambda w: {
            "organisation": w.other_organisation.pk,
            "amount": "100",
            "kind": "cash",
        },
    ),
    **crud_routes("allocation", parent=_plan, own=lambda w: w.allocation, app="actions"),
    "actions:scenarios": Route(kwargs=_plan),
    **crud_routes(
        "comparator", parent=lambda w: {"pk": w.indicator.pk}, own=lambda w: w.comparator
    ),
    **crud_routes(
        "comparator_reading",
        parent=lambda w: {"pk": w.comparator.pk},
        own=lambda w: w.comparator_reading,
    ),
    **crud_routes(
        "evidence",
        parent=lambda w: {"pk": w.outcome.pk},
        own=lambda w: w.evidence,
        foreign_fields=lambda w: {
            "kind": "intervention",
            "summary": "Stop smoking",
            "lead_organisation": w.other_organisation.pk,
        },
    ),
    **crud_routes("risk", parent=lambda w: {"pk": w.outcome.pk}, own=lambda w: w.risk),
    # Steps 4–5: options and actions
    "actions:my_actions": Route(),
    "actions:plan": Route(kwargs=_plan),
    "actions:action_create": Route(
        kwargs=_plan,
        writes=True,
        foreign_fields=lambda w: {
            "title": "Open a clinic",
            "lead_organisation": w.other_organisation.pk,
            "term": "short",
            "status": "not_started",
            "progress": 0,
        },
    ),
    "actions:criteria": Route(kwargs=_plan),
    "actions:smart_preview": Route(kwargs=_plan),
    "actions:timeline": Route(kwargs=_plan),
    "actions:golden_thread": Route(kwargs=_plan),
    "actions:export_xlsx": Route(kwargs=_plan),
    "actions:export_csv": Route(kwargs=_plan),
    "actions:import_xlsx": Route(kwargs=_plan, writes=True),
    "actions:criteria_defaults": Route(kwargs=_plan, writes=True, get=False),
    "actions:appraisal": Route(kwargs=lambda w: {"pk": w.outcome.pk}),
    "actions:option_scores": Route(kwargs=lambda w: {"pk": w.option.pk}, writes=True),
    "actions:option_decision": Route(kwargs=lambda w: {"pk": w.option.pk}, writes=True),
    "actions:option_to_actions": Route(
        kwargs=lambda w: {"pk": w.option.pk},
        writes=True,
        foreign_fields=lambda w: {"titles": "One", "lead_organisation": w.other_organisation.pk},
    ),
    "actions:action": Route(kwargs=lambda w: {"pk": w.action.pk}),
    # Issue 24: the plan's risk register, and an information gap becomes an action
    "actions:risk_register": Route(kwargs=_plan),
    # Issue 24: the plan's frame (foreign ids: actions/tests/test_plan_frame.py)
    "actions:plan_frame": Route(kwargs=_plan),
    "actions:plan_frame_history": Route(kwargs=_plan),
    **crud_routes("stakeholder", parent=_plan, own=lambda w: w.stakeholder, app="actions"),
    **crud_routes("communication", parent=_plan, own=lambda w: w.communication, app="actions"),
    "actions:communication_to_action": Route(
        kwargs=lambda w: {"pk": w.communication.pk},
        writes=True,
        foreign_fields=lambda w: {"title": "Tell", "lead_organisation": w.other_organisation.pk},
    ),
    "actions:declaration_create": Route(kwargs=_plan, writes=True, partner_writes=True),
    "actions:declaration_withdraw": Route(  # the lead's own: no one else may withdraw it
        kwargs=lambda w: {"pk": w.declaration.pk}, writes=True, get=False
    ),
    "actions:declaration_exclude": Route(
        kwargs=lambda w: {"pk": w.declaration.pk}, writes=True, get=False
    ),
    "reviews:lessons": Route(kwargs=_partnership),
    **crud_routes(
        "plan_risk",
        parent=_plan,
        own=lambda w: w.risk,
        app="actions",
    ),  # it names no organisation: actions/tests/test_risk_register.py tries foreign ids
    "actions:gap_to_action": Route(
        kwargs=lambda w: {"pk": w.gap.pk},
        writes=True,
        foreign_fields=lambda w: {
            "title": "Find out",
            "lead_organisation": w.other_organisation.pk,
        },
    ),
    "actions:action_edit": Route(
        kwargs=lambda w: {"pk": w.action.pk},
        writes=True,
        foreign_fields=lambda w: {
            "title": "Open a clinic",
            "lead_organisation": w.other_organisation.pk,
            "term": "short",
            "status": "not_started",
            "progress": 0,
            "version": w.action.version,
        },
    ),
    "actions:action_delete": Route(kwargs=lambda w: {"pk": w.action.pk}, writes=True),
    "actions:update_create": Route(
        kwargs=lambda w: {"pk": w.action.pk}, writes=True, partner_writes=True, get=False
    ),
    "actions:update_form": Route(kwargs=lambda w: {"pk": w.action.pk}),
    "actions:closure_confirm": Route(kwargs=lambda w: {"pk": w.action.pk}, writes=True, get=False),
    "actions:closure_return": Route(kwargs=lambda w: {"pk": w.action.pk}, writes=True, get=False),
    "actions:milestone_toggle": Route(
        kwargs=lambda w: {"pk": w.milestone.pk}, writes=True, partner_writes=True, get=False
    ),
    "actions:evidence": Route(kwargs=lambda w: {"pk": w.update.pk}),
    **crud_routes("criterion", parent=_plan, own=lambda w: w.criterion, app="actions"),
    **crud_routes(
        "option", parent=lambda w: {"pk": w.outcome.pk}, own=lambda w: w.option, app="actions"
    ),
    **crud_routes(
        "milestone", parent=lambda w: {"pk": w.action.pk}, own=lambda w: w.milestone, app="actions"
    ),
    # Reports
    "reports:board_report": Route(kwargs=_plan),
    # Accounts
    "login": Route(public=True),
    "logout": Route(public=True, get=False),
    "password_change": Route(),
    "password_change_done": Route(),
    "password_reset": Route(public=True),
    "password_reset_done": Route(public=True),
    "password_reset_confirm": Route(public=True),
    "password_reset_complete": Route(public=True),
    # Operations
    "healthz": Route(public=True),
    # Issue 20: readiness for load balancers; figures for Prometheus
    "readyz": Route(public=True),
    "metrics": Route(token_only=True),
    # Issue 8: the accessibility statement
    "improveplan:accessibility": Route(public=True),
    # Issue 5: the Five Steps walk, policy proofing and the other methods' lenses
    "methods:walk_step": Route(kwargs=lambda w: {"pk": w.outcome.pk, "step": 1}),
    "methods:proofing": Route(kwargs=lambda w: {"pk": w.outcome.pk}),
    "methods:proofing_edit": Route(kwargs=lambda w: {"pk": w.outcome.pk}, writes=True),
    "methods:still_to_do": Route(kwargs=_plan),
    "methods:rba": Route(kwargs=_plan),
    "methods:turn_the_curve": Route(kwargs=lambda w: {"pk": w.indicator.pk}),
    "methods:leap": Route(kwargs=_plan),
    "methods:future_basing": Route(kwargs=_plan),
    "methods:achievement_actions": Route(  # Issue 24: each achievement's key action
        kwargs=lambda w: {"pk": w.achievement.pk}, writes=True
    ),
    "methods:care_service": Route(kwargs=_plan),
    **crud_routes(
        "achievement",
        parent=lambda w: {"pk": w.outcome.pk},
        own=lambda w: w.achievement,
        app="methods",
    ),
    **crud_routes("finding", parent=_plan, own=lambda w: w.finding, app="methods"),
    # Issue 5: plan versions and the history of changes
    "improveplan:plan_agree": Route(kwargs=_plan, writes=True),
    "improveplan:plan_archive": Route(kwargs=_plan, writes=True, get=False),
    "improveplan:plan_reopen": Route(kwargs=_plan, writes=True, get=False),
    "improveplan:plan_versions": Route(kwargs=_plan),
    "improveplan:plan_history": Route(kwargs=_plan),  # Issue 24
    # Issue 24: next year's plan and templates, a lead's alone.
    "reviews:plan_carry_forward": Route(kwargs=_plan, writes=True),
    "reviews:plan_template": Route(kwargs=_plan, writes=True, get=False),
    "reviews:plan_from_template": Route(kwargs=_partnership, writes=True),
    # A lead or partner signs up for their own organisation (no id of it in the form).
    "improveplan:plan_sign_up": Route(
        kwargs=lambda w: {"pk": _agreed_version(w)["pk"]}, writes=True, partner_writes=True
    ),
    "improveplan:plan_version": Route(kwargs=lambda w: _agreed_version(w)),
    "outcomes:outcome_history": Route(kwargs=lambda w: {"pk": w.outcome.pk}),
    "outcomes:indicator_history": Route(kwargs=lambda w: {"pk": w.indicator.pk}),
    "actions:action_history": Route(kwargs=lambda w: {"pk": w.action.pk}),
    # Issue 6: reviews and reminders
    "reviews:reviews": Route(kwargs=_plan),
    "reviews:review": Route(kwargs=lambda w: {"pk": w.review.pk}),
    "reviews:preferences": Route(),  # the signed-in person's own settings
    "reviews:schedule": Route(kwargs=_plan, writes=True, get=False),
    "reviews:review_create": Route(kwargs=_plan, writes=True),
    "reviews:review_edit": Route(kwargs=lambda w: {"pk": w.review.pk}, writes=True),
    "reviews:review_judge": Route(kwargs=lambda w: {"pk": w.review.pk}, writes=True),
    "reviews:decision_create": Route(kwargs=lambda w: {"pk": w.review.pk}, writes=True),
    "reviews:review_sign_off": Route(
        kwargs=lambda w: {"pk": w.review.pk}, writes=True, get=False, board_writes=True
    ),
    "reviews:reading_correct": Route(kwargs=lambda w: {"pk": w.reading.pk}, writes=True),
    "reviews:up_to_date": Route(kwargs=_plan),  # every member reads; a lead sends reminders
    "reviews:remind_behind": Route(kwargs=_plan, writes=True, get=False),
    # a lead sends their partnership's failed reminders of a day again
    "reviews:resend_failed": Route(kwargs=_plan, writes=True, get=False),
    "reviews:health_checks": Route(kwargs=_partnership),
    "reviews:health_check_create": Route(kwargs=_partnership, writes=True),
    "reviews:health_check": Route(kwargs=lambda w: {"pk": w.health_check.pk}),
    "reviews:health_check_score": Route(  # every member scores, whatever their role
        kwargs=lambda w: {"pk": w.health_check.pk},
        writes=True,
        partner_writes=True,
        board_writes=True,
    ),
    # Issue 7: the delivery plan and the public summary as PDFs (the board report is above)
    "reports:delivery_plan": Route(kwargs=_plan),
    "reports:public_summary": Route(kwargs=_plan),
    # Issue 6: peer challenge (what a peer reviewer may reach: reviews/tests/test_peer_challenge.py)
    "reviews:peer_challenge": Route(kwargs=_plan),  # members only: a peer reviewer gets 404
    "reviews:peer_invite": Route(kwargs=_plan, writes=True),
    "reviews:peer_revoke": Route(
        kwargs=lambda w: {"pk": w.peer_reviewer.pk}, writes=True, get=False
    ),
    "reviews:peer_answers": Route(
        kwargs=lambda w: {"pk": w.peer_reviewer.pk}, writes=True, own_only=True
    ),
    "reviews:peer_accept": Route(public=True),  # a signed token, tested on its own
    # Issue 16: the plan's reports in one place; a partner asks for a new due date
    "reports:reports": Route(kwargs=_plan),
    "actions:due_date_propose": Route(
        kwargs=lambda w: {"pk": w.action.pk}, writes=True, partner_writes=True, get=False
    ),
    # Issue 24: what was spent on an action in a quarter, recorded by those who may update it.
    "actions:spend_record": Route(
        kwargs=lambda w: {"pk": w.action.pk}, writes=True, partner_writes=True, get=False
    ),
    "actions:due_date_answer": Route(
        kwargs=lambda w: {"pk": w.due_proposal.pk}, writes=True, get=False
    ),
    # Issue 22: notifications, each person's own
    "improveplan:notifications": Route(),
    "improveplan:notifications_read_all": Route(get=False),
    "improveplan:notification_read": Route(
        kwargs=lambda w: {"pk": w.notification.pk}, writes=True, get=False, own_only=True
    ),
    # Issue 22: comments on each kind of item; leads and partners write, everyone reads
    **{
        name: route
        for kind in ("outcome", "indicator", "action", "review")
        for name, route in {
            f"comments:{kind}": Route(kwargs=lambda w, kind=kind: {"pk": getattr(w, kind).pk}),
            f"comments:{kind}_post": Route(
                kwargs=lambda w, kind=kind: {"pk": getattr(w, kind).pk},
                writes=True,
                partner_writes=True,
                get=False,
            ),
        }.items()
    },
    # the partner wrote it: only they may change it, for a while
    "comments:edit": Route(kwargs=lambda w: {"pk": w.comment.pk}, writes=True, partner_writes=True),
    "comments:hide": Route(kwargs=lambda w: {"pk": w.comment.pk}, writes=True),
    # Issue 22: an action's updates, asked for again when someone next acts on its page
    "actions:updates_live": Route(kwargs=lambda w: {"pk": w.action.pk}),
    # Issue 22: a lead chooses who receives the board papers
    "reviews:board_pack": Route(kwargs=_plan, writes=True),
}

# Issue 23: the API. A list and a detail of each kind, and the two writes.
API_KINDS = [
    "partnership",
    "plan",
    "outcome",
    "indicator",
    "reading",
    "target",
    "comparator",
    "action",
    "milestone",
    "update",
]


def _own(kind: str) -> Kwargs:
    return lambda w: {"pk": getattr(w, kind).pk}


ROUTES.update(
    {
        **{f"api:{kind}-list": Route(api=True) for kind in API_KINDS},
        **{f"api:{kind}-detail": Route(kwargs=_own(kind), api=True) for kind in API_KINDS},
        # Readings of the partner's own indicator; updates of the partner's own action.
        "api:plan-readings": Route(
            kwargs=_plan, writes=True, partner_writes=True, get=False, api=True
        ),
        "api:action-updates": Route(
            kwargs=_own("action"), writes=True, partner_writes=True, get=False, api=True
        ),
        "api:schema": Route(public=True),  # the API's description, for anyone
        "api:docs": Route(public=True),
        # One's own tokens: the person's own page; a token's revoke button is theirs alone.
        "api:tokens": Route(),
        "api:token_revoke": Route(
            kwargs=lambda w: {"pk": w.token.pk}, writes=True, get=False, own_only=True
        ),
        # The public page of a plan and its charts: anyone, once a lead publishes it
        # (public/tests/test_public_page.py); publishing is a lead's.
        "publishing:plan": Route(public=True),
        "publishing:embed": Route(public=True),
        "publishing:publish": Route(kwargs=_plan, writes=True),
        "publishing:unpublish": Route(kwargs=_plan, writes=True, get=False),
        # A reminder's link to post one update: a signed token (actions/tests/test_update_link.py)
        "actions:update_from_email": Route(public=True),
        # Two-factor sign-in: one's own pages; a lead requires it of the partnership.
        "two_factor": Route(),
        "two_factor_set_up": Route(),
        "two_factor_verify": Route(),
        "two_factor_new_codes": Route(get=False),
        "two_factor_turn_off": Route(get=False),
        "improveplan:two_factor_requirement": Route(kwargs=_partnership, writes=True, get=False),
        # Signing in through one's organisation (improveplan/tests/test_single_sign_on.py)
        "oidc_authentication_init": Route(public=True),
        "oidc_authentication_callback": Route(public=True),
    }
)

# Django's admin is for site administrators only; test_admin_is_for_site_administrators covers it.
EXEMPT_NAMESPACES = {"admin"}


def url_names(patterns, namespace: str = "") -> dict[str, set[str]]:
    """Every URL name (with its namespace) in a list of patterns, and the parameters it takes."""
    names: dict[str, set[str]] = {}
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in EXEMPT_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {pattern}>"
            names[name] = set(pattern.pattern.converters)
    return names


def uncovered(patterns) -> set[str]:
    return set(url_names(patterns)) - set(ROUTES)


def test_every_url_is_in_the_sweep():
    patterns = get_resolver().url_patterns
    missing = uncovered(patterns)
    assert not missing, f"Add these URLs to ROUTES in {__name__}: {sorted(missing)}"
    stale = set(ROUTES) - set(url_names(patterns))
    assert not stale, f"ROUTES names URLs that no longer exist: {sorted(stale)}"


def test_the_sweep_notices_an_uncovered_url():
    def secret(request, pk):
        return HttpResponse("nothing guards me")

    patterns = [*get_resolver().url_patterns, path("secret/<int:pk>/", secret, name="secret")]
    assert uncovered(patterns) == {"secret"}


def test_the_sweep_notices_an_unnamed_url():
    patterns = [*get_resolver().url_patterns, path("anonymous/", lambda request: None)]
    assert len(uncovered(patterns)) == 1


def test_every_url_with_an_id_says_how_to_name_one():
    for name, parameters in url_names(get_resolver().url_patterns).items():
        route = ROUTES[name]
        if parameters and not route.public:
            assert route.kwargs, (
                f"{name} takes {parameters} but ROUTES does not say how to fill them"
            )


# The sweep itself ----------------------------------------------------------------


@kept_rows  # built once for the tests in a row (improveplan/tests/kept_rows.py)
def sweep_world(world: World) -> World:
    """The world, with one of everything in the first partnership for the sweep to name."""
    InvitationFactory(organisation=world.housing, email="waiting@example.org")
    w = world
    w.outcome = OutcomeFactory(plan=w.plan)
    w.indicator = IndicatorFactory(outcome=w.outcome, owner=w.housing)  # the partner's
    w.reading = ReadingFactory(indicator=w.indicator)
    w.target = TargetFactory(indicator=w.indicator)
    w.comparator = ComparatorFactory(indicator=w.indicator)
    w.comparator_reading = ComparatorReadingFactory(comparator=w.comparator)
    w.evidence = EvidenceFactory(outcome=w.outcome)
    w.risk = RiskFactory(outcome=w.outcome)
    w.gap = EvidenceFactory(outcome=w.outcome, kind="gap")  # Issue 24
    w.criterion = CriterionFactory(plan=w.plan)
    w.option = OptionFactory(outcome=w.outcome, decision="favoured", decision_reason="Works.")
    w.action = ActionFactory(plan=w.plan, lead_organisation=w.housing)  # the partner's
    w.action.outcomes.add(w.outcome)
    w.milestone = MilestoneFactory(action=w.action)
    w.external_factor = ExternalFactor.objects.create(  # Issue 26
        indicator=w.indicator,
        name="Benefit change",
        size=-1,
        low=-2,
        high=0,
        starts=date(2026, 4, 1),
    )
    w.scenario = Scenario.objects.create(plan=w.plan, name="Only the funded actions")
    w.budget = Budget.objects.create(plan=w.plan, amount=1000)  # Issue 24
    w.contribution = Contribution.objects.create(plan=w.plan, organisation=w.council, amount=500)
    w.allocation = Allocation.objects.create(plan=w.plan, outcome=w.outcome, amount=400)
    w.expected_effect = ExpectedEffect.objects.create(
        action=w.action, indicator=w.indicator, size=2, low=1, high=3, starts=date(2026, 4, 1)
    )
    w.option_effect = OptionEffect.objects.create(
        option=w.option, indicator=w.indicator, size=1, low=0, high=2, starts=date(2026, 4, 1)
    )
    w.update = UpdateFactory(
        action=w.action, author=w.partner, evidence_name="minutes.pdf", evidence_kind="pdf"
    )
    w.update.evidence_file.save("evidence.bin", ContentFile(b"%PDF-1.7 minutes"), save=True)
    # Issue 5
    w.achievement = AchievementFactory(outcome=w.outcome)
    w.finding = FindingFactory(plan=w.plan)
    w.finding.actions.add(w.action)
    w.review = ReviewFactory(plan=w.plan)  # Issue 6
    w.health_check = HealthCheckFactory(partnership=w.partnership)
    w.peer_reviewer = PeerReviewerFactory(plan=w.plan)  # Issue 6: peer challenge
    # Issue 24: the plan's frame
    w.stakeholder = Stakeholder.objects.create(
        plan=w.plan,
        name="Carers' forum",
        interest="Respite",
        consultation="A meeting",
        frequency="Quarterly",
    )
    w.communication = Communication.objects.create(
        plan=w.plan,
        audience="Residents",
        message="The plan",
        channel="Newsletter",
        timing="When agreed",
    )
    w.declaration = Declaration.objects.create(plan=w.plan, member=w.lead, interest="A trustee")
    w.due_proposal = DueDateProposal.objects.create(  # Issue 16
        action=w.action, proposed_by=w.partner, proposed_due=date(2099, 1, 1), reason="Staff."
    )
    # Issue 22: the partner's comment on the action, and a notification of the lead's
    w.comment = CommentFactory(action=w.action, author=w.partner)
    (w.notification,) = notifications.notify(
        kind=Notification.Kind.MENTION,
        users=[w.lead],
        partnership_id=w.partnership.pk,
        plan_id=w.plan.pk,
        text="Pat Partner mentioned you",
        url=w.action.get_absolute_url(),
    )
    w.token, _ = token_create(  # Issue 23: the lead's own API token
        user=w.lead, partnership=w.partnership, name="Sweep", scope="read_write", days=30
    )
    return w


def _url(name: str, route: Route, w: World) -> str:
    return reverse(name, kwargs=route.kwargs(w) if route.kwargs else None)


def _snapshot() -> dict:
    """Every row of the partnership data, to show that nothing changed."""
    return tables("sweep", _snapshot_models())


@functools.cache
def _snapshot_models() -> tuple:
    return tuple(
        (model.__name__, functools.partial(_values, model))
        for app in ("improveplan", "outcomes", "actions", "reviews", "comments")
        for model in apps.get_app_config(app).get_models()
        if model.__name__ not in {"User", "SecurityEvent"}  # the log records refusals
    )


def _values(model, slot: int):
    return model.objects.values()


def _routes(predicate) -> list:
    return [
        pytest.param(name, route, id=name) for name, route in ROUTES.items() if predicate(route)
    ]


@pytest.mark.parametrize(("name", "route"), _routes(lambda r: not (r.public or r.token_only)))
def test_anonymous_visitor_is_sent_to_sign_in(client, sweep_world, name, route):
    url = _url(name, route, sweep_world)
    before = _snapshot()
    for method in (client.get, client.post):
        response = method(url)
        if route.api:  # a program is asked for its token
            assert response.status_code == 401, f"{method.__name__.upper()} {url}"
            continue
        assert response.status_code == 302, f"{method.__name__.upper()} {url}"
        assert response["Location"].startswith(reverse("login") + "?next=")
    assert _snapshot() == before


@pytest.mark.parametrize(("name", "route"), _routes(lambda r: r.kwargs))
def test_member_of_another_partnership_gets_404(outsider_client, sweep_world, name, route):
    url = _url(name, route, sweep_world)
    before = _snapshot()
    if route.get:
        assert outsider_client.get(url).status_code == 404
    if route.writes:
        data = route.foreign_fields(sweep_world) if route.foreign_fields else {}
        assert outsider_client.post(url, data).status_code == 404
    assert _snapshot() == before


@pytest.mark.parametrize(("name", "route"), _routes(lambda r: r.kwargs))
def test_an_id_that_does_not_exist_gets_404(lead_client, sweep_world, name, route):
    url = reverse(name, kwargs=dict.fromkeys(route.kwargs(sweep_world), 2**31 - 1))
    assert (lead_client.get(url) if route.get else lead_client.post(url)).status_code == 404


@pytest.mark.parametrize(
    ("name", "route"), _routes(lambda r: r.writes and not (r.board_writes or r.own_only))
)
def test_board_member_may_not_write(board_client, sweep_world, name, route):
    url = _url(name, route, sweep_world)
    before = _snapshot()
    assert board_client.post(url, {}).status_code == 403
    if route.get:
        assert board_client.get(url).status_code == 403
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("name", "route"), _routes(lambda r: r.writes and not (r.partner_writes or r.own_only))
)
def test_partner_may_not_write_what_only_leads_may(partner_client, sweep_world, name, route):
    url = _url(name, route, sweep_world)
    before = _snapshot()
    assert partner_client.post(url, {}).status_code == 403
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("name", "route"), _routes(lambda r: r.kwargs and not (r.writes or r.sender_and_leads))
)
def test_every_member_may_read(client, sweep_world, name, route):
    url = _url(name, route, sweep_world)
    for user in (sweep_world.lead, sweep_world.partner, sweep_world.board):
        client.force_login(user)
        assert client.get(url).status_code == 200, f"{user} could not read {url}"


@pytest.mark.parametrize(("name", "route"), _routes(lambda r: r.sender_and_leads))
def test_only_the_sender_and_the_leads_may_read(client, sweep_world, name, route):
    url = _url(name, route, sweep_world)
    for user, status in ((sweep_world.partner, 200), (sweep_world.lead, 200)):
        client.force_login(user)
        assert client.get(url).status_code == status, f"{user} could not read {url}"
    client.force_login(sweep_world.board)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(("name", "route"), _routes(lambda r: r.foreign_fields))
def test_another_partnerships_ids_in_form_fields_are_refused(lead_client, sweep_world, name, route):
    url = _url(name, route, sweep_world)
    before = _snapshot()
    response = lead_client.post(url, route.foreign_fields(sweep_world))
    assert response.status_code == 200
    assert "Choose one of this partnership's organisations" in response.content.decode().replace(
        "&#x27;", "'"
    )
    assert _snapshot() == before


@pytest.mark.parametrize(("name", "route"), _routes(lambda r: r.token_only))
def test_without_the_token_nobody_gets_in(client, sweep_world, settings, name, route):
    settings.METRICS_TOKEN = "a-metrics-token-of-thirty-two-characters-or-more"
    url = _url(name, route, sweep_world)
    admin = UserFactory(is_staff=True, is_superuser=True)
    wrong = {"Authorization": "Bearer a-metrics-token-of-thirty-two-characters-or-less"}
    for user in (None, sweep_world.lead, sweep_world.partner, sweep_world.board, admin):
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        for headers in ({}, wrong, {"Authorization": settings.METRICS_TOKEN}):
            response = client.get(url, headers=headers)
            assert response.status_code == 404, (user, headers)
            assert "django_http" not in response.content.decode()
        assert client.post(url).status_code in {404, 405}
    client.logout()
    response = client.get(url, headers={"Authorization": f"Bearer {settings.METRICS_TOKEN}"})
    assert response.status_code == 200
    settings.METRICS_TOKEN = ""  # with no token set, not even an empty one opens it
    assert client.get(url, headers={"Authorization": "Bearer "}).status_code == 404


def test_admin_is_for_site_administrators(client, world):
    client.force_login(world.lead)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_404_page_explains_itself_without_saying_what_exists(outsider_client, world):
    response = outsider_client.get(world.partnership.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in page
    assert "Riverside" not in page


def test_the_403_page_says_who_may(board_client, world):
    response = board_client.get(reverse("improveplan:plan_edit", args=[world.plan.pk]))
    page = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 403
    assert "Only the partnership's leads may do this." in page


# The API with tokens (issue 23) ----------------------------------------------------------


def _token(user, partnership, scope: str = "read_write") -> str:
    _, raw = token_create(user=user, partnership=partnership, name="Sweep", scope=scope, days=30)
    return raw


def _api_call(client, method: str, url: str, raw: str | None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"} if raw else {}
    if method == "GET":
        return client.get(url, **headers)
    return client.post(url, data="{}", content_type="application/json", **headers)


def _api_kind(name: str) -> str:
    return name.removeprefix("api:").split("-")[0]


@pytest.mark.parametrize(("name", "route"), _routes(lambda r: r.api))
def test_every_api_route_for_every_role(client, sweep_world, name, route):
    """As each member of the partnership and as the other partnership's lead, each with a
    read-write token, and with none: what each may read, and that a write they may not make
    is refused with nothing saved."""
    w = sweep_world
    url = _url(name, route, w)
    method = "GET" if route.get else "POST"
    before = _snapshot()
    assert _api_call(client, method, url, None).status_code == 401
    for user in (w.lead, w.partner, w.board):
        response = _api_call(client, method, url, _token(user, w.partnership))
        if route.get:
            assert response.status_code == 200, f"{user} could not read {url}"
        elif user == w.board:
            assert response.status_code == 403, f"{user} could write through {url}"
        else:  # an empty write: refused for what it lacks, whoever may write
            assert response.status_code == 400, f"{user}: {response.status_code} from {url}"
    outsider = _token(w.outsider, w.other_partnership)
    response = _api_call(client, method, url, outsider)
    if route.kwargs:
        assert response.status_code == 404
    else:
        ours = getattr(w, _api_kind(name)).pk
        assert ours not in [row["id"] for row in response.json()["results"]]
    assert _snapshot() == before


@pytest.mark.parametrize(("name", "route"), _routes(lambda r: r.api and r.writes))
def test_a_read_only_token_writes_nothing_through_the_api(client, sweep_world, name, route):
    w = sweep_world
    before = _snapshot()
    raw = _token(w.lead, w.partnership, "read")
    assert _api_call(client, "POST", _url(name, route, w), raw).status_code == 403
    assert _snapshot() == before


def test_every_api_kind_is_swept():
    assert {_api_kind(name) for name, route in ROUTES.items() if route.api} == set(API_KINDS)
