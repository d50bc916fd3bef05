"""The attribute of a document from drafting to issuance (DOMAIN §4.1), through the services."""

import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection

from attributes_app.models import AttributeChange, Document, Publication
from attributes_app.selectors import available_transitions, documents_in_error
from attributes_app.services import (
    DocumentData,
    IssueRefused,
    StaleDocument,
    attribute_confirm,
    attribute_office_approve,
    attribute_office_return,
    attribute_propose,
    attribute_send_back,
    document_attach_interpretation,
    document_attach_text,
    document_issue,
    document_mark_classified,
    document_register,
    document_update,
)
from tests.attributes_app.helpers import INTERNAL, confirmed, fresh, issued, ready_to_issue
from tests.conftest import d
from workflow.errors import NotAllowed
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db


def history(document):
    return list(
        AttributeChange.objects.filter(document=document)
        .order_by("at", "id")
        .values_list("source", "from_state", "to_state", "from_attribute", "to_attribute")
    )


def events(document, action):
    return AuditEvent.objects.filter(
        object_type="attributes_app.document", object_id=str(document.pk), action=action
    )


# -- the register -------------------------------------------------------------------------------


def test_a_drafter_registers_a_draft_of_their_unit(draft, drafter, unit):
    document = draft(number="孝政办发〔2026〕12号")
    assert (document.drafter, document.drafting_unit, document.attribute_state) == (
        drafter,
        unit,
        "undetermined",
    )
    assert events(document, "document_registered").count() == 1


def test_a_classified_document_is_not_registered(draft):
    # DOMAIN §4.1: classified documents are handled outside the system.
    with pytest.raises(ValidationError) as error:
        draft(secrecy="classified")
    assert "涉密文件不在本系统" in error.value.message_dict["secrecy"][0]


def test_bad_particulars_are_named_by_field(draft, agency, other_agency, admin_user):
    from attributes_app.services import drafting_unit_save

    admin_user.agencies.add(other_agency)
    foreign = drafting_unit_save(actor=admin_user, agency=other_agency, name="外单位")
    draft(number="孝政办发〔2026〕1号")
    with pytest.raises(ValidationError) as error:
        draft(
            title=" ",
            kind="memo",
            number="孝政办发〔2026〕1号",
            formed_on=d("2026-03-10"),
            issued_on=d("2026-03-09"),
            today=d("2026-03-12"),
        )
    assert set(error.value.message_dict) == {"title", "kind", "number", "issued_on"}
    with pytest.raises((ValidationError, NotAllowed)):
        draft(drafting_unit_id=foreign.pk)


def test_a_drafter_of_another_unit_cannot_register_for_it(other_drafter, agency, unit):
    with pytest.raises(NotAllowed, match="综合科"):
        document_register(
            actor=other_drafter,
            agency=agency,
            data=DocumentData(title="某通知", drafting_unit_id=unit.pk),
        )


def test_an_outsider_cannot_register_for_the_agency(outsider, agency, unit):
    with pytest.raises(NotAllowed, match="不是孝义市人民政府办公室的工作人员"):
        document_register(
            actor=outsider,
            agency=agency,
            data=DocumentData(title="某通知", drafting_unit_id=unit.pk),
        )


def test_the_kind_is_fixed_once_an_attribute_is_proposed(draft, drafter, unit):
    document = draft()
    attribute_propose(actor=drafter, document_id=document.pk, attribute="proactive")
    with pytest.raises(ValidationError) as error:
        document_update(
            actor=drafter,
            document_id=document.pk,
            data=DocumentData(title=document.title, drafting_unit_id=unit.pk, kind="policy"),
        )
    assert "先退回" in error.value.message_dict["kind"][0]


# -- proposal, office review, confirmation (DOMAIN §4.1) ----------------------------------------


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_a_proactive_document_is_confirmed_at_approval_and_owes_publication(
    draft, drafter, unit_head
):
    document = draft()
    attribute_propose(actor=drafter, document_id=document.pk, attribute="proactive")
    assert fresh(document).attribute_state == "proposed"
    attribute_confirm(actor=unit_head, document_id=document.pk)
    document = fresh(document)
    assert document.attribute_state == "awaiting_publication"
    assert document.formed_on == d("2026-03-02")  # 成文日期 = the day of approval (签发)
    assert document.mark == "（此件公开发布）"
    publication = Publication.objects.get(document=document)
    # Art. 26: 20 working days from formation.
    assert (publication.source, publication.due_on) == ("drafting", d("2026-03-30"))
    assert history(document) == [
        ("drafting", "undetermined", "proposed", "", "proactive"),
        ("confirmation", "proposed", "awaiting_publication", "proactive", "proactive"),
    ]
    assert events(document, "attribute_confirm").get().actor == unit_head


def test_non_proactive_without_reasons_is_refused(draft, drafter):
    # DOMAIN §4.1: no reason, no approval.
    document = draft()
    with pytest.raises(ValidationError) as error:
        attribute_propose(actor=drafter, document_id=document.pk, attribute="on_request")
    assert set(error.value.message_dict) == {"reasons", "ground"}
    assert fresh(document).attribute_state == "undetermined"
    assert history(document) == []


def test_non_proactive_without_legal_ground_is_refused(draft, drafter):
    document = draft()
    with pytest.raises(ValidationError) as error:
        attribute_propose(
            actor=drafter, document_id=document.pk, attribute="withheld", reasons="涉及个人信息"
        )
    assert list(error.value.message_dict) == ["ground"]


def test_a_policy_document_proposed_withheld_goes_to_the_disclosure_office_first(
    draft, drafter, unit_head, office_head
):
    # DOMAIN §4.1 (Xiaoyi task 3): reviewed by the disclosure office before approval.
    document = draft(kind="policy")
    attribute_propose(actor=drafter, document_id=document.pk, attribute="withheld", **INTERNAL)
    assert fresh(document).attribute_state == "office_review"
    with pytest.raises(StaleDocument, match="须先经政务公开工作机构审查"):
        attribute_confirm(actor=unit_head, document_id=document.pk)
    attribute_office_approve(actor=office_head, document_id=document.pk, opinion="理由成立")
    attribute_confirm(actor=unit_head, document_id=document.pk)
    document = fresh(document)
    assert document.attribute_state == "restricted"
    assert document.office_review_opinion == "理由成立"
    assert not Publication.objects.filter(document=document).exists()
    assert [row[0] for row in history(document)] == ["drafting", "office_review", "confirmation"]


def test_a_policy_document_proposed_proactive_skips_the_office(draft, drafter):
    document = draft(kind="policy")
    attribute_propose(actor=drafter, document_id=document.pk, attribute="proactive")
    assert fresh(document).attribute_state == "proposed"


def test_the_office_returns_a_proposal_with_its_opinion(draft, drafter, office_head):
    document = draft(kind="policy")
    attribute_propose(actor=drafter, document_id=document.pk, attribute="on_request", **INTERNAL)
    with pytest.raises(ValidationError):
        attribute_office_return(actor=office_head, document_id=document.pk, opinion=" ")
    attribute_office_return(
        actor=office_head, document_id=document.pk, opinion="涉及公众利益调整，应主动公开"
    )
    document = fresh(document)
    assert (document.attribute_state, document.attribute) == ("undetermined", "")
    change = AttributeChange.objects.filter(document=document).last()
    assert (change.source, change.reason, change.actor) == (
        "office_review",
        "涉及公众利益调整，应主动公开",
        office_head,
    )
    # The drafter proposes again.
    attribute_propose(actor=drafter, document_id=document.pk, attribute="proactive")
    assert fresh(document).attribute_state == "proposed"


def test_the_head_sends_a_proposal_back_with_a_comment(draft, drafter, unit_head):
    document = draft()
    attribute_propose(actor=drafter, document_id=document.pk, attribute="proactive")
    with pytest.raises(ValidationError):
        attribute_send_back(actor=unit_head, document_id=document.pk, comment="")
    attribute_send_back(actor=unit_head, document_id=document.pk, comment="请补充公开范围")
    assert fresh(document).attribute_state == "undetermined"


def test_a_normative_document_cannot_be_proposed_non_proactive(draft, drafter):
    # Art. 20(1)
    document = draft(kind="normative")
    with pytest.raises(ValidationError) as error:
        attribute_propose(actor=drafter, document_id=document.pk, attribute="withheld", **INTERNAL)
    assert "第二十条" in error.value.message_dict["attribute"][0]


# -- who may act ---------------------------------------------------------------------------------


def test_wrong_roles_are_refused(draft, drafter, unit_head, handler, office_head):
    document = draft()
    with pytest.raises(NotAllowed, match="拟稿人"):
        attribute_propose(actor=handler, document_id=document.pk, attribute="proactive")
    attribute_propose(actor=drafter, document_id=document.pk, attribute="proactive")
    for actor in (drafter, office_head):
        with pytest.raises(NotAllowed, match="起草单位负责人"):
            attribute_confirm(actor=actor, document_id=document.pk)
    assert fresh(document).attribute_state == "proposed"


def test_a_drafter_of_another_unit_cannot_propose(draft, other_drafter, other_unit):
    document = draft()
    with pytest.raises(NotAllowed, match="综合科的拟稿人"):
        attribute_propose(actor=other_drafter, document_id=document.pk, attribute="proactive")


def test_a_head_of_another_unit_cannot_confirm(draft, drafter, other_head, other_unit):
    document = draft()
    attribute_propose(actor=drafter, document_id=document.pk, attribute="proactive")
    with pytest.raises(NotAllowed, match="综合科"):
        attribute_confirm(actor=other_head, document_id=document.pk)


def test_another_agency_cannot_act(draft, drafter, outsider):
    document = draft()
    with pytest.raises(NotAllowed, match="不是孝义市人民政府办公室的工作人员"):
        attribute_propose(actor=outsider, document_id=document.pk, attribute="proactive")


def test_the_page_offers_only_what_the_user_may_do(
    draft, drafter, unit_head, other_drafter, other_unit
):
    document = draft()
    assert available_transitions(drafter, document) == [("propose", "提出公开属性建议")]
    assert available_transitions(other_drafter, document) == []
    attribute_propose(actor=drafter, document_id=document.pk, attribute="proactive")
    names = [name for name, _ in available_transitions(unit_head, fresh(document))]
    assert names == ["confirm", "send_back"]


# -- issuance (不予发文) --------------------------------------------------------------------------


def test_issuing_without_a_proposed_attribute_is_refused_and_recorded(draft, unit_head):
    # DOMAIN §4.1: a request to issue without a proposed attribute is refused (不予发文).
    document = draft()
    with pytest.raises(IssueRefused) as error:
        document_issue(actor=unit_head, document_id=document.pk)
    assert error.value.messages == [
        "不予发文：未提出公开属性建议（主动公开、依申请公开或不予公开）。"
    ]
    assert fresh(document).issued_on is None
    assert events(document, "document_issue_refused").get().reason.startswith("不予发文")


def test_issuing_before_confirmation_is_refused(draft, drafter, unit_head):
    document = draft()
    attribute_propose(actor=drafter, document_id=document.pk, attribute="proactive")
    with pytest.raises(IssueRefused, match="尚未经起草单位负责人确认"):
        document_issue(actor=unit_head, document_id=document.pk)


def test_issuing_a_policy_document_still_with_the_office_is_refused(draft, drafter, unit_head):
    document = draft(kind="policy")
    attribute_propose(actor=drafter, document_id=document.pk, attribute="withheld", **INTERNAL)
    with pytest.raises(IssueRefused, match="尚待政务公开工作机构审查"):
        document_issue(actor=unit_head, document_id=document.pk)


def test_interpretation_approved_with_the_document_when_the_agency_says_so(
    draft, drafter, unit_head, agency
):
    # DOMAIN §4.2, Xiaoyi: the interpretation is approved with a policy document (同步审签);
    # without it the document is sent back (退文). interpretation_days 0 = with the document.
    agency.interpretation_days = 0
    agency.full_clean()
    agency.save()
    document = ready_to_issue(
        confirmed(draft(kind="policy"), drafter=drafter, head=unit_head), drafter=drafter
    )
    with pytest.raises(IssueRefused, match="退文"):
        document_issue(actor=unit_head, document_id=document.pk)
    assert fresh(document).issued_on is None
    document_attach_interpretation(
        actor=drafter,
        document_id=document.pk,
        file=ContentFile(b"%PDF-1.4", name="interpretation.pdf"),
    )
    assert events(document, "document_interpretation_attached").count() == 1
    document_issue(actor=unit_head, document_id=document.pk)
    assert fresh(document).issued_on is not None
    # another kind of document needs no interpretation
    other = ready_to_issue(confirmed(draft(), drafter=drafter, head=unit_head), drafter=drafter)
    document_issue(actor=unit_head, document_id=other.pk)
    with pytest.raises(ValidationError):
        document_attach_interpretation(
            actor=drafter, document_id=other.pk, file=ContentFile(b"%PDF-1.4", name="i.pdf")
        )


def test_a_policy_document_needs_no_material_at_issue_under_a_later_interpretation(
    draft, drafter, unit_head, agency
):
    # The default policy (3 working days after publication, Licheng 三(四)) does not send back.
    assert agency.interpretation_days == 3
    document = ready_to_issue(
        confirmed(draft(kind="policy"), drafter=drafter, head=unit_head), drafter=drafter
    )
    document_issue(actor=unit_head, document_id=document.pk)
    assert fresh(document).issued_on is not None


@time_machine.travel("2026-03-02 10:15 +0800", tick=False)
def test_issuing_under_the_hours_rule_starts_the_publication_clock(
    draft, drafter, unit_head, agency
):
    # Xiaoyi: published within 24 hours of issuance (agency policy, DOMAIN §4.2).
    agency.publication_rule = "hours"
    agency.save()
    document = ready_to_issue(confirmed(draft(), drafter=drafter, head=unit_head), drafter=drafter)
    publication = Publication.objects.get(document=document)
    assert publication.due_at is None  # not known before issuance
    document_issue(actor=unit_head, document_id=document.pk, number="孝政办发〔2026〕3号")
    publication.refresh_from_db()
    document = fresh(document)
    assert (document.issued_on, document.number) == (d("2026-03-02"), "孝政办发〔2026〕3号")
    assert publication.due_on == d("2026-03-03")
    assert publication.due_at.isoformat() == "2026-03-03T02:15:00+00:00"


def test_issuing_without_the_final_text_is_refused_and_recorded(draft, drafter, unit_head):
    # Issue #10 point 16: a document is issued as its final text.
    document = confirmed(draft(secrecy="non_secret"), drafter=drafter, head=unit_head)
    with pytest.raises(IssueRefused, match="尚未上传正式文本"):
        document_issue(actor=unit_head, document_id=document.pk)
    assert fresh(document).issued_on is None
    assert "正式文本" in events(document, "document_issue_refused").get().reason


def test_issuing_with_an_undecided_secrecy_status_is_refused(draft, drafter, unit_head):
    # DOMAIN §4.1: "既不确定密级也不确定公开属性" must not arise from issuing.
    document = confirmed(draft(), drafter=drafter, head=unit_head)
    document_attach_text(
        actor=drafter, document_id=document.pk, file=ContentFile(b"%PDF-1.4", name="text.pdf")
    )
    with pytest.raises(IssueRefused, match="尚未确定密级状态"):
        document_issue(actor=unit_head, document_id=document.pk)
    assert fresh(document).issued_on is None
    ready_to_issue(document, drafter=drafter)
    document_issue(actor=unit_head, document_id=document.pk)
    assert fresh(document).is_issued


def test_a_document_is_issued_once(draft, drafter, unit_head):
    document = issued(draft(), drafter=drafter, head=unit_head)
    with pytest.raises(StaleDocument, match="已于"):
        document_issue(actor=unit_head, document_id=document.pk)


def test_an_issued_document_without_secrecy_status_or_attribute_is_an_error(
    draft, drafter, unit_head, other_agency
):
    # DOMAIN §4.1: "既不确定密级也不确定公开属性" is reported.
    older = draft(title="2019年某通知", formed_on=d("2019-05-06"), issued_on=d("2019-05-08"))
    draft(title="另一份已标注密级的旧文件", issued_on=d("2019-06-01"), secrecy="non_secret")
    draft(title="尚在拟稿的文件")
    issued(draft(title="已确定属性的文件"), drafter=drafter, head=unit_head)
    assert list(documents_in_error(drafter)) == [older]


# -- concurrency ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_heads_confirming_at_once_one_wins(
    draft, drafter, unit_head, admin_user, unit, django_user_model, agency
):
    from attributes_app.services import drafting_unit_save
    from tests.conftest import _persona

    second_head = _persona(django_user_model, "second_head", agency, "drafting_unit_head")
    drafting_unit_save(
        actor=admin_user,
        agency=agency,
        name=unit.name,
        members=[drafter],
        heads=[unit_head, second_head],
        unit_id=unit.pk,
    )
    document = draft()
    attribute_propose(actor=drafter, document_id=document.pk, attribute="proactive")
    results, errors = [], []
    barrier = threading.Barrier(2)

    def work(head):
        try:
            barrier.wait()
            attribute_confirm(actor=head, document_id=document.pk)
            results.append(head.username)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(h,)) for h in (unit_head, second_head)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], StaleDocument)
    assert "待主动公开" in str(errors[0])
    assert Publication.objects.filter(document=document).count() == 1
    assert AttributeChange.objects.filter(document=document, source="confirmation").count() == 1


# -- classified documents leave the system --------------------------------------------------------


def test_a_classified_document_leaves_with_a_record(
    draft, drafter, unit_head, secrecy_reviewer, django_capture_on_commit_callbacks
):
    document = confirmed(draft(), drafter=drafter, head=unit_head)
    document_attach_text(
        actor=drafter, document_id=document.pk, file=ContentFile(b"%PDF-1.4", name="text.pdf")
    )
    stored = fresh(document).file
    storage, name = stored.storage, stored.name
    assert storage.exists(name)
    with pytest.raises(NotAllowed):
        document_mark_classified(actor=drafter, document_id=document.pk, reason="定密")
    with django_capture_on_commit_callbacks(execute=True):
        document_mark_classified(
            actor=secrecy_reviewer, document_id=document.pk, reason="经定密责任人确定为秘密级"
        )
    document = fresh(document)
    assert (document.attribute_state, document.secrecy, document.file.name) == (
        "classified",
        "classified",
        "",
    )
    assert document.classified_by == secrecy_reviewer
    assert not storage.exists(name)
    assert Publication.objects.get(document=document).withdrawn_on is not None
    assert history(document)[-1][:3] == ("classification", "awaiting_publication", "classified")
    with pytest.raises(IssueRefused, match="涉密"):
        document_issue(actor=unit_head, document_id=document.pk)


def test_every_transition_writes_history_and_an_audit_event(draft, drafter, unit_head, office_head):
    document = confirmed(
        draft(kind="policy"),
        drafter=drafter,
        head=unit_head,
        attribute="on_request",
        office=office_head,
        **INTERNAL,
    )
    changes = AttributeChange.objects.filter(document=document).order_by("id")
    assert [(c.actor, c.source) for c in changes] == [
        (drafter, "drafting"),
        (office_head, "office_review"),
        (unit_head, "confirmation"),
    ]
    assert all(c.legal_basis == "《中华人民共和国政府信息公开条例》第十六条第一款" for c in changes)
    audited = AuditEvent.objects.filter(
        object_type="attributes_app.document",
        object_id=str(document.pk),
        action__startswith="attribute_",
    ).order_by("id")
    assert [(e.from_state, e.to_state) for e in audited] == [
        ("undetermined", "office_review"),
        ("office_review", "proposed"),
        ("proposed", "restricted"),
    ]
    assert Document.objects.get(pk=document.pk).attribute == "on_request"
