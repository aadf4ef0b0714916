from __future__ import annotations

from django.urls import path

from publishing import views

app_name = "publishing"

urlpatterns = [
    path("public/plans/<int:pk>/", views.plan_page, name="plan"),
    path("public/plans/<int:pk>/charts/<int:indicator>/embed/", views.embed, name="embed"),
    path("plans/<int:pk>/publish/", views.publish, name="publish"),
    path("plans/<int:pk>/unpublish/", views.unpublish, name="unpublish"),
]
