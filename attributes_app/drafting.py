"""Drafting a document in one step: register the draft, keep its final text, propose its
attribute (DOMAIN §4.1: the attribute is proposed at drafting and goes with the draft).

One transaction over the two services, so a proposal refused (say, a reason missing) leaves no
half-registered draft behind.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from attributes_app.models import Document
from attributes_app.services import DocumentData, attribute_propose, document_register
from workflow.models import Agency


def document_draft(
    *,
    actor,
    agency: Agency,
    data: DocumentData,
    proposal: dict[str, str] | None,
    file=None,
    today: date | None = None,
) -> Document:
    """Register a draft of ``agency`` and, when ``proposal`` is given (attribute, reasons,
    ground, law), propose its attribute as ``actor``."""
    stored = []
    try:
        with transaction.atomic():
            document = document_register(
                actor=actor, agency=agency, data=data, file=file, today=today
            )
            if document.file:
                stored.append((document.file.storage, document.file.name))
            if proposal is not None:
                attribute_propose(actor=actor, document_id=document.pk, **proposal)
    except BaseException:
        # The draft was rolled back: its stored text must not stay behind.
        for storage, name in stored:
            storage.delete(name)
        raise
    return document
