"""The API's permission matrix (issue #15 §2): every operation of the schema × the anonymous
caller, a client holding each scope alone, another agency's client, and a client with the
operation's scope on its own agency's object.

- anonymous: 401 (``not_authenticated``), except the public operations, which answer;
- a client without the operation's scope: 403 (``permission_denied``, naming the scope);
- another agency's client: 404 for our object, exactly like one that does not exist; a list
  answers without our objects;
- a client with the scope alone, on its own agency's object: the operation's success.

Each operation's row (``tests/api/matrix.py``) says its scope and how to call it; an operation
in the schema without a row fails ``test_every_operation_has_a_row``, so a new endpoint cannot be
forgotten. Each cell runs in a savepoint rolled back after it, so every cell starts from the
same objects, built once for the module with the real services (``tests/api/seeding.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings

from tests.api.conftest import Caller
from tests.api.matrix import TABLE, Entry
from tests.api.openapi import Operation, operations
from tests.api.seeding import Seeds, client_for, seed
from tests.conftest import make_agency, make_other_agency
from workflow.api.scopes import SCOPES
from workflow.webhooks import endpoint_create

# The cells use the module's world (below); the mark makes pytest-django set up the test
# database even when only one cell's test is selected, and the PostgreSQL pass run them.
pytestmark = pytest.mark.django_db

OPERATIONS = operations()


@dataclass
class World:
    own: Seeds
    other: Seeds
    #: scope → token of our agency's client holding that scope alone.
    alone: dict[str, str]
    #: token of another agency's client holding every scope.
    stranger: str


@pytest.fixture(autouse=True)
def _media_in_tmp():
    """The world's letters are written once for the module (see ``world``)."""


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Both agencies' objects and clients, built once and rolled back at the end; each cell runs
    in a savepoint of its own (like ``TestCase.setUpTestData``)."""
    media = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        GONGKAI_API_ANONYMOUS_RATE="100000/min",
        GONGKAI_JOBS="queue",  # webhook deliveries stay queued: no call leaves the machine
    )
    media.enable()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # a block that never commits, like setUpTestData's
        outer.__enter__()
        try:
            root = get_user_model().objects.create_superuser(username="root", password="pw")
            own_agency, other_agency = make_agency(), make_other_agency()
            own = seed(own_agency, superuser=root)
            other = seed(other_agency, superuser=root)
            alone = {}
            for scope in SCOPES:
                client, alone[scope] = client_for(
                    own_agency, actor=root, scopes=[scope], name=f"只有{scope}"
                )
                if scope == "webhooks:manage":
                    # An endpoint is its client's own: the one this client manages.
                    endpoint, _ = endpoint_create(
                        actor=client.user,
                        client=client,
                        url="https://oa.example.invalid/alone",
                        events=[],
                    )
                    own.ids["webhook"] = endpoint.pk
            yield World(own=own, other=other, alone=alone, stranger=other.token)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            media.disable()


def call(caller: Caller, operation: Operation, entry: Entry, seeds: Seeds, target: Seeds):
    """Call ``operation`` as ``caller`` on ``target``'s objects (``seeds``: the caller's own,
    for what the body names)."""
    url = operation.path.format(**entry.path(target))
    query = entry.query(target)
    extra = {}
    if entry.if_match:
        read = caller.get(url)
        extra["HTTP_IF_MATCH"] = read.headers.get("ETag", '"none"')
    method = operation.method.lower()
    if method == "get":
        return caller.get(url, query)
    body = entry.body(target) if entry.body else {}
    if query:
        url = f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}"
    fmt = "multipart" if entry.multipart else "json"
    return getattr(caller, method)(url, body, format=fmt, **extra)


def _error_code(response) -> str:
    try:
        return json.loads(response.content).get("code", "")
    except (ValueError, AttributeError):
        return f"(not JSON: {response.get('Content-Type')})"


def cell(world: World, operation: Operation, entry: Entry, who: str) -> str | None:
    """One call in a savepoint rolled back after it; the problem, or None."""
    with transaction.atomic():
        try:
            return _judge(world, operation, entry, who)
        finally:
            transaction.set_rollback(True)


def _judge(world: World, operation: Operation, entry: Entry, who: str) -> str | None:
    if who == "anonymous":
        response = call(Caller(), operation, entry, world.own, world.own)
        if entry.scope is None:
            return None if response.status_code in entry.ok else _got(response, entry.ok)
        if response.status_code != 401 or _error_code(response) != "not_authenticated":
            return _got(response, "401 not_authenticated")
        return None
    if who == "other":
        response = call(Caller(world.stranger), operation, entry, world.other, world.own)
        if entry.other == "404":
            if response.status_code != 404 or _error_code(response) != "not_found":
                return _got(response, "404 not_found")
        elif entry.other == "list":
            if response.status_code != 200:
                return _got(response, "200")
            found = set(_listed_ids(response.json()))
            shown = [kind for kind in entry.hidden if world.own[kind] in found]
            if shown:
                return f"another agency's client sees our {shown}"
        return None
    scope = who.removeprefix("scope ")
    response = call(Caller(world.alone[scope]), operation, entry, world.own, world.own)
    if entry.scope is None or scope == entry.scope or scope in entry.also:
        if response.status_code not in entry.ok:
            return _got(response, entry.ok)
        return None
    if response.status_code != 403 or _error_code(response) != "permission_denied":
        return _got(response, "403 permission_denied")
    if entry.scope not in response.json()["message"]:
        return f"the 403 does not name the scope {entry.scope}: {response.json()['message']}"
    return None


def _listed_ids(data) -> list:
    """The ids of a list's items (a page's ``results`` or a plain list)."""
    items = data.get("results", []) if isinstance(data, dict) else data
    return [item.get("id") for item in items if isinstance(item, dict)]


def _got(response, expected) -> str:
    body = response.content[:300].decode(errors="replace")
    return f"expected {expected}, got {response.status_code}: {body}"


def test_every_operation_has_a_row():
    keys = {operation.key for operation in OPERATIONS}
    missing = sorted(keys - set(TABLE))
    stale = sorted(set(TABLE) - keys)
    assert not missing, f"operations without a row in tests/api/matrix.py: {missing}"
    assert not stale, f"rows of tests/api/matrix.py for no operation: {stale}"


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_the_schema_names_the_scope_of_the_row(operation):
    entry = TABLE.get(operation.key)
    if entry is None:
        pytest.fail(f"{operation}: no row in tests/api/matrix.py")
    assert operation.spec.get("x-scope") == entry.scope
    assert operation.public == (entry.scope is None)


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_matrix(world, operation):
    entry = TABLE.get(operation.key)
    if entry is None:
        pytest.fail(f"{operation}: no row in tests/api/matrix.py")
    # The operation's own scope last: its success may change the object.
    columns = ["anonymous", "other"]
    columns += [f"scope {s}" for s in SCOPES if s != entry.scope and s not in entry.also]
    columns += [f"scope {s}" for s in entry.also]
    if entry.scope is not None:
        columns.append(f"scope {entry.scope}")
    if entry.other == "none":
        columns.remove("other")
    problems = []
    for who in columns:
        problem = cell(world, operation, entry, who)
        if problem:
            problems.append(f"{operation} / {who}: {problem}")
    assert not problems, "\n".join(problems)


def test_an_id_that_is_not_a_number_is_a_json_404(db):
    # Generated calls send any text as an id: the address then names no endpoint at all.
    for path in ("/api/v1/requests/not-a-number/", "/api/v1/documents/%C3%96/history/"):
        response = Caller().post(path, {})
        assert response.status_code == 404
        assert response.headers["Content-Type"] == "application/json"
        assert response.json()["code"] == "api_not_found"
