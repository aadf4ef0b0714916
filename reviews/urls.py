from __future__ import annotations

from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("plans/<int:pk>/board-report.pdf", views.board_report, name="board_report"),
    path("plans/<int:pk>/reviews/", views.review_list, name="reviews"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("reminders/", views.preferences, name="preferences"),
]
