"""Drive documents through the real services to the states tests start from."""

from attributes_app.models import Document
from attributes_app.services import (
    attribute_confirm,
    attribute_office_approve,
    attribute_propose,
    document_issue,
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


def issued(document, *, drafter, head, attribute="proactive", office=None, **reasons):
    confirmed(document, drafter=drafter, head=head, attribute=attribute, office=office, **reasons)
    document_issue(actor=head, document_id=document.pk)
    return fresh(document)
