"""The demo's Steps 4–5: options scored and decided, and an action plan that shows every status,
term and closure, with owners in the right organisations and dependencies without a circle."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import call_command

from actions import smart
from actions.demo import CVS, POLICE, TODAY
from actions.models import Action, Criterion, Milestone, Option, Score, Update
from improveplan.models import Membership, Plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(settings, demo) -> Plan:
    settings.DEBUG = True  # as when a developer runs seed_demo (a test runs it again)
    return Plan.objects.get(title="Healthier Riverside 2026–2029")


def actions(plan: Plan) -> list[Action]:
    return list(
        plan.actions.select_related("lead_organisation", "owner").prefetch_related(
            "supporting_organisations", "depends_on", "updates", "milestones", "outcomes"
        )
    )


def test_every_status_and_term_appears(plan):
    seeded = actions(plan)
    assert {a.status for a in seeded} == set(Action.Status.values)
    assert {a.term for a in seeded} == set(Action.Term.values)
    assert {a.closure for a in seeded} == set(Action.Closure.values)


def test_there_are_enough_actions_milestones_and_updates(plan):
    assert plan.actions.count() >= 32
    assert Milestone.objects.filter(action__plan=plan).count() >= 80
    assert Update.objects.filter(action__plan=plan).exists()
    for action in actions(plan):
        assert action.outcomes.exists(), action.reference
        if action.status == Action.Status.NOT_STARTED:
            assert action.progress == 0 and not action.updates.all(), action.reference
        else:
            assert 2 <= len(action.updates.all()) <= 6, action.reference


def test_every_organisation_leads_something(plan):
    leads = {a.lead_organisation for a in actions(plan)}
    assert leads == set(plan.partnership.organisations.all())


def test_references_are_unique_and_run_from_a_01_without_a_gap(plan):
    numbers = list(plan.actions.order_by("number").values_list("number", "reference"))
    assert numbers == [(n, f"A-{n:02d}") for n in range(1, len(numbers) + 1)]
    plan.refresh_from_db()
    assert plan.last_action_number == len(numbers)


def test_some_open_actions_are_overdue(plan):
    overdue = [a for a in actions(plan) if a.is_overdue(TODAY)]
    assert len(overdue) >= 3
    assert all(a.closure == Action.Closure.OPEN for a in overdue)


def test_dependencies_have_no_circle_and_a_chain_to_follow(plan):
    waits_for = {a.pk: {d.pk for d in a.depends_on.all()} for a in actions(plan)}
    # Take away actions that wait for nothing left, until none remain: a circle would stay.
    remaining = dict(waits_for)
    while remaining:
        ready = {pk for pk, needs in remaining.items() if not needs & remaining.keys()}
        assert ready, f"these actions wait for each other in a circle: {sorted(remaining)}"
        remaining = {pk: needs for pk, needs in remaining.items() if pk not in ready}

    def longest(pk: int) -> int:
        return 1 + max((longest(d) for d in waits_for[pk]), default=0)

    assert max(longest(pk) for pk in waits_for) >= 3


def test_dependencies_are_due_before_their_dependants_start(plan):
    for action in actions(plan):
        for needed in action.depends_on.all():
            assert needed.due <= action.start, (action.reference, needed.reference)


def test_every_owner_belongs_to_the_lead_organisation(plan):
    for action in actions(plan):
        if action.owner is not None:
            assert Membership.objects.filter(
                user=action.owner,
                partnership=plan.partnership,
                organisation=action.lead_organisation,
            ).exists(), action.reference
    unowned = [a for a in actions(plan) if a.owner is None]
    assert 2 <= len(unowned) <= 3
    assert {a.lead_organisation.name for a in unowned} == {POLICE, CVS}


def test_only_the_actions_without_an_owner_fail_the_smart_check(plan):
    failing = []
    for action in actions(plan):
        facts = smart.ActionFacts(
            title=action.title,
            description=action.description,
            outcomes=len(action.outcomes.all()),
            lead_organisation=action.lead_organisation_id is not None,
            owner=action.owner_id is not None,
            start=action.start,
            due=action.due,
            success_indicator=action.success_indicator_id is not None,
            success_measure=action.success_measure,
            resources=bool(
                action.resource_amount or action.resource_provider_id or action.staff_time
            ),
            expected_outputs=action.expected_outputs,
            monitoring=action.monitoring,
            milestones=len(action.milestones.all()),
        )
        if not smart.check(facts).ok:
            failing.append(action)
    assert failing == [a for a in actions(plan) if a.owner is None]


def test_updates_are_by_the_owner_or_a_supporting_partner_and_tell_the_actions_story(plan):
    for action in actions(plan):
        allowed = {action.lead_organisation_id} | {
            o.pk for o in action.supporting_organisations.all()
        }
        history = sorted(action.updates.all(), key=lambda u: u.created_at)
        for update in history:
            member = Membership.objects.get(user=update.author, partnership=plan.partnership)
            assert member.organisation_id in allowed, (action.reference, update.note)
            assert action.start <= update.created_at.date() <= TODAY, action.reference
            assert update.created_at.tzinfo is not None
            assert not update.evidence_file
            if update.evidence_link:
                assert update.evidence_link.startswith("https://example.org/")
        progress = [u.progress for u in history]
        assert progress == sorted(progress), action.reference
        if history:
            assert (history[-1].status, history[-1].progress) == (action.status, action.progress)


def test_progress_matches_status_and_closure(plan):
    seeded = actions(plan)
    for action in seeded:
        if action.status == Action.Status.COMPLETE:
            assert action.progress == 100
            assert action.closure in (Action.Closure.CLOSED, Action.Closure.AWAITING)
            assert action.completion_evidence and action.lessons_learned
        else:
            assert action.progress < 100
            assert action.closure == Action.Closure.OPEN
    closures = Counter(a.closure for a in seeded)
    assert closures[Action.Closure.AWAITING] == 1
    assert closures[Action.Closure.CLOSED] >= 3


def test_done_milestones_say_when(plan):
    for milestone in Milestone.objects.filter(action__plan=plan):
        assert milestone.done == (milestone.done_at is not None), milestone.title
        if milestone.done_at:
            assert milestone.done_at.date() <= TODAY


def test_options_are_scored_on_every_criterion_and_decided_with_reasons(plan):
    criteria = list(plan.criteria.all())
    assert [(c.name, c.weight) for c in criteria] == [
        ("Fit with the partnership's strategy", 3),
        ("Expected impact on the outcome", 5),
        ("Added value of working together", 3),
        ("Affordability and value for money", 4),
        ("Capacity to deliver", 3),
        ("Risk (a higher score means less risk)", 2),
    ]
    options = list(Option.objects.filter(outcome__plan=plan))
    for outcome in plan.outcomes.all():
        assert 2 <= sum(o.outcome_id == outcome.pk for o in options) <= 3
    for option in options:
        scores = {s.criterion_id: s.score for s in option.scores.all()}
        assert set(scores) == {c.pk for c in criteria}, option.title
        assert all(0 <= score <= 5 for score in scores.values())
    assert Score.objects.filter(option__outcome__plan=plan).exclude(note="").exists()

    decisions = Counter(o.decision for o in options)
    assert decisions[Option.Decision.FAVOURED] >= 2
    assert decisions[Option.Decision.NOT_FAVOURED] == 1
    assert decisions[Option.Decision.UNDECIDED] == 1
    for option in options:
        if option.decision == Option.Decision.UNDECIDED:
            assert option.decision_reason == "" and option.decided_by is None
        else:
            assert option.decision_reason and option.decided_by and option.decided_at

    assert any(o.kind == Option.Kind.LESS and o.exit_plan for o in options)
    assert any(o.is_pilot and o.pilot_evaluation for o in options)
    from_options = [a for a in actions(plan) if a.option_id]
    assert from_options
    assert all(a.option.decision == Option.Decision.FAVOURED for a in from_options)
    assert all(a.option.outcome in a.outcomes.all() for a in from_options)


def test_seeding_again_changes_nothing(plan):
    tables = (
        Criterion,
        Option,
        Score,
        Action,
        Milestone,
        Update,
        Action.outcomes.through,
        Action.supporting_organisations.through,
        Action.depends_on.through,
    )

    def state():
        return (
            [model.objects.count() for model in tables],
            list(Action.objects.order_by("pk").values_list("pk", "reference", "version")),
            Plan.objects.get(pk=plan.pk).last_action_number,
        )

    before = state()
    call_command("seed_demo", stdout=io.StringIO())
    assert state() == before


def test_an_information_gap_became_an_action(plan):
    """Issue 24, item 7: the smoking outcome's gap is being filled by an action made from it."""
    action = plan.actions.get(source_gap__isnull=False)
    assert action.source_gap.summary == (
        "We do not know smoking rates among people with a mental illness"
    )
    assert list(action.outcomes.all()) == [action.source_gap.outcome]


def test_the_demo_has_two_scenarios_one_agreed_that_differ(demo):
    """Issue 26: the scenarios page compares them for the families in temporary accommodation."""
    from actions.models import Scenario
    from actions.scenarios import compare

    plan = Scenario.objects.get(agreed=True).plan
    assert plan.scenarios.count() == 2
    _, compared = compare(plan)
    homes = next(item for item in compared if item.report.indicator.code == "HS-02")
    rows = {row.name: row for row in homes.rows}
    trend, funded = rows["The trend alone"], rows["Only the funded actions"]
    agreed = rows["Every action, allowance frozen"]
    assert agreed.agreed and not funded.agreed
    assert funded.value < trend.value  # the leased homes
    assert agreed.value != funded.value  # more actions, and the frozen allowance


def test_the_demo_counts_a_favoured_options_effect_once(demo):
    """Issue 26: the early-warning scheme's effect on HS-01 is counted from its option; using
    bed and breakfast less is counted through its actions' own effects on HS-02, not twice.
    The agreed scenario counts on the option, and the plan's agreed version keeps it."""
    from actions.models import Scenario
    from outcomes import hooks
    from outcomes.models import Indicator

    agreed = Scenario.objects.get(agreed=True)
    plan = agreed.plan
    prevention, homes = (Indicator.objects.get(plan=plan, code=c) for c in ("HS-01", "HS-02"))
    effects = hooks.effects_for([prevention, homes])
    assert [e.name for e in effects[prevention.pk]] == [
        "An early-warning scheme with private landlords (favoured option)"
    ]
    assert not any("favoured option" in e.name for e in effects[homes.pk])
    assert [option.title for option in agreed.options.all()] == [
        "An early-warning scheme with private landlords"
    ]
    [kept] = plan.versions.order_by("-number").first().snapshot["scenarios"]
    assert kept["name"] == agreed.name
    assert any("(favoured option)" in effect for effect in kept["effects"])
