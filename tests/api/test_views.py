"""The base views: a ``ClientView``'s ``create`` is its POST (with ``create``'s schema), a view
without ``create`` has no POST; the public endpoints are limited per address as the web server
saw it."""

import pytest
from django.core.cache import cache
from drf_spectacular.generators import SchemaGenerator

from tests.api.conftest import Caller

pytestmark = pytest.mark.urls("tests.api.urls_for_tests")


def test_the_schema_of_create_is_the_schema_of_post():
    schema = SchemaGenerator(urlconf="tests.api.urls_for_tests").get_schema(public=True)
    things = schema["paths"]["/api/v1/test/things/"]
    assert set(things) == {"get", "post", "put"}
    post = things["post"]
    assert "Idempotency-Key" in [p["name"] for p in post.get("parameters", [])]
    assert "ThingRequest" in str(post["requestBody"])
    assert "201" in post["responses"]
    assert set(schema["paths"]["/api/v1/test/read-only/"]) == {"get"}


@pytest.mark.django_db
def test_a_view_without_create_answers_a_post_with_405(api):
    response = api.post("/api/v1/test/read-only/", {})
    assert response.status_code == 405
    assert "POST" not in response["Allow"]


def test_public_calls_are_limited_per_address_whatever_x_forwarded_for_says(settings):
    settings.GONGKAI_API_ANONYMOUS_RATE = "2/min"
    cache.clear()
    anonymous = Caller()
    for _ in range(2):
        assert anonymous.get("/api/v1/", REMOTE_ADDR="192.0.2.1").status_code == 200
    refused = anonymous.get("/api/v1/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled" and refused["Retry-After"]
    assert anonymous.get("/api/v1/", REMOTE_ADDR="192.0.2.2").status_code == 200
    cache.clear()
