"""Pages for Steps 4–5: options appraisal, actions, milestones, updates, My actions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F, Prefetch, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from actions import (
    access,
    appraisal,
    forms,
    risks,
    services,
    smart,
    spending,
    spreadsheets,
    tasks,
    timeline,
)
from actions.filters import ActionFilter, MyActionsFilter
from actions.models import (
    Action,
    Allocation,
    Budget,
    Communication,
    Contribution,
    Declaration,
    DueDateProposal,
    Milestone,
    MoneyMove,
    Option,
    Spend,
    Stakeholder,
    Update,
    updates_stamp,
)
from actions.ranking import rank_options
from actions.scenarios import compare as scenario_comparison
from improveplan import history, items, kept, once, security
from improveplan.celery import workers_available
from improveplan.models import Membership, Plan, Role, SecurityEvent
from improveplan.periods import PeriodClosed, closing_period
from improveplan.uploads import EVIDENCE_KINDS, attachment_response, check_upload
from improveplan.views import form_errors_from, form_page, history_page, next_or
from outcomes import imports
from outcomes.models import Evidence, ImportJob

for _name, _kind in {
    "criterion": items.Kind(
        noun="criterion",
        form=forms.CriterionForm,
        get_parent=access.get_plan_for_user,
        get_object=access.get_criterion_for_user,
        parent_of=lambda criterion: criterion.plan,
        back_to=lambda plan: f"/plans/{plan.pk}/criteria/",
    ),
    "option": items.Kind(
        noun="option",
        form=forms.OptionForm,
        get_parent=access.get_outcome_for_user,
        get_object=access.get_option_for_user,
        parent_of=lambda option: option.outcome,
        back_to=lambda outcome: f"/outcomes/{outcome.pk}/options/",
    ),
    # Issue 24: the plan's risk register, risks of the whole plan and of each outcome.
    "plan_risk": items.Kind(
        noun="risk",
        form=forms.PlanRiskForm,
        get_parent=access.get_plan_for_user,
        get_object=access.get_plan_risk_for_user,
        parent_of=lambda risk: risk.plan,
        back_to=lambda plan: reverse("actions:risk_register", args=[plan.pk]),
    ),
    "expected_effect": items.Kind(
        noun="expected effect",
        form=forms.ExpectedEffectForm,
        get_parent=access.get_action_for_user,
        get_object=access.get_effect_for_user,
        parent_of=lambda effect: effect.action,
        back_to=lambda action: action.get_absolute_url(),
    ),
    "option_effect": items.Kind(
        noun="expected effect",
        form=forms.OptionEffectForm,
        get_parent=access.get_option_for_user,
        get_object=access.get_option_effect_for_user,
        parent_of=lambda effect: effect.option,
        back_to=lambda option: option.get_absolute_url(),
    ),
    "scenario": items.Kind(
        noun="scenario",
        form=forms.ScenarioForm,
        get_parent=access.get_plan_for_user,
        get_object=access.get_scenario_for_user,
        parent_of=lambda scenario: scenario.plan,
        back_to=lambda plan: f"/plans/{plan.pk}/scenarios/",
    ),
    # Issue 24: partners' contributions to the pooled budget, and its allocations to outcomes.
    "contribution": items.Kind(
        noun="contribution",
        form=forms.ContributionForm,
        get_parent=access.get_plan_for_user,
        get_object=access.get_contribution_for_user,
        parent_of=lambda contribution: contribution.plan,
        back_to=lambda plan: reverse("actions:money", args=[plan.pk]),
    ),
    "allocation": items.Kind(
        noun="allocation",
        form=forms.AllocationForm,
        get_parent=access.get_plan_for_user,
        get_object=access.get_allocation_for_user,
        parent_of=lambda allocation: allocation.plan,
        back_to=lambda plan: reverse("actions:money", args=[plan.pk]),
    ),
    # Issue 24: the plan's frame
    "stakeholder": items.Kind(
        noun="stakeholder",
        form=forms.StakeholderForm,
        get_parent=access.get_plan_for_user,
        get_object=access.get_stakeholder_for_user,
        parent_of=lambda stakeholder: stakeholder.plan,
        back_to=lambda plan: reverse("actions:plan_frame", args=[plan.pk]) + "#stakeholders",
    ),
    "communication": items.Kind(
        noun="communication",
        form=forms.CommunicationForm,
        get_parent=access.get_plan_for_user,
        get_object=access.get_communication_for_user,
        parent_of=lambda communication: communication.plan,
        back_to=lambda plan: reverse("actions:plan_frame", args=[plan.pk]) + "#communications",
    ),
    "milestone": items.Kind(
        noun="milestone",
        form=forms.MilestoneForm,
        get_parent=access.get_action_for_user,
        get_object=access.get_milestone_for_user,
        parent_of=lambda milestone: milestone.action,
        back_to=lambda action: action.get_absolute_url(),
    ),
}.items():
    items.register(_name, _kind)


def _action_list(queryset):
    """What a list of actions shows, in a fixed number of queries."""
    return queryset.select_related(
        "lead_organisation", "owner", "plan__partnership"
    ).prefetch_related(
        "supporting_organisations",
        "outcomes",
        "milestones",
        Prefetch("updates", queryset=Update.objects.select_related("author")),
    )


def _smart(action: Action) -> smart.SmartCheck:
    return smart.check(services.smart_facts(action))


# Criteria and options -------------------------------------------------------------------


@login_required
@require_GET
def scenarios(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's named scenarios compared, indicator by indicator, at the target date."""
    plan = access.get_plan_for_user(request, pk, archived_ok=True)
    named, compared = scenario_comparison(plan)
    context = {
        "plan": plan,
        "partnership": plan.partnership,
        "scenarios": named,
        "compared": compared,
        "manages": request.membership.manages,
    }
    return render(request, "actions/scenarios.html", context)


@login_required
@require_GET
def criteria(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.get_plan_for_user(request, pk)
    return render(
        request,
        "actions/criteria.html",
        {
            "plan": plan,
            "partnership": plan.partnership,
            "manages": request.membership.manages,
            "criteria": plan.criteria.all(),
            "suggested": appraisal.DEFAULT_CRITERIA,
        },
    )


@login_required
@require_POST
def criteria_defaults(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.get_plan_for_user(request, pk, manage=True)
    added = services.criteria_add_defaults(plan=plan)
    if added:
        messages.success(
            request, f"{added} suggested criteria added; change their weights to suit."
        )
    else:
        messages.info(request, "This plan already has criteria.")
    return redirect(next_or(request, f"/plans/{plan.pk}/criteria/"))


@login_required
@require_GET
def appraisal_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 4 for one outcome: its options, scored against the plan's criteria, ranked."""
    outcome = access.get_outcome_for_user(request, pk)
    plan = outcome.plan
    plan_criteria = list(plan.criteria.all())
    ranking = rank_options(outcome, plan_criteria)
    return render(
        request,
        "actions/appraisal.html",
        {
            "outcome": outcome,
            "plan": plan,
            "partnership": plan.partnership,
            "manages": request.membership.manages,
            "criteria": plan_criteria,
            "rows": ranking.rows,
            "declarations": ranking.declarations,
            "excluded_members": ranking.excluded_members,
            "may_declare": request.membership.role in (Role.LEAD, Role.PARTNER),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def option_scores(request: HttpRequest, pk: int) -> HttpResponse:
    option = access.get_option_for_user(request, pk, manage=True)
    plan = option.outcome.plan
    plan_criteria = list(plan.criteria.all())
    form = forms.ScoreGridForm(request.POST or None, option=option, criteria=plan_criteria)
    if request.method == "POST" and form.is_valid():
        services.scores_save(
            option=option,
            scores={
                criterion: (
                    form.cleaned_data[f"score_{criterion.pk}"],
                    form.cleaned_data[f"note_{criterion.pk}"],
                )
                for criterion in plan_criteria
            },
            by=request.user,
        )
        messages.success(request, f"The scores for “{option}” have been saved.")
        return redirect(next_or(request, option.get_absolute_url()))
    return form_page(
        request,
        form,
        partnership=plan.partnership,
        plan=plan,
        title=f"Score “{option}” against each criterion",
        intro="0 means no contribution at all, 5 the best one could hope for.",
        submit="Save the scores",
        cancel_url=next_or(request, option.get_absolute_url()),
    )


@login_required
@require_http_methods(["GET", "POST"])
def option_decision(request: HttpRequest, pk: int) -> HttpResponse:
    option = access.get_option_for_user(request, pk, manage=True)
    plan = option.outcome.plan
    form = forms.DecisionForm(
        request.POST or None,
        initial={"decision": option.decision, "decision_reason": option.decision_reason},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.option_decide(
                option=option,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["decision_reason"],
                by=request.user,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field, errors)
        else:
            messages.success(request, f"The decision on “{option}” has been recorded.")
            return redirect(next_or(request, option.get_absolute_url()))
    return form_page(
        request,
        form,
        partnership=plan.partnership,
        plan=plan,
        title=f"Decide on “{option}”",
        submit="Record the decision",
        cancel_url=next_or(request, option.get_absolute_url()),
    )


@login_required
@require_http_methods(["GET", "POST"])
def option_to_actions(request: HttpRequest, pk: int) -> HttpResponse:
    option = access.get_option_for_user(request, pk, manage=True)
    plan = option.outcome.plan
    form = forms.OptionToActionsForm(request.POST or None, partnership=plan.partnership)
    if option.decision != Option.Decision.FAVOURED:
        messages.error(
            request, "Only a favoured option becomes actions: record the decision first."
        )
        return redirect(option)
    if request.method == "POST" and form.is_valid():
        made = services.option_to_actions(
            option=option,
            titles=form.cleaned_data["titles"].splitlines(),
            lead_organisation=form.cleaned_data["lead_organisation"],
        )
        messages.success(
            request,
            f"{len(made)} action{'s' if len(made) != 1 else ''} made: "
            + ", ".join(action.reference for action in made)
            + ". Give each an owner, dates and a measure of success.",
        )
        return redirect(next_or(request, f"/plans/{plan.pk}/actions/"))
    return form_page(
        request,
        form,
        partnership=plan.partnership,
        plan=plan,
        title=f"Turn “{option}” into actions",
        submit="Make the actions",
        cancel_url=next_or(request, option.get_absolute_url()),
    )


@login_required
@require_http_methods(["GET", "POST"])
def gap_to_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2's information gap becomes a draft action in one step (Five Steps: "what
    don't we know yet? Each gap can become an action")."""
    gap = access.get_evidence_for_user(request, pk, manage=True)
    if gap.kind != Evidence.Kind.GAP:
        raise Http404("Only an information gap becomes an action this way.")
    outcome = gap.outcome
    plan = outcome.plan
    form = forms.GapToActionForm(
        request.POST or None,
        partnership=plan.partnership,
        initial={"title": f"Find out: {gap.summary}"[:200]},
    )
    if request.method == "POST" and form.is_valid():
        action = services.gap_to_action(
            gap=gap,
            title=form.cleaned_data["title"],
            lead_organisation=form.cleaned_data["lead_organisation"],
        )
        messages.success(
            request,
            f"Action {action.reference} has been made from the information gap. "
            "Give it an owner, dates and a measure of success.",
        )
        return redirect(action)
    return form_page(
        request,
        form,
        partnership=plan.partnership,
        plan=plan,
        title=f"Turn the information gap “{gap.summary}” into an action",
        submit="Make the action",
        cancel_url=next_or(request, outcome.get_absolute_url() + "#step-2"),
    )


# The risk register ------------------------------------------------------------------------


@login_required
@require_GET
def risk_register(request: HttpRequest, pk: int) -> HttpResponse:
    """Every risk of the plan, the whole plan's and each outcome's, highest first, with the
    heat maps before and after mitigation."""
    plan = access.get_plan_for_user(request, pk)
    return render(
        request,
        "actions/risk_register.html",
        {
            "plan": plan,
            "partnership": plan.partnership,
            "manages": request.membership.manages,
            **risks.register(plan),
        },
    )


# The action plan ------------------------------------------------------------------------


@login_required
@require_GET
def action_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """Every action of the plan: filterable, sortable, 50 to a page."""
    plan = access.get_plan_for_user(request, pk)
    manages = request.membership.manages
    # Computed when the plan has changed since this page of it was last shown, else as kept.
    content = kept.part(
        "action-plan",
        plans=[plan.pk],
        parts=[kept.viewer(request), request.GET.urlencode()],
        render=lambda: render_to_string(
            "actions/_action_plan.html",
            {
                **kept.context_for(request),
                **_action_plan_page(plan, request.GET, manages=manages),
            },
        ),
        request=request,
    )
    context = {"plan": plan, "partnership": plan.partnership, "content": content}
    return render(request, "actions/action_plan.html", context)


def _action_plan_page(plan, asked, *, manages: bool) -> dict:
    actions = ActionFilter(
        asked, queryset=_action_list(Action.objects.filter(plan=plan)), plan=plan
    )
    page = Paginator(actions.qs, 50).get_page(asked.get("page"))
    today = timezone.localdate()
    rows = [
        {"action": action, "overdue": action.is_overdue(today), "smart": _smart(action)}
        for action in page
    ]
    query = asked.copy()
    query.pop("page", None)
    return {
        "plan": plan,
        "manages": manages,
        "filter": actions,
        "filters_applied": sum(
            bool([value for value in asked.getlist(name) if value])
            for name in actions.form.fields
            if name != "order"
        ),
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.get_plan_for_user(request, pk, manage=True)
    # Opened from an outcome's walk, the new action serves that outcome.
    outcome = request.GET.get("outcome", "")
    initial = {"outcomes": [int(outcome)]} if outcome.isdigit() and len(outcome) < 10 else None
    form = forms.ActionForm(request.POST or None, plan=plan, initial=initial)
    if request.method == "POST" and (form.is_valid() or once.sent_before(request)):
        form.instance.plan = plan
        try:
            action = once.save_once(request, lambda: services.action_create(form=form))
        except once.AlreadySaved:
            return once.already_saved(
                request,
                noun="action",
                back_to=f"/plans/{plan.pk}/actions/",
                where="Go to the actions",
            )
        messages.success(request, f"Action {action.reference} has been added.")
        return redirect(next_or(request, action.get_absolute_url()))
    return render(
        request,
        "actions/action_form.html",
        {
            "form": form,
            "plan": plan,
            "partnership": plan.partnership,
            "title": "New action",
            "smart": _smart_as_typed(plan, form.data, "") if form.is_bound else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = access.get_action_for_user(request, pk, manage=True)
    plan = action.plan
    form = forms.ActionForm(request.POST or None, instance=action, plan=plan)
    conflict = None
    if request.method == "POST" and form.is_valid():
        read_version = form.cleaned_data.get("version") or 0
        try:
            services.action_save(form=form, read_version=read_version)
        except services.EditConflict as error:
            # Show the action as it is now; the person makes their change again on top.
            conflict = error.current
            form = forms.ActionForm(instance=conflict, plan=plan)
        else:
            messages.success(request, f"Action {action.reference} has been saved.")
            return redirect(next_or(request, action.get_absolute_url()))
    action.refresh_from_db()
    return render(
        request,
        "actions/action_form.html",
        {
            "form": form,
            "plan": plan,
            "partnership": plan.partnership,
            "action": action,
            "conflict": conflict,
            # After a refusal, the check of what was typed (the form still shows it).
            "smart": (
                _smart_as_typed(plan, form.data, str(action.pk))
                if form.is_bound
                else _smart(action)
            ),
            "title": f"Edit {action.reference}",
        },
        status=409 if conflict else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_delete(request: HttpRequest, pk: int) -> HttpResponse:
    action = access.get_action_for_user(request, pk, manage=True)
    plan = action.plan
    if request.method == "POST":
        with transaction.atomic(), history.deleting(action):
            action.delete()
        messages.success(
            request, f"Action {action.reference} has been deleted; its reference is not reused."
        )
        return redirect("actions:plan", pk=plan.pk)
    return render(
        request,
        "improveplan/confirm_delete.html",
        {
            "item": action,
            "noun": "action",
            "partnership": plan.partnership,
            "plan": plan,
            "cancel_url": action.get_absolute_url(),
        },
    )


@login_required
@require_GET
def action_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The action's changes, with its milestones' (deleted ones too)."""
    action = access.get_action_for_user(request, pk)
    return history_page(
        request,
        action,
        plan=action.plan,
        sources=[
            (Action, {"id": action.pk}),
            (Milestone, {"action_id": action.pk}),
            (DueDateProposal, {"action_id": action.pk}),
        ],
        heading=f"History of {action}, its milestones and due-date requests",
    )


@login_required
@require_GET
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _action_page(request, access.get_action_for_user(request, pk))


def _action_page(
    request: HttpRequest,
    action: Action,
    *,
    update_form=None,
    due_form=None,
    answer_form=None,
    spend_form=None,
    status: int = 200,
) -> HttpResponse:
    """The action's page; a form that was not saved (an update, a due-date request or its
    answer) is shown again with its errors and what was typed."""
    action = _action_list(Action.objects.filter(pk=action.pk)).get()
    membership = request.membership
    may_update = access.may_update_action(membership, action)
    proposals = list(action.due_proposals.select_related("proposed_by", "answered_by")[:5])
    pending = next((p for p in proposals if p.answer == p.Answer.PENDING), None)
    may_propose = may_update and action.is_in_progress
    spends = list(action.spends.all())
    return render(
        request,
        "actions/action_detail.html",
        {
            "action": action,
            "plan": action.plan,
            "partnership": action.plan.partnership,
            "manages": membership.manages,
            "may_update": may_update,
            "smart": _smart(action),
            "overdue": action.is_overdue(),
            "update_form": update_form
            or (
                forms.UpdateForm(initial={"status": action.status, "progress": action.progress})
                if may_update and not action.is_closed
                else None
            ),
            "return_form": forms.ReturnForm() if membership.manages else None,
            "spends": spends,
            "spent_total": sum((spend.amount for spend in spends), Decimal(0)),
            "spend_form": spend_form
            or (
                forms.SpendForm(plan=action.plan, today=timezone.localdate())
                if may_update and action.plan.status != Plan.Status.ARCHIVED
                else None
            ),
            "due_proposals": proposals,
            "pending_proposal": pending,
            # A refused form is shown again with its errors and what was typed, whatever else.
            "due_form": due_form
            or (forms.DueDateProposalForm() if may_propose and not pending else None),
            "answer_form": answer_form
            or (forms.DueDateAnswerForm() if membership.manages and pending else None),
            # Issue 24: the action it carries on from last year's plan, and its carrying on.
            "carried_on": Action.objects.select_related("plan")
            .filter(pk=action.continues_id)
            .first()
            if action.continues_id
            else None,
            "carried_into": list(Action.objects.filter(continues=action).select_related("plan")),
        },
        status=status,
    )


@login_required
@require_GET
def updates_live(request: HttpRequest, pk: int) -> HttpResponse:
    """The action's history of updates, asked for again when someone next acts on its page
    (static/improveplan/live.js): 204 while ``?since=`` is still current."""
    action = access.get_action_for_user(request, pk)
    stamp = updates_stamp(Update.objects.filter(action=action).values_list("pk", flat=True))
    if request.headers.get("HX-Request") == "true" and request.GET.get("since") == stamp:
        return HttpResponse(status=204)
    action = _action_list(Action.objects.filter(pk=action.pk)).get()
    return render(request, "actions/_updates.html", {"action": action})


def _update_form(action: Action, *, focus: bool = False) -> forms.UpdateForm:
    form = forms.UpdateForm(
        initial={"status": action.status, "progress": action.progress},
        auto_id=f"action-{action.pk}-%s",
    )
    if focus:  # fetched by a keyboard user's button press: carry on in the form
        form.fields["status"].widget.attrs["autofocus"] = True
    return form


# Partners' updates ---------------------------------------------------------------------


@login_required
@require_POST
def update_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Post an update. From My actions it comes by htmx and gets the action's row back."""
    action = access.get_action_for_user(request, pk)
    access.check_may_update_action(request, action)
    from_list = request.headers.get("HX-Request") == "true"
    # From My actions, the form's ids are the card's, so its errors sit beside its fields.
    auto_id = f"action-{action.pk}-%s" if from_list else "id_%s"
    form = forms.UpdateForm(request.POST, request.FILES, auto_id=auto_id)
    error = None
    closed = closing_period(action.plan_id, timezone.localdate())
    if action.is_closed:
        error = "This action is closed: it takes no more updates."
    elif closed:
        error = f"{PeriodClosed(closed)} Updates start again with the next period."
    elif once.sent_before(request):
        return _update_sent_twice(request, action, from_list=from_list)
    elif form.is_valid():
        upload, kind = form.cleaned_data.get("evidence_file"), None
        try:
            if upload:
                kind = check_upload(upload, allowed=EVIDENCE_KINDS)
            once.save_once(
                request,
                lambda: services.update_post(
                    action=action,
                    author=request.user,
                    status=form.cleaned_data["status"],
                    progress=form.cleaned_data["progress"],
                    note=form.cleaned_data["note"],
                    evidence_link=form.cleaned_data["evidence_link"],
                    evidence_file=upload,
                    evidence_kind=kind,
                    completion_evidence=form.cleaned_data["completion_evidence"],
                    lessons_learned=form.cleaned_data["lessons_learned"],
                ),
            )
        except ValidationError as problem:
            form.add_error("evidence_file" if upload else None, problem)
        except (once.AlreadySaved, services.AlreadyPosted):
            return _update_sent_twice(request, action, from_list=from_list)
        else:
            if from_list:
                action.refresh_from_db()
                return render(
                    request,
                    "actions/_my_action.html",
                    {"action": action, "saved": True, "today": timezone.localdate()},
                )
            messages.success(request, f"Your update to {action.reference} has been saved.")
            # Back to where the partner came from (e.g. the LEAP cycle), or to the action.
            return redirect(next_or(request, action.get_absolute_url()))
    if from_list:
        action.update_form = form
        return render(
            request,
            "actions/_my_action.html",
            {"action": action, "error": error, "today": timezone.localdate()},
            status=422 if not error else 409,
        )
    if error:
        messages.error(request, error)
        return redirect(action)
    # The action's page again, with each error beside its field and what was typed kept.
    return _action_page(request, action, update_form=form, status=422)


def _update_sent_twice(request: HttpRequest, action: Action, *, from_list: bool) -> HttpResponse:
    """Sent twice (a second click, or Back and save again): the first one counts."""
    if from_list:
        action.refresh_from_db()
        return render(
            request,
            "actions/_my_action.html",
            {"action": action, "already": True, "today": timezone.localdate()},
        )
    return once.already_saved(
        request, noun="update", back_to=action.get_absolute_url(), where=f"Go to {action.reference}"
    )


@login_required
@require_GET
def update_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The update form for one action, fetched into My actions when the partner asks for it:
    rendering a form for every action up front made the page slow."""
    action = access.get_action_for_user(request, pk)
    if not (
        access.may_update_action(request.membership, action)
        and not action.is_closed
        and action.plan.status != Plan.Status.ARCHIVED
    ):
        return HttpResponse(
            "<p>You can read this action but not post updates to it.</p>", content_type="text/html"
        )
    action.update_form = _update_form(action, focus=True)
    return render(request, "actions/_update_form.html", {"action": action})


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    update = access.get_update_for_user(request, pk)
    if not update.evidence_file:
        raise Http404("No such file.")
    kind = next((k for k in EVIDENCE_KINDS if k.name == update.evidence_kind), None)
    if kind is None:
        raise Http404("No such file.")
    security.record(
        SecurityEvent.Kind.EXPORT,
        request=request,
        partnership_id=update.action.plan.partnership_id,
        detail=f"evidence file of update {update.pk}",
    )
    return attachment_response(
        update.evidence_file.open("rb"), name=update.evidence_name, kind=kind
    )


@login_required
@require_POST
def closure_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    action = access.get_action_for_user(request, pk, manage=True)
    try:
        services.closure_confirm(action=action, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{action.reference} is closed as complete.")
    return redirect(action)


@login_required
@require_POST
def closure_return(request: HttpRequest, pk: int) -> HttpResponse:
    action = access.get_action_for_user(request, pk, manage=True)
    form = forms.ReturnForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Say why the action is not complete yet.")
        services.closure_return(action=action, reason=form.cleaned_data["reason"], by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"{action.reference} has gone back to its owner, with your reason."
        )
    return redirect(action)


@login_required
@require_POST
def spend_record(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead, or a partner of an organisation that leads or supports the action, records
    what was spent on it in a quarter (again for the same quarter: corrected)."""
    action = access.get_action_for_user(request, pk)
    access.check_may_update_action(request, action)
    form = forms.SpendForm(request.POST, plan=action.plan, today=timezone.localdate())
    if form.is_valid():
        quarter = date.fromisoformat(form.cleaned_data["quarter"])
        Spend.objects.update_or_create(
            action=action,
            quarter=quarter,
            defaults={
                "amount": form.cleaned_data["amount"],
                "note": form.cleaned_data["note"],
                "recorded_by": request.user,
                "recorded_at": timezone.now(),
            },
        )
        messages.success(request, f"The spend on {action.reference} for the quarter is recorded.")
        return redirect(action)
    return _action_page(request, action, spend_form=form, status=422)


# Issue 24: the pooled budget, its allocations, and money moved between outcomes ----------


@login_required
@require_GET
def plan_money(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's resources: the pooled budget and who gives to it, each outcome's allocation
    beside what its actions commit and have spent, the decisions that moved money, and
    resources by partner and by outcome."""
    plan = access.get_plan_for_user(request, pk)
    table = spending.plan_resources(plan)
    return render(
        request,
        "actions/money.html",
        {
            "plan": plan,
            "partnership": plan.partnership,
            "manages": request.membership.manages,
            # Its buttons and links to change the money: a lead's, while the plan is open.
            "may_edit": request.membership.manages and plan.status != Plan.Status.ARCHIVED,
            "money": table,
            "pool": spending.pool_of(plan, table),
            "moves": spending.moves_of(plan),
            "contributions": plan.contributions.select_related("organisation"),
            "allocations": plan.allocations.select_related("outcome"),
            "has_outcomes": plan.outcomes.exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def budget_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead sets the plan's pooled budget."""
    plan = access.get_plan_for_user(request, pk, manage=True)
    budget = Budget.objects.filter(plan=plan).first() or Budget(plan=plan)
    form = forms.BudgetForm(request.POST or None, instance=budget, plan=plan)
    back = reverse("actions:money", args=[plan.pk])
    if request.method == "POST" and form.is_valid():
        try:
            once.save_once(request, form.save, claim=False)
        except once.AlreadySaved:
            return once.already_saved(request, noun="budget", back_to=back)
        messages.success(request, "The pooled budget has been saved.")
        return redirect(back)
    return form_page(
        request,
        form,
        partnership=plan.partnership,
        plan=plan,
        title=f"The pooled budget: {plan}",
        intro="The money the partners put together for this plan, to allocate to its outcomes.",
        submit="Save the budget",
        cancel_url=back,
    )


@login_required
@require_http_methods(["GET", "POST"])
def money_move(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead records a decision to move money from one outcome's allocation to another's:
    both change together, and the decision joins the plan's record."""
    plan = access.get_plan_for_user(request, pk, manage=True)
    form = forms.MoneyMoveForm(request.POST or None, plan=plan)
    back = reverse("actions:money", args=[plan.pk])
    if request.method == "POST" and (form.is_valid() or once.sent_before(request)):
        data = form.cleaned_data
        try:
            once.save_once(
                request,
                lambda: spending.move_money(
                    plan=plan,
                    from_outcome=data["from_outcome"],
                    to_outcome=data["to_outcome"],
                    amount=data["amount"],
                    reason=data["reason"],
                    by=request.user,
                ),
            )
        except once.AlreadySaved:
            return once.already_saved(request, noun="decision", back_to=back)
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, "The money has been moved and the decision recorded.")
            return redirect(back)
    return form_page(
        request,
        form,
        partnership=plan.partnership,
        plan=plan,
        title=f"Move money between outcomes: {plan}",
        intro="Both allocations change together, and the decision is kept with who made it, "
        "when and why.",
        submit="Move the money",
        cancel_url=back,
    )


@login_required
@require_GET
def money_history(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.get_plan_for_user(request, pk)
    return history_page(
        request,
        plan,
        plan=plan,
        sources=[
            (Budget, {"plan_id": plan.pk}),
            (Contribution, {"plan_id": plan.pk}),
            (Allocation, {"plan_id": plan.pk}),
            (MoneyMove, {"plan_id": plan.pk}),
        ],
        heading=f"History of changes to the money of {plan}",
    )


@login_required
@require_POST
def due_date_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """A partner asks for a new due date, with a reason; a lead answers on the action's page."""
    action = access.get_action_for_user(request, pk)
    access.check_may_update_action(request, action)
    form = forms.DueDateProposalForm(request.POST)
    if form.is_valid():
        try:
            services.due_date_propose(
                action=action,
                by=request.user,
                proposed_due=form.cleaned_data["proposed_due"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                f"Your request for a new due date for {action.reference} is with the plan's "
                "leads. Their answer will show here and on My actions.",
            )
            return redirect(action)
    return _action_page(request, action, due_form=form, status=422)


@login_required
@require_POST
def due_date_answer(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = access.get_due_proposal_for_user(request, pk, manage=True)
    action = proposal.action
    form = forms.DueDateAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.due_date_answer(
                proposal=proposal,
                by=request.user,
                accept=form.cleaned_data["answer"],
                reason=form.cleaned_data["answer_reason"],
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # answered meanwhile: nothing left to answer
                messages.error(request, " ".join(error.messages))
                return redirect(action)
            form_errors_from(error, form)
        else:
            if form.cleaned_data["answer"]:
                done = f"{action.reference} is now due {proposal.proposed_due:%-d %B %Y}."
            else:
                done = f"The request for a new due date for {action.reference} is declined."
            messages.success(request, f"{done} The person who asked will see your answer.")
            return redirect(action)
    return _action_page(request, action, answer_form=form, status=422)


@login_required
@require_POST
def milestone_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = access.get_milestone_for_user(request, pk, manage=False)
    access.check_may_update_action(request, milestone.action)
    services.milestone_toggle(milestone=milestone)
    return redirect(milestone.action)


@login_required
@require_GET
def my_actions(request: HttpRequest) -> HttpResponse:
    """The live actions my organisations lead or support, in every partnership, grouped by
    partnership and plan, soonest due first; those waiting for a lead's confirmation apart."""
    memberships = list(
        Membership.objects.filter(user=request.user).select_related("partnership", "organisation")
    )
    writers = [m for m in memberships if m.role in (Role.PARTNER, Role.LEAD)]
    plans = Plan.objects.filter(partnership__in=[m.partnership_id for m in writers])
    # Computed when one of the plans has changed since the page was last shown, else as kept.
    content = kept.part(
        "my-actions",
        plans=plans.values_list("pk", flat=True),
        parts=[
            request.user.pk,
            [(m.partnership_id, m.organisation_id, m.role) for m in writers],
            request.GET.urlencode(),
        ],
        render=lambda: render_to_string(
            "actions/_my_actions.html", _my_actions_page(request.user, writers, request.GET)
        ),
    )
    return render(request, "actions/my_actions.html", {"content": content})


def _my_actions_page(user, writers: list[Membership], asked) -> dict:
    queryset = Action.objects.none()
    for membership in writers:
        queryset = queryset | Action.objects.filter(
            plan__partnership=membership.partnership
        ).filter(pk__in=Action.objects.for_organisation(membership.organisation_id).values("pk"))
    # Cancelled and closed actions ask nothing more of anyone.
    queryset = queryset.open()
    chosen = MyActionsFilter(asked, queryset=queryset, user=user)
    # Each card's update form is fetched when asked for (update_form): rendering one for
    # every action up front took over a second for 300 actions.
    actions = list(
        chosen.qs.select_related("plan__partnership")
        .prefetch_related(
            Prefetch(
                "due_proposals",
                queryset=DueDateProposal.objects.select_related(
                    "answered_by", "proposed_by"
                ).order_by("-proposed_at", "-pk"),
                to_attr="proposals_newest",
            )
        )
        # Soonest due first; on the same day a key action first, then by number (without a
        # last key the database may list the same day's actions in any order).
        .order_by(
            "plan__partnership__name",
            "plan__title",
            "plan_id",
            F("due").asc(nulls_last=True),
            "-is_key",
            "number",
        )
    )
    today = timezone.localdate()
    # Counted in whole days, as the page is kept for the day.
    recently = timezone.make_aware(datetime.combine(today - timedelta(days=30), time.min))
    for action in actions:
        latest = action.proposals_newest[0] if action.proposals_newest else None
        # The answer to a request shows for a month; a waiting request until it is answered.
        if latest and (latest.answered_at is None or latest.answered_at >= recently):
            action.due_request = latest
    awaiting = [a for a in actions if a.closure == Action.Closure.AWAITING]
    groups = [
        (plan, list(rows))
        for plan, rows in groupby(
            (a for a in actions if a.closure != Action.Closure.AWAITING), key=lambda a: a.plan
        )
    ]
    return {
        "groups": groups,
        "awaiting": awaiting,
        "filter": chosen,
        "filtered": any(asked.get(name) for name in chosen.filters),
        "today": today,
        "memberships": writers,
    }


# Seeing the whole plan --------------------------------------------------------------------


@login_required
@require_GET
def plan_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """Actions and milestones against time, with dependencies and the critical path."""
    plan = access.get_plan_for_user(request, pk)
    actions = list(
        Action.objects.filter(plan=plan, start__isnull=False, due__isnull=False)
        .live()
        .prefetch_related("milestones", "depends_on")
    )
    rows = [
        timeline.Row(
            key=action.reference,
            label=action.title,
            start=action.start,
            due=action.due,
            status=action.get_status_display(),
            milestones=tuple(
                timeline.Milestone(when=m.due, label=m.title, done=m.done)
                for m in action.milestones.all()
            ),
            depends_on=tuple(
                other.reference
                for other in action.depends_on.all()
                if other.start and other.due and other.is_live
            ),
            done=action.closure == Action.Closure.CLOSED or action.status == Action.Status.COMPLETE,
        )
        for action in actions
    ]
    drawing = timeline.timeline(title=f"Timeline of {plan}", rows=rows, today=timezone.localdate())
    undated = Action.objects.filter(plan=plan).filter(start__isnull=True) | Action.objects.filter(
        plan=plan, due__isnull=True
    )
    return render(
        request,
        "actions/timeline.html",
        {
            "plan": plan,
            "partnership": plan.partnership,
            "chart": drawing,
            "undated": undated.live().distinct(),
        },
    )


@login_required
@require_GET
def golden_thread(request: HttpRequest, pk: int) -> HttpResponse:
    """Outcome → indicators and targets → options → actions → owners and resources."""
    plan = access.get_plan_for_user(request, pk)
    outcomes = plan.outcomes.prefetch_related(
        Prefetch("indicators__targets"),
        Prefetch("options", queryset=Option.objects.order_by("decision", "title")),
        Prefetch(
            "actions",
            queryset=Action.objects.select_related(
                "lead_organisation", "owner", "resource_provider", "option"
            ).prefetch_related("supporting_organisations"),
        ),
    )
    unlinked = Action.objects.filter(plan=plan, outcomes__isnull=True)
    totals_by_partner = (
        Action.objects.filter(plan=plan, resource_amount__isnull=False)
        .live()
        .values("resource_provider__name")
        .annotate(total=Sum("resource_amount"))
        .order_by("resource_provider__name")
    )
    totals_by_outcome = (
        Action.objects.filter(plan=plan, resource_amount__isnull=False, outcomes__isnull=False)
        .live()
        .values("outcomes__priority", "outcomes__statement")
        .annotate(total=Sum("resource_amount"))
        .order_by("outcomes__priority")
    )
    return render(
        request,
        "actions/golden_thread.html",
        {
            "plan": plan,
            "partnership": plan.partnership,
            "outcomes": outcomes,
            "unlinked": unlinked,
            "totals_by_partner": totals_by_partner,
            "totals_by_outcome": totals_by_outcome,
        },
    )


@login_required
@require_GET
def action_plan_export(request: HttpRequest, pk: int, *, file_format: str) -> HttpResponse:
    """The action plan as a spreadsheet: open and closed actions on separate sheets."""
    plan = access.get_plan_for_user(request, pk)
    if file_format == "xlsx":
        response = HttpResponse(
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        spreadsheets.write_xlsx(plan, response)
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        spreadsheets.write_csv(plan, response)
    response["Content-Disposition"] = f'attachment; filename="action-plan-{plan.pk}.{file_format}"'
    response["X-Content-Type-Options"] = "nosniff"
    security.record(
        SecurityEvent.Kind.EXPORT,
        request=request,
        partnership_id=plan.partnership_id,
        detail=f"action plan of plan {plan.pk} as {file_format}",
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def action_plan_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload the action plan workbook, edited: every row is saved, or none is."""
    plan = access.get_plan_for_user(request, pk, manage=True)
    form = forms.ActionPlanImportForm(request.POST or None, request.FILES or None)
    context = {
        "plan": plan,
        "partnership": plan.partnership,
        "form": form,
        "columns": spreadsheets.COLUMN_HELP,
    }
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if workers_available() and not spreadsheets.refusal(upload):
            job = imports.import_job_create(
                plan=plan, user=request.user, kind=ImportJob.Kind.ACTION_PLAN, upload=upload
            )
            transaction.on_commit(lambda: tasks.import_action_plan_file.delay(job.pk))
            return redirect(job)
        result = spreadsheets.import_xlsx(plan=plan, upload=upload, user=request.user)
        if result.ok:
            security.record(
                SecurityEvent.Kind.IMPORT,
                request=request,
                partnership_id=plan.partnership_id,
                detail=spreadsheets.logged_detail(plan, result),
            )
            messages.success(request, spreadsheets.saved_message(result))
            return redirect("actions:plan", pk=plan.pk)
        context["errors"] = result.errors[:200]
        context["error_count"] = len(result.errors)
    return render(request, "actions/action_plan_import.html", context)


@login_required
@require_GET
def smart_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The SMART check of the action form as it stands, while the lead types (htmx).
    It reads the form's fields from the query string and saves nothing."""
    plan = access.get_plan_for_user(request, pk)
    return render(
        request,
        "actions/_smart.html",
        {"smart": _smart_as_typed(plan, request.GET, request.GET.get("action", ""))},
    )


def _smart_as_typed(plan, data, action_id: str) -> smart.SmartCheck:
    """The SMART check of the action form's fields as typed (a query string while typing, or
    a post the form refused), not of the action as saved."""
    ids = [value for value in data.getlist("outcomes") if value.isdigit() and len(value) < 19]
    outcomes = plan.outcomes.filter(pk__in=ids).count() if ids else 0

    def day(name: str):
        try:
            return date.fromisoformat(data.get(name, ""))
        except ValueError:
            return None

    milestones = 0
    if action_id.isdigit() and len(action_id) < 19:
        milestones = Milestone.objects.filter(action__plan=plan, action_id=action_id).count()
    facts = smart.ActionFacts(
        title=data.get("title", "")[:200],
        description=data.get("description", "")[:5000],
        outcomes=outcomes,
        lead_organisation=bool(data.get("lead_organisation")),
        owner=bool(data.get("owner")),
        start=day("start"),
        due=day("due"),
        success_indicator=bool(data.get("success_indicator")),
        success_measure=data.get("success_measure", "")[:300],
        resources=bool(
            data.get("resource_amount") or data.get("resource_provider") or data.get("staff_time")
        ),
        expected_outputs=data.get("expected_outputs", "")[:5000],
        monitoring=data.get("monitoring", "")[:5000],
        milestones=milestones,
    )
    return smart.check(facts)


# Issue 24: the plan's frame ------------------------------------------------------------------


@login_required
@require_GET
def plan_frame(request: HttpRequest, pk: int) -> HttpResponse:
    """What the plan covers, who has a stake in it and how they are consulted, who is told
    what, and the interests members have declared."""
    plan = access.get_plan_for_user(request, pk, archived_ok=True)
    context = {
        "plan": plan,
        "partnership": plan.partnership,
        "manages": request.membership.manages,
        "may_declare": request.membership.role in (Role.LEAD, Role.PARTNER),
        "stakeholders": plan.stakeholders.select_related("relationship_holder"),
        "communications": plan.communications.select_related("action"),
        "declarations": plan.declarations.select_related("member", "option"),
    }
    return render(request, "actions/plan_frame.html", context)


@login_required
@require_GET
def plan_frame_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The changes to the plan's stakeholders, communications and declarations (deleted and
    withdrawn ones too)."""
    plan = access.get_plan_for_user(request, pk, archived_ok=True)
    return history_page(
        request,
        plan,
        plan=plan,
        sources=[
            (Stakeholder, {"plan_id": plan.pk}),
            (Communication, {"plan_id": plan.pk}),
            (Declaration, {"plan_id": plan.pk}),
        ],
        heading=f"History of the frame of {plan}: stakeholders, communications and "
        "declarations of interest",
    )


@login_required
@require_http_methods(["GET", "POST"])
def communication_to_action(request: HttpRequest, pk: int) -> HttpResponse:
    """An item of the communications plan becomes the action that carries it out."""
    communication = access.get_communication_for_user(request, pk, manage=True)
    plan = communication.plan
    back = reverse("actions:plan_frame", args=[plan.pk]) + "#communications"
    if communication.action_id and request.method == "GET":
        messages.info(request, f"{communication.action.reference} already carries it out.")
        return redirect(back)
    form = forms.GapToActionForm(
        request.POST or None,
        partnership=plan.partnership,
        initial={"title": f"Tell {communication.audience}: {communication.channel}"[:200]},
    )
    form.fields["title"].help_text = "What will be done. Add dates and an owner on its page."
    if request.method == "POST" and form.is_valid():
        action, made = services.communication_to_action(
            communication=communication,
            title=form.cleaned_data["title"],
            lead_organisation=form.cleaned_data["lead_organisation"],
        )
        if made:
            messages.success(
                request,
                f"Action {action.reference} has been made to carry out the communication. "
                "Give it an owner and dates.",
            )
        else:
            messages.info(request, f"{action.reference} already carries it out.")
        return redirect(action)
    return form_page(
        request,
        form,
        partnership=plan.partnership,
        plan=plan,
        title=f"Make an action to tell {communication.audience}",
        submit="Make the action",
        cancel_url=back,
    )


@login_required
@require_http_methods(["GET", "POST"])
def declaration_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A member declares an interest of their own, before the options are scored."""
    plan = access.get_plan_for_user(request, pk)
    access.check_may_declare(request, plan)
    access.check_plan_open(request, plan)
    form = forms.DeclarationForm(request.POST or None, plan=plan)
    back = reverse("actions:plan_frame", args=[plan.pk]) + "#declarations"
    if request.method == "POST" and (form.is_valid() or once.sent_before(request)):
        form.instance.plan = plan
        form.instance.member = request.user
        try:
            once.save_once(request, form.save)
        except once.AlreadySaved:
            return once.already_saved(
                request, noun="declaration", back_to=back, where="Go to the plan's frame"
            )
        messages.success(request, "Your interest has been declared.")
        return redirect(next_or(request, back))
    return form_page(
        request,
        form,
        partnership=plan.partnership,
        plan=plan,
        title="Declare an interest",
        intro="Declare it before the options are scored. Your scores are then marked, and a "
        "lead may leave them out of the totals.",
        submit="Declare the interest",
        cancel_url=next_or(request, back),
    )


@login_required
@require_POST
def declaration_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = access.get_declaration_for_user(request, pk, own=True)
    with transaction.atomic(), history.deleting(declaration):
        declaration.delete()
    messages.success(request, "Your declaration has been withdrawn.")
    return redirect(reverse("actions:plan_frame", args=[declaration.plan_id]) + "#declarations")


@login_required
@require_POST
def declaration_exclude(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead leaves a declared member's scores out of the totals, or counts them again."""
    declaration = access.get_declaration_for_user(request, pk)
    excluded = request.POST.get("excluded") == "yes"
    if declaration.excluded != excluded:
        declaration.excluded = excluded
        declaration.save(update_fields=["excluded"])
    messages.success(
        request,
        f"{declaration.member.full_name}'s scores are "
        + ("left out of the totals." if excluded else "counted in the totals again."),
    )
    return redirect(next_or(request, reverse("actions:plan_frame", args=[declaration.plan_id])))
