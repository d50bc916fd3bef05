"""Writing the append-only audit log (who, when, from, to, why)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from workflow.models import AuditEvent


def audit(
    *,
    actor,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    agency=None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one audit event. ``obj`` fills the object fields when given."""
    event = audit_event(
        actor=actor,
        action=action,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        agency=agency,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data,
        at=at,
    )
    event.save()
    return event


def audit_event(
    *,
    actor,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    agency=None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """An unsaved audit event, for ``audit_bulk`` when one action changes many objects."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    return AuditEvent(
        at=at or timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        agency=agency,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data or {},
    )


def audit_bulk(events: list[AuditEvent], *, batch_size: int = 1000) -> None:
    """Append many audit events at once (the yearly review decides thousands in one action)."""
    AuditEvent.objects.bulk_create(events, batch_size=batch_size)
