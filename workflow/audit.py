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
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    return AuditEvent.objects.create(
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
