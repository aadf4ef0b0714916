"""Who may see and change options, actions and what hangs off them: one helper per object
type, built on the core's primitives (improveplan/access.py, which explains the rules).
The helpers of the layers below that its pages use are named here too (``x as x``), so a page
needs one import."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from actions.models import (
    Action,
    Allocation,
    Communication,
    Contribution,
    Criterion,
    Declaration,
    DueDateProposal,
    ExpectedEffect,
    Finding,
    Milestone,
    Option,
    OptionEffect,
    Scenario,
    Stakeholder,
    Update,
)
from improveplan import access
from improveplan.access import check_plan_open as check_plan_open
from improveplan.access import get_partnership_for_user as get_partnership_for_user
from improveplan.access import get_plan_for_reports as get_plan_for_reports
from improveplan.access import get_plan_for_user as get_plan_for_user
from improveplan.access import refuse as refuse
from improveplan.models import Membership, Role
from outcomes.access import get_evidence_for_user as get_evidence_for_user
from outcomes.access import get_outcome_for_user as get_outcome_for_user
from outcomes.access import get_under_outcome
from outcomes.models import Risk


def get_criterion_for_user(request: HttpRequest, pk: int, *, manage: bool = True):

    queryset = Criterion.objects.select_related("plan__partnership")
    return access.get_in_users_partnership(
        request, queryset, pk, manage=manage, path="plan__partnership"
    )


def get_option_for_user(request: HttpRequest, pk: int, *, manage: bool = False):

    return get_under_outcome(request, Option, pk, manage=manage)


def get_action_for_user(request: HttpRequest, pk: int, *, manage: bool = False):

    queryset = Action.objects.select_related(
        "plan__partnership",
        "lead_organisation",
        "owner",
        "option",
        "success_indicator",
        "source_gap__outcome",
    )
    return access.get_in_users_partnership(
        request, queryset, pk, manage=manage, path="plan__partnership"
    )


def get_finding_for_user(request: HttpRequest, pk: int, *, manage: bool = True):

    queryset = Finding.objects.select_related("plan__partnership")
    return access.get_in_users_partnership(
        request, queryset, pk, manage=manage, path="plan__partnership"
    )


def get_plan_risk_for_user(request: HttpRequest, pk: int, *, manage: bool = True):
    """A risk in the plan's register (of the whole plan or of one of its outcomes)."""
    queryset = Risk.objects.select_related("plan__partnership", "outcome")
    return access.get_in_users_partnership(
        request, queryset, pk, manage=manage, path="plan__partnership"
    )


def get_contribution_for_user(request: HttpRequest, pk: int, *, manage: bool = True):
    """A partner's contribution to a plan's pooled budget."""
    queryset = Contribution.objects.select_related("plan__partnership", "organisation")
    return access.get_in_users_partnership(
        request, queryset, pk, manage=manage, path="plan__partnership"
    )


def get_allocation_for_user(request: HttpRequest, pk: int, *, manage: bool = True):
    """An outcome's allocation of a plan's pooled budget."""
    queryset = Allocation.objects.select_related("plan__partnership", "outcome")
    return access.get_in_users_partnership(
        request, queryset, pk, manage=manage, path="plan__partnership"
    )


def get_milestone_for_user(request: HttpRequest, pk: int, *, manage: bool = True):

    queryset = Milestone.objects.select_related("action__plan__partnership")
    path = "action__plan__partnership"
    return access.get_in_users_partnership(request, queryset, pk, manage=manage, path=path)


def get_effect_for_user(request: HttpRequest, pk: int, *, manage: bool = True):

    queryset = ExpectedEffect.objects.select_related("action__plan__partnership", "indicator")
    path = "action__plan__partnership"
    return access.get_in_users_partnership(request, queryset, pk, manage=manage, path=path)


def get_option_effect_for_user(request: HttpRequest, pk: int, *, manage: bool = True):

    queryset = OptionEffect.objects.select_related(
        "option__outcome__plan__partnership", "indicator"
    )
    path = "option__outcome__plan__partnership"
    return access.get_in_users_partnership(request, queryset, pk, manage=manage, path=path)


def get_scenario_for_user(request: HttpRequest, pk: int, *, manage: bool = True):

    queryset = Scenario.objects.select_related("plan__partnership")
    return access.get_in_users_partnership(
        request, queryset, pk, manage=manage, path="plan__partnership"
    )


def get_due_proposal_for_user(request: HttpRequest, pk: int, *, manage: bool = True):

    queryset = DueDateProposal.objects.select_related("action__plan__partnership", "proposed_by")
    path = "action__plan__partnership"
    return access.get_in_users_partnership(request, queryset, pk, manage=manage, path=path)


def get_update_for_user(request: HttpRequest, pk: int):

    queryset = Update.objects.select_related("action__plan__partnership")
    path = "action__plan__partnership"
    return access.get_in_users_partnership(request, queryset, pk, manage=False, path=path)


def may_update_action(membership: Membership, action) -> bool:
    """Leads, and partners of an organisation that leads or supports the action."""
    if membership.manages:
        return True
    if membership.role != Role.PARTNER:
        return False
    if action.lead_organisation_id == membership.organisation_id:
        return True
    return action.supporting_organisations.filter(pk=membership.organisation_id).exists()


def check_may_update_action(request: HttpRequest, action) -> None:
    if not may_update_action(request.membership, action):
        access.refuse(request, f"updating action {action.pk}", action.plan.partnership_id)
        raise PermissionDenied(
            "Only leads, and partners from the organisations that lead or support this "
            "action, may update it."
        )
    access.check_plan_open(request, action.plan)


# Issue 24: the plan's frame ------------------------------------------------------------------


def get_stakeholder_for_user(request: HttpRequest, pk: int, *, manage: bool = True):
    queryset = Stakeholder.objects.select_related("plan__partnership")
    return access.get_in_users_partnership(
        request, queryset, pk, manage=manage, path="plan__partnership"
    )


def get_communication_for_user(request: HttpRequest, pk: int, *, manage: bool = True):
    queryset = Communication.objects.select_related("plan__partnership", "action")
    return access.get_in_users_partnership(
        request, queryset, pk, manage=manage, path="plan__partnership"
    )


def check_may_declare(request: HttpRequest, plan) -> None:
    """Leads and partners take part in the appraisal, so they declare their interests; a
    board member (and a peer reviewer) reads the declarations only."""
    if request.membership.role not in (Role.LEAD, Role.PARTNER):
        refuse(request, f"a declaration of interest in plan {plan.pk}", plan.partnership_id)
        raise PermissionDenied("Leads and partners declare their interests.")


def get_declaration_for_user(request: HttpRequest, pk: int, *, own: bool = False):
    """A declaration of interest. With ``own``, only the member who declared it may change it
    (withdraw it); otherwise only a lead (to leave its scores out of the totals or count them
    again)."""
    queryset = Declaration.objects.select_related("plan__partnership", "member", "option")
    declaration = access.get_in_users_partnership(
        request, queryset, pk, manage=not own, path="plan__partnership"
    )
    if own and declaration.member_id != request.user.pk:
        partnership_id = declaration.plan.partnership_id
        refuse(request, f"declaration {declaration.pk} of another member", partnership_id)
        raise PermissionDenied("Only the member who declared an interest may withdraw it.")
    return declaration
