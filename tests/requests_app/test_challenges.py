"""Reconsiderations and lawsuits about a case (issue #13 §1): the records' rules, who may keep
them, concurrent edits, and the new reply a decision orders (责令重新答复)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from viewflow.workflow.status import PROCESS

from requests_app.flows import process_for
from requests_app.models import CaseDocument, Challenge, ClockEntry, InformationRequest
from requests_app.services import (
    ChallengeInput,
    StaleCase,
    challenge_record,
    challenge_update,
    challenge_upload,
    decision_approve,
    decision_propose,
    request_serve,
)
from requests_app.services.challenges import ordered_anew
from tests.conftest import d
from tests.requests_app.flow_helpers import advance, not_held, open_tasks, refreshed
from workflow.errors import NotAllowed
from workflow.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.case(process=True)]
S = InformationRequest.Stage
TODAY = d("2026-06-30")


@pytest.fixture
def staff(handler, registrar, office_head, legal_reviewer):
    return {
        "handler": handler,
        "registrar": registrar,
        "office_head": office_head,
        "legal_reviewer": legal_reviewer,
    }


@pytest.fixture
def served(case, staff):
    """The walk-in case answered (not held) and served on 2026-03-03, waiting for its archive."""
    return advance(case, "archive", staff)


def reconsideration(**changes) -> ChallengeInput:
    values = {
        "kind": "reconsideration",
        "body": "孝义市人民政府",
        "number": "孝政复决〔2026〕3号",
        "filed_on": d("2026-04-01"),
        "claim": "撤销答复，责令重新答复",
    }
    values.update(changes)
    return ChallengeInput(**values)


def ordered_new_reply(**changes) -> ChallengeInput:
    values = {
        "result": "corrected",
        "detail": "ordered_new_reply",
        "concluded_on": d("2026-06-10"),
        "decision_received_on": d("2026-06-15"),
    }
    values.update(changes)
    return reconsideration(**values)


def record(actor, case, data=None, **kwargs):
    return challenge_record(
        actor=actor, case_id=case.pk, data=data or reconsideration(), today=TODAY, **kwargs
    )


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def pdf(name="决定书.pdf") -> SimpleUploadedFile:
    content = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
        b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
        b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n170\n%%EOF\n"
    )
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# -- recording ---------------------------------------------------------------------------------


def test_a_legal_reviewer_records_a_reconsideration_of_a_served_case(served, legal_reviewer):
    challenge = record(legal_reviewer, served)
    assert (challenge.kind, challenge.result, challenge.version) == (
        "reconsideration",
        "pending",
        1,
    )
    event = AuditEvent.objects.get(action="challenge_recorded")
    assert event.actor == legal_reviewer
    assert "孝义市人民政府（孝政复决〔2026〕3号）" in event.reason
    assert event.data["changes"]["result"] == [None, "尚未审结"]
    assert refreshed(served).stage == S.ARCHIVE  # a pending record changes nothing else


def test_the_office_head_may_record_too_and_an_archived_case_is_fine(case, staff, office_head):
    closed = advance(case, "closed", staff)
    challenge = record(office_head, closed, reconsideration(result="upheld", concluded_on=TODAY))
    assert challenge.result == "upheld"


@pytest.mark.parametrize("role", ["handler", "registrar"])
def test_the_handler_and_the_registrar_may_not(served, staff, role):
    with pytest.raises(NotAllowed, match="法制审核人员或政务公开工作机构负责人"):
        record(staff[role], served)
    assert not Challenge.objects.exists()


def test_another_agency_may_not(served, outsider, django_user_model):
    from django.contrib.auth.models import Group

    outsider.groups.add(Group.objects.get_or_create(name="legal_reviewer")[0])
    outsider = django_user_model.objects.get(pk=outsider.pk)
    with pytest.raises(NotAllowed, match="其他机关"):
        record(outsider, served)


def test_a_case_still_being_handled_cannot_be_challenged_here(case, legal_reviewer, staff):
    advance(case, "approve", staff)
    with pytest.raises(StaleCase, match="尚未办结"):
        record(legal_reviewer, case)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"kind": "appeal"}, "kind", "请选择类别"),
        ({"body": "  "}, "body", "请填写复议机关或人民法院"),
        ({"body": "机" * 101}, "body", "不能超过100个字"),
        ({"claim": "请求\x00"}, "claim", "U+0000"),
        ({"filed_on": None}, "filed_on", "请填写申请或起诉日期"),
        ({"filed_on": d("2026-07-01")}, "filed_on", "晚于今天"),
        ({"filed_on": d("2026-02-27")}, "filed_on", "早于本机关收到政府信息公开申请之日"),
        ({"result": "won"}, "result", "请选择结果"),
        ({"result": "corrected", "concluded_on": TODAY}, "detail", "撤销、变更、确认违法"),
        (
            {"result": "corrected", "detail": "dismissed", "concluded_on": TODAY},
            "detail",
            "责令重新答复",
        ),
        (
            {"result": "other", "detail": "revoked", "concluded_on": TODAY},
            "detail",
            "驳回、终止",
        ),
        ({"result": "upheld", "detail": "revoked", "concluded_on": TODAY}, "detail", "不选择"),
        ({"result": "upheld"}, "concluded_on", "请填写审结日期"),
        ({"result": "upheld", "concluded_on": d("2026-03-31")}, "concluded_on", "早于申请"),
        ({"result": "upheld", "concluded_on": d("2026-07-01")}, "concluded_on", "晚于今天"),
        ({"concluded_on": d("2026-05-01")}, "concluded_on", "尚未审结的，不填写"),
        (
            {"result": "upheld", "concluded_on": TODAY, "decision_received_on": TODAY},
            "decision_received_on",
            "只有责令重新答复的",
        ),
        (
            {
                "result": "corrected",
                "detail": "ordered_new_reply",
                "concluded_on": d("2026-06-10"),
                "decision_received_on": d("2026-06-09"),
            },
            "decision_received_on",
            "早于审结日期",
        ),
        (
            {
                "result": "corrected",
                "detail": "ordered_new_reply",
                "concluded_on": d("2026-06-10"),
                "new_reply_days": 0,
            },
            "new_reply_days",
            "1至60个工作日",
        ),
        ({"follows_id": 1}, "follows", "只有复议后起诉"),
    ],
)
def test_each_rule_is_said_on_its_field(served, legal_reviewer, changes, field, words):
    with pytest.raises(ValidationError) as excinfo:
        record(legal_reviewer, served, reconsideration(**changes))
    assert words in " ".join(errors_of(excinfo)[field])
    assert not Challenge.objects.exists()


def test_a_lawsuit_after_reconsideration_follows_one_of_the_same_case(
    served, case, legal_reviewer, staff, walk_in, registrar, agency
):
    from requests_app.services import request_register

    first = record(legal_reviewer, served)
    other_case = request_register(
        actor=registrar, agency=agency, data=walk_in(applicant_name="李四"), today=d("2026-03-02")
    )
    advance(other_case, "archive", staff)
    elsewhere = record(legal_reviewer, other_case, reconsideration(number="另案"))
    lawsuit = {"kind": "lawsuit_after", "body": "孝义市人民法院", "number": "(2026)晋1181行初5号"}
    with pytest.raises(ValidationError) as excinfo:
        record(legal_reviewer, served, reconsideration(**lawsuit))
    assert "请选择本案中此前登记的行政复议" in errors_of(excinfo)["follows"][0]
    with pytest.raises(ValidationError) as excinfo:
        record(legal_reviewer, served, reconsideration(**lawsuit, follows_id=elsewhere.pk))
    assert "follows" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        record(
            legal_reviewer,
            served,
            reconsideration(**lawsuit, follows_id=first.pk, filed_on=d("2026-03-31")),
        )
    assert "早于所针对的行政复议" in errors_of(excinfo)["filed_on"][0]
    after = record(
        legal_reviewer, served, reconsideration(**lawsuit, follows_id=first.pk, filed_on=TODAY)
    )
    assert after.follows == first
    direct = record(
        legal_reviewer,
        served,
        reconsideration(kind="lawsuit_direct", body="孝义市人民法院", number="(2026)晋1181行初6号"),
    )
    assert direct.follows is None


def test_a_reconsideration_followed_by_a_lawsuit_stays_a_reconsideration(served, legal_reviewer):
    first = record(legal_reviewer, served)
    lawsuit = {"kind": "lawsuit_after", "body": "孝义市人民法院", "number": "行初8号"}
    record(legal_reviewer, served, reconsideration(**lawsuit, follows_id=first.pk))
    with pytest.raises(ValidationError) as excinfo:
        challenge_update(
            actor=legal_reviewer,
            challenge_id=first.pk,
            version=1,
            data=reconsideration(kind="lawsuit_direct"),
            today=TODAY,
        )
    assert "类别不能改为行政诉讼" in errors_of(excinfo)["kind"][0]


def test_the_same_record_twice_is_refused(served, legal_reviewer):
    record(legal_reviewer, served)
    with pytest.raises(ValidationError, match="已经登记过"):
        record(legal_reviewer, served)
    assert Challenge.objects.count() == 1


def test_markup_is_kept_as_text(served, legal_reviewer):
    challenge = record(legal_reviewer, served, reconsideration(claim="<script>alert(1)</script>"))
    assert challenge.claim == "<script>alert(1)</script>"


# -- updating -------------------------------------------------------------------------------------


def test_concluding_a_record_audits_each_change_from_and_to(served, legal_reviewer, office_head):
    challenge = record(legal_reviewer, served)
    updated = challenge_update(
        actor=office_head,
        challenge_id=challenge.pk,
        version=challenge.version,
        data=reconsideration(result="other", detail="withdrawn", concluded_on=d("2026-05-20")),
        today=TODAY,
    )
    assert (updated.result, updated.detail, updated.version) == ("other", "withdrawn", 2)
    event = AuditEvent.objects.get(action="challenge_updated")
    assert event.data["changes"]["result"] == ["尚未审结", "其他结果"]
    assert event.data["changes"]["concluded_on"] == ["（空）", "2026年5月20日"]
    assert "结果由尚未审结改为其他结果" in event.reason


def test_of_two_edits_from_the_same_page_only_the_first_is_kept(
    served, legal_reviewer, office_head
):
    challenge = record(legal_reviewer, served)
    challenge_update(
        actor=office_head,
        challenge_id=challenge.pk,
        version=1,
        data=reconsideration(result="upheld", concluded_on=d("2026-05-20")),
        today=TODAY,
    )
    with pytest.raises(StaleCase, match="已由他人修改"):
        challenge_update(
            actor=legal_reviewer,
            challenge_id=challenge.pk,
            version=1,
            data=reconsideration(number="改了"),
            today=TODAY,
        )
    challenge.refresh_from_db()
    assert (challenge.result, challenge.number, challenge.version) == (
        "upheld",
        "孝政复决〔2026〕3号",
        2,
    )


def test_an_update_without_change_writes_nothing(served, legal_reviewer):
    challenge = record(legal_reviewer, served)
    challenge_update(
        actor=legal_reviewer,
        challenge_id=challenge.pk,
        version=1,
        data=reconsideration(),
        today=TODAY,
    )
    challenge.refresh_from_db()
    assert challenge.version == 1
    assert not AuditEvent.objects.filter(action="challenge_updated").exists()


def test_an_update_needs_the_role_and_the_agency(served, legal_reviewer, handler, outsider):
    challenge = record(legal_reviewer, served)
    for actor in (handler, outsider):
        with pytest.raises(NotAllowed):
            challenge_update(
                actor=actor,
                challenge_id=challenge.pk,
                version=1,
                data=reconsideration(number="x"),
                today=TODAY,
            )
    with pytest.raises(NotAllowed, match="没有找到"):
        challenge_update(
            actor=legal_reviewer,
            challenge_id=challenge.pk + 999,
            version=1,
            data=reconsideration(),
            today=TODAY,
        )


# -- documents ------------------------------------------------------------------------------------


def test_the_application_and_the_decision_are_kept_with_the_record(served, legal_reviewer):
    challenge = record(
        legal_reviewer,
        served,
        application_files=[pdf("复议申请书.pdf")],
        decision_files=[pdf()],
    )
    kinds = sorted(challenge.documents.values_list("kind", flat=True))
    assert kinds == ["ch_application", "ch_decision"]
    assert challenge.documents.get(kind="ch_decision").original_name == "决定书.pdf"
    more = challenge_upload(
        actor=legal_reviewer, challenge_id=challenge.pk, kind="ch_decision", files=[pdf("补.pdf")]
    )
    assert more[0].challenge == challenge
    assert AuditEvent.objects.filter(action="challenge_documents_uploaded").count() == 3


def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_is_kept(served, legal_reviewer):
    fake = SimpleUploadedFile("决定书.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as excinfo:
        record(legal_reviewer, served, decision_files=[fake])
    assert "内容不是PDF文件" in errors_of(excinfo)["decision_files"][0]
    assert not Challenge.objects.exists()
    assert not CaseDocument.objects.filter(challenge__isnull=False).exists()


def test_the_case_upload_box_does_not_take_challenge_kinds(served, legal_reviewer):
    from requests_app.services import request_upload

    with pytest.raises(NotAllowed):
        request_upload(actor=legal_reviewer, case_id=served.pk, kind="ch_decision", files=[pdf()])


def test_uploads_need_the_role(served, legal_reviewer, registrar):
    challenge = record(legal_reviewer, served)
    with pytest.raises(NotAllowed):
        challenge_upload(
            actor=registrar, challenge_id=challenge.pk, kind="ch_decision", files=[pdf()]
        )
    with pytest.raises(ValidationError):
        challenge_upload(
            actor=legal_reviewer, challenge_id=challenge.pk, kind="letter", files=[pdf()]
        )


# -- reopening (责令重新答复) -------------------------------------------------------------------


def reopened_case(served, legal_reviewer, **changes):
    challenge = record(legal_reviewer, served, ordered_new_reply(**changes))
    return refreshed(served), challenge


def test_a_decision_ordering_a_new_reply_reopens_the_case_with_a_new_clock(
    served, legal_reviewer, handler
):
    served.concluded_on = d("2026-03-03")
    served.save(update_fields=["concluded_on"])
    case, challenge = reopened_case(served, legal_reviewer)
    assert case.stage == S.PROPOSE
    # 20 working days from the receipt (2026-06-15, not counted); 端午节 2026-06-19 is a holiday.
    assert case.due_date == d("2026-07-14")
    assert case.concluded_on == d("2026-03-03")  # table 三 counts the first conclusion
    assert (case.outcome, case.served_on) == ("", None)
    assert challenge.reopened_at is not None
    assert challenge.earlier["outcome"] == "not_held"
    assert challenge.earlier["served_on"] == "2026-03-03"
    assert challenge.earlier["reply_letter"]["number"]
    entry = ClockEntry.objects.get(request=case, kind="reopen")
    assert (entry.on, entry.days) == (d("2026-06-15"), 20)
    assert any("责令重新答复" in line for line in case.clock_explanation)
    # the earlier process waited for its archive: the propose task now waits in the handler's inbox
    assert open_tasks(case) == ["propose"]
    task = process_for(case).task_set.get(flow_task_type="HUMAN", status="ASSIGNED")
    assert task.owner == handler
    event = AuditEvent.objects.get(action="request_reopened")
    assert (event.from_state, event.to_state) == (S.ARCHIVE, S.PROPOSE)
    assert event.data["earlier"]["served_on"] == "2026-03-03"


def test_the_period_the_decision_sets_is_used(served, legal_reviewer):
    case, challenge = reopened_case(served, legal_reviewer, new_reply_days=30)
    assert challenge.new_reply_days == 30
    assert case.due_date == d("2026-07-28")


def test_an_archived_case_gets_a_fresh_process(case, staff, legal_reviewer, handler):
    closed = advance(case, "closed", staff)
    old = process_for(closed)
    assert old.status == PROCESS.DONE
    reopened, _ = reopened_case(closed, legal_reviewer)
    new = process_for(reopened)
    assert new.pk != old.pk
    assert open_tasks(reopened) == ["propose"]
    assert reopened.closed_on is None
    assert reopened.case_number == closed.case_number


def test_without_the_receipt_the_case_waits_and_the_receipt_later_reopens_it(
    served, legal_reviewer
):
    challenge = record(legal_reviewer, served, ordered_new_reply(decision_received_on=None))
    assert refreshed(served).stage == S.ARCHIVE
    assert challenge.reopened_at is None
    challenge_update(
        actor=legal_reviewer,
        challenge_id=challenge.pk,
        version=challenge.version,
        data=ordered_new_reply(),
        today=TODAY,
    )
    assert refreshed(served).stage == S.PROPOSE


def test_once_reopened_the_order_cannot_be_changed_but_the_claim_can(served, legal_reviewer):
    _, challenge = reopened_case(served, legal_reviewer)
    challenge.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        challenge_update(
            actor=legal_reviewer,
            challenge_id=challenge.pk,
            version=challenge.version,
            data=ordered_new_reply(result="upheld", detail="", decision_received_on=None),
            today=TODAY,
        )
    assert "不能再修改" in errors_of(excinfo)["result"][0]
    challenge_update(
        actor=legal_reviewer,
        challenge_id=challenge.pk,
        version=challenge.version,
        data=ordered_new_reply(claim="补充请求"),
        today=TODAY,
    )
    assert ClockEntry.objects.filter(kind="reopen").count() == 1


def test_a_receipt_before_the_earlier_service_is_refused(served, legal_reviewer):
    with pytest.raises(ValidationError) as excinfo:
        record(
            legal_reviewer,
            served,
            ordered_new_reply(
                filed_on=d("2026-03-02"),
                concluded_on=d("2026-03-02"),
                decision_received_on=d("2026-03-02"),
            ),
        )
    assert "早于本案此前的答复送达" in errors_of(excinfo)["decision_received_on"][0]
    assert refreshed(served).stage == S.ARCHIVE
    assert not Challenge.objects.exists()


def test_a_case_being_handled_again_is_not_reopened_twice(served, legal_reviewer):
    reopened_case(served, legal_reviewer)
    lawsuit = ordered_new_reply(kind="lawsuit_direct", body="孝义市人民法院", number="行初7号")
    with pytest.raises(StaleCase, match="正在办理中"):
        record(legal_reviewer, served, lawsuit)


def test_the_new_reply_cites_the_decision_and_keeps_the_first_conclusion(
    served, legal_reviewer, handler, office_head, registrar
):
    served.concluded_on = d("2026-03-03")
    served.save(update_fields=["concluded_on"])
    case, _ = reopened_case(served, legal_reviewer)
    assert ordered_anew(case) == (
        "孝义市人民政府于2026年6月10日作出行政复议决定（孝政复决〔2026〕3号），责令本机关重新答复。"
    )
    decision_propose(actor=handler, case_id=case.pk, proposal=not_held(), today=d("2026-06-22"))
    decision_approve(actor=office_head, case_id=case.pk, today=d("2026-06-23"))
    reply = (
        CaseDocument.objects.filter(request=case, kind="letter", letter_kind="reply")
        .order_by("-pk")
        .first()
    )
    text = _letter_text(reply)
    assert "责令本机关重新答复。经重新审查，现重新答复如下" in text
    assert CaseDocument.objects.filter(request=case, letter_kind="reply").count() == 2
    request_serve(
        actor=registrar,
        case_id=case.pk,
        method="electronic",
        served_on=d("2026-06-24"),
        today=d("2026-06-24"),
    )
    case = refreshed(case)
    assert case.stage == S.ARCHIVE
    assert case.served_late is False
    assert case.concluded_on == d("2026-03-03")
    assert case.clock_explanation[-1].startswith("2026年6月24日办结")


def _letter_text(document: CaseDocument) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(document.docx.read())).paragraphs)


def test_a_notice_of_the_separate_layout_cites_the_decision_too(
    served, legal_reviewer, handler, office_head, agency
):
    agency.reply_layout = "separate"
    agency.save(update_fields=["reply_layout"])
    case, _ = reopened_case(served, legal_reviewer)
    decision_propose(actor=handler, case_id=case.pk, proposal=not_held(), today=d("2026-06-22"))
    decision_approve(actor=office_head, case_id=case.pk, today=d("2026-06-23"))
    notice = (
        CaseDocument.objects.filter(request=case, kind="letter", letter_kind="reply_notice")
        .order_by("-pk")
        .first()
    )
    assert "责令本机关重新答复。经重新审查，现重新告知如下" in _letter_text(notice)


def test_the_annual_report_counts_a_reopened_case_once_as_it_was_concluded(
    served, legal_reviewer, agency
):
    """Report Format, table 三: a new reply ordered by a reconsideration is not a new request; the
    case stays in row 三 of the year it was concluded, in the row of that reply, while it is
    handled again (its ``outcome`` is empty meanwhile)."""
    from requests_app.annual_report.counting import build_report

    before = build_report(agency, 2026)
    assert served.concluded_outcome == "not_held"
    case, _ = reopened_case(served, legal_reviewer)
    assert (case.outcome, case.concluded_outcome) == ("", "not_held")
    after = build_report(agency, 2026)
    assert after.to_json()["table3"] == before.to_json()["table3"]
    assert after.table4[1].value == 1  # the reconsideration, 结果纠正, in table 四
    assert after.table3["三（四）1"][6].value == 1
    assert after.table3["四"][6].value == 0  # concluded in the year, not carried over
    from requests_app.annual_report.checks import BALANCE, SUM_OF_COLUMNS, SUM_OF_RESULTS

    arithmetic = {SUM_OF_COLUMNS, SUM_OF_RESULTS, BALANCE}
    assert {c.name for c in after.checks if c.ok} >= arithmetic, after.checks
