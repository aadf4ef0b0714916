from __future__ import annotations

from django.urls import path

from comments import views

app_name = "comments"

# Where each kind of item lives: /actions/7/comments/ beside /actions/7/.
PLACES = {
    "outcome": "outcomes",
    "indicator": "indicators",
    "action": "actions",
    "review": "reviews",
}

urlpatterns = [
    *(
        pattern
        for kind, place in PLACES.items()
        for pattern in (
            path(f"{place}/<int:pk>/comments/", views.thread, {"kind": kind}, name=kind),
            path(
                f"{place}/<int:pk>/comments/new/", views.post, {"kind": kind}, name=f"{kind}_post"
            ),
        )
    ),
    path("comments/<int:pk>/edit/", views.edit, name="edit"),
    path("comments/<int:pk>/hide/", views.hide, name="hide"),
]
