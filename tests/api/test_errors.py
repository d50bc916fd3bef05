"""One error shape for every answer that is not a success (issue #15 §1): ``{"code",
"message", "fields"}`` in Chinese, with the right status; a defect in a view is a logged 500 in
that shape; hostile input is a 4xx, never a 500. The ETag helper's 428 / 412."""

import logging

import pytest

from tests.api.urls_for_tests import things
from workflow.api.concurrency import etag_of

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.urls_for_tests")]

URL = "/api/v1/test/things/"


def shape(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body["message"]
    return body


def test_a_services_validation_error_is_a_422_by_field(api):
    body = shape(api.post(URL, {"title": "  "}), 422, "invalid")
    assert body["fields"] == {"title": ["请填写标题。"]}
    assert body["message"] == "请填写标题。"


def test_a_body_that_is_not_json_is_a_400(api):
    response = api.post(URL, "{not json", content_type="application/json", format=None)
    shape(response, 400, "parse_error")


def test_a_broken_upload_is_a_400_saying_so(api):
    response = api.post(
        URL,
        b"--x\r\nnot a part",
        content_type="multipart/form-data; boundary=",
        format=None,
    )
    body = shape(response, 400, "parse_error")
    assert "multipart" in body["message"]


def test_a_views_chinese_404_reason_is_said_and_djangos_english_is_not(api):
    assert shape(api.get("/api/v1/test/missing/ours/"), 404, "not_found")["message"] == (
        "没有这份告知书。"
    )
    body = shape(api.get("/api/v1/test/missing/django/"), 404, "not_found")
    assert body["message"] == "没有找到，或不属于本机关。"


def test_an_unsupported_media_type_is_a_415(api):
    response = api.post(URL, "title=x", content_type="text/plain", format=None)
    shape(response, 415, "unsupported_media_type")


def test_an_unknown_api_address_is_a_404_in_the_shape(api):
    shape(api.get("/api/v1/no-such-endpoint/"), 404, "api_not_found")


def test_a_defect_in_a_view_is_a_logged_500_in_the_shape(api, caplog):
    with caplog.at_level(logging.ERROR, logger="workflow.api.errors"):
        body = shape(api.get("/api/v1/test/broken/"), 500, "server_error")
    assert "a defect" not in body["message"]  # the traceback is for the log only
    assert any(
        record.exc_info and "a defect in a view" in str(record.exc_info[1])
        for record in caplog.records
    )


def test_pages_of_a_list_and_a_page_beyond_the_last(api):
    page = api.get("/api/v1/test/numbers/", {"page": 2, "page_size": 50}).json()
    assert (page["count"], page["results"][0], len(page["results"])) == (250, 51, 50)
    # At most 200 a page, whatever is asked.
    assert len(api.get("/api/v1/test/numbers/", {"page_size": 10_000}).json()["results"]) == 200
    body = shape(api.get("/api/v1/test/numbers/", {"page": 99}), 404, "not_found")
    assert body["message"] == "没有这一页。"
    shape(api.get("/api/v1/test/numbers/", {"page": "\x00<b>"}), 404, "not_found")


def test_an_inactive_clients_account_is_refused(api, api_client_and_token):
    user = api_client_and_token[0].user
    user.is_active = False
    user.save()
    assert (
        shape(api.get(URL), 401, "not_authenticated")["message"] == "该接口客户端的操作账号已停用。"
    )


def test_a_busy_database_is_a_503_with_retry_after(api):
    response = api.get("/api/v1/test/busy/")
    body = shape(response, 503, "busy")
    assert "没有保存任何内容" in body["message"]
    assert response["Retry-After"] == "10"


# -- ETag / If-Match ------------------------------------------------------------------------


def test_an_update_without_if_match_is_a_428(api):
    body = shape(api.put(URL, {}), 428, "precondition_required")
    assert "If-Match" in body["fields"]


def test_an_update_with_a_stale_etag_is_a_412_with_the_current_one(api, agency):
    read = api.get(URL)
    etag = read["ETag"]
    assert api.post(URL, {"title": "另一人新增"}).status_code == 201  # the version moves on
    response = api.put(URL, {}, HTTP_IF_MATCH=etag)
    shape(response, 412, "precondition_failed")
    assert response["ETag"] == etag_of(agency.pk, things(agency).count()) != etag


def test_an_update_with_the_current_etag_or_a_star_passes(api):
    etag = api.get(URL)["ETag"]
    assert api.put(URL, {}, HTTP_IF_MATCH=etag).status_code == 200
    assert api.put(URL, {}, HTTP_IF_MATCH=f'"stale", {etag}').status_code == 200
    assert api.put(URL, {}, HTTP_IF_MATCH="*").status_code == 200


def test_etags_differ_by_version_and_are_quoted():
    assert etag_of(1, "a") != etag_of(1, "b")
    assert etag_of(1, "a").startswith('"') and etag_of(1, "a").endswith('"')


# -- hostile input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer gk_\x00",
        "Bearer gk_0123456789ab\x00_x",
        "Bearer gk_\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00_secret",
        "Bearer " + "gk_" + "a" * 10_000,
        "Bearer " + "x" * 10_000,
        "Bearer <script>alert(1)</script>",
        "Bearer gk_<b>0123456789</b>_x",
        "Bearer gk_%00%00",
        "Bearer gk_ＡＢＣ令牌",
    ],
)
def test_a_hostile_token_is_a_401(anonymous, authorization):
    response = anonymous.get(URL, HTTP_AUTHORIZATION=authorization)
    body = shape(response, 401, "not_authenticated")
    assert "<script>" not in body["message"]


def test_a_non_ascii_authorization_header_is_a_401(anonymous):
    response = anonymous.get(URL, HTTP_AUTHORIZATION="Bearer gk_令牌".encode().decode("latin-1"))
    shape(response, 401, "not_authenticated")


@pytest.mark.parametrize(
    ("key", "status"),
    [("a\x00b", 422), ("k" * 201, 422), ("\t", 428), ("<b>key</b>", 201), ("键" * 50, 201)],
)
def test_a_hostile_idempotency_key_is_refused_or_kept_as_text(api, key, status):
    response = api.post(URL, {"title": "标题"}, key=key)
    assert response.status_code == status, response.content
    if status >= 400:
        shape(response, status, "invalid" if status == 422 else "precondition_required")


@pytest.mark.parametrize(
    "payload",
    [
        {"title": "<script>alert(1)</script>"},
        {"title": ["a list"]},
        {"title": {"nested": True}},
        {"title": None},
        [],
        "just a string",
        {"title": "x" * 100_000},
    ],
)
def test_hostile_bodies_are_never_a_500(api, payload):
    response = api.post(URL, payload)
    assert response.status_code in {201, 400, 422}, response.content[:300]


def test_a_body_larger_than_the_site_accepts_is_a_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post(URL, {"title": "x" * 5000})
    shape(response, 413, "too_large")


def test_a_nul_in_the_body_is_the_services_422_by_field(api):
    nul = b'{"title": "a\\u0000b"}'
    response = api.post(URL, nul, content_type="application/json", format=None)
    body = shape(response, 422, "invalid")
    assert "U+0000" in body["fields"]["title"][0]


def test_a_token_in_a_query_string_is_not_a_token(anonymous, api_client_and_token):
    _, token = api_client_and_token
    shape(anonymous.get(URL, {"access_token": token}), 401, "not_authenticated")


def test_markup_in_a_message_is_returned_as_json_text_not_html(api):
    response = api.get("/api/v1/<script>/")
    body = shape(response, 404, "api_not_found")
    assert "<script>" not in body["message"]
