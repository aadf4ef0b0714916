"""Who may see and change what. Every view reaches partnership data through here.

The rule: a person sees a partnership's data only through a membership of that
partnership. Someone without one gets 404, the same answer as for an id that
does not exist, so ids reveal nothing. A member whose role may not make a
change gets 403.

One helper per object type returns the object (404 or 403 otherwise) and sets
``request.membership`` to the viewer's membership of its partnership.

The one exception is a peer reviewer: someone from outside the partnership whom a lead has
invited to challenge one plan. Until their invitation expires or is revoked, everything that
belongs to that plan may be read by them through the same helpers, which then set
``request.membership`` to a ``PeerAccess``; every change, and everything outside that plan, is
refused, here and nowhere else. The invitations are reviews' (``reviews.PeerReviewer``), so
reviews registers them here at start-up (``register_plan_grants``).

This module holds the primitives and the helpers for the core's own objects; each app builds
the helpers for its objects on them (outcomes/access.py, actions/access.py, reviews/access.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest

from improveplan import security
from improveplan.models import (
    Invitation,
    Membership,
    Organisation,
    Partnership,
    Plan,
    SecurityEvent,
)

READING = ("GET", "HEAD", "OPTIONS")

# Grants to read one plan from outside its partnership. Each source returns a queryset of the
# live grants, each row with ``user`` and ``plan_id`` (reviews: peer reviewers not yet expired
# or revoked); registered once, at start-up.
GRANTS: list[Callable[[], QuerySet]] = []


def register_plan_grants(live_grants: Callable[[], QuerySet]) -> None:
    if live_grants not in GRANTS:
        GRANTS.append(live_grants)


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

    def __init__(self, reviewer, partnership_id: int) -> None:
        self.reviewer = reviewer
        self.user = reviewer.user
        self.partnership_id = partnership_id

    def get_role_display(self) -> str:
        return "Peer reviewer"


def peer_grant(user, plan_id: int):
    """The viewer's live grant to read the plan (a peer reviewer's), if they have one."""
    if not user.is_authenticated:
        return None
    for live_grants in GRANTS:
        if grant := live_grants().filter(user=user, plan_id=plan_id).first():
            return grant
    return None


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


def get_in_users_partnership(
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
    if plan and peer_ok and request.user.is_authenticated and GRANTS:
        granted = [
            Q(Exists(live_grants().filter(user=request.user, plan_id=OuterRef(plan))))
            for live_grants in GRANTS
        ]
        peer_reviewed = annotated.filter(reduce(or_, granted))
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
    return get_in_users_partnership(request, Organisation.objects, pk, manage=manage)


def get_membership_for_user(request: HttpRequest, pk: int, *, manage: bool = False) -> Membership:
    """Another person's membership, as seen by a member of the same partnership."""
    queryset = Membership.objects.select_related("user", "organisation")
    return get_in_users_partnership(request, queryset, pk, manage=manage)


def get_invitation_for_user(request: HttpRequest, pk: int, *, manage: bool = True) -> Invitation:
    """Invitations are the leads' business: other members may not see them at all."""
    queryset = Invitation.objects.select_related("organisation")
    return get_in_users_partnership(request, queryset, pk, manage=manage)


def get_plan_for_user(
    request: HttpRequest,
    pk: int,
    *,
    manage: bool = False,
    archived_ok: bool = False,
    peer_ok: bool = True,
) -> Plan:
    queryset = Plan.objects.select_related("partnership")
    return get_in_users_partnership(
        request, queryset, pk, manage=manage, archived_ok=archived_ok, peer_ok=peer_ok
    )


def get_plan_for_reports(request: HttpRequest, pk: int) -> Plan:
    """A plan whose PDF reports the viewer may download: every member of its partnership.
    Board members read them each quarter, partners sign up to the delivery plan, leads
    prepare them; outsiders get 404 like everywhere else."""
    return get_plan_for_user(request, pk)
