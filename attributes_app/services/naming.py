"""Naming the documents of the agency's register that a request concerns (DOMAIN §4.3, §4.4).

The handler picks them on the case page or in the accept and propose tasks. A named document
without an attribute opens a **determination** for its drafting unit: the case cannot be proposed
until every such document has one (the unit answers by letter, ``services.determination``). The
Regulation gives no pause for this, so the reply period keeps running; the case page says so.

A named document that was transferred to the archives needs no determination: the reply tells the
applicant to apply under the Archives Law (``ReplyContext.archived``).

The link is this app's (``DocumentRequestLink``); the case is the request side's, locked and
checked through its services (``requests_app.services.links``): the step ``name_document`` of
the requests' permission table. The links are what the yearly review counts for Art. 44. What a
case names is read in ``attributes_app.selectors``; the pages are
``attributes_app.views.case_documents``, added to the case page through
``requests_app.extensions`` (``attributes_app.case_extension``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from attributes_app import rules
from attributes_app.models import Document, DocumentRequestLink
from attributes_app.selectors import NAMING_STAGES, needs_determination
from attributes_app.services._common import StaleDocument
from attributes_app.services.links import document_link_request, document_unlink_request
from requests_app.audit_actions import RequestAction
from requests_app.models import InformationRequest
from requests_app.services.links import lock_case_for_step
from workflow.actors import Actor
from workflow.audit import audit


def _locked_case(actor: Actor, case_id: int, doing: str) -> InformationRequest:
    return lock_case_for_step(
        actor=actor, case_id=case_id, step="name_document", stages=NAMING_STAGES, doing=doing
    )


def request_name_document(*, actor: Actor, case_id: int, document_id: int) -> DocumentRequestLink:
    """Record that the request concerns a document of the agency's register.

    A document without attribute opens its drafting unit's determination (the case's history
    says so); a draft cannot be named (it is not government information issued yet).
    """
    with transaction.atomic():
        case = _locked_case(actor, case_id, "关联涉及的文件")
        document = Document.objects.filter(pk=document_id, agency_id=case.agency_id).first()
        if document is None:
            raise ValidationError({"document_id": "请从本机关的文件台账中选择文件。"})
        if not document.is_issued and document.attribute_state != rules.CLASSIFIED:
            raise ValidationError(
                {"document_id": f"《{document.title}》尚未印发，是文稿，不能作为申请涉及的文件。"}
            )
        try:
            link = document_link_request(actor=actor, document_id=document.pk, request_id=case.pk)
        except StaleDocument as error:
            raise ValidationError(str(error)) from None
        audit(
            actor=actor,
            action=RequestAction.DOCUMENT_NAMED,
            obj=case,
            agency=case.agency,
            from_state=case.stage,
            to_state=case.stage,
            reason=f"申请涉及《{document.title}》"
            + (f"（{document.number}）" if document.number else ""),
            data={"document_id": document.pk},
        )
        archive = document.archived
        if needs_determination(document, archive):
            audit(
                actor=actor,
                action=RequestAction.DETERMINATION_REQUESTED,
                obj=case,
                agency=case.agency,
                from_state=case.stage,
                to_state=case.stage,
                reason=(
                    f"《{document.title}》未确定公开属性，请{document.drafting_unit.name}以公函认定；"
                    "认定期间答复期限照常计算"
                ),
                data={"document_id": document.pk, "unit_id": document.drafting_unit_id},
            )
    return link


def request_unname_document(*, actor: Actor, case_id: int, document_id: int) -> None:
    """Remove a document named by mistake (a determination it opened is no longer waited for)."""
    with transaction.atomic():
        case = _locked_case(actor, case_id, "取消关联文件")
        document = Document.objects.filter(pk=document_id, agency_id=case.agency_id).first()
        if document is None:
            raise ValidationError("没有找到这份文件。")
        try:
            document_unlink_request(actor=actor, document_id=document.pk, request_id=case.pk)
        except StaleDocument as error:
            raise ValidationError(str(error)) from None
        audit(
            actor=actor,
            action=RequestAction.DOCUMENT_UNNAMED,
            obj=case,
            agency=case.agency,
            from_state=case.stage,
            to_state=case.stage,
            reason=f"取消关联《{document.title}》",
            data={"document_id": document.pk},
        )
