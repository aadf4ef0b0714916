"""The API's tests: the shared world, with one of everything in the first partnership's plan,
and tokens for its people."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from actions.tests.factories import ActionFactory, MilestoneFactory, UpdateFactory
from api.models import AccessToken
from api.services import token_create
from outcomes.tests.factories import (
    ComparatorFactory,
    ComparatorReadingFactory,
    IndicatorFactory,
    OutcomeFactory,
    ReadingFactory,
    TargetFactory,
)


@pytest.fixture
def api_world(world):
    w = world
    w.outcome = OutcomeFactory(plan=w.plan, statement="Fewer people smoke")
    w.indicator = IndicatorFactory(
        outcome=w.outcome, owner=w.housing, code="SMK", name="Adults who smoke"
    )
    w.council_indicator = IndicatorFactory(
        outcome=w.outcome, owner=w.council, code="QUIT", name="Quitters"
    )
    w.reading = ReadingFactory(indicator=w.indicator, period=date(2024, 3, 31), value=Decimal(18))
    w.target = TargetFactory(indicator=w.indicator)
    w.comparator = ComparatorFactory(indicator=w.indicator, name="England")
    w.comparator_reading = ComparatorReadingFactory(comparator=w.comparator)
    w.action = ActionFactory(plan=w.plan, lead_organisation=w.housing, title="Open a clinic")
    w.action.outcomes.add(w.outcome)
    w.milestone = MilestoneFactory(action=w.action)
    w.update = UpdateFactory(action=w.action, author=w.partner)
    # The other partnership's, which nobody here may see.
    w.other_outcome = OutcomeFactory(plan=w.other_plan)
    w.other_indicator = IndicatorFactory(outcome=w.other_outcome, code="SMK")
    w.other_action = ActionFactory(plan=w.other_plan)
    return w


def make_token(user, partnership, scope=AccessToken.Scope.READ_WRITE, days=30) -> str:
    _, raw = token_create(user=user, partnership=partnership, name="Test", scope=scope, days=days)
    return raw


@pytest.fixture
def api():
    """A client of the API with no session: each test gives a token."""
    return APIClient()


def as_token(client: APIClient, raw: str) -> APIClient:
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client
