"""Examination of an application: acceptance, correction (Art. 30), reasons for a volume or
frequency clearly beyond reason (Art. 35) and the deferral that follows."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from requests_app import permissions
from requests_app.audit_actions import RequestAction
from requests_app.clock_sync import evaluate_case, events_of, sync_clock
from requests_app.letter_contexts import CorrectionContext, DeferralContext, ReasonsRequestContext
from requests_app.letters import applicant, common, issue_letter
from requests_app.models import Decision, Deferral, NoticeService, ReasonsRequest
from requests_app.rules.periods import CORRECTION_WINDOW, PURPOSE_WORDS, REG
from requests_app.services._common import (
    OPEN_STAGES,
    R,
    StaleCase,
    _add_clock,
    _await_service,
    _conclude,
    _facts_due,
    _locked,
    _move,
    _not_in_future,
    _require_stage,
)
from requests_app.services.decision import _issue_reply, reply_context
from workflow.actors import Actor
from workflow.audit import audit
from workflow.calendar import get_calendar
from workflow.clock import ClockEvent
from workflow.cn import cn_date

# -- accept, correction (Art. 30) ------------------------------------------------------------


def request_accept(*, actor: Actor, case_id: int, handler=None, today: date | None = None):
    """The handler takes the case on: it is an information request this agency handles."""
    today = today or timezone.localdate()
    with transaction.atomic():
        case = _locked(case_id)
        permissions.require(actor, case, "accept")
        _require_stage(case, (R.Stage.ACCEPT,), "受理")
        case.handler = handler or actor
        case.save(update_fields=["handler"])
        _move(
            case, R.Stage.PROPOSE, actor=actor, action=RequestAction.REQUEST_ACCEPTED, today=today
        )
    return case


def request_ask_correction(
    *,
    actor: Actor,
    case_id: int,
    items: list[str],
    period_days: int | None = None,
    today: date | None = None,
):
    """One correction notice listing everything at once, with a reasonable period (Art. 30)."""
    today = today or timezone.localdate()
    items = [item.strip() for item in items if item and item.strip()]
    if not items:
        raise ValidationError({"items": "请逐项列明需要补正的事项（一次性告知）。"})
    with transaction.atomic():
        case = _locked(case_id)
        permissions.require(actor, case, "ask_correction")
        _require_stage(case, (R.Stage.ACCEPT,), "告知补正")
        if case.correction_asked_on:
            raise ValidationError("补正只能告知一次（《条例》第三十条）。")
        calendar = get_calendar(case.agency_id)
        latest = calendar.add_working_days(case.receipt_date, CORRECTION_WINDOW)
        if today > latest:
            raise ValidationError(
                f"补正告知应当在收到申请之日起7个工作日内发出（《条例》第三十条），"
                f"本申请最迟应于{cn_date(latest)}发出，现已超过。"
            )
        period = period_days or case.agency.correction_period_days
        if not 1 <= period <= 60:
            raise ValidationError({"period_days": "补正期限应为1至60个工作日。"})
        # The period runs from the applicant's receipt of the notice (Art. 30 "自收到本告知书之日
        # 起"): it has no end until the notice's service is recorded (notice_record_service).
        case.correction_items = items
        case.correction_asked_on = today
        case.correction_deadline = None
        case.save(update_fields=["correction_items", "correction_asked_on", "correction_deadline"])
        _add_clock(case, "pause", today, actor, today=today, reason="correction", note="补正告知")
        letter = issue_letter(
            case,
            "correction_notice",
            CorrectionContext(
                **common(case, actor, issue_date=today), items=items, period_days=period
            ),
            actor=actor,
        )
        _await_service(
            case,
            NoticeService.Notice.CORRECTION,
            letter,
            addressee=case.applicant_name,
            issued_on=today,
            period_days=period,
        )
        _move(
            case,
            R.Stage.CORRECT,
            actor=actor,
            action=RequestAction.REQUEST_CORRECTION_ASKED,
            reason=f"补正期限为自收到告知书之日起{period}个工作日，待送达",
            today=today,
            data={"items": items},
        )
    return case


def request_record_correction(
    *,
    actor: Actor,
    case_id: int,
    received_on: date,
    late_reason: str = "",
    today: date | None = None,
):
    """The corrected application arrived: the period starts again from that day (Art. 30)."""
    today = today or timezone.localdate()
    _not_in_future(received_on, today, "收到补正申请之日")
    with transaction.atomic():
        case = _locked(case_id)
        permissions.require(actor, case, "record_correction")
        _require_stage(case, (R.Stage.CORRECT,), "登记补正")
        if received_on < case.correction_asked_on:
            raise ValidationError({"received_on": "收到补正申请之日不能早于补正告知日期。"})
        deadline = case.correction_deadline
        if deadline is not None and received_on > deadline and not late_reason.strip():
            raise ValidationError(
                {
                    "late_reason": (
                        f"补正期限已于{cn_date(case.correction_deadline)}届满；逾期补正的，"
                        "请写明申请人的正当理由，否则应按视为放弃申请处理。"
                    )
                }
            )
        case.corrected_on = received_on
        case.save(update_fields=["corrected_on"])
        _add_clock(case, "start", received_on, actor, today=today, note="收到补正后的申请")
        _move(
            case,
            R.Stage.ACCEPT,
            actor=actor,
            action=RequestAction.REQUEST_CORRECTED,
            reason=late_reason.strip() or f"{cn_date(received_on)}收到补正后的申请",
            today=today,
        )
    return case


def request_correction_lapsed(*, case_id: int, today: date | None = None):
    """No correction in time: the application is deemed abandoned (Art. 30). Run by the timer."""
    today = today or timezone.localdate()
    with transaction.atomic():
        case = _locked(case_id)
        deadline = case.correction_deadline
        # No end before the notice is served; nothing before the end has passed (Art. 30).
        if case.stage != R.Stage.CORRECT or deadline is None or today <= deadline:
            return None
        _decide_abandoned(
            case,
            outcome="abandoned_no_correction",
            notice_date=case.correction_asked_on,
            lapsed=case.correction_deadline,
            today=today,
        )
    return case


def _decide_abandoned(case, *, outcome: str, notice_date: date, lapsed: date, today: date):
    from requests_app.rules.outcomes import default_articles

    now = timezone.now()
    Decision.objects.update_or_create(
        request=case,
        defaults={
            "outcome": outcome,
            "articles": default_articles(outcome),
            "reason": "",
            "details": {"notice_date": notice_date.isoformat(), "lapsed": lapsed.isoformat()},
            "proposed_by": case.handler or case.created_by,
            "proposed_at": now,
            "approved_at": now,
            "decided_on": today,
        },
    )
    case.outcome = outcome
    case.save(update_fields=["outcome"])
    # The request ends today, the day it is found abandoned (the notice is served after).
    concluded = _conclude(case, today)
    _issue_reply(case, case.decision, actor=None, issue_date=today)
    _move(
        case,
        R.Stage.SERVE,
        actor=None,
        action=RequestAction.REQUEST_DEEMED_ABANDONED,
        reason=f"期限于{cn_date(lapsed)}届满",
        today=today,
        data=concluded or None,
    )


# -- volume or frequency clearly beyond reason (Art. 35) -------------------------------------


#: Words that ask the applicant what the information is for: Art. 35 asks only why the volume or
#: frequency is so high (the 2019 revision removed the old Art. 13 "特殊需要" test).


def request_ask_reasons(
    *,
    actor: Actor,
    case_id: int,
    grounds: str,
    items: list[str],
    how_to_answer: str,
    period_days: int | None = None,
    today: date | None = None,
) -> ReasonsRequest:
    """Ask the applicant to explain a volume or frequency clearly beyond reason (Art. 35).

    The Regulation sets no period for the answer: the agency's default (``reasons_period_days``)
    is Policy. The reply clock keeps running while the applicant answers (``workflow.clock``)."""
    today = today or timezone.localdate()
    items = [item.strip() for item in items if item and item.strip()]
    errors = {}
    if not grounds.strip():
        errors["grounds"] = (
            "请写明申请数量、频次明显超过合理范围的具体情况（如一段时间内提交的件数、内容相同的件数）。"
        )
    if not items:
        errors["items"] = "请逐项列明需要申请人说明的事项。"
    for index, item in enumerate(items, 1):
        if any(word in item for word in PURPOSE_WORDS):
            errors["items"] = (
                f"第{index}项要求说明所需信息的用途。2019年修订的《条例》已删除“根据自身生产、生活、"
                "科研等特殊需要”的申请条件，第三十五条只能要求申请人说明申请数量、频次明显超过"
                "合理范围的理由；请删去该项。"
            )
            break
    if not how_to_answer.strip():
        errors["how_to_answer"] = (
            "请写明申请人说明理由的方式（如书面说明，可当面提交、邮寄或网上提交）。"
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = _locked(case_id)
        permissions.require(actor, case, "ask_reasons")
        _require_stage(case, (R.Stage.ACCEPT,), "要求说明理由")
        if ReasonsRequest.objects.filter(request=case).exists():
            raise ValidationError(
                "本申请已经要求过申请人说明理由（《条例》第三十五条），不能再次要求。"
            )
        period = period_days or case.agency.reasons_period_days
        if not 1 <= period <= 60:
            raise ValidationError({"period_days": "说明理由的期限应为1至60个工作日。"})
        reply_by = get_calendar(case.agency_id).add_working_days(today, period)
        reasons = ReasonsRequest.objects.create(
            request=case,
            grounds=grounds.strip(),
            items=items,
            how_to_answer=how_to_answer.strip(),
            period_days=period,
            asked_on=today,
            reply_by=reply_by,
            asked_by=actor,
            created_at=timezone.now(),
        )
        if case.handler_id is None:
            case.handler = actor
            case.save(update_fields=["handler"])
        _add_clock(case, "reasons", today, actor, today=today, note="要求说明理由")
        issue_letter(
            case,
            "reasons_request",
            ReasonsRequestContext(
                **common(case, actor, issue_date=today),
                grounds=reasons.grounds,
                items=items,
                how_to_answer=reasons.how_to_answer,
                reply_by=reply_by,
                period_days=period,
            ),
            actor=actor,
        )
        _move(
            case,
            R.Stage.REASONS,
            actor=actor,
            action=RequestAction.REASONS_ASKED,
            reason=f"说明期限至{cn_date(reply_by)}",
            today=today,
            data={"items": items},
        )
    return reasons


def reasons_record_answer(
    *, actor: Actor, case_id: int, answered_on: date, answer: str, today: date | None = None
) -> ReasonsRequest:
    """The applicant's explanation arrived (Art. 35): recorded for the handler to examine."""
    today = today or timezone.localdate()
    _not_in_future(answered_on, today, "收到说明之日")
    if not answer.strip():
        raise ValidationError({"answer": "请记录申请人说明的理由（可摘录要点）。"})
    with transaction.atomic():
        case = _locked(case_id)
        permissions.require(actor, case, "reasons_answer")
        _require_stage(case, (R.Stage.REASONS,), "登记申请人说明的理由")
        reasons = ReasonsRequest.objects.select_for_update().get(request=case)
        if reasons.status != ReasonsRequest.Status.PENDING:
            raise StaleCase(
                f"{case.case_number}的说明理由已记录为“{reasons.get_status_display()}”。"
            )
        if answered_on < reasons.asked_on:
            raise ValidationError({"answered_on": "收到说明之日不能早于要求说明理由的日期。"})
        if answered_on > reasons.reply_by:
            raise ValidationError(
                {
                    "answered_on": (
                        f"说明期限已于{cn_date(reasons.reply_by)}届满，逾期收到的说明不再登记，"
                        "按逾期未说明处理。"
                    )
                }
            )
        reasons.status = ReasonsRequest.Status.ANSWERED
        reasons.answered_on = answered_on
        reasons.answer = answer.strip()
        reasons.recorded_by = actor
        reasons.save(update_fields=["status", "answered_on", "answer", "recorded_by"])
        audit(
            actor=actor,
            action=RequestAction.REASONS_ANSWERED,
            obj=case,
            agency=case.agency,
            from_state=case.stage,
            to_state=case.stage,
            reason=f"{cn_date(answered_on)}收到申请人说明的理由",
        )
    return reasons


def reasons_lapsed(*, case_id: int, today: date | None = None) -> ReasonsRequest | None:
    """The period ran out without an answer (timer); the handler decides next (Art. 35)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        case = _locked(case_id)
        reasons = ReasonsRequest.objects.select_for_update().filter(request=case).first()
        if (
            case.stage != R.Stage.REASONS
            or reasons is None
            or reasons.status != ReasonsRequest.Status.PENDING
            or today <= reasons.reply_by
        ):
            return None
        reasons.status = ReasonsRequest.Status.LAPSED
        reasons.save(update_fields=["status"])
        audit(
            actor=None,
            action=RequestAction.REASONS_LAPSED,
            obj=case,
            agency=case.agency,
            from_state=case.stage,
            to_state=case.stage,
            reason=f"说明期限于{cn_date(reasons.reply_by)}届满，申请人未说明理由",
        )
    return reasons


def reasons_decide(
    *,
    actor: Actor,
    case_id: int,
    finding: str,
    note: str = "",
    later_date: date | None = None,
    today: date | None = None,
) -> ReasonsRequest:
    """The handler's finding on the applicant's reasons (Art. 35), one of three:

    - ``unreasonable`` (or no answer): the proposal "not processed" (``unreasonable_volume``)
      goes for approval, and the approved decision issues the not-processed notice;
    - ``reasonable``: handling continues;
    - ``deferred``: reasonable, but the reply cannot be made within the Art. 33 period: a later
      reply date is proposed for the office head's approval (``deferral_approve``).
    """
    today = today or timezone.localdate()
    F = ReasonsRequest.Finding
    note = note.strip()
    if finding not in F.values:
        raise ValidationError({"finding": "请选择审查结论。"})
    with transaction.atomic():
        case = _locked(case_id)
        permissions.require(actor, case, "reasons_decide")
        _require_stage(case, (R.Stage.REASONS,), "审查申请人说明的理由")
        reasons = ReasonsRequest.objects.select_for_update().get(request=case)
        lapsed = reasons.status == ReasonsRequest.Status.LAPSED
        if reasons.status == ReasonsRequest.Status.PENDING:
            raise ValidationError(
                f"申请人尚未说明理由，说明期限至{cn_date(reasons.reply_by)}；"
                "收到说明或期限届满后再作审查。"
            )
        if lapsed and finding != F.UNREASONABLE:
            raise ValidationError(
                {
                    "finding": (
                        "申请人逾期未说明理由，只能按不予处理提出办理意见（《条例》第三十五条）。"
                    )
                }
            )
        if finding == F.UNREASONABLE and not lapsed and not note:
            raise ValidationError({"note": "请写明申请人说明的理由为什么不合理。"})
        if finding == F.DEFERRED:
            errors = {}
            if not note:
                errors["note"] = "请写明无法在答复期限内答复的理由（将写入延迟答复告知书）。"
            if later_date is None:
                errors["later_date"] = "请填写延迟答复期限。"
            if errors:
                raise ValidationError(errors)
            preview = [*events_of(case), ClockEvent(kind="defer", on=today, until=later_date)]
            try:
                evaluate_case(case, today=today, events=preview)
            except ValueError as error:
                raise ValidationError({"later_date": str(error)}) from None
        reasons.finding = finding
        reasons.finding_note = note
        reasons.decided_by = actor
        reasons.decided_on = today
        reasons.save(update_fields=["finding", "finding_note", "decided_by", "decided_on"])
        if finding == F.UNREASONABLE:
            _propose_not_processed(case, reasons, actor=actor, today=today)
        elif finding == F.REASONABLE:
            _move(
                case,
                R.Stage.PROPOSE,
                actor=actor,
                action=RequestAction.REASONS_REASONABLE,
                reason=note or "申请人说明的理由合理，继续办理",
                today=today,
            )
        else:
            Deferral.objects.create(
                request=case,
                until=later_date,
                reason=note,
                asked_by=actor,
                asked_at=timezone.now(),
            )
            _move(
                case,
                R.Stage.PROPOSE,
                actor=actor,
                action=RequestAction.DEFERRAL_PROPOSED,
                reason=f"理由合理，但无法按期答复，拟延迟至{cn_date(later_date)}：{note}",
                today=today,
            )
    return reasons


def _propose_not_processed(case, reasons: ReasonsRequest, *, actor: Actor, today: date) -> Decision:
    """Art. 35, unreasonable or unanswered: the proposal "not processed" goes for approval."""
    you = applicant(case).you
    if reasons.status == ReasonsRequest.Status.LAPSED:
        why = f"{you}未在{cn_date(reasons.reply_by)}前说明理由"
    else:
        why = (
            f"{you}于{cn_date(reasons.answered_on)}说明了理由，经审查，理由不合理："
            + reasons.finding_note.rstrip("。；，,;. ")
        )
    decision, _ = Decision.objects.update_or_create(
        request=case,
        defaults={
            "outcome": "unreasonable_volume",
            "articles": [f"{REG}第三十五条"],
            "reason": why,
            "withheld_parts": [],
            "details": {"notice_date": reasons.asked_on.isoformat()},
            "provide_form": "",
            "needs_legal_review": False,
            "proposed_by": actor,
            "proposed_at": timezone.now(),
            "legal_reviewed_by": None,
            "legal_reviewed_at": None,
            "approved_by": None,
            "approved_at": None,
            "public_interest_reasons": "",
            "overridden_objections": [],
            "disclose_from": None,
        },
    )
    missing = reply_context(case, decision, actor=actor, issue_date=today).missing()
    if missing:
        raise ValidationError("不予处理告知书缺少必需内容：" + "、".join(missing))
    _move(
        case,
        R.Stage.APPROVE,
        actor=actor,
        action=RequestAction.REASONS_UNREASONABLE,
        reason=f"拟不予处理（《条例》第三十五条）：{why}",
        today=today,
    )
    return decision


def deferral_approve(*, actor: Actor, case_id: int, today: date | None = None) -> Deferral:
    """The head of the disclosure office approves the later reply date (Art. 35); the applicant
    is told by the 延迟答复告知书 and the clock's due date becomes that date."""
    today = today or timezone.localdate()
    with transaction.atomic():
        case = _locked(case_id)
        permissions.require(actor, case, "deferral")
        _require_stage(case, OPEN_STAGES, "批准延迟答复")
        deferral = _pending_deferral(case)
        before = evaluate_case(case, today=today)
        original_due = before.due_date or before.projected_due_date
        try:
            _add_clock(
                case, "defer", today, actor, today=today, until=deferral.until, note="延迟答复"
            )
        except ValidationError as error:
            raise ValidationError(
                f"{' '.join(error.messages)}请选择“不批准”，由承办人另行处理。"
            ) from None
        deferral.status = Deferral.Status.APPROVED
        deferral.decided_by = actor
        deferral.decided_on = today
        deferral.save(update_fields=["status", "decided_by", "decided_on"])
        state = sync_clock(case, today=today)
        reasons = ReasonsRequest.objects.filter(request=case).first()
        issue_letter(
            case,
            "deferral_notice",
            DeferralContext(
                **{**common(case, actor, issue_date=today), "case": _facts_due(case, original_due)},
                reasons_received_on=reasons.answered_on if reasons else None,
                reason=deferral.reason,
                new_due_date=state.due_date,
            ),
            actor=actor,
        )
        audit(
            actor=actor,
            action=RequestAction.DEFERRAL_APPROVED,
            obj=case,
            agency=case.agency,
            from_state=f"答复期限{cn_date(original_due)}" if original_due else "",
            to_state=f"答复期限{cn_date(state.due_date)}",
            reason=deferral.reason,
        )
    return deferral


def deferral_refuse(
    *, actor: Actor, case_id: int, comment: str, today: date | None = None
) -> Deferral:
    """The head does not approve the later date: the Art. 33 period stands."""
    today = today or timezone.localdate()
    if not comment.strip():
        raise ValidationError({"comment": "请写明不批准的理由，供承办人参考。"})
    with transaction.atomic():
        case = _locked(case_id)
        permissions.require(actor, case, "deferral")
        _require_stage(case, OPEN_STAGES, "审批延迟答复")
        deferral = _pending_deferral(case)
        deferral.status = Deferral.Status.REFUSED
        deferral.decided_by = actor
        deferral.decided_on = today
        deferral.comment = comment.strip()
        deferral.save(update_fields=["status", "decided_by", "decided_on", "comment"])
        audit(
            actor=actor,
            action=RequestAction.DEFERRAL_REFUSED,
            obj=case,
            agency=case.agency,
            from_state=case.stage,
            to_state=case.stage,
            reason=comment.strip(),
        )
    return deferral


def _pending_deferral(case) -> Deferral:
    deferral = Deferral.objects.select_for_update().filter(request=case).first()
    if deferral is None:
        raise StaleCase("这件申请没有待批准的延迟答复。")
    if deferral.status != Deferral.Status.PENDING:
        raise StaleCase(
            f"延迟答复已于{cn_date(deferral.decided_on)}审批（{deferral.get_status_display()}）。"
        )
    return deferral
