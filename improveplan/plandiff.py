"""What changed between two versions of a plan. No Django: it compares two snapshots.

A snapshot (see improveplan/versions.py) is JSON-ready data: the plan's own fields, then
lists of outcomes, indicators, targets and actions, each item a dict with an ``id`` and its
values already written as a reader would see them ("2027-03-31", "Riverside Housing").
Items are matched by id, so a renamed outcome is a change, not a removal and an addition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

NOTHING = "—"
# Fields whose values are days, kept as "2027-03-31" and shown as "31 March 2027".
# Lists whose items have commas of their own, shown apart by semicolons.
SENTENCE_LISTS = {"effects", "external_factors"}
DATE_FIELDS = {"period_start", "period_end", "baseline_date", "target_date", "start", "due"}

# Each section: its title, how to name one of its items, and which fields to compare.
PLAN_FIELDS = (
    ("title", "Title"),
    ("period_start", "Starts"),
    ("period_end", "Ends"),
    ("vision", "Vision"),
    ("method", "Method"),
)
SECTIONS = (
    (
        "outcomes",
        "Outcomes",
        (
            ("statement", "Outcome"),
            ("priority", "Priority"),
            ("why_it_matters", "Why it matters"),
            ("target_groups", "Who it is for"),
            ("places", "Where"),
        ),
    ),
    (
        "indicators",
        "Indicators",
        (
            ("code", "Reference"),
            ("name", "Name"),
            ("outcome", "Outcome"),
            ("unit", "Unit"),
            ("direction", "Which way is better"),
            ("owner", "Owner organisation"),
        ),
    ),
    (
        "targets",
        "Targets",
        (
            ("indicator", "Indicator"),
            ("kind", "Kind"),
            ("baseline_value", "Baseline"),
            ("baseline_date", "Baseline date"),
            ("target_value", "Target"),
            ("target_date", "Target date"),
        ),
    ),
    (
        "actions",
        "Actions",
        (
            ("title", "Title"),
            ("outcomes", "Outcomes served"),
            ("lead_organisation", "Lead organisation"),
            ("owner", "Owner"),
            ("supporting_organisations", "Supporting organisations"),
            ("start", "Start"),
            ("due", "Due"),
            ("term", "Term"),
            ("status", "Status"),
            ("resources", "Resources"),
            ("success_measure", "Measure of success"),
        ),
    ),
    # The agreed scenario (issue 26): at most one, as the assumptions it counts on.
    (
        "scenarios",
        "Agreed scenario",
        (
            ("name", "Name"),
            ("effects", "Actions' expected effects it counts on"),
            ("external_factors", "External factors it assumes"),
        ),
    ),
)


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class ItemChange:
    name: str
    changes: tuple[FieldChange, ...]
    # The object whose history of changes shows who made these: the item's own id, or for a
    # target its indicator's.
    history_of: int | None = None


@dataclass(frozen=True)
class SectionDiff:
    key: str
    title: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[ItemChange, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass(frozen=True)
class PlanDiff:
    plan: tuple[FieldChange, ...]
    sections: tuple[SectionDiff, ...]

    @property
    def empty(self) -> bool:
        return not self.plan and all(section.empty for section in self.sections)

    def section(self, key: str) -> SectionDiff:
        return next(section for section in self.sections if section.key == key)


def shown(value, name: str = "") -> str:
    """A snapshot value (of the field ``name``) as the compare page writes it."""
    if value is None or value == "" or value == []:
        return NOTHING
    if name in DATE_FIELDS:
        return day(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple) and name in SENTENCE_LISTS:
        return "; ".join(str(item) for item in value)
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def day(value: str) -> str:
    try:
        when = date.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{when.day} {when:%B %Y}"


def item_name(key: str, item: dict) -> str:
    if key == "outcomes":
        return item["statement"]
    if key == "indicators":
        return f"{item['code']} {item['name']}"
    if key == "targets":
        return f"{item['kind']} target for {item['indicator']}"
    if key == "scenarios":
        return item["name"]
    return f"{item['reference']} {item['title']}"


def _fields(old: dict, new: dict, fields: Sequence[tuple[str, str]]) -> list[FieldChange]:
    return [
        FieldChange(label, shown(old.get(name), name), shown(new.get(name), name))
        for name, label in fields
        if shown(old.get(name), name) != shown(new.get(name), name)
    ]


def _milestones(old: list[dict], new: list[dict]) -> list[FieldChange]:
    """Milestones matched by title: added, removed, or moved or ticked off."""

    def described(milestone: dict | None) -> str:
        if milestone is None:
            return NOTHING
        return f"due {day(milestone['due'])}" + (", done" if milestone.get("done") else "")

    before = {milestone["title"]: milestone for milestone in old}
    after = {milestone["title"]: milestone for milestone in new}
    titles = list(before) + [title for title in after if title not in before]
    return [
        FieldChange(
            f"Milestone “{title}”", described(before.get(title)), described(after.get(title))
        )
        for title in titles
        if described(before.get(title)) != described(after.get(title))
    ]


def compare_section(key: str, title: str, fields, old: list[dict], new: list[dict]) -> SectionDiff:
    before = {item["id"]: item for item in old}
    after = {item["id"]: item for item in new}
    changed = []
    for pk, item in after.items():
        if pk not in before:
            continue
        changes = _fields(before[pk], item, fields)
        if key == "actions":
            changes += _milestones(before[pk].get("milestones", []), item.get("milestones", []))
        if changes:
            history_of = item.get("indicator_id") if key == "targets" else pk
            history_of = None if key == "scenarios" else history_of
            changed.append(ItemChange(item_name(key, item), tuple(changes), history_of))
    return SectionDiff(
        key=key,
        title=title,
        added=tuple(item_name(key, item) for pk, item in after.items() if pk not in before),
        removed=tuple(item_name(key, item) for pk, item in before.items() if pk not in after),
        changed=tuple(changed),
    )


def compare(old: dict, new: dict) -> PlanDiff:
    """Everything that differs from ``old`` to ``new``, section by section."""
    return PlanDiff(
        plan=tuple(_fields(old.get("plan", {}), new.get("plan", {}), PLAN_FIELDS)),
        sections=tuple(
            compare_section(key, title, fields, old.get(key, []), new.get(key, []))
            for key, title, fields in SECTIONS
        ),
    )
