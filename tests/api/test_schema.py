"""The OpenAPI schema is valid, and every operation keeps the API's conventions (issue #15 §1):
Chinese summaries and descriptions, English snake_case names, ISO dates, its security and its
error answers in the one shape. ``manage.py spectacular --validate --fail-on-warn`` is clean."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.versions import get_spec_version

from tests.api.openapi import Operation, openapi_schema, operations
from workflow.api.scopes import SCOPES

ROOT = Path(__file__).resolve().parents[2]
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
CJK = re.compile(r"[\u4e00-\u9fff]")
HEADERS_ALLOWED = {"Idempotency-Key", "If-Match", "If-None-Match"}

OPERATIONS = operations()


def op_id(operation: Operation) -> str:
    return operation.key


@pytest.fixture(scope="module")
def schema() -> dict:
    return openapi_schema()


def test_spectacular_command_validates_without_warnings(tmp_path):
    # The command CI and the README document, run as a separate process: any warning (an
    # unresolvable serializer field, a view without a serializer …) fails it.
    out = tmp_path / "schema.json"
    done = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--format",
            "openapi-json",
            "--file",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr, done.stderr
    assert json.loads(out.read_text())["openapi"].startswith("3.")


def test_schema_validates_with_openapi_spec_validator(schema):
    version = get_spec_version(schema)
    assert str(version).startswith("OpenAPIV3")
    validate(schema)


def test_the_error_shape_is_a_component(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["code", "message", "fields"]
    assert error["properties"]["fields"]["additionalProperties"]["type"] == "array"


def test_operation_ids_are_unique(schema):
    ids = [operation.spec["operationId"] for operation in operations(schema)]
    assert len(ids) == len(set(ids))


def _walk(node, path=""):
    """Every (path, schema object) below ``node``."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}")


def _property_problems(where: str, node: dict) -> list[str]:
    problems = []
    for name, prop in (node.get("properties") or {}).items():
        if not SNAKE.match(name):
            problems.append(f"{where}: property {name!r} is not English snake_case")
        if name.endswith("_date") and prop.get("format") != "date" and "$ref" not in prop:
            problems.append(f"{where}.{name}: a *_date field is an ISO date (format: date)")
        if name.endswith("_at") and prop.get("format") != "date-time" and "$ref" not in prop:
            problems.append(f"{where}.{name}: a *_at field is an ISO date-time")
        description = prop.get("description", "")
        nested = "$ref" in prop or "allOf" in prop or "$ref" in prop.get("items", {})
        if not nested and not CJK.search(description):
            problems.append(f"{where}.{name}: no Chinese description (help_text)")
    return problems


def test_component_properties_are_snake_case_with_chinese_help_and_iso_dates(schema):
    problems = []
    for name, component in schema["components"].get("schemas", {}).items():
        for path, node in _walk(component):
            if isinstance(node, dict) and "properties" in node:
                problems += _property_problems(f"{name}{path}", node)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("operation", OPERATIONS, ids=op_id)
def test_operation_is_described_in_chinese(operation):
    summary = operation.spec.get("summary", "")
    assert CJK.search(summary), f"{operation}: extend_schema(summary=…) in Chinese"
    description = operation.spec.get("description", "")
    # The scope sentence is added by workflow.api.schema; the rest is the endpoint's own.
    added = ("所需权限范围", "公开接口")
    own = [p for p in description.split("\n\n") if p and not p.startswith(added)]
    for paragraph in own:
        assert CJK.search(paragraph), f"{operation}: description paragraph not in Chinese"


@pytest.mark.parametrize("operation", OPERATIONS, ids=op_id)
def test_operation_names_are_snake_case_and_described(operation):
    for parameter in operation.spec.get("parameters", []):
        name = parameter["name"]
        if parameter["in"] == "header":
            assert name in HEADERS_ALLOWED, f"{operation}: unexpected header {name}"
        else:
            assert SNAKE.match(name), f"{operation}: parameter {name!r} is not snake_case"
        if parameter["in"] != "path":
            assert CJK.search(parameter.get("description", "")), (
                f"{operation}: parameter {name!r} has no Chinese description"
            )
    for path, node in _walk(operation.spec):
        if isinstance(node, dict) and "properties" in node:
            problems = _property_problems(f"{operation}{path}", node)
            assert not problems, "\n".join(problems)


@pytest.mark.parametrize("operation", OPERATIONS, ids=op_id)
def test_operation_declares_security_and_scope(operation):
    security = operation.spec.get("security")
    assert security in ([{"ClientToken": []}], [{}]), f"{operation}: security {security}"
    if not operation.public:
        assert operation.spec.get("x-scope") in SCOPES, f"{operation}: no scope"


@pytest.mark.parametrize("operation", OPERATIONS, ids=op_id)
def test_operation_declares_its_errors_in_the_one_shape(schema, operation):
    responses = operation.spec["responses"]
    wanted = {"429"}
    if not operation.public:
        wanted |= {"401", "403"}
    if operation.parameters("path"):
        wanted.add("404")
    if operation.method == "POST" and not operation.public:
        wanted |= {"422", "428"}
    if any(p["name"] == "If-Match" for p in operation.parameters("header")):
        wanted |= {"412", "428"}
    missing = wanted - set(responses)
    assert not missing, f"{operation}: undeclared errors {sorted(missing)}"
    assert any(code.startswith("2") for code in responses), f"{operation}: no success answer"
    for code, response in responses.items():
        if code.startswith("4"):
            shape = _resolve(schema, response["content"]["application/json"]["schema"])
            assert {"code", "message", "fields"} <= set(shape.get("properties", {})), (
                f"{operation} {code}: not the error shape {{code, message, fields}}"
            )
            assert CJK.search(response["description"]), f"{operation} {code}: not described"


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


@pytest.mark.parametrize(
    "operation", [o for o in OPERATIONS if o.method == "POST" and not o.public], ids=op_id
)
def test_every_post_takes_an_idempotency_key(operation):
    headers = {p["name"]: p for p in operation.parameters("header")}
    assert headers.get("Idempotency-Key", {}).get("required") is True, (
        f"{operation}: extend_schema(parameters=[IDEMPOTENCY_KEY])"
    )


@pytest.mark.parametrize(
    "operation", [o for o in OPERATIONS if o.method in ("PUT", "PATCH")], ids=op_id
)
def test_every_update_takes_if_match(operation):
    headers = {p["name"] for p in operation.parameters("header")}
    assert "If-Match" in headers, f"{operation}: extend_schema(parameters=[IF_MATCH])"


def test_the_schema_holds_the_endpoints_of_issue_15(schema):
    # A merge that drops an app's routes would leave the other tests here nothing to check.
    keys = {operation.key for operation in operations(schema)}
    for key in (
        "POST /api/v1/submissions/",
        "GET /api/v1/requests/{id}/",
        "PUT /api/v1/documents/external/{external_id}/",
        "POST /api/v1/documents/{document_id}/publication/",
        "POST /api/v1/webhooks/",
        "GET /api/v1/calendar/day/",
    ):
        assert key in keys


def test_every_path_is_under_api_v1(schema):
    assert all(path.startswith("/api/v1/") for path in schema["paths"])
