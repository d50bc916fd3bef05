"""The website CMS's endpoints (DOMAIN §4.2): publishing closes the deadline, a takedown opens it
again, the policy interpretation; the work list; scopes, agencies and hostile input."""

import pytest
import time_machine

from attributes_app.models import AttributeChange
from attributes_app.services import (
    DocumentData,
    document_register,
    drafting_unit_save,
    secrecy_review_record,
)
from tests.api.conftest import Caller
from tests.attributes_app.helpers import INTERNAL, confirmed, fresh, issued
from tests.conftest import _persona
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db
URL = "https://www.xiaoyi.gov.cn/zwgk/2026/0305/1.html"
NEW_URL = "https://www.xiaoyi.gov.cn/zwgk/2026/0305/2.html"


def on(day: str, hour: str = "10:00"):
    return time_machine.travel(f"{day} {hour} +0800", tick=False)


def publication_url(document) -> str:
    return f"/api/v1/documents/{document.pk}/publication/"


def withdrawal_url(document) -> str:
    return f"/api/v1/documents/{document.pk}/publication/withdrawal/"


def interpretation_url(document) -> str:
    return f"/api/v1/documents/{document.pk}/interpretation/"


@pytest.fixture
def drafter(django_user_model, agency):
    return _persona(django_user_model, "drafter", agency, "drafter")


@pytest.fixture
def unit_head(django_user_model, agency):
    return _persona(django_user_model, "unit_head", agency, "drafting_unit_head")


@pytest.fixture
def unit(admin_user, agency, drafter, unit_head):
    return drafting_unit_save(
        actor=admin_user, agency=agency, name="综合科", members=[drafter], heads=[unit_head]
    )


@pytest.fixture
def draft(drafter, agency, unit):
    def make(**changes):
        values = {
            "title": "关于做好2026年城区老旧小区改造工作的通知",
            "drafting_unit_id": unit.pk,
            "kind": "other",
        }
        values.update(changes)
        return document_register(actor=drafter, agency=agency, data=DocumentData(**values))

    return make


@pytest.fixture
def publishable(draft, drafter, unit_head, secrecy_reviewer):
    """Proposed proactive, confirmed and issued on Tuesday 2026-02-10, cleared by the secrecy
    review: due 2026-03-16 (Art. 26, 20 working days over the Spring Festival: 15–23 February
    off, 14 and 28 February working days), through the real services."""

    def make(day="2026-02-10", **changes):
        with on(day):
            document = issued(draft(**changes), drafter=drafter, head=unit_head)
            secrecy_review_record(
                actor=secrecy_reviewer,
                document_id=document.pk,
                conclusion="cleared",
                opinion="经审查，不涉及国家秘密和工作秘密，同意公开。",
            )
        return fresh(document)

    return make


@pytest.fixture
def document(publishable):
    return publishable()


def publish(api, document, day="2026-03-05", key="", **body):
    body = {"url": URL, "channel": "portal", **body}
    with on(day):
        return api.post(publication_url(document), body, key=key)


# -- publication closes the deadline ----------------------------------------------------------


def test_the_obligation_is_read_with_its_deadline_by_the_real_calendar(api, document):
    with on("2026-03-05"):
        response = api.get(publication_url(document))
    assert response.status_code == 200
    body = response.json()
    assert body["required"] is True
    assert body["due_on"] == "2026-03-16"
    assert (body["is_overdue"], body["is_at_risk"], body["published_on"]) == (False, False, None)
    assert "20个工作日" in body["explanation"]
    assert body["interpretation"] is None  # not a policy document


def test_publishing_closes_the_deadline(api, document):
    response = publish(api, document)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["published_on"], body["url"], body["channel"]) == ("2026-03-05", URL, "portal")
    assert (body["due_on"], body["published_late"], body["is_overdue"]) == (
        "2026-03-16",
        False,
        False,
    )
    assert response["Location"].endswith(publication_url(document))
    assert fresh(document).attribute_state == "published"
    with on("2026-03-20"):
        assert api.get("/api/v1/publications/").json()["count"] == 0
        assert api.get(publication_url(document)).json()["is_overdue"] is False


@pytest.mark.parametrize(("day", "late"), [("2026-03-16", False), ("2026-03-17", True)])
def test_publishing_after_the_last_working_day_is_late(api, document, day, late):
    # Art. 26: 20 working days; the Spring Festival days off do not count.
    body = publish(api, document, day=day, published_on=day).json()
    assert body["published_late"] is late


def test_an_agency_counting_hours_closes_the_deadline_by_the_hours_rule(api, agency, publishable):
    # Xiaoyi: published within 24 hours of issuance (DOMAIN §4.2, **Policy**).
    agency.publication_rule = "hours"
    agency.publication_hours = 24
    agency.save()
    document = publishable()  # issued 2026-02-10 10:00
    with on("2026-02-11", "09:00"):
        state = api.get(publication_url(document)).json()
    assert state["due_at"] == "2026-02-11T10:00:00+08:00"
    assert "24小时" in state["explanation"]
    body = publish(api, document, day="2026-02-12").json()
    assert (body["due_on"], body["published_late"]) == ("2026-02-11", True)


def test_a_policy_document_owes_its_interpretation(api, publishable):
    document = publishable(kind="policy")
    body = publish(api, document, day="2026-02-13").json()
    interpretation = body["interpretation"]
    # Licheng 三(四): within 3 working days of the document (14 February is a working day).
    assert interpretation["due_on"] == "2026-02-25"
    assert interpretation["published_on"] is None
    with on("2026-02-24"):
        response = api.post(
            interpretation_url(document),
            {"title": "《关于做好老旧小区改造工作的通知》政策解读", "url": NEW_URL},
        )
    assert response.status_code == 201, response.json()
    interpretation = response.json()["interpretation"]
    assert (interpretation["published_on"], interpretation["url"], interpretation["late"]) == (
        "2026-02-24",
        NEW_URL,
        False,
    )


def test_publishing_twice_is_refused_and_a_retry_replays(api, document):
    first = publish(api, document, key="cms-1")
    replay = publish(api, document, key="cms-1")
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    second = publish(api, document, url=NEW_URL)
    assert second.status_code == 409
    assert second.json()["code"] == "conflict"
    assert "不能登记主动公开" in second.json()["message"]
    assert AuditEvent.objects.filter(action="attribute_publish").count() == 1


def test_what_is_not_proactive_issued_or_confirmed_is_refused_in_chinese(
    api, draft, drafter, unit_head, secrecy_reviewer
):
    with on("2026-02-10"):
        restricted = issued(
            draft(title="内部人事安排"),
            drafter=drafter,
            head=unit_head,
            attribute="withheld",
            **INTERNAL,
        )
        unissued = confirmed(draft(title="未印发的通知"), drafter=drafter, head=unit_head)
        secrecy_review_record(
            actor=secrecy_reviewer, document_id=unissued.pk, conclusion="cleared", opinion="同意"
        )
        undetermined = draft(title="尚无公开属性的通知")
    refused = publish(api, restricted)
    assert (refused.status_code, refused.json()["code"]) == (409, "conflict")
    assert "不能主动公开" in refused.json()["message"]
    not_issued = publish(api, unissued)
    assert (not_issued.status_code, not_issued.json()["code"]) == (422, "invalid")
    assert "尚未印发" in not_issued.json()["message"]
    not_confirmed = publish(api, undetermined)
    assert not_confirmed.status_code == 409
    assert "不能登记主动公开" in not_confirmed.json()["message"]
    assert api.get(publication_url(restricted)).json()["required"] is False


# -- withdrawal ----------------------------------------------------------------------------------


def test_a_withdrawal_reopens_the_deadline_and_stays_in_the_history(api, document):
    publish(api, document)
    with on("2026-03-10"):
        body = {"reason": "发布的文本有误，撤下更正", "withdrawn_on": "2026-03-09"}
        response = api.post(withdrawal_url(document), body)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["published_on"], body["url"], body["due_on"]) == (None, "", "2026-03-16")
    assert body["withdrawals"] == [
        {
            "withdrawn_on": "2026-03-09",
            "reason": "发布的文本有误，撤下更正",
            "url": URL,
            "channel": "portal",
            "published_on": "2026-03-05",
            "published_late": False,
        }
    ]
    assert "须在期限届满前重新公开" in body["explanation"]
    assert fresh(document).attribute_state == "awaiting_publication"
    change = AttributeChange.objects.filter(document=document).order_by("id").last()
    assert change.is_withdrawal and URL in change.reason
    with on("2026-03-10"):
        rows = api.get("/api/v1/publications/").json()["results"]
    assert [r["document_id"] for r in rows] == [document.pk]
    assert "发布的文本有误" in rows[0]["withdrawal"]


def test_a_withdrawal_after_the_deadline_makes_the_republication_late(api, document):
    publish(api, document)
    with on("2026-03-20"):
        withdrawn = api.post(withdrawal_url(document), {"reason": "网站改版，页面失效"})
        assert api.get("/api/v1/publications/?overdue=true").json()["count"] == 1
    assert withdrawn.json()["is_overdue"] is True
    assert "重新公开即为逾期公开" in withdrawn.json()["explanation"]
    again = publish(api, document, day="2026-03-23", url=NEW_URL).json()
    assert (again["published_on"], again["published_late"]) == ("2026-03-23", True)
    assert "逾期公开" in again["explanation"]
    assert [w["url"] for w in again["withdrawals"]] == [URL]


def test_withdrawing_what_is_not_published_is_refused(api, document):
    with on("2026-03-05"):
        response = api.post(withdrawal_url(document), {"reason": "误操作"})
    assert response.status_code == 409
    assert "尚未登记公开" in response.json()["message"]


# -- the work list -------------------------------------------------------------------------------


def test_the_work_list_filters_by_deadline_overdue_and_published(api, publishable):
    early = publishable(title="早印发的通知")  # due 2026-03-16
    later = publishable(day="2026-03-02", title="晚印发的通知")  # due 2026-03-30
    with on("2026-03-17"):
        rows = api.get("/api/v1/publications/").json()
        overdue = api.get("/api/v1/publications/?overdue=true").json()
        not_overdue = api.get("/api/v1/publications/?overdue=false").json()
        due_soon = api.get("/api/v1/publications/?due_before=2026-03-20").json()
    assert [(r["document_id"], r["due_on"]) for r in rows["results"]] == [
        (early.pk, "2026-03-16"),
        (later.pk, "2026-03-30"),
    ]
    assert [r["document_id"] for r in overdue["results"]] == [early.pk]
    assert [r["document_id"] for r in not_overdue["results"]] == [later.pk]
    assert [r["document_id"] for r in due_soon["results"]] == [early.pk]
    publish(api, early, day="2026-03-17")
    with on("2026-03-17"):
        published = api.get("/api/v1/publications/?published=true").json()
        waiting = api.get("/api/v1/publications/?published=false").json()
    assert [(r["document_id"], r["published_late"]) for r in published["results"]] == [
        (early.pk, True)
    ]
    assert early.pk not in [r["document_id"] for r in waiting["results"]]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("overdue=maybe", "overdue"),
        ("due_before=tomorrow", "due_before"),
        ("published=2", "published"),
    ],
)
def test_bad_list_filters_are_named(api, query, field):
    response = api.get(f"/api/v1/publications/?{query}")
    assert response.status_code == 422
    assert field in response.json()["fields"]


# -- scopes and agencies -------------------------------------------------------------------------


def test_another_agency_gets_404_for_every_endpoint(other_api, document):
    assert other_api.get(publication_url(document)).status_code == 404
    assert publish(other_api, document).status_code == 404
    with on("2026-03-05"):
        assert other_api.post(withdrawal_url(document), {"reason": "x"}).status_code == 404
        assert (
            other_api.post(interpretation_url(document), {"title": "x", "url": URL}).status_code
            == 404
        )
        assert other_api.get("/api/v1/publications/").json()["count"] == 0
    assert fresh(document).attribute_state == "awaiting_publication"


def test_writing_needs_the_publication_scope(make_client, agency, document):
    reader = Caller(make_client(agency, scopes=["documents:read"], name="门户网站只读")[1])
    assert reader.get(publication_url(document)).status_code == 200
    assert reader.get("/api/v1/publications/").status_code == 200
    for response in (
        publish(reader, document),
        reader.post(withdrawal_url(document), {"reason": "x"}),
        reader.post(interpretation_url(document), {"title": "x", "url": URL}),
    ):
        assert response.status_code == 403
        assert "publication:write" in response.json()["message"]


def test_the_cms_scope_alone_may_read_and_write(make_client, agency, document):
    cms = Caller(make_client(agency, scopes=["publication:write"], name="网站内容管理系统")[1])
    assert cms.get("/api/v1/publications/").status_code == 200
    assert publish(cms, document).status_code == 201


def test_reading_needs_one_of_the_two_scopes(make_client, agency, anonymous, document):
    other = Caller(make_client(agency, scopes=["requests:read"], name="热线")[1])
    for caller, status in ((other, 403), (anonymous, 401)):
        assert caller.get(publication_url(document)).status_code == status
        assert caller.get("/api/v1/publications/").status_code == status
    assert publish(anonymous, document).status_code == 401


def test_the_list_takes_no_post(api):
    assert api.post("/api/v1/publications/", {}).status_code == 405


# -- hostile input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "https://www.xiaoyi.gov.cn/" + "a" * 10_000}, "url"),
        ({"url": "https://www.xiaoyi.gov.cn/\x00.html"}, "url"),
        ({"url": 'https://www.xiaoyi.gov.cn/"><script>alert(1)</script>'}, "url"),
        ({"url": {"href": URL}}, "url"),
        ({"url": ""}, "url"),
        ({"channel": "wechat"}, "channel"),
        ({"channel": "<b>portal</b>"}, "channel"),
        ({"published_on": "2026-03-20"}, "published_on"),  # in the future
        ({"published_on": "2026-02-09"}, "published_on"),  # before issuance
        ({"published_on": "5 March"}, "published_on"),
    ],
)
def test_hostile_publication_input_is_a_422_naming_the_field(api, document, changes, field):
    response = publish(api, document, **changes)
    assert response.status_code == 422, response.json()
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["fields"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["fields"][field][0])
    assert fresh(document).attribute_state == "awaiting_publication"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "撤下\x00"}, "reason"),
        ({"reason": "长" * 10_000}, "reason"),
        ({"reason": "更正", "withdrawn_on": "2026-03-11"}, "withdrawn_on"),  # in the future
        ({"reason": "更正", "withdrawn_on": "2026-03-04"}, "withdrawn_on"),  # before publication
    ],
)
def test_hostile_withdrawal_input_is_a_422_naming_the_field(api, document, body, field):
    publish(api, document)
    with on("2026-03-10"):
        response = api.post(withdrawal_url(document), body)
    assert response.status_code == 422, response.json()
    assert field in response.json()["fields"]
    assert fresh(document).attribute_state == "published"


def test_markup_in_a_reason_is_kept_as_text(api, document):
    publish(api, document)
    reason = "<script>alert(1)</script>页面有误"
    with on("2026-03-10"):
        response = api.post(withdrawal_url(document), {"reason": reason})
    assert response.status_code == 201
    assert response.json()["withdrawals"][0]["reason"] == reason


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "解读\x00", "url": NEW_URL}, "title"),
        ({"title": "解" * 301, "url": NEW_URL}, "title"),
        ({"title": "解读", "url": "javascript:alert(1)"}, "url"),
    ],
)
def test_hostile_interpretation_input_is_a_422_naming_the_field(api, publishable, body, field):
    document = publishable(kind="policy")
    publish(api, document, day="2026-02-13")
    with on("2026-02-24"):
        response = api.post(interpretation_url(document), body)
    assert response.status_code == 422, response.json()
    assert field in response.json()["fields"]


def test_a_body_that_is_not_an_object_is_a_422(api, document):
    with on("2026-03-05"):
        response = api.post(publication_url(document), ["url", URL])
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("delete", "/api/v1/documents/{pk}/publication/"),
        ("put", "/api/v1/documents/{pk}/publication/"),
        ("get", "/api/v1/documents/{pk}/publication/withdrawal/"),
        ("patch", "/api/v1/documents/{pk}/interpretation/"),
    ],
)
def test_other_methods_are_405_not_500(api, document, method, path):
    response = getattr(api, method)(path.format(pk=document.pk), {})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_an_id_beyond_any_integer_is_a_404(api):
    assert api.get("/api/v1/documents/99999999999999999999999/publication/").status_code == 404


ENDPOINTS = {
    # name: (method, path, scopes that open it)
    "read": ("get", publication_url, {"documents:read", "publication:write"}),
    "list": ("get", lambda doc: "/api/v1/publications/", {"documents:read", "publication:write"}),
    "publish": ("post", publication_url, {"publication:write"}),
    "withdraw": ("post", withdrawal_url, {"publication:write"}),
    "interpretation": ("post", interpretation_url, {"publication:write"}),
}
BODIES = {
    "publish": {"url": URL},
    "withdraw": {"reason": "发布的文本有误"},
    "interpretation": {"title": "政策解读", "url": NEW_URL},
}


def test_permission_matrix(make_client, agency, other_agency, anonymous, document):
    """Every endpoint × each scope alone × own / other agency × anonymous."""
    from workflow.api.scopes import SCOPES

    def call(caller, name):
        method, path, _ = ENDPOINTS[name]
        with on("2026-03-05"):
            return getattr(caller, method)(path(document), BODIES.get(name, {}))

    for scope in SCOPES:
        own = Caller(make_client(agency, scopes=[scope], name=f"本机关{scope}")[1])
        other = Caller(make_client(other_agency, scopes=[scope], name=f"外机关{scope}")[1])
        for name, (_, _, opening) in ENDPOINTS.items():
            mine, theirs = call(own, name), call(other, name)
            if scope in opening:
                # Allowed: answered by the state of the document (201, 409 or 422), never refused.
                assert mine.status_code not in (401, 403, 404, 500), (scope, name, mine.json())
                if name == "list":
                    assert theirs.status_code == 200 and theirs.json()["count"] == 0
                else:
                    assert theirs.status_code == 404, (scope, name)
            else:
                assert mine.status_code == 403, (scope, name)
                assert theirs.status_code == 403, (scope, name)
    for name in ENDPOINTS:
        assert call(anonymous, name).status_code == 401, name
