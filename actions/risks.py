"""The plan's risk register as the page and the board report show it: every risk, the whole
plan's and each outcome's, highest score first, with the heat maps before and after
mitigation."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone

from actions.models import Action
from improveplan.models import Plan
from outcomes import charts
from outcomes.models import Risk


def register(plan: Plan, *, today=None) -> dict:
    """The register's rows and heat maps: the page and the board report show these."""
    risks = sorted(
        Risk.objects.filter(plan=plan)
        .select_related("outcome", "owned_by")
        .prefetch_related(
            Prefetch("threatened_actions", queryset=Action.objects.order_by("number")),
            "threatened_options",
        ),
        key=lambda risk: (-risk.score, -risk.impact, risk.pk),
    )
    today = today or timezone.localdate()
    after = [(r.likelihood_after, r.impact_after) for r in risks if r.score_after is not None]
    return {
        "risks": [{"risk": risk, "overdue": risk.review_overdue(today)} for risk in risks],
        "heat_map": charts.risk_heat_map(
            [(r.likelihood, r.impact) for r in risks], title="Risks as they stand"
        ),
        "heat_map_after": charts.risk_heat_map(
            after, title="Risks after mitigation", chart_id="risk-heat-map-after"
        ),
        "not_scored_after": len(risks) - len(after),
    }
