"""Chinese labels of the audit actions of documents and yearly reviews (for timelines); the
actions and their labels are listed once, in ``attributes_app.audit_actions``."""

from attributes_app.audit_actions import AuditAction

ACTION_LABELS: dict[str, str] = dict(AuditAction.choices)
