"""Who may see and change what. Every view reaches partnership data through here.

The rule: a person sees a partnership's data only through a membership of that
partnership. Someone without one gets 404, the same answer as for an id that
does not exist, so ids reveal nothing. A member whose role may not make a
change gets 403.

One helper per object type returns the object (404 or 403 otherwise) and sets
``request.membership`` to the viewer's membership of its partnership.

The one exception is a peer reviewer (``reviews.PeerReviewer``): someone from outside the
partnership whom a lead has invited to challenge one plan. Until their invitation expires or
is revoked, everything that belongs to that plan may be read by them through the same
helpers, which then set ``request.membership`` to a ``PeerAccess``; every change, and
everything outside that plan, is refused, here and nowhere else.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef
from django.http import Http404, HttpRequest

from actions.models import (
    Action,
    Criterion,
    DueDateProposal,
    Finding,
    Milestone,
    Option,
    Update,
)
from improveplan import security
from improveplan.models import (
    Invitation,
    Membership,
    Organisation,
    Partnership,
    Plan,
    Role,
    SecurityEvent,
)
from outcomes.models import (
    Achievement,
    Comparator,
    ComparatorReading,
    Evidence,
    ImportJob,
    Indicator,
    Outcome,
    Reading,
    Risk,
    Target,
)
from reviews.models import HealthCheck, PeerReviewer, Review

READING = ("GET", "HEAD", "OPTIONS")


def membership_of(user, partnership_id: int) -> Membership | None:
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.select_related("organisation")
        .filter(user=user, partnership_id=partnership_id)
        .first()
    )


class PeerAccess:
    """What a peer reviewer has in place of a membership: they may read one plan, and write
    nothing (their answers have their own helper below)."""

    manages = False
    is_peer_reviewer = True
    role = "peer_reviewer"
    organisation = None
    organisation_id = None

    def __init__(self, reviewer: PeerReviewer, partnership_id: int) -> None:
        self.reviewer = reviewer
        self.user = reviewer.user
        self.partnership_id = partnership_id

    def get_role_display(self) -> str:
        return "Peer reviewer"


def peer_grant(user, plan_id: int) -> PeerReviewer | None:
    """The viewer's live peer reviewer's grant on the plan, if they have one."""
    if not user.is_authenticated:
        return None
    return PeerReviewer.objects.live().filter(user=user, plan_id=plan_id).first()


def check_membership(
    request: HttpRequest, partnership_id: int, *, manage: bool, plan_id: int | None = None
) -> Membership | PeerAccess:
    """The viewer's membership of the partnership; 404 without one, 403 if it may not manage.
    Given the plan the object belongs to, a live peer reviewer of that plan may read it."""
    membership = membership_of(request.user, partnership_id)
    if membership is None and plan_id is not None:
        grant = peer_grant(request.user, plan_id)
        if grant is not None:
            if manage or request.method not in READING:
                refuse(request, f"a change by peer reviewer {grant.pk}", partnership_id)
                raise PermissionDenied("A peer reviewer may read this plan but not change it.")
            request.membership = PeerAccess(grant, partnership_id)
            return request.membership
    if membership is None:
        refuse(request, f"partnership {partnership_id}", partnership_id)
        raise Http404("No such page.")
    if manage and not membership.manages:
        refuse(request, f"a lead's change in partnership {partnership_id}", partnership_id)
        raise PermissionDenied("Only the partnership's leads may do this.")
    request.membership = membership
    return membership


def refuse(request: HttpRequest, what: str, partnership_id: int | None = None) -> None:
    security.record(
        SecurityEvent.Kind.ACCESS_REFUSED,
        request=request,
        partnership_id=partnership_id,
        detail=f"{request.method} refused: {what}",
    )


def _get(request: HttpRequest, queryset, pk, path: str = "partnership", also=None):
    """One object of the queryset (or else of ``also``), or 404. ``path`` leads from the
    model to its partnership."""
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        well_formed = str(pk).isdigit() and int(pk) < 2**63
        if also is not None and well_formed and (found := also.filter(pk=pk).first()):
            return found
        # Someone asking for another partnership's object is worth a line in the log;
        # a mistyped address is not.
        model = queryset.model
        owner = (
            model.objects.filter(pk=pk)
            .values_list("pk" if model is Partnership else f"{path}_id", flat=True)
            .first()
            if well_formed
            else None
        )
        if owner is not None:
            refuse(request, f"{model._meta.verbose_name} {pk}", owner)
        raise Http404("No such page.") from None


def get_partnership_for_user(request: HttpRequest, pk: int, *, manage: bool = False) -> Partnership:
    partnership = _get(request, Partnership.objects.for_user(request.user), pk)
    check_membership(request, partnership.pk, manage=manage)
    return partnership


def _get_in_users_partnership(
    request: HttpRequest,
    queryset,
    pk,
    *,
    manage: bool,
    path: str = "partnership",
    archived_ok: bool = False,
    peer_ok: bool = True,
):
    """An object that belongs to one of the viewer's partnerships; ``path`` leads from the
    object to that partnership, e.g. ``indicator__plan__partnership`` for a reading.

    Whatever belongs to an archived plan is read only: reading it is allowed, changing it is
    refused here, the one place every change passes through (``archived_ok`` for reopening).
    Whatever belongs to a plan may be read by that plan's live peer reviewers, unless
    ``peer_ok`` is off (pages for the partnership's members alone)."""
    annotations = {"owning_partnership_id": F(f"{path}_id")}
    plan_status = _plan_status_lookup(queryset.model, path)
    plan = _plan_lookup(queryset.model, path)
    if plan_status:
        annotations["owning_plan_status"] = F(plan_status)
        annotations["owning_plan_id"] = F(plan)
    annotated = queryset.annotate(**annotations)
    # Tried only when the viewer is no member, so members' pages cost no extra query.
    peer_reviewed = None
    if plan and peer_ok and request.user.is_authenticated:
        grants = PeerReviewer.objects.live().filter(user=request.user, plan_id=OuterRef(plan))
        peer_reviewed = annotated.filter(Exists(grants))
    found = _get(
        request,
        annotated.filter(**{f"{path}__memberships__user": request.user}),
        pk,
        path,
        also=peer_reviewed,
    )
    check_membership(
        request,
        found.owning_partnership_id,
        manage=manage,
        plan_id=found.owning_plan_id if peer_reviewed is not None else None,
    )
    if plan_status and not archived_ok:
        check_plan_not_archived(
            request, found.owning_plan_status, found.owning_partnership_id, manage=manage
        )
    return found


def _plan_lookup(model, path: str) -> str | None:
    """The lookup from an object to the plan it belongs to, if it belongs to one."""
    if model is Plan:
        return "pk"
    if path.endswith("plan__partnership"):
        return path.removesuffix("__partnership")
    return None


def _plan_status_lookup(model, path: str) -> str | None:
    """The lookup from an object to the status of the plan it belongs to, if it belongs to one."""
    plan = _plan_lookup(model, path)
    if plan is None:
        return None
    return "status" if plan == "pk" else f"{plan}__status"


def check_plan_not_archived(
    request: HttpRequest, plan_status: str, partnership_id: int, *, manage: bool
) -> None:
    """A change to an archived plan, or to anything in it, is refused with a message saying why."""
    writing = manage or request.method not in ("GET", "HEAD", "OPTIONS")
    if writing and plan_status == Plan.Status.ARCHIVED:
        refuse(request, "a change to an archived plan", partnership_id)
        raise PermissionDenied(
            "This plan is archived, so it is read only: nothing in it can be changed. "
            "A lead may reopen it from the plan's page."
        )


def check_plan_open(request: HttpRequest, plan: Plan) -> None:
    """A page that changes something in the plan refuses to open once the plan is archived,
    rather than showing a form that would be refused on submit."""
    check_plan_not_archived(request, plan.status, plan.partnership_id, manage=True)


def get_organisation_for_user(
    request: HttpRequest, pk: int, *, manage: bool = False
) -> Organisation:
    return _get_in_users_partnership(request, Organisation.objects, pk, manage=manage)


def get_membership_for_user(request: HttpRequest, pk: int, *, manage: bool = False) -> Membership:
    """Another person's membership, as seen by a member of the same partnership."""
    queryset = Membership.objects.select_related("user", "organisation")
    return _get_in_users_partnership(request, queryset, pk, manage=manage)


def get_invitation_for_user(request: HttpRequest, pk: int, *, manage: bool = True) -> Invitation:
    """Invitations are the leads' business: other members may not see them at all."""
    queryset = Invitation.objects.select_related("organisation")
    return _get_in_users_partnership(request, queryset, pk, manage=manage)


def get_plan_for_user(
    request: HttpRequest,
    pk: int,
    *,
    manage: bool = False,
    archived_ok: bool = False,
    peer_ok: bool = True,
) -> Plan:
    queryset = Plan.objects.select_related("partnership")
    return _get_in_users_partnership(
        request, queryset, pk, manage=manage, archived_ok=archived_ok, peer_ok=peer_ok
    )


def get_plan_for_reports(request: HttpRequest, pk: int) -> Plan:
    """A plan whose PDF reports the viewer may download: every member of its partnership.
    Board members read them each quarter, partners sign up to the delivery plan, leads
    prepare them; outsiders get 404 like everywhere else."""
    return get_plan_for_user(request, pk)


# Outcomes and what hangs off them -------------------------------------------------


def get_outcome_for_user(request: HttpRequest, pk: int, *, manage: bool = False):

    queryset = Outcome.objects.select_related("plan__partnership")
    return _get_in_users_partnership(request, queryset, pk, manage=manage, path="plan__partnership")


def get_indicator_for_user(request: HttpRequest, pk: int, *, manage: bool = False):

    queryset = Indicator.objects.select_related("plan__partnership", "outcome", "owner")
    return _get_in_users_partnership(request, queryset, pk, manage=manage, path="plan__partnership")


def get_import_job_for_user(request: HttpRequest, pk: int):
    """An import sent to a worker: the person who sent the file and the plan's leads may see
    how it went; other members get 403, everyone else 404."""
    queryset = ImportJob.objects.select_related("plan__partnership")
    job = _get_in_users_partnership(
        request, queryset, pk, manage=False, path="plan__partnership", peer_ok=False
    )
    if job.user_id != request.user.pk and not request.membership.manages:
        refuse(request, f"import {job.pk} of plan {job.plan_id}", job.owning_partnership_id)
        raise PermissionDenied(
            "Only the person who sent the file and the plan's leads may see how it went."
        )
    return job


def _get_under_indicator(request: HttpRequest, model, pk, *, manage: bool, via: str = "indicator"):
    queryset = model.objects.select_related(f"{via}__plan__partnership", f"{via}__owner")
    path = f"{via}__plan__partnership"
    return _get_in_users_partnership(request, queryset, pk, manage=manage, path=path)


def get_reading_for_user(request: HttpRequest, pk: int):
    """A reading to change: leads, and partners of the organisation that owns the indicator."""

    reading = _get_under_indicator(request, Reading, pk, manage=False)
    check_may_enter_readings(request, reading.indicator)
    return reading


def get_target_for_user(request: HttpRequest, pk: int, *, manage: bool = True):

    return _get_under_indicator(request, Target, pk, manage=manage)


def get_comparator_for_user(request: HttpRequest, pk: int, *, manage: bool = True):

    return _get_under_indicator(request, Comparator, pk, manage=manage)


def get_comparator_reading_for_user(request: HttpRequest, pk: int, *, manage: bool = True):

    return _get_under_indicator(
        request, ComparatorReading, pk, manage=manage, via="comparator__indicator"
    )


def _get_under_outcome(request: HttpRequest, model, pk, *, manage: bool):
    queryset = model.objects.select_related("outcome__plan__partnership")
    path = "outcome__plan__partnership"
    return _get_in_users_partnership(request, queryset, pk, manage=manage, path=path)


def get_evidence_for_user(request: HttpRequest, pk: int, *, manage: bool = True):

    return _get_under_outcome(request, Evidence, pk, manage=manage)


def get_risk_for_user(request: HttpRequest, pk: int, *, manage: bool = True):

    return _get_under_outcome(request, Risk, pk, manage=manage)


def get_achievement_for_user(request: HttpRequest, pk: int, *, manage: bool = True):

    return _get_under_outcome(request, Achievement, pk, manage=manage)


def may_enter_readings(membership: Membership, indicator) -> bool:
    """Leads, and partners of the organisation that owns the indicator."""
    if membership.manages:
        return True
    return membership.role == Role.PARTNER and membership.organisation_id == indicator.owner_id


def check_may_enter_readings(request: HttpRequest, indicator) -> None:
    """Refuse a member who may not enter this indicator's readings (after a getter above), and
    everyone once the plan is archived."""
    if not may_enter_readings(request.membership, indicator):
        refuse(request, f"readings of indicator {indicator.pk}", indicator.plan.partnership_id)
        raise PermissionDenied(
            f"Only leads and partners from {indicator.owner} may enter readings for this indicator."
        )
    check_plan_open(request, indicator.plan)


# Options and actions ----------------------------------------------------------------


def get_criterion_for_user(request: HttpRequest, pk: int, *, manage: bool = True):

    queryset = Criterion.objects.select_related("plan__partnership")
    return _get_in_users_partnership(request, queryset, pk, manage=manage, path="plan__partnership")


def get_option_for_user(request: HttpRequest, pk: int, *, manage: bool = False):

    return _get_under_outcome(request, Option, pk, manage=manage)


def get_action_for_user(request: HttpRequest, pk: int, *, manage: bool = False):

    queryset = Action.objects.select_related(
        "plan__partnership", "lead_organisation", "owner", "option", "success_indicator"
    )
    return _get_in_users_partnership(request, queryset, pk, manage=manage, path="plan__partnership")


def get_finding_for_user(request: HttpRequest, pk: int, *, manage: bool = True):

    queryset = Finding.objects.select_related("plan__partnership")
    return _get_in_users_partnership(request, queryset, pk, manage=manage, path="plan__partnership")


def get_milestone_for_user(request: HttpRequest, pk: int, *, manage: bool = True):

    queryset = Milestone.objects.select_related("action__plan__partnership")
    path = "action__plan__partnership"
    return _get_in_users_partnership(request, queryset, pk, manage=manage, path=path)


def get_due_proposal_for_user(request: HttpRequest, pk: int, *, manage: bool = True):

    queryset = DueDateProposal.objects.select_related("action__plan__partnership", "proposed_by")
    path = "action__plan__partnership"
    return _get_in_users_partnership(request, queryset, pk, manage=manage, path=path)


def get_update_for_user(request: HttpRequest, pk: int):

    queryset = Update.objects.select_related("action__plan__partnership")
    path = "action__plan__partnership"
    return _get_in_users_partnership(request, queryset, pk, manage=False, path=path)


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
        refuse(request, f"updating action {action.pk}", action.plan.partnership_id)
        raise PermissionDenied(
            "Only leads, and partners from the organisations that lead or support this "
            "action, may update it."
        )
    check_plan_open(request, action.plan)


# Reviews ---------------------------------------------------------------------------


def get_review_for_user(request: HttpRequest, pk: int, *, manage: bool = False) -> Review:

    queryset = Review.objects.select_related("plan__partnership", "signed_off_by")
    return _get_in_users_partnership(request, queryset, pk, manage=manage, path="plan__partnership")


def get_health_check_for_user(request: HttpRequest, pk: int, *, manage: bool = False):

    queryset = HealthCheck.objects.select_related("partnership")
    return _get_in_users_partnership(request, queryset, pk, manage=manage)


# Peer challenge ------------------------------------------------------------------------


def get_peer_reviewer_for_user(request: HttpRequest, pk: int, *, manage: bool = True):
    """A peer reviewer's invitation, as the plan's partnership sees it (leads revoke it)."""
    queryset = PeerReviewer.objects.select_related("plan__partnership")
    return _get_in_users_partnership(
        request, queryset, pk, manage=manage, path="plan__partnership", peer_ok=False
    )


def get_own_peer_review(request: HttpRequest, pk: int) -> PeerReviewer:
    """The signed-in reviewer's own answers, while their access lasts; 404 for anyone else."""
    reviewer = (
        PeerReviewer.objects.live()
        .select_related("plan__partnership")
        .filter(pk=pk, user=request.user)
        .first()
        if str(pk).isdigit()
        else None
    )
    if reviewer is None:
        refuse(request, f"peer review {pk}")
        raise Http404("No such page.")
    request.membership = PeerAccess(reviewer, reviewer.plan.partnership_id)
    return reviewer
