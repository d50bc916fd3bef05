"""What the request pages share: which of a page's actions it offers its user."""

from __future__ import annotations

from typing import Any

from requests_app.models import InformationRequest
from requests_app.permissions import STEPS, may
from workflow.actions import PageAction
from workflow.roles import REQUEST_ROLES, has_role


def _holds_a_role_for(user, step: str) -> bool:
    """The role half of the permission table, from the user's roles read once per request."""
    return any(has_role(user, role) for role in STEPS[step].roles or REQUEST_ROLES)


def offered(
    actions: dict[str, PageAction], user, case: InformationRequest, situation: Any
) -> dict[str, PageAction]:
    """The actions the page offers ``user``: the ones the situation allows (the case's state) and
    the permission table gives ``user`` (``may``: role and agency). The cheap checks come first
    so that the agency is asked only about actions otherwise offered; the services check all of
    it again."""
    return {
        name: action
        for name, action in actions.items()
        if action.available(situation)
        and (
            not action.step
            or (_holds_a_role_for(user, action.step) and may(user, case, action.step))
        )
    }
