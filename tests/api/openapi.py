"""The API's OpenAPI schema as the tests read it: generated in-process (no server, no database),
as ``manage.py spectacular`` generates it, and its operations one by one."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@functools.cache
def _schema_text() -> str:
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return OpenApiJsonRenderer().render(schema, renderer_context={}).decode()


def openapi_schema() -> dict:
    """A fresh copy of the schema (plain JSON values)."""
    return json.loads(_schema_text())


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    path: str  # as in the schema: /api/v1/requests/{id}/
    spec: dict

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def public(self) -> bool:
        return self.spec.get("security") == [{}]

    def parameters(self, where: str) -> list[dict]:
        return [p for p in self.spec.get("parameters", []) if p["in"] == where]

    def __str__(self) -> str:
        return self.key


def operations(schema: dict | None = None) -> list[Operation]:
    schema = schema or openapi_schema()
    return [
        Operation(method.upper(), path, spec)
        for path, item in schema["paths"].items()
        for method, spec in item.items()
        if method in METHODS
    ]
