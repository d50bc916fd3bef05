"""Throttling per client (issue #15 §2): at most ``rate`` calls a minute; the next is a 429 in
the one shape with ``Retry-After`` and the wait in Chinese. Each client has its own count."""

import pytest
import time_machine
from django.core.cache import cache

from tests.api.conftest import Caller

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.urls_for_tests")]

URL = "/api/v1/test/things/"


@pytest.fixture(autouse=True)
def _fresh_counts():
    # Counts are kept in the cache by client id; ids come round again between tests.
    cache.clear()
    yield
    cache.clear()


def test_the_call_over_the_rate_is_a_429_with_retry_after(make_client, agency):
    _, token = make_client(agency, rate=2)
    caller = Caller(token)
    with time_machine.travel("2026-03-02 09:00:00 +0800", tick=False):
        assert caller.get(URL).status_code == 200
    with time_machine.travel("2026-03-02 09:00:20 +0800", tick=False):
        assert caller.get(URL).status_code == 200
        response = caller.get(URL)
    assert response.status_code == 429
    body = response.json()
    assert (body["code"], body["fields"]) == ("throttled", {})
    # The first call leaves the window 40 seconds later.
    assert response["Retry-After"] == "40"
    assert body["message"] == "调用过于频繁，请在 40 秒后再试。"
    with time_machine.travel("2026-03-02 09:01:01 +0800", tick=False):
        assert caller.get(URL).status_code == 200


def test_posts_count_too(make_client, agency):
    _, token = make_client(agency, rate=2)
    caller = Caller(token)
    with time_machine.travel("2026-03-02 09:00:00 +0800", tick=False):
        assert caller.post(URL, {"title": "一"}).status_code == 201
        assert caller.post(URL, {"title": "二"}).status_code == 201
        assert caller.post(URL, {"title": "三"}).status_code == 429


def test_a_wait_under_a_second_is_said_as_one_second(make_client, agency):
    _, token = make_client(agency, rate=1)
    caller = Caller(token)
    with time_machine.travel("2026-03-02 09:00:00 +0800", tick=False):
        caller.get(URL)
    with time_machine.travel("2026-03-02 09:00:59.7 +0800", tick=False):
        response = caller.get(URL)
    assert (response.status_code, response["Retry-After"]) == (429, "1")


def test_each_client_has_its_own_count(make_client, agency, other_agency):
    _, busy = make_client(agency, rate=2)
    _, quiet = make_client(agency, rate=2, name="网站内容管理系统", system_code="cms")
    _, elsewhere = make_client(other_agency, rate=2, name="汾阳OA")
    with time_machine.travel("2026-03-02 09:00:00 +0800", tick=False):
        for _ in range(2):
            Caller(busy).get(URL)
        assert Caller(busy).get(URL).status_code == 429
        assert Caller(quiet).get(URL).status_code == 200
        assert Caller(elsewhere).get(URL).status_code == 200


def test_a_changed_rate_applies_at_once(make_client, agency, superuser):
    from workflow.api.clients import ClientData, client_update

    client, token = make_client(agency, rate=1)
    caller = Caller(token)
    with time_machine.travel("2026-03-02 09:00:00 +0800", tick=False):
        assert caller.get(URL).status_code == 200
        assert caller.get(URL).status_code == 429
        client_update(
            actor=superuser,
            client_id=client.pk,
            data=ClientData(name=client.name, system_code="oa", scopes=client.scopes, rate=5),
        )
        assert caller.get(URL).status_code == 200
