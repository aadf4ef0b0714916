"""Hostile input into the tokens page: making a token and revoking one. (The API's own
writes take JSON and are tried against its schema: test_schema_fuzz.py.) The values and
checks are the core's (improveplan/tests/hostile.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import strategies as st

from api.models import AccessToken
from api.services import token_create
from conftest import World
from improveplan.tests.hostile import (
    ABSENT_IDS,
    EXAMPLES_PER_BUTTON,
    TEXT,
    Address,
    HostileForm,
    Kind,
    Layer,
    Targets,
    at,
    choice,
    foreign_or_absent_ids,
    hostile_tests_of,
    targets_in,
)
from improveplan.tests.kept_rows import kept_rows
from reviews.tests.test_hostile_input import LAYERS as BELOW

pytestmark = pytest.mark.django_db

API = Layer(partnership_of={AccessToken: "partnership"})
LAYERS = (*BELOW, API)


@kept_rows  # built once for the tests in a row (improveplan/tests/kept_rows.py)
def targets(world: World) -> Targets:
    return targets_in(world, LAYERS)


PARTNERSHIP_ID = Kind(
    typical=lambda t: str(t.world.partnership.pk),
    plausible=lambda t: st.just(str(t.world.partnership.pk)),
    edges={
        "other-partnerships": lambda t: str(t.world.other_partnership.pk),
        "absent": str(2**31 - 1),
        "beyond-64-bits": str(2**63),
        "negative": "-1",
        "sql": "1 OR 1=1",
    },
    odd=foreign_or_absent_ids,
)


def _leads_tokens(t: Targets) -> list[Address]:
    token, _ = token_create(
        user=t.world.lead, partnership=t.world.partnership, name="Old", scope="read", days=30
    )
    return [Address(reverse("api:token_revoke", args=[token.pk]))]


def _others_tokens(t: Targets) -> st.SearchStrategy[Address]:
    """Another person's token, and ids nothing has: 404."""
    theirs, _ = token_create(
        user=t.world.outsider,
        partnership=t.world.other_partnership,
        name="Theirs",
        scope="read",
        days=30,
    )
    ids = [theirs.pk, *ABSENT_IDS]
    return st.sampled_from([Address(reverse("api:token_revoke", args=[pk]), 404) for pk in ids])


FORMS: dict[str, HostileForm] = {
    "api:tokens": HostileForm(
        fields={
            "name": TEXT,
            "partnership": PARTNERSHIP_ID,
            "scope": choice(AccessToken.Scope.values),
            "days": choice(["90", "30", "180", "365"]),
        },
        pages=at("api:tokens"),
    ),
    "api:token_revoke": HostileForm(
        fields={}, examples=EXAMPLES_PER_BUTTON, pages=_leads_tokens, refused=_others_tokens
    ),
}


(
    _write_example_counts,
    test_the_registry_names_every_field_the_form_takes,
    test_each_form_accepts_its_typical_input,
    test_each_edge_value_in_each_field,
    test_hostile_input_is_refused_or_saved_safely,
) = hostile_tests_of(FORMS)
