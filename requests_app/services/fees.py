"""The processing fee (Fee Rules, DOMAIN §3.7)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from requests_app import permissions
from requests_app.audit_actions import RequestAction
from requests_app.letter_contexts import FeeContext
from requests_app.letters import common, issue_letter
from requests_app.models import Fee, InformationRequest, NoticeService
from requests_app.process import process_lock, sync_process
from requests_app.rules.periods import PAYMENT_DAYS
from requests_app.services._common import (
    R,
    _add_clock,
    _await_service,
    _locked,
    _move,
    _not_in_future,
    _require_stage,
)
from requests_app.services.examination import _decide_abandoned
from workflow.actors import Actor

# -- processing fee (Fee Rules, DOMAIN §3.7) ----------------------------------------------------


def applications_earlier_this_month(case: InformationRequest) -> int:
    """The same applicant's earlier applications to this agency in the case's calendar month."""
    same = InformationRequest.objects.filter(
        agency=case.agency,
        receipt_date__year=case.receipt_date.year,
        receipt_date__month=case.receipt_date.month,
        pk__lt=case.pk,
    )
    if case.credit_code:
        same = same.filter(credit_code=case.credit_code)
    elif case.id_number:
        same = same.filter(id_number=case.id_number)
    else:
        same = same.filter(applicant_name=case.applicant_name)
    return same.count()


def fee_notice(
    *,
    actor: Actor,
    case_id: int,
    method: str,
    quantity: int,
    payment_method: str,
    reduction: int = 0,
    reduction_reason: str = "",
    today: date | None = None,
) -> Fee:
    """Charge a fee for volume or frequency beyond reason; the clock pauses until payment."""
    today = today or timezone.localdate()
    if method not in Fee.Method.values:
        raise ValidationError({"method": "请选择按件计收或按量计收（两者不得同时适用）。"})
    if quantity < 1:
        raise ValidationError({"quantity": "件数或页数至少为1。"})
    if not payment_method.strip():
        raise ValidationError({"payment_method": "请写明缴费方式（如缴款账户、缴费地点）。"})
    if reduction and not reduction_reason.strip():
        raise ValidationError(
            {"reduction_reason": "减免收费的，请写明理由（如申请人为低保对象）。"}
        )
    with transaction.atomic():
        case = _locked(case_id)
        permissions.require(actor, case, "fee_notice")
        _require_stage(case, (R.Stage.PROPOSE,), "发出收费通知")
        if hasattr(case, "fee"):
            raise ValidationError("这件申请已经发出过收费通知。")
        earlier = applications_earlier_this_month(case) if method == Fee.Method.PER_PIECE else 0
        context = FeeContext(
            **common(case, actor, issue_date=today),
            method=method,
            quantity=quantity,
            earlier_this_month=earlier,
            reduction=reduction,
            reduction_reason=reduction_reason.strip(),
            payment_method=payment_method.strip(),
            pay_within_days=PAYMENT_DAYS,
        )
        calculation = context.calculation()
        if calculation.due == 0:
            raise ValidationError(
                {"quantity": "按此数量不收费（本月前10件、前30页免费）；无需发出收费通知。"}
            )
        fee = Fee.objects.create(
            request=case,
            method=method,
            quantity=quantity,
            earlier_this_month=earlier,
            reduction=reduction,
            reduction_reason=reduction_reason.strip(),
            amount=calculation.due,
            calculation=calculation.describe(),
            payment_method=payment_method.strip(),
            notice_on=today,
            pay_by=None,  # 收到收费通知次日起20个工作日 (Fee Rules): set when the notice is served
            created_by=actor,
            created_at=timezone.now(),
        )
        _add_clock(case, "pause", today, actor, today=today, reason="fee", note="收费通知")
        letter = issue_letter(case, "fee_notice", context, actor=actor)
        _await_service(
            case,
            NoticeService.Notice.FEE,
            letter,
            addressee=case.applicant_name,
            issued_on=today,
            period_days=PAYMENT_DAYS,
        )
        _move(
            case,
            R.Stage.FEE,
            actor=actor,
            action=RequestAction.FEE_NOTICE_ISSUED,
            reason=f"应缴{fee.amount}元，缴费期限为收到通知次日起{PAYMENT_DAYS}个工作日，待送达",
            today=today,
        )
    return fee


_FEE_ACTIONS = {
    Fee.Status.PAID: RequestAction.FEE_PAID,
    Fee.Status.WAIVED: RequestAction.FEE_WAIVED,
}


def _settle_fee(case, fee: Fee, status: str, on: date, *, actor: Actor, today: date, reason: str):
    fee.status = status
    fee.settled_on = on
    fee.save(update_fields=["status", "settled_on", "waiver_reason"])
    _add_clock(case, "resume", on, actor, today=today, note=fee.get_status_display())
    _move(
        case, R.Stage.PROPOSE, actor=actor, action=_FEE_ACTIONS[status], reason=reason, today=today
    )


def fee_paid(*, actor: Actor, case_id: int, paid_on: date, today: date | None = None) -> Fee:
    """The payment arrived: the clock resumes from the next working day."""
    today = today or timezone.localdate()
    _not_in_future(paid_on, today, "缴费日期")
    with transaction.atomic():
        case = _locked(case_id)
        permissions.require(actor, case, "fee_paid")
        _require_stage(case, (R.Stage.FEE,), "登记缴费")
        fee = Fee.objects.select_for_update().get(request=case)
        if paid_on < fee.notice_on:
            raise ValidationError({"paid_on": "缴费日期不能早于收费通知日期。"})
        _settle_fee(
            case,
            fee,
            Fee.Status.PAID,
            paid_on,
            actor=actor,
            today=today,
            reason=f"已缴{fee.amount}元",
        )
    return fee


def fee_waive(*, actor: Actor, case_id: int, reason: str, today: date | None = None) -> Fee:
    """Waive the fee (e.g. an applicant on subsistence allowance); the reason is kept."""
    today = today or timezone.localdate()
    if not reason.strip():
        raise ValidationError({"reason": "请写明免收理由。"})
    with process_lock(case_id), transaction.atomic():
        case = _locked(case_id)
        permissions.require(actor, case, "fee_waive")
        _require_stage(case, (R.Stage.FEE,), "免收信息处理费")
        fee = Fee.objects.select_for_update().get(request=case)
        fee.waiver_reason = reason.strip()
        _settle_fee(case, fee, Fee.Status.WAIVED, today, actor=actor, today=today, reason=reason)
        sync_process(case)  # the waiver comes from the case page, outside the fee task
    return fee


def fee_lapsed(*, case_id: int, today: date | None = None) -> InformationRequest | None:
    """No payment within 20 working days: deemed abandoned (Fee Rules). Run by the timer."""
    today = today or timezone.localdate()
    with transaction.atomic():
        case = _locked(case_id)
        fee = Fee.objects.select_for_update().filter(request=case).first()
        # Not before the notice is served and its 20 working days have run (Fee Rules).
        if case.stage != R.Stage.FEE or fee is None or fee.pay_by is None or today <= fee.pay_by:
            return None
        fee.status = Fee.Status.LAPSED
        fee.save(update_fields=["status"])
        _decide_abandoned(
            case,
            outcome="abandoned_no_payment",
            notice_date=fee.notice_on,
            lapsed=fee.pay_by,
            today=today,
        )
    return case
