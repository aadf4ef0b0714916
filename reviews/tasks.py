from __future__ import annotations

from datetime import date

from celery import shared_task

from improveplan.models import Plan
from reviews import reports, stored


@shared_task
def render_report(plan_id: int, kind: str, year: int, quarter: int, today: str, key: str) -> bool:
    """Render a report and keep it under its fingerprint. Safe to run twice: a report already
    kept is not rendered again, and one whose plan has changed since it was asked for is
    skipped (the next download asks for the new one)."""
    plan = Plan.objects.select_related("partnership").filter(pk=plan_id).first()
    if plan is None:
        return False
    day = date.fromisoformat(today)
    name = stored.name_for(plan, kind=kind, year=year, quarter=quarter, key=key)
    if stored.kept(name):
        return False
    if stored.fingerprint(plan, kind=kind, year=year, quarter=quarter, today=day) != key:
        return False
    pdf = reports.render_report(plan, kind=kind, year=year, quarter=quarter, today=day)
    stored.keep(name, pdf)
    return True
