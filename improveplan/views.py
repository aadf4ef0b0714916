from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from improveplan import history, notifications, once, operations, services
from improveplan.access import (
    get_invitation_for_user,
    get_membership_for_user,
    get_organisation_for_user,
    get_partnership_for_user,
    get_plan_for_user,
    refuse,
)
from improveplan.forms import (
    InvitationForm,
    MembershipForm,
    NewMemberForm,
    OrganisationForm,
    PlanForm,
)
from improveplan.models import Notification, Plan, User
from improveplan.two_factor import RequirementForm

Accepted = TypeVar("Accepted")


def unsent_message(email: str) -> str:
    """What a lead reads when an invitation's email could not be sent."""
    return (
        f"The invitation email to {email} could not be sent, so no link has gone out. "
        "Check the address, then send it again; the site's administrators can see why it failed."
    )


def form_errors_from(error: ValidationError, form) -> None:
    """Show a service's refusal on the form, beside the field it concerns."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def next_or(request: HttpRequest, default: str) -> str:
    """Where to go after a form: the page that sent the person here (``?next=``, a path on
    this site, e.g. a step of the walk), or the form's usual place."""
    candidate = request.GET.get("next", "")
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def form_page(
    request: HttpRequest,
    form,
    *,
    partnership,
    title: str,
    submit: str,
    plan=None,
    intro: str = "",
    cancel_url: str = "",
) -> HttpResponse:
    """A page with one form on it, inside a partnership."""
    context = {
        "form": form,
        "partnership": partnership,
        "plan": plan,
        "title": title,
        "intro": intro,
        "submit": submit,
        "cancel_url": cancel_url or partnership.get_absolute_url(),
    }
    return render(request, "improveplan/form_page.html", context)


@login_required
@require_GET
def partnership_detail(request: HttpRequest, pk: int) -> HttpResponse:
    partnership = get_partnership_for_user(request, pk)
    manages = request.membership.manages
    context = {
        "partnership": partnership,
        "membership": request.membership,
        "manages": manages,
        "organisations": partnership.organisations.annotate(member_count=Count("memberships")),
        "members": partnership.memberships.select_related("user", "organisation"),
        "plans": partnership.plans.all(),
        "invitations": (
            partnership.invitations.pending().select_related("organisation", "invited_by")
            if manages
            else []
        ),
        # Issue 23: a lead requires two-factor sign-in of the members.
        "two_factor_form": RequirementForm(
            initial={"require_two_factor": partnership.require_two_factor}
        )
        if manages
        else None,
    }
    return render(request, "improveplan/partnership_detail.html", context)


# Organisations --------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest, pk: int) -> HttpResponse:
    partnership = get_partnership_for_user(request, pk, manage=True)
    form = OrganisationForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and (form.is_valid() or once.sent_before(request)):
        form.instance.partnership = partnership
        try:
            organisation = once.save_once(request, form.save)
        except once.AlreadySaved:
            return once.already_saved(
                request,
                noun="organisation",
                back_to=partnership.get_absolute_url(),
                where=f"Go to {partnership}",
            )
        messages.success(request, f"{organisation} has joined the partnership.")
        return redirect(partnership)
    return form_page(
        request,
        form,
        partnership=partnership,
        title="Add an organisation",
        submit="Save organisation",
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_organisation_for_user(request, pk, manage=True)
    partnership = organisation.partnership
    form = OrganisationForm(request.POST or None, instance=organisation, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"{organisation} has been saved.")
        return redirect(partnership)
    organisation.refresh_from_db()
    return form_page(
        request,
        form,
        partnership=partnership,
        title=f"Edit {organisation}",
        submit="Save organisation",
    )


# Invitations and members ----------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def invitation_create(request: HttpRequest, pk: int) -> HttpResponse:
    partnership = get_partnership_for_user(request, pk, manage=True)
    form = InvitationForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                partnership=partnership,
                invited_by=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            invitation.refresh_from_db(fields=["send_failed_at"])  # sent already, without a worker
            if invitation.send_failed_at:
                messages.error(request, unsent_message(invitation.email))
            else:
                messages.success(request, f"An invitation has been emailed to {invitation.email}.")
            return redirect(partnership)
    return form_page(
        request,
        form,
        partnership=partnership,
        title=f"Invite someone to {partnership}",
        intro="We will email them a link. It lets them choose a password and join; it works "
        f"once, for the next {settings.INVITATION_VALID_DAYS} days.",
        submit="Send the invitation",
    )


@login_required
@require_POST
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_invitation_for_user(request, pk)
    try:
        services.invitation_resend(invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        invitation.refresh_from_db(fields=["send_failed_at"])  # sent already, without a worker
        if invitation.send_failed_at:
            messages.error(request, unsent_message(invitation.email))
        else:
            messages.success(
                request,
                f"The invitation has been emailed to {invitation.email} again; "
                "the link in any earlier email no longer works.",
            )
    return redirect(invitation.partnership)


@login_required
@require_POST
def invitation_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_invitation_for_user(request, pk)
    services.invitation_cancel(invitation=invitation)
    messages.success(request, f"The invitation for {invitation.email} has been cancelled.")
    return redirect(invitation.partnership)


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link. It works once, until it expires, for the address it was sent to."""
    invitation = services.invitation_from_token(token)
    if invitation is None or not invitation.is_usable:
        return render(
            request, "improveplan/invitation_invalid.html", {"invitation": invitation}, status=410
        )

    def welcome(membership):
        messages.success(request, f"Welcome to {membership.partnership}.")
        return redirect(membership.partnership)

    return link_accept_page(
        request,
        email=invitation.email,
        template="improveplan/invitation_accept.html",
        context={"invitation": invitation},
        accept=lambda user: services.invitation_accept(invitation=invitation, user=user),
        accept_as_new_user=lambda full_name, password: services.invitation_accept_as_new_user(
            invitation=invitation, full_name=full_name, password=password
        ),
        welcome=welcome,
    )


def link_accept_page(
    request: HttpRequest,
    *,
    email: str,
    template: str,
    context: dict,
    accept: Callable[[User], Accepted],
    accept_as_new_user: Callable[[str, str], Accepted],
    welcome: Callable[[Accepted], HttpResponse],
) -> HttpResponse:
    """The page an emailed link opens (an invitation to a partnership, or to review a plan).
    Someone with an account signs in as the address it was sent to and accepts; someone
    without makes the account and accepts in one step. ``accept`` and ``accept_as_new_user``
    take the link up and return what it made, which has a ``user``; ``welcome`` answers."""
    has_account = User.objects.filter(email__iexact=email).exists()
    context = {**context, "has_account": has_account}
    if has_account:
        if not request.user.is_authenticated:
            messages.info(request, f"Sign in as {email} to accept the invitation.")
            return redirect_to_login(request.get_full_path())
        if request.user.email.lower() != email.lower():
            context["wrong_user"] = True
            return render(request, template, context, status=403)
        if request.method == "POST":
            try:
                accepted = accept(request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("improveplan:home")
            return welcome(accepted)
        return render(request, template, context)

    form = NewMemberForm(request.POST or None, email=email)
    if request.method == "POST" and form.is_valid():
        try:
            accepted = accept_as_new_user(
                form.cleaned_data["full_name"], form.cleaned_data["password1"]
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            login(request, accepted.user, backend="django.contrib.auth.backends.ModelBackend")
            return welcome(accepted)
    context["form"] = form
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def membership_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_membership_for_user(request, pk, manage=True)
    form = MembershipForm(request.POST or None, instance=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_change(
                membership=membership,
                role=form.cleaned_data["role"],
                organisation=form.cleaned_data["organisation"],
                by=request.user,
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, f"{membership.user}'s membership has been saved.")
            return redirect(membership.partnership)
    # A refused change must not show as if it had happened.
    membership.refresh_from_db()
    role = membership.get_role_display().lower()
    return form_page(
        request,
        form,
        partnership=membership.partnership,
        title=f"Change {membership.user}'s membership",
        intro=f"{membership.user} ({membership.user.email}) is now a {role} "
        f"for {membership.organisation}.",
        submit="Save",
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_membership_for_user(request, pk, manage=True)
    if request.method == "POST":
        try:
            services.membership_remove(membership=membership, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(membership.partnership)
        messages.success(request, f"{membership.user} has been removed from the partnership.")
        if membership.user_id == request.user.pk:
            return redirect("improveplan:home")
        return redirect(membership.partnership)
    return render(request, "improveplan/membership_remove.html", {"membership": membership})


# Plans ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    partnership = get_partnership_for_user(request, pk, manage=True)
    form = PlanForm(
        request.POST or None, initial={"status": Plan.Status.DRAFT}, partnership=partnership
    )
    if request.method == "POST" and (form.is_valid() or once.sent_before(request)):
        form.instance.partnership = partnership
        try:
            plan = once.save_once(request, form.save)
        except once.AlreadySaved:
            return once.already_saved(
                request,
                noun="plan",
                back_to=partnership.get_absolute_url(),
                where=f"Go to {partnership}",
            )
        messages.success(request, f"The plan “{plan}” has been created.")
        return redirect(plan)
    return form_page(request, form, partnership=partnership, title="New plan", submit="Save plan")


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request, pk, manage=True)
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"The plan “{plan}” has been saved.")
        return redirect(next_or(request, plan.get_absolute_url()))
    plan.refresh_from_db()
    return form_page(
        request,
        form,
        partnership=plan.partnership,
        plan=plan,
        title=f"Edit {plan}",
        submit="Save plan",
        cancel_url=next_or(request, plan.get_absolute_url()),
    )


# Plans: archiving and reopening (agreeing and comparing: improveplan/shell/views.py) --


@login_required
@require_POST
def plan_archive(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request, pk, manage=True)
    services.plan_archive(plan=plan)
    messages.success(request, f"“{plan}” is archived: it can be read but no longer changed.")
    return redirect(plan)


@login_required
@require_POST
def plan_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request, pk, manage=True, archived_ok=True)
    if plan.status != Plan.Status.ARCHIVED:
        messages.error(request, "This plan is not archived.")
        return redirect(plan)
    services.plan_reopen(plan=plan)
    messages.success(request, f"“{plan}” is reopened and can be changed again.")
    return redirect(plan)


def history_page(request: HttpRequest, thing, *, plan, sources, heading: str) -> HttpResponse:
    """The history of changes to one thing (and what hangs off it), newest first."""
    entries = history.history_of(*sources)
    return render(
        request,
        "improveplan/history.html",
        {
            "thing": thing,
            "plan": plan,
            "partnership": plan.partnership,
            "heading": heading,
            "entries": entries,
            "limit": history.LIMIT,
        },
    )


@login_required
@require_GET
def plan_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's own changes: its title, period, frame, manager, status and template mark."""
    plan = get_plan_for_user(request, pk)
    return history_page(
        request, plan, plan=plan, sources=[(Plan, {"id": plan.pk})], heading=f"History of {plan}"
    )


# Notifications ----------------------------------------------------------------

NOTIFICATIONS_PER_PAGE = 30


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """The signed-in person's notifications, newest first, a page at a time."""
    unread = notifications.unread_recount(request.user)
    rows = Notification.objects.filter(user=request.user).select_related("plan")
    page = Paginator(rows, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "improveplan/notifications.html",
        {"page": page, "unread": unread, "kinds": Notification.Kind},
    )


def _list_page(request: HttpRequest) -> str:
    """Where to go back to: the page of the list the person was on. Read before anything is
    changed, so that a body too large to read changes nothing."""
    page = request.POST.get("page", "")
    url = reverse("improveplan:notifications")
    return f"{url}?page={page}" if page.isdigit() and page != "1" and len(page) < 10 else url


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of one's own notifications read; anyone else's is not found."""
    notification = Notification.objects.filter(pk=pk, user=request.user).first()
    if notification is None:
        refuse(request, f"notification {pk}")
        raise Http404("No such page.")
    back = _list_page(request)
    notifications.mark_read(user=request.user, ids=[notification.pk])
    return redirect(back)


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    back = _list_page(request)
    count = notifications.mark_read(user=request.user)
    if count:
        messages.success(request, f"{count} notification{'s' * (count != 1)} marked as read.")
    return redirect(back)


# Accounts ---------------------------------------------------------------------


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing a new password also lifts a sign-in lockout: the way back for the real owner."""

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=form.user.email)
        return response


# Public pages ----------------------------------------------------------------


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement the Public Sector Bodies Accessibility Regulations require."""
    return render(
        request,
        "improveplan/accessibility.html",
        {"contact": settings.ACCESSIBILITY_CONTACT, "tested_on": ACCESSIBILITY_TESTED_ON},
    )


# The day the pages were last checked against WCAG 2.2 AA; change it when they are checked again.
ACCESSIBILITY_TESTED_ON = date(2026, 11, 23)


# Operations ------------------------------------------------------------------


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database (and the broker, if one is configured) answer; 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("unavailable\n", status=503, content_type="text/plain")
    if settings.CELERY_BROKER_URL and not broker_answers(settings.CELERY_BROKER_URL):
        return HttpResponse("unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@never_cache
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness, for load balancers: one line for each service this host needs (the
    database, Redis, the file storage) and 200 only when all answer; 503 otherwise. It names
    no address and no data."""
    states = operations.readiness()
    ready = all(state != "unavailable" for state in states.values())
    body = "".join(f"{name} {state}\n" for name, state in states.items())
    return HttpResponse(body, status=200 if ready else 503, content_type="text/plain")


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """Request, database and task figures for Prometheus, only for a scraper that brings
    METRICS_TOKEN; to everyone else, signed in or not, it does not exist."""
    if not operations.metrics_allowed(request):
        raise Http404("No such page.")
    body, content_type = operations.metrics_text()
    return HttpResponse(body, content_type=content_type)


def broker_answers(url: str) -> bool:
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=2) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # noqa: BLE001 - any failure to reach the broker is "unavailable"
        return False
    return True
