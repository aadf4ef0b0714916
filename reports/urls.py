from __future__ import annotations

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("plans/<int:pk>/reports/", views.report_list, name="reports"),
    path("plans/<int:pk>/board-report.pdf", views.report, {"kind": "board"}, name="board_report"),
    path("plans/<int:pk>/delivery-plan.pdf", views.report, {"kind": "plan"}, name="delivery_plan"),
    path(
        "plans/<int:pk>/public-summary.pdf", views.report, {"kind": "public"}, name="public_summary"
    ),
]
