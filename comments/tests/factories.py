from __future__ import annotations

import factory

from actions.tests.factories import ActionFactory
from comments.models import Comment


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment on an action (give ``outcome=``, ``indicator=`` or ``review=`` and
    ``action=None`` for another kind of item)."""

    class Meta:
        model = Comment

    action = factory.SubFactory(ActionFactory)
    plan = factory.LazyAttribute(
        lambda c: next(
            thing.plan for thing in (c.action, c.outcome, c.indicator, c.review) if thing
        )
    )
    outcome = None
    indicator = None
    review = None
    text = factory.Sequence(lambda n: f"Comment number {n}.")
