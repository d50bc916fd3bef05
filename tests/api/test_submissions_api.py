"""``/api/v1/submissions/``: a portal submits online applications, which wait for the registrar's
confirmation (Art. 31(3)), and follows them to their case or their return."""

from __future__ import annotations

import pytest
import time_machine

from requests_app.models import InformationRequest, OnlineSubmission
from requests_app.services import submission_confirm, submission_return
from tests.api.conftest import Caller
from tests.conftest import d
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db
URL = "/api/v1/submissions/"


@pytest.fixture(autouse=True)
def _monday_evening():
    with time_machine.travel("2026-03-02 21:30 +0800", tick=False):
        yield


def body(**changes) -> dict:
    values = {
        "applicant_kind": "person",
        "applicant_name": "张明华",
        "id_type": "resident_id",
        "id_number": "11010519491231002X",
        "phone": "13800000000",
        "email": "zhang@example.com",
        "description": "2025年孝义市城区老旧小区改造项目的资金拨付明细",
        "form_wanted": "electronic",
        "delivery": "email",
    }
    values.update(changes)
    return values


def test_a_submission_is_kept_pending_with_its_number_and_address(api, api_client_and_token):
    response = api.post(URL, body(external_ref="ZW-0042"))
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert answer["status"] == "pending" and answer["status_label"] == "待确认"
    assert answer["number"] == "网申2026-000001"
    assert answer["submitted_at"].startswith("2026-03-02T21:30")
    assert answer["submitted_on"] == "2026-03-02"
    assert answer["case_id"] is None and answer["receipt_date"] is None
    assert answer["source"] == "oa" and answer["external_ref"] == "ZW-0042"
    assert answer["application"]["applicant_name"] == "张明华"
    assert response["Location"].endswith(f"{URL}{answer['id']}/")
    assert api.get(response["Location"]).json() == answer
    # Not received yet: no case, no clock (Art. 31(3)).
    assert InformationRequest.objects.count() == 0
    client, _ = api_client_and_token
    assert AuditEvent.objects.get(action="submission_received").actor == client.user


def test_the_registration_rules_answer_in_chinese_by_field(api):
    response = api.post(
        URL, body(id_number="110105194912310021", description="", delivery="post", address="")
    )
    assert response.status_code == 422
    answer = response.json()
    assert answer["code"] == "invalid"
    assert "校验码" in answer["fields"]["id_number"][0]
    assert answer["fields"]["description"] == [
        "请填写申请获取的政府信息的名称、文号或者便于查询的其他特征性描述。"
    ]
    assert answer["fields"]["address"] == ["选择邮寄送达的，请填写通讯地址。"]
    assert OnlineSubmission.objects.count() == 0


def test_a_missing_field_is_named_by_the_service(api):
    values = body()
    del values["applicant_name"]
    response = api.post(URL, values)
    assert response.status_code == 422
    assert response.json()["fields"]["applicant_name"] == ["请填写申请人的姓名或名称。"]


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (body(applicant_name={"x": 1}), "applicant_name", "申请人姓名或名称应为文字。"),
        (
            body(power_of_attorney="maybe"),
            "power_of_attorney",
            "已提交授权委托书应为 true 或 false。",
        ),
        (body(case_number="X"), "case_number", "没有这个字段。"),
        (body(applicant_name="张\x00明华"), "applicant_name", "看不见的空字符"),
        (body(description="字" * 100_000), "description", "不能超过5000个字（现有100000个）"),
        (body(external_ref="x" * 101), "external_ref", "来源系统的编号不能超过100个字"),
    ],
)
def test_hostile_input_is_a_clear_422(api, payload, field, message):
    response = api.post(URL, payload)
    assert response.status_code == 422, response.content
    assert message in response.json()["fields"][field][0]


def test_a_body_that_is_not_an_object_is_refused(api):
    response = api.post(URL, ["张明华"])
    assert response.status_code == 422
    assert response.json()["message"] == "请求体应为 JSON 对象，各字段见接口说明。"


def test_a_retried_call_submits_once(api):
    first = api.post(URL, body(), key="call-1")
    again = api.post(URL, body(), key="call-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"]
    assert OnlineSubmission.objects.count() == 1


def test_a_reference_already_submitted_is_refused_with_the_earlier_number(api):
    first = api.post(URL, body(external_ref="ZW-0042")).json()
    response = api.post(URL, body(external_ref="ZW-0042"))
    assert response.status_code == 422
    assert response.json()["code"] == "duplicate"
    assert first["number"] in response.json()["fields"]["external_ref"][0]


def test_the_status_follows_the_registrars_confirmation(api, registrar):
    created = api.post(URL, body()).json()
    with time_machine.travel("2026-03-03 09:15 +0800", tick=False):
        case = submission_confirm(actor=registrar, submission_id=created["id"])
    answer = api.get(f"{URL}{created['id']}/").json()
    assert answer["status"] == "confirmed"
    assert (answer["case_id"], answer["case_number"]) == (case.pk, case.case_number)
    # Received on the day both sides confirm (Art. 31(3)), not the day submitted.
    assert answer["receipt_date"] == "2026-03-03"
    assert answer["decided_at"].startswith("2026-03-03T09:15")


def test_a_returned_submission_says_why(api, registrar):
    created = api.post(URL, body()).json()
    reason = "属于投诉事项，不是政府信息公开申请，请拨打12345政务服务便民热线。"
    submission_return(actor=registrar, submission_id=created["id"], reason=reason)
    answer = api.get(f"{URL}{created['id']}/").json()
    assert (answer["status"], answer["return_reason"], answer["case_id"]) == (
        "returned",
        reason,
        None,
    )


def test_the_list_filters_by_status_and_reference_in_pages(api, registrar):
    ids = [api.post(URL, body(external_ref=f"ZW-{i}")).json()["id"] for i in range(3)]
    submission_return(actor=registrar, submission_id=ids[0], reason="投诉，请拨打12345。")
    listed = api.get(URL, {"page_size": 2}).json()
    assert listed["count"] == 3 and len(listed["results"]) == 2 and listed["next"]
    assert [s["id"] for s in listed["results"]] == [ids[2], ids[1]]  # newest first
    pending = api.get(URL, {"status": "pending"}).json()
    assert sorted(s["id"] for s in pending["results"]) == sorted(ids[1:])
    one = api.get(URL, {"external_ref": "ZW-1"}).json()
    assert [s["id"] for s in one["results"]] == [ids[1]]
    wrong = api.get(URL, {"status": "lost"})
    assert wrong.status_code == 422 and "status" in wrong.json()["fields"]


def test_another_agencys_submission_is_not_found(api, other_api):
    created = api.post(URL, body()).json()
    assert other_api.get(f"{URL}{created['id']}/").status_code == 404
    assert other_api.get(URL).json()["count"] == 0
    assert api.get(f"{URL}99999999999999999999/").status_code == 404


@pytest.mark.parametrize(
    ("scopes", "get", "post"),
    [
        (["requests:write"], 200, 201),
        (["requests:read"], 200, 403),
        (["documents:write"], 403, 403),
    ],
)
def test_scopes(make_client, agency, scopes, get, post):
    caller = Caller(make_client(agency, scopes=scopes)[1])
    assert caller.get(URL).status_code == get
    response = caller.post(URL, body())
    assert response.status_code == post
    if post == 403:
        assert "requests:write" in response.json()["message"]


def test_without_a_token_nothing_is_shown(anonymous, api):
    created = api.post(URL, body()).json()
    assert anonymous.get(URL).status_code == 401
    assert anonymous.get(f"{URL}{created['id']}/").status_code == 401
    assert anonymous.post(URL, body()).status_code == 401


def test_confirming_is_not_an_api_call(api):
    created = api.post(URL, body()).json()
    assert api.post(f"{URL}{created['id']}/", {}).status_code == 405
    assert api.put(f"{URL}{created['id']}/", {"status": "confirmed"}).status_code == 405
    assert api.delete(URL).status_code == 405
    assert OnlineSubmission.objects.get().status == "pending"


def test_the_case_arrives_the_day_submitted_and_is_received_the_day_confirmed(api, registrar):
    created = api.post(URL, body()).json()
    case = submission_confirm(actor=registrar, submission_id=created["id"], today=d("2026-03-04"))
    assert (case.arrival_date, case.receipt_date) == (d("2026-03-02"), d("2026-03-04"))
