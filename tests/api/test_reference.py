"""Reference data over the API: the client's own agency, its drafting units and catalogue items
(never another agency's), and the code lists (outcomes of DOMAIN §3.6, request and document
codes) taken from the code base's own definitions."""

import pytest

from attributes_app import rules
from attributes_app.models import Document, Publication
from attributes_app.services import CatalogueItemData, catalogue_item_save, drafting_unit_save
from requests_app.models import ClockEntry, InformationRequest
from requests_app.rules.outcomes import OUTCOMES
from tests.api.conftest import Caller
from tests.conftest import _persona
from workflow.clock import PAUSE_REASONS

pytestmark = pytest.mark.django_db

REFERENCE_URLS = [
    "/api/v1/reference/agency/",
    "/api/v1/reference/outcomes/",
    "/api/v1/reference/request-codes/",
    "/api/v1/reference/units/",
    "/api/v1/reference/catalogue-items/",
    "/api/v1/reference/document-codes/",
]


@pytest.fixture
def their_admin(django_user_model, other_agency):
    return _persona(django_user_model, "fenyang_admin", other_agency, "admin")


@pytest.fixture
def our_units(admin_user, agency):
    return [
        drafting_unit_save(actor=admin_user, agency=agency, name=name)
        for name in ("综合科", "法规科")
    ]


@pytest.fixture
def their_unit(their_admin, other_agency):
    return drafting_unit_save(actor=their_admin, agency=other_agency, name="汾阳综合科")


def _item(actor, agency, name, **changes):
    changes.setdefault("area", "财政预决算")
    changes.setdefault("first_level", "预决算公开")
    changes.setdefault("body", "县财政局")
    changes.setdefault("channels", ["website"])
    changes.setdefault("time_limit", "自信息形成或者变更之日起20个工作日内")
    data = CatalogueItemData(
        name=name,
        content=changes.pop("content", "年度预算、决算及说明"),
        legal_basis=changes.pop("legal_basis", "《中华人民共和国预算法》第十四条"),
        **changes,
    )
    return catalogue_item_save(actor=actor, agency=agency, data=data)


@pytest.mark.parametrize("url", REFERENCE_URLS)
def test_reference_lists_need_a_token(anonymous, url):
    response = anonymous.get(url)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("url", REFERENCE_URLS)
def test_reference_lists_need_the_reference_scope(make_client, agency, url):
    _, token = make_client(agency, scopes=["requests:read", "documents:write"])
    response = Caller(token).get(url)
    assert response.status_code == 403
    assert "reference:read" in response.json()["message"]


@pytest.mark.parametrize("url", REFERENCE_URLS)
def test_reference_lists_are_read_only(api, url):
    assert api.post(url, {}).status_code == 405


def test_own_agency_with_the_contacts_its_letters_use(api, agency):
    agency.office_name = "孝义市人民政府办公室政务公开科"
    agency.office_phone = "0358-7622000"
    agency.office_address = "山西省孝义市府前街1号"
    agency.office_postcode = "032300"
    agency.save()
    body = api.get("/api/v1/reference/agency/").json()
    assert body["code"] == "xiaoyi"
    assert body["name"] == "孝义市人民政府办公室"
    assert body["office_phone"] == "0358-7622000"
    assert body["office_address"] == "山西省孝义市府前街1号"
    assert body["office_postcode"] == "032300"
    assert body["reconsideration_organ"] == "孝义市人民政府"
    assert body["court"] == "孝义市人民法院"
    assert body["case_number_prefix"] == "孝政信申"
    assert body["at_risk_days"] == 5
    assert body["parent"] is None


def test_another_agencys_client_sees_only_its_own_agency(other_api):
    body = other_api.get("/api/v1/reference/agency/").json()
    assert body["code"] == "fenyang"
    assert "孝义" not in str(body)


def test_units_are_the_clients_own_agencys_only(api, other_api, our_units, their_unit):
    ours = api.get("/api/v1/reference/units/").json()
    assert ours["count"] == 2
    assert [u["name"] for u in ours["results"]] == ["法规科", "综合科"]
    assert {u["id"] for u in ours["results"]} == {u.pk for u in our_units}
    theirs = other_api.get("/api/v1/reference/units/").json()
    assert [u["name"] for u in theirs["results"]] == ["汾阳综合科"]
    assert not {u["id"] for u in theirs["results"]} & {u.pk for u in our_units}


def test_units_filter_by_active(api, our_units):
    retired = our_units[0]
    retired.active = False
    retired.save()
    body = api.get("/api/v1/reference/units/?active=false").json()
    assert [u["id"] for u in body["results"]] == [retired.pk]
    body = api.get("/api/v1/reference/units/?active=true").json()
    assert [u["id"] for u in body["results"]] == [our_units[1].pk]


def test_a_bad_filter_is_a_422_naming_the_field(api):
    response = api.get("/api/v1/reference/units/?active=maybe")
    assert response.status_code == 422
    assert response.json()["fields"]["active"][0].startswith("是否在用：")


def test_catalogue_items_are_the_clients_own_agencys_only(
    api, other_api, admin_user, their_admin, agency, other_agency
):
    item = _item(admin_user, agency, "财政预算决算", publication_days=10)
    _item(their_admin, other_agency, "汾阳财政预算决算")
    body = api.get("/api/v1/reference/catalogue-items/").json()
    assert body["count"] == 1
    listed = body["results"][0]
    assert listed == {
        "id": item.pk,
        "name": "财政预算决算",
        "content": "年度预算、决算及说明",
        "legal_basis": "《中华人民共和国预算法》第十四条",
        "default_attribute": "proactive",
        "publication_days": 10,
    }
    theirs = other_api.get("/api/v1/reference/catalogue-items/").json()
    assert [i["name"] for i in theirs["results"]] == ["汾阳财政预算决算"]


def test_catalogue_items_by_keyword_and_page(api, admin_user, agency):
    for name in ("财政预算决算", "重大建设项目", "财政专项资金"):
        _item(admin_user, agency, name)
    body = api.get("/api/v1/reference/catalogue-items/?q=财政&page_size=1").json()
    assert body["count"] == 2
    assert [i["name"] for i in body["results"]] == ["财政专项资金"]
    assert body["next"] is not None
    assert api.get("/api/v1/reference/catalogue-items/?page=9").status_code == 404


def test_outcome_codes_are_the_code_bases_own(api):
    body = api.get("/api/v1/reference/outcomes/").json()
    assert [o["code"] for o in body] == list(OUTCOMES)
    by_code = {o["code"]: o for o in body}
    # DOMAIN §3.6: a refusal under Art. 14 cites Art. 36(3) too and counts in row 三（三）1.
    secret = by_code["withheld_state_secret"]
    assert secret["basis"] == "第十四条"
    assert secret["refusal"] is True
    assert secret["report_row"] == "三（三）1"
    assert secret["report_row_label"] == "1.属于国家秘密"
    assert secret["family_label"] == "不予公开"
    assert any("第三十六条第（三）项" in article for article in secret["articles"])
    disclosed = by_code["disclosed"]
    assert disclosed["label"] == "予以公开"
    assert disclosed["basis"] == "第三十六条第（二）项"
    assert disclosed["refusal"] is False
    assert disclosed["report_row"] == "三（一）"
    assert by_code["abandoned_no_payment"]["report_row"] == "三（六）2"
    assert by_code["other"]["articles"] == []


def test_request_codes_are_the_models_choices(api):
    body = api.get("/api/v1/reference/request-codes/").json()
    R = InformationRequest
    assert body["channels"] == [{"code": c, "label": str(lbl)} for c, lbl in R.Channel.choices]
    assert {"code": "online", "label": "互联网"} in body["channels"]
    assert [c["code"] for c in body["id_types"]] == list(R.IdType.values)
    assert [c["code"] for c in body["forms"]] == list(R.Form.values)
    assert [c["code"] for c in body["deliveries"]] == list(R.Delivery.values)
    assert [c["code"] for c in body["stages"]] == list(R.Stage.values)
    assert [c["code"] for c in body["applicant_kinds"]] == ["person", "organization"]
    assert [c["code"] for c in body["clock_events"]] == list(ClockEntry.Kind.values)
    assert [c["code"] for c in body["pause_reasons"]] == list(PAUSE_REASONS)


def test_document_codes_are_the_rules_own(api):
    body = api.get("/api/v1/reference/document-codes/").json()
    assert [k["code"] for k in body["kinds"]] == list(Document.Kind.values)
    assert {"code": "proactive", "label": "主动公开", "mark": "（此件公开发布）"} in body[
        "attributes"
    ]
    grounds = {g["code"]: g for g in body["attribute_grounds"]}
    assert set(grounds) == set(rules.GROUNDS)
    # Art. 15 information may not be marked 依申请公开; Art. 19 is no ground for withholding.
    assert grounds["third_party"]["article"] == "第十五条"
    assert grounds["third_party"]["on_request"] is False
    assert grounds["limited_scope"]["withheld"] is False
    assert [c["code"] for c in body["secrecy"]] == list(Document.Secrecy.values)
    assert [c["code"] for c in body["publication_channels"]] == list(Publication.Channel.values)


def test_schema_documents_the_reference_and_calendar_endpoints(anonymous):
    schema = anonymous.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    for url in [*REFERENCE_URLS, "/api/v1/calendar/day/", "/api/v1/calendar/add/"]:
        assert "get" in paths[url]
    clock = paths["/api/v1/calendar/clock/"]["post"]
    assert "Idempotency-Key" in clock["description"]
    assert not any(p["name"] == "Idempotency-Key" for p in clock.get("parameters", []))
    # No token: an operation without "security" would inherit the schema's ClientToken.
    assert paths["/api/v1/calendar/day/"]["get"]["security"] == [{}]
