"""Consultation of third parties and other agencies (Art. 32, 34; Art. 33 ¶3)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from requests_app import permissions
from requests_app.audit_actions import RequestAction
from requests_app.letter_contexts import (
    AgencyConsultationContext,
    ConsultationNoticeContext,
    Party,
    ThirdPartyConsultationContext,
)
from requests_app.letters import common, issue_letter
from requests_app.models import Consultation
from requests_app.rules.periods import CONSULTATION_DAYS
from requests_app.services._common import (
    R,
    StaleCase,
    _add_clock,
    _await_service,
    _locked,
    _move,
    _not_in_future,
    _require_stage,
)
from workflow.actors import Actor
from workflow.audit import audit

# -- consultation (Art. 32, 34; Art. 33 ¶3) ----------------------------------------------------


def consultation_send(
    *,
    actor: Actor,
    case_id: int,
    party: str,
    party_name: str,
    matter: str,
    party_address: str = "",
    sent_on: date | None = None,
    today: date | None = None,
) -> Consultation:
    """Consult a third party (Art. 32) or another agency (Art. 34); the clock pauses."""
    today = today or timezone.localdate()
    sent_on = sent_on or today
    _not_in_future(sent_on, today, "发函日期")
    if party not in Consultation.Party.values:
        raise ValidationError({"party": "请选择征求意见的对象：第三方或其他机关。"})
    if not party_name.strip():
        raise ValidationError({"party_name": "请填写被征求意见的第三方或机关的名称。"})
    if not matter.strip():
        raise ValidationError({"matter": "请写明征求意见涉及的政府信息。"})
    with transaction.atomic():
        case = _locked(case_id)
        permissions.require(actor, case, "consult")
        _require_stage(case, (R.Stage.PROPOSE, R.Stage.CONSULT), "征求意见")
        first = not case.consultations.filter(reply=Consultation.Reply.PENDING).exists()
        consultation = Consultation.objects.create(
            request=case,
            party=party,
            party_name=party_name.strip(),
            party_address=party_address.strip(),
            matter=matter.strip(),
            sent_on=sent_on,
            # 15 working days from the letter's receipt (Art. 32, 34): set when served.
            limit_date=None,
            created_by=actor,
            created_at=timezone.now(),
        )
        reason = "third_party" if party == Consultation.Party.THIRD_PARTY else "agency"
        if first:
            _add_clock(case, "pause", sent_on, actor, today=today, reason=reason)
        letter_common = common(case, actor, issue_date=sent_on)
        if party == Consultation.Party.THIRD_PARTY:
            context = ThirdPartyConsultationContext(
                **letter_common,
                third_party=Party(name=consultation.party_name, address=party_address),
                information=consultation.matter,
            )
            letter = issue_letter(case, "third_party_consultation", context, actor=actor)
        else:
            context = AgencyConsultationContext(
                **letter_common,
                consulted_agency=consultation.party_name,
                information=consultation.matter,
            )
            letter = issue_letter(case, "agency_consultation", context, actor=actor)
        _await_service(
            case,
            party,
            letter,
            addressee=consultation.party_name,
            issued_on=sent_on,
            period_days=CONSULTATION_DAYS,
            consultation=consultation,
        )
        if first:
            issue_letter(
                case,
                "consultation_notice",
                ConsultationNoticeContext(
                    **letter_common,
                    consulted=[_consulted_for_applicant(consultation)],
                    sent_on=sent_on,
                ),
                actor=actor,
            )
        _move(
            case,
            R.Stage.CONSULT,
            actor=actor,
            action=RequestAction.CONSULTATION_SENT,
            reason=f"{consultation}，答复期限为自收到征求意见函之日起{CONSULTATION_DAYS}个工作日，待送达",
            today=today,
        )
    return consultation


def _consulted_for_applicant(consultation: Consultation) -> str:
    """Whom the applicant's notice says was consulted: a co-producing agency by its name (Art.
    34), a third party never (Art. 15 protects exactly its trade secrets and privacy)."""
    if consultation.party == Consultation.Party.AGENCY:
        return consultation.party_name
    return "相关第三方"


def consultation_record_reply(
    *,
    actor: Actor,
    consultation_id: int,
    reply: str,
    replied_on: date,
    reasons: str = "",
    today: date | None = None,
) -> Consultation:
    """Record an answer; when the last open one closes, the clock resumes on that day."""
    today = today or timezone.localdate()
    _not_in_future(replied_on, today, "答复日期")
    if reply not in (Consultation.Reply.AGREE, Consultation.Reply.OBJECT):
        raise ValidationError({"reply": "请选择同意公开或不同意公开。"})
    if reply == Consultation.Reply.OBJECT and not reasons.strip():
        raise ValidationError(
            {"reasons": "第三方不同意公开的，请记录其理由（《条例》第三十二条）。"}
        )
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
        case = _locked(consultation.request_id)
        permissions.require(actor, case, "consultation_reply")
        if not consultation.is_open:
            raise StaleCase(
                f"对{consultation.party_name}的征求意见已经记录为“{consultation.get_reply_display()}”。"
            )
        if replied_on < consultation.sent_on:
            raise ValidationError({"replied_on": "答复日期不能早于发函日期。"})
        _close_consultation(
            consultation, case, reply, replied_on, reasons, actor=actor, today=today
        )
    return consultation


def consultation_lapse(*, consultation_id: int, today: date | None = None) -> Consultation | None:
    """The 15 working days ran out (timer): a third party's silence leaves the decision to the
    agency (Art. 32); another agency's silence counts as consent (Art. 34)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
        limit = consultation.limit_date
        # Not before the letter is served and its 15 working days have run (Art. 32, 34).
        if not consultation.is_open or limit is None or today <= limit:
            return None
        case = _locked(consultation.request_id)
        _close_consultation(
            consultation,
            case,
            Consultation.Reply.NO_REPLY,
            consultation.limit_date,
            "逾期未答复，视为同意（《条例》第三十四条）"
            if consultation.party == Consultation.Party.AGENCY
            else "逾期未答复，由本机关依照《条例》规定决定（《条例》第三十二条）",
            actor=None,
            today=today,
        )
    return consultation


def _close_consultation(
    consultation, case, reply, replied_on, reasons, *, actor: Actor, today: date
):
    consultation.reply = reply
    consultation.replied_on = replied_on
    consultation.reasons = reasons.strip()
    consultation.save(update_fields=["reply", "replied_on", "reasons"])
    still_open = case.consultations.filter(reply=Consultation.Reply.PENDING)
    if not still_open.exists():
        # Paused from the first letter to the last reply or limit (DOMAIN §3.5).
        last = max(c.replied_on for c in case.consultations.all())
        _add_clock(case, "resume", last, actor, today=today, note="征求意见结束")
        _move(
            case,
            R.Stage.PROPOSE,
            actor=actor,
            action=RequestAction.CONSULTATION_CLOSED,
            reason=f"{consultation}：{consultation.get_reply_display()}",
            today=today,
        )
    else:
        audit(
            actor=actor,
            action=RequestAction.CONSULTATION_REPLIED,
            obj=case,
            agency=case.agency,
            from_state=case.stage,
            to_state=case.stage,
            reason=f"{consultation}：{consultation.get_reply_display()}",
        )
