"""Drive documents through the real services to the states tests start from."""

from django.core.files.base import ContentFile

from attributes_app.models import Document
from attributes_app.services import (
    DocumentData,
    attribute_confirm,
    attribute_office_approve,
    attribute_propose,
    document_attach_text,
    document_issue,
    document_update,
)

INTERNAL = {
    "reasons": "系本机关内部人事安排，属于内部事务信息",
    "ground": "internal_affairs",
}
PROCESS = {
    "reasons": "系决策过程中的讨论稿，属于过程性信息",
    "ground": "process_info",
}


def fresh(document: Document) -> Document:
    return Document.objects.get(pk=document.pk)


def confirmed(document, *, drafter, head, attribute="proactive", office=None, **reasons):
    """Propose (with the office's review when needed) and confirm."""
    attribute_propose(actor=drafter, document_id=document.pk, attribute=attribute, **reasons)
    if fresh(document).attribute_state == "office_review":
        attribute_office_approve(actor=office, document_id=document.pk, opinion="同意")
    attribute_confirm(actor=head, document_id=document.pk)
    return fresh(document)


def ready_to_issue(document, *, drafter) -> Document:
    """The final text uploaded and the secrecy status decided (非涉密): issuing needs both."""
    document = fresh(document)
    if not document.file:
        text = ContentFile(b"%PDF-1.4\n%%EOF\n", name="正文.pdf")
        document_attach_text(actor=drafter, document_id=document.pk, file=text)
    if document.secrecy == Document.Secrecy.UNDETERMINED:
        data = DocumentData(
            title=document.title,
            drafting_unit_id=document.drafting_unit_id,
            kind=document.kind,
            number=document.number,
            formed_on=document.formed_on,
            effective_on=document.effective_on,
            catalogue_item_id=document.catalogue_item_id,
            secrecy=Document.Secrecy.NON_SECRET,
        )
        document_update(actor=drafter, document_id=document.pk, data=data)
    return fresh(document)


def issued(document, *, drafter, head, attribute="proactive", office=None, **reasons):
    confirmed(document, drafter=drafter, head=head, attribute=attribute, office=office, **reasons)
    ready_to_issue(document, drafter=drafter)
    document_issue(actor=head, document_id=document.pk)
    return fresh(document)
