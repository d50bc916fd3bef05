"""The yearly review's pages (DOMAIN §4.3): opening in the background, the items with filters and
pagination, a drafting unit's inbox, decisions one by one and in bulk, closing and the report."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attributes_app.models import AttributeReview, Document, Publication, ReviewItem
from attributes_app.services import (
    ReviewDecision,
    ReviewProposal,
    review_decide_bulk,
    review_open,
    review_propose,
    review_propose_bulk,
)
from attributes_app.views import review as review_views
from tests.attributes_app.helpers import INTERNAL, PROCESS, fresh, issued
from tests.conftest import _persona
from workflow.models import Job

pytestmark = pytest.mark.django_db
REVIEWS = reverse("attributes:reviews:index")
INBOX = reverse("attributes:unit_review:index")
KEEP = ReviewProposal(verdict="keep", reasons="内部事务信息，理由仍然成立")
TO_PROACTIVE = ReviewProposal(
    verdict="change", attribute="proactive", reasons="相关工作已完成，可以主动公开"
)


@pytest.fixture(autouse=True)
def _november_2026(settings):
    settings.GONGKAI_JOBS = "inline"
    with time_machine.travel("2026-11-20 09:00 +0800", tick=False):
        yield


@pytest.fixture
def restricted(draft, drafter, unit_head, other_unit, other_drafter, other_head, agency):
    """Three withheld documents of 综合科 (one of them process information) and one of 法规科."""
    from attributes_app.services import DocumentData, document_register

    ours = [
        issued(draft(title=title), drafter=drafter, head=unit_head, attribute="withheld", **r)
        for title, r in (
            ("人事安排的通知", INTERNAL),
            ("后勤管理办法", INTERNAL),
            ("方案讨论稿", PROCESS),
        )
    ]
    theirs = document_register(
        actor=other_drafter,
        agency=agency,
        data=DocumentData(title="法规科内部流程", drafting_unit_id=other_unit.pk),
    )
    theirs = issued(
        theirs, drafter=other_drafter, head=other_head, attribute="withheld", **INTERNAL
    )
    return [*ours, theirs]


@pytest.fixture
def review(restricted, legal_reviewer, agency):
    return review_open(actor=legal_reviewer, agency=agency, year=2026)


def url(name: str, **kwargs) -> str:
    return reverse(f"attributes:reviews:{name}", kwargs=kwargs)


def file_url(review, kind: str, fmt: str) -> str:
    return reverse(
        "attributes:review_files:file", kwargs={"pk": review.pk, "kind": kind, "fmt": fmt}
    )


def item_of(review, document) -> ReviewItem:
    return ReviewItem.objects.get(review=review, document=document)


def decision_data(prefix: str = "bulk", **changes) -> dict:
    values = {
        "verdict": "change",
        "attribute": "proactive",
        "reason_code": "time_elapsed",
        "reasons": "不主动公开的理由已不存在，转为主动公开",
        "ground": "",
        "law": "",
    }
    values.update(changes)
    return {f"{prefix}-{k}" if prefix else k: v for k, v in values.items()}


@pytest.fixture
def stranger(django_user_model, other_agency):
    def make(role: str):
        return _persona(django_user_model, f"other_{role}", other_agency, role)

    return make


# -- who may open what ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        # reviews, review, item, report, unit inbox, unit item
        ("legal_reviewer", (200, 200, 200, 200, 403, 403)),
        ("office_head", (200, 200, 200, 200, 403, 403)),
        ("drafter", (403, 403, 403, 403, 200, 200)),
        ("unit_head", (403, 403, 403, 403, 200, 200)),
        ("other_drafter", (403, 403, 403, 403, 200, 404)),  # another unit's item
        ("secrecy_reviewer", (403, 403, 403, 403, 403, 403)),
        ("anonymous", (302,) * 6),
    ],
)
def test_permission_matrix(request, client, review, restricted, persona, expected):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    item = item_of(review, restricted[0])
    urls = [
        REVIEWS,
        url("detail", pk=review.pk),
        url("item", pk=review.pk, item_pk=item.pk),
        url("report", pk=review.pk),
        INBOX,
        reverse("attributes:unit_review:item", kwargs={"item_pk": item.pk}),
    ]
    assert tuple(client.get(u).status_code for u in urls) == expected


def test_another_agencys_legal_office_cannot_see_or_touch_our_review(
    client, review, restricted, stranger
):
    other = stranger("legal_reviewer")
    client.force_login(other)
    item = item_of(review, restricted[0])
    for u in (
        url("detail", pk=review.pk),
        url("item", pk=review.pk, item_pk=item.pk),
        url("report", pk=review.pk),
        file_url(review, "changes", "csv"),
    ):
        assert client.get(u).status_code == 404, u
    assert client.post(url("close", pk=review.pk)).status_code == 404
    response = client.post(url("detail", pk=review.pk), decision_data() | {"items": [item.pk]})
    assert response.status_code == 404
    assert review.pk not in [r.pk for r in client.get(REVIEWS).context["page"].object_list]


def test_an_office_head_sees_the_review_but_cannot_decide(client, review, restricted, office_head):
    item = item_of(review, restricted[0])
    review_propose(actor=fresh_user(restricted[0].drafter), item_id=item.pk, proposal=KEEP)
    client.force_login(office_head)
    response = client.get(url("detail", pk=review.pk))
    assert not response.context["can_decide"]
    response = client.post(url("detail", pk=review.pk), decision_data() | {"items": [item.pk]})
    assert response.status_code == 403
    assert ReviewItem.objects.get(pk=item.pk).status == "proposed"


def fresh_user(user):
    return type(user).objects.get(pk=user.pk)


# -- opening ---------------------------------------------------------------------------------------


def test_opening_runs_as_a_job_and_lands_on_the_review(
    client, restricted, legal_reviewer, agency, django_capture_on_commit_callbacks
):
    client.force_login(legal_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REVIEWS, {"agency": str(agency.pk), "year": "2026"})
    job = Job.objects.get()
    assert response["Location"] == url("job", job_pk=job.pk)
    assert (job.status, job.total, job.created_by) == ("done", 4, legal_reviewer)
    review = AttributeReview.objects.get()
    assert job.message == "2026年度复核已启动：纳入复核4件，其中有提示的0件，已分送各起草单位。"
    page = client.get(url("job", job_pk=job.pk))
    assert "已完成" in page.content.decode()
    status = client.get(url("job_status", job_pk=job.pk)).json()
    assert status["finished"] and status["ok"]
    assert status["url"] == url("detail", pk=review.pk)


def test_the_job_page_is_only_for_the_one_who_asked(
    client, restricted, legal_reviewer, agency, django_user_model, stranger
):
    client.force_login(legal_reviewer)
    client.post(REVIEWS, {"agency": str(agency.pk), "year": "2026"})
    job = Job.objects.get()
    colleague = _persona(django_user_model, "legal_2", agency, "legal_reviewer")
    for user in (colleague, stranger("legal_reviewer")):
        client.force_login(user)
        assert client.get(url("job", job_pk=job.pk)).status_code == 404
        assert client.get(url("job_status", job_pk=job.pk)).status_code == 404


def test_a_waiting_job_page_polls_for_its_state(client, restricted, legal_reviewer, agency):
    # Without the commit hook running the job stays queued: the page shows it waiting.
    client.force_login(legal_reviewer)
    client.post(REVIEWS, {"agency": str(agency.pk), "year": "2026"})
    job = Job.objects.get()
    body = client.get(url("job", job_pk=job.pk)).content.decode()
    assert "排队中" in body and 'data-finished="0"' in body
    assert url("job_status", job_pk=job.pk) in body
    assert client.get(url("job_status", job_pk=job.pk)).json()["finished"] is False


def test_opening_problems_are_said_on_the_form(client, review, legal_reviewer, agency):
    client.force_login(legal_reviewer)
    response = client.post(REVIEWS, {"agency": str(agency.pk), "year": "2027"})
    assert "复核年度不能晚于今年（2026年）" in response.content.decode()
    response = client.post(REVIEWS, {"agency": str(agency.pk), "year": "2025"})
    assert "还有尚未结束的年度复核" in response.content.decode()
    response = client.post(REVIEWS, {"agency": str(agency.pk), "year": "二〇二五"})
    assert "复核年度请填写四位数的年份" in response.content.decode()
    assert not Job.objects.exists()


def test_a_job_that_the_service_refuses_reports_why(
    client, review, legal_reviewer, agency, django_capture_on_commit_callbacks
):
    # The form's early check passed, but the service refuses when the job runs: another review
    # was opened in between (here: the open one, bypassing the form's check).
    from attributes_app.jobs import submit_open_review

    with django_capture_on_commit_callbacks(execute=True):
        job = submit_open_review(actor=legal_reviewer, agency=agency, year=2025, documents=0)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "还有尚未结束的年度复核" in job.message
    client.force_login(legal_reviewer)
    assert "还有尚未结束的年度复核" in client.get(url("job", job_pk=job.pk)).content.decode()


def test_only_the_legal_office_opens_a_review(client, restricted, office_head, agency):
    client.force_login(office_head)
    assert "启动复核" not in client.get(REVIEWS).content.decode()
    response = client.post(REVIEWS, {"agency": str(agency.pk), "year": "2026"})
    assert response.status_code == 403
    assert not Job.objects.exists()


# -- the items ------------------------------------------------------------------------------


def listed(client, review, **query) -> list[str]:
    response = client.get(url("detail", pk=review.pk), query)
    return sorted(item.document.title for item in response.context["page"].object_list)


def test_the_items_are_filtered_by_signal_unit_proposal_and_decision(
    client, review, restricted, legal_reviewer, drafter, other_unit
):
    staff, _, process, _ = restricted
    review_propose(actor=drafter, item_id=item_of(review, staff).pk, proposal=KEEP)
    review_propose(actor=drafter, item_id=item_of(review, process).pk, proposal=TO_PROACTIVE)
    client.force_login(legal_reviewer)
    assert listed(client, review) == sorted(d.title for d in restricted)
    assert listed(client, review, signal="any") == []  # all formed this year, none decided
    assert listed(client, review, drafting_unit=str(other_unit.pk)) == ["法规科内部流程"]
    assert listed(client, review, proposal="keep") == ["人事安排的通知"]
    assert listed(client, review, proposal="change") == ["方案讨论稿"]
    assert listed(client, review, proposal="none") == ["后勤管理办法", "法规科内部流程"]
    assert listed(client, review, status="proposed") == ["人事安排的通知", "方案讨论稿"]
    assert listed(client, review, q="讨论") == ["方案讨论稿"]
    assert listed(client, review, decision="none") == sorted(d.title for d in restricted)


def test_the_process_signal_filter(client, restricted, legal_reviewer, drafter, agency):
    # Art. 16 ¶2: process information whose decision has been made is flagged.
    from attributes_app.services import document_record_process_decision
    from tests.conftest import d

    document_record_process_decision(
        actor=drafter, document_id=restricted[2].pk, decided_on=d("2026-06-30")
    )
    review = review_open(actor=legal_reviewer, agency=agency, year=2026)
    client.force_login(legal_reviewer)
    assert listed(client, review, signal="process_decided") == ["方案讨论稿"]
    assert listed(client, review, signal="any") == ["方案讨论稿"]
    assert "方案讨论稿" not in listed(client, review, signal="none")
    body = client.get(url("detail", pk=review.pk)).content.decode()
    assert "决定已作出" in body


def bulk_items(review, unit, agency, creator, n: int):
    """``n`` withheld documents of ``unit`` as items of ``review`` (factories for bulk data)."""
    from django.utils import timezone

    documents = Document.objects.bulk_create(
        [
            Document(
                agency=agency,
                drafting_unit=unit,
                title=f"批量文件{i:03d}",
                attribute="withheld",
                attribute_reasons="内部事务",
                attribute_ground="internal_affairs",
                attribute_state="restricted",
                secrecy="non_secret",
                created_by=creator,
                created_at=timezone.now(),
            )
            for i in range(n)
        ]
    )
    ReviewItem.objects.bulk_create(
        [
            ReviewItem(review=review, document=d, drafting_unit=unit, attribute="withheld")
            for d in documents
        ]
    )


def count_queries(client, u) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(u).status_code == 200
    return len(captured)


def test_the_items_page_takes_the_same_queries_for_4_and_104_items(
    client, review, legal_reviewer, unit, agency, drafter
):
    client.force_login(legal_reviewer)
    few = count_queries(client, url("detail", pk=review.pk))
    bulk_items(review, unit, agency, drafter, 100)
    assert count_queries(client, url("detail", pk=review.pk)) == few
    response = client.get(url("detail", pk=review.pk), {"page": "3"})
    assert len(response.context["page"].object_list) == 4  # 104 items, 50 a page
    client.force_login(drafter)
    few = count_queries(client, INBOX)
    bulk_items(review, unit, agency, drafter, 60)
    assert count_queries(client, INBOX) == few


# -- a drafting unit proposes ---------------------------------------------------------------------


def test_a_unit_member_proposes_on_one_item(client, review, restricted, drafter):
    item = item_of(review, restricted[0])
    client.force_login(drafter)
    u = reverse("attributes:unit_review:item", kwargs={"item_pk": item.pk})
    response = client.post(u, {"verdict": "change", "attribute": "", "reasons": ""})
    body = response.content.decode()
    assert "变更的，请选择变更后的公开属性" in body and "请填写理由" in body
    assert response.context["form"]["verdict"].value() == "change"  # kept
    response = client.post(
        u, {"verdict": "change", "attribute": "proactive", "reasons": "工作已完成，可以公开"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.proposal, item.proposed_attribute) == (
        "proposed",
        "change",
        "proactive",
    )


def test_the_inbox_shows_only_the_users_units_and_proposes_in_bulk(
    client, review, restricted, drafter, other_drafter
):
    client.force_login(drafter)
    response = client.get(INBOX)
    titles = sorted(i.document.title for i in response.context["page"].object_list)
    assert titles == ["人事安排的通知", "后勤管理办法", "方案讨论稿"]
    ids = [item_of(review, d).pk for d in restricted[:2]]
    response = client.post(
        INBOX, {"items": ids, "bulk-verdict": "keep", "bulk-reasons": "理由仍然成立"}
    )
    assert response.status_code == 302
    assert set(ReviewItem.objects.filter(pk__in=ids).values_list("status", "proposal")) == {
        ("proposed", "keep")
    }
    # Another unit's item slipped into the form is refused, and nothing changes.
    theirs = item_of(review, restricted[3]).pk
    response = client.post(
        INBOX,
        {"items": [ids[0], theirs], "bulk-verdict": "keep", "bulk-reasons": "理由仍然成立"},
    )
    assert response.status_code == 403
    assert ReviewItem.objects.get(pk=theirs).status == "with_unit"


def test_a_bulk_proposal_without_items_says_so(client, review, drafter):
    client.force_login(drafter)
    response = client.post(INBOX, {"bulk-verdict": "keep", "bulk-reasons": "理由仍然成立"})
    assert "请先勾选要提出意见的事项" in response.content.decode()


# -- the legal office decides ---------------------------------------------------------------------


def proposed_all(review, restricted, drafter, other_drafter, proposal=TO_PROACTIVE):
    review_propose_bulk(
        actor=drafter,
        review_id=review.pk,
        item_ids=[item_of(review, d).pk for d in restricted[:3]],
        proposal=proposal,
    )
    review_propose(actor=other_drafter, item_id=item_of(review, restricted[3]).pk, proposal=KEEP)


def test_the_legal_office_decides_the_selected_items_in_bulk(
    client, review, restricted, legal_reviewer, drafter, other_drafter
):
    proposed_all(review, restricted, drafter, other_drafter)
    client.force_login(legal_reviewer)
    ids = [item_of(review, d).pk for d in restricted[:2]]
    response = client.post(url("detail", pk=review.pk), decision_data() | {"items": ids})
    assert response.status_code == 302
    for document in restricted[:2]:
        assert fresh(document).attribute_state == "awaiting_publication"
        # DOMAIN §4.3: a change to proactive creates a publication task with its deadline.
        assert Publication.objects.get(document=document).source == "review"
    assert fresh(restricted[2]).attribute_state == "restricted"


def test_a_bulk_decision_keeps_what_was_typed_when_refused(
    client, review, restricted, legal_reviewer, drafter
):
    client.force_login(legal_reviewer)
    item = item_of(review, restricted[0]).pk  # the unit has not proposed yet
    response = client.post(url("detail", pk=review.pk), decision_data() | {"items": [item]})
    body = response.content.decode()
    assert "起草单位尚未对《人事安排的通知》提出意见" in body
    assert "不主动公开的理由已不存在，转为主动公开" in body
    assert response.context["selected"] == {str(item)}
    response = client.post(url("detail", pk=review.pk), decision_data(reasons=""))
    assert "决定理由：请填写决定理由" in response.content.decode()
    response = client.post(url("detail", pk=review.pk), decision_data(reason_code=""))
    assert "理由类别：请选择理由类别" in response.content.decode()
    response = client.post(url("detail", pk=review.pk), decision_data())
    assert "请先勾选要决定的事项" in response.content.decode()


def test_a_keep_decision_must_give_a_keep_reason(
    client, review, restricted, legal_reviewer, drafter
):
    item = item_of(review, restricted[0]).pk
    review_propose(actor=drafter, item_id=item, proposal=KEEP)
    client.force_login(legal_reviewer)
    response = client.post(
        url("detail", pk=review.pk),
        decision_data(verdict="keep", reason_code="time_elapsed") | {"items": [item]},
    )
    body = response.content.decode()
    assert "维持原属性的，理由类别应为" in body
    # The ticked box stays ticked.
    assert f'value="{item}" class="item-box" aria-label="选择《人事安排的通知》" checked' in body


def test_all_items_matching_the_filter_are_decided_at_once(
    client, review, restricted, legal_reviewer, drafter, other_drafter, unit
):
    proposed_all(review, restricted, drafter, other_drafter)
    client.force_login(legal_reviewer)
    query = f"?drafting_unit={unit.pk}"
    page = client.get(url("detail", pk=review.pk) + query)
    assert page.context["awaiting"] == 3
    # The number shown when the page was drawn is checked: it changed -> refused, kept.
    response = client.post(
        url("detail", pk=review.pk) + query, decision_data() | {"scope": "all", "expected": "2"}
    )
    assert "符合条件、待决定的事项现在是3项（页面显示时是2项）" in response.content.decode()
    response = client.post(
        url("detail", pk=review.pk) + query, decision_data() | {"scope": "all", "expected": "3"}
    )
    assert response.status_code == 302
    assert ReviewItem.objects.filter(review=review, status="decided").count() == 3
    assert item_of(review, restricted[3]).status == "proposed"  # 法规科: not in the filter


def test_a_large_bulk_decision_runs_in_the_background(
    client,
    review,
    restricted,
    legal_reviewer,
    drafter,
    other_drafter,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    monkeypatch.setattr(review_views, "BULK_INLINE_LIMIT", 2)
    proposed_all(review, restricted, drafter, other_drafter, proposal=KEEP)
    client.force_login(legal_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("detail", pk=review.pk),
            decision_data(verdict="keep", reason_code="reasons_stand", reasons="理由仍然成立")
            | {"scope": "all", "expected": "4"},
        )
    job = Job.objects.get()
    assert response["Location"] == url("job", job_pk=job.pk)
    assert (job.status, job.total, job.message) == ("done", 4, "已对4项作出决定。")
    assert ReviewItem.objects.filter(review=review, decision="keep").count() == 4


def test_one_item_is_decided_and_the_next_one_opens(
    client, review, restricted, legal_reviewer, drafter, other_drafter
):
    proposed_all(review, restricted, drafter, other_drafter)
    items = sorted(item_of(review, d).pk for d in restricted)
    client.force_login(legal_reviewer)
    page = client.get(url("item", pk=review.pk, item_pk=items[0]))
    # The form starts from the unit's proposal.
    assert page.context["form"].initial["verdict"] == ReviewItem.objects.get(pk=items[0]).proposal
    response = client.post(
        url("item", pk=review.pk, item_pk=items[0]),
        decision_data(prefix="", verdict="keep", reason_code="reasons_stand"),
    )
    assert response["Location"] == url("item", pk=review.pk, item_pk=items[1])
    assert ReviewItem.objects.get(pk=items[0]).status == "decided"


def test_two_officers_deciding_the_same_item_one_is_told(
    client, review, restricted, legal_reviewer, drafter, other_drafter, django_user_model, agency
):
    proposed_all(review, restricted, drafter, other_drafter)
    item = item_of(review, restricted[0]).pk
    review_decide_bulk(
        actor=legal_reviewer,
        review_id=review.pk,
        item_ids=[item],
        decision=ReviewDecision(
            verdict="keep", reason_code="reasons_stand", reasons="理由仍然成立"
        ),
    )
    second = _persona(django_user_model, "legal_2", agency, "legal_reviewer")
    client.force_login(second)
    response = client.post(url("detail", pk=review.pk), decision_data() | {"items": [item]})
    assert "已经作出决定或已移出复核（可能已有其他人办理）" in response.content.decode()
    assert ReviewItem.objects.get(pk=item).decision == "keep"


# -- closing and the report ---------------------------------------------------------------------


def test_closing_needs_every_item_decided_then_shows_the_report(
    client, review, restricted, legal_reviewer, drafter, other_drafter
):
    client.force_login(legal_reviewer)
    response = client.post(url("close", pk=review.pk), follow=True)
    assert "还有4项尚未作出复核决定，不能结束复核" in response.content.decode()
    proposed_all(review, restricted, drafter, other_drafter)
    ours = [item_of(review, d).pk for d in restricted[:3]]
    client.post(url("detail", pk=review.pk), decision_data() | {"items": ours})
    client.post(
        url("detail", pk=review.pk),
        decision_data(verdict="keep", reason_code="reasons_stand", reasons="理由仍然成立")
        | {"items": [item_of(review, restricted[3]).pk]},
    )
    assert client.get(url("detail", pk=review.pk)).context["can_close"]
    response = client.post(url("close", pk=review.pk))
    assert response["Location"] == url("report", pk=review.pk)
    report = client.get(url("report", pk=review.pk))
    body = report.content.decode()
    assert report.context["report"].reviewed == 4
    assert (report.context["report"].kept, report.context["report"].changed) == (1, 3)
    assert "时过境迁，不主动公开的理由已不存在" in body
    assert "方案讨论稿" in body and "变更清单" in body
    assert "依申请公开和不予公开文件的占比" in body
    # The closed report links the report and the list of changes in every format it is made in.
    links = [
        file_url(review, kind, fmt)
        for kind, fmt in (
            ("report", "pdf"),
            ("report", "docx"),
            ("changes", "pdf"),
            ("changes", "docx"),
            ("changes", "csv"),
        )
    ]
    assert all(f'href="{link}"' in body for link in links)
    csv = client.get(links[-1])
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("序号,文件标题,文号,起草单位,原公开属性")
    assert len(text.strip().splitlines()) == 4  # the header and three changes


def test_an_open_reviews_report_offers_no_files_yet(client, review, legal_reviewer):
    # DOMAIN §4.3: the report and the list of changes are issued once the review is closed.
    client.force_login(legal_reviewer)
    body = client.get(url("report", pk=review.pk)).content.decode()
    assert "结束复核时定稿，并可出具复核报告和公开属性调整目录" in body
    assert reverse("attributes:review_files:file", args=[review.pk, "changes", "csv"]) not in body


def test_an_open_reviews_report_is_marked_provisional(client, review, legal_reviewer):
    client.force_login(legal_reviewer)
    assert "复核尚未结束" in client.get(url("report", pk=review.pk)).content.decode()
