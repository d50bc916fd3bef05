"""Service of the reply, and of the notices whose periods run from their receipt (DOMAIN §3.8)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from requests_app import permissions
from requests_app.audit_actions import RequestAction
from requests_app.clock_sync import evaluate_case, notice_is_open, set_period_end, sync_clock
from requests_app.models import CaseDocument, NoticeService
from requests_app.process import process_lock, rearm_timers
from requests_app.services._common import (
    R,
    StaleCase,
    _add_clock,
    _conclude,
    _locked,
    _move,
    _not_in_future,
    _require_stage,
)
from requests_app.services.online_service import (
    letter_make_available,
    platform_service_date_problem,
    replies_make_available,
)
from workflow.actors import Actor
from workflow.audit import audit
from workflow.calendar import get_calendar
from workflow.clock import notice_period_end
from workflow.cn import cn_date

#: The notices addressed to the applicant (the others go to a third party or another agency).
APPLICANT_NOTICES = (NoticeService.Notice.CORRECTION, NoticeService.Notice.FEE)


class ServiceMethod:
    DIRECT = "direct"
    POST = "post"
    ELECTRONIC = "electronic"
    LABELS = {
        "direct": "直接送达（以受送达人签收之日为送达日期）",
        "post": "邮寄送达（以交邮之日为送达日期）",
        "electronic": "电子送达（以通过申请人选择的渠道发出之日为送达日期）",
    }


def request_serve(
    *,
    actor: Actor,
    case_id: int,
    method: str,
    served_on: date,
    tracking_number: str = "",
    today: date | None = None,
):
    """Record the service of the reply (DOMAIN §3.8); late service is allowed but recorded."""
    today = today or timezone.localdate()
    _not_in_future(served_on, today, "送达日期")
    if method not in ServiceMethod.LABELS:
        raise ValidationError({"method": "请选择送达方式。"})
    if method == ServiceMethod.POST and not tracking_number.strip():
        raise ValidationError({"tracking_number": "邮寄送达请填写邮件号码（须通过邮政企业寄送）。"})
    with transaction.atomic():
        case = _locked(case_id)
        permissions.require(actor, case, "serve")
        _require_stage(case, (R.Stage.SERVE,), "送达")
        problem = platform_service_date_problem(
            case, method=method, served_on=served_on, today=today
        )
        if problem:
            raise ValidationError({"served_on": problem})
        decided = case.decision.decided_on
        if decided and served_on < decided:
            raise ValidationError({"served_on": "送达日期不能早于作出决定的日期。"})
        wait_until = case.decision.disclose_from
        if wait_until and served_on < wait_until:
            raise ValidationError(
                {
                    "served_on": (
                        "本申请不顾第三方反对决定公开，按本机关设置，告知第三方后须等待至"
                        f"{cn_date(wait_until)}才能向申请人提供信息（《条例》第三十二条）。"
                    )
                }
            )
        _add_clock(case, "stop", served_on, actor, today=today, note="送达")
        case.service_method = method
        case.served_on = served_on
        case.tracking_number = tracking_number.strip()
        state = evaluate_case(case, today=today)
        case.served_late = state.on_time is False
        case.save(update_fields=["service_method", "served_on", "tracking_number", "served_late"])
        concluded = _conclude(case, served_on)
        if method == ServiceMethod.ELECTRONIC:
            replies_make_available(case=case, actor=actor, now=timezone.now())
        _move(
            case,
            R.Stage.ARCHIVE,
            actor=actor,
            action=RequestAction.REQUEST_SERVED,
            reason=f"{ServiceMethod.LABELS[method]}，{cn_date(served_on)}"
            + ("，逾期送达" if case.served_late else ""),
            today=today,
            data=concluded or None,
        )
    return case


# -- service of notices whose period runs from receipt (DOMAIN §3.8) -------------------------------


def notice_record_service(
    *,
    actor: Actor,
    service_id: int,
    method: str,
    served_on: date,
    tracking_number: str = "",
    proof_id: int | None = None,
    today: date | None = None,
) -> NoticeService:
    """Record (or correct) the service of a notice; its period's end is computed from it and the
    timer waiting on it is moved (Arts. 30, 32, 34; Fee Rules; DOMAIN §3.8)."""
    today = today or timezone.localdate()
    if method not in NoticeService.Method.values:
        raise ValidationError({"method": "请选择送达方式：直接送达、邮寄送达或电子送达。"})
    if method == NoticeService.Method.POST and not tracking_number.strip():
        raise ValidationError(
            {
                "tracking_number": (
                    "邮寄送达请填写邮件号码（须通过邮政企业寄送，以交邮之日为送达日期）。"
                )
            }
        )
    if served_on > today:
        raise ValidationError({"served_on": f"送达日期（{cn_date(served_on)}）晚于今天，请核对。"})
    case_id = (
        NoticeService.objects.filter(pk=service_id).values_list("request_id", flat=True).first()
    )
    if case_id is None:
        raise StaleCase("没有找到这份文书的送达记录，请刷新页面。")
    with process_lock(case_id), transaction.atomic():
        case = _locked(case_id)
        permissions.require(actor, case, "notice_service")
        service = (
            NoticeService.objects.select_for_update(of=("self",))
            .select_related("consultation")
            .get(pk=service_id)
        )
        service.request = case
        if not notice_is_open(service):
            raise StaleCase(f"{service}的期限已经结束或不再需要计算，不能再登记或更改送达。")
        if served_on < service.issued_on:
            raise ValidationError(
                {
                    "served_on": (
                        f"送达日期不能早于{service.get_notice_display()}的日期"
                        f"（{cn_date(service.issued_on)}）。"
                    )
                }
            )
        problem = platform_service_date_problem(
            case, method=method, served_on=served_on, today=today
        )
        if problem and service.notice in APPLICANT_NOTICES:
            raise ValidationError({"served_on": problem})
        proof = None
        if proof_id:
            proof = case.documents.filter(pk=proof_id, kind=CaseDocument.Kind.SERVICE_PROOF).first()
            if proof is None:
                raise ValidationError({"proof": "请选择本申请已上传的送达凭证。"})
        received, end = notice_period_end(
            get_calendar(case.agency_id),
            served_on=served_on,
            days=service.period_days,
            by_post=method == NoticeService.Method.POST,
            postal_receipt_days=case.agency.postal_receipt_days,
        )
        earlier = service.period_end
        corrected = service.served_on is not None
        service.method = method
        service.served_on = served_on
        service.received_on = received
        service.period_end = end
        service.tracking_number = tracking_number.strip()
        service.proof = proof
        service.presumed = False
        service.recorded_by = actor
        service.recorded_at = timezone.now()
        service.save()
        set_period_end(case, service, end)
        sync_clock(case, today=today)
        if (
            method == NoticeService.Method.ELECTRONIC
            and service.notice in APPLICANT_NOTICES
            and service.letter is not None
        ):
            letter_make_available(
                case=case, letter=service.letter, actor=actor, now=service.recorded_at
            )
        audit(
            actor=actor,
            action=RequestAction.NOTICE_SERVICE_CORRECTED if corrected else "notice_served",
            obj=case,
            agency=case.agency,
            from_state=case.stage,
            to_state=case.stage,
            reason=service.explanation,
            data={
                "notice": service.notice,
                "method": method,
                "served_on": served_on.isoformat(),
                "received_on": received.isoformat(),
                "period_end": end.isoformat(),
                "earlier_period_end": earlier.isoformat() if earlier else None,
                "tracking_number": service.tracking_number,
            },
        )
        rearm_timers(case)
    return service
