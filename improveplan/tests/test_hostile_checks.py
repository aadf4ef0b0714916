"""The checks the hostile-input tests make after each accepted post (improveplan/tests/
hostile.py) still fail when they should: each kind of crossed link the layers look for is
found, and a change to one column of one row of the other partnership's shows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import models

from actions.models import Action, Option, Score
from actions.tests.test_hostile_input import LAYERS
from comments.models import Comment
from comments.tests.test_hostile_input import COMMENTS, KINDS
from comments.tests.test_hostile_input import LAYERS as COMMENT_LAYERS
from conftest import World
from improveplan.models import Membership
from improveplan.tests.factories import InvitationFactory
from improveplan.tests.hostile import Targets, crossed_links, other_partnerships_rows, targets_in
from improveplan.tests.kept_rows import kept_rows
from outcomes.models import ImportMapping

pytestmark = pytest.mark.django_db


@kept_rows  # built once for the tests in a row (improveplan/tests/kept_rows.py)
def targets(world: World) -> Targets:
    return targets_in(world, LAYERS)


def _set(thing: models.Model, **values) -> tuple[type[models.Model], int]:
    type(thing).objects.filter(pk=thing.pk).update(**values)
    return type(thing), thing.pk


def _linked(through: type[models.Model], **ends) -> tuple[type[models.Model], int]:
    return through, through.objects.get(**ends).pk


def _action_to_their_outcome(t: Targets):
    t.ours["action"].outcomes.add(t.theirs["outcome"])
    return _linked(Action.outcomes.through, action=t.ours["action"], outcome=t.theirs["outcome"])


def _supported_from_elsewhere(t: Targets):
    t.ours["action"].supporting_organisations.add(t.world.other_organisation)
    return _linked(Action.supporting_organisations.through, organisation=t.world.other_organisation)


def _depends_on_theirs(t: Targets):
    t.ours["action"].depends_on.add(t.theirs["action"])
    return _linked(
        Action.depends_on.through, from_action=t.ours["action"], to_action=t.theirs["action"]
    )


def _scored_on_their_criterion(t: Targets):
    score = Score.objects.create(option=t.ours["option"], criterion=t.theirs["criterion"], score=3)
    return Score, score.pk


def _action_at_their_risk(t: Targets):
    t.ours["action"].risks.add(t.theirs["risk"])
    return _linked(Action.risks.through, risk=t.theirs["risk"])


def _option_at_their_risk(t: Targets):
    t.ours["option"].risks.add(t.theirs["risk"])
    return _linked(Option.risks.through, risk=t.theirs["risk"])


# Each kind of crossed link the layers of the actions app look for, made in our plan: what
# names it, and how to make it (the row it gives).
CROSSED: dict[str, Callable[[Targets], tuple[type[models.Model], int]]] = {
    "improveplan.Membership: organisation elsewhere": lambda t: _set(
        t.world.membership(t.world.partner), organisation=t.world.other_organisation
    ),
    "improveplan.Invitation: invited to an organisation elsewhere": lambda t: _set(
        t.invitation, organisation=t.world.other_organisation
    ),
    "outcomes.Indicator: owner elsewhere": lambda t: _set(
        t.ours["indicator"], owner=t.world.other_organisation
    ),
    "outcomes.Evidence: lead organisation elsewhere": lambda t: _set(
        t.ours["evidence"], lead_organisation=t.world.other_organisation
    ),
    "actions.Action: lead organisation elsewhere": lambda t: _set(
        t.ours["action"], lead_organisation=t.world.other_organisation
    ),
    "actions.Action: resource provider elsewhere": lambda t: _set(
        t.ours["action"], resource_provider=t.world.other_organisation
    ),
    "actions.Action: option of another plan": lambda t: _set(
        t.ours["action"], option=t.theirs["option"]
    ),
    "actions.Action: success indicator of another plan": lambda t: _set(
        t.ours["action"], success_indicator=t.theirs["indicator"]
    ),
    "actions.Action: owner not a member of the plan's partnership": lambda t: _set(
        t.ours["action"], owner=t.world.outsider
    ),
    "actions.Action_outcomes: action's outcome of another plan": _action_to_their_outcome,
    "actions.Action_supporting_organisations: supporting organisation elsewhere": (
        _supported_from_elsewhere
    ),
    "actions.Action_depends_on: depends on an action of another plan": _depends_on_theirs,
    "actions.Score: criterion of another plan": _scored_on_their_criterion,
    "actions.Action: gap of another plan": lambda t: _set(
        t.ours["action"], source_gap=t.theirs["gap"]
    ),
    "outcomes.Risk: risk's outcome of another plan": lambda t: _set(
        t.ours["risk"], outcome=t.theirs["outcome"]
    ),
    "actions.Action_risks: action's risk of another plan": _action_at_their_risk,
    "actions.Option_risks: option's risk of another plan": _option_at_their_risk,
    "actions.ExpectedEffect: indicator of another plan": lambda t: _set(
        t.ours["expected_effect"], indicator=t.theirs["indicator"]
    ),
}


def test_every_kind_of_crossed_link_has_a_case():
    from improveplan.tests.hostile import _crossed_checks

    _, checks = _crossed_checks(tuple(layer.crossed_links for layer in LAYERS))
    assert sorted(name for name, _ in checks) == sorted(CROSSED)


def test_the_world_has_no_crossed_link(targets):
    assert crossed_links(targets) == []


@pytest.mark.parametrize("name", sorted(CROSSED))
def test_a_crossed_link_is_found(targets, name):
    model, pk = CROSSED[name](targets)
    assert crossed_links(targets) == [(name, pk)], model


def test_an_owner_who_is_a_member_of_the_plans_partnership_is_no_crossed_link(targets):
    """The owner's check asks about the plan's partnership, not the owner's other ones."""
    Membership.objects.create(
        user=targets.world.outsider,
        partnership=targets.world.partnership,
        organisation=targets.world.council,
        role="partner",
    )
    _set(targets.ours["action"], owner=targets.world.outsider)
    assert crossed_links(targets) == []


# The other partnership's rows ----------------------------------------------------------


def _column_to_change(model: type[models.Model]) -> models.Field:
    """A column of the model's own, not a key, preferably of text."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and not f.is_relation and not f.choices
    ]
    for kinds in (
        (models.CharField, models.TextField),
        (models.BooleanField, models.IntegerField, models.DateField),
    ):
        for f in fields:
            if isinstance(f, kinds) and not isinstance(f, models.EmailField):
                return f
    raise AssertionError(f"{model} has no column to change")


def _changed(value, column: models.Field):
    if isinstance(column, models.BooleanField):
        return not value
    if isinstance(column, models.DateField):
        return value + timedelta(days=1)
    if isinstance(column, models.IntegerField):
        return value + 1 if value < 5 else value - 1  # inside the usual checks' ranges
    if not value:
        return "x"
    return value[:-1] + ("y" if value.endswith("x") else "x")  # the same length


THEIR_MODELS = [
    pytest.param(model, path, id=model._meta.label)
    for layer in LAYERS
    for model, path in layer.partnership_of.items()
]


# Rows the other partnership's world has none of.
ONE_MORE_OF = {
    ImportMapping: lambda t: ImportMapping.objects.create(
        plan=t.world.other_plan, area_code="E06000001"
    ),
    Score: lambda t: Score.objects.create(
        option=t.theirs["option"], criterion=t.theirs["criterion"], score=3
    ),
}


@pytest.mark.parametrize(("model", "path"), THEIR_MODELS)
def test_a_change_to_one_column_of_one_of_their_rows_shows(targets, model, path):
    if model in ONE_MORE_OF:
        ONE_MORE_OF[model](targets)
    before = other_partnerships_rows(targets)
    row = model.objects.filter(**{path: targets.world.other_partnership.pk}).first()
    assert row is not None, f"the other partnership has no {model._meta.label}"
    column = _column_to_change(model)
    _set(row, **{column.attname: _changed(getattr(row, column.attname), column)})
    after = other_partnerships_rows(targets)
    name = f"{model._meta.label} {path}"
    assert after[name] != before[name], column.name
    assert {k: v for k, v in after.items() if k != name} == {
        k: v for k, v in before.items() if k != name
    }


def test_a_change_to_one_of_their_people_shows(targets):
    before = other_partnerships_rows(targets)
    _set(targets.world.outsider, full_name="Otto Outsidex")
    after = other_partnerships_rows(targets)
    assert after != before
    assert {k: v for k, v in after.items() if k != "their people"} == {
        k: v for k, v in before.items() if k != "their people"
    }


def test_a_row_added_to_theirs_shows(targets):
    before = other_partnerships_rows(targets)
    InvitationFactory(organisation=targets.world.other_organisation, email="more@example.org")
    assert other_partnerships_rows(targets) != before


def test_a_change_to_ours_does_not_show_in_theirs(targets):
    before = other_partnerships_rows(targets)
    _set(targets.world.plan, title="Healthier Riverside.")
    _set(targets.world.lead, full_name="Lena Leads")
    _set(targets.ours["action"], title="Another title")
    assert other_partnerships_rows(targets) == before


def test_nothing_changed_reads_the_same(targets):
    assert other_partnerships_rows(targets) == other_partnerships_rows(targets)


# The comments' layer, which stands on the others: its tests come last, so that the rows of
# the fixtures above are kept for the tests in a row that ask for them.


@kept_rows
def comment_targets(world: World) -> Targets:
    return targets_in(world, COMMENT_LAYERS)


def _commented_on_theirs(kind: str) -> Callable[[Targets], tuple[type[models.Model], int]]:
    def made(t: Targets):
        comment = Comment.objects.create(
            plan=t.world.plan, text="Theirs?", **{kind: t.theirs[kind]}
        )
        return Comment, comment.pk

    return made


def _replied_to_theirs(t: Targets):
    reply = Comment.objects.create(
        plan=t.world.plan, action=t.ours["action"], parent=t.theirs["comment"], text="Yes."
    )
    return Comment, reply.pk


def _mentioned_outsider(t: Targets):
    t.ours["comment"].mentioned.add(t.world.outsider)
    return _linked(Comment.mentioned.through, user=t.world.outsider)


COMMENT_CROSSED = {
    **{f"comments.Comment: {kind} of another plan": _commented_on_theirs(kind) for kind in KINDS},
    "comments.Comment: reply to a comment of another plan": _replied_to_theirs,
    "comments.Comment_mentioned: mentions someone outside the partnership": _mentioned_outsider,
}


def test_every_kind_of_crossed_comment_has_a_case():
    from improveplan.tests.hostile import _crossed_checks

    _, checks = _crossed_checks((COMMENTS.crossed_links,))
    assert sorted(name for name, _ in checks) == sorted(COMMENT_CROSSED)


@pytest.mark.parametrize("name", sorted(COMMENT_CROSSED))
def test_a_crossed_comment_is_found(comment_targets, name):
    assert crossed_links(comment_targets) == []
    model, pk = COMMENT_CROSSED[name](comment_targets)
    assert crossed_links(comment_targets) == [(name, pk)], model


def test_a_member_mentioned_is_no_crossed_link(comment_targets):
    comment_targets.ours["comment"].mentioned.add(comment_targets.world.partner)
    assert crossed_links(comment_targets) == []
