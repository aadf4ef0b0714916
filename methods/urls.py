from __future__ import annotations

from django.urls import path

from improveplan import items
from methods import views

app_name = "methods"

urlpatterns = [
    path("outcomes/<int:pk>/steps/<int:step>/", views.walk_step, name="walk_step"),
    path("outcomes/<int:pk>/proofing/", views.proofing, name="proofing"),
    path("outcomes/<int:pk>/proofing/edit/", views.proofing_edit, name="proofing_edit"),
    path("plans/<int:pk>/still-to-do/", views.still_to_do, name="still_to_do"),
    path("plans/<int:pk>/turn-the-curve/", views.rba_overview, name="rba"),
    path("indicators/<int:pk>/turn-the-curve/", views.turn_the_curve, name="turn_the_curve"),
    path("plans/<int:pk>/leap/", views.leap, name="leap"),
    path("plans/<int:pk>/future/", views.future_basing, name="future_basing"),
    path("plans/<int:pk>/care-plan/", views.care_service, name="care_service"),
    *items.crud("achievements", "outcomes", "achievement"),
    path("achievements/<int:pk>/actions/", views.achievement_actions, name="achievement_actions"),
    *items.crud("findings", "plans", "finding"),
]
