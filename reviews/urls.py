from __future__ import annotations

from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("plans/<int:pk>/board-report.pdf", views.board_report, name="board_report"),
]
