"""A request naming a document without attribute waits for the unit's determination by letter
(DOMAIN §4.4): the services, the unit's list, the answer page, the case and the propose task."""

import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from attributes_app.models import (
    AttributeChange,
    Determination,
    DeterminationLetter,
    DocumentRequestLink,
)
from attributes_app.selectors import determinations_waiting
from attributes_app.services import (
    DocumentData,
    StaleDocument,
    determination_answer,
    document_register,
    request_name_document,
)
from requests_app.models import CaseDocument
from requests_app.services import Proposal, decision_propose, request_accept
from tests.attributes_app.helpers import fresh
from tests.conftest import _persona, d
from tests.letters.helpers import docx_text, pdf_text, require_cjk_fonts, squash
from tests.requests_app.flow_helpers import REG, execute, refreshed, register, step, task, url
from workflow.errors import NotAllowed
from workflow.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.case(process=True, accepted=True)]

OFFICE = "孝义市人民政府办公室（政务公开办）"
REASONS = "仅涉及特定项目单位的资金安排，不需要公众广泛知晓"
DISCLOSED = Proposal(
    outcome="disclosed",
    articles=[f"{REG}第三十六条第（二）项"],
    provided=["文件全文"],
    provide_form="electronic",
)


@pytest.fixture(autouse=True)
def _march_2026(agency):
    require_cjk_fonts()
    agency.office_name = OFFICE
    agency.save()
    with time_machine.travel("2026-03-03 10:00 +0800", tick=False):
        yield


@pytest.fixture
def older(office_head, agency, unit):
    """A 2019 document entered in the register without an attribute."""
    return document_register(
        actor=office_head,
        agency=agency,
        data=DocumentData(
            title="关于城区老旧小区改造项目资金安排的通知",
            number="孝政办发〔2019〕23号",
            drafting_unit_id=unit.pk,
            formed_on=d("2019-06-14"),
            issued_on=d("2019-06-17"),
        ),
    )


def case_actions(case) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            object_type="requests_app.informationrequest", object_id=str(case.pk)
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_naming_it_opens_a_determination_that_blocks_the_proposal_but_not_the_clock(
    case, older, handler, unit_head, other_head, other_unit, office_head
):
    due = case.due_date
    request_name_document(actor=handler, case_id=case.pk, document_id=older.pk)
    assert case_actions(case)[-2:] == ["document_named", "determination_requested"]
    # The drafting unit's list; the office follows up every unit; other units see nothing.
    assert list(determinations_waiting(unit_head)) == [older]
    assert list(determinations_waiting(office_head)) == [older]
    assert list(determinations_waiting(other_head)) == []
    assert list(determinations_waiting(handler)) == []
    with pytest.raises(ValidationError, match="未确定公开属性，须由起草单位以公函认定"):
        decision_propose(actor=handler, case_id=case.pk, proposal=DISCLOSED)
    # The Regulation gives no pause for a determination: the reply period keeps running.
    after = refreshed(case)
    assert (after.stage, after.due_date, after.paused) == ("propose", due, False)


def test_the_unit_answers_by_letter_kept_with_every_waiting_case(
    case, older, handler, unit_head, registrar, agency, walk_in
):
    second = register(
        registrar, agency, walk_in, applicant_name="李四", id_type="passport", id_number="E12345678"
    )
    request_accept(actor=handler, case_id=second.pk)
    for named in (case, second):
        request_name_document(actor=handler, case_id=named.pk, document_id=older.pk)
    determination = determination_answer(
        actor=unit_head,
        document_id=older.pk,
        attribute="on_request",
        reasons=REASONS,
        ground="limited_scope",
    )
    document = fresh(older)
    assert (document.attribute, document.attribute_state) == ("on_request", "restricted")
    change = AttributeChange.objects.get(document=document)
    assert (change.source, change.determination) == ("determination", determination)
    assert determination.request == case  # the first request that named it
    letter = DeterminationLetter.objects.get(determination=determination)
    assert letter.number == "孝义市政府办属性函〔2026〕1号"
    text = squash(pdf_text(letter.file.read()))
    for fact in (
        "关于《关于城区老旧小区改造项目资金安排的通知》公开属性认定的函",
        OFFICE,
        "“依申请公开”",
        "（此件依申请公开）",
        REASONS,
        "第十九条",
        case.case_number,
        "孝义市人民政府办公室综合科",
        "2026年3月3日",
    ):
        assert squash(fact) in text, fact
    for named in (case, second):
        kept = CaseDocument.objects.get(request=named, letter_kind="attribute_letter")
        assert kept.number == letter.number
        assert REASONS in docx_text(kept.docx.read())
        assert case_actions(named)[-1] == "determination_answered"
    decision_propose(actor=handler, case_id=case.pk, proposal=DISCLOSED)
    assert refreshed(case).stage == "approve"
    assert list(determinations_waiting(unit_head)) == []


def test_letters_are_numbered_without_gaps(case, older, handler, unit_head, office_head, unit):
    newer = document_register(
        actor=office_head,
        agency=case.agency,
        data=DocumentData(
            title="关于城区道路改造的通知", drafting_unit_id=unit.pk, issued_on=d("2020-05-06")
        ),
    )
    for document in (older, newer):
        request_name_document(actor=handler, case_id=case.pk, document_id=document.pk)
        determination_answer(
            actor=unit_head, document_id=document.pk, attribute="proactive", reasons="应当公开"
        )
    assert list(
        DeterminationLetter.objects.order_by("sequence").values_list("sequence", flat=True)
    ) == [1, 2]


def test_no_determination_stands_without_its_letter(case, older, handler, unit_head, agency):
    # A letter that cannot be issued (no disclosure office to address it to) refuses it all.
    agency.office_name = ""
    agency.save()
    request_name_document(actor=handler, case_id=case.pk, document_id=older.pk)
    with pytest.raises(ValidationError, match="政府信息公开工作机构"):
        determination_answer(
            actor=unit_head, document_id=older.pk, attribute="proactive", reasons="应当公开"
        )
    assert fresh(older).attribute_state == "undetermined"
    assert not Determination.objects.exists() and not DeterminationLetter.objects.exists()


def test_the_second_of_two_heads_is_told_it_is_done(
    case, older, handler, unit, unit_head, django_user_model, agency, admin_user
):
    from attributes_app.services import drafting_unit_save

    deputy = _persona(django_user_model, "deputy_head", agency, "drafting_unit_head")
    drafting_unit_save(
        actor=admin_user, agency=agency, name=unit.name, heads=[unit_head, deputy], unit_id=unit.pk
    )
    request_name_document(actor=handler, case_id=case.pk, document_id=older.pk)
    determination_answer(
        actor=unit_head, document_id=older.pk, attribute="proactive", reasons="应当公开"
    )
    with pytest.raises(StaleDocument, match="待主动公开"):
        determination_answer(
            actor=deputy, document_id=older.pk, attribute="proactive", reasons="应当公开"
        )
    assert DeterminationLetter.objects.count() == 1


def test_only_the_units_head_answers(case, older, handler, drafter, other_head, other_unit):
    request_name_document(actor=handler, case_id=case.pk, document_id=older.pk)
    for actor in (drafter, other_head, handler):
        with pytest.raises(NotAllowed):
            determination_answer(
                actor=actor, document_id=older.pk, attribute="proactive", reasons="应当公开"
            )
    assert fresh(older).attribute_state == "undetermined"


def test_the_journey_through_the_pages(
    client, older, handler, unit_head, registrar, agency, walk_in
):
    case = register(registrar, agency, walk_in)
    step(client, handler, case, "accept", "accept")
    # The handler names the document from the propose task's register search.
    propose = task(case, "propose")
    client.force_login(handler)
    page = client.get(url(propose, "execute") + "?doc_q=老旧小区")
    assert "关联" in page.content.decode() and "孝政办发〔2019〕23号" in page.content.decode()
    response = client.post(
        f"/attributes/case_documents/{case.pk}/add/",
        {"document_id": older.pk, "next": url(propose, "execute")},
    )
    assert response.status_code == 302
    assert response["Location"] == url(propose, "execute") + "#named-documents"
    page = client.get(url(propose, "execute")).content.decode()
    assert "未确定公开属性，待综合科认定" in page
    assert "认定期间答复期限照常计算" in page
    # Proposing now comes back with the reason, and the task stays open.
    refused = execute(
        client,
        handler,
        propose,
        "propose",
        outcome="disclosed",
        articles=f"{REG}第三十六条第（二）项",
        provided="文件全文",
        provide_form="electronic",
    )
    assert refused.status_code == 200
    assert "须由起草单位以公函认定公开属性后，才能提出办理意见" in refused.content.decode()
    assert refreshed(case).stage == "propose"
    # The unit's head finds it in the list and answers on its page.
    client.force_login(unit_head)
    listing = client.get("/attributes/determinations/").content.decode()
    assert "关于城区老旧小区改造项目资金安排的通知" in listing and case.case_number in listing
    detail = f"/attributes/determinations/{older.pk}/"
    empty = client.post(detail, {"attribute": "withheld", "reasons": ""})
    assert empty.status_code == 200
    body = empty.content.decode()
    assert "认定理由：请填写此项。" in body
    answered = client.post(
        detail, {"attribute": "on_request", "reasons": REASONS, "ground": "limited_scope"}
    )
    assert answered.status_code == 302
    page = client.get(detail).content.decode()
    assert "孝义市政府办属性函〔2026〕1号" in page
    assert (
        "没有等待认定公开属性的文件" in client.get("/attributes/determinations/").content.decode()
    )
    # Back on the case: the attribute and its letter; the proposal goes through.
    client.force_login(handler)
    case_page = client.get(f"/requests/cases/{case.pk}/").content.decode()
    assert "（此件依申请公开）" in case_page and "公开属性认定函" in case_page
    step(
        client,
        handler,
        case,
        "propose",
        "propose",
        outcome="disclosed",
        articles=f"{REG}第三十六条第（二）项",
        provided="文件全文",
        provide_form="electronic",
    )
    assert refreshed(case).stage == "approve"


def test_every_new_page_is_scoped(client, case, older, handler, unit_head, drafter, outsider):
    request_name_document(actor=handler, case_id=case.pk, document_id=older.pk)
    detail = f"/attributes/determinations/{older.pk}/"
    client.force_login(outsider)
    listing = client.get("/attributes/determinations/").content.decode()
    assert "not-for-you" in listing and older.title not in listing
    assert client.get(detail).status_code == 404
    assert client.post(detail, {"attribute": "proactive", "reasons": "应当公开"}).status_code == 404
    client.force_login(handler)  # no determination role: told who determines, no list
    listing = client.get("/attributes/determinations/").content.decode()
    assert "由文件的起草单位负责人办理" in listing and older.title not in listing
    client.force_login(drafter)  # sees the document, may not answer for the unit
    assert "由综合科的负责人认定公开属性" in client.get(detail).content.decode()
    refused = client.post(detail, {"attribute": "proactive", "reasons": "应当公开"})
    assert refused.status_code == 403 and fresh(older).attribute_state == "undetermined"
    client.force_login(unit_head)
    assert client.post(detail, {"attribute": "proactive", "reasons": "应当公开"}).status_code == 302
    determination = Determination.objects.get()
    letter_url = f"/attributes/determinations/letters/{determination.pk}.pdf"
    client.force_login(outsider)
    assert client.get(letter_url).status_code == 404
    client.force_login(handler)
    response = client.get(letter_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert DocumentRequestLink.objects.filter(request=case, document=older).exists()


def document_page_answer(client, document, **changes):
    data = {
        "determine-attribute": "on_request",
        "determine-ground": "limited_scope",
        "determine-law": "",
        "determine-reasons": REASONS,
    }
    data.update({f"determine-{name}": value for name, value in changes.items()})
    return client.post(f"/attributes/documents/{document.pk}/actions/determine/", data)


def test_the_document_page_answers_by_the_same_letter(client, case, older, handler, unit_head):
    # DOMAIN §4.4: a determination goes out by letter whichever page it is made from.
    request_name_document(actor=handler, case_id=case.pk, document_id=older.pk)
    client.force_login(unit_head)
    page = client.get(f"/attributes/documents/{older.pk}/").content.decode()
    assert 'id="action-determine"' in page and "认定并出具公函" in page
    response = document_page_answer(client, older)
    assert response.status_code == 302
    letter = DeterminationLetter.objects.get(determination__document=older)
    assert letter.number == "孝义市政府办属性函〔2026〕1号"
    kept = CaseDocument.objects.get(request=case, letter_kind="attribute_letter")
    assert kept.number == letter.number and case_actions(case)[-1] == "determination_answered"
    page = client.get(response["Location"]).content.decode()
    assert f"已认定公开属性，公开属性认定函{letter.number}已出具。" in page
    pk = letter.determination_id
    assert f'href="/attributes/determinations/letters/{pk}.pdf"' in page
    assert f'href="/attributes/determinations/letters/{pk}.docx"' in page


def test_the_document_page_keeps_the_answer_when_no_letter_can_go_out(
    client, case, older, handler, unit_head, agency
):
    agency.office_name = ""
    agency.save()
    request_name_document(actor=handler, case_id=case.pk, document_id=older.pk)
    client.force_login(unit_head)
    response = document_page_answer(client, older)
    page = response.content.decode()
    assert response.status_code == 200 and "公开属性认定函不能出具" in page
    assert REASONS in page  # what was typed stays on the form
    assert fresh(older).attribute_state == "undetermined"
    assert not Determination.objects.exists()


def run_at_once(*calls) -> tuple[list, list]:
    """Run ``calls`` in threads released together; their results and their errors."""
    results, errors = [], []
    barrier = threading.Barrier(len(calls))

    def work(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as error:  # collected and asserted by the caller
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_two_heads_answering_at_once_one_wins(
    case, older, handler, unit, unit_head, django_user_model, agency, admin_user
):
    from attributes_app.services import drafting_unit_save

    deputy = _persona(django_user_model, "deputy_head", agency, "drafting_unit_head")
    drafting_unit_save(
        actor=admin_user, agency=agency, name=unit.name, heads=[unit_head, deputy], unit_id=unit.pk
    )
    request_name_document(actor=handler, case_id=case.pk, document_id=older.pk)
    results, errors = run_at_once(
        *(
            lambda head=head: determination_answer(
                actor=head, document_id=older.pk, attribute="proactive", reasons="应当公开"
            )
            for head in (unit_head, deputy)
        )
    )
    assert len(results) == 1 and len(errors) == 1, errors
    assert isinstance(errors[0], StaleDocument)
    assert DeterminationLetter.objects.count() == 1
    assert CaseDocument.objects.filter(request=case, letter_kind="attribute_letter").count() == 1


@pytest.mark.django_db(transaction=True)
def test_letters_answered_at_once_get_distinct_consecutive_numbers(
    case, older, handler, unit_head, other_head, other_unit, office_head
):
    other = document_register(
        actor=office_head,
        agency=case.agency,
        data=DocumentData(
            title="关于法规清理的通知", drafting_unit_id=other_unit.pk, issued_on=d("2021-05-06")
        ),
    )
    for document in (older, other):
        request_name_document(actor=handler, case_id=case.pk, document_id=document.pk)
    results, errors = run_at_once(
        lambda: determination_answer(
            actor=unit_head, document_id=older.pk, attribute="proactive", reasons="应当公开"
        ),
        lambda: determination_answer(
            actor=other_head, document_id=other.pk, attribute="proactive", reasons="应当公开"
        ),
    )
    assert errors == [] and len(results) == 2
    numbers = sorted(DeterminationLetter.objects.values_list("sequence", flat=True))
    assert numbers == [1, 2]
