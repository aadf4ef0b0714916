from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.http import require_GET

from improveplan import access, security
from improveplan.models import SecurityEvent
from reviews import reports


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
