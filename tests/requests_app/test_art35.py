"""Art. 35: a volume or frequency clearly beyond reason. The applicant is asked for reasons;
unreasonable (or no answer) → not processed; reasonable → handling goes on; reasonable but
impossible in time → a later reply date, approved by the office head and told to the applicant.
"""

import pytest
from django.core.exceptions import ValidationError

from requests_app.models import CaseDocument, Deferral, InformationRequest, ReasonsRequest
from requests_app.services import (
    StaleCase,
    decision_approve,
    deferral_approve,
    deferral_refuse,
    extension_approve,
    extension_ask,
    reasons_decide,
    reasons_lapsed,
    reasons_record_answer,
    request_accept,
    request_ask_reasons,
)
from tests.conftest import d
from tests.letters.helpers import docx_text, squash
from workflow.errors import NotAllowed
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db
S = InformationRequest.Stage
F = ReasonsRequest.Finding
GROUNDS = "2026年2月至3月共提交申请42件，其中35件内容相同"


def refreshed(case):
    return InformationRequest.objects.get(pk=case.pk)


def ask(case, handler, on="2026-03-03", **changes):
    values = {
        "grounds": GROUNDS,
        "items": ["反复提交相同申请的原因", "能否合并申请或者缩小申请范围"],
        "how_to_answer": "书面说明（当面提交或邮寄）",
    }
    values.update(changes)
    return request_ask_reasons(actor=handler, case_id=case.pk, today=d(on), **values)


def answer(case, registrar, on="2026-03-10"):
    return reasons_record_answer(
        actor=registrar,
        case_id=case.pk,
        answered_on=d(on),
        answer="用于研究本市老旧小区改造资金的使用情况，需要逐年比对。",
        today=d(on),
    )


def letter(case, kind: str) -> CaseDocument:
    return CaseDocument.objects.get(request=case, letter_kind=kind)


def actions(case) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(case.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


# -- asking ----------------------------------------------------------------------------------


def test_asking_for_reasons_issues_the_notice_and_the_clock_keeps_running(case, handler):
    # Art. 35: the handler may ask for reasons at acceptance; the wait does not pause the clock.
    reasons = ask(case, handler)
    asked = refreshed(case)
    assert asked.stage == S.REASONS
    assert asked.handler == handler
    # Policy: 15 working days by default (the Regulation sets none): Mar 3 + 15 → Mar 24.
    assert reasons.reply_by == d("2026-03-24")
    assert (asked.due_date, asked.paused) == (d("2026-03-30"), False)
    text = "".join(asked.clock_explanation)
    assert "2026年3月3日要求申请人说明理由（《条例》第三十五条）" in text
    assert "不暂停" in text
    notice = squash(docx_text(letter(case, "reasons_request").docx.read()))
    for fact in (GROUNDS, "反复提交相同申请的原因", "2026年3月24日", "书面说明", "第三十五条"):
        assert squash(fact) in notice
    assert actions(case)[-1] == "reasons_asked"
    assert asked.clock_entries.filter(kind="reasons", on=d("2026-03-03")).exists()


def test_the_reply_period_is_the_agencys_setting(case, handler, agency):
    # Policy: the agency sets its own period for the answer.
    agency.reasons_period_days = 10
    agency.save()
    assert ask(case, handler).reply_by == d("2026-03-17")
    assert ReasonsRequest.objects.get(request=case).period_days == 10


def test_asking_needs_the_facts_what_to_explain_and_how(case, handler):
    # Art. 35: the notice says why the volume looks beyond reason, what to explain and how.
    with pytest.raises(ValidationError) as refused:
        ask(case, handler, grounds=" ", items=["", " "], how_to_answer="")
    assert set(refused.value.message_dict) == {"grounds", "items", "how_to_answer"}
    assert refreshed(case).stage == S.ACCEPT
    assert not ReasonsRequest.objects.filter(request=case).exists()


def test_reasons_are_asked_at_acceptance_only(case, handler):
    # Art. 35 as placed in DOMAIN §3.3: an outcome at acceptance.
    request_accept(actor=handler, case_id=case.pk, today=d("2026-03-03"))
    with pytest.raises(StaleCase, match="不能要求说明理由"):
        ask(case, handler)


def test_registrar_and_outsider_cannot_ask(case, registrar, outsider):
    # Art. 35 step of the handler (DOMAIN §1); no other agency's staff.
    with pytest.raises(NotAllowed):
        ask(case, registrar)
    with pytest.raises(NotAllowed):
        ask(case, outsider)


# -- the answer or its absence ---------------------------------------------------------------


def test_recording_the_answer(case, handler, registrar):
    # Art. 35: the applicant's reasons are recorded for the handler.
    ask(case, handler)
    reasons = answer(case, registrar)
    assert (reasons.status, reasons.answered_on) == ("answered", d("2026-03-10"))
    assert reasons.recorded_by == registrar
    assert refreshed(case).stage == S.REASONS  # the handler examines it next
    assert actions(case)[-1] == "reasons_answered"
    with pytest.raises(StaleCase, match="已记录"):
        answer(case, registrar, on="2026-03-11")


@pytest.mark.parametrize(
    ("on", "today", "message"),
    [
        ("2026-03-02", "2026-03-05", "不能早于要求说明理由的日期"),
        ("2026-03-25", "2026-03-25", "逾期收到的说明不再登记"),
        ("2026-03-12", "2026-03-11", "晚于今天"),
    ],
)
def test_answer_dates_are_checked(case, handler, registrar, on, today, message):
    # Art. 35: an answer within the period set in the notice (Policy period).
    ask(case, handler)
    with pytest.raises(ValidationError, match=message):
        reasons_record_answer(
            actor=registrar, case_id=case.pk, answered_on=d(on), answer="理由", today=d(today)
        )


def test_no_answer_in_the_period_lapses_the_next_day(case, handler):
    # Art. 35: no reasons in the period; the whole last day is the applicant's (DOMAIN §2).
    ask(case, handler)
    assert reasons_lapsed(case_id=case.pk, today=d("2026-03-24")) is None  # the last day
    lapsed = reasons_lapsed(case_id=case.pk, today=d("2026-03-25"))
    assert lapsed.status == "lapsed"
    assert refreshed(case).stage == S.REASONS
    event = AuditEvent.objects.filter(object_id=str(case.pk)).order_by("id").last()
    assert (event.action, event.actor) == ("reasons_lapsed", None)
    assert reasons_lapsed(case_id=case.pk, today=d("2026-03-26")) is None  # once


# -- the handler's finding -------------------------------------------------------------------


def test_no_finding_before_an_answer_or_the_end_of_the_period(case, handler):
    # Art. 35: the finding is on the reasons given (or their absence).
    ask(case, handler)
    with pytest.raises(ValidationError, match="尚未说明理由"):
        reasons_decide(actor=handler, case_id=case.pk, finding=F.REASONABLE, today=d("2026-03-05"))


def test_unreasonable_goes_for_approval_and_ends_with_the_not_processed_notice(
    case, handler, registrar, office_head, agency
):
    # Art. 35: reasons not reasonable → not processed, through the normal approval (§3.1).
    agency.reply_layout = "separate"
    agency.save()
    ask(case, handler)
    answer(case, registrar)
    with pytest.raises(ValidationError) as refused:
        reasons_decide(
            actor=handler, case_id=case.pk, finding=F.UNREASONABLE, today=d("2026-03-11")
        )
    assert "note" in refused.value.message_dict  # why the reasons do not hold
    reasons_decide(
        actor=handler,
        case_id=case.pk,
        finding=F.UNREASONABLE,
        note="所述用途可通过已主动公开的年度报告满足。",
        today=d("2026-03-11"),
    )
    proposed = refreshed(case)
    assert proposed.stage == S.APPROVE
    assert proposed.decision.outcome == "unreasonable_volume"
    assert proposed.decision.articles == ["《中华人民共和国政府信息公开条例》第三十五条"]
    assert actions(case)[-1] == "reasons_unreasonable"
    decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-12"))
    approved = refreshed(case)
    assert (approved.stage, approved.outcome) == (S.SERVE, "unreasonable_volume")
    text = squash(docx_text(letter(case, "not_processed_notice").docx.read()))
    assert squash("不予处理告知书") in text
    assert squash("已于2026年3月3日要求您说明理由") in text
    assert squash("所述用途可通过已主动公开的年度报告满足") in text
    assert squash("第三十五条") in text


def test_no_answer_can_only_be_found_unreasonable(case, handler, office_head):
    # Art. 35: no reasons given in the period → not processed.
    ask(case, handler)
    reasons_lapsed(case_id=case.pk, today=d("2026-03-25"))
    for finding in (F.REASONABLE, F.DEFERRED):
        with pytest.raises(ValidationError, match="只能按不予处理"):
            reasons_decide(
                actor=handler,
                case_id=case.pk,
                finding=finding,
                note="理由",
                later_date=d("2026-04-30"),
                today=d("2026-03-25"),
            )
    reasons_decide(actor=handler, case_id=case.pk, finding=F.UNREASONABLE, today=d("2026-03-25"))
    decision = refreshed(case).decision
    assert decision.reason == "您未在2026年3月24日前说明理由"
    decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-26"))
    reply = squash(docx_text(letter(case, "reply").docx.read()))
    assert squash("要求您说明理由，您未在2026年3月24日前说明理由") in reply


def test_reasonable_continues_handling(case, handler, registrar):
    # Art. 35: reasons reasonable → handled as any request, Art. 33 period unchanged.
    ask(case, handler)
    answer(case, registrar)
    reasons_decide(actor=handler, case_id=case.pk, finding=F.REASONABLE, today=d("2026-03-11"))
    continued = refreshed(case)
    assert continued.stage == S.PROPOSE
    assert continued.due_date == d("2026-03-30")
    assert not Deferral.objects.filter(request=case).exists()
    assert actions(case)[-1] == "reasons_reasonable"


# -- deferral (reasonable, but not in time) -------------------------------------------------


def defer(case, handler, later="2026-04-30", on="2026-03-11", note="所涉档案约3000页，需逐页审查"):
    return reasons_decide(
        actor=handler,
        case_id=case.pk,
        finding=F.DEFERRED,
        note=note,
        later_date=d(later),
        today=d(on),
    )


@pytest.fixture
def deferred(case, handler, registrar):
    ask(case, handler)
    answer(case, registrar)
    defer(case, handler)
    return case


@pytest.mark.parametrize(
    ("later", "message"),
    [
        ("2026-03-30", "应晚于按第三十三条计算的答复期限2026年3月30日"),
        ("2026-03-20", "应晚于"),
        ("2026-05-02", "不是工作日"),  # Labour Day holiday 2026
    ],
)
def test_the_later_date_must_be_later_and_a_working_day(case, handler, registrar, later, message):
    # Art. 35: a "later" date beyond the Art. 33 period.
    ask(case, handler)
    answer(case, registrar)
    with pytest.raises(ValidationError) as refused:
        defer(case, handler, later=later)
    assert message in refused.value.message_dict["later_date"][0]
    assert refreshed(case).stage == S.REASONS


def test_deferral_needs_a_reason_and_a_date(case, handler, registrar):
    # Art. 35: "确定延迟答复的合理期限并告知申请人" needs the date and why.
    ask(case, handler)
    answer(case, registrar)
    with pytest.raises(ValidationError) as refused:
        reasons_decide(actor=handler, case_id=case.pk, finding=F.DEFERRED, today=d("2026-03-11"))
    assert set(refused.value.message_dict) == {"note", "later_date"}


def test_deferral_is_proposed_then_approved_and_the_due_date_becomes_that_date(
    deferred, office_head
):
    # Art. 35: the agency fixes a reasonable later date and tells the applicant.
    case = refreshed(deferred)
    assert case.stage == S.PROPOSE  # handling continues while the head decides
    assert Deferral.objects.get(request=case).status == "pending"
    assert case.due_date == d("2026-03-30")  # not before the approval
    deferral_approve(actor=office_head, case_id=case.pk, today=d("2026-03-12"))
    approved = refreshed(case)
    assert approved.due_date == d("2026-04-30")
    assert approved.clock_entries.get(kind="defer").until == d("2026-04-30")
    text = "".join(approved.clock_explanation)
    assert "确定延迟答复期限为2026年4月30日并告知申请人（《条例》第三十五条）" in text
    assert "按《条例》第三十三条计算的答复期限为2026年3月30日" in text
    notice = squash(docx_text(letter(case, "deferral_notice").docx.read()))
    facts = ("2026年3月10日收到您说明的理由", "2026年3月30日前", "2026年4月30日前", "第三十五条")
    for fact in facts:
        assert squash(fact) in notice
    event = AuditEvent.objects.filter(object_id=str(case.pk)).order_by("id").last()
    assert (event.action, event.from_state, event.to_state) == (
        "deferral_approved",
        "答复期限2026年3月30日",
        "答复期限2026年4月30日",
    )
    with pytest.raises(StaleCase, match="已于2026年3月12日审批"):
        deferral_approve(actor=office_head, case_id=case.pk, today=d("2026-03-12"))


def test_only_the_office_head_approves_a_deferral(deferred, handler, outsider):
    # Art. 35 deferral approved like an Art. 33 ¶2 extension, by the head (DOMAIN §3.4).
    for actor in (handler, outsider):
        with pytest.raises(NotAllowed):
            deferral_approve(actor=actor, case_id=deferred.pk, today=d("2026-03-12"))
    assert Deferral.objects.get(request=deferred).status == "pending"


def test_a_deferral_is_not_approved_after_the_art33_due_date(deferred, office_head):
    # Art. 35 read with Art. 33: the later date is fixed within the Art. 33 period.
    with pytest.raises(ValidationError, match="不能再确定"):
        deferral_approve(actor=office_head, case_id=deferred.pk, today=d("2026-03-31"))
    assert refreshed(deferred).due_date == d("2026-03-30")
    assert not CaseDocument.objects.filter(request=deferred, letter_kind="deferral_notice")


def test_refused_deferral_leaves_the_art33_period_and_allows_an_extension(
    deferred, handler, office_head
):
    # Art. 33 ¶2 / Art. 35: without an approved deferral the Art. 33 rules apply.
    with pytest.raises(ValidationError):
        deferral_refuse(actor=office_head, case_id=deferred.pk, comment=" ")
    deferral_refuse(
        actor=office_head, case_id=deferred.pk, comment="请按第三十三条延期", today=d("2026-03-12")
    )
    assert Deferral.objects.get(request=deferred).status == "refused"
    assert refreshed(deferred).due_date == d("2026-03-30")
    # Art. 33 ¶2 is open again once the deferral is refused.
    extension_ask(actor=handler, case_id=deferred.pk, days=20, reason="调档", today=d("2026-03-13"))


def test_no_extension_while_a_deferral_waits_or_after_it(deferred, handler, office_head):
    # Art. 33 ¶2 after Art. 35: the deferral already set the date.
    with pytest.raises(ValidationError, match="正在等待审批"):
        extension_ask(actor=handler, case_id=deferred.pk, days=5, reason="调档")
    deferral_approve(actor=office_head, case_id=deferred.pk, today=d("2026-03-12"))
    with pytest.raises(ValidationError, match="不能再依照第三十三条第二款延期"):
        extension_ask(actor=handler, case_id=deferred.pk, days=5, reason="调档")


def test_an_extension_asked_before_cannot_be_approved_after_a_deferral(
    case, handler, registrar, office_head
):
    # Art. 33 ¶2 / Art. 35: an extension asked while the reasons were awaited, then a deferral.
    ask(case, handler)
    extension_ask(actor=handler, case_id=case.pk, days=10, reason="调档", today=d("2026-03-04"))
    answer(case, registrar)
    defer(case, handler)
    deferral_approve(actor=office_head, case_id=case.pk, today=d("2026-03-12"))
    with pytest.raises(ValidationError, match="不能再依照《条例》第三十三条第二款延期"):
        extension_approve(actor=office_head, case_id=case.pk, today=d("2026-03-13"))
    assert refreshed(case).due_date == d("2026-04-30")


def test_the_deferred_date_is_not_moved_by_a_later_consultation(deferred, handler, office_head):
    # Art. 33 ¶3 removes consultation time from the Art. 33 periods only; the Art. 35 date
    # fixed by the agency stands.
    from requests_app.services import consultation_record_reply, consultation_send

    deferral_approve(actor=office_head, case_id=deferred.pk, today=d("2026-03-12"))
    consultation = consultation_send(
        actor=handler,
        case_id=deferred.pk,
        party="third_party",
        party_name="某公司",
        matter="合同",
        today=d("2026-03-16"),
    )
    during = refreshed(deferred)
    assert (during.due_date, during.paused) == (d("2026-04-30"), False)
    consultation_record_reply(
        actor=handler,
        consultation_id=consultation.pk,
        reply="agree",
        replied_on=d("2026-03-27"),
        today=d("2026-03-27"),
    )
    after = refreshed(deferred)
    assert after.due_date == d("2026-04-30")
    assert "不因此顺延" in "".join(after.clock_explanation)


@pytest.mark.django_db(transaction=True)
def test_two_heads_approving_at_once_one_wins_the_other_is_told(
    case, handler, registrar, office_head, django_user_model, agency
):
    # Art. 35: one deferral; two approvals at once → one wins, the other is told.
    import threading

    from django.contrib.auth.models import Group
    from django.db import connection

    ask(case, handler)
    answer(case, registrar)
    defer(case, handler)
    deputy = django_user_model.objects.create_user(username="deputy_head", password="pw")
    deputy.groups.add(Group.objects.get(name="office_head"))
    agency.staff.add(deputy)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def work(user):
        try:
            barrier.wait()
            deferral_approve(actor=user, case_id=case.pk, today=d("2026-03-12"))
            outcomes.append("approved")
        except StaleCase as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(user,)) for user in (office_head, deputy)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 2
    won, lost = sorted(outcomes)  # "approved" sorts before the Chinese message
    assert won == "approved"
    assert "已于2026年3月12日审批" in lost
    assert refreshed(case).clock_entries.filter(kind="defer").count() == 1
    assert CaseDocument.objects.filter(request=case, letter_kind="deferral_notice").count() == 1
