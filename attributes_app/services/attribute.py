"""The attribute of a document (DOMAIN §4.1, §4.4): the drafter's proposal, the disclosure
office's review, the unit head's confirmation or return, and a determination by letter."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from attributes_app import permissions, rules
from attributes_app.deadline_sync import new_publication
from attributes_app.flows import AttributeFlow
from attributes_app.models import (
    ArchiveTransfer,
    Determination,
    Document,
    DocumentRequestLink,
    Publication,
)
from attributes_app.services._common import (
    S,
    StaleDocument,
    _locked,
    _not_in_future,
    _stale,
    _title,
    _transition,
)
from attributes_app.services.links import _request_of
from workflow.actors import Actor
from workflow.cn import cn_date


def attribute_propose(
    *,
    actor: Actor,
    document_id: int,
    attribute: str,
    reasons: str = "",
    ground: str = "",
    law: str = "",
) -> Document:
    """The drafter proposes the attribute of a draft (DOMAIN §4.1).

    On-request and withheld need reasons and a legal ground; a policy document proposed so goes
    to the disclosure office (state ``office_review``) before its head can confirm it.
    """
    with transaction.atomic():
        document = _locked(document_id)
        propose_locked(
            document, actor=actor, attribute=attribute, reasons=reasons, ground=ground, law=law
        )
    return document


def propose_locked(
    document: Document,
    *,
    actor: Actor,
    attribute: str,
    reasons: str = "",
    ground: str = "",
    law: str = "",
) -> Document:
    """``attribute_propose`` on a document the caller holds locked in its own transaction (an OA
    push registers or locks the document first, ``services.oa``): the same checks, history row
    and audit event, without reading the row again."""
    _transition(
        document,
        "propose",
        actor=actor,
        doing="提出公开属性建议",
        now=timezone.now(),
        attribute=attribute,
        reasons=reasons,
        ground=ground,
        law=law,
    )
    return document


def attribute_office_approve(*, actor: Actor, document_id: int, opinion: str = "") -> Document:
    """The disclosure office (office_head) agrees with a policy document's non-proactive
    attribute; the proposal goes on to the drafting unit's head."""
    with transaction.atomic():
        document = _locked(document_id)
        _transition(
            document,
            "office_approve",
            actor=actor,
            doing="审查",
            now=timezone.now(),
            opinion=opinion,
        )
    return document


def attribute_office_return(*, actor: Actor, document_id: int, opinion: str) -> Document:
    """The disclosure office sends the proposal back to the drafter with its opinion."""
    with transaction.atomic():
        document = _locked(document_id)
        _transition(
            document,
            "office_return",
            actor=actor,
            doing="退回",
            now=timezone.now(),
            opinion=opinion,
        )
    return document


def attribute_confirm(
    *,
    actor: Actor,
    document_id: int,
    formed_on: date | None = None,
    comment: str = "",
    today: date | None = None,
) -> Document:
    """The drafting unit's head confirms the attribute when approving the document (签发).

    The formation date (成文日期) is the day of approval unless already recorded (GB/T 9704
    7.3.5.3). A proactive document gets its publication obligation, counted from that date
    (Art. 26) or, under an hours rule, from issuance.
    """
    now = timezone.now()
    today = today or timezone.localdate(now)
    _not_in_future(formed_on, today, "formed_on", "成文日期")
    with transaction.atomic():
        document = _locked(document_id)
        document.formed_on = formed_on or document.formed_on or today
        _transition(
            document, "confirm", actor=actor, doing="确认公开属性", now=now, comment=comment
        )
        if document.attribute_state == S.AWAITING_PUBLICATION:
            new_publication(
                document,
                source=Publication.Source.DRAFTING,
                start_on=document.formed_on,
                start_at=document.issued_at,
                changed=False,
                now=now,
            ).save()
    return document


def attribute_send_back(*, actor: Actor, document_id: int, comment: str) -> Document:
    """The drafting unit's head returns the proposal to the drafter."""
    with transaction.atomic():
        document = _locked(document_id)
        _transition(
            document, "send_back", actor=actor, doing="退回", now=timezone.now(), comment=comment
        )
    return document


def attribute_determine(
    *,
    actor: Actor,
    document_id: int,
    attribute: str,
    reasons: str,
    ground: str = "",
    law: str = "",
    request_id: int | None = None,
    decided_on: date | None = None,
    today: date | None = None,
) -> Determination:
    """The drafting unit determines the attribute of an issued document that has none, by letter
    to the disclosure office (公函, DOMAIN §4.4), usually because a request concerns it.

    Goes through the state machine's ``determine`` transition (source: determination). A request
    named here is linked to the document. A proactive result creates the publication obligation,
    counted from the determination (Art. 26: "from its change").
    """
    now = timezone.now()
    today = today or timezone.localdate(now)
    decided_on = decided_on or today
    _not_in_future(decided_on, today, "decided_on", "认定日期")
    if not reasons.strip():
        raise ValidationError({"reasons": "请写明认定的理由。"})
    with transaction.atomic():
        document = _locked(document_id)
        permissions.require(actor, "determine", agency=document.agency, unit=document.drafting_unit)
        flow = AttributeFlow(document)
        if not flow.determine.can_proceed(check_conditions=False):
            raise _stale(document, "determine", "认定公开属性")
        transfer = ArchiveTransfer.objects.filter(document=document).first()
        if transfer is not None:
            raise StaleDocument(
                f"{_title(document)}已于{cn_date(transfer.transferred_on)}移交"
                f"{transfer.archive_name}，按照《中华人民共和国档案法》的规定利用，"
                "不再认定公开属性。"
            )
        errors = rules.attribute_problems(
            kind=document.kind, attribute=attribute, reasons=reasons, ground=ground, law=law
        )
        if errors:
            raise ValidationError(errors)
        request = _request_of(request_id, document.agency) if request_id else None
        determination = Determination.objects.create(
            document=document,
            request=request,
            attribute=attribute,
            reasons=reasons.strip(),
            ground=ground if attribute in rules.NON_PROACTIVE else "",
            law=law.strip() if attribute in rules.NON_PROACTIVE else "",
            decided_by=actor,
            decided_on=decided_on,
            decided_at=now,
        )
        _transition(
            document,
            "determine",
            actor=actor,
            doing="认定公开属性",
            now=now,
            attribute=attribute,
            reasons=reasons,
            ground=ground,
            law=law,
            determination_id=determination.pk,
        )
        if request is not None:
            DocumentRequestLink.objects.get_or_create(
                document=document,
                request=request,
                defaults={"created_by": actor, "created_at": now},
            )
        if document.attribute_state == S.AWAITING_PUBLICATION:
            new_publication(
                document,
                source=Publication.Source.DETERMINATION,
                start_on=decided_on,
                start_at=now,
                changed=True,
                now=now,
                determination=determination,
            ).save()
    return determination
