from __future__ import annotations

from django.urls import path

from outcomes import views

app_name = "outcomes"


def crud(prefix: str, parent: str, kind: str) -> list:
    """Add, edit and delete for one kind of thing: /<parent>/<id>/<prefix>/new/ and
    /<prefix>/<id>/edit/ and /<prefix>/<id>/delete/."""
    return [
        path(
            f"{parent}/<int:pk>/{prefix}/new/",
            views.item_create,
            {"kind": kind},
            name=f"{kind}_create",
        ),
        path(f"{prefix}/<int:pk>/edit/", views.item_edit, {"kind": kind}, name=f"{kind}_edit"),
        path(
            f"{prefix}/<int:pk>/delete/", views.item_delete, {"kind": kind}, name=f"{kind}_delete"
        ),
    ]


urlpatterns = [
    path("outcomes/<int:pk>/", views.outcome_detail, name="outcome"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator"),
    path("indicators/<int:pk>/status/", views.indicator_status, name="indicator_status"),
    path("plans/<int:pk>/readings/import/", views.readings_import, name="readings_import"),
    path("plans/<int:pk>/readings.csv", views.readings_export, name="readings_export"),
    *crud("outcomes", "plans", "outcome"),
    *crud("indicators", "outcomes", "indicator"),
    *crud("readings", "indicators", "reading"),
    *crud("targets", "indicators", "target"),
    *crud("comparators", "indicators", "comparator"),
    *crud("comparator-values", "comparators", "comparator_reading"),
    *crud("evidence", "outcomes", "evidence"),
    *crud("risks", "outcomes", "risk"),
]
