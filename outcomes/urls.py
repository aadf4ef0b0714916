from __future__ import annotations

from django.urls import path

from improveplan import items
from outcomes import views

app_name = "outcomes"


urlpatterns = [
    path("outcomes/<int:pk>/", views.outcome_detail, name="outcome"),
    path("outcomes/<int:pk>/history/", views.outcome_history, name="outcome_history"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator"),
    path("indicators/<int:pk>/history/", views.indicator_history, name="indicator_history"),
    path("indicators/<int:pk>/status/", views.indicator_status, name="indicator_status"),
    path("plans/<int:pk>/readings/import/", views.readings_import, name="readings_import"),
    path("imports/<int:pk>/", views.import_job, name="import_job"),
    path("imports/<int:pk>/matching/", views.import_mapping, name="import_mapping"),
    path("indicators/<int:pk>/readings/grid/", views.readings_grid, name="readings_grid"),
    path("plans/<int:pk>/readings.csv", views.readings_export, name="readings_export"),
    path("plans/<int:pk>/relationships/", views.relationships, name="relationships"),
    *items.crud("outcomes", "plans", "outcome"),
    *items.crud("indicators", "outcomes", "indicator"),
    *items.crud("readings", "indicators", "reading"),
    *items.crud("targets", "indicators", "target"),
    *items.crud("comparators", "indicators", "comparator"),
    *items.crud("external-factors", "indicators", "external_factor"),
    *items.crud("comparator-values", "comparators", "comparator_reading"),
    *items.crud("evidence", "outcomes", "evidence"),
    *items.crud("risks", "outcomes", "risk"),
]
