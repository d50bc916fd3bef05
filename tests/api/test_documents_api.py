"""The document API for OA: push by external id (create, update with If-Match, 412 when stale),
the drafting rules' refusals as 422 (不予发文: ``issue_refused``), reads, the list, the attribute
history and the final text; another agency's client sees nothing of ours (DOMAIN §4.1)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from attributes_app.models import Document
from attributes_app.services import drafting_unit_save
from tests.api.conftest import Caller
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def unit(admin_user, agency):
    return drafting_unit_save(actor=admin_user, agency=agency, name="综合科")


def url(external_id="OA-1"):
    return f"/api/v1/documents/external/{external_id}/"


def body(unit, **changes):
    values = {"title": "关于做好春季防火工作的通知", "drafting_unit_id": unit.pk, "kind": "other"}
    values.update(changes)
    return values


def created(api, unit, external_id="OA-1", **changes):
    response = api.put(url(external_id), body(unit, **changes))
    assert response.status_code == 201, response.json()
    return response


def upload(api, document_id, content=PDF, name="正文.pdf", **extra):
    return api.put(
        f"/api/v1/documents/{document_id}/text/",
        {"file": SimpleUploadedFile(name, content)},
        format="multipart",
        **extra,
    )


def test_push_creates_then_updates_with_if_match(api, unit, api_client_and_token):
    first = created(api, unit, number="孝政办发〔2026〕1号", drafter_name="王小明")
    data = first.json()
    assert data["external_id"] == "OA-1"
    assert data["external_system"] == "oa"
    assert data["number"] == "孝政办发〔2026〕1号"
    assert data["drafting_unit_name"] == "综合科"
    assert data["attribute_state"] == "undetermined"
    assert data["attribute_state_label"] == "未确定公开属性"
    assert data["links"]["self"].endswith(f"/api/v1/documents/{data['id']}/")
    etag = first["ETag"]

    second = api.put(url(), body(unit, title="新的标题"), HTTP_IF_MATCH=etag)
    assert second.status_code == 200, second.json()
    assert second.json()["id"] == data["id"]
    assert second.json()["title"] == "新的标题"
    assert second["ETag"] != etag
    event = AuditEvent.objects.get(action="document_updated")
    assert event.actor == api_client_and_token[0].user


def test_update_with_a_stale_etag_is_412_and_changes_nothing(api, unit):
    etag = created(api, unit)["ETag"]
    assert api.put(url(), body(unit, title="甲"), HTTP_IF_MATCH=etag).status_code == 200
    late = api.put(url(), body(unit, title="乙"), HTTP_IF_MATCH=etag)
    assert late.status_code == 412
    assert late.json()["code"] == "precondition_failed"
    assert Document.objects.get().title == "甲"


def test_update_without_if_match_is_428(api, unit):
    created(api, unit)
    response = api.put(url(), body(unit, title="甲"))
    assert response.status_code == 428
    assert "If-Match" in response.json()["fields"]


def test_if_none_match_star_creates_only(api, unit):
    first = api.put(url(), body(unit), HTTP_IF_NONE_MATCH="*")
    assert first.status_code == 201
    again = api.put(url(), body(unit, title="甲"), HTTP_IF_NONE_MATCH="*")
    assert again.status_code == 412
    assert Document.objects.get().title == "关于做好春季防火工作的通知"


def test_etag_of_get_is_accepted_for_update(api, unit):
    created(api, unit)
    read = api.get(url())
    assert read.status_code == 200
    response = api.put(url(), body(unit, title="甲"), HTTP_IF_MATCH=read["ETag"])
    assert response.status_code == 200


def test_on_request_without_reasons_is_422_naming_the_field(api, unit):
    # DOMAIN §4.1: on_request needs a written reason (未说明理由的不予发文).
    response = api.put(url(), body(unit, attribute="on_request", ground="internal_affairs"))
    assert response.status_code == 422
    answer = response.json()
    assert answer["code"] == "invalid"
    assert "理由" in answer["fields"]["reasons"][0]
    assert not Document.objects.exists()


def test_issue_without_attribute_is_issue_refused_and_audited(api, unit, api_client_and_token):
    # DOMAIN §4.1: issuing a document without a proposed attribute is refused (不予发文).
    today = timezone.localdate().isoformat()
    response = api.put(url(), body(unit, secrecy="non_secret", issued_on=today))
    assert response.status_code == 422
    answer = response.json()
    assert answer["code"] == "issue_refused"
    assert "不予发文" in answer["message"]
    assert "未提出公开属性建议" in answer["message"]
    refusal = AuditEvent.objects.get(action="document_issue_refused")
    assert refusal.actor == api_client_and_token[0].user
    assert refusal.reason == answer["message"]
    assert not Document.objects.exists()


def test_policy_document_non_proactive_reports_office_review(api, unit):
    response = api.put(
        url(),
        body(
            unit,
            kind="policy",
            attribute="withheld",
            reasons="涉及内部人事安排，属于内部事务信息",
            ground="internal_affairs",
            signed_on=timezone.localdate().isoformat(),
        ),
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["attribute_state"] == "office_review"
    assert data["attribute_state_label"] == "待政务公开工作机构审查"
    assert data["signed"] is False
    assert "政务公开工作机构" in data["next_step"]


def test_identical_push_twice_writes_no_second_audit_row(api, unit):
    values = body(unit, attribute="proactive", signed_on=timezone.localdate().isoformat())
    first = created(api, unit, **{k: v for k, v in values.items() if k != "title"})
    count = AuditEvent.objects.count()
    again = api.put(url(), values, HTTP_IF_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] == first["ETag"]
    assert AuditEvent.objects.count() == count


def test_full_journey_with_text_issue_and_history(api, unit, api_client_and_token):
    today = timezone.localdate().isoformat()
    values = body(unit, attribute="proactive", signed_on=today, secrecy="non_secret")
    first = created(api, unit, **{k: v for k, v in values.items() if k != "title"})
    document_id = first.json()["id"]
    assert first.json()["publication"]["due_on"]
    assert first.json()["publication"]["published"] is False

    text = upload(api, document_id)
    assert text.status_code == 200, text.json()
    assert text.json()["has_text"] is True

    issued = api.put(url(), {**values, "issued_on": today}, HTTP_IF_MATCH=text["ETag"])
    assert issued.status_code == 200, issued.json()
    assert issued.json()["issued_on"] == today

    history = api.get(f"/api/v1/documents/{document_id}/history/")
    assert history.status_code == 200
    rows = history.json()
    assert [(r["from_state"], r["to_state"]) for r in rows] == [
        ("undetermined", "proposed"),
        ("proposed", "awaiting_publication"),
    ]
    assert rows[0]["actor"] == {"type": "client", "name": api_client_and_token[0].name}
    assert rows[1]["source"] == "confirmation"
    assert rows[1]["source_label"] == "起草单位负责人确认（签发）"


def test_text_upload_uses_the_drafting_pages_checks(api, unit):
    document_id = created(api, unit).json()["id"]
    renamed = upload(api, document_id, content=b"MZ\x90\x00 not a pdf", name="正文.pdf")
    assert renamed.status_code == 422
    assert "file" in renamed.json()["fields"]
    empty = upload(api, document_id, content=b"", name="正文.pdf")
    assert empty.status_code == 422
    exe = upload(api, document_id, content=PDF, name="正文.exe")
    assert exe.status_code == 422
    assert "PDF" in exe.json()["fields"]["file"][0]


def test_text_upload_with_stale_if_match_is_412(api, unit):
    first = created(api, unit)
    api.put(url(), body(unit, title="甲"), HTTP_IF_MATCH=first["ETag"])
    response = upload(api, first.json()["id"], HTTP_IF_MATCH=first["ETag"])
    assert response.status_code == 412


def test_detail_and_list(api, unit):
    first = created(api, unit).json()
    created(api, unit, external_id="OA-2", attribute="proactive")
    detail = api.get(f"/api/v1/documents/{first['id']}/")
    assert detail.status_code == 200
    assert detail.json()["external_id"] == "OA-1"

    listing = api.get("/api/v1/documents/", {"attribute_state": "proposed"})
    assert listing.status_code == 200
    assert [d["external_id"] for d in listing.json()["results"]] == ["OA-2"]
    by_id = api.get("/api/v1/documents/", {"external_id": ["OA-1"]})
    assert [d["external_id"] for d in by_id.json()["results"]] == ["OA-1"]
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    assert api.get("/api/v1/documents/", {"updated_since": later}).json()["count"] == 0


def test_list_filters_are_checked(api):
    bad_state = api.get("/api/v1/documents/", {"attribute_state": "nonsense"})
    assert bad_state.status_code == 422
    assert "attribute_state" in bad_state.json()["fields"]
    bad_time = api.get("/api/v1/documents/", {"updated_since": "yesterday"})
    assert bad_time.status_code == 422
    assert "updated_since" in bad_time.json()["fields"]


def test_list_takes_few_queries(api, unit, django_assert_max_num_queries):
    for n in range(5):
        created(api, unit, external_id=f"OA-{n}", attribute="proactive")
    with django_assert_max_num_queries(6):
        response = api.get("/api/v1/documents/")
    assert response.json()["count"] == 5


def test_another_agencys_client_sees_and_changes_nothing_of_ours(api, other_api, unit):
    first = created(api, unit)
    document_id = first.json()["id"]
    assert other_api.get(f"/api/v1/documents/{document_id}/").status_code == 404
    assert other_api.get(f"/api/v1/documents/{document_id}/history/").status_code == 404
    assert other_api.get(url()).status_code == 404
    assert upload(other_api, document_id).status_code == 404
    assert other_api.get("/api/v1/documents/").json()["count"] == 0
    # Its own push of the same external id is its own document, and our unit is not its own.
    theirs = other_api.put(url(), body(unit))
    assert theirs.status_code == 422
    assert "drafting_unit_id" in theirs.json()["fields"]
    assert Document.objects.count() == 1


def test_read_only_client_cannot_write(make_client, agency, unit):
    reader = Caller(make_client(agency, scopes=["documents:read"], name="只读")[1])
    response = reader.put(url(), body(unit))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "documents:write" in response.json()["message"]
    assert reader.get("/api/v1/documents/").status_code == 200


def test_write_client_may_read(make_client, agency, unit):
    writer = Caller(make_client(agency, scopes=["documents:write"], name="只写")[1])
    created(writer, unit)
    assert writer.get(url()).status_code == 200
    assert writer.get("/api/v1/documents/").status_code == 200


def test_client_without_document_scopes_is_403(make_client, agency):
    other = Caller(make_client(agency, scopes=["requests:read"], name="申请")[1])
    assert other.get("/api/v1/documents/").status_code == 403


def test_anonymous_is_401(anonymous):
    assert anonymous.get("/api/v1/documents/").status_code == 401
    assert anonymous.put(url(), {}).status_code == 401


def test_post_is_not_offered(api):
    response = api.post("/api/v1/documents/", {})
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "标题\x00"}, "title"),
        ({"title": "长" * 10_000}, "title"),
        ({"reasons": "理" * 5000, "attribute": "on_request"}, "reasons"),
        ({"drafter_name": "名" * 500}, "drafter_name"),
        ({"number": "文" * 1000}, "number"),
        ({"kind": "<script>"}, "kind"),
        ({"formed_on": "2026-13-45"}, "formed_on"),
        ({"drafting_unit_id": 10**30}, "drafting_unit_id"),
        ({"drafting_unit_id": "abc"}, "drafting_unit_id"),
        ({"catalogue_item_id": -1}, "catalogue_item_id"),
        ({"signed": "maybe"}, "signed"),
        ({"title": {"nested": True}}, "title"),
        ({"law": "\x00", "attribute": "withheld"}, "law"),
    ],
)
def test_hostile_input_is_422_naming_the_field(api, unit, changes, field):
    response = api.put(url(), body(unit, **changes))
    assert response.status_code == 422, response.json()
    answer = response.json()
    assert field in answer["fields"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in answer["fields"][field][0])
    assert not Document.objects.exists()


@pytest.mark.parametrize("external_id", ["x" * 5000, "a%00b"])
def test_hostile_external_id_is_422(api, unit, external_id):
    response = api.put(url(external_id), body(unit))
    assert response.status_code == 422
    assert "external_id" in response.json()["fields"]
    assert api.get(url(external_id)).status_code == 422


def test_body_that_is_not_an_object_is_422(api):
    response = api.put(url(), ["not", "an", "object"])
    assert response.status_code == 422
    assert "JSON 对象" in response.json()["message"]


def test_markup_and_formula_text_is_kept_as_text(api, unit):
    title = '=cmd|" /C calc"!A0 <script>alert(1)</script>'
    response = api.put(url(), body(unit, title=title, drafter_name="<b>王</b>"))
    assert response.status_code == 201
    assert response.json()["title"] == title
    assert Document.objects.get().title == title


def test_invisible_characters_are_taken_out_of_titles(api, unit):
    response = api.put(url(), body(unit, title="通知\u202e\u200bfdp.exe"))
    assert response.status_code == 201
    assert response.json()["title"] == "通知fdp.exe"


def test_push_takes_a_bounded_number_of_queries(api, unit, django_assert_max_num_queries):
    values = body(unit, attribute="proactive", signed_on=timezone.localdate().isoformat())
    # Token, lock, register, propose, 签发: each service's own checks and audit event, and
    # one read of the agency's webhook endpoints for the whole push.
    with django_assert_max_num_queries(24):
        first = api.put(url(), values)
    with django_assert_max_num_queries(6):
        again = api.put(url(), values, HTTP_IF_MATCH=first["ETag"])
    assert again.status_code == 200


def test_classified_document_is_refused_with_the_services_message(api, unit):
    response = api.put(url(), body(unit, secrecy="classified"))
    assert response.status_code == 422
    assert "涉密文件不在本系统" in response.json()["fields"]["secrecy"][0]


def test_written_out_representation_matches_the_declared_fields(api, unit):
    # DocumentSerializer writes its fields out by hand (speed): the schema must still be true.
    from attributes_app.api.serializers import DocumentSerializer, PublicationSummarySerializer

    today = timezone.localdate().isoformat()
    data = created(api, unit, attribute="proactive", signed_on=today).json()
    assert set(data) == set(DocumentSerializer().fields)
    assert set(data["publication"]) == set(PublicationSummarySerializer().fields)
    document = Document.objects.get()
    declared = DocumentSerializer().fields
    for name in ("confirmed_at", "created_at", "updated_at", "formed_on", "kind_label"):
        field = declared[name]
        assert data[name] == field.to_representation(field.get_attribute(document)), name


def test_too_big_a_body_is_413(api, unit):
    response = api.put(url(), body(unit, title="长" * 3_000_000))
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert not Document.objects.exists()


def test_if_match_for_a_document_never_pushed_is_412(api, unit):
    response = api.put(url(), body(unit), HTTP_IF_MATCH='"abc"')
    assert response.status_code == 412
    assert not Document.objects.exists()


# -- the permission matrix of the document endpoints -----------------------------------------

READ_ONLY, WRITE_ONLY, NO_DOCUMENTS = ["documents:read"], ["documents:write"], ["requests:read"]


def _calls(document_id, unit):
    return {
        "list": lambda c: c.get("/api/v1/documents/"),
        "detail": lambda c: c.get(f"/api/v1/documents/{document_id}/"),
        "history": lambda c: c.get(f"/api/v1/documents/{document_id}/history/"),
        "external": lambda c: c.get(url()),
        "push": lambda c: c.put(url(), body(unit, title="改"), HTTP_IF_MATCH="*"),
        "text": lambda c: upload(c, document_id),
    }


MATRIX = {
    # caller: (list, detail, history, external, push, text)
    "anonymous": (401, 401, 401, 401, 401, 401),
    "no_documents": (403, 403, 403, 403, 403, 403),
    "read_only": (200, 200, 200, 200, 403, 403),
    "write_only": (200, 200, 200, 200, 200, 200),
    "other_agency": (200, 404, 404, 404, 412, 404),  # If-Match: * names nothing of theirs
}


@pytest.mark.parametrize("caller", MATRIX)
def test_permission_matrix(caller, api, other_api, anonymous, make_client, agency, unit):
    document_id = created(api, unit).json()["id"]
    callers = {
        "anonymous": anonymous,
        "no_documents": Caller(make_client(agency, scopes=NO_DOCUMENTS, name="申请")[1]),
        "read_only": Caller(make_client(agency, scopes=READ_ONLY, name="只读")[1]),
        "write_only": Caller(make_client(agency, scopes=WRITE_ONLY, name="只写")[1]),
        "other_agency": other_api,
    }
    client = callers[caller]
    got = tuple(call(client).status_code for call in _calls(document_id, unit).values())
    assert got == MATRIX[caller]
    if caller == "other_agency":
        assert other_api.get("/api/v1/documents/").json()["count"] == 0
    if caller != "write_only":
        assert Document.objects.get().title == "关于做好春季防火工作的通知"
