"""Fixtures of the API tests: clients of the personas' agency (and of another), and a caller
that sends their token."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from workflow.api.clients import ClientData, client_create
from workflow.api.scopes import SCOPES


class Caller(APIClient):
    """``rest_framework.test.APIClient`` with a token, JSON by default, and a fresh
    ``Idempotency-Key`` on every POST unless one is given."""

    def __init__(self, token: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.token = token
        if token:
            self.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    def post(self, path, data=None, format="json", key: str | None = "", **extra):
        if key == "":
            key = str(uuid.uuid4())
        if key is not None:
            extra.setdefault("HTTP_IDEMPOTENCY_KEY", key)
        return super().post(path, data, format=format, **extra)

    def put(self, path, data=None, format="json", **extra):
        return super().put(path, data, format=format, **extra)

    def patch(self, path, data=None, format="json", **extra):
        return super().patch(path, data, format=format, **extra)


@pytest.fixture
def make_client(db, superuser):
    """``make_client(agency, scopes=..., **changes) -> (ApiClient, token)``."""

    def make(agency, scopes=None, **changes):
        data = ClientData(
            name=changes.pop("name", "办公自动化系统"),
            system_code=changes.pop("system_code", "oa"),
            scopes=list(SCOPES) if scopes is None else list(scopes),
            **changes,
        )
        return client_create(actor=superuser, agency=agency, data=data)

    return make


@pytest.fixture
def api_client_and_token(make_client, agency):
    """A client of the personas' agency holding every scope, and its token."""
    return make_client(agency)


@pytest.fixture
def api(api_client_and_token) -> Caller:
    """A caller with the token of a client of the personas' agency holding every scope."""
    return Caller(api_client_and_token[1])


@pytest.fixture
def other_api(make_client, other_agency) -> Caller:
    """A caller for another agency's client (every scope): it must never see our data."""
    return Caller(make_client(other_agency, name="汾阳OA")[1])


@pytest.fixture
def anonymous() -> Caller:
    return Caller()
