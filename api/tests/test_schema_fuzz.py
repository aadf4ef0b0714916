"""The API against its own OpenAPI schema: schemathesis makes requests from the schema (valid
and not) to every operation, as a lead with a read-write token, and checks that none is
answered with a server error and that every answer is as the schema says. Kept short for CI:
a fixed number of examples an operation, the same examples every run."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from api.tests.conftest import make_token

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 15
SCHEMA = SchemaGenerator(api_version="1").get_schema(request=None, public=True)
OPERATIONS = [
    (path, method.upper())
    for path, methods in SCHEMA["paths"].items()
    for method in methods
    if method in ("get", "post", "put", "patch", "delete")
]


def test_every_operation_is_tried():
    assert ("/api/v1/plans/{id}/readings/", "POST") in OPERATIONS
    assert ("/api/v1/actions/{id}/updates/", "POST") in OPERATIONS
    assert len(OPERATIONS) == 22  # a list and a detail of ten kinds, and the two writes


def _our_id(w, path: str) -> int | None:
    if "{id}" not in path:
        return None
    kind = path.split("/")[3].removesuffix("s")
    return getattr(w, kind).pk


@pytest.fixture
def in_this_process():
    """Requests go to the site's own WSGI application in this process. Django's handler
    closes the database connection after each request, which would end the test's
    transaction: as Django's test client does, the tests keep it open."""
    from improveplan.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_the_api_answers_as_its_schema_says(in_this_process, api_world, path, method):
    schema = schemathesis.openapi.from_dict(SCHEMA)
    schema.app = in_this_process
    operation = schema[path][method]
    headers = {
        "Authorization": f"Bearer {make_token(api_world.lead, api_world.partnership)}",
        # The in-process client does not unpack gzip as an HTTP client does: ask for the
        # answer as it is, so that the schema checks read its JSON.
        "Accept-Encoding": "identity",
    }
    # Ids the schema allows are mostly of nothing: every other example names our own thing,
    # so that what it sends is read and checked, not answered 404 at once.
    ours = _our_id(api_world, path)

    @given(operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def answers_as_the_schema_says(case) -> None:
        if ours and hash(repr(case.body)) % 2 == 0:
            case.path_parameters = {**(case.path_parameters or {}), "id": ours}
        case.call_and_validate(
            headers=headers,
            checks=[not_a_server_error, content_type_conformance, response_schema_conformance],
        )

    answers_as_the_schema_says()
