"""Who may see and change outcomes, indicators and what hangs off them: one helper per object
type, built on the core's primitives (improveplan/access.py, which explains the rules).
The helpers of the layers below that its pages use are named here too (``x as x``), so a page
needs one import."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from improveplan import access
from improveplan.access import check_plan_open as check_plan_open
from improveplan.access import get_partnership_for_user as get_partnership_for_user
from improveplan.access import get_plan_for_reports as get_plan_for_reports
from improveplan.access import get_plan_for_user as get_plan_for_user
from improveplan.access import refuse as refuse
from improveplan.models import Membership, Role
from outcomes.models import (
    Achievement,
    Comparator,
    ComparatorReading,
    Evidence,
    ExternalFactor,
    ImportJob,
    Indicator,
    Outcome,
    Reading,
    Risk,
    Target,
)


def get_outcome_for_user(request: HttpRequest, pk: int, *, manage: bool = False):

    queryset = Outcome.objects.select_related("plan__partnership")
    return access.get_in_users_partnership(
        request, queryset, pk, manage=manage, path="plan__partnership"
    )


def get_indicator_for_user(request: HttpRequest, pk: int, *, manage: bool = False):

    queryset = Indicator.objects.select_related(
        "plan__partnership", "outcome", "owner", "continues__plan"
    )
    return access.get_in_users_partnership(
        request, queryset, pk, manage=manage, path="plan__partnership"
    )


def get_import_job_for_user(request: HttpRequest, pk: int):
    """An import sent to a worker: the person who sent the file and the plan's leads may see
    how it went; other members get 403, everyone else 404."""
    queryset = ImportJob.objects.select_related("plan__partnership")
    job = access.get_in_users_partnership(
        request, queryset, pk, manage=False, path="plan__partnership", peer_ok=False
    )
    if job.user_id != request.user.pk and not request.membership.manages:
        access.refuse(request, f"import {job.pk} of plan {job.plan_id}", job.owning_partnership_id)
        raise PermissionDenied(
            "Only the person who sent the file and the plan's leads may see how it went."
        )
    return job


def _get_under_indicator(request: HttpRequest, model, pk, *, manage: bool, via: str = "indicator"):
    queryset = model.objects.select_related(f"{via}__plan__partnership", f"{via}__owner")
    path = f"{via}__plan__partnership"
    return access.get_in_users_partnership(request, queryset, pk, manage=manage, path=path)


def get_reading_for_user(request: HttpRequest, pk: int):
    """A reading to change: leads, and partners of the organisation that owns the indicator."""

    reading = _get_under_indicator(request, Reading, pk, manage=False)
    check_may_enter_readings(request, reading.indicator)
    return reading


def get_target_for_user(request: HttpRequest, pk: int, *, manage: bool = True):

    return _get_under_indicator(request, Target, pk, manage=manage)


def get_external_factor_for_user(request: HttpRequest, pk: int, *, manage: bool = True):

    return _get_under_indicator(request, ExternalFactor, pk, manage=manage)


def get_comparator_for_user(request: HttpRequest, pk: int, *, manage: bool = True):

    return _get_under_indicator(request, Comparator, pk, manage=manage)


def get_comparator_reading_for_user(request: HttpRequest, pk: int, *, manage: bool = True):

    return _get_under_indicator(
        request, ComparatorReading, pk, manage=manage, via="comparator__indicator"
    )


def get_under_outcome(request: HttpRequest, model, pk, *, manage: bool):
    queryset = model.objects.select_related("outcome__plan__partnership")
    path = "outcome__plan__partnership"
    return access.get_in_users_partnership(request, queryset, pk, manage=manage, path=path)


def get_evidence_for_user(request: HttpRequest, pk: int, *, manage: bool = True):

    return get_under_outcome(request, Evidence, pk, manage=manage)


def get_risk_for_user(request: HttpRequest, pk: int, *, manage: bool = True):

    return get_under_outcome(request, Risk, pk, manage=manage)


def get_achievement_for_user(request: HttpRequest, pk: int, *, manage: bool = True):

    return get_under_outcome(request, Achievement, pk, manage=manage)


def may_enter_readings(membership: Membership, indicator) -> bool:
    """Leads, and partners of the organisation that owns the indicator."""
    if membership.manages:
        return True
    return membership.role == Role.PARTNER and membership.organisation_id == indicator.owner_id


def check_may_enter_readings(request: HttpRequest, indicator) -> None:
    """Refuse a member who may not enter this indicator's readings (after a getter above), and
    everyone once the plan is archived."""
    if not may_enter_readings(request.membership, indicator):
        access.refuse(
            request, f"readings of indicator {indicator.pk}", indicator.plan.partnership_id
        )
        raise PermissionDenied(
            f"Only leads and partners from {indicator.owner} may enter readings for this indicator."
        )
    access.check_plan_open(request, indicator.plan)
