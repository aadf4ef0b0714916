"""Pages that compose several apps: the home page, a plan's page, and agreeing and comparing
a plan's versions. They show outcomes, actions, the walk's progress and peer reviews together,
so they sit in the shell, above every app (docs/developers/index.md); only the root URLs
import them."""

from __future__ import annotations

from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods

from actions import spending
from actions import versions as agreeing
from actions.forms import PlanAgreeForm
from actions.models import Action, DueDateProposal
from improveplan import kept, once, versions
from improveplan.access import check_plan_open, get_plan_for_user, refuse
from improveplan.forms import SignUpForm
from improveplan.models import Membership, Plan, PlanVersion, Role, SignUp
from improveplan.views import form_page
from methods.facts import plan_progress
from outcomes.dashboard import plan_dashboard
from outcomes.units import format_money
from reviews.lessons import lessons
from reviews.models import PeerReviewer


def waiting_for_lead(actions) -> dict:
    """What waits for a lead among these actions: completions to confirm, due-date requests."""
    return {
        "awaiting_confirmation": list(
            actions.awaiting_confirmation()
            .select_related("plan", "lead_organisation")
            .order_by("updated_at", "pk")
        ),
        "due_requests": list(
            DueDateProposal.objects.pending()
            .filter(action__in=actions.values("pk"))
            .select_related("action__plan", "proposed_by")
            .order_by("proposed_at", "pk")
        ),
    }


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("partnership", "organisation")
        .prefetch_related(
            Prefetch("partnership__plans", queryset=Plan.objects.order_by("-period_start", "title"))
        )
        .order_by("partnership__name")
    )
    reviewing = PeerReviewer.objects.live().filter(user=request.user).select_related("plan")
    context = {
        "memberships": memberships,
        "reviewing": reviewing,
        **waiting_for_lead(Action.objects.led_by(request.user)),
    }
    return render(request, "improveplan/home.html", context)


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request, pk)
    # Computed when the plan has changed since it was last shown, else as kept.
    sharing = plan.sharing_plan_ids()
    content = kept.part(
        "plan-page",
        # A plan copied forward shows readings entered in the plan before or after it.
        plans=sharing,
        # The viewer's organisation too: the page asks it to sign up until it has.
        parts=[kept.viewer(request), getattr(request.membership, "organisation_id", None)],
        render=lambda: render_to_string(
            "improveplan/_plan_page.html",
            {**kept.context_for(request), **_plan_page(plan, request.membership)},
        ),
        request=request,
    )
    context = {
        "plan": plan,
        "partnership": plan.partnership,
        "content": content,
        **_next_year(plan, request.membership, sharing),
    }
    return render(request, "improveplan/plan_detail.html", context)


def _next_year(plan: Plan, membership, sharing: list[int]) -> dict:
    """Where the plan came from (the plan it was copied forward from, or its template) and
    where it went, with the earlier plan's lessons as a starting list (issue 24). Read
    fresh, not kept: they change with other plans."""
    if getattr(membership, "is_peer_reviewer", False):
        return {}
    later = [pk for pk in sharing if pk not in (plan.pk, plan.carried_from_id)]
    linked = Plan.objects.in_bulk(
        [pk for pk in (*later, plan.carried_from_id, plan.started_from_id) if pk]
    )
    return {
        "carried_from": linked.get(plan.carried_from_id),
        "carried_into": [linked[pk] for pk in later if pk in linked],
        "started_from": linked.get(plan.started_from_id),
        "starting_lessons": lessons(plan_id=plan.carried_from_id) if plan.carried_from_id else [],
    }


def _sign_up_due(plan: Plan, membership, standing: versions.SignUpStanding):
    """The viewer's organisation, when it has yet to sign up to the plan as last agreed and
    the viewer may sign for it (a lead or partner of it), the plan open; else None."""
    if plan.status == Plan.Status.ARCHIVED or getattr(membership, "role", None) not in (
        Role.LEAD,
        Role.PARTNER,
    ):
        return None
    return next((o for o in standing.waiting if o.pk == membership.organisation_id), None)


class WalkRow(NamedTuple):
    """All that an outcome's row in the plan page's Five Steps table shows, and so all that
    it is kept by: not the whole of its progress, whose every fact (the SMART check of each
    of its actions) would be written out to make the row's key."""

    pk: int
    name: str
    steps_done: int
    steps: tuple[tuple[int, int], ...]  # each step's number and how many things it misses
    unanswered: int  # policy proofing's questions not yet answered

    @classmethod
    def of(cls, outcome, progress) -> WalkRow:
        return cls(
            outcome.pk,
            str(outcome),
            progress.steps_done,
            tuple((step.number, len(step.missing)) for step in progress.steps),
            len(progress.proofing),
        )


def _plan_page(plan: Plan, membership) -> dict:
    """The plan page's status, what waits for a lead, its outcomes with their indicators, and
    the Five Steps' progress."""
    manages = membership.manages
    outcomes = plan_dashboard(plan)
    in_order = [outcome for outcome, _ in outcomes]
    served = spending.served_by_action(plan)
    walk_progress = plan_progress(plan, in_order, keep=True, served=served)
    by_pk = {outcome.pk: (outcome, progress) for outcome, progress in walk_progress}
    standing = versions.sign_up_standing(plan)
    money = spending.plan_resources(plan, outcomes=in_order, served=served)
    walk_rows = kept.by_content(
        "walk-row",
        {pk: WalkRow.of(outcome, progress) for pk, (outcome, progress) in by_pk.items()},
        render=lambda missing: {
            pk: render_to_string("methods/_plan_walk_row.html", {"row": WalkRow.of(*by_pk[pk])})
            for pk in missing
        },
    )
    return {
        "plan": plan,
        "membership": membership,
        "manages": manages,
        "may_import": manages or membership.role == Role.PARTNER,
        "latest_version": standing.version,
        # Each outcome with its indicators' rows as one piece of HTML: the rows are written
        # out whole, not one by one by the template (200 of them in a large plan).
        "outcomes": [(outcome, SafeString("".join(rows))) for outcome, rows in outcomes],
        "too_many_outcomes": len(outcomes) > plan.outcome_limit,
        "crowded_outcomes": [
            outcome for outcome, rows in outcomes if len(rows) > plan.indicator_limit
        ],
        "walk_rows": SafeString("".join(walk_rows[outcome.pk] for outcome, _ in walk_progress)),
        "sign_ups": standing,
        "money": money,
        "pool": spending.pool_of(plan, money),  # Issue 24: the pooled budget
        "sign_up_due": _sign_up_due(plan, membership, standing),
        "still_missing": sum(len(progress.missing) for _, progress in walk_progress),
        **(
            waiting_for_lead(Action.objects.filter(plan=plan))
            if manages and plan.status != Plan.Status.ARCHIVED
            else {}
        ),
    }


# Plan versions: agreeing and comparing ------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan_agree(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request, pk, manage=True)
    form = PlanAgreeForm(request.POST if request.method == "POST" else None, plan=plan)
    if request.method == "POST" and (form.is_valid() or once.sent_before(request)):
        before = plan.versions.order_by("-number").values_list("number", flat=True).first()
        try:
            version = once.save_once(
                request,
                lambda: agreeing.plan_agree(
                    plan=plan,
                    by=request.user,
                    smart_exception_reason=form.cleaned_data.get("smart_exception_reason", ""),
                ),
            )
        except once.AlreadySaved:
            return once.already_saved(
                request, noun="agreement", back_to=plan.get_absolute_url(), where=f"Go to {plan}"
            )
        if version.number != before:
            messages.success(
                request, f"The plan is agreed. This is version {version.number}, kept as it is now."
            )
        else:
            messages.info(
                request,
                f"Nothing has changed since version {version.number} was agreed, "
                "so it stays the agreed version.",
            )
        return redirect(plan)
    last = plan.versions.order_by("-number").values_list("number", flat=True).first() or 0
    # What stands in the way is said before the button is pressed, not after.
    blocking = ""
    if not plan.outcomes.exists():
        blocking = f" {agreeing.NO_OUTCOMES}"
    elif form.not_smart:
        count = len(form.not_smart)
        blocking = (
            f" {count} action{'s are' if count > 1 else ' is'} not yet SMART "
            f"({', '.join(form.not_smart)}): make them SMART first, or say below why the plan "
            "may be agreed anyway."
        )
    return form_page(
        request,
        form,
        partnership=plan.partnership,
        plan=plan,
        title=f"Agree {plan}",
        intro=f"Agreeing freezes the plan as it stands as version {last + 1}"
        ": its outcomes, indicators, targets and actions with their owners and dates. "
        f"You can still change the plan afterwards and agree it again.{blocking}",
        submit="Agree the plan",
        cancel_url=plan.get_absolute_url(),
    )


def organisation_part(plan: Plan, organisation) -> dict:
    """What an organisation signs up to: the live actions it leads or supports, and the money
    it puts in (an action's resources come from its provider, or else its lead)."""
    actions = list(
        Action.objects.live()
        .filter(plan=plan)
        .for_organisation(organisation.pk)
        .select_related("lead_organisation", "resource_provider")
        .order_by("number")
    )
    for action in actions:
        action.provider = action.resource_provider or action.lead_organisation
    money = sum(
        (action.resource_amount or 0) for action in actions if action.provider == organisation
    )
    return {"actions": actions, "money": money}


@login_required
@require_http_methods(["GET", "POST"])
def plan_sign_up(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead or partner confirms, for their own organisation, its part in the plan as last
    agreed: by name, once per version."""
    plan = get_plan_for_user(request, pk)
    check_plan_open(request, plan)
    membership = request.membership
    if getattr(membership, "role", None) not in (Role.LEAD, Role.PARTNER):
        refuse(request, f"a sign-up to plan {plan.pk}", plan.partnership_id)
        raise PermissionDenied("Only a lead or partner of an organisation may sign up for it.")
    organisation = membership.organisation
    version = plan.versions.order_by("-number").first()
    if version is None:
        messages.error(request, "The plan has not been agreed yet: there is nothing to sign up to.")
        return redirect(plan)
    done = version.sign_ups.filter(organisation=organisation).first()
    if done is not None:
        messages.info(
            request,
            f"{organisation} has already signed up to version {version.number}: "
            f"{done.name} confirmed it on {done.confirmed_at:%-d %B %Y}.",
        )
        return redirect(plan)
    form = SignUpForm(
        request.POST if request.method == "POST" else None,
        organisation=organisation,
        version=version,
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                SignUp.objects.create(
                    version=version,
                    organisation=organisation,
                    confirmed_by=request.user,
                    name=request.user.full_name or request.user.email,
                    job_title=form.cleaned_data["job_title"],
                )
        except IntegrityError:
            pass  # a colleague signed a moment ago: the organisation is signed up either way
        messages.success(
            request, f"{organisation} has signed up to its part in version {version.number}."
        )
        return redirect(plan)
    part = organisation_part(plan, organisation)
    lines = "; ".join(
        f"{action.reference} {action.title}"
        + (" (leads)" if action.lead_organisation_id == organisation.pk else " (supports)")
        for action in part["actions"]
    )
    return form_page(
        request,
        form,
        partnership=plan.partnership,
        plan=plan,
        title=f"Sign up to {plan}, version {version.number}",
        intro=f"{organisation}'s part: "
        + (lines or "no actions yet")
        + f". Money it puts in: {format_money(part['money'])}. "
        "Confirm it by name, as someone who may commit the organisation.",
        submit="Sign up",
        cancel_url=plan.get_absolute_url(),
    )


def _version_choice(value: str | None, numbers: list[int]) -> str | int | None:
    """A version number from the address, or "draft" for the plan as it stands."""
    if value == versions.DRAFT:
        return versions.DRAFT
    if value and value.isdigit() and int(value) in numbers:
        return int(value)
    return None


@login_required
@require_GET
def plan_versions(request: HttpRequest, pk: int) -> HttpResponse:
    """Every agreed version, and what changed between any two (or a version and now)."""
    plan = get_plan_for_user(request, pk)
    agreed = list(plan.versions.select_related("agreed_by").order_by("-number"))
    numbers = [version.number for version in agreed]
    error = ""
    old = new = None
    if "old" in request.GET or "new" in request.GET:
        old = _version_choice(request.GET.get("old"), numbers)
        new = _version_choice(request.GET.get("new"), numbers)
        if old is None or new is None:
            error = "Choose two of the versions listed, or the current draft."
            old = new = None
        elif old == new:
            error = "Choose two different versions to compare."
            old = new = None
    elif numbers:
        old, new = numbers[0], versions.DRAFT  # what changed since it was last agreed
    return render(
        request,
        "improveplan/plan_versions.html",
        {
            "plan": plan,
            "partnership": plan.partnership,
            "manages": request.membership.manages,
            "versions": agreed,
            "old": old,
            "new": new,
            "error": error,
            "diff": agreeing.compare(plan, old, new) if old is not None else None,
            "live": versions.live_ids(plan),
        },
    )


@login_required
@require_GET
def plan_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """An agreed version, read as it was agreed."""
    plan = get_plan_for_user(request, pk)
    version = PlanVersion.objects.select_related("agreed_by").filter(plan=plan, number=number)
    version = version.first()
    if version is None:
        raise Http404("No such version.")
    return render(
        request,
        "improveplan/plan_version.html",
        {
            "plan": plan,
            "partnership": plan.partnership,
            "version": version,
            "agreed": versions.readable(version.snapshot),
            "live": versions.live_ids(plan),
        },
    )
