from __future__ import annotations

from dataclasses import dataclass

import pytest

from actions.tests.factories import ActionFactory
from conftest import World
from outcomes.tests.factories import IndicatorFactory, OutcomeFactory
from reviews.tests.factories import PeerReviewerFactory, ReviewFactory


@dataclass
class Items:
    """One item of each kind in the world's plan, and a peer reviewer of that plan."""

    outcome: object
    indicator: object
    action: object
    review: object
    peer: object

    def of(self, kind: str):
        return getattr(self, kind)


@pytest.fixture
def items(world: World) -> Items:
    outcome = OutcomeFactory(plan=world.plan, statement="Fewer people smoke")
    action = ActionFactory(plan=world.plan, lead_organisation=world.housing, title="Open a clinic")
    action.outcomes.add(outcome)
    return Items(
        outcome=outcome,
        indicator=IndicatorFactory(outcome=outcome, owner=world.housing, name="Smoking rate"),
        action=action,
        review=ReviewFactory(plan=world.plan),
        peer=PeerReviewerFactory(plan=world.plan, user__full_name="Petra Peer").user,
    )
