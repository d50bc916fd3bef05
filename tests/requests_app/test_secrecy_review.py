"""Privacy and secrecy of a reply (issue #11 §3).

- Art. 15, 34: the consultation notice to the applicant names a co-producing agency, never the
  third party whose trade secrets or privacy are at stake.
- Art. 17 ¶2 (Licheng 三(一)): every piece of information proposed for disclosure passes a
  secrecy review with a recorded opinion before approval; the handling sheet shows it.
- Art. 15, 32: a refusal to protect a third party that was not consulted says why not.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from requests_app.case_file import handling_steps
from requests_app.flows import RequestFlow, process_for, sync_process
from requests_app.models import CaseDocument, Decision, InformationRequest, SecrecyReview
from requests_app.services import (
    Proposal,
    StaleCase,
    consultation_send,
    decision_approve,
    decision_propose,
    decision_record_secrecy_review,
    decision_return,
    request_archive,
    request_serve,
    request_upload,
)
from tests.conftest import _persona, d, make_other_agency
from tests.letters.helpers import docx_text, squash
from tests.requests_app import files as f
from tests.requests_app.flow_helpers import assign, execute, open_tasks, task, url
from workflow.errors import NotAllowed
from workflow.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.case(process=True, accepted=d("2026-03-03"))]
S = InformationRequest.Stage
REG = "《中华人民共和国政府信息公开条例》"
OPINION = "经审查，拟公开的资金拨付明细不涉及国家秘密，同意公开。"


def refreshed(case) -> InformationRequest:
    return InformationRequest.objects.get(pk=case.pk)


def disclose(case, handler, outcome="partly_disclosed", today=None) -> Decision:
    values = {
        "outcome": outcome,
        "articles": [f"{REG}第三十六条第（二）项"],
        "provided": ["资金拨付明细表"],
        "provide_form": "electronic",
    }
    if outcome == "partly_disclosed":
        values["articles"] = [f"{REG}第三十七条", f"{REG}第十五条"]
        values["withheld_parts"] = [
            {
                "description": "收款人的身份证号码和银行账号",
                "reason": "个人隐私",
                "basis": f"{REG}第十五条",
            }
        ]
    return decision_propose(
        actor=handler, case_id=case.pk, proposal=Proposal(**values), today=today or d("2026-03-04")
    )


def review(case, actor, passed=True, opinion=OPINION, today=None) -> SecrecyReview:
    return decision_record_secrecy_review(
        actor=actor,
        case_id=case.pk,
        passed=passed,
        opinion=opinion,
        today=today or d("2026-03-05"),
    )


# -- Art. 15 and 34: whom the applicant is told was consulted ------------------------------------


def _notice_text(case) -> str:
    notice = CaseDocument.objects.get(request=case, letter_kind="consultation_notice")
    return squash(docx_text(notice.docx.read()))


def test_the_applicants_consultation_notice_does_not_name_the_third_party(case, handler):
    # Art. 15 protects the third party's trade secrets and privacy: the applicant learns that a
    # third party was consulted, not which company.
    consultation_send(
        actor=handler,
        case_id=case.pk,
        party="third_party",
        party_name="孝义市某建设工程有限公司",
        matter="工程合同金额",
        today=d("2026-03-03"),
    )
    text = _notice_text(case)
    assert "相关第三方" in text
    assert "某建设工程有限公司" not in text
    # The third party's own letter does name it (it is addressed to it).
    letter = CaseDocument.objects.get(request=case, letter_kind="third_party_consultation")
    assert "孝义市某建设工程有限公司" in squash(docx_text(letter.docx.read()))


def test_the_applicants_consultation_notice_names_a_co_producing_agency(case, handler):
    # Art. 34: information made jointly with another agency; naming it protects nobody's rights.
    consultation_send(
        actor=handler,
        case_id=case.pk,
        party="agency",
        party_name="孝义市财政局",
        matter="联合印发的资金管理办法",
        today=d("2026-03-03"),
    )
    assert "孝义市财政局" in _notice_text(case)


# -- Art. 17 ¶2: the secrecy review before approval ---------------------------------------------


@pytest.mark.parametrize("outcome", ["disclosed", "partly_disclosed"])
def test_approval_of_a_disclosure_is_refused_without_a_secrecy_review(
    case, handler, office_head, secrecy_reviewer, outcome
):
    disclose(case, handler, outcome)
    with pytest.raises(ValidationError, match=r"尚未通过保密审查.*第十七条第二款"):
        decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-05"))
    assert refreshed(case).stage == S.APPROVE
    assert not CaseDocument.objects.filter(request=case, letter_kind__startswith="reply").exists()


def test_a_refusal_needs_no_secrecy_review(case, handler, office_head, secrecy_reviewer):
    decision_propose(
        actor=handler,
        case_id=case.pk,
        proposal=Proposal(
            outcome="not_held",
            articles=[f"{REG}第三十六条第（四）项"],
            search_description="检索了2025年全部收文和发文",
        ),
        today=d("2026-03-04"),
    )
    decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-05"))
    assert refreshed(case).stage == S.SERVE
    with pytest.raises(StaleCase):
        review(case, secrecy_reviewer)


def test_the_secrecy_reviewer_records_the_review_then_the_office_head_approves(
    case, handler, office_head, secrecy_reviewer
):
    decision = disclose(case, handler)
    recorded = review(case, secrecy_reviewer)
    assert (recorded.reviewer, recorded.reviewed_on, recorded.opinion) == (
        secrecy_reviewer,
        d("2026-03-05"),
        OPINION,
    )
    assert (recorded.conclusion, recorded.proposal_at, recorded.by_office_head) == (
        "cleared",
        decision.proposed_at,
        False,
    )
    event = AuditEvent.objects.get(object_id=str(case.pk), action="decision_secrecy_reviewed")
    assert (event.actor, event.reason) == (secrecy_reviewer, f"不涉及国家秘密，同意公开：{OPINION}")
    # Recorded once per proposal.
    with pytest.raises(StaleCase, match="已于2026年3月5日经保密审查"):
        review(case, secrecy_reviewer)
    decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-05"))
    assert refreshed(case).stage == S.SERVE


def test_a_proposal_made_again_after_a_return_needs_a_new_review(
    case, handler, office_head, secrecy_reviewer
):
    disclose(case, handler)
    review(case, secrecy_reviewer)
    decision_return(actor=office_head, case_id=case.pk, comment="请核对提供的范围")
    disclose(case, handler, "disclosed", today=d("2026-03-06"))
    with pytest.raises(ValidationError, match="尚未通过保密审查"):
        decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-06"))
    review(case, secrecy_reviewer, today=d("2026-03-06"))
    decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-06"))
    assert refreshed(case).outcome == "disclosed"


def test_a_failed_review_sends_the_proposal_back_to_the_handler(
    case, handler, office_head, secrecy_reviewer
):
    disclose(case, handler)
    sync_process(case)
    assert open_tasks(case) == ["approve"]
    opinion = "明细表第3页含有涉密项目代号，不能公开。"
    recorded = review(case, secrecy_reviewer, passed=False, opinion=opinion)
    assert recorded.conclusion == "not_cleared"
    assert refreshed(case).stage == S.PROPOSE
    assert open_tasks(case) == ["propose"]  # the approval task is gone, the handler has it
    event = AuditEvent.objects.get(object_id=str(case.pk), action="decision_secrecy_refused")
    assert event.reason == f"不同意公开：{opinion}"
    with pytest.raises(StaleCase):
        decision_approve(actor=office_head, case_id=case.pk)


def test_the_opinion_is_required(case, handler, secrecy_reviewer):
    disclose(case, handler)
    with pytest.raises(ValidationError) as error:
        review(case, secrecy_reviewer, opinion="  ")
    assert "保密审查意见" in error.value.message_dict["opinion"][0]
    assert not SecrecyReview.objects.exists()


def test_only_the_secrecy_reviewer_of_the_agency_records_the_review(
    case, handler, office_head, registrar, secrecy_reviewer, django_user_model
):
    disclose(case, handler)
    for actor in (handler, registrar, office_head):  # the agency has a secrecy reviewer
        with pytest.raises(NotAllowed):
            review(case, actor)
    stranger = _persona(django_user_model, "fy_secrecy", make_other_agency(), "secrecy_reviewer")
    with pytest.raises(NotAllowed, match="其他机关"):
        review(case, stranger)
    assert not SecrecyReview.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="decision_secrecy").exists()


def test_without_a_secrecy_reviewer_the_office_head_records_it_and_the_record_says_so(
    case, handler, office_head
):
    disclose(case, handler)
    recorded = review(case, office_head)
    assert recorded.by_office_head
    event = AuditEvent.objects.get(object_id=str(case.pk), action="decision_secrecy_reviewed")
    assert "本机关未设保密审查人员，由政务公开工作机构负责人审查" in event.reason
    decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-05"))
    assert refreshed(case).stage == S.SERVE


def test_the_handling_sheet_shows_the_secrecy_review(
    case, handler, office_head, registrar, secrecy_reviewer
):
    secrecy_reviewer.first_name = "王保密"
    secrecy_reviewer.save()
    disclose(case, handler)
    review(case, secrecy_reviewer)
    decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-05"))
    request_serve(
        actor=registrar,
        case_id=case.pk,
        method="electronic",
        served_on=d("2026-03-06"),
        today=d("2026-03-06"),
    )
    request_archive(actor=registrar, case_id=case.pk, today=d("2026-03-09"))
    sheet = CaseDocument.objects.get(request=case, letter_kind="handling_sheet")
    text = squash(docx_text(sheet.docx.read()))
    assert "保密审查" in text and "王保密" in text and squash(OPINION) in text


# -- Art. 15 and 32: a refusal for a third party without consulting it ---------------------------


def _withhold(case, handler, **changes):
    values = {
        "outcome": "withheld_third_party",
        "articles": [f"{REG}第十五条", f"{REG}第三十六条第（三）项"],
        "reason": "所申请信息涉及第三方商业秘密。",
        **changes,
    }
    return decision_propose(
        actor=handler, case_id=case.pk, proposal=Proposal(**values), today=d("2026-03-04")
    )


def test_an_art15_refusal_without_consultation_asks_why_none_was_needed(case, handler):
    with pytest.raises(ValidationError) as error:
        _withhold(case, handler)
    assert "第三十二条" in error.value.message_dict["no_consultation_reason"][0]
    assert refreshed(case).stage == S.PROPOSE


def test_the_reason_for_not_consulting_is_recorded_and_on_the_handling_sheet(case, handler):
    because = "第三方已于2026年2月书面表示不同意公开同一合同，意见在案。"
    decision = _withhold(case, handler, no_consultation_reason=because)
    assert decision.no_consultation_reason == because
    proposed = [s for s in handling_steps(case) if s.step == "提出办理意见"]
    assert because in proposed[-1].opinion


def test_an_art15_refusal_after_consulting_needs_no_such_reason(case, handler):
    consultation_send(
        actor=handler,
        case_id=case.pk,
        party="third_party",
        party_name="甲建设公司",
        matter="施工合同金额",
        today=d("2026-03-03"),
    )
    from requests_app.services import consultation_record_reply

    consultation_record_reply(
        actor=handler,
        consultation_id=case.consultations.get().pk,
        reply="object",
        replied_on=d("2026-03-04"),
        reasons="涉及商业秘密",
        today=d("2026-03-04"),
    )
    decision = _withhold(case, handler, no_consultation_reason="不应保存")
    assert decision.no_consultation_reason == ""


# -- the pages ---------------------------------------------------------------------------------


def test_the_proposal_page_asks_for_the_reason_only_without_a_consultation(client, case, handler):
    sync_process(case)
    page = client
    page.force_login(handler)
    response = execute(
        page,
        handler,
        task(case, "propose"),
        "propose",
        outcome="withheld_third_party",
        articles=f"{REG}第十五条",
        reason="涉及商业秘密",
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "未征求第三方意见的理由：以涉及第三方合法权益为由不予公开" in text
    assert refreshed(case).stage == S.PROPOSE


def test_the_secrecy_pages_show_the_proposal_but_not_the_applicant(
    client, case, handler, registrar, secrecy_reviewer, office_head
):
    disclose(case, handler)
    request_upload(
        actor=handler,
        case_id=case.pk,
        kind="provided",
        files=[f.upload("拨付明细.pdf", f.pdf(1))],
    )
    client.force_login(secrecy_reviewer)
    listing = client.get(reverse("secrecy:replies:index")).content.decode()
    assert case.case_number in listing
    page = client.get(reverse("secrecy:replies:review", args=[case.pk])).content.decode()
    assert "资金拨付明细表" in page and "收款人的身份证号码和银行账号" in page
    assert "拨付明细.pdf" in page
    for personal in ("张明华", "11010519491231002X", "13800000000", "zhang@example.com"):
        assert personal not in listing and personal not in page
    document = case.documents.get(kind="provided")
    file_url = reverse("secrecy:replies:file", args=[case.pk, document.pk])
    response = client.get(file_url)
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox"  # like every file handed out
    # The applicant's own uploads are not reachable from here.
    [scan] = request_upload(
        actor=registrar,
        case_id=case.pk,
        kind="application",
        files=[f.upload("申请表.pdf", f.pdf(1))],
    )
    assert client.get(reverse("secrecy:replies:file", args=[case.pk, scan.pk])).status_code == 404
    # The office head of an agency with a secrecy reviewer has nothing to review here.
    client.force_login(office_head)
    review_url = reverse("secrecy:replies:review", args=[case.pk])
    assert review_url not in client.get(reverse("secrecy:replies:index")).content.decode()
    # Recorded through the page: back to the list, the approval task page shows it.
    client.force_login(secrecy_reviewer)
    response = client.post(
        reverse("secrecy:replies:review", args=[case.pk]),
        {"conclusion": "cleared", "opinion": OPINION},
    )
    assert response.status_code == 302
    assert SecrecyReview.objects.get(request=case).reviewer == secrecy_reviewer
    assert review_url not in client.get(reverse("secrecy:replies:index")).content.decode()


def test_the_secrecy_page_keeps_what_was_typed_on_an_error(client, case, handler, secrecy_reviewer):
    disclose(case, handler)
    client.force_login(secrecy_reviewer)
    response = client.post(
        reverse("secrecy:replies:review", args=[case.pk]), {"opinion": "尚未决定的意见"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "审查结论：请选择审查结论。" in text and "尚未决定的意见" in text
    assert not SecrecyReview.objects.exists()


def test_the_approval_page_shows_the_secrecy_review(
    client, case, handler, office_head, secrecy_reviewer
):
    disclose(case, handler)
    sync_process(case)
    approve = task(case, "approve")
    assign(client, office_head, approve)
    detail = url(approve, "execute")
    assert "待保密审查" in client.get(detail).content.decode()
    review(case, secrecy_reviewer)
    page = client.get(detail).content.decode()
    assert OPINION in page and "2026年3月5日" in page
    assert process_for(case).flow_class is RequestFlow
