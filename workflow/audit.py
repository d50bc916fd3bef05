"""Writing the append-only audit log (who, when, from, to, why)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone

from workflow.bulk import insert_rows
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
    """Append one audit event. ``obj`` fills the object fields when given.

    Its listeners (``listen``: the webhooks' events) run in the same transaction: a change
    rolled back tells nobody."""
    row = audit_row(
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
    event = AuditEvent.objects.create(**row)
    _tell([row])
    return event


#: Called with the rows of every append, in its transaction (``workflow.webhooks.audited``,
#: connected by ``WorkflowConfig.ready``).
_LISTENERS: dict[str, Callable[[list[dict[str, Any]]], None]] = {}


def listen(name: str, listener: Callable[[list[dict[str, Any]]], None]) -> None:
    """Call ``listener(rows)`` after each append of audit events (keyed by ``name``, so that a
    second ``ready()`` replaces rather than repeats)."""
    _LISTENERS[name] = listener


def _tell(rows: list[dict[str, Any]]) -> None:
    for listener in _LISTENERS.values():
        listener(rows)


def audit_row(
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
) -> dict[str, Any]:
    """The field values of one audit event, for ``audit_bulk`` when one action changes many
    objects (``agency`` may be an Agency or its id)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    return {
        "at": at or timezone.now(),
        "actor_id": actor.pk if getattr(actor, "is_authenticated", False) else None,
        "agency_id": getattr(agency, "pk", agency),
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr[:200],
        "from_state": from_state,
        "to_state": to_state,
        "reason": reason,
        "data": data or {},
    }


def audit_bulk(rows: Iterable[dict[str, Any]]) -> int:
    """Append many audit events (rows from ``audit_row``) in batches; return how many."""
    rows = list(rows)
    count = insert_rows(AuditEvent, rows)
    _tell(rows)
    return count
