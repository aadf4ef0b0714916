"""The pages of next year's plan: copy a plan forward, mark it as a template, and start a plan
from a template (reviews/next_year.py does the copying)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from actions.models import Action
from improveplan import access, once
from improveplan.models import Plan
from improveplan.text import one_line
from improveplan.views import form_errors_from, form_page
from reviews import lessons, next_year

DATE = {"type": "date"}


class NewPeriodForm(forms.Form):
    title = forms.CharField(label="Title of the new plan", max_length=200, validators=[one_line])
    period_start = forms.DateField(
        label="Period starts", widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    period_end = forms.DateField(
        label="Period ends", widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end <= start:
            self.add_error("period_end", "The period must end after it starts.")
        return data


class FromTemplateForm(NewPeriodForm):
    template = forms.ModelChoiceField(
        label="Template", queryset=Plan.objects.none(), empty_label=None
    )
    field_order = ["template", "title", "period_start", "period_end"]

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this partnership's templates: another's are never offered, nor accepted.
        self.fields["template"].queryset = Plan.objects.filter(
            partnership=partnership, is_template=True
        ).order_by("title")


@login_required
@require_http_methods(["GET", "POST"])
def plan_carry_forward(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead copies a plan forward into next year: a new plan, this one kept as it is."""
    # Last year's plan is often archived already: copying it changes nothing in it.
    plan = access.get_plan_for_user(request, pk, manage=True, archived_ok=True, peer_ok=False)
    title, start, end = next_year.next_period(plan)
    form = NewPeriodForm(
        request.POST or None, initial={"title": title, "period_start": start, "period_end": end}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new, carried = once.save_once(
                request,
                lambda: next_year.plan_carry_forward(
                    plan=plan,
                    title=data["title"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                ),
            )
        except once.AlreadySaved:
            return once.already_saved(
                request,
                noun="plan",
                back_to=plan.get_absolute_url(),
                where=f"Go to {plan}",
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                f"“{new}” has been made from “{plan}”, with "
                f"{len(carried)} open action{'' if len(carried) == 1 else 's'} carried on.",
            )
            return redirect(new)
    context = {
        "form": form,
        "plan": plan,
        "partnership": plan.partnership,
        "outcomes": plan.outcomes.count(),
        "indicators": plan.indicators.count(),
        "carried": Action.objects.filter(plan=plan).in_progress().order_by("number"),
        "staying": Action.objects.filter(plan=plan)
        .exclude(pk__in=Action.objects.filter(plan=plan).in_progress())
        .count(),
        "lessons": len(lessons.lessons(plan_id=plan.pk)),
        "already": plan.carried_into.first(),
    }
    return render(request, "reviews/carry_forward.html", context)


@login_required
@require_POST
def plan_template(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead marks a plan as one of the partnership's templates, or takes the mark off."""
    plan = access.get_plan_for_user(request, pk, manage=True, peer_ok=False)
    plan.is_template = request.POST.get("template") == "on"
    plan.save(update_fields=["is_template", "updated_at"])
    if plan.is_template:
        messages.success(request, f"“{plan}” is now one of the partnership's templates.")
    else:
        messages.success(request, f"“{plan}” is no longer a template.")
    return redirect(plan)


@login_required
@require_http_methods(["GET", "POST"])
def plan_from_template(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead starts a new plan from one of the partnership's templates."""
    partnership = access.get_partnership_for_user(request, pk, manage=True)
    form = FromTemplateForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = once.save_once(
                request,
                lambda: next_year.plan_from_template(
                    template=data["template"],
                    title=data["title"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                ),
            )
        except once.AlreadySaved:
            return once.already_saved(
                request,
                noun="plan",
                back_to=partnership.get_absolute_url(),
                where=f"Go to {partnership}",
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, f"“{new}” has been started from “{data['template']}”.")
            return redirect(new)
    intro = (
        "The new plan starts with the template's outcomes, indicators and criteria: no "
        "readings, targets or actions."
        if form.fields["template"].queryset.exists()
        else "This partnership has no templates yet: a lead marks a plan as a template on its page."
    )
    return form_page(
        request,
        form,
        partnership=partnership,
        title="Start a plan from a template",
        submit="Start the plan",
        intro=intro,
        cancel_url=partnership.get_absolute_url(),
    )
