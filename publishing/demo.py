"""The demo plan is published, and the council's website may embed its charts."""

from __future__ import annotations

from improveplan.models import Plan, User
from publishing.models import Publication

DEMO_SITES = "https://www.riverside.gov.uk"


def seed_publication(plan: Plan, lead: User) -> Publication:
    publication, _ = Publication.objects.update_or_create(
        plan=plan, defaults={"published_by": lead, "embed_sites": DEMO_SITES}
    )
    return publication
