"""Hostile input into the methods app's forms: policy proofing, Future-basing's
achievements and a care service's findings.

The values, the kinds of field and the checks are the core's (improveplan/tests/hostile.py,
which says what every post must do); here are the forms. The methods app adds nothing to the
world: its forms write the outcomes and actions apps' things.
"""

from __future__ import annotations

import pytest

from actions.models import Finding
from actions.tests.test_hostile_input import ACTIONS
from conftest import World
from improveplan.tests.hostile import (
    CORE,
    EXAMPLES_PER_ACTIONS_BUTTON,
    EXAMPLES_PER_ACTIONS_FORM,
    NUMBER,
    TEXT,
    HostileForm,
    Targets,
    by_pk,
    choice,
    hostile_tests_of,
    many_of,
    our,
    targets_in,
    their,
)
from improveplan.tests.kept_rows import kept_rows
from outcomes.models import Proofing
from outcomes.tests.test_hostile_input import OUTCOMES

pytestmark = pytest.mark.django_db

LAYERS = (CORE, OUTCOMES, ACTIONS)


@kept_rows  # built once for the tests in a row (improveplan/tests/kept_rows.py)
def targets(world: World) -> Targets:
    return targets_in(world, LAYERS)


# The forms ------------------------------------------------------------------------------

# Issue 5: policy proofing, Future-basing's achievements and a care service's findings.
PROOFING_FIELDS = {
    name: kind
    for topic in Proofing.Topic.values
    for name, kind in (
        (f"finding_{topic}", choice(["", *Proofing.Finding.values])),
        (f"note_{topic}", TEXT),
    )
}
FORMS: dict[str, HostileForm] = {}
FORMS["methods:proofing_edit"] = HostileForm(
    fields=PROOFING_FIELDS,
    typical={f"finding_{topic}": "concern" for topic in Proofing.Topic.values},
    examples=EXAMPLES_PER_ACTIONS_FORM,
    **by_pk("methods:proofing_edit", own=our("outcome"), foreign=their("outcome")),
)
for _kind, (_parent, _fields) in {
    "achievement": ("outcome", {"statement": TEXT, "order": NUMBER}),
    "finding": (
        "plan",
        {
            "key_question": choice(Finding.KeyQuestion.values),
            "summary": TEXT,
            "detail": TEXT,
            "source": TEXT,
            "actions": many_of(
                lambda t: [t.ours["action"], t.ours["second_action"]],
                lambda t: [t.theirs["action"]],
            ),
        },
    ),
}.items():
    FORMS[f"methods:{_kind}_create"] = HostileForm(
        fields=_fields,
        examples=EXAMPLES_PER_ACTIONS_FORM,
        **by_pk(f"methods:{_kind}_create", own=our(_parent), foreign=their(_parent)),
    )
    FORMS[f"methods:{_kind}_edit"] = HostileForm(
        fields=_fields,
        examples=EXAMPLES_PER_ACTIONS_FORM,
        **by_pk(f"methods:{_kind}_edit", own=our(_kind), foreign=their(_kind)),
    )
    FORMS[f"methods:{_kind}_delete"] = HostileForm(
        fields={},
        examples=EXAMPLES_PER_ACTIONS_BUTTON,
        **by_pk(f"methods:{_kind}_delete", own=our(_kind), foreign=their(_kind)),
    )

# Issue 24: the actions that lead to an achievement, and the key ones among them.
_OUR_ACTIONS = many_of(lambda t: [t.ours["action"]], lambda t: [t.theirs["action"]])
FORMS["methods:achievement_actions"] = HostileForm(
    fields={"actions": _OUR_ACTIONS, "key": _OUR_ACTIONS},
    examples=EXAMPLES_PER_ACTIONS_FORM,
    **by_pk("methods:achievement_actions", own=our("achievement"), foreign=their("achievement")),
)


# The tests ------------------------------------------------------------------------------

(
    _write_example_counts,
    test_the_registry_names_every_field_the_form_takes,
    test_each_form_accepts_its_typical_input,
    test_each_edge_value_in_each_field,
    test_hostile_input_is_refused_or_saved_safely,
) = hostile_tests_of(FORMS)
