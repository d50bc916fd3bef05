"""Requests that concern a document (Art. 44; DOMAIN §4.4)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from attributes_app import permissions
from attributes_app.audit_actions import AuditAction
from attributes_app.models import DocumentRequestLink
from attributes_app.services._common import StaleDocument, _audit, _locked
from workflow.actors import Actor
from workflow.models import Agency


def _request_of(request_id: int, agency: Agency):
    from requests_app.models import InformationRequest

    request = InformationRequest.objects.filter(pk=request_id).first()
    if request is None or request.agency_id != agency.pk:
        raise ValidationError({"request_id": "申请和文件不属于同一机关，不能关联。"})
    return request


def document_link_request(
    *, actor: Actor, document_id: int, request_id: int
) -> DocumentRequestLink:
    """Record that an information request concerns a document (used by the Art. 44 signal)."""
    with transaction.atomic():
        document = _locked(document_id)
        permissions.require(actor, "link_request", agency=document.agency)
        request = _request_of(request_id, document.agency)
        if DocumentRequestLink.objects.filter(document=document, request=request).exists():
            raise ValidationError({"request_id": f"申请{request.case_number}已关联这份文件。"})
        link = DocumentRequestLink.objects.create(
            document=document, request=request, created_by=actor, created_at=timezone.now()
        )
        _audit(
            actor,
            AuditAction.DOCUMENT_LINKED_TO_REQUEST,
            document,
            reason=f"申请{request.case_number}涉及该文件",
            data={"request_id": request.pk, "case_number": request.case_number},
        )
    return link


def document_unlink_request(*, actor: Actor, document_id: int, request_id: int) -> None:
    """Remove a link entered by mistake."""
    with transaction.atomic():
        document = _locked(document_id)
        permissions.require(actor, "link_request", agency=document.agency)
        deleted, _ = DocumentRequestLink.objects.filter(
            document=document, request_id=request_id
        ).delete()
        if not deleted:
            raise StaleDocument("这份文件与该申请没有关联（可能已被他人取消）。")
        _audit(
            actor,
            AuditAction.DOCUMENT_UNLINKED_FROM_REQUEST,
            document,
            data={"request_id": request_id},
        )
