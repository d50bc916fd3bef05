"""Art. 32: disclosure over a third party's objection needs the public-interest reasons, and
each objecting third party is told in writing what is disclosed and why."""

import pytest
from django.core.exceptions import ValidationError

from requests_app.models import CaseDocument, Consultation, InformationRequest
from requests_app.services import (
    Proposal,
    consultation_record_reply,
    consultation_send,
    decision_approve,
    decision_propose,
    request_serve,
)
from tests.conftest import d
from tests.letters.helpers import docx_text, squash
from tests.requests_app.flow_helpers import secrecy_cleared

pytestmark = [pytest.mark.django_db, pytest.mark.case(accepted=d("2026-03-03"))]
REG = "《中华人民共和国政府信息公开条例》"
PUBLIC_INTEREST = "所涉工程使用财政资金，关系众多居民切身利益，不公开将对公共利益造成重大影响。"


@pytest.fixture(autouse=True)
def two_third_parties_consulted(case, handler):
    # Received 2026-03-02, accepted and consulted 03-03; the two third parties reply on 03-05.
    for name, matter in (("甲建设公司", "施工合同金额"), ("乙监理公司", "监理报告")):
        consultation_send(
            actor=handler,
            case_id=case.pk,
            party="third_party",
            party_name=name,
            matter=matter,
            today=d("2026-03-03"),
        )


def reply(case, handler, name, answer, reasons=""):
    consultation = Consultation.objects.get(request=case, party_name=name)
    consultation_record_reply(
        actor=handler,
        consultation_id=consultation.pk,
        reply=answer,
        replied_on=d("2026-03-05"),
        reasons=reasons,
        today=d("2026-03-05"),
    )
    return consultation


def propose(case, handler, outcome="disclosed", **changes):
    values = {
        "outcome": outcome,
        "articles": [f"{REG}第三十六条第（二）项"],
        "provided": ["施工合同", "监理报告"],
        "provide_form": "electronic",
    }
    if outcome == "partly_disclosed":
        values["articles"] = [f"{REG}第三十七条", f"{REG}第十五条"]
        values["withheld_parts"] = [
            {"description": "监理报告中的人员信息", "reason": "个人隐私", "basis": f"{REG}第十五条"}
        ]
    values.update(changes)
    return decision_propose(
        actor=handler, case_id=case.pk, proposal=Proposal(**values), today=d("2026-03-06")
    )


def notices(case) -> list[CaseDocument]:
    return list(
        CaseDocument.objects.filter(request=case, letter_kind="third_party_disclosure_notice")
    )


def test_disclosure_over_an_objection_needs_the_public_interest_reasons(case, handler):
    # Art. 32: an objection with reasonable grounds means withholding, unless withholding would
    # seriously affect the public interest.
    reply(case, handler, "甲建设公司", "object", "涉及商业秘密")
    reply(case, handler, "乙监理公司", "agree")
    with pytest.raises(ValidationError) as refused:
        propose(case, handler)
    message = refused.value.message_dict["public_interest_reasons"][0]
    assert "甲建设公司" in message and "乙监理公司" not in message
    assert "第三十二条" in message
    assert InformationRequest.objects.get(pk=case.pk).stage == "propose"


def test_approval_tells_each_objecting_third_party_in_writing(case, handler, office_head):
    # Art. 32: "将决定公开的政府信息内容和理由书面告知第三方".
    objecting = reply(case, handler, "甲建设公司", "object", "涉及商业秘密")
    agreeing = reply(case, handler, "乙监理公司", "agree")
    decision = propose(case, handler, public_interest_reasons=PUBLIC_INTEREST)
    assert decision.overridden_objections == [objecting.pk]
    assert notices(case) == []  # not before approval
    secrecy_cleared(case, office_head)
    decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-09"))
    (notice,) = notices(case)
    assert notice.title == "决定公开告知书（致甲建设公司）"
    objecting.refresh_from_db()
    agreeing.refresh_from_db()
    assert objecting.disclosure_notice == notice
    assert agreeing.disclosure_notice is None
    text = squash(docx_text(notice.docx.read()))
    for fact in ("甲建设公司", "2026年3月5日", "施工合同金额", PUBLIC_INTEREST, "第三十二条"):
        assert squash(fact) in text
    assert "向申请人提供" not in text  # no wait (agency default: none)
    # The third party may contest the decision: reconsideration or suit (DOMAIN §3.8).
    assert squash("孝义市人民政府申请行政复议") in text


def test_partial_disclosure_respecting_the_objection_needs_no_reasons(case, handler, office_head):
    # Art. 32/37: the objected content is among the withheld parts; nothing is overridden.
    objecting = reply(case, handler, "甲建设公司", "object", "涉及商业秘密")
    reply(case, handler, "乙监理公司", "agree")
    with pytest.raises(ValidationError, match="公共利益"):
        propose(case, handler, "partly_disclosed")
    decision = propose(case, handler, "partly_disclosed", objections_withheld=[objecting.pk])
    assert decision.overridden_objections == []
    secrecy_cleared(case, office_head)
    decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-09"))
    assert notices(case) == []


def test_full_disclosure_cannot_claim_an_objection_is_withheld(case, handler):
    # Art. 32/36(2): full disclosure withholds nothing, so every objection is overridden.
    objecting = reply(case, handler, "甲建设公司", "object", "涉及商业秘密")
    reply(case, handler, "乙监理公司", "agree")
    with pytest.raises(ValidationError) as refused:
        propose(
            case,
            handler,
            objections_withheld=[objecting.pk],
            public_interest_reasons=PUBLIC_INTEREST,
        )
    assert "objections_withheld" in refused.value.message_dict


def test_withholding_or_agreement_needs_no_public_interest_reasons(case, handler, office_head):
    # Art. 32: third parties that agree are not told of a disclosure over an objection.
    reply(case, handler, "甲建设公司", "agree")
    reply(case, handler, "乙监理公司", "agree")
    propose(case, handler)
    secrecy_cleared(case, office_head)
    decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-09"))
    assert notices(case) == []


def test_the_agency_may_wait_after_the_notice_before_serving(
    case, handler, office_head, registrar, agency
):
    # Art. 32 sets no wait; an agency Policy of 5 working days is kept, and it holds service.
    agency.third_party_wait_days = 5
    agency.save()
    reply(case, handler, "甲建设公司", "object", "涉及商业秘密")
    reply(case, handler, "乙监理公司", "agree")
    propose(case, handler, public_interest_reasons=PUBLIC_INTEREST)
    secrecy_cleared(case, office_head)
    decision = decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-09"))
    assert decision.disclose_from == d("2026-03-16")
    (notice,) = notices(case)
    assert squash("本机关将自2026年3月16日起向申请人提供") in squash(docx_text(notice.docx.read()))
    with pytest.raises(ValidationError) as refused:
        request_serve(
            actor=registrar,
            case_id=case.pk,
            method="electronic",
            served_on=d("2026-03-13"),
            today=d("2026-03-13"),
        )
    assert "2026年3月16日" in refused.value.message_dict["served_on"][0]
    request_serve(
        actor=registrar,
        case_id=case.pk,
        method="electronic",
        served_on=d("2026-03-16"),
        today=d("2026-03-16"),
    )


def test_a_wait_that_would_make_the_reply_late_is_refused(case, handler, office_head, agency):
    # Policy never overrides Art. 33: the due date (after the consultation pause) is 2026-04-01.
    agency.third_party_wait_days = 20
    agency.save()
    reply(case, handler, "甲建设公司", "object", "涉及商业秘密")
    reply(case, handler, "乙监理公司", "agree")
    propose(case, handler, public_interest_reasons=PUBLIC_INTEREST)
    assert InformationRequest.objects.get(pk=case.pk).due_date == d("2026-04-01")
    secrecy_cleared(case, office_head)
    with pytest.raises(ValidationError, match=r"至2026年4月7日.*将晚于答复期限2026年4月1日"):
        decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-09"))
    assert InformationRequest.objects.get(pk=case.pk).stage == "approve"
    assert notices(case) == []
