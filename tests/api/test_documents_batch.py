"""The batch push (``POST /api/v1/documents/batch/``): each item goes through the same
``document_upsert`` as a single push and is audited as one; per-item results (a refused item
keeps nothing of itself, the others are saved); once per Idempotency-Key (DOMAIN §4.1)."""

import pytest
from django.utils import timezone

from attributes_app.models import AttributeChange, Document
from attributes_app.services import drafting_unit_save
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db

BATCH = "/api/v1/documents/batch/"


@pytest.fixture
def unit(admin_user, agency):
    return drafting_unit_save(actor=admin_user, agency=agency, name="综合科")


def item(unit, external_id, **changes):
    values = {
        "external_id": external_id,
        "title": f"关于{external_id}的通知",
        "drafting_unit_id": unit.pk,
        "kind": "other",
        "attribute": "proactive",
    }
    values.update(changes)
    return values


def test_batch_registers_each_document_as_a_single_push_would(api, unit, api_client_and_token):
    response = api.post(BATCH, {"documents": [item(unit, "OA-1"), item(unit, "OA-2")]})
    assert response.status_code == 200, response.json()
    answer = response.json()
    assert (answer["created"], answer["updated"], answer["failed"]) == (2, 0, 0)
    assert [r["external_id"] for r in answer["results"]] == ["OA-1", "OA-2"]
    assert all(r["status"] == 201 and r["error"] is None for r in answer["results"])
    first = answer["results"][0]
    assert first["attribute_state"] == "proposed"
    single = api.get(f"/api/v1/documents/external/{first['external_id']}/")
    assert single["ETag"] == first["etag"]
    assert single.json()["id"] == first["id"]
    # Audited and in the history exactly as two single pushes: who, what, from, to.
    actor = api_client_and_token[0].user
    for action in ("document_registered", "attribute_propose"):
        events = AuditEvent.objects.filter(action=action, actor=actor)
        assert sorted(e.object_id for e in events) == sorted(
            str(pk) for pk in Document.objects.values_list("pk", flat=True)
        )
    change = AttributeChange.objects.filter(document__external_id="OA-1").get()
    assert (change.from_state, change.to_state, change.actor) == ("undetermined", "proposed", actor)


def test_update_in_a_batch_needs_the_etag(api, unit):
    created = api.post(BATCH, {"documents": [item(unit, "OA-1")]}).json()["results"][0]
    stale = api.post(BATCH, {"documents": [item(unit, "OA-1", title="改了标题")]}).json()
    assert stale["results"][0]["status"] == 428
    assert stale["results"][0]["error"]["code"] == "precondition_required"
    changed = item(unit, "OA-1", title="改了标题", if_match=created["etag"])
    answer = api.post(BATCH, {"documents": [changed]}).json()
    assert answer["updated"] == 1
    assert api.get(f"/api/v1/documents/{answer['results'][0]['id']}/").json()["title"] == "改了标题"
    again = api.post(BATCH, {"documents": [{**changed, "title": "再改"}]}).json()
    assert again["results"][0]["status"] == 412  # the ETag of the first version is stale
    assert Document.objects.get().title == "改了标题"


def test_a_refused_item_keeps_nothing_and_the_others_are_saved(api, unit):
    today = timezone.localdate().isoformat()
    refused = item(unit, "OA-2", attribute=None, secrecy="non_secret", issued_on=today)
    invalid = item(unit, "OA-3", attribute="on_request")  # no reasons, no ground
    response = api.post(BATCH, {"documents": [item(unit, "OA-1"), refused, invalid]})
    assert response.status_code == 200
    answer = response.json()
    assert (answer["created"], answer["failed"]) == (1, 2)
    statuses = [(r["status"], r["error"] and r["error"]["code"]) for r in answer["results"]]
    assert statuses == [(201, None), (422, "issue_refused"), (422, "invalid")]
    assert "不予发文" in answer["results"][1]["error"]["message"]
    assert answer["results"][2]["error"]["fields"]
    assert list(Document.objects.values_list("external_id", flat=True)) == ["OA-1"]
    # 不予发文 is recorded although the item was not saved, as for a single push.
    assert AuditEvent.objects.filter(action="document_issue_refused").count() == 1


def test_batch_runs_once_per_idempotency_key(api, unit):
    body = {"documents": [item(unit, "OA-1")]}
    first = api.post(BATCH, body, key="batch-1")
    second = api.post(BATCH, body, key="batch-1")
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Document.objects.count() == 1
    assert api.post(BATCH, body, key=None).status_code == 428


def test_batch_refuses_duplicates_too_many_and_bad_types(api, unit):
    twice = api.post(BATCH, {"documents": [item(unit, "OA-1"), item(unit, "OA-1")]})
    assert twice.status_code == 422
    assert "重复" in twice.json()["message"]
    many = api.post(BATCH, {"documents": [item(unit, f"OA-{n}") for n in range(101)]})
    assert many.status_code == 422
    assert "最多推送100份" in many.json()["message"]
    empty = api.post(BATCH, {"documents": []})
    assert empty.status_code == 422
    nul = api.post(BATCH, {"documents": [item(unit, "OA-\x00")]})
    assert nul.status_code == 422
    assert not Document.objects.exists()


def test_batch_updates_stored_documents_and_registers_new_ones_together(api, unit):
    first = api.post(BATCH, {"documents": [item(unit, "OA-1"), item(unit, "OA-2")]}).json()
    etags = {r["external_id"]: r["etag"] for r in first["results"]}
    documents = [
        item(unit, "OA-1", title="改了标题", if_match=etags["OA-1"]),
        item(unit, "OA-3"),
        item(unit, "OA-2", title="也改了", if_match='"stale"'),
    ]
    answer = api.post(BATCH, {"documents": documents}).json()
    assert [r["status"] for r in answer["results"]] == [200, 201, 412]
    titles = dict(Document.objects.values_list("external_id", "title"))
    assert titles == {"OA-1": "改了标题", "OA-2": "关于OA-2的通知", "OA-3": "关于OA-3的通知"}
    updated = AuditEvent.objects.filter(action="document_updated").get()
    assert updated.data["changed"] == {"title": "改了标题"}
    assert api.get("/api/v1/documents/external/OA-1/")["ETag"] == answer["results"][0]["etag"]


def test_batch_needs_documents_write_and_stays_in_the_agency(
    make_client, agency, other_api, unit, anonymous
):
    from tests.api.conftest import Caller

    reader = Caller(make_client(agency, name="只读OA", scopes=["documents:read"])[1])
    assert reader.post(BATCH, {"documents": [item(unit, "OA-1")]}).status_code == 403
    assert anonymous.post(BATCH, {"documents": [item(unit, "OA-1")]}).status_code == 401
    # Another agency's client cannot put documents into our drafting unit.
    answer = other_api.post(BATCH, {"documents": [item(unit, "OA-1")]}).json()
    assert answer["results"][0]["status"] == 422
    assert not Document.objects.exists()


def test_batch_takes_few_queries_per_document(api, unit, django_assert_max_num_queries):
    documents = [item(unit, f"OA-{n}") for n in range(10)]
    with django_assert_max_num_queries(10 * 10 + 10):
        response = api.post(BATCH, {"documents": documents})
    assert response.json()["created"] == 10
