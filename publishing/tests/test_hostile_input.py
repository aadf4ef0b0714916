"""Hostile input into the public page's forms: publishing a plan (and naming the sites that
may embed its charts), and taking it down. The values and checks are the core's
(improveplan/tests/hostile.py)."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from conftest import World
from improveplan.tests.hostile import (
    EXAMPLES_PER_BUTTON,
    SCRIPT,
    TEXT_EDGES,
    HostileForm,
    Kind,
    Layer,
    Targets,
    by_pk,
    fixed,
    hostile_tests_of,
    our,
    targets_in,
    their,
)
from improveplan.tests.kept_rows import kept_rows
from publishing.models import Publication
from reviews.tests.test_hostile_input import LAYERS as BELOW

pytestmark = pytest.mark.django_db

PUBLIC = Layer(partnership_of={Publication: "plan__partnership"})
LAYERS = (*BELOW, PUBLIC)


@kept_rows  # built once for the tests in a row (improveplan/tests/kept_rows.py)
def targets(world: World) -> Targets:
    return targets_in(world, LAYERS)


SITES = Kind(
    typical="https://www.riverside.gov.uk",
    plausible=fixed(
        [
            "",
            "www.riverside.gov.uk",
            "https://www.riverside.gov.uk\nhttps://health.riverside.org",
            "https://www.riverside.gov.uk:8443/",
            "https://例子.广告",
        ]
    ),
    edges={
        **TEXT_EDGES,
        "header-breaking": "https://a.org; script-src *",
        "wildcard": "https://*.example.org",
        "quote": "'self'",
        "http": "http://www.riverside.gov.uk",
        "path": "https://www.riverside.gov.uk/plans",
        "eleven-sites": "\n".join(f"https://s{n}.example.org" for n in range(11)),
        "javascript": "javascript:alert(1)",
    },
    odd=lambda t: st.sampled_from(
        ["data:text/html,x", f"https://{SCRIPT}.org", "https://a.org\r\nX: y", "*", "'none'"]
    ),
)

FORMS: dict[str, HostileForm] = {
    "publishing:publish": HostileForm(
        fields={"embed_sites": SITES},
        **by_pk("publishing:publish", own=our("plan"), foreign=their("plan")),
    ),
    "publishing:unpublish": HostileForm(
        fields={},
        examples=EXAMPLES_PER_BUTTON,
        **by_pk("publishing:unpublish", own=our("plan"), foreign=their("plan")),
    ),
}


(
    _write_example_counts,
    test_the_registry_names_every_field_the_form_takes,
    test_each_form_accepts_its_typical_input,
    test_each_edge_value_in_each_field,
    test_hostile_input_is_refused_or_saved_safely,
) = hostile_tests_of(FORMS)
