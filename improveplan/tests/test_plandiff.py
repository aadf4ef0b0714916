"""The comparison of two plan snapshots, alone: no database."""

from __future__ import annotations

import copy

from improveplan.plandiff import NOTHING, FieldChange, compare, shown

V1 = {
    "plan": {"title": "Healthier Riverside", "period_start": "2026-04-01", "method": "LEAP"},
    "outcomes": [
        {"id": 1, "statement": "Fewer people smoke", "priority": 1},
        {"id": 2, "statement": "Children start school ready", "priority": 2},
    ],
    "indicators": [
        {"id": 10, "code": "HW-01", "name": "Adults who smoke", "owner": "Riverside Council"}
    ],
    "targets": [
        {
            "id": 20,
            "indicator": "HW-01 Adults who smoke",
            "kind": "Local",
            "target_value": "12",
            "target_date": "2027-03-31",
        }
    ],
    "actions": [
        {
            "id": 30,
            "reference": "A-01",
            "title": "Stop-smoking clinics in GP surgeries",
            "lead_organisation": "Riverside Council",
            "owner": "Lena Lead",
            "supporting_organisations": ["Riverside Housing"],
            "due": "2027-01-31",
            "milestones": [{"title": "Clinics open", "due": "2026-09-30", "done": False}],
        }
    ],
}


def changed(**edits) -> dict:
    version = copy.deepcopy(V1)
    for path, value in edits.items():
        section, index, field = path.split("__")
        version[section][int(index)][field] = value
    return version


def test_the_same_snapshot_twice_shows_nothing():
    diff = compare(V1, copy.deepcopy(V1))
    assert diff.empty
    assert all(section.empty for section in diff.sections)


def test_a_moved_target_date_is_a_change_of_that_target():
    diff = compare(V1, changed(targets__0__target_date="2028-03-31"))
    targets = diff.section("targets")
    assert not targets.added and not targets.removed
    [item] = targets.changed
    assert item.name == "Local target for HW-01 Adults who smoke"
    assert item.changes == (FieldChange("Target date", "31 March 2027", "31 March 2028"),)
    assert diff.section("actions").empty


def test_a_reassigned_action_shows_its_old_and_new_owner_and_lead():
    diff = compare(
        V1,
        changed(actions__0__owner="Pat Partner", actions__0__lead_organisation="Riverside Housing"),
    )
    [item] = diff.section("actions").changed
    assert item.name == "A-01 Stop-smoking clinics in GP surgeries"
    assert FieldChange("Owner", "Lena Lead", "Pat Partner") in item.changes
    assert (
        FieldChange("Lead organisation", "Riverside Council", "Riverside Housing") in item.changes
    )


def test_added_and_removed_items_are_named():
    new = copy.deepcopy(V1)
    new["outcomes"].pop(1)
    new["outcomes"].append({"id": 3, "statement": "More people in good work", "priority": 2})
    outcomes = compare(V1, new).section("outcomes")
    assert outcomes.added == ("More people in good work",)
    assert outcomes.removed == ("Children start school ready",)
    assert outcomes.changed == ()


def test_a_renamed_outcome_is_a_change_not_a_removal():
    outcomes = compare(V1, changed(outcomes__0__statement="Fewer adults smoke")).section("outcomes")
    assert not outcomes.added and not outcomes.removed
    assert outcomes.changed[0].changes == (
        FieldChange("Outcome", "Fewer people smoke", "Fewer adults smoke"),
    )


def test_milestones_added_moved_and_done():
    new = copy.deepcopy(V1)
    new["actions"][0]["milestones"] = [
        {"title": "Clinics open", "due": "2026-10-31", "done": True},
        {"title": "First quit dates", "due": "2026-12-31", "done": False},
    ]
    [item] = compare(V1, new).section("actions").changed
    assert item.changes == (
        FieldChange(
            "Milestone “Clinics open”", "due 30 September 2026", "due 31 October 2026, done"
        ),
        FieldChange("Milestone “First quit dates”", NOTHING, "due 31 December 2026"),
    )


def test_supporting_organisations_and_plan_fields():
    new = changed(actions__0__supporting_organisations=["Riverside Housing", "Riverside ICB"])
    new["plan"]["title"] = "A Healthier Riverside"
    diff = compare(V1, new)
    assert diff.plan == (FieldChange("Title", "Healthier Riverside", "A Healthier Riverside"),)
    assert diff.section("actions").changed[0].changes == (
        FieldChange(
            "Supporting organisations", "Riverside Housing", "Riverside Housing, Riverside ICB"
        ),
    )


def test_comparing_backwards_swaps_added_and_removed():
    new = copy.deepcopy(V1)
    new["actions"] = []
    assert compare(V1, new).section("actions").removed == (
        "A-01 Stop-smoking clinics in GP surgeries",
    )
    assert compare(new, V1).section("actions").added == (
        "A-01 Stop-smoking clinics in GP surgeries",
    )


def test_an_empty_value_reads_as_a_dash():
    assert shown(None) == shown("") == shown([]) == NOTHING
    assert shown(True) == "yes"
    assert shown(["a", "b"]) == "a, b"
    # A field missing from an older snapshot is not a change from one that has it empty.
    assert compare(
        {"outcomes": [{"id": 1, "statement": "x"}]},
        {"outcomes": [{"id": 1, "statement": "x", "places": ""}]},
    ).empty
