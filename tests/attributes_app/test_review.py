"""The yearly review of on-request and withheld documents (DOMAIN §4.3)."""

import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from attributes_app.models import AttributeChange, AttributeReview, Publication, ReviewItem
from attributes_app.selectors import report_of, review_items, review_report
from attributes_app.services import (
    DocumentData,
    ReviewDecision,
    ReviewProposal,
    StaleReview,
    attribute_determine,
    document_link_request,
    document_mark_classified,
    document_record_process_decision,
    document_register,
    document_set_validity,
    review_close,
    review_decide,
    review_decide_bulk,
    review_open,
    review_propose,
    review_propose_bulk,
)
from requests_app.services import (
    Proposal,
    decision_approve,
    decision_propose,
    request_accept,
    request_register,
)
from tests.attributes_app.helpers import INTERNAL, PROCESS, fresh, issued
from tests.conftest import d
from tests.requests_app.flow_helpers import secrecy_cleared
from workflow.errors import NotAllowed
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db
REG = "《中华人民共和国政府信息公开条例》"

KEEP = ReviewDecision(
    verdict="keep", reason_code="reasons_stand", reasons="不主动公开的理由仍然成立"
)
TO_PROACTIVE = ReviewDecision(
    verdict="change",
    attribute="proactive",
    reason_code="time_elapsed",
    reasons="相关工作已经完成，不主动公开的理由已不存在，转为主动公开",
)


@pytest.fixture(autouse=True)
def _november_2026():
    with time_machine.travel("2026-11-20 09:00 +0800", tick=False):
        yield


def restricted(
    draft, drafter, unit_head, *, title, attribute="withheld", reasons=INTERNAL, **changes
):
    return issued(
        draft(title=title, **changes),
        drafter=drafter,
        head=unit_head,
        attribute=attribute,
        **reasons,
    )


def disclosed_request(agency, registrar, handler, office_head, walk_in, *, name, passport):
    """An application by ``name`` answered with disclosure (Art. 36(2))."""
    case = request_register(
        actor=registrar,
        agency=agency,
        data=walk_in(applicant_name=name, id_type="passport", id_number=passport),
    )
    request_accept(actor=handler, case_id=case.pk)
    decision_propose(
        actor=handler,
        case_id=case.pk,
        proposal=Proposal(
            outcome="disclosed",
            articles=[f"{REG}第三十六条第（二）项"],
            provided=["文件全文"],
            provide_form="electronic",
        ),
    )
    secrecy_cleared(case, office_head)  # Art. 17 ¶2
    decision_approve(actor=office_head, case_id=case.pk)
    return case


@pytest.fixture
def documents(
    draft,
    drafter,
    unit_head,
    other_drafter,
    other_head,
    other_unit,
    office_head,
    agency,
    registrar,
    handler,
    walk_in,
    legal_reviewer,
):
    """One restricted document per signal, a quiet one, one of another unit, a proactive one."""
    quiet = restricted(draft, drafter, unit_head, title="内部人事安排的通知")
    asked = restricted(
        draft,
        drafter,
        unit_head,
        title="项目资金安排的函",
        attribute="on_request",
        reasons={"reasons": "仅涉及特定项目单位", "ground": "limited_scope"},
    )
    for name, passport in (("张一", "E10000001"), ("李二", "E10000002"), ("王三", "E10000003")):
        case = disclosed_request(
            agency, registrar, handler, office_head, walk_in, name=name, passport=passport
        )
        document_link_request(actor=handler, document_id=asked.pk, request_id=case.pk)
    process = restricted(draft, drafter, unit_head, title="方案讨论稿", reasons=PROCESS)
    document_record_process_decision(
        actor=drafter, document_id=process.pk, decided_on=d("2026-06-30")
    )
    old = document_register(
        actor=office_head,
        agency=agency,
        data=DocumentData(
            title="2019年会议纪要",
            drafting_unit_id=other_unit.pk,
            formed_on=d("2019-04-01"),
            issued_on=d("2019-04-03"),
        ),
    )
    attribute_determine(actor=other_head, document_id=old.pk, attribute="withheld", **INTERNAL)
    expired = restricted(draft, drafter, unit_head, title="已失效的办法")
    document_set_validity(
        actor=legal_reviewer,
        document_id=expired.pk,
        validity="expired",
        changed_on=d("2026-11-20"),
        note="有效期届满",
    )
    issued(draft(title="主动公开的通知"), drafter=drafter, head=unit_head)
    return {"quiet": quiet, "asked": asked, "process": process, "old": old, "expired": expired}


def item_of(review, document) -> ReviewItem:
    return ReviewItem.objects.get(review=review, document=document)


def test_opening_gathers_restricted_documents_and_flags_each_signal(documents, legal_reviewer):
    review = review_open(actor=legal_reviewer, agency=documents["quiet"].agency, year=2026)
    items = {item.document_id: item for item in review.items.all()}
    assert set(items) == {doc.pk for doc in documents.values()}  # not the proactive one
    signals = {
        name: [
            field
            for field in ("requests", "process_decided", "aged", "invalid")
            if getattr(items[doc.pk], f"signal_{field}")
        ]
        for name, doc in documents.items()
    }
    assert signals == {
        "quiet": [],
        "asked": ["requests"],  # Art. 44: 3 distinct applicants answered disclosed
        "process": ["process_decided"],
        "old": ["aged"],
        "expired": ["invalid"],
    }
    assert items[documents["asked"].pk].applicants == 3
    assert all(item.status == "with_unit" for item in items.values())
    assert AuditEvent.objects.filter(action="review_opened").get().data["items"] == 5


def test_opening_reports_its_progress_as_it_gathers(documents, legal_reviewer, monkeypatch):
    # A review over 100,000 documents runs for a while: the waiting page shows how far it got.
    from attributes_app.services import review as review_services

    monkeypatch.setattr(review_services, "CHUNK", 2)
    seen: list[int] = []
    review_open(
        actor=legal_reviewer, agency=documents["quiet"].agency, year=2026, progress=seen.append
    )
    assert seen == [2, 4]  # five documents gathered, reported every two


def test_the_applicant_threshold_is_the_agencys(documents, legal_reviewer, agency):
    agency.review_applicant_threshold = 4
    agency.save()
    review = review_open(actor=legal_reviewer, agency=agency, year=2026)
    assert not item_of(review, documents["asked"]).signal_requests


def test_the_same_applicant_twice_counts_once(
    documents,
    legal_reviewer,
    agency,
    registrar,
    handler,
    office_head,
    walk_in,
    draft,
    drafter,
    unit_head,
):
    # Art. 44 speaks of different applicants.
    twice = restricted(draft, drafter, unit_head, title="被同一人反复申请的文件")
    for _ in range(3):
        case = disclosed_request(
            agency, registrar, handler, office_head, walk_in, name="张一", passport="E10000001"
        )
        document_link_request(actor=handler, document_id=twice.pk, request_id=case.pk)
    review = review_open(actor=legal_reviewer, agency=agency, year=2026)
    assert item_of(review, twice).applicants == 1
    assert not item_of(review, twice).signal_requests


def test_only_the_legal_office_opens_a_review(documents, drafter, outsider, agency):
    for actor in (drafter, outsider):
        with pytest.raises(NotAllowed):
            review_open(actor=actor, agency=agency, year=2026)


def test_one_open_review_at_a_time_and_one_per_year(documents, legal_reviewer, agency):
    review_open(actor=legal_reviewer, agency=agency, year=2026)
    with pytest.raises(StaleReview, match="尚未结束"):
        review_open(actor=legal_reviewer, agency=agency, year=2025)
    with pytest.raises(ValidationError):
        review_open(actor=legal_reviewer, agency=agency, year=2027)


@pytest.fixture
def review(documents, legal_reviewer):
    return review_open(actor=legal_reviewer, agency=documents["quiet"].agency, year=2026)


def test_units_propose_for_their_own_documents_only(review, documents, drafter, other_drafter):
    quiet = item_of(review, documents["quiet"])
    keep = ReviewProposal(verdict="keep", reasons="仍属内部事务信息")
    with pytest.raises(NotAllowed, match="综合科"):
        review_propose(actor=other_drafter, item_id=quiet.pk, proposal=keep)
    review_propose(actor=drafter, item_id=quiet.pk, proposal=keep)
    quiet.refresh_from_db()
    assert (quiet.status, quiet.proposal, quiet.proposed_by) == ("proposed", "keep", drafter)
    # The unit sees only its own items.
    assert {i.document_id for i in review_items(other_drafter, review)} == {documents["old"].pk}
    assert review_items(drafter, review).count() == 4


def test_a_proposal_to_change_needs_a_valid_target(review, documents, drafter):
    item = item_of(review, documents["quiet"])
    with pytest.raises(ValidationError) as error:
        review_propose(
            actor=drafter,
            item_id=item.pk,
            proposal=ReviewProposal(verdict="change", attribute="withheld", reasons="x"),
        )
    assert "相同" in error.value.message_dict["attribute"][0]


def test_the_legal_office_decides_only_after_the_units_proposal(review, documents, legal_reviewer):
    item = item_of(review, documents["quiet"])
    with pytest.raises(ValidationError, match="尚未对"):
        review_decide(actor=legal_reviewer, item_id=item.pk, decision=KEEP)


def test_a_single_keep_decision(review, documents, drafter, legal_reviewer):
    item = item_of(review, documents["quiet"])
    review_propose(
        actor=drafter, item_id=item.pk, proposal=ReviewProposal(verdict="keep", reasons="理由仍在")
    )
    with pytest.raises(NotAllowed):
        review_decide(actor=drafter, item_id=item.pk, decision=KEEP)
    review_decide(actor=legal_reviewer, item_id=item.pk, decision=KEEP)
    item.refresh_from_db()
    assert (item.status, item.decision, item.reason_code) == ("decided", "keep", "reasons_stand")
    assert fresh(documents["quiet"]).attribute == "withheld"
    assert not AttributeChange.objects.filter(document=documents["quiet"], source="review")
    with pytest.raises(StaleReview, match="已经作出决定"):
        review_decide(actor=legal_reviewer, item_id=item.pk, decision=KEEP)


def test_a_change_to_proactive_creates_the_publication_obligation(
    review, documents, drafter, legal_reviewer
):
    # DOMAIN §4.3 step 3; Art. 26: 20 working days from the change.
    item = item_of(review, documents["process"])
    review_propose(
        actor=drafter,
        item_id=item.pk,
        proposal=ReviewProposal(verdict="change", attribute="proactive", reasons="决定已作出"),
    )
    review_decide(
        actor=legal_reviewer,
        item_id=item.pk,
        decision=ReviewDecision(
            verdict="change",
            attribute="proactive",
            reason_code="process_decided",
            reasons="所涉决定已经作出，过程性信息不再不予公开",
        ),
    )
    document = fresh(documents["process"])
    assert (document.attribute, document.attribute_state) == ("proactive", "awaiting_publication")
    assert document.attribute_ground == ""
    publication = Publication.objects.get(document=document)
    assert (publication.source, publication.review_item_id, publication.start_on) == (
        "review",
        item.pk,
        d("2026-11-20"),
    )
    assert publication.due_on == d("2026-12-18")
    change = AttributeChange.objects.filter(document=document).last()
    assert (change.source, change.review_item_id, change.actor) == (
        "review",
        item.pk,
        legal_reviewer,
    )
    assert (change.from_attribute, change.to_attribute) == ("withheld", "proactive")
    assert AuditEvent.objects.filter(
        action="attribute_review_change", object_id=str(document.pk)
    ).exists()


def test_a_bulk_decision_with_a_shared_reason(
    review, documents, drafter, other_drafter, legal_reviewer
):
    mine = [item_of(review, documents[k]).pk for k in ("asked", "process", "expired")]
    review_propose_bulk(
        actor=drafter,
        review_id=review.pk,
        item_ids=mine,
        proposal=ReviewProposal(
            verdict="change", attribute="proactive", reasons="同意转为主动公开"
        ),
    )
    result = review_decide_bulk(
        actor=legal_reviewer, review_id=review.pk, item_ids=mine, decision=TO_PROACTIVE
    )
    assert (result.items, result.changed, result.publications) == (3, 3, 3)
    for key in ("asked", "process", "expired"):
        assert fresh(documents[key]).attribute_state == "awaiting_publication"
    assert ReviewItem.objects.filter(pk__in=mine, status="decided").count() == 3
    assert AuditEvent.objects.filter(action="review_item_decided").count() == 3


def test_a_bulk_decision_is_all_or_nothing(review, documents, drafter, legal_reviewer):
    proposed = item_of(review, documents["quiet"]).pk
    waiting = item_of(review, documents["asked"]).pk
    review_propose(
        actor=drafter, item_id=proposed, proposal=ReviewProposal(verdict="keep", reasons="在")
    )
    with pytest.raises(ValidationError, match="项目资金安排的函"):
        review_decide_bulk(
            actor=legal_reviewer, review_id=review.pk, item_ids=[proposed, waiting], decision=KEEP
        )
    assert ReviewItem.objects.get(pk=proposed).status == "proposed"


def test_a_bulk_decision_refuses_a_change_a_document_cannot_take(
    review, documents, drafter, legal_reviewer, draft, unit_head
):
    # to on_request needs a legal ground; one shared decision, checked for every document
    ids = [item_of(review, documents[k]).pk for k in ("quiet", "expired")]
    review_propose_bulk(
        actor=drafter,
        review_id=review.pk,
        item_ids=ids,
        proposal=ReviewProposal(verdict="keep", reasons="维持"),
    )
    with pytest.raises(ValidationError) as error:
        review_decide_bulk(
            actor=legal_reviewer,
            review_id=review.pk,
            item_ids=ids,
            decision=ReviewDecision(
                verdict="change",
                attribute="on_request",
                reason_code="circumstances",
                reasons="情势变化",
            ),
        )
    assert "ground" in error.value.message_dict
    assert fresh(documents["quiet"]).attribute == "withheld"


@pytest.mark.django_db(transaction=True)
def test_two_officers_deciding_the_same_items_at_once_one_wins(
    review, documents, drafter, legal_reviewer, django_user_model, agency
):
    from tests.conftest import _persona

    second = _persona(django_user_model, "legal_two", agency, "legal_reviewer")
    ids = [item_of(review, documents[k]).pk for k in ("asked", "process", "expired")]
    review_propose_bulk(
        actor=drafter,
        review_id=review.pk,
        item_ids=ids,
        proposal=ReviewProposal(verdict="change", attribute="proactive", reasons="转为主动公开"),
    )
    results, errors = [], []
    barrier = threading.Barrier(2)

    def work(officer):
        try:
            barrier.wait()
            results.append(
                review_decide_bulk(
                    actor=officer, review_id=review.pk, item_ids=ids, decision=TO_PROACTIVE
                )
            )
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(o,)) for o in (legal_reviewer, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], StaleReview)
    assert Publication.objects.filter(source="review").count() == 3
    assert AttributeChange.objects.filter(source="review").count() == 3


def test_a_document_classified_during_the_review_is_withdrawn(review, documents, secrecy_reviewer):
    document_mark_classified(
        actor=secrecy_reviewer, document_id=documents["quiet"].pk, reason="已定密"
    )
    assert item_of(review, documents["quiet"]).status == "withdrawn"


def test_closing_needs_every_item_decided_and_computes_the_report(
    review, documents, drafter, other_drafter, legal_reviewer
):
    with pytest.raises(ValidationError, match="还有5项"):
        review_close(actor=legal_reviewer, review_id=review.pk)
    changed = [item_of(review, documents[k]).pk for k in ("asked", "expired")]
    kept = [item_of(review, documents[k]).pk for k in ("quiet", "process")]
    old = item_of(review, documents["old"]).pk
    review_propose_bulk(
        actor=drafter,
        review_id=review.pk,
        item_ids=changed + kept,
        proposal=ReviewProposal(verdict="keep", reasons="请法制机构决定"),
    )
    review_propose(
        actor=other_drafter, item_id=old, proposal=ReviewProposal(verdict="keep", reasons="维持")
    )
    review_decide_bulk(
        actor=legal_reviewer, review_id=review.pk, item_ids=changed, decision=TO_PROACTIVE
    )
    review_decide_bulk(
        actor=legal_reviewer, review_id=review.pk, item_ids=[*kept, old], decision=KEEP
    )
    report = review_close(actor=legal_reviewer, review_id=review.pk)
    assert (report.total, report.reviewed, report.kept, report.changed) == (5, 5, 3, 2)
    assert report.changed_to == {"proactive": 2}
    assert [(r.code, r.kept, r.changed) for r in report.by_reason] == [
        ("time_elapsed", 0, 2),
        ("reasons_stand", 3, 0),
    ]
    assert [(u.unit, u.reviewed, u.kept, u.changed) for u in report.by_unit] == [
        ("法规科", 1, 1, 0),
        ("综合科", 4, 2, 2),
    ]
    assert report.signals == {"requests": 1, "process_decided": 1, "aged": 1, "invalid": 1}
    assert sorted(c.title for c in report.changes) == ["已失效的办法", "项目资金安排的函"]
    assert {c.to_attribute for c in report.changes} == {"proactive"}
    # Xiaoyi task 3: the share of non-proactive documents by year. Formed in 2026: one proactive
    # and four restricted documents, two of which changed; 2019: the determined minutes.
    shares = {row.year: (row.total, row.non_proactive, row.share) for row in report.share_by_year}
    assert shares == {2019: (1, 1, 1.0), 2026: (5, 2, 0.4)}
    stored = AttributeReview.objects.get(pk=review.pk)
    assert stored.status == "closed"
    assert stored.report["changed"] == 2
    assert stored.report == review_report(stored).as_data()
    # The page, the letter and the list of changes read the stored report as the same dataclass.
    assert report_of(stored) == report
    with pytest.raises(StaleReview, match="已经结束"):
        review_decide(actor=legal_reviewer, item_id=old, decision=KEEP)


def test_another_agencys_legal_office_cannot_decide(review, documents, drafter, outsider):
    item = item_of(review, documents["quiet"])
    review_propose(
        actor=drafter, item_id=item.pk, proposal=ReviewProposal(verdict="keep", reasons="在")
    )
    with pytest.raises(NotAllowed, match="不是孝义市人民政府办公室的工作人员"):
        review_decide(actor=outsider, item_id=item.pk, decision=KEEP)
    with pytest.raises(NotAllowed):
        review_close(actor=outsider, review_id=review.pk)
    assert review_items(outsider, review).count() == 0


def test_a_change_between_on_request_and_withheld_stays_restricted(
    review, documents, drafter, legal_reviewer
):
    item = item_of(review, documents["quiet"])
    review_propose(
        actor=drafter,
        item_id=item.pk,
        proposal=ReviewProposal(
            verdict="change",
            attribute="on_request",
            reasons="人事安排已执行完毕",
            ground="internal_affairs",
        ),
    )
    review_decide(
        actor=legal_reviewer,
        item_id=item.pk,
        decision=ReviewDecision(
            verdict="change",
            attribute="on_request",
            reason_code="circumstances",
            reasons="人事安排已执行完毕，可依申请公开",
            ground="internal_affairs",
        ),
    )
    document = fresh(documents["quiet"])
    assert (document.attribute, document.attribute_state) == ("on_request", "restricted")
    assert not Publication.objects.filter(document=document).exists()
    change = AttributeChange.objects.filter(document=document).last()
    assert (change.from_attribute, change.to_attribute, change.source) == (
        "withheld",
        "on_request",
        "review",
    )
