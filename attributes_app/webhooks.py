"""What the document register tells the agencies' systems (``workflow.webhooks``): a document's
disclosure attribute changed (every ``AttributeChange``, from its audit event), a publication
obligation overdue (found by a sweep, told once per obligation and deadline)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from attributes_app import rules
from attributes_app.models import Document, Publication
from workflow import webhooks
from workflow.models import WebhookEndpoint


def _labelled(code: str, labels: dict[str, str]) -> dict[str, str]:
    return {"code": code, "label": labels.get(code, "")}


def document_data(document: Document) -> dict[str, Any]:
    """What every event about ``document`` says of it."""
    return {
        "document_id": document.pk,
        # The OA system's own id, where the document came through the API.
        "external_id": getattr(document, "external_id", "") or "",
        "number": document.number,
        "title": document.title,
        "kind": document.kind,
        "drafting_unit_id": document.drafting_unit_id,
    }


def from_audit(row: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """An attribute transition (``attribute_<name>``) is an attribute change."""
    action = str(row["action"])
    if not action.startswith("attribute_"):
        return []
    document = Document.objects.filter(pk=row["object_id"]).first()
    if document is None:
        return []
    data = row.get("data") or {}
    return [
        (
            "document.attribute_changed",
            {
                **document_data(document),
                "from_state": _labelled(row["from_state"], rules.STATE_LABELS),
                "to_state": _labelled(row["to_state"], rules.STATE_LABELS),
                "from_attribute": _labelled(data.get("from_attribute", ""), rules.ATTRIBUTE_LABELS),
                "to_attribute": _labelled(data.get("to_attribute", ""), rules.ATTRIBUTE_LABELS),
                "source": data.get("source", ""),
                "changed_at": row["at"],
            },
        )
    ]


def publication_overdue(now: datetime) -> int:
    """Tell of every publication obligation whose deadline has passed unpublished, once per
    obligation and deadline, to the endpoints that existed when it passed."""
    made = 0
    for agency_id in (
        WebhookEndpoint.objects.filter(active=True, removed_at__isnull=True)
        .values_list("agency_id", flat=True)
        .distinct()
    ):
        endpoints = webhooks.listening(agency_id)
        if not endpoints:
            continue
        since = min(e.created_at for e in endpoints)
        overdue = Publication.objects.filter(
            agency_id=agency_id,
            published_on__isnull=True,
            withdrawn_on__isnull=True,
            due_at__isnull=False,
            due_at__gte=since,
            due_at__lte=now,
        ).select_related("document")
        for publication in overdue.order_by("due_at", "pk").iterator(chunk_size=500):
            with transaction.atomic():
                made += len(
                    webhooks.emit(
                        agency_id,
                        "publication.overdue",
                        {
                            **document_data(publication.document),
                            "publication_id": publication.pk,
                            "due_on": publication.due_on,
                            "due_at": publication.due_at,
                            "provisional": publication.provisional,
                        },
                        event_id=webhooks.event_id_for(
                            "publication.overdue", publication.pk, publication.due_at.isoformat()
                        ),
                        occurred_at=publication.due_at,
                        endpoints=endpoints,
                    )
                )
    return made


def register() -> None:
    webhooks.register_audit_source(Document._meta.label_lower, from_audit)
    webhooks.register_sweep("publication_overdue", publication_overdue)
