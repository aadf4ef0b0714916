from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from api import views

app_name = "api"

router = SimpleRouter()
router.register("partnerships", views.PartnershipViewSet, basename="partnership")
router.register("plans", views.PlanViewSet, basename="plan")
router.register("outcomes", views.OutcomeViewSet, basename="outcome")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("readings", views.ReadingViewSet, basename="reading")
router.register("targets", views.TargetViewSet, basename="target")
router.register("comparators", views.ComparatorViewSet, basename="comparator")
router.register("actions", views.ActionViewSet, basename="action")
router.register("milestones", views.MilestoneViewSet, basename="milestone")
router.register("updates", views.UpdateViewSet, basename="update")

urlpatterns = [
    path("api/v1/", include(router.urls)),
    # The OpenAPI 3 schema, at a fixed address, and its documentation page.
    path("api/schema/", SpectacularAPIView.as_view(api_version="1"), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema"),
        name="docs",
    ),
    path("account/api-tokens/", views.tokens, name="tokens"),
    path("account/api-tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
]
