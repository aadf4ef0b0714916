from __future__ import annotations

from django.urls import path

from reviews import next_year_views, views

app_name = "reviews"

urlpatterns = [
    path("plans/<int:pk>/reviews/", views.review_list, name="reviews"),
    path("plans/<int:pk>/reviews/schedule/", views.review_schedule, name="schedule"),
    path("plans/<int:pk>/reviews/new/", views.review_create, name="review_create"),
    path("plans/<int:pk>/board-pack/", views.board_pack_settings, name="board_pack"),
    path("plans/<int:pk>/up-to-date/", views.up_to_date, name="up_to_date"),
    path("plans/<int:pk>/up-to-date/remind/", views.remind_behind, name="remind_behind"),
    path(
        "plans/<int:pk>/up-to-date/send-failed-again/",
        views.resend_failed,
        name="resend_failed",
    ),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("reviews/<int:pk>/edit/", views.review_edit, name="review_edit"),
    path("reviews/<int:pk>/judge/", views.review_judge, name="review_judge"),
    path("reviews/<int:pk>/decisions/new/", views.decision_create, name="decision_create"),
    path("reviews/<int:pk>/sign-off/", views.review_sign_off, name="review_sign_off"),
    path("readings/<int:pk>/correct/", views.reading_correct, name="reading_correct"),
    path("partnerships/<int:pk>/health-checks/", views.health_checks, name="health_checks"),
    path("partnerships/<int:pk>/lessons/", views.lessons_library, name="lessons"),
    path(
        "partnerships/<int:pk>/health-checks/new/",
        views.health_check_create,
        name="health_check_create",
    ),
    path("health-checks/<int:pk>/", views.health_check, name="health_check"),
    path("health-checks/<int:pk>/score/", views.health_check_score, name="health_check_score"),
    path("reminders/", views.preferences, name="preferences"),
    path("plans/<int:pk>/peer-challenge/", views.peer_challenge, name="peer_challenge"),
    path("plans/<int:pk>/peer-challenge/invite/", views.peer_invite, name="peer_invite"),
    path("peer-reviewers/<int:pk>/revoke/", views.peer_revoke, name="peer_revoke"),
    path("peer-reviewers/<int:pk>/answers/", views.peer_answers, name="peer_answers"),
    path("peer-review/<str:token>/", views.peer_accept, name="peer_accept"),
    # Next year's plan (issue 24).
    path(
        "plans/<int:pk>/copy-forward/",
        next_year_views.plan_carry_forward,
        name="plan_carry_forward",
    ),
    path("plans/<int:pk>/template/", next_year_views.plan_template, name="plan_template"),
    path(
        "partnerships/<int:pk>/plans/from-template/",
        next_year_views.plan_from_template,
        name="plan_from_template",
    ),
]
