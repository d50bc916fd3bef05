"""Every step of a request through its services (DOMAIN §3), each rule with its article."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from requests_app.models import CaseDocument, Consultation, InformationRequest
from requests_app.services import (
    Proposal,
    StaleCase,
    consultation_lapse,
    consultation_record_reply,
    consultation_send,
    decision_approve,
    decision_propose,
    decision_return,
    extension_approve,
    extension_ask,
    request_accept,
    request_archive,
    request_ask_correction,
    request_correction_lapsed,
    request_record_correction,
    request_register,
    request_serve,
    request_withdraw,
)
from tests.conftest import d
from tests.requests_app.flow_helpers import secrecy_cleared, serve_notice
from workflow.errors import NotAllowed
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db
S = InformationRequest.Stage
REG = "《中华人民共和国政府信息公开条例》"


def letters_of(case) -> list[str]:
    return list(
        CaseDocument.objects.filter(request=case, kind="letter").values_list(
            "letter_kind", flat=True
        )
    )


def refreshed(case):
    return InformationRequest.objects.get(pk=case.pk)


def test_registration_issues_the_receipt_as_pdf_and_docx(case):
    receipt = CaseDocument.objects.get(request=case, letter_kind="receipt")
    assert receipt.file.read(5) == b"%PDF-"
    assert receipt.docx.read(2) == b"PK"
    assert receipt.number == "孝政信申〔2026〕1号"


def test_disclosed_lifecycle(case, handler, office_head, registrar):
    request_accept(actor=handler, case_id=case.pk, today=d("2026-03-03"))
    assert refreshed(case).stage == S.PROPOSE
    decision_propose(
        actor=handler,
        case_id=case.pk,
        proposal=Proposal(
            outcome="disclosed",
            articles=[f"{REG}第三十六条第（二）项"],
            provided=["资金拨付明细表"],
            provide_form="electronic",
        ),
        today=d("2026-03-10"),
    )
    assert refreshed(case).stage == S.APPROVE
    secrecy_cleared(case, office_head)
    decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-11"))
    approved = refreshed(case)
    assert (approved.stage, approved.outcome) == (S.SERVE, "disclosed")
    assert "reply" in letters_of(case)
    request_serve(
        actor=registrar,
        case_id=case.pk,
        method="electronic",
        served_on=d("2026-03-12"),
        today=d("2026-03-12"),
    )
    served = refreshed(case)
    assert served.stage == S.ARCHIVE
    assert served.served_late is False
    assert served.clock_explanation[-1] == "2026年3月12日办结，在答复期限内。"
    actions = list(
        AuditEvent.objects.filter(object_id=str(case.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "request_registered",
        "request_accepted",
        "decision_proposed",
        "decision_secrecy_reviewed",  # Art. 17 ¶2
        "decision_approved",
        "request_served",
    ]


def test_partial_disclosure_needs_every_withheld_part_reasoned(case, handler):
    # Art. 37: what is withheld must each carry its reason and basis.
    request_accept(actor=handler, case_id=case.pk, today=d("2026-03-03"))
    with pytest.raises(ValidationError) as refused:
        decision_propose(
            actor=handler,
            case_id=case.pk,
            proposal=Proposal(outcome="partly_disclosed", articles=[f"{REG}第三十七条"]),
            today=d("2026-03-04"),
        )
    assert "逐项列明不予公开的部分" in refused.value.message_dict["withheld_parts"][0]
    with pytest.raises(ValidationError) as refused:
        decision_propose(
            actor=handler,
            case_id=case.pk,
            proposal=Proposal(
                outcome="partly_disclosed",
                articles=[f"{REG}第三十七条"],
                withheld_parts=[{"description": "身份证号码", "reason": "", "basis": ""}],
            ),
            today=d("2026-03-04"),
        )
    assert "缺少理由、依据" in refused.value.message_dict["withheld_parts"][0]
    assert refreshed(case).stage == S.PROPOSE


def test_legal_review_then_return_then_approval(case, handler, office_head, legal_reviewer):
    request_accept(actor=handler, case_id=case.pk, today=d("2026-03-03"))
    proposal = Proposal(
        outcome="partly_disclosed",
        articles=[f"{REG}第三十七条", f"{REG}第十五条"],
        withheld_parts=[
            {"description": "身份证号码", "reason": "个人隐私", "basis": f"{REG}第十五条"}
        ],
        needs_legal_review=True,
    )
    decision_propose(actor=handler, case_id=case.pk, proposal=proposal, today=d("2026-03-04"))
    with pytest.raises(NotAllowed, match="法制审核人员"):
        decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-05"))
    decision_approve(actor=legal_reviewer, case_id=case.pk, today=d("2026-03-05"))
    assert refreshed(case).stage == S.APPROVE
    with pytest.raises(ValidationError, match="写明意见"):
        decision_return(actor=office_head, case_id=case.pk, comment=" ", today=d("2026-03-06"))
    decision_return(
        actor=office_head, case_id=case.pk, comment="请补充检索情况", today=d("2026-03-06")
    )
    assert refreshed(case).stage == S.PROPOSE
    decision_propose(actor=handler, case_id=case.pk, proposal=proposal, today=d("2026-03-09"))
    decision_approve(actor=legal_reviewer, case_id=case.pk, today=d("2026-03-09"))
    secrecy_cleared(case, office_head)
    decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-10"))
    assert refreshed(case).stage == S.SERVE


def test_the_second_of_two_identical_approvals_is_told_why(case, handler, office_head):
    request_accept(actor=handler, case_id=case.pk, today=d("2026-03-03"))
    decision_propose(
        actor=handler,
        case_id=case.pk,
        proposal=Proposal(
            outcome="not_held",
            articles=[f"{REG}第三十六条第（四）项"],
            search_description="检索了档案系统",
        ),
        today=d("2026-03-04"),
    )
    decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-05"))
    with pytest.raises(StaleCase, match="当前处于“送达”阶段，不能审批"):
        decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-05"))
    assert letters_of(case).count("reply") == 1


def test_correction_within_seven_working_days_restarts_the_clock(case, handler, registrar):
    # Art. 30: notice within 7 working days of receipt; the period restarts on the corrected one.
    request_ask_correction(
        actor=handler,
        case_id=case.pk,
        items=["请写明所需信息的年份", "请补充身份证明"],
        today=d("2026-03-11"),
    )
    assert refreshed(case).correction_deadline is None  # from receipt: not served yet
    serve_notice(case, "correction", registrar, d("2026-03-11"))
    waiting = refreshed(case)
    assert waiting.stage == S.CORRECT
    assert waiting.correction_deadline == d("2026-04-01")  # 15 working days (agency default)
    assert waiting.paused and waiting.due_date is None
    assert "correction_notice" in letters_of(case)
    with pytest.raises(StaleCase, match="不能告知补正"):
        request_ask_correction(actor=handler, case_id=case.pk, items=["x"], today=d("2026-03-11"))
    request_record_correction(
        actor=registrar, case_id=case.pk, received_on=d("2026-03-16"), today=d("2026-03-16")
    )
    corrected = refreshed(case)
    assert corrected.stage == S.ACCEPT
    assert corrected.due_date == d("2026-04-14")
    assert not corrected.paused
    with pytest.raises(ValidationError, match="只能告知一次"):
        request_ask_correction(actor=handler, case_id=case.pk, items=["x"], today=d("2026-03-17"))


def test_correction_notice_after_seven_working_days_is_refused(case, handler):
    with pytest.raises(ValidationError, match="7个工作日内发出"):
        request_ask_correction(actor=handler, case_id=case.pk, items=["x"], today=d("2026-03-12"))


def test_no_correction_in_time_is_deemed_abandoned_with_its_notice(case, handler, registrar):
    request_ask_correction(actor=handler, case_id=case.pk, items=["x"], today=d("2026-03-03"))
    serve_notice(case, "correction", registrar, d("2026-03-03"))
    deadline = refreshed(case).correction_deadline
    assert request_correction_lapsed(case_id=case.pk, today=deadline) is None  # not yet
    request_correction_lapsed(case_id=case.pk, today=date.fromordinal(deadline.toordinal() + 1))
    lapsed = refreshed(case)
    assert (lapsed.stage, lapsed.outcome) == (S.SERVE, "abandoned_no_correction")
    assert "reply" in letters_of(case)


def test_late_correction_needs_a_good_reason(case, handler, registrar):
    request_ask_correction(actor=handler, case_id=case.pk, items=["x"], today=d("2026-03-03"))
    serve_notice(case, "correction", registrar, d("2026-03-03"))
    with pytest.raises(ValidationError) as refused:
        request_record_correction(
            actor=registrar, case_id=case.pk, received_on=d("2026-04-01"), today=d("2026-04-01")
        )
    assert "正当理由" in refused.value.message_dict["late_reason"][0]


def test_consultations_pause_from_the_first_letter_to_the_last_reply(case, handler, registrar):
    # Art. 32, 34 and Art. 33 ¶3: several at once; paused from the first letter to the last reply.
    request_accept(actor=handler, case_id=case.pk, today=d("2026-03-03"))
    third = consultation_send(
        actor=handler,
        case_id=case.pk,
        party="third_party",
        party_name="某建设公司",
        matter="合同金额",
        today=d("2026-03-04"),
    )
    other = consultation_send(
        actor=handler,
        case_id=case.pk,
        party="agency",
        party_name="孝义市财政局",
        matter="拨付记录",
        today=d("2026-03-06"),
    )
    serve_notice(case, "third_party", registrar, d("2026-03-04"), today=d("2026-03-06"))
    serve_notice(case, "agency", registrar, d("2026-03-06"))
    third.refresh_from_db()
    other.refresh_from_db()
    assert third.limit_date == d("2026-03-25")
    paused = refreshed(case)
    assert paused.stage == S.CONSULT and paused.paused
    assert sorted(letters_of(case)) == sorted(
        ["receipt", "third_party_consultation", "consultation_notice", "agency_consultation"]
    )
    with pytest.raises(ValidationError, match="记录其理由"):
        consultation_record_reply(
            actor=handler,
            consultation_id=third.pk,
            reply="object",
            replied_on=d("2026-03-10"),
            today=d("2026-03-10"),
        )
    consultation_record_reply(
        actor=handler,
        consultation_id=third.pk,
        reply="object",
        replied_on=d("2026-03-10"),
        reasons="商业秘密",
        today=d("2026-03-10"),
    )
    assert refreshed(case).paused  # the agency has not answered yet
    # Art. 34: the other agency's silence past 15 working days counts as consent.
    assert consultation_lapse(consultation_id=other.pk, today=d("2026-03-27")) is None
    consultation_lapse(consultation_id=other.pk, today=d("2026-03-30"))
    resumed = refreshed(case)
    assert resumed.stage == S.PROPOSE and not resumed.paused
    other.refresh_from_db()
    assert other.reply == Consultation.Reply.NO_REPLY and "视为同意" in other.reasons
    # Counted: Mar 3 and 4 before the pause (2 days); the pause ended on 03-27 (the limit).
    # 18 days left from 03-30: Apr 6 (Qingming) is off → 2026-04-23.
    assert resumed.due_date == d("2026-04-23")


def test_extension_once_approved_by_the_head_before_the_deadline(case, handler, office_head):
    # Art. 33 ¶2.
    request_accept(actor=handler, case_id=case.pk, today=d("2026-03-03"))
    with pytest.raises(ValidationError, match="最长不得超过20个工作日"):
        extension_ask(actor=handler, case_id=case.pk, days=21, reason="量大", today=d("2026-03-20"))
    extension_ask(
        actor=handler, case_id=case.pk, days=15, reason="涉及档案调取", today=d("2026-03-20")
    )
    with pytest.raises(NotAllowed, match="政务公开工作机构负责人"):
        extension_approve(actor=handler, case_id=case.pk, today=d("2026-03-23"))
    extension_approve(actor=office_head, case_id=case.pk, today=d("2026-03-23"))
    extended = refreshed(case)
    assert extended.due_date == d("2026-04-21")
    assert "extension_notice" in letters_of(case)
    with pytest.raises(ValidationError, match="只能延长一次"):
        extension_ask(actor=handler, case_id=case.pk, days=5, reason="再延", today=d("2026-03-24"))


def test_extension_after_the_deadline_is_refused(case, handler):
    request_accept(actor=handler, case_id=case.pk, today=d("2026-03-03"))
    with pytest.raises(ValidationError, match="已于2026年3月30日届满"):
        extension_ask(actor=handler, case_id=case.pk, days=10, reason="晚了", today=d("2026-03-31"))


def test_late_service_is_allowed_and_recorded(case, handler, office_head, registrar):
    request_accept(actor=handler, case_id=case.pk, today=d("2026-03-03"))
    decision_propose(
        actor=handler,
        case_id=case.pk,
        proposal=Proposal(outcome="disclosed", articles=[f"{REG}第三十六条第（二）项"]),
        today=d("2026-03-27"),
    )
    secrecy_cleared(case, office_head)
    decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-30"))
    with pytest.raises(ValidationError, match="邮件号码"):
        request_serve(
            actor=registrar,
            case_id=case.pk,
            method="post",
            served_on=d("2026-03-31"),
            today=d("2026-03-31"),
        )
    request_serve(
        actor=registrar,
        case_id=case.pk,
        method="post",
        served_on=d("2026-03-31"),
        tracking_number="1187654321098",
        today=d("2026-03-31"),
    )
    late = refreshed(case)
    assert late.served_late is True
    assert "逾期送达" in AuditEvent.objects.get(action="request_served").reason


def test_withdrawal_ends_with_outcome_other(case, registrar):
    request_withdraw(
        actor=registrar,
        case_id=case.pk,
        on=d("2026-03-05"),
        reason="申请人书面撤回",
        today=d("2026-03-05"),
    )
    withdrawn = refreshed(case)
    assert (withdrawn.stage, withdrawn.outcome) == (S.SERVE, "other")


def test_roles_and_agencies_are_checked_in_the_services(case, registrar, outsider):
    with pytest.raises(NotAllowed, match="承办人"):
        request_accept(actor=registrar, case_id=case.pk, today=d("2026-03-03"))
    with pytest.raises(NotAllowed, match="其他机关"):
        request_accept(actor=outsider, case_id=case.pk, today=d("2026-03-03"))


def test_a_letter_that_cannot_be_issued_refuses_the_step(case, handler, office_head, agency):
    # DOMAIN §3.8: a reply without the reconsideration organ and court must not go out.
    request_accept(actor=handler, case_id=case.pk, today=d("2026-03-03"))
    decision_propose(
        actor=handler,
        case_id=case.pk,
        proposal=Proposal(
            outcome="withheld_state_secret",
            articles=[f"{REG}第十四条", f"{REG}第三十六条第（三）项"],
            reason="经保密审查属于国家秘密",
        ),
        today=d("2026-03-04"),
    )
    agency.reconsideration_organ = ""
    agency.save()
    with pytest.raises(ValidationError, match="行政复议机关"):
        decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-05"))
    assert refreshed(case).stage == S.APPROVE


def test_a_character_the_letter_fonts_lack_refuses_registration(registrar, agency, walk_in):
    # Issue #10 point 9: the receipt would print a box; the step is refused, naming the character.
    data = walk_in(description="关于\U00021484字村拆迁补偿的文件")
    with pytest.raises(ValidationError, match=r"登记回执不能出具.*U\+21484.*见表格"):
        request_register(actor=registrar, agency=agency, data=data, today=d("2026-03-02"))
    assert not InformationRequest.objects.exists()
    rare = walk_in(applicant_name="刘䶮", description="关于喆字村拆迁补偿的文件")
    case = request_register(actor=registrar, agency=agency, data=rare, today=d("2026-03-02"))
    assert letters_of(case) == ["receipt"]


def test_a_template_element_error_refuses_the_step_instead_of_failing(registrar, agency, walk_in):
    # Issue #10 point 1: an override checked against the samples may still hold a broken element
    # on a branch the samples never take; issuing then refuses the step with a message, no 500.
    from workflow.letters.engine import builtin_source
    from workflow.letters.models import TemplateOverride

    source = builtin_source("receipt.txt") + '{% if case.channel == "传真" %}@坏元素 x{% endif %}\n'
    TemplateOverride.objects.create(agency=agency, name="receipt.txt", source=source)
    data = walk_in(channel="fax")
    refusal = r"登记回执不能出具：本机关修改的文书模板有误.*@坏元素"
    with pytest.raises(ValidationError, match=refusal):
        request_register(actor=registrar, agency=agency, data=data, today=d("2026-03-02"))
    assert not InformationRequest.objects.exists()


def test_archiving_builds_one_case_file_and_closes_the_case(case, handler, office_head, registrar):
    from pypdf import PdfReader

    request_accept(actor=handler, case_id=case.pk, today=d("2026-03-03"))
    decision_propose(
        actor=handler,
        case_id=case.pk,
        proposal=Proposal(outcome="disclosed", articles=[f"{REG}第三十六条第（二）项"]),
        today=d("2026-03-04"),
    )
    secrecy_cleared(case, office_head)
    decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-05"))
    request_serve(
        actor=registrar,
        case_id=case.pk,
        method="direct",
        served_on=d("2026-03-06"),
        today=d("2026-03-06"),
    )
    case_file = request_archive(actor=registrar, case_id=case.pk, today=d("2026-03-09"))
    closed = refreshed(case)
    assert closed.stage == S.CLOSED and closed.closed_on == d("2026-03-09")
    reader = PdfReader(case_file.file.path)
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert "政府信息公开申请案卷目录" in text
    # Index, receipt, reply, handling sheet — in that order.
    assert (
        text.index("案卷目录")
        < text.index("登记回执")
        < text.index("答复书")
        < text.index("办理单")
    )
    assert "提出办理意见" in text and "审批" in text
    with pytest.raises(StaleCase, match="已归档"):
        request_withdraw(
            actor=registrar, case_id=case.pk, on=d("2026-03-10"), reason="x", today=d("2026-03-10")
        )


def test_the_case_file_takes_in_the_uploads_in_order(case, handler, office_head, registrar):
    # DOMAIN §3.1 archive: every document of the case in order, with an index. PDFs are
    # appended, images placed on A4 pages, other files listed as attached separately.
    from pypdf import PdfReader

    from requests_app.services import request_upload
    from tests.requests_app import files as f

    request_upload(
        actor=registrar,
        case_id=case.pk,
        kind="application",
        files=[f.upload("申请表.pdf", f.pdf(2, text="SCAN PAGE"))],
    )
    request_upload(
        actor=registrar,
        case_id=case.pk,
        kind="id_proof",
        files=[f.upload("身份证.png", f.image("PNG", size=(1600, 1000)))],
    )
    request_accept(actor=handler, case_id=case.pk, today=d("2026-03-03"))
    request_upload(
        actor=handler, case_id=case.pk, kind="provided", files=[f.upload("明细.docx", f.docx())]
    )
    decision_propose(
        actor=handler,
        case_id=case.pk,
        proposal=Proposal(outcome="disclosed", articles=[f"{REG}第三十六条第（二）项"]),
        today=d("2026-03-04"),
    )
    secrecy_cleared(case, office_head)
    decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-05"))
    request_serve(
        actor=registrar,
        case_id=case.pk,
        method="direct",
        served_on=d("2026-03-06"),
        today=d("2026-03-06"),
    )
    request_upload(
        actor=registrar,
        case_id=case.pk,
        kind="service_proof",
        files=[f.upload("送达回证.jpg", f.image("JPEG", size=(800, 1100)))],
    )
    case_file = request_archive(actor=registrar, case_id=case.pk, today=d("2026-03-09"))

    letter_pages = sum(
        len(PdfReader(letter.file.path).pages)
        for letter in CaseDocument.objects.filter(request=case, kind="letter")
    )
    reader = PdfReader(case_file.file.path)
    # One index page, the letters, the two scanned pages, one page per image; no DOCX page.
    assert len(reader.pages) == 1 + letter_pages + 2 + 1 + 1
    texts = [page.extract_text().replace("\n", "").replace(" ", "") for page in reader.pages]
    index = texts[0]
    assert "申请书扫描件（申请表.pdf）" in index
    assert "提供的政府信息（明细.docx）" in index and "另附DOCX文件" in index
    assert "送达凭证（送达回证.jpg）" in index
    text = "".join(texts[1:])  # after the index, which names every document
    assert "上传材料" in text and "documents_uploaded" not in text  # the handling sheet
    assert (
        text.index("登记回执")
        < text.index("SCANPAGE1")
        < text.index("SCANPAGE2")
        < text.index("答复书")
        < text.index("办理单")
    )
    image_pages = [n for n, page in enumerate(reader.pages) if page.images]
    assert len(image_pages) == 2
    id_proof_page, proof_page = image_pages

    def page_of(words: str) -> int:
        return next(n for n, t in enumerate(texts) if n and words in t)

    assert (
        page_of("SCANPAGE2")
        < id_proof_page
        < page_of("本机关予以公开")
        < proof_page
        < page_of("本单随案归档")
    )
    for number in image_pages:  # A4
        box = reader.pages[number].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)
