"""Who may call (issue #15 §2): a token of a client that is not revoked or expired, from an
address on its allow-list. Every refusal is a 401 in the one error shape, in Chinese, with a
``WWW-Authenticate`` header; a client's user is the actor, and its last use is kept."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.api.conftest import Caller
from workflow.api.clients import client_revoke, token_rotate
from workflow.models import ApiClient

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.urls_for_tests")]

URL = "/api/v1/test/things/"


def assert_401(response, says: str):
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "not_authenticated"
    assert says in body["message"], body["message"]


def test_a_valid_token_acts_for_its_client_and_agency(api, agency):
    response = api.get(URL)
    assert response.status_code == 200
    assert response.json()["agency"] == agency.name


def test_no_token_is_a_401(anonymous):
    assert_401(anonymous.get(URL), "请提供有效的接口令牌")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer a b",
        "Bearer gk_nothing",
        "Bearer gk_0123456789ab_notthesecret",
        "Bearer xyz",
        "bearer gk_",
    ],
)
def test_a_malformed_or_unknown_token_is_a_401(anonymous, header, api_client_and_token):
    response = anonymous.get(URL, HTTP_AUTHORIZATION=header)
    assert_401(response, "令牌")


def test_another_scheme_is_no_token(anonymous):
    assert_401(anonymous.get(URL, HTTP_AUTHORIZATION="Basic dXNlcjpwdw=="), "请提供有效的接口令牌")


def test_a_token_with_the_right_prefix_and_a_wrong_secret_is_a_401(api_client_and_token):
    _, token = api_client_and_token
    wrong = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert_401(Caller(wrong).get(URL), "令牌无效")


def test_the_old_token_stops_working_when_rotated(api_client_and_token, superuser):
    client, old = api_client_and_token
    _, new = token_rotate(actor=superuser, client_id=client.pk)
    assert_401(Caller(old).get(URL), "已被重新生成")
    assert Caller(new).get(URL).status_code == 200


def test_a_revoked_client_is_refused_at_once(api, api_client_and_token, superuser):
    assert api.get(URL).status_code == 200
    client_revoke(actor=superuser, client_id=api_client_and_token[0].pk, reason="系统停用")
    assert_401(api.get(URL), "已被吊销")


def test_an_expired_client_is_refused(make_client, agency):
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
        _, token = make_client(agency, expires_at=timezone.now() + timedelta(days=1))
        assert Caller(token).get(URL).status_code == 200
    with time_machine.travel("2026-03-03 09:00 +0800", tick=False):
        assert_401(Caller(token).get(URL), "已过有效期")


@pytest.mark.parametrize(
    ("allow_list", "address", "allowed"),
    [
        ("10.1.2.3", "10.1.2.3", True),
        ("10.1.2.3", "10.1.2.4", False),
        ("10.1.2.0/24", "10.1.2.200", True),
        ("10.1.2.0/24", "10.1.3.1", False),
        ("10.1.2.0/24\n2001:db8::/32", "2001:db8::7", True),
        ("2001:db8::1", "2001:db8::1", True),
        ("2001:db8::/32", "2001:db9::1", False),
        ("10.1.2.0/24", "::ffff:10.1.2.9", True),  # IPv4 seen through an IPv6 socket
        ("10.1.2.0/24", "", False),
        ("10.1.2.0/24", "not-an-address", False),
        ("", "192.0.2.1", True),  # no list: any address
    ],
)
def test_the_allow_list(make_client, agency, allow_list, address, allowed):
    _, token = make_client(agency, ip_allow_list=allow_list)
    response = Caller(token).get(URL, REMOTE_ADDR=address)
    if allowed:
        assert response.status_code == 200
    else:
        assert_401(response, "不在该接口客户端允许的地址范围内")


def test_last_use_is_written_at_most_once_a_minute(api_client_and_token):
    client, token = api_client_and_token
    caller = Caller(token)
    assert client.last_used_at is None
    with time_machine.travel("2026-03-02 09:00:00 +0800", tick=False):
        caller.get(URL, REMOTE_ADDR="10.0.0.1")
        first = timezone.now()
    client.refresh_from_db()
    assert (client.last_used_at, client.last_used_ip) == (first, "10.0.0.1")
    with time_machine.travel("2026-03-02 09:00:59 +0800", tick=False):
        caller.get(URL, REMOTE_ADDR="10.0.0.2")
    client.refresh_from_db()
    assert (client.last_used_at, client.last_used_ip) == (first, "10.0.0.1")
    with time_machine.travel("2026-03-02 09:01:00 +0800", tick=False):
        caller.get(URL, REMOTE_ADDR="10.0.0.3")
        later = timezone.now()
    client.refresh_from_db()
    assert (client.last_used_at, client.last_used_ip) == (later, "10.0.0.3")


def test_a_refused_call_is_no_use(api_client_and_token):
    client, token = api_client_and_token
    ApiClient.objects.filter(pk=client.pk).update(ip_allow_list="10.9.9.9")
    Caller(token).get(URL, REMOTE_ADDR="10.0.0.1")
    client.refresh_from_db()
    assert client.last_used_at is None


def test_a_missing_scope_is_a_403_naming_it(make_client, agency):
    _, token = make_client(agency, scopes=["requests:read"])
    response = Caller(token).get(URL)
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "permission_denied"
    assert "reference:read" in body["message"] and "读取机关" in body["message"]


def test_a_method_the_view_lacks_is_a_405_whatever_the_scopes(make_client, agency):
    _, token = make_client(agency, scopes=["reference:read"])
    response = Caller(token).post("/api/v1/test/read-only/", {"x": 1})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert Caller(token).delete(URL).status_code == 405


def test_another_agencys_client_sees_its_own_agency(other_api, other_agency):
    assert other_api.get(URL).json()["agency"] == other_agency.name


def test_a_session_is_no_way_into_the_api(client, registrar):
    client.force_login(registrar)
    assert_401(client.get(URL), "请提供有效的接口令牌")


def test_the_clients_own_user_is_the_actor_of_its_writes(api, api_client_and_token, agency):
    from tests.api.urls_for_tests import things

    client = api_client_and_token[0]
    assert api.post(URL, {"title": "甲"}).status_code == 201
    event = things(agency).get()
    assert event.actor == client.user and event.agency == agency


def test_scopes_are_the_clients_and_people_hold_none(api_client_and_token, registrar):
    from django.contrib.auth.models import AnonymousUser

    from workflow.api.clients import client_of, has_scope

    client = api_client_and_token[0]
    user = type(client.user).objects.get(pk=client.user.pk)  # read afresh, as a service would
    assert client_of(user) == client
    assert has_scope(user, "documents:write")
    ApiClient.objects.filter(pk=client.pk).update(scopes=["requests:read"])
    assert not has_scope(type(user).objects.get(pk=user.pk), "documents:write")
    assert client_of(registrar) is None and not has_scope(registrar, "requests:read")
    assert client_of(AnonymousUser()) is None
