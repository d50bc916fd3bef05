"""Property-based calls generated from the schema (schemathesis) against a live server: every
operation, with the token of a client holding every scope and path ids drawn from objects that
exist (our agency's and another's) as well as generated ones: the schema's boundary values
(schemathesis' coverage phase: empty, longest, out-of-range, wrong types) and random ones. No input
gives a 500, and every answer is one the schema declares, in the declared shape.

Reproducible in CI: hypothesis is derandomized and the number of examples per operation small
(``GONGKAI_API_FUZZ_EXAMPLES``, default 12), so the whole run stays within minutes."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.matrix import TABLE
from tests.api.openapi import openapi_schema
from tests.api.seeding import seed

EXAMPLES = int(os.environ.get("GONGKAI_API_FUZZ_EXAMPLES", "12"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_dict(
    openapi_schema(),
    config=schemathesis.Config.from_dict(
        {
            "phases": {"stateful": {"enabled": False}},
            "generation": {"deterministic": True, "max-examples": EXAMPLES},
        }
    ),
)


@pytest.fixture
def world(live_server, transactional_db, settings, superuser, agency, other_agency):
    # The public endpoints are limited per address: the generated calls come from one.
    settings.GONGKAI_API_ANONYMOUS_RATE = "100000/min"
    settings.GONGKAI_JOBS = "queue"  # webhook deliveries stay queued: no call leaves the machine
    return {
        "own": seed(agency, superuser=superuser),
        "other": seed(other_agency, superuser=superuser),
    }


@schema.given(data=st.data())
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_server_error_and_answers_as_declared(case, data, world, live_server):
    entry = TABLE.get(f"{case.operation.method.upper()} {case.operation.path}")
    if entry is not None and case.path_parameters:
        whose = data.draw(st.sampled_from(["generated", "own", "other"]), label="path ids")
        if whose != "generated":
            case.path_parameters = {**case.path_parameters, **entry.path(world[whose])}
    case.call_and_validate(
        base_url=live_server.url,
        headers={"Authorization": f"Bearer {world['own'].token}"},
        checks=CHECKS,
    )
