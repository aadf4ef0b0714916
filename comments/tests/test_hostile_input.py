"""Hostile input into the comments app's forms: a comment or reply on each kind of item,
changing one's own, and a lead hiding one.

The values, the kinds of field and the checks are the core's (improveplan/tests/hostile.py,
which says what every post must do); here are the forms, and what the app adds to the world.
"""

from __future__ import annotations

import pytest
from django.db.models import Exists, F, Model, OuterRef, QuerySet

from comments.models import Comment
from comments.tests.factories import CommentFactory
from conftest import World
from improveplan.models import Membership, Organisation, Plan, Role
from improveplan.tests.hostile import (
    EXAMPLES_PER_ACTIONS_FORM,
    TEXT,
    HostileForm,
    Layer,
    Targets,
    by_pk,
    hostile_tests_of,
    one_of_ours,
    our,
    partner,
    targets_in,
    their,
)
from improveplan.tests.kept_rows import kept_rows
from reviews.tests.test_hostile_input import LAYERS as REVIEWS_LAYERS

pytestmark = pytest.mark.django_db

KINDS = ("outcome", "indicator", "action", "review")


def _plan_contents(plan: Plan, owner: Organisation, made: dict[str, Model]) -> dict[str, Model]:
    """Issue 22: a comment on the plan's action, by a partner where there is one (whose to
    change), with a reply."""
    writer = (
        plan.partnership.memberships.filter(role=Role.PARTNER).first()
        or plan.partnership.memberships.first()
    )
    comment = CommentFactory(action=made["action"], author=writer.user, text="Is it on track?")
    CommentFactory(action=made["action"], author=writer.user, parent=comment, text="Yes.")
    return {"comment": comment}


def _crossed_links() -> dict[str, QuerySet]:
    """Comments on an item of another plan than their own, replies to another item's comment,
    and mentions of someone outside the comment's partnership."""
    mentioned_member = Membership.objects.filter(
        user=OuterRef("user"), partnership=OuterRef("comment__plan__partnership")
    )
    return {
        **{
            f"{kind} of another plan": Comment.objects.filter(**{f"{kind}__isnull": False}).exclude(
                **{f"{kind}__plan": F("plan")}
            )
            for kind in KINDS
        },
        "reply to a comment of another plan": Comment.objects.filter(parent__isnull=False).exclude(
            parent__plan=F("plan")
        ),
        "mentions someone outside the partnership": Comment.mentioned.through.objects.filter(
            ~Exists(mentioned_member)
        ),
    }


COMMENTS = Layer(
    contents=_plan_contents,
    partnership_of={Comment: "plan__partnership"},
    crossed_links=_crossed_links,
)
LAYERS = (*REVIEWS_LAYERS, COMMENTS)


@kept_rows  # built once for the tests in a row (improveplan/tests/kept_rows.py)
def targets(world: World) -> Targets:
    return targets_in(world, LAYERS)


REPLY_TO = one_of_ours("comment", required=False)

FORMS: dict[str, HostileForm] = {
    **{
        f"comments:{kind}_post": HostileForm(
            fields={"text": TEXT, "parent": REPLY_TO},
            # The comment to reply to is on the action; on the others, a new comment.
            typical={} if kind == "action" else {"parent": ""},
            user=partner,
            examples=EXAMPLES_PER_ACTIONS_FORM,
            **by_pk(f"comments:{kind}_post", own=our(kind), foreign=their(kind)),
        )
        for kind in KINDS
    },
    "comments:edit": HostileForm(
        fields={"text": TEXT},
        user=partner,
        examples=EXAMPLES_PER_ACTIONS_FORM,
        **by_pk("comments:edit", own=our("comment"), foreign=their("comment")),
    ),
    "comments:hide": HostileForm(
        fields={"reason": TEXT},
        examples=EXAMPLES_PER_ACTIONS_FORM,
        **by_pk("comments:hide", own=our("comment"), foreign=their("comment")),
    ),
}


(
    _write_example_counts,
    test_the_registry_names_every_field_the_form_takes,
    test_each_form_accepts_its_typical_input,
    test_each_edge_value_in_each_field,
    test_hostile_input_is_refused_or_saved_safely,
) = hostile_tests_of(FORMS)
