"""schemathesis against our own OpenAPI document (/rest/v2/schema/): generated calls of every
operation, anonymous and with a token of every scope, find no server error and no answer
that breaks the schema. Through the real WSGI application and URL conf."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.services import personal_token_create
from tests.factories import ClickFactory, ThingFactory, UserFactory, ready_reader

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    status_code_conformance,
]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The WSGI app closes "old" database connections around each request, which would end
    the test's transaction (on PostgreSQL); Django's test client switches that off the same
    way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world():
    """Some data for the calls to find: users, things, clicks, a token with every scope."""
    creator = UserFactory(handle="alice", public_flattrs=True)
    reader = ready_reader(handle="bob", public_flattrs=True)
    things = [ThingFactory(owner=creator, title=f"Song {n}", tags="music") for n in range(3)]
    ThingFactory(owner=creator, hidden=True)
    ThingFactory(owner=creator, retired=True)
    ClickFactory(thing=things[0], reader=reader)
    scopes = ["flattr", "thing", "email", "extendedread"]
    return personal_token_create(user=reader, name="schemathesis", scopes=scopes).secret


HYPOTHESIS = settings(
    max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)


def check_every_operation(headers: dict) -> int:
    schema = schemathesis.openapi.from_wsgi("/rest/v2/schema/", get_wsgi_application())
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @HYPOTHESIS
        @given(case=operation.as_strategy())
        def call(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        call()
    return operations


@override_settings(API_RATE_LIMIT_PER_HOUR=10**6, API_ANONYMOUS_RATE_LIMIT_PER_HOUR=10**6)
def test_anonymous_calls_keep_the_openapi_document(world):
    assert check_every_operation({}) >= 20


@override_settings(API_RATE_LIMIT_PER_HOUR=10**6, API_ANONYMOUS_RATE_LIMIT_PER_HOUR=10**6)
def test_calls_with_a_token_of_every_scope_keep_the_openapi_document(world):
    assert check_every_operation({"Authorization": f"Bearer {world}"}) >= 20
