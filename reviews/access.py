"""Who may see and change reviews, health checks and peer reviewers' invitations: one helper
per object type, built on the core's primitives (improveplan/access.py, which explains the
rules), and those of the layers below that its pages use (``x as x``). A live peer reviewer
may read their plan: ``live_grants`` is registered with the core at start-up (reviews.apps)."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from improveplan import access
from improveplan.access import check_plan_open as check_plan_open
from improveplan.access import get_partnership_for_user as get_partnership_for_user
from improveplan.access import get_plan_for_user as get_plan_for_user
from improveplan.access import refuse as refuse
from outcomes.access import get_reading_for_user as get_reading_for_user
from reviews.models import HealthCheck, PeerReviewer, Review


def live_grants():
    """Peer reviewers whose access has not expired nor been revoked."""
    return PeerReviewer.objects.live()


def get_review_for_user(request: HttpRequest, pk: int, *, manage: bool = False) -> Review:

    queryset = Review.objects.select_related("plan__partnership", "signed_off_by")
    return access.get_in_users_partnership(
        request, queryset, pk, manage=manage, path="plan__partnership"
    )


def get_health_check_for_user(request: HttpRequest, pk: int, *, manage: bool = False):

    queryset = HealthCheck.objects.select_related("partnership")
    return access.get_in_users_partnership(request, queryset, pk, manage=manage)


# Peer challenge ------------------------------------------------------------------------


def get_peer_reviewer_for_user(request: HttpRequest, pk: int, *, manage: bool = True):
    """A peer reviewer's invitation, as the plan's partnership sees it (leads revoke it)."""
    queryset = PeerReviewer.objects.select_related("plan__partnership")
    return access.get_in_users_partnership(
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
        access.refuse(request, f"peer review {pk}")
        raise Http404("No such page.")
    request.membership = access.PeerAccess(reviewer, reviewer.plan.partnership_id)
    return reviewer
