"""Reading cases through the API (``requests:read``): the case list filters as the case list page
does, the detail's clock is the case page's, letters and uploads download as their files, and
another agency's ids, a missing scope and hostile query strings get clear 4xx answers."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from requests_app.clock_sync import sync_clock
from requests_app.models import CaseDocument, InformationRequest
from requests_app.services import (
    Proposal,
    decision_propose,
    request_accept,
    request_register,
    request_upload,
)
from requests_app.services.challenges import challenge_record
from tests.api.conftest import Caller
from tests.conftest import d
from tests.requests_app import files as f
from tests.requests_app.test_challenges import reconsideration
from tests.requests_app.test_uploads import serve, to_serve

pytestmark = pytest.mark.django_db

LIST = "/api/v1/requests/"
REG = "《中华人民共和国政府信息公开条例》"


def detail_url(case) -> str:
    return f"/api/v1/requests/{case.pk}/"


def letter_url(case, letter, fmt="pdf") -> str:
    return f"/api/v1/requests/{case.pk}/letters/{letter.pk}/{fmt}"


def document_url(case, document) -> str:
    return f"/api/v1/requests/{case.pk}/documents/{document.pk}/"


def receipt_of(case) -> CaseDocument:
    return CaseDocument.objects.get(request=case, letter_kind="receipt")


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def cases(agency, registrar, handler, office_head, walk_in):
    """Six cases of the agency, of every kind the filters tell apart: received on different
    days, a person's and an organisation's, by post and in person, one accepted, one answered
    and challenged (有复议), one whose applicant is searched for by name."""
    made = {}
    made["first"] = request_register(
        actor=registrar, agency=agency, data=walk_in(), today=d("2026-03-02")
    )
    made["organisation"] = request_register(
        actor=registrar,
        agency=agency,
        data=walk_in(
            applicant_kind="organization",
            organization_kind="business",
            applicant_name="孝义市宏达建材有限公司",
            id_type="",
            id_number="",
            credit_code="91140000MA0GRXXH89",
            legal_representative="王宏达",
            arrival_date=d("2026-03-04"),
            receipt_date=d("2026-03-04"),
        ),
        today=d("2026-03-04"),
    )
    made["posted"] = request_register(
        actor=registrar,
        agency=agency,
        data=walk_in(
            channel="registered_post",
            applicant_name="李秀英",
            id_type="passport",
            id_number="E12345671",
            arrival_date=d("2026-03-05"),
            receipt_date=d("2026-03-05"),
        ),
        today=d("2026-03-05"),
    )
    made["accepted"] = request_register(
        actor=registrar,
        agency=agency,
        data=walk_in(applicant_name="王建国", id_type="passport", id_number="E12345672"),
        today=d("2026-03-02"),
    )
    request_accept(actor=handler, case_id=made["accepted"].pk, today=d("2026-03-03"))
    made["challenged"] = request_register(
        actor=registrar,
        agency=agency,
        data=walk_in(applicant_name="赵丽", id_type="passport", id_number="E12345673"),
        today=d("2026-03-02"),
    )
    to_serve(made["challenged"], handler, office_head)
    serve(made["challenged"], registrar)
    challenge_record(
        actor=office_head,
        case_id=made["challenged"].pk,
        data=reconsideration(),
        today=d("2026-06-30"),
    )
    made["late"] = request_register(
        actor=registrar,
        agency=agency,
        data=walk_in(
            applicant_name="陈志强",
            id_type="passport",
            id_number="E12345674",
            arrival_date=d("2026-01-05"),
            receipt_date=d("2026-01-05"),
        ),
        today=d("2026-03-02"),
    )
    return {name: InformationRequest.objects.get(pk=case.pk) for name, case in made.items()}


def api_ids(api, query: str) -> list[int]:
    response = api.get(f"{LIST}?{query}")
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["results"]]


def page_ids(client, query: str) -> list[int]:
    response = client.get(f"{reverse('requests:cases:index')}?{query}")
    assert response.status_code == 200
    return [case.pk for case in response.context["page"].object_list]


QUERIES = [
    "show=all",
    "show=open",
    "show=closed",
    "show=all&stage=propose",
    "show=all&stage=accept",
    "show=all&flags=overdue",
    "show=all&flags=overdue&flags=at_risk",
    "show=all&outcome=open",
    "show=all&outcome=disclosed",
    "show=all&applicant_kind=organization",
    "show=all&channel=registered_post",
    "show=all&received_from=2026-03-03&received_to=2026-03-05",
    "show=all&received_to=2026-03-02",
    "challenged=on",
    "show=all&q=李秀英",
    "show=all&q=赵丽",
    "show=all&q=〔2026〕3",
    "show=all&handler=none",
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_list_filters_as_the_case_list_page_does(cases, api, client, registrar, query):
    client.force_login(registrar)
    expected = page_ids(client, query)
    assert api_ids(api, query) == expected


def test_the_filters_narrow_the_list(cases, api):
    """The comparison above is not a comparison of empty lists."""
    assert set(api_ids(api, "show=all")) == {case.pk for case in cases.values()}
    assert api_ids(api, "show=all&stage=propose") == [cases["accepted"].pk]
    assert api_ids(api, "challenged=true") == [cases["challenged"].pk]
    assert api_ids(api, "show=all&q=李秀英") == [cases["posted"].pk]
    assert api_ids(api, "show=all&applicant_kind=organization") == [cases["organisation"].pk]


def test_the_list_shows_every_case_unless_asked(cases, api):
    # The page opens on the open cases; a system polling for changes needs the finished too.
    assert api_ids(api, "") == api_ids(api, "show=all")


def test_the_handler_filter_names_the_handler(cases, api, handler):
    handled = set(api_ids(api, f"show=all&handler={handler.pk}"))
    assert handled == {cases["accepted"].pk, cases["challenged"].pk}


def test_year_and_updated_since(cases, api):
    assert len(api_ids(api, "year=2026")) == len(cases)
    assert api_ids(api, "year=2025") == []
    touched = cases["organisation"]
    later = InformationRequest.objects.order_by("-updated_at").values_list("updated_at", flat=True)
    InformationRequest.objects.filter(pk=touched.pk).update(updated_at=later[0].replace(year=2027))
    assert api_ids(api, "updated_since=2027-01-01T00:00:00%2B08:00") == [touched.pk]


def test_polling_finds_the_cases_whose_stage_changed(
    case, api, agency, registrar, walk_in, handler
):
    other = request_register(actor=registrar, agency=agency, data=walk_in(), today=d("2026-03-03"))
    since = timezone.now()
    assert api_ids(api, f"updated_since={quote(since.isoformat())}") == []
    request_accept(actor=handler, case_id=case.pk, today=d("2026-03-04"))
    polled = api.get(f"{LIST}?updated_since={quote(since.isoformat())}").json()["results"]
    assert [(item["id"], item["stage"]) for item in polled] == [(case.pk, "propose")]
    assert other.pk in api_ids(api, "")


def test_a_list_item_has_the_clock_and_no_personal_data(cases, api):
    [item] = api.get(f"{LIST}?stage=propose").json()["results"]
    case = cases["accepted"]
    assert item["case_number"] == case.case_number
    assert (item["stage"], item["stage_label"]) == ("propose", "提出办理意见")
    assert (item["applicant_kind"], item["applicant_kind_label"]) == ("person", "自然人")
    assert item["receipt_date"] == "2026-03-02"
    assert item["due_date"] == case.due_date.isoformat()
    assert item["days_left"] == case.days_left
    assert (item["paused"], item["overdue"], item["at_risk"]) == (
        case.paused,
        case.overdue,
        case.at_risk,
    )
    assert item["url"].endswith(detail_url(case))
    text = str(item)
    for personal in ("王建国", case.id_number, "13800000000", "zhang@example.com"):
        assert personal not in text


def test_the_list_is_paginated(cases, api):
    first = api.get(f"{LIST}?page_size=2").json()
    assert first["count"] == len(cases)
    assert len(first["results"]) == 2
    assert "page=2" in first["next"]
    pages = [first["results"]] + [
        api.get(f"{LIST}?page_size=2&page={n}").json()["results"] for n in (2, 3)
    ]
    ids = [item["id"] for page in pages for item in page]
    assert ids == api_ids(api, "show=all")


# -- the detail -------------------------------------------------------------------------------


def test_the_detail_clock_is_the_case_page_clock(cases, api, client, registrar):
    case = cases["late"]  # received in January: overdue, with its explanation
    client.force_login(registrar)
    page = client.get(reverse("requests:cases:detail", args=[case.pk])).context
    data = api.get(detail_url(case)).json()
    shown = page["case"]
    clock = data["clock"]
    assert clock["due_date"] == shown.due_date.isoformat()
    assert clock["days_left"] == shown.days_left
    assert clock["overdue"] is shown.overdue is True
    assert (clock["paused"], clock["provisional"], clock["at_risk"]) == (
        shown.paused,
        shown.provisional,
        shown.at_risk,
    )
    assert clock["explanation"] == shown.clock_explanation
    assert clock["explanation"]  # the page explains the clock: so does the API
    assert [e["on"] for e in clock["events"]] == [e.on.isoformat() for e in page["clock_entries"]]
    assert [e["label"] for e in data["events"]] == [item.label for item in page["timeline"]]
    assert data["stage_label"] == shown.get_stage_display()


def test_the_detail_withholds_internal_opinions_and_personal_data(case, api, handler):
    request_accept(actor=handler, case_id=case.pk, today=d("2026-03-03"))
    decision_propose(
        actor=handler,
        case_id=case.pk,
        proposal=Proposal(
            outcome="disclosed",
            articles=[f"{REG}第三十六条第（二）项"],
            reason="内部讨论：建议全部公开",
        ),
        today=d("2026-03-04"),
    )
    data = api.get(detail_url(case)).json()
    events = {e["action"]: e for e in data["events"]}
    assert events["decision_proposed"]["reason"] is None
    assert events["request_registered"]["reason"]  # the registration's facts are not opinions
    assert events["request_accepted"]["actor_kind"] == "officer"
    assert events["request_accepted"]["actor_name"] == ""
    text = str(data)
    for personal in ("张明华", case.id_number, "13800000000", "zhang@example.com", "内部讨论"):
        assert personal not in text


def test_the_detail_lists_letters_and_uploads_with_their_links(case, api, registrar):
    request_upload(
        actor=registrar,
        case_id=case.pk,
        kind="application",
        files=[f.upload("申请书.pdf", f.pdf(1))],
    )
    request_upload(
        actor=registrar,
        case_id=case.pk,
        kind="id_proof",
        files=[f.upload("身份证.png", f.image("PNG"))],
    )
    data = api.get(detail_url(case)).json()
    receipt = receipt_of(case)
    [letter] = data["letters"]
    assert letter["id"] == receipt.pk
    assert letter["letter_kind"] == "receipt"
    assert letter["number"] == receipt.number == "孝政信申〔2026〕1号"
    assert letter["issued_on"] == timezone.localtime(receipt.created_at).date().isoformat()
    assert letter["pdf_url"].endswith(letter_url(case, receipt))
    assert letter["docx_url"].endswith(letter_url(case, receipt, "docx"))
    # Identity documents are personal data an interface does not need (PIPL Art. 28).
    assert [u["kind"] for u in data["uploads"]] == ["application"]
    assert data["uploads"][0]["original_name"] == "申请书.pdf"
    assert data["submission"] is None


def test_the_detail_has_a_strong_etag_and_answers_304(case, api, handler):
    first = api.get(detail_url(case))
    etag = first["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first["Cache-Control"] == "private, no-cache"  # never kept by a shared cache
    again = api.get(detail_url(case), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert not again.content
    # The daily clock refresh changes what is shown: a new ETag.
    sync_clock(InformationRequest.objects.get(pk=case.pk), today=d("2026-03-20"))
    refreshed = api.get(detail_url(case), HTTP_IF_NONE_MATCH=etag)
    assert refreshed.status_code == 200
    assert refreshed["ETag"] != etag
    # So does a step.
    request_accept(actor=handler, case_id=case.pk, today=d("2026-03-20"))
    stepped = api.get(detail_url(case), HTTP_IF_NONE_MATCH=refreshed["ETag"])
    assert stepped.status_code == 200
    assert stepped.json()["stage"] == "propose"


# -- files ----------------------------------------------------------------------------------------


def test_letters_download_as_real_pdf_and_docx(case, api):
    receipt = receipt_of(case)
    pdf = api.get(letter_url(case, receipt), HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert body(pdf).startswith(b"%PDF-")
    docx = api.get(letter_url(case, receipt, "docx"))
    assert docx.status_code == 200
    assert body(docx).startswith(b"PK\x03\x04")
    assert "attachment" in docx["Content-Disposition"]
    assert docx["X-Content-Type-Options"] == "nosniff"


def test_an_upload_downloads_as_uploaded(case, api, registrar):
    data = f.pdf(2)
    [document] = request_upload(
        actor=registrar, case_id=case.pk, kind="application", files=[f.upload("申请书.pdf", data)]
    )
    response = api.get(document_url(case, document))
    assert response.status_code == 200
    assert body(response) == data
    assert response["Content-Type"] == "application/pdf"


def test_identity_documents_are_not_served(case, api, registrar):
    [proof] = request_upload(
        actor=registrar,
        case_id=case.pk,
        kind="id_proof",
        files=[f.upload("身份证.png", f.image("PNG"))],
    )
    assert api.get(document_url(case, proof)).status_code == 404


def test_a_letter_is_not_served_as_an_upload_nor_an_upload_as_a_letter(case, api, registrar):
    [upload] = request_upload(
        actor=registrar, case_id=case.pk, kind="application", files=[f.upload("a.pdf", f.pdf())]
    )
    assert api.get(document_url(case, receipt_of(case))).status_code == 404
    assert api.get(letter_url(case, upload)).status_code == 404


# -- who may read ---------------------------------------------------------------------------------


@pytest.fixture
def theirs(other_agency, outsider, walk_in):
    """A case of another agency, registered by its own officer."""
    from django.contrib.auth.models import Group

    outsider.groups.add(Group.objects.get_or_create(name="registrar")[0])
    outsider._gongkai_roles = None
    return request_register(
        actor=outsider, agency=other_agency, data=walk_in(), today=d("2026-03-02")
    )


def test_another_agencys_ids_are_404_everywhere(case, theirs, api, other_api):
    ours_letter, their_letter = receipt_of(case), receipt_of(theirs)
    for url in (
        detail_url(theirs),
        letter_url(theirs, their_letter),
        letter_url(theirs, their_letter, "docx"),
        letter_url(case, their_letter),  # their letter under our case's id
        f"/api/v1/requests/{theirs.pk}/documents/{their_letter.pk}/",
    ):
        response = api.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    # And the other agency's client sees nothing of ours.
    assert other_api.get(detail_url(case)).status_code == 404
    assert other_api.get(letter_url(case, ours_letter)).status_code == 404
    assert [i["id"] for i in other_api.get(LIST).json()["results"]] == [theirs.pk]
    # Both applicants are named 张明华: a search finds only the client's own agency's case.
    assert [i["id"] for i in api.get(f"{LIST}?q=张明华").json()["results"]] == [case.pk]


def test_a_letter_of_another_case_of_ours_is_404_under_this_case(
    case, api, agency, registrar, walk_in
):
    other = request_register(actor=registrar, agency=agency, data=walk_in(), today=d("2026-03-03"))
    assert api.get(letter_url(case, receipt_of(other))).status_code == 404
    assert api.get(letter_url(other, receipt_of(other))).status_code == 200


def test_a_client_without_requests_read_gets_403(case, make_client, agency):
    _, token = make_client(agency, scopes=["documents:read"])
    caller = Caller(token)
    receipt = receipt_of(case)
    for url in (LIST, detail_url(case), letter_url(case, receipt), document_url(case, receipt)):
        response = caller.get(url)
        assert response.status_code == 403, url
        assert "requests:read" in response.json()["message"]


def test_no_token_is_401(case, anonymous):
    assert anonymous.get(LIST).status_code == 401
    assert anonymous.get(detail_url(case)).status_code == 401


def test_the_endpoints_only_read(case, api):
    for url in (LIST, detail_url(case), letter_url(case, receipt_of(case))):
        assert api.post(url, {}).status_code == 405, url
        assert api.delete(url).status_code == 405, url


# -- hostile input --------------------------------------------------------------------------------

HOSTILE = [
    "q=%00",
    "stage=%00propose",
    "a%00b=1",
    "page=0",
    "page=-1",
    "page=abc",
    "page=99999999999999999999999",
    "page=" + "9" * 5000,
    "page_size=1000000000",
    "page_size=0",
    "page_size=-5",
    "page_size=abc",
    "received_from=2026-02-30",
    "received_from=yesterday",
    "received_from=2026-03-05&received_to=2026-03-01",
    "updated_since=notatime",
    "updated_since=2026-13-01T00:00:00",
    "year=abc",
    "year=99999",
    "stage=<script>alert(1)</script>",
    "q=<script>alert(1)</script>",
    "q=" + "长" * 5000,
    "flags=bogus",
    "handler=999999999",
    "handler=<b>",
    "show=everything",
    "challenged=maybe",
    "outcome=%3Cimg%20src%3Dx%3E",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_query_strings_are_4xx_or_empty_never_500(case, api, query):
    response = api.get(f"{LIST}?{query}")
    assert response.status_code < 500, response.content[:300]
    data = response.json()
    if response.status_code >= 400:
        assert data["message"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in data["message"]), data
        # JSON, never a page: a value echoed in a message is text for the caller to escape.
        assert response["Content-Type"] == "application/json"
    else:
        assert len(data["results"]) <= 200


def test_a_bad_filter_names_its_field(case, api):
    response = api.get(f"{LIST}?received_from=2026-02-30&stage=bogus&year=x")
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert fields["received_from"][0].startswith("收到申请之日（起）：")
    assert fields["stage"][0].startswith("办理阶段：")
    assert fields["year"][0].startswith("登记年度")


def test_a_page_past_the_end_says_how_many_pages(case, api):
    response = api.get(f"{LIST}?page=7")
    assert response.status_code == 404
    assert response.json()["message"] == "没有这一页：共 1 页。"


def test_a_huge_page_size_is_capped(case, api):
    response = api.get(f"{LIST}?page_size=1000000000")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_hostile_ids_are_404(case, api):
    for url in (
        f"/api/v1/requests/{10**30}/",
        f"/api/v1/requests/{case.pk}/letters/{10**30}/pdf",
        f"/api/v1/requests/{case.pk}/documents/{10**30}/",
        "/api/v1/requests/%00/",
    ):
        assert api.get(url).status_code == 404, url


# -- queries --------------------------------------------------------------------------------------


def test_the_list_reads_a_bounded_number_of_queries_whatever_the_page_size(
    agency, registrar, walk_in, api, django_assert_max_num_queries
):
    for day in range(2, 27):
        request_register(
            actor=registrar,
            agency=agency,
            data=walk_in(arrival_date=d(f"2026-03-{day:02}"), receipt_date=d(f"2026-03-{day:02}")),
            today=d(f"2026-03-{day:02}"),
        )
    api.get(LIST)  # the client's last use is written once a minute: not in the count below
    for size in (1, 25, 200):
        with django_assert_max_num_queries(4):
            response = api.get(f"{LIST}?page_size={size}&flags=overdue&flags=at_risk&q=张明华")
        assert response.status_code == 200


def test_the_detail_reads_a_bounded_number_of_queries(
    case, api, registrar, django_assert_max_num_queries
):
    for n in range(5):
        request_upload(
            actor=registrar,
            case_id=case.pk,
            kind="other",
            files=[f.upload(f"材料{n}.pdf", f.pdf())],
        )
    api.get(detail_url(case))
    with django_assert_max_num_queries(7):
        response = api.get(detail_url(case))
    assert len(response.json()["uploads"]) == 5


def test_list_items_have_exactly_the_documented_fields(case, api):
    from requests_app.api.requests import CaseItem

    [item] = api.get(LIST).json()["results"]
    assert set(item) == set(CaseItem().fields)


def test_a_count_past_the_bound_says_it_is_not_exact(agency, registrar, walk_in, api, monkeypatch):
    monkeypatch.setattr("workflow.pagination.COUNT_LIMIT", 2)
    for day in (2, 3, 4, 5):
        day_ = d(f"2026-03-0{day}")
        request_register(
            actor=registrar,
            agency=agency,
            data=walk_in(arrival_date=day_, receipt_date=day_),
            today=day_,
        )
    first = api.get(f"{LIST}?page_size=1").json()
    assert (first["count"], first["count_exact"]) == (2, False)
    assert first["next"]
    last = api.get(f"{LIST}?page_size=1&page=4").json()
    assert (last["count"], last["count_exact"], last["next"]) == (4, True, None)


def test_the_reply_letter_says_when_it_was_served(case, api, handler, office_head, registrar):
    to_serve(case, handler, office_head)
    serve(case, registrar)  # served directly on 2026-03-06
    data = api.get(detail_url(case)).json()
    letters = {letter["letter_kind"]: letter for letter in data["letters"]}
    assert letters["reply"]["served_on"] == "2026-03-06"
    assert letters["reply"]["number"]  # a reply takes its own 文号
    assert letters["receipt"]["served_on"] is None
    assert data["clock"]["served_on"] == "2026-03-06"
    assert data["outcome"] == "disclosed"
    reply = CaseDocument.objects.get(pk=letters["reply"]["id"])
    assert body(api.get(letter_url(case, reply))).startswith(b"%PDF-")


def test_the_schema_documents_every_filter_of_the_page(anonymous):
    from requests_app.forms import CaseFilterForm

    schema = anonymous.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    operation = schema.json()["paths"]["/api/v1/requests/"]["get"]
    documented = {p["name"] for p in operation["parameters"]}
    # ``agency`` is for officers of several agencies; a client has one.
    assert set(CaseFilterForm.base_fields) - {"agency"} <= documented
    assert {"year", "updated_since", "page", "page_size"} <= documented
    pdf = schema.json()["paths"]["/api/v1/requests/{id}/letters/{letter_id}/pdf"]["get"]
    assert pdf["responses"]["200"]["content"]["application/pdf"]["schema"]["format"] == "binary"


def test_the_submission_hook_names_the_online_submission(case, api, monkeypatch):
    from requests_app.api import requests as requests_api

    monkeypatch.setattr(requests_api, "_submission_of", None)
    requests_api.register_submission_lookup(
        lambda c: {"id": 7, "submitted_at": c.created_at} if c.pk == case.pk else None
    )
    assert api.get(detail_url(case)).json()["submission"]["id"] == 7
