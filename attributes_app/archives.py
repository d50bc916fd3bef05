"""Documents transferred to the archives (移交国家档案馆, DOMAIN §4.4).

Once transferred, a document is used under the Archives Law, not the Regulation: a request naming
it is answered with the paragraph telling the applicant to apply to the archives, and it needs no
determination of its attribute. The reply's outcome is "not this agency's to disclose"
(``not_our_agency``, Art. 36(5)): the agency no longer holds the information and the archives
provides it under its own law; the outcome's reply names where to turn, its report row is
三(四)1, and its remedy clause is the ordinary one, as the answer refuses nothing.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from attributes_app import permissions, rules
from attributes_app.audit_actions import AuditAction
from attributes_app.models import ArchiveTransfer, Document, ReviewItem
from attributes_app.services import StaleDocument
from workflow.actors import Actor
from workflow.audit import audit
from workflow.cn import cn_date

#: The outcome of DOMAIN §3.6 a reply about a transferred document takes (see the docstring).
ARCHIVED_OUTCOME = "not_our_agency"
ARCHIVED_ARTICLE = f"{rules.REGULATION}第三十六条第（五）项"


def _locked(document_id: int) -> Document:
    document = (
        Document.objects.select_for_update(of=("self",))
        .select_related("agency", "drafting_unit")
        .filter(pk=document_id)
        .first()
    )
    if document is None:
        raise ValidationError("没有找到这份文件，可能已被删除。")
    return document


def document_record_archive_transfer(
    *,
    actor: Actor,
    document_id: int,
    transferred_on: date | None,
    archive_name: str,
    today: date | None = None,
) -> ArchiveTransfer:
    """Record (or correct) that an issued document was transferred to a national archives."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    archive_name = (archive_name or "").strip()
    errors: dict[str, str] = {}
    if transferred_on is None:
        errors["transferred_on"] = "请填写移交日期。"
    elif transferred_on > today:
        errors["transferred_on"] = f"移交日期（{cn_date(transferred_on)}）晚于今天，请核对。"
    if not archive_name:
        errors["archive_name"] = "请填写接收文件的档案馆名称，如“孝义市档案馆”。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        document = _locked(document_id)
        permissions.require(
            actor, "archive_transfer", agency=document.agency, unit=document.drafting_unit
        )
        if document.attribute_state == rules.CLASSIFIED:
            raise StaleDocument(f"《{document.title}》已转为涉密文件，不在本系统办理。")
        if not document.is_issued:
            raise StaleDocument(f"《{document.title}》尚未印发，不能登记移交档案馆。")
        if transferred_on < document.issued_on:
            raise ValidationError(
                {"transferred_on": f"移交日期不能早于印发日期（{cn_date(document.issued_on)}）。"}
            )
        transfer = ArchiveTransfer.objects.select_for_update().filter(document=document).first()
        before = ""
        if transfer is None:
            transfer = ArchiveTransfer(document=document)
        else:
            before = f"{cn_date(transfer.transferred_on)}移交{transfer.archive_name}"
        transfer.transferred_on = transferred_on
        transfer.archive_name = archive_name
        transfer.recorded_by = actor
        transfer.recorded_at = now
        transfer.save()
        # From now on the Archives Law governs: an item of an open yearly review leaves it.
        withdrawn = ReviewItem.objects.filter(
            document=document,
            status__in=[ReviewItem.Status.WITH_UNIT, ReviewItem.Status.PROPOSED],
        ).update(status=ReviewItem.Status.WITHDRAWN)
        audit(
            actor=actor,
            action=AuditAction.DOCUMENT_ARCHIVE_TRANSFER,
            obj=document,
            agency=document.agency,
            from_state=before,
            to_state=f"{cn_date(transferred_on)}移交{archive_name}",
            reason="更正移交档案馆的记录" if before else "登记移交国家档案馆",
            data={"review_items_withdrawn": withdrawn},
        )
    return transfer


def document_cancel_archive_transfer(*, actor: Actor, document_id: int, reason: str) -> None:
    """Remove a transfer recorded by mistake, with the reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "请写明取消的理由。"})
    with transaction.atomic():
        document = _locked(document_id)
        permissions.require(
            actor, "archive_transfer", agency=document.agency, unit=document.drafting_unit
        )
        transfer = ArchiveTransfer.objects.select_for_update().filter(document=document).first()
        if transfer is None:
            raise StaleDocument(f"《{document.title}》没有移交档案馆的记录（可能已被他人取消）。")
        before = f"{cn_date(transfer.transferred_on)}移交{transfer.archive_name}"
        transfer.delete()
        audit(
            actor=actor,
            action=AuditAction.DOCUMENT_ARCHIVE_TRANSFER_CANCELLED,
            obj=document,
            agency=document.agency,
            from_state=before,
            to_state="",
            reason=reason.strip(),
        )


__all__ = [
    "ARCHIVED_ARTICLE",
    "ARCHIVED_OUTCOME",
    "document_cancel_archive_transfer",
    "document_record_archive_transfer",
]
