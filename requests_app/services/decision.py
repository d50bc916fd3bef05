"""The decision (Art. 36-39): proposal, legal and secrecy review, approval, return, and the reply
letter issued."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from requests_app import permissions
from requests_app.audit_actions import RequestAction
from requests_app.extensions import archived_documents, propose_blocks
from requests_app.letter_contexts import (
    Party,
    ReplyContext,
    ThirdPartyDisclosureContext,
    WithheldPart,
)
from requests_app.letters import common, issue_letter
from requests_app.models import DISCLOSING_OUTCOMES, Consultation, Decision, SecrecyReview
from requests_app.process import process_lock, sync_process
from requests_app.rules.periods import REG
from requests_app.services._common import R, StaleCase, _locked, _move, _require_stage
from requests_app.services.challenges import ordered_anew
from workflow.actors import Actor
from workflow.audit import audit
from workflow.calendar import get_calendar
from workflow.cn import cn_date
from workflow.errors import NotAllowed
from workflow.law_rank import law_rank_problem
from workflow.models import Agency
from workflow.roles import has_role

# -- proposal and approval (Art. 36-39) ------------------------------------------------------

AUTOMATIC_OUTCOMES = {"abandoned_no_correction", "abandoned_no_payment"}


@dataclass(kw_only=True)
class Proposal:
    """The handler's proposed decision (DOMAIN §3.6)."""

    outcome: str
    articles: list[str]
    reason: str = ""
    withheld_parts: list[dict] = field(default_factory=list)  # description, reason, basis
    provided: list[str] = field(default_factory=list)
    provide_form: str = ""
    where_published: str = ""
    search_description: str = ""
    competent_agency: str = ""
    competent_agency_contact: str = ""
    special_law: str = ""
    earlier_reply: str = ""
    proper_channel: str = ""
    needs_legal_review: bool = False
    # Art. 32: disclosure over a third party's objection.
    public_interest_reasons: str = ""
    objections_withheld: list[int] = field(default_factory=list)  # consultations respected
    # Art. 15, 32: a refusal to protect a third party that was not consulted says why not.
    no_consultation_reason: str = ""

    DETAIL_FIELDS = (
        "provided",
        "where_published",
        "search_description",
        "competent_agency",
        "competent_agency_contact",
        "special_law",
        "earlier_reply",
        "proper_channel",
    )


def reply_context(case, decision: Decision, *, actor: Actor, issue_date: date) -> ReplyContext:
    """The reply letter's context for a case and its decision."""
    details = decision.details or {}
    notice = details.get("notice_date")
    lapsed = details.get("lapsed")
    return ReplyContext(
        **common(case, actor, issue_date=issue_date),
        outcome=decision.outcome,
        articles=list(decision.articles),
        reason=decision.reason,
        form=decision.get_provide_form_display() if decision.provide_form else "",
        withheld_parts=[WithheldPart(**part) for part in decision.withheld_parts],
        notice_date=date.fromisoformat(notice) if notice else None,
        lapsed_deadline=date.fromisoformat(lapsed) if lapsed else None,
        archived=archived_documents(case),
        ordered_anew=ordered_anew(case),
        **{
            key: details.get(key, [] if key == "provided" else "") for key in Proposal.DETAIL_FIELDS
        },
    )


#: Outcomes whose letter names a law or administrative regulation with its article (the field
#: ``special_law``): the one that prohibits disclosure (Art. 14) or that governs the query
#: (Art. 36(7)).
LAW_NAMING_OUTCOMES = ("withheld_prohibited_by_law", "withheld_query_matter")


def validate_proposal(case, proposal: Proposal, *, today: date | None = None) -> dict[str, str]:
    """Problems with a proposal, by field: the reply letter's own requirements included."""
    from requests_app.rules.outcomes import OUTCOMES

    errors: dict[str, str] = {}
    if proposal.outcome not in OUTCOMES or proposal.outcome in AUTOMATIC_OUTCOMES:
        return {"outcome": "请选择办理结果（逾期不补正、逾期未缴费由系统按期限处理）。"}
    if not [a for a in proposal.articles if a.strip()]:
        errors["articles"] = (
            "请写明所依据的条款（如《中华人民共和国政府信息公开条例》第三十六条第（二）项）。"
        )
    for index, part in enumerate(proposal.withheld_parts, 1):
        lacking = [
            label
            for key, label in (("description", "内容"), ("reason", "理由"), ("basis", "依据"))
            if not str(part.get(key, "")).strip()
        ]
        if lacking:
            errors["withheld_parts"] = f"第{index}项不予公开的部分缺少{'、'.join(lacking)}。"
            break
    if proposal.outcome == "partly_disclosed" and not proposal.withheld_parts:
        errors["withheld_parts"] = (
            "部分公开的，请逐项列明不予公开的部分及其理由和依据（《条例》第三十七条）。"
        )
    if proposal.outcome == "not_our_agency" and not proposal.competent_agency.strip():
        errors["competent_agency"] = "请写明负责公开该信息的行政机关；确实无法确定的，请写明理由。"
    if proposal.outcome in LAW_NAMING_OUTCOMES:
        what = (
            "禁止公开该信息的法律、行政法规"
            if proposal.outcome == "withheld_prohibited_by_law"
            else "对该信息的获取有特别规定的法律、行政法规"
        )
        problem = law_rank_problem(proposal.special_law)
        if problem:  # Art. 14 and Art. 36(7) rely only on laws and administrative regulations
            errors["special_law"] = f"请写明{what}的名称和条款。{problem}"
    errors.update(_objection_errors(case, proposal))
    if needs_consultation_reason(case, proposal.outcome) and not (
        proposal.no_consultation_reason.strip()
    ):
        errors["no_consultation_reason"] = (
            "以涉及第三方合法权益为由不予公开（《条例》第十五条），应当先书面征求第三方的意见"
            "（《条例》第三十二条）。本申请未征求第三方意见，请写明不需要征求的理由"
            "（如第三方已明确表示不同意公开的书面意见在案）。"
        )
    if errors:
        return errors
    draft = Decision(
        request=case,
        outcome=proposal.outcome,
        articles=proposal.articles,
        reason=proposal.reason,
        withheld_parts=proposal.withheld_parts,
        provide_form=proposal.provide_form,
        details={key: getattr(proposal, key) for key in Proposal.DETAIL_FIELDS},
    )
    missing = reply_context(
        case, draft, actor=None, issue_date=today or timezone.localdate()
    ).missing()
    if missing:
        errors["__all__"] = "答复文书缺少必需内容：" + "、".join(missing)
    return errors


def needs_consultation_reason(case, outcome: str) -> bool:
    """A refusal to protect a third party (Art. 15) on a case where no third party was consulted
    (Art. 32 normally requires it): the handler records why none was needed."""
    if outcome != "withheld_third_party":
        return False
    if case.pk is None:
        return True
    return not case.consultations.filter(party=Consultation.Party.THIRD_PARTY).exists()


def third_party_objections(case) -> list[Consultation]:
    """The third parties consulted on ``case`` who answered that they object (Art. 32)."""
    if case.pk is None:
        return []
    return list(
        case.consultations.filter(
            party=Consultation.Party.THIRD_PARTY, reply=Consultation.Reply.OBJECT
        ).order_by("sent_on", "id")
    )


def overridden_objections(case, proposal: Proposal) -> list[Consultation]:
    """The objections that a disclosing proposal overrides (Art. 32).

    Full disclosure overrides every objection; partial disclosure overrides those the handler
    has not marked as covered by the withheld parts. Any other outcome discloses nothing."""
    if proposal.outcome not in DISCLOSING_OUTCOMES:
        return []
    objections = third_party_objections(case)
    if proposal.outcome == "partly_disclosed":
        respected = set(proposal.objections_withheld)
        objections = [c for c in objections if c.pk not in respected]
    return objections


def _objection_errors(case, proposal: Proposal) -> dict[str, str]:
    if proposal.outcome not in DISCLOSING_OUTCOMES:
        return {}
    known = {c.pk for c in third_party_objections(case)}
    if set(proposal.objections_withheld) - known:
        return {"objections_withheld": "所选的征求意见不是本申请中第三方不同意公开的意见。"}
    if proposal.outcome == "disclosed" and proposal.objections_withheld:
        return {
            "objections_withheld": (
                "予以公开时没有不予公开的部分，不能标注第三方的意见已由不予公开的部分采纳；"
                "请改为部分公开，或写明公共利益的理由。"
            )
        }
    overridden = overridden_objections(case, proposal)
    if overridden and not proposal.public_interest_reasons.strip():
        names = "、".join(c.party_name for c in overridden)
        return {
            "public_interest_reasons": (
                f"第三方（{names}）不同意公开。不顾其反对决定公开的，须写明不公开可能对公共利益"
                "造成重大影响的理由，批准后本机关将书面告知第三方（《条例》第三十二条）；"
                "否则应不予公开，或在部分公开时将其不同意公开的内容列入不予公开的部分。"
            )
        }
    return {}


def decision_propose(
    *, actor: Actor, case_id: int, proposal: Proposal, today: date | None = None
) -> Decision:
    """The handler proposes the outcome with its grounds; it goes for approval.

    Not while a document the request names waits for its determination (DOMAIN §4.4).
    """
    from requests_app.rules.outcomes import with_required_articles

    today = today or timezone.localdate()
    with transaction.atomic():
        case = _locked(case_id)
        permissions.require(actor, case, "propose")
        _require_stage(case, (R.Stage.PROPOSE, R.Stage.ACCEPT), "提出办理意见")
        blocks = propose_blocks(case)
        if blocks:
            raise ValidationError(blocks)
        errors = validate_proposal(case, proposal, today=today)
        if errors:
            raise ValidationError(errors)
        no_consultation_reason = (
            proposal.no_consultation_reason.strip()
            if needs_consultation_reason(case, proposal.outcome)
            else ""
        )
        decision, _ = Decision.objects.update_or_create(
            request=case,
            defaults={
                "outcome": proposal.outcome,
                # Art. 36(3): a refusal also cites the duty to tell the applicant why
                "articles": with_required_articles(
                    proposal.outcome, [a.strip() for a in proposal.articles if a.strip()]
                ),
                "reason": proposal.reason.strip(),
                "withheld_parts": proposal.withheld_parts,
                "details": {key: getattr(proposal, key) for key in Proposal.DETAIL_FIELDS},
                "provide_form": proposal.provide_form,
                "needs_legal_review": proposal.needs_legal_review,
                "proposed_by": actor,
                "proposed_at": timezone.now(),
                "legal_reviewed_by": None,
                "legal_reviewed_at": None,
                "approved_by": None,
                "approved_at": None,
                "public_interest_reasons": proposal.public_interest_reasons.strip(),
                "overridden_objections": [c.pk for c in overridden_objections(case, proposal)],
                "disclose_from": None,
                "no_consultation_reason": no_consultation_reason,
            },
        )
        if case.handler_id is None:
            case.handler = actor
            case.save(update_fields=["handler"])
        proposed = f"拟{decision.get_outcome_display()}"
        if no_consultation_reason:  # Art. 32: on the handling sheet
            proposed += f"；未征求第三方意见的理由：{no_consultation_reason}"
        _move(
            case,
            R.Stage.APPROVE,
            actor=actor,
            action=RequestAction.DECISION_PROPOSED,
            reason=proposed,
            today=today,
            data={"articles": decision.articles, "legal_review": decision.needs_legal_review},
        )
    return decision


def decision_approve(
    *, actor: Actor, case_id: int, comment: str = "", today: date | None = None
) -> Decision:
    """Legal review when flagged, then the office head's approval; the reply is issued."""
    today = today or timezone.localdate()
    with transaction.atomic():
        case = _locked(case_id)
        _require_stage(case, (R.Stage.APPROVE,), "审批")
        decision = Decision.objects.select_for_update().get(request=case)
        if decision.needs_legal_review and decision.legal_reviewed_by_id is None:
            permissions.require(actor, case, "legal_review")
            decision.legal_reviewed_by = actor
            decision.legal_reviewed_at = timezone.now()
            decision.save(update_fields=["legal_reviewed_by", "legal_reviewed_at"])
            audit(
                actor=actor,
                action=RequestAction.DECISION_LEGAL_REVIEWED,
                obj=case,
                agency=case.agency,
                from_state=case.stage,
                to_state=case.stage,
                reason=comment or "法制审核通过",
            )
            return decision
        permissions.require(actor, case, "approve")
        _require_secrecy_cleared(case, decision)
        overridden = list(
            case.consultations.filter(pk__in=decision.overridden_objections).order_by("id")
        )
        if overridden and case.agency.third_party_wait_days:
            decision.disclose_from = _disclose_from(case, today)
        decision.approved_by = actor
        decision.approved_at = timezone.now()
        decision.decided_on = today
        decision.save(update_fields=["approved_by", "approved_at", "decided_on", "disclose_from"])
        case.outcome = decision.outcome
        case.save(update_fields=["outcome"])
        _issue_reply(case, decision, actor=actor, issue_date=today)
        for consultation in overridden:
            _notify_third_party(case, decision, consultation, actor=actor, issue_date=today)
        _move(
            case,
            R.Stage.SERVE,
            actor=actor,
            action=RequestAction.DECISION_APPROVED,
            reason=comment or f"同意{decision.get_outcome_display()}",
            today=today,
        )
    return decision


# -- secrecy review of what is disclosed (Art. 17 ¶2; Licheng 三(一)) -------------------------


def secrecy_review_of(decision: Decision) -> SecrecyReview | None:
    """The secrecy review of the decision's current proposal (None: not reviewed yet). A
    proposal made again after a return needs a review of its own."""
    return decision.secrecy_review


def has_secrecy_reviewer(agency: Agency) -> bool:
    """Whether someone active in ``agency`` holds the secrecy reviewer's role (DOMAIN §1)."""
    return agency.staff.filter(is_active=True, groups__name="secrecy_reviewer").exists()


def secrecy_review_refusal(actor: Actor, agency: Agency) -> str:
    """Why ``actor`` may not record secrecy reviews of ``agency``'s replies ('' if they may).

    The agency's secrecy reviewer records them; an agency without one leaves it to the office
    head (政务公开工作机构负责人), and the review says so."""
    if has_role(actor, "secrecy_reviewer"):
        return ""
    if has_role(actor, "office_head"):
        if not has_secrecy_reviewer(agency):
            return ""
        return "本机关设有保密审查人员，拟公开信息的保密审查由保密审查人员记录。"
    return (
        "拟公开信息的保密审查由保密审查人员记录；"
        "本机关未设保密审查人员的，由政务公开工作机构负责人记录。"
    )


def _require_secrecy_cleared(case, decision: Decision) -> None:
    """Art. 17 ¶2: information is disclosed only after a secrecy review that cleared it."""
    if decision.outcome not in DISCLOSING_OUTCOMES:
        return
    review = secrecy_review_of(decision)
    if review is not None and review.cleared:
        return
    who = (
        "请本机关保密审查人员"
        if has_secrecy_reviewer(case.agency)
        else "本机关未设保密审查人员，请您"
    )
    raise ValidationError(
        f"拟{decision.get_outcome_display()}的政府信息尚未通过保密审查，不能批准"
        f"（《条例》第十七条第二款）。{who}在“待保密审查的申请答复”中记录保密审查意见后再批准。"
    )


def decision_record_secrecy_review(
    *, actor: Actor, case_id: int, passed: bool, opinion: str, today: date | None = None
) -> SecrecyReview:
    """Record the secrecy review (保密审查) of the information a proposal would disclose.

    Passed: the office head may approve. Not passed: the proposal goes back to the handler with
    the opinion, like a return, to be changed (e.g. the part found secret withheld)."""
    today = today or timezone.localdate()
    opinion = opinion.strip()
    if not opinion:
        raise ValidationError({"opinion": "请写明保密审查意见（《条例》第十七条第二款）。"})
    with process_lock(case_id), transaction.atomic():
        case = _locked(case_id)
        permissions.require(actor, case, "secrecy_review")
        refusal = secrecy_review_refusal(actor, case.agency)
        if refusal:
            raise NotAllowed(refusal)
        _require_stage(case, (R.Stage.APPROVE,), "记录保密审查意见")
        decision = Decision.objects.select_for_update().get(request=case)
        if decision.outcome not in DISCLOSING_OUTCOMES:
            raise StaleCase(
                f"{case.case_number}拟{decision.get_outcome_display()}，不公开政府信息，"
                "不需要保密审查；请刷新页面查看。"
            )
        earlier = secrecy_review_of(decision)
        if earlier is not None:
            raise StaleCase(
                f"{case.case_number}的办理意见已于{cn_date(earlier.reviewed_on)}经保密审查"
                f"（{earlier.get_conclusion_display()}），请刷新页面查看。"
            )
        by_office_head = not has_role(actor, "secrecy_reviewer")
        review = SecrecyReview.objects.create(
            request=case,
            proposal_at=decision.proposed_at,
            reviewer=actor,
            reviewed_on=today,
            conclusion=SecrecyReview.Conclusion.CLEARED
            if passed
            else SecrecyReview.Conclusion.NOT_CLEARED,
            opinion=opinion,
            by_office_head=by_office_head,
            recorded_at=timezone.now(),
        )
        reason = f"{review.get_conclusion_display()}：{opinion}"
        if by_office_head:
            reason += "（本机关未设保密审查人员，由政务公开工作机构负责人审查）"
        if passed:
            audit(
                actor=actor,
                action=RequestAction.DECISION_SECRECY_REVIEWED,
                obj=case,
                agency=case.agency,
                from_state=case.stage,
                to_state=case.stage,
                reason=reason,
            )
        else:
            _move(
                case,
                R.Stage.PROPOSE,
                actor=actor,
                action=RequestAction.DECISION_SECRECY_REFUSED,
                reason=reason,
                today=today,
            )
            sync_process(case)  # recorded from the secrecy page, outside any task
    return review


def _disclose_from(case, today: date) -> date:
    """The first day the information may go to the applicant after the third party is told
    (agency Policy, Art. 32 sets no wait); refused when it would make the reply late."""
    wait = case.agency.third_party_wait_days
    first = get_calendar(case.agency_id).add_working_days(today, wait)
    if case.due_date and first > case.due_date:
        raise ValidationError(
            f"按本机关设置，书面告知第三方后须等待{wait}个工作日（至{cn_date(first)}）才能向申请人"
            f"提供信息，将晚于答复期限{cn_date(case.due_date)}。请先依照《条例》第三十三条第二款"
            "申请延期，或由管理员调整等待期。"
        )
    return first


def _notify_third_party(
    case, decision: Decision, consultation: Consultation, *, actor: Actor, issue_date
):
    """Art. 32: tell the objecting third party in writing what is disclosed and why."""
    document = issue_letter(
        case,
        "third_party_disclosure_notice",
        ThirdPartyDisclosureContext(
            **common(case, actor, issue_date=issue_date),
            third_party=Party(name=consultation.party_name, address=consultation.party_address),
            objection_date=consultation.replied_on,
            information=consultation.matter,
            reasons=decision.public_interest_reasons,
            articles=[f"{REG}第十五条", f"{REG}第三十二条"],
            disclosure_date=decision.disclose_from,
        ),
        actor=actor,
        title=f"决定公开告知书（致{consultation.party_name}）",
    )
    consultation.disclosure_notice = document
    consultation.save(update_fields=["disclosure_notice"])
    return document


def decision_return(
    *, actor: Actor, case_id: int, comment: str, today: date | None = None
) -> Decision:
    """Send the proposal back to the handler with comments."""
    today = today or timezone.localdate()
    if not comment.strip():
        raise ValidationError({"comment": "退回时请写明意见，供承办人修改。"})
    with transaction.atomic():
        case = _locked(case_id)
        permissions.require(actor, case, "return")
        _require_stage(case, (R.Stage.APPROVE,), "退回")
        _move(
            case,
            R.Stage.PROPOSE,
            actor=actor,
            action=RequestAction.DECISION_RETURNED,
            reason=comment.strip(),
            today=today,
        )
    return case.decision


def _issue_reply(case, decision: Decision, *, actor: Actor, issue_date: date):
    from requests_app.rules.outcomes import reply_kind

    kind = reply_kind(decision.outcome, case.agency.reply_layout)
    context = reply_context(case, decision, actor=actor, issue_date=issue_date)
    return issue_letter(case, kind, context, actor=actor)
