"""Extension of the reply period (Art. 33 ¶2)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from requests_app import permissions
from requests_app.audit_actions import RequestAction
from requests_app.clock_sync import sync_clock
from requests_app.letter_contexts import ExtensionContext
from requests_app.letters import common, issue_letter
from requests_app.models import Deferral, Extension
from requests_app.services._common import (
    OPEN_STAGES,
    StaleCase,
    _add_clock,
    _facts_due,
    _locked,
    _require_stage,
)
from requests_app.services.online_service import issued_to_platform
from workflow.actors import Actor
from workflow.audit import audit
from workflow.cn import cn_date

# -- extension (Art. 33 ¶2) --------------------------------------------------------------------


def extension_ask(
    *, actor: Actor, case_id: int, days: int, reason: str, today: date | None = None
) -> Extension:
    """The handler asks for more time; the office head approves (Art. 33 ¶2)."""
    today = today or timezone.localdate()
    if not 1 <= days <= 20:
        raise ValidationError(
            {"days": "延长的期限最长不得超过20个工作日（《条例》第三十三条第二款）。"}
        )
    if not reason.strip():
        raise ValidationError({"reason": "请写明需要延期的理由。"})
    with transaction.atomic():
        case = _locked(case_id)
        permissions.require(actor, case, "extension_ask")
        _require_stage(case, OPEN_STAGES, "申请延期")
        if hasattr(case, "extension"):
            raise ValidationError("答复期限只能延长一次（《条例》第三十三条第二款）。")
        _refuse_extension_after_deferral(case)
        if case.due_date and today > case.due_date:
            raise ValidationError(f"答复期限已于{cn_date(case.due_date)}届满，不能再申请延期。")
        extension = Extension.objects.create(
            request=case, days=days, reason=reason.strip(), asked_by=actor, asked_at=timezone.now()
        )
        audit(
            actor=actor,
            action=RequestAction.EXTENSION_ASKED,
            obj=case,
            agency=case.agency,
            from_state=case.stage,
            to_state=case.stage,
            reason=f"申请延长{days}个工作日：{reason.strip()}",
        )
    return extension


def extension_approve(*, actor: Actor, case_id: int, today: date | None = None) -> Extension:
    """The head of the disclosure office approves; the applicant is told before the deadline."""
    today = today or timezone.localdate()
    with transaction.atomic():
        case = _locked(case_id)
        permissions.require(actor, case, "extension_approve")
        _require_stage(case, OPEN_STAGES, "批准延期")
        extension = Extension.objects.select_for_update().filter(request=case).first()
        if extension is None:
            raise StaleCase("这件申请没有待批准的延期申请。")
        if extension.approved_on:
            raise StaleCase(f"延期已于{cn_date(extension.approved_on)}批准。")
        original_due = case.due_date
        _add_clock(case, "extend", today, actor, today=today, days=extension.days)
        extension.approved_by = actor
        extension.approved_on = today
        extension.save(update_fields=["approved_by", "approved_on"])
        state = sync_clock(case, today=today)
        notice = issue_letter(
            case,
            "extension_notice",
            ExtensionContext(
                **{**common(case, actor, issue_date=today), "case": _facts_due(case, original_due)},
                reason=extension.reason,
                extension_days=extension.days,
                new_due_date=state.due_date,
            ),
            actor=actor,
        )
        audit(
            actor=actor,
            action=RequestAction.EXTENSION_APPROVED,
            obj=case,
            agency=case.agency,
            from_state=f"答复期限{cn_date(original_due)}" if original_due else "",
            to_state=f"答复期限{cn_date(state.due_date)}" if state.due_date else "",
            reason=extension.reason,
        )
        issued_to_platform(case=case, letter=notice, actor=actor, now=timezone.now())
    return extension


def _refuse_extension_after_deferral(case) -> None:
    """Art. 33 ¶2 after Art. 35: the deferral already set the date; both at once would give the
    applicant two answers to "when", so an extension is refused once a deferral is proposed."""
    deferral = Deferral.objects.filter(request=case).first()
    if deferral is None or deferral.status == Deferral.Status.REFUSED:
        return
    if deferral.status == Deferral.Status.APPROVED:
        raise ValidationError(
            f"本申请已依照《条例》第三十五条确定延迟答复期限为{cn_date(deferral.until)}，"
            "答复期限以该日期为准，不能再依照第三十三条第二款延期。"
        )
    raise ValidationError(
        f"延迟答复期限（拟至{cn_date(deferral.until)}，《条例》第三十五条）正在等待审批，"
        "不能同时申请延期；如未获批准，可再申请延期。"
    )
