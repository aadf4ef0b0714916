"""A plan's agreed versions as the core reads them: which one a page or report shows, and a
snapshot's days as dates. Taking a snapshot, agreeing and comparing read outcomes and actions,
so they live above them, in actions/versions.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from improveplan import plandiff
from improveplan.models import Organisation, Plan, PlanVersion, SignUp

DRAFT = "draft"


def readable(agreed: dict) -> dict:
    """A snapshot with its days as dates again, for a template's date filter."""

    def dated(item: dict) -> dict:
        item = {
            key: date.fromisoformat(value) if key in plandiff.DATE_FIELDS and value else value
            for key, value in item.items()
        }
        if "milestones" in item:
            item["milestones"] = [dated(milestone) for milestone in item["milestones"]]
        return item

    return {
        key: dated(value) if isinstance(value, dict) else [dated(item) for item in value]
        for key, value in agreed.items()
    }


NOT_AGREED = "Draft, not yet agreed"


def agreed_words(plan: Plan, *, name: bool = True) -> str:
    """Which version of the plan a report or page shows, in words: "Version 2, agreed
    21 October 2026 by Priya Shah", or "Draft, not yet agreed" for a plan never agreed.
    ``name=False`` leaves out who agreed it (the public summary names no one)."""
    latest = plan.versions.select_related("agreed_by").order_by("-number").first()
    if latest is None:
        return NOT_AGREED
    day = timezone.localdate(latest.agreed_at)
    words = f"Version {latest.number}, agreed {day.day} {day:%B %Y}"
    if name:
        who = latest.agreed_by.full_name if latest.agreed_by else ""
        words += f" by {who or 'a former member'}"
    return words


def live_ids(plan: Plan) -> dict[str, set[int]]:
    """The outcomes, indicators and actions of a version that the plan still has, by id:
    those whose history of changes can still be read."""
    return {
        "outcomes": set(plan.outcomes.values_list("pk", flat=True)),
        "indicators": set(plan.indicators.values_list("pk", flat=True)),
        "actions": set(plan.actions.values_list("pk", flat=True)),
    }


@dataclass(frozen=True)
class SignUpStanding:
    """Which member organisations have confirmed their part in the latest agreed version."""

    version: PlanVersion | None
    rows: tuple[tuple[Organisation, SignUp | None], ...]  # every organisation, by name

    @property
    def signed(self) -> list[SignUp]:
        return [sign_up for _, sign_up in self.rows if sign_up is not None]

    @property
    def waiting(self) -> list[Organisation]:
        return [organisation for organisation, sign_up in self.rows if sign_up is None]


def sign_up_standing(plan: Plan) -> SignUpStanding:
    """The latest agreed version and, for each of the partnership's organisations, its
    sign-up to that version or None. Three queries, however many organisations."""
    version = plan.versions.select_related("agreed_by").order_by("-number").first()
    if version is None:
        return SignUpStanding(None, ())
    signed = {
        sign_up.organisation_id: sign_up
        for sign_up in SignUp.objects.filter(version=version).select_related("confirmed_by")
    }
    organisations = Organisation.objects.filter(partnership_id=plan.partnership_id).order_by("name")
    return SignUpStanding(
        version,
        tuple((organisation, signed.get(organisation.pk)) for organisation in organisations),
    )
