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
