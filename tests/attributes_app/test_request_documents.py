"""The documents a request names, picked from the agency's register (requests_app.selectors and
services; DOMAIN §4.3, §4.4)."""

from urllib.parse import unquote

import pytest
import time_machine
from django.core.exceptions import ValidationError

from attributes_app.models import DocumentRequestLink, ReviewItem
from attributes_app.selectors import named_documents
from attributes_app.services import (
    DocumentData,
    document_register,
    request_name_document,
    request_unname_document,
    review_open,
)
from requests_app.services import (
    Proposal,
    StaleCase,
    decision_approve,
    decision_propose,
    request_accept,
    request_register,
)
from tests.attributes_app.helpers import INTERNAL, issued
from tests.attributes_app.texts import OFFICIAL, attach, docx_bytes, paragraphs
from tests.conftest import d
from tests.requests_app.flow_helpers import REG, secrecy_cleared
from workflow.errors import NotAllowed
from workflow.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.case(process=True, accepted=True)]


@pytest.fixture(autouse=True)
def _march_2026():
    with time_machine.travel("2026-03-03 10:00 +0800", tick=False):
        yield


@pytest.fixture
def restricted(draft, drafter, unit_head):
    """An issued on-request document (its attribute is confirmed: no determination)."""
    return issued(
        draft(title="老旧小区改造项目资金安排的函", number="孝政办函〔2026〕2号"),
        drafter=drafter,
        head=unit_head,
        attribute="on_request",
        reasons="仅涉及特定项目单位",
        ground="limited_scope",
    )


def test_the_case_page_shows_each_documents_attribute_and_state(client, case, restricted, handler):
    request_name_document(actor=handler, case_id=case.pk, document_id=restricted.pk)
    client.force_login(handler)
    page = client.get(f"/requests/cases/{case.pk}/").content.decode()
    assert "《老旧小区改造项目资金安排的函》" in page
    assert "依申请公开" in page and "（此件依申请公开）" in page
    assert "不主动公开（依申请公开或不予公开）" in page
    assert "determination-block" not in page  # nothing to wait for
    event = AuditEvent.objects.filter(action="document_named", object_id=str(case.pk)).get()
    assert event.reason == "申请涉及《老旧小区改造项目资金安排的函》（孝政办函〔2026〕2号）"
    marked = f"/attributes/document_files/{restricted.pk}/marked/"
    assert marked in page  # issued, so its final text is there (issue #10 point 16)


def test_the_handler_gets_the_named_documents_text_with_its_mark(
    client, case, restricted, handler, drafter
):
    attach(restricted, drafter, "函.docx", docx_bytes(OFFICIAL))
    request_name_document(actor=handler, case_id=case.pk, document_id=restricted.pk)
    client.force_login(handler)
    page = client.get(f"/requests/cases/{case.pk}/").content.decode()
    marked = f"/attributes/document_files/{restricted.pk}/marked/"
    assert marked in page
    assert "（此件依申请公开）" in paragraphs(client.get(marked).content)


def test_the_picker_searches_issued_documents_and_names_one(
    client, case, restricted, draft, handler
):
    draft(title="老旧小区改造的文稿")  # a draft is not offered
    client.force_login(handler)
    page = client.get(f"/requests/cases/{case.pk}/?doc_q=老旧小区").content.decode()
    assert "孝政办函〔2026〕2号" in page and "老旧小区改造的文稿" not in page
    response = client.post(
        f"/attributes/case_documents/{case.pk}/add/",
        {"document_id": restricted.pk, "next": f"/requests/cases/{case.pk}/?doc_q=老旧小区"},
    )
    assert unquote(response["Location"]).endswith("?doc_q=老旧小区#named-documents")
    assert [n.document for n in named_documents(case)] == [restricted]
    again = client.get(f"/requests/cases/{case.pk}/?doc_q=老旧小区").content.decode()
    assert "register-matches" not in again  # named already: no longer offered


def test_a_draft_or_another_agencys_document_cannot_be_named(
    case, draft, handler, other_agency, admin_user, django_user_model
):
    from attributes_app.services import drafting_unit_save
    from tests.conftest import _persona

    with pytest.raises(ValidationError, match="尚未印发，是文稿"):
        request_name_document(actor=handler, case_id=case.pk, document_id=draft().pk)
    admin_user.agencies.add(other_agency)
    foreign_office = _persona(django_user_model, "fenyang_office", other_agency, "office_head")
    foreign_unit = drafting_unit_save(actor=admin_user, agency=other_agency, name="办公室")
    foreign = document_register(
        actor=foreign_office,
        agency=other_agency,
        data=DocumentData(
            title="汾阳市的文件", drafting_unit_id=foreign_unit.pk, issued_on=d("2020-01-02")
        ),
    )
    with pytest.raises(ValidationError, match="本机关的文件台账"):
        request_name_document(actor=handler, case_id=case.pk, document_id=foreign.pk)
    assert not DocumentRequestLink.objects.exists()


def test_who_may_name_and_when(client, case, restricted, handler, registrar, outsider, office_head):
    with pytest.raises(NotAllowed, match="承办人或政务公开工作机构负责人"):
        request_name_document(actor=registrar, case_id=case.pk, document_id=restricted.pk)
    with pytest.raises(NotAllowed, match="其他机关"):
        request_name_document(actor=outsider, case_id=case.pk, document_id=restricted.pk)
    request_name_document(actor=office_head, case_id=case.pk, document_id=restricted.pk)
    with pytest.raises(ValidationError, match="已关联"):
        request_name_document(actor=handler, case_id=case.pk, document_id=restricted.pk)
    request_unname_document(actor=handler, case_id=case.pk, document_id=restricted.pk)
    assert not DocumentRequestLink.objects.exists()
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
    # Once proposed, the documents are what the decision was made on.
    with pytest.raises(StaleCase, match="审批"):
        request_name_document(actor=handler, case_id=case.pk, document_id=restricted.pk)
    client.force_login(outsider)
    response = client.post(
        f"/attributes/case_documents/{case.pk}/add/", {"document_id": restricted.pk}
    )
    assert response.status_code == 404
    client.force_login(handler)
    response = client.post(
        f"/attributes/case_documents/{case.pk}/add/", {"document_id": restricted.pk}
    )
    assert response.status_code == 302  # refused with a message, never a 500
    page = client.get(response["Location"]).content.decode()
    assert "当前处于“审批”阶段" in page


def answered(agency, registrar, handler, office_head, walk_in, document, *, name, passport):
    case = request_register(
        actor=registrar,
        agency=agency,
        data=walk_in(applicant_name=name, id_type="passport", id_number=passport),
    )
    request_accept(actor=handler, case_id=case.pk)
    request_name_document(actor=handler, case_id=case.pk, document_id=document.pk)
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


def test_the_yearly_review_counts_the_disclosed_requests_through_the_links(
    agency, registrar, handler, office_head, legal_reviewer, walk_in, draft, drafter, unit_head
):
    # Art. 44 (DOMAIN §4.3): 3 distinct applicants given the document flag it for review.
    document = issued(draft(), drafter=drafter, head=unit_head, attribute="withheld", **INTERNAL)
    for name, passport in (("张一", "E10000001"), ("李二", "E10000002")):
        answered(
            agency, registrar, handler, office_head, walk_in, document, name=name, passport=passport
        )
    # The same applicant twice counts once; a request still open does not count.
    answered(
        agency,
        registrar,
        handler,
        office_head,
        walk_in,
        document,
        name="李二",
        passport="E10000002",
    )
    pending = request_register(
        actor=registrar,
        agency=agency,
        data=walk_in(applicant_name="赵五", id_type="passport", id_number="E10000005"),
    )
    request_accept(actor=handler, case_id=pending.pk)
    request_name_document(actor=handler, case_id=pending.pk, document_id=document.pk)
    review = review_open(actor=legal_reviewer, agency=agency, year=2026)
    item = ReviewItem.objects.get(review=review, document=document)
    assert (item.applicants, item.signal_requests) == (2, False)
    answered(
        agency,
        registrar,
        handler,
        office_head,
        walk_in,
        document,
        name="王三",
        passport="E10000003",
    )
    review.delete()
    review = review_open(actor=legal_reviewer, agency=agency, year=2026)
    item = ReviewItem.objects.get(review=review, document=document)
    assert (item.applicants, item.signal_requests) == (3, True)


def test_a_nul_in_the_pickers_search_is_dropped_not_a_server_error(
    client, case, restricted, handler
):
    # Issue #10 point 7: ``?doc_q=%00`` was a server error on PostgreSQL.
    client.force_login(handler)
    response = client.get(f"/requests/cases/{case.pk}/?doc_q=%00")
    assert response.status_code == 200
    found = client.get(f"/requests/cases/{case.pk}/?doc_q=%E8%80%81%E6%97%A7%00%E5%B0%8F%E5%8C%BA")
    assert found.status_code == 200
    assert "孝政办函〔2026〕2号" in found.content.decode()
