"""One description of a thing a page lets its user do, shared by the task pages, the case page and
the document page: a form, when it is offered, and the one service it calls.

A page keeps a ``dict[str, PageAction]``; it offers the actions whose ``available(situation)`` is
true (the app's permission table and the object's state), shows ``form_class`` under ``label``, and
on a valid POST calls ``call(form, obj, user)`` inside ``workflow.errors``' handling — the service
checks role and state again, so a page that offered too much still cannot do too much.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def always(situation: Any) -> bool:
    return True


@dataclass(frozen=True)
class PageAction:
    label: str
    form_class: type
    #: (form, obj, user) → the success message, or None to use ``done``.
    call: Callable[..., str | None]
    #: The step of the app's permission table this action is (offered only to who may do it).
    step: str = ""
    #: Offered in this situation (state checks; the permission table is checked by ``step``).
    available: Callable[[Any], bool] = always
    #: The success message, or made from the call's result.
    done: str | Callable[[Any], str] = ""
    help: str = ""
    danger: bool = False

    def message(self, result: Any) -> str:
        """What the page says after ``call`` returned ``result``."""
        if isinstance(result, str) and result:
            return result
        if callable(self.done):
            return self.done(result)
        return self.done or "已办理。"
