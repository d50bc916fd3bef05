"""Documents transferred to the archives: recorded, and answered under the Archives Law
(DOMAIN §4.4; outcome not_our_agency, Art. 36(5))."""

import pytest
import time_machine
from django.core.exceptions import ValidationError

from attributes_app.archives import (
    ARCHIVED_ARTICLE,
    ARCHIVED_OUTCOME,
    document_cancel_archive_transfer,
    document_record_archive_transfer,
)
from attributes_app.exports import export_refusal
from attributes_app.models import ArchiveTransfer
from attributes_app.selectors import documents_in_error, pending_determinations, review_report
from attributes_app.services import (
    DocumentData,
    StaleDocument,
    attribute_determine,
    document_register,
    request_name_document,
    review_open,
)
from requests_app.models import CaseDocument
from requests_app.rules.outcomes import OUTCOMES
from requests_app.services import Proposal, decision_approve, decision_propose, request_accept
from tests.attributes_app.helpers import INTERNAL, fresh, issued
from tests.conftest import d
from tests.letters.helpers import docx_text, require_cjk_fonts, squash
from tests.requests_app.flow_helpers import refreshed, register
from workflow.errors import NotAllowed
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _march_2026():
    require_cjk_fonts()
    with time_machine.travel("2026-03-03 10:00 +0800", tick=False):
        yield


@pytest.fixture
def older(office_head, agency, unit):
    """A 2005 document without attribute, since transferred to the city archives."""
    return document_register(
        actor=office_head,
        agency=agency,
        data=DocumentData(
            title="关于城区土地征收补偿标准的通知",
            number="孝政发〔2005〕12号",
            drafting_unit_id=unit.pk,
            issued_on=d("2005-04-08"),
        ),
    )


def test_a_transfer_is_recorded_corrected_and_cancelled_with_its_history(older, office_head):
    document_record_archive_transfer(
        actor=office_head,
        document_id=older.pk,
        transferred_on=d("2016-05-10"),
        archive_name="孝义市档案馆",
    )
    document_record_archive_transfer(
        actor=office_head,
        document_id=older.pk,
        transferred_on=d("2016-05-12"),
        archive_name="孝义市档案馆",
    )
    transfer = ArchiveTransfer.objects.get(document=older)
    assert (transfer.transferred_on, transfer.recorded_by) == (d("2016-05-12"), office_head)
    with pytest.raises(ValidationError, match="理由"):
        document_cancel_archive_transfer(actor=office_head, document_id=older.pk, reason=" ")
    document_cancel_archive_transfer(actor=office_head, document_id=older.pk, reason="误登记")
    assert not ArchiveTransfer.objects.exists()
    events = AuditEvent.objects.filter(object_id=str(older.pk), action__startswith="document_arch")
    assert [(e.from_state, e.to_state) for e in events.order_by("pk")] == [
        ("", "2016年5月10日移交孝义市档案馆"),
        ("2016年5月10日移交孝义市档案馆", "2016年5月12日移交孝义市档案馆"),
        ("2016年5月12日移交孝义市档案馆", ""),
    ]


def test_bad_transfers_are_refused_with_the_field_named(older, office_head, draft):
    for kwargs, field in (
        ({"transferred_on": d("2026-03-04"), "archive_name": "孝义市档案馆"}, "transferred_on"),
        ({"transferred_on": d("2004-01-01"), "archive_name": "孝义市档案馆"}, "transferred_on"),
        ({"transferred_on": None, "archive_name": "孝义市档案馆"}, "transferred_on"),
        ({"transferred_on": d("2016-05-10"), "archive_name": ""}, "archive_name"),
    ):
        with pytest.raises(ValidationError) as error:
            document_record_archive_transfer(actor=office_head, document_id=older.pk, **kwargs)
        assert field in error.value.message_dict
    with pytest.raises(StaleDocument, match="尚未印发"):
        document_record_archive_transfer(
            actor=office_head,
            document_id=draft().pk,
            transferred_on=d("2026-03-01"),
            archive_name="孝义市档案馆",
        )


def test_only_the_office_or_the_unit_records_a_transfer(older, handler, outsider, drafter):
    for actor in (handler, outsider):
        with pytest.raises(NotAllowed):
            document_record_archive_transfer(
                actor=actor,
                document_id=older.pk,
                transferred_on=d("2016-05-10"),
                archive_name="孝义市档案馆",
            )
    document_record_archive_transfer(
        actor=drafter,
        document_id=older.pk,
        transferred_on=d("2016-05-10"),
        archive_name="孝义市档案馆",
    )


def test_a_request_for_a_transferred_document_is_told_to_apply_under_the_archives_law(
    older, office_head, handler, registrar, agency, walk_in
):
    # DOMAIN §4.4: no determination for a transferred document; the reply takes outcome
    # not_our_agency (Art. 36(5), report row 三(四)1) with the Archives Law paragraph.
    assert (ARCHIVED_OUTCOME, OUTCOMES[ARCHIVED_OUTCOME].basis) == (
        "not_our_agency",
        "第三十六条第（五）项",
    )
    document_record_archive_transfer(
        actor=office_head,
        document_id=older.pk,
        transferred_on=d("2016-05-10"),
        archive_name="孝义市档案馆",
    )
    case = register(registrar, agency, walk_in)
    request_accept(actor=handler, case_id=case.pk)
    request_name_document(actor=handler, case_id=case.pk, document_id=older.pk)
    assert pending_determinations(case) == []
    assert not AuditEvent.objects.filter(action="determination_requested").exists()
    decision_propose(
        actor=handler,
        case_id=case.pk,
        proposal=Proposal(
            outcome=ARCHIVED_OUTCOME,
            articles=[ARCHIVED_ARTICLE],
            competent_agency="孝义市档案馆",
        ),
    )
    decision_approve(actor=office_head, case_id=case.pk)
    assert refreshed(case).outcome == "not_our_agency"
    reply = CaseDocument.objects.get(request=case, letter_kind="reply")
    text = squash(docx_text(reply.docx.read()))
    for fact in (
        "您申请获取的政府信息不属于本机关负责公开",
        "第三十六条第（五）项",
        "您申请获取的《关于城区土地征收补偿标准的通知》（孝政发〔2005〕12号）"
        "已于2016年5月10日移交孝义市档案馆，本机关不再保存",
        "请您依照《中华人民共和国档案法》的规定，向孝义市档案馆申请查阅利用",
        "六个月内",  # not a refusal to disclose: the applicant may go to court directly
    ):
        assert squash(fact) in text, fact
    assert "应当先申请行政复议" not in text


def test_the_archive_page_is_scoped_and_keeps_what_was_typed(client, older, office_head, outsider):
    url = f"/attributes/document_files/{older.pk}/archive/"
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(office_head)
    refused = client.post(
        url, {"_action": "record", "transferred_on": "2016-13-40", "archive_name": "孝义市档案馆"}
    )
    page = refused.content.decode()
    assert refused.status_code == 200 and "移交日期：请按“年-月-日”填写日期" in page
    assert 'value="孝义市档案馆"' in page
    done = client.post(
        url, {"_action": "record", "transferred_on": "2016-05-10", "archive_name": "孝义市档案馆"}
    )
    assert done.status_code == 302
    assert "已于2016年5月10日移交孝义市档案馆" in client.get(url).content.decode()


def test_the_document_page_shows_the_transfer_and_links_to_it_for_those_who_record(
    client, older, office_head, drafter, legal_reviewer
):
    # DOMAIN §4.4; who records: the disclosure office or the drafting unit (permissions table).
    page_url = f"/attributes/documents/{older.pk}/"
    archive_url = f"/attributes/document_files/{older.pk}/archive/"
    client.force_login(office_head)
    page = client.get(page_url).content.decode()
    assert "未移交" in page and f'href="{archive_url}"' in page and "登记移交档案馆" in page
    document_record_archive_transfer(
        actor=office_head,
        document_id=older.pk,
        transferred_on=d("2016-05-10"),
        archive_name="孝义市档案馆",
    )
    client.force_login(drafter)
    page = client.get(page_url).content.decode()
    assert "已于2016年5月10日移交孝义市档案馆" in page and "更正或取消移交记录" in page
    client.force_login(legal_reviewer)
    page = client.get(page_url).content.decode()
    assert "已于2016年5月10日移交孝义市档案馆" in page and archive_url not in page
    assert f'href="{page_url}"' in client.get(archive_url).content.decode()


def test_a_transferred_document_is_not_determined_and_the_page_does_not_offer_it(
    client, older, office_head, unit_head
):
    page_url = f"/attributes/documents/{older.pk}/"
    client.force_login(unit_head)
    page = client.get(page_url).content.decode()
    assert 'id="action-determine"' in page and 'id="error-case"' in page
    assert list(documents_in_error(office_head)) == [older]
    document_record_archive_transfer(
        actor=office_head,
        document_id=older.pk,
        transferred_on=d("2016-05-10"),
        archive_name="孝义市档案馆",
    )
    page = client.get(page_url).content.decode()
    assert 'id="action-determine"' not in page and 'id="error-case"' not in page
    assert not documents_in_error(office_head).exists()  # the archives' now, not an error here
    assert "不再认定和加注公开属性" in export_refusal(fresh(older))
    with pytest.raises(StaleDocument, match=r"已于2016年5月10日移交孝义市档案馆.*档案法"):
        attribute_determine(
            actor=unit_head,
            document_id=older.pk,
            attribute="on_request",
            reasons="系本机关内部人事安排",
            ground="internal_affairs",
        )
    refused = client.post(
        f"/attributes/documents/{older.pk}/actions/determine/",
        {"attribute": "proactive", "reasons": "可以公开"},
        follow=True,
    )
    assert refused.status_code in (200, 403, 404)
    assert fresh(older).attribute_state == "undetermined"


def test_a_transferred_document_leaves_the_yearly_review(
    office_head, legal_reviewer, agency, draft, drafter, unit_head
):
    kept, moved, later = (
        issued(
            draft(title=title), drafter=drafter, head=unit_head, attribute="on_request", **INTERNAL
        )
        for title in ("留存的文件", "已移交的文件", "复核中移交的文件")
    )
    document_record_archive_transfer(
        actor=office_head,
        document_id=moved.pk,
        transferred_on=d("2026-03-03"),
        archive_name="孝义市档案馆",
    )
    review = review_open(actor=legal_reviewer, agency=agency, year=2026)
    assert set(review.items.values_list("document_id", flat=True)) == {kept.pk, later.pk}
    document_record_archive_transfer(
        actor=office_head,
        document_id=later.pk,
        transferred_on=d("2026-03-03"),
        archive_name="孝义市档案馆",
    )
    statuses = dict(review.items.values_list("document_id", "status"))
    assert statuses == {kept.pk: "with_unit", later.pk: "withdrawn"}
    assert review_report(review).withdrawn == 1
