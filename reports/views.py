from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from improveplan import security
from improveplan.access import get_plan_for_reports
from improveplan.celery import workers_available
from improveplan.models import SecurityEvent
from reports import reports, stored, tasks
from reports.models import ReportRequest
from reviews import periods

# How often the "being prepared" page looks again, and how long a queued render is trusted
# to be under way before a later visit queues it again (a worker may have died).
CHECK_AGAIN_SECONDS = 3
QUEUED_FOR_SECONDS = 300

logger = logging.getLogger(__name__)


def renders_in_background() -> bool:
    """With a broker, a worker renders; without one (the demo, the tests) the request does."""
    return workers_available()


@login_required
@require_GET
def report(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """One of the plan's three reports as a PDF. The board report is for ``?quarter=2026-Q3``,
    this quarter by default. A report already rendered from the same data is served as kept."""
    plan = get_plan_for_reports(request, pk)
    document = reports.KINDS[kind]
    today = timezone.localdate()
    try:
        if document.quarterly:
            year, quarter = reports.report_quarter(plan, request.GET.get("quarter"), today=today)
        else:
            year, quarter = periods.quarter_of(today)
    except ValueError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    key = stored.fingerprint(plan, kind=kind, year=year, quarter=quarter, today=today)
    name = stored.name_for(plan, kind=kind, year=year, quarter=quarter, key=key)
    if not stored.kept(name):
        if renders_in_background():
            # Told when it is ready, should they leave this page (issue 22).
            period = f" for {reports.quarter_label(year, quarter)}" if document.quarterly else ""
            ReportRequest.objects.get_or_create(
                user=request.user,
                name=name,
                defaults={
                    "plan": plan,
                    "url": request.get_full_path()[:500],
                    "title": f"The {document.name.lower()} of {plan}{period}"[:300],
                },
            )
            if cache.add(f"reports:queued:{name}", True, timeout=QUEUED_FOR_SECONDS):
                arguments = (plan.pk, kind, year, quarter, today.isoformat(), key)
                transaction.on_commit(lambda: tasks.render_report.delay(*arguments))
                logger.info("Queued the %s report of plan %s to render", kind, plan.pk)
            response = render(
                request,
                "reports/being_prepared.html",
                {"plan": plan, "document": document, "seconds": CHECK_AGAIN_SECONDS},
                status=202,
            )
            response["Refresh"] = str(CHECK_AGAIN_SECONDS)
            response["Cache-Control"] = "no-store"
            return response
        stored.keep(
            name, reports.render_report(plan, kind=kind, year=year, quarter=quarter, today=today)
        )
    ReportRequest.objects.filter(user=request.user, name=name).delete()  # they have it now
    period = f" for {year}-Q{quarter}" if document.quarterly else ""
    security.record(
        SecurityEvent.Kind.EXPORT,
        request=request,
        partnership_id=plan.partnership_id,
        detail=f"{document.name.lower()} of plan {plan.pk}{period} as PDF",
    )
    return FileResponse(
        stored.open_kept(name),
        as_attachment=True,
        filename=document.file_name(plan, year=year, quarter=quarter),
        content_type="application/pdf",
    )


@login_required
@require_GET
def report_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's reports and downloads in one place: the board report for each quarter of
    the plan, the delivery plan, the public summary and the spreadsheets."""
    plan = get_plan_for_reports(request, pk)
    today = timezone.localdate()
    board = reverse("reports:board_report", args=[plan.pk])
    quarters = [
        {
            "label": reports.quarter_label(year, quarter),
            "url": f"{board}?quarter={year}-Q{quarter}",
            "now": (year, quarter) == periods.quarter_of(today),
        }
        for year, quarter in reports.offered_quarters(plan, today=today)
    ]
    context = {
        "plan": plan,
        "partnership": plan.partnership,
        "membership": request.membership,
        "manages": request.membership.manages,
        "recent_quarters": quarters[:4],
        "earlier_quarters": quarters[4:],
        "reviews": list(plan.reviews.order_by("-period_start")),
    }
    return render(request, "reports/report_list.html", context)
