from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from improveplan import access, security
from improveplan.models import SecurityEvent
from reviews import reports
from reviews.forms import ReminderPreferenceForm
from reviews.models import ReminderPreference


@login_required
@require_GET
def board_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The quarterly board report as a PDF: ``?quarter=2026-Q3``, this quarter by default."""
    plan = access.get_plan_for_user(request, pk)
    today = timezone.localdate()
    asked = request.GET.get("quarter")
    try:
        year, quarter = reports.parse_quarter(asked) if asked else reports.quarter_of(today)
    except ValueError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    pdf = reports.render_board_report(plan, year=year, quarter=quarter, today=today)
    security.record(
        SecurityEvent.Kind.EXPORT,
        request=request,
        partnership_id=plan.partnership_id,
        detail=f"board report of plan {plan.pk} for {year}-Q{quarter} as PDF",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"board-report-{plan.pk}-{year}-Q{quarter}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def review_list(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.get_plan_for_user(request, pk)
    context = {
        "plan": plan,
        "partnership": plan.partnership,
        "membership": request.membership,
        "reviews": plan.reviews.select_related("signed_off_by"),
    }
    return render(request, "reviews/review_list.html", context)


@login_required
@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = access.get_review_for_user(request, pk)
    context = {
        "review": review,
        "plan": review.plan,
        "partnership": review.plan.partnership,
        "membership": request.membership,
    }
    return render(request, "reviews/review_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own reminder settings (every partnership they belong to)."""
    preference = ReminderPreference.objects.filter(user=request.user).first()
    preference = preference or ReminderPreference(user=request.user)
    form = ReminderPreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your reminder settings are saved.")
        return redirect("reviews:preferences")
    return render(request, "reviews/preferences.html", {"form": form})
