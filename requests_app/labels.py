"""Chinese labels shared by the case page, the handling sheet and the case file."""

from __future__ import annotations

from requests_app.audit_actions import RequestAction

#: Chinese labels of audit actions on a case (``RequestAction``); an unknown code is shown as it is.
ACTION_LABELS: dict[str, str] = dict(RequestAction.choices)
