"""Pages for Steps 1–3: outcomes, indicators and everything that hangs off them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from improveplan import items, kept, security
from improveplan.celery import workers_available
from improveplan.models import Role, SecurityEvent
from improveplan.views import history_page
from outcomes import access, forms, imports, periods, profiles, readings_io, tasks
from outcomes.hooks import chart_marks_for, effects_for, walk_steps
from outcomes.models import Evidence, ImportJob, Indicator, Outcome, Reading, Target
from outcomes.relationships import page as relationships_page
from outcomes.status import draw_charts, indicator_reports, plan_forecast


def _indicator_page(parent) -> str:
    return parent.get_absolute_url()


for name, kind in {
    "outcome": items.Kind(
        noun="outcome",
        form=forms.OutcomeForm,
        get_parent=access.get_plan_for_user,
        get_object=access.get_outcome_for_user,
        parent_of=lambda outcome: outcome.plan,
        back_to=lambda plan: plan.get_absolute_url(),
    ),
    "indicator": items.Kind(
        noun="indicator",
        form=forms.IndicatorForm,
        get_parent=access.get_outcome_for_user,
        get_object=access.get_indicator_for_user,
        parent_of=lambda indicator: indicator.outcome,
        back_to=lambda outcome: outcome.get_absolute_url(),
    ),
    "reading": items.Kind(
        noun="reading",
        form=forms.ReadingForm,
        get_parent=access.get_indicator_for_user,
        get_object=lambda request, pk, manage=False: access.get_reading_for_user(request, pk),
        parent_of=lambda reading: reading.indicator,
        back_to=_indicator_page,
        writers=lambda request, indicator: access.check_may_enter_readings(request, indicator),
    ),
    "target": items.Kind(
        noun="target",
        form=forms.TargetForm,
        get_parent=access.get_indicator_for_user,
        get_object=access.get_target_for_user,
        parent_of=lambda target: target.indicator,
        back_to=_indicator_page,
    ),
    "external_factor": items.Kind(
        noun="external factor",
        form=forms.ExternalFactorForm,
        get_parent=access.get_indicator_for_user,
        get_object=access.get_external_factor_for_user,
        parent_of=lambda factor: factor.indicator,
        back_to=_indicator_page,
    ),
    "comparator": items.Kind(
        noun="comparator",
        form=forms.ComparatorForm,
        get_parent=access.get_indicator_for_user,
        get_object=access.get_comparator_for_user,
        parent_of=lambda comparator: comparator.indicator,
        back_to=_indicator_page,
    ),
    "comparator_reading": items.Kind(
        noun="comparator value",
        form=forms.ComparatorReadingForm,
        get_parent=access.get_comparator_for_user,
        get_object=access.get_comparator_reading_for_user,
        parent_of=lambda value: value.comparator,
        back_to=lambda comparator: comparator.indicator.get_absolute_url(),
    ),
    "evidence": items.Kind(
        noun="evidence",
        form=forms.EvidenceForm,
        get_parent=access.get_outcome_for_user,
        get_object=access.get_evidence_for_user,
        parent_of=lambda evidence: evidence.outcome,
        back_to=lambda outcome: outcome.get_absolute_url() + "#step-2",
    ),
    "risk": items.Kind(
        noun="risk",
        form=forms.RiskForm,
        get_parent=access.get_outcome_for_user,
        get_object=access.get_risk_for_user,
        parent_of=lambda risk: risk.outcome,
        back_to=lambda outcome: outcome.get_absolute_url() + "#step-3",
    ),
}.items():
    items.register(name, kind)


# Pages ------------------------------------------------------------------------------

EVIDENCE_HEADINGS = {
    Evidence.Kind.NEED: "Needs",
    Evidence.Kind.CAUSE: "Causes",
    Evidence.Kind.BARRIER: "Barriers",
    Evidence.Kind.OPPORTUNITY: "Opportunities",
    Evidence.Kind.INTERVENTION: "Current interventions",
    Evidence.Kind.GAP: "Information gaps",
    Evidence.Kind.SOURCE: "Sources",
}


@login_required
@require_GET
def outcome_detail(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = access.get_outcome_for_user(request, pk)
    plan = outcome.plan
    manages = request.membership.manages
    # Computed when the plan has changed since the page was last shown, else as kept.
    content = kept.part(
        "outcome-page",
        # A plan copied forward shows readings entered in the plan before or after it.
        plans=plan.sharing_plan_ids(),
        # The walk's steps are registered by the methods app at start-up.
        parts=[outcome.pk, kept.viewer(request), walk_steps()],
        render=lambda: render_to_string(
            "outcomes/_outcome_detail.html",
            {**kept.context_for(request), **_outcome_page(outcome, manages=manages)},
        ),
        request=request,
    )
    context = {"outcome": outcome, "plan": plan, "partnership": plan.partnership}
    return render(request, "outcomes/outcome_detail.html", {**context, "content": content})


def _outcome_page(outcome: Outcome, *, manages: bool) -> dict:
    plan = outcome.plan
    reports = draw_charts(indicator_reports(outcome.indicators.all()), small=False)
    # The actions made from an information gap (actions.Action.source_gap) show under it.
    evidence = list(
        outcome.evidence.select_related("lead_organisation").prefetch_related("gap_actions")
    )
    kinds_present = {item.kind for item in evidence}
    answered = {
        1: bool(reports) and all(r.points for r in reports),
        2: {Evidence.Kind.NEED, Evidence.Kind.CAUSE} <= kinds_present,
        3: bool(reports) and all(r.target for r in reports),
        # Steps 4 and 5 are walked on their own pages; here, only whether they have begun.
        4: outcome.options.filter(decision="favoured").exists(),
        5: outcome.actions.exists(),
    }
    evidence_sections = [
        (EVIDENCE_HEADINGS[kind], [item for item in evidence if item.kind == kind])
        for kind in Evidence.Kind
    ]
    return {
        "outcome": outcome,
        "plan": plan,
        "manages": manages,
        "reports": reports,
        "evidence_sections": evidence_sections,
        "risks": outcome.risks.all(),
        # The walk's steps (methods registers them); Steps 1–3 are walked on this page.
        "steps": [
            (number, title, questions, answered[number])
            for number, title, questions in walk_steps()
        ],
        "too_many_indicators": len(reports) > plan.indicator_limit,
        "options": outcome.options.all(),
        "actions": outcome.actions.select_related("lead_organisation").order_by("number"),
    }


@login_required
@require_GET
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = access.get_indicator_for_user(request, pk)
    [indicator_report] = draw_charts(
        indicator_reports(Indicator.objects.filter(pk=indicator.pk)),
        small=False,
        marks=chart_marks_for([indicator]),
    )
    membership = request.membership
    context = {
        "indicator": indicator,
        "report": indicator_report,
        "plan": indicator.plan,
        "partnership": indicator.plan.partnership,
        "manages": membership.manages,
        "may_enter_readings": access.may_enter_readings(membership, indicator),
        "may_import": membership.manages or membership.role == Role.PARTNER,
        "override_form": forms.StatusOverrideForm(
            initial={"status": indicator.status_override, "reason": indicator.override_reason}
        ),
        "grid_form": forms.ReadingsGridForm(),
        "grid_columns": GRID_HEADINGS,
        "plan_forecast": plan_forecast(indicator_report, effects_for([indicator])[indicator.pk]),
        "external_factors": list(indicator.external_factors.all()),
        # Issue 24: the same readings in this plan and the plans it carries on into.
        "readings": indicator.series_readings(),
        "carried_on": indicator.continues,
        "carried_into": list(indicator.continued_by.select_related("plan")),
    }
    return render(request, "outcomes/indicator_detail.html", context)


@login_required
@require_GET
def outcome_history(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = access.get_outcome_for_user(request, pk)
    return history_page(
        request,
        outcome,
        plan=outcome.plan,
        sources=[(Outcome, {"id": outcome.pk})],
        heading=f"History of “{outcome}”",
    )


@login_required
@require_GET
def indicator_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The indicator's changes, with its targets' and readings' (deleted ones too)."""
    indicator = access.get_indicator_for_user(request, pk)
    return history_page(
        request,
        indicator,
        plan=indicator.plan,
        sources=[
            (Indicator, {"id": indicator.pk}),
            (Target, {"indicator_id": indicator.pk}),
            (Reading, {"indicator_id": indicator.pk}),
        ],
        heading=f"History of {indicator}, its targets and readings",
    )


@login_required
@require_POST
def indicator_status(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead overrules the computed status, with a reason, or goes back to the computed one."""
    indicator = access.get_indicator_for_user(request, pk, manage=True)
    form = forms.StatusOverrideForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(indicator)
    indicator.status_override = form.cleaned_data["status"]
    indicator.override_reason = (
        form.cleaned_data["reason"].strip() if indicator.status_override else ""
    )
    indicator.overridden_by = request.user if indicator.status_override else None
    indicator.overridden_at = timezone.now() if indicator.status_override else None
    indicator.save(
        update_fields=["status_override", "override_reason", "overridden_by", "overridden_at"]
    )
    messages.success(
        request,
        "The status now shown is your judgement, with your reason."
        if indicator.status_override
        else "The computed status is shown again.",
    )
    return redirect(indicator)


# Importing and exporting readings --------------------------------------------------

SHOWN_ERRORS = imports.SHOWN_ERRORS
IMPORT_CHECK_AGAIN_SECONDS = 3


@login_required
@require_http_methods(["GET", "POST"])
def readings_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a CSV or Excel file of readings: all of it is saved, or none of it."""
    plan = access.get_plan_for_user(request, pk)
    membership = request.membership
    if not (membership.manages or membership.role == Role.PARTNER):
        access.refuse(request, f"importing readings into plan {plan.pk}", plan.partnership_id)
        raise PermissionDenied("Board members read the readings; leads and partners enter them.")
    access.check_plan_open(request, plan)
    form = forms.ReadingsImportForm(request.POST or None, request.FILES or None)
    context = {"plan": plan, "partnership": plan.partnership, "form": form, **IMPORT_HELP}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        options = form.options()
        if workers_available() and not readings_io.refusal(upload):
            job = imports.import_job_create(
                plan=plan,
                user=request.user,
                kind=ImportJob.Kind.READINGS,
                upload=upload,
                options=options,
            )
            transaction.on_commit(lambda: tasks.import_readings_file.delay(job.pk))
            return redirect(job)
        result = readings_io.import_file(
            plan=plan,
            upload=upload,
            user=request.user,
            membership=membership,
            options=readings_io.Options(decimal_comma=options["decimal_comma"]),
            review_mapping=options["review_mapping"],
        )
        if result.needs_mapping is not None:
            # A profiles download to match first: the file waits, kept, for a lead.
            job = imports.import_job_create(
                plan=plan,
                user=request.user,
                kind=ImportJob.Kind.READINGS,
                upload=upload,
                options=options,
                survey=result.needs_mapping,
            )
            return redirect(
                "outcomes:import_mapping" if membership.manages else "outcomes:import_job", job.pk
            )
        if result.ok:
            security.record(
                SecurityEvent.Kind.IMPORT,
                request=request,
                partnership_id=plan.partnership_id,
                detail=readings_io.logged_detail(plan, result),
            )
            messages.success(request, readings_io.saved_message(result))
            return redirect(plan)
        context["errors"] = result.errors[:SHOWN_ERRORS]
        context["error_count"] = len(result.errors)
    return render(request, "outcomes/readings_import.html", context)


@login_required
@require_GET
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """How an import sent to a worker is getting on; once it has ended, what was saved or
    each problem in the file. Only the person who sent the file and the plan's leads see it."""
    job = access.get_import_job_for_user(request, pk)
    if imports.import_job_give_up(job, now=timezone.now()):
        job.refresh_from_db()
    context = {"job": job, "plan": job.plan, "partnership": job.plan.partnership}
    if job.status == ImportJob.Status.MAPPING:
        context["manages"] = request.membership.manages
        return render(request, "outcomes/import_job.html", context)
    if not job.finished:
        response = render(request, "outcomes/import_job.html", context, status=202)
        response["Refresh"] = str(IMPORT_CHECK_AGAIN_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    context["errors"] = job.errors
    context["error_count"] = job.error_count
    return render(request, "outcomes/import_job.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead matches a public health profiles download to the plan (its indicators to the
    plan's, which area is ours, which are compared with); the plan keeps the matching for the
    next download, and the file is imported with it."""
    job = access.get_import_job_for_user(request, pk)
    plan = job.plan
    if not request.membership.manages:
        access.refuse(request, f"matching import {job.pk} of plan {plan.pk}", plan.partnership_id)
        raise PermissionDenied("A lead matches a download's indicators to the plan's.")
    access.check_plan_open(request, plan)
    if job.status != ImportJob.Status.MAPPING:
        return redirect(job)
    survey = job.options["survey"]
    form = forms.ProfileMappingForm(
        request.POST or None, survey=survey, plan=plan, saved=profiles.saved_mapping(plan)
    )
    if request.method == "POST" and form.is_valid():
        area = form.cleaned_data["area"]
        profiles.mapping_save(
            plan=plan,
            found=survey,
            area_code=area,
            compare_with=set(form.cleaned_data["compare_with"]) - {area},
            chosen=form.cleaned_data["chosen"],
            user=request.user,
        )
        if imports.import_job_mapped(job):
            if workers_available():
                transaction.on_commit(lambda: tasks.import_readings_file.delay(job.pk))
            else:
                tasks.import_readings_file(job.pk)
        return redirect(job)
    context = {
        "job": job,
        "plan": plan,
        "partnership": plan.partnership,
        "form": form,
        "indicator_fields": [
            (form[f"indicator_{index}"], form[f"level_{index}"])
            for index in range(len(form.sources))
        ],
    }
    return render(request, "outcomes/import_mapping.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def readings_grid(request: HttpRequest, pk: int) -> HttpResponse:
    """Many readings of one indicator at once, typed into a grid or pasted from a spreadsheet:
    checked as the import checks a file, and saved all together or not at all."""
    indicator = access.get_indicator_for_user(request, pk)
    access.check_may_enter_readings(request, indicator)
    form = forms.ReadingsGridForm(request.POST or None)
    context = {
        "indicator": indicator,
        "plan": indicator.plan,
        "partnership": indicator.plan.partnership,
        "form": form,
        "grid_form": form,
        "grid_columns": GRID_HEADINGS,
    }
    if request.method == "POST" and form.is_valid():
        rows = form.rows(indicator)
        errors = [
            readings_io.RowError(row.number, "", "There are more than eight cells on this line.")
            for row in rows
            if row.get("extra")
        ]
        if not rows:
            errors.append(readings_io.RowError(0, "", "There are no readings in the grid."))
        with transaction.atomic():
            result = readings_io.import_readings(
                plan=indicator.plan,
                rows=rows,
                user=request.user,
                membership=request.membership,
                options=readings_io.Options(
                    decimal_comma=form.cleaned_data["decimal_style"] == "comma"
                ),
            )
            errors = sorted([*errors, *result.errors], key=lambda error: error.row)
            if errors:
                transaction.set_rollback(True)  # every problem is listed; nothing is saved
        if not errors:
            security.record(
                SecurityEvent.Kind.IMPORT,
                request=request,
                partnership_id=indicator.plan.partnership_id,
                detail=f"Readings grid of indicator {indicator.pk}: "
                + readings_io.logged_detail(indicator.plan, result),
            )
            messages.success(request, readings_io.saved_message(result))
            return redirect(indicator)
        context["errors"] = [
            readings_io.RowError(
                error.row, GRID_HEADINGS.get(error.column, error.column), error.message
            )
            for error in errors[:SHOWN_ERRORS]
        ]
        context["error_count"] = len(errors)
        context["rows_are_lines"] = True
    return render(request, "outcomes/readings_grid.html", context)


GRID_HEADINGS = {
    "period": "Period",
    "value": "Value",
    "lower": "Lower limit",
    "upper": "Upper limit",
    "confidence_level": "Level",
    "count": "Count",
    "denominator": "Denominator",
    "value_note": "Value note",
}
# What the import page lists: every column, period form and value mark, with examples.
IMPORT_HELP = {
    "columns": readings_io.COLUMN_HELP,
    "other_names": readings_io.OTHER_NAMES,
    "period_forms": periods.ACCEPTED,
    "suppression_marks": readings_io.SUPPRESSION_SHOWN,
}


@login_required
@require_GET
def relationships(request: HttpRequest, pk: int) -> HttpResponse:
    """Two of the plan's indicators across the areas or groups they are broken down by."""
    plan = access.get_plan_for_user(request, pk, archived_ok=True)
    context = {
        "plan": plan,
        "partnership": plan.partnership,
        **relationships_page(plan, request.GET),
    }
    return render(request, "outcomes/relationships.html", context)


@login_required
@require_GET
def readings_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Every reading of the plan, as a CSV file laid out as the import expects."""
    plan = access.get_plan_for_user(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="readings-plan-{plan.pk}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    count = readings_io.write_readings_csv(plan, response)
    security.record(
        SecurityEvent.Kind.EXPORT,
        request=request,
        partnership_id=plan.partnership_id,
        detail=f"{count} readings of plan {plan.pk} as CSV",
    )
    return response
