"""The request process as the services see it: the lock taken before a case's row, and the calls
that keep the process in step with the case (start it, move its timers, route it again).

The process itself is viewflow's ``requests_app.flows``, a layer above the services: its task
pages and timers call them. So the services reach it only through this module, which ``flows``
connects to when the app is ready (``RequestsAppConfig.ready``); the services never import the
flow, and the import graph has no cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from requests_app.models import InformationRequest


@dataclass(frozen=True)
class ProcessHooks:
    """What the services need of the process engine (``requests_app.flows`` provides it)."""

    lock: Callable[[int], AbstractContextManager[Any]]
    start: Callable[[InformationRequest], object]
    rearm_timers: Callable[[InformationRequest], None]
    sync: Callable[[InformationRequest], None]
    #: Handle an ended case again (a decision ordered a new reply): a fresh process when the
    #: old one has ended, else the old one routed to the case's stage.
    reopen: Callable[[InformationRequest], None] | None = None


_connected: ProcessHooks | None = None


def connect(hooks: ProcessHooks) -> None:
    """Called once by ``requests_app.flows`` when it is imported."""
    global _connected
    _connected = hooks


def _process() -> ProcessHooks:
    if _connected is None:
        raise ImproperlyConfigured(
            "The request process is not connected: requests_app.flows is imported by "
            "RequestsAppConfig.ready()."
        )
    return _connected


def process_lock(case_id: int) -> AbstractContextManager[Any]:
    """The process's lock of case ``case_id``, to take before the case's row (``flows``)."""
    return _process().lock(case_id)


def start_request_process(case: InformationRequest) -> object:
    """Start the process of a newly registered case, inside ``request_register``'s transaction."""
    return _process().start(case)


def rearm_timers(case: InformationRequest) -> None:
    """Move the case's armed timers to its periods' ends again; call under ``process_lock``."""
    _process().rearm_timers(case)


def sync_process(case: InformationRequest) -> None:
    """Line the process up with the case's stage after a change made outside a task."""
    _process().sync(case)


def reopen_process(case: InformationRequest) -> None:
    """After a decision ordering a new reply moved an ended case back to a handling stage: put
    the task of that stage in the right inbox (call under ``process_lock``)."""
    reopen = _process().reopen
    if reopen is None:
        raise ImproperlyConfigured("The request process does not support reopening a case.")
    reopen(case)


# -- the task pages, by node name ------------------------------------------------------------
#
# The pages sit above the process: ``requests_app.views.tasks`` registers them when the site is
# assembled, and each human task of the flow calls its page by name. So the flow never imports
# the pages, and the pages may import the flow.

_task_views: dict[str, Callable[..., Any]] = {}


def register_task_views(views: dict[str, Callable[..., Any]]) -> None:
    """Called once by ``requests_app.views.tasks`` when it is imported."""
    _task_views.update(views)


def task_view(name: str) -> Callable[..., Any]:
    """The page of the task ``name`` (``take`` for 领取)."""
    try:
        return _task_views[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"No page for the task {name!r}: requests_app.views.tasks registers them when the "
            "site is assembled (config.site)."
        ) from None
