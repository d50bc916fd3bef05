"""What the request pages share: which of a page's actions it offers its user."""

from __future__ import annotations

from typing import Any

from requests_app.models import InformationRequest
from requests_app.permissions import may
from workflow.actions import PageAction


def offered(
    actions: dict[str, PageAction], user, case: InformationRequest, situation: Any
) -> dict[str, PageAction]:
    """The actions the page offers ``user``: the ones the situation allows (the case's state) and
    the permission table gives ``user`` (``may``: role, then agency). The services check all of it
    again."""
    return {
        name: action
        for name, action in actions.items()
        if action.available(situation) and (not action.step or may(user, case, action.step))
    }
