"""The API's frame: the root, schema and docs answer; a missing or wrong token is a 401 in the
one error shape."""

import pytest

pytestmark = pytest.mark.django_db


def test_root_names_schema_and_docs(anonymous):
    response = anonymous.get("/api/v1/")
    assert response.status_code == 200
    assert response.json()["schema"].endswith("/api/v1/schema/")


def test_schema_is_openapi_3(anonymous):
    response = anonymous.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_docs_page_loads_from_own_static_files(anonymous):
    response = anonymous.get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower()
