"""The hook through which stored deadlines are recomputed when the calendar changes.

Modules that store deadlines (request cases, publication deadlines, …) register a recomputer:

    @deadlines.recomputer("requests")
    def recompute_cases(change: deadlines.CalendarChange) -> list[deadlines.MovedDeadline]: ...

Every change of the calendar's data (an imported notice, a local adjustment) calls
``recompute_deadlines`` after its transaction commits; it runs every recomputer and returns the
deadlines that moved, the ones that moved earlier first: those are the dangerous ones (DOMAIN §2).
The ``calendar_changed`` signal is sent too, for listeners that only need to know.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.dispatch import Signal

logger = logging.getLogger(__name__)

#: Sent after the calendar's data changed and the deadlines were recomputed.
#: Arguments: ``change`` (CalendarChange), ``moved`` (list of MovedDeadline).
calendar_changed = Signal()


@dataclass(frozen=True)
class CalendarChange:
    """Which days changed, and for whom (``agency_id`` None: every agency)."""

    days: frozenset[date]
    agency_id: int | None = None
    reason: str = ""

    def affects(self, start: date, end: date, agency_id: int | None) -> bool:
        """Could a deadline counted over (start, end] for ``agency_id`` depend on these days?"""
        if self.agency_id is not None and agency_id != self.agency_id:
            return False
        return any(start < day <= end for day in self.days)


@dataclass(frozen=True)
class MovedDeadline:
    """A stored deadline that the change moved."""

    source: str
    label: str
    old_due: date | None
    new_due: date | None
    agency_id: int | None = None
    url: str = ""

    @property
    def earlier(self) -> bool:
        return self.old_due is not None and self.new_due is not None and self.new_due < self.old_due


Recomputer = Callable[[CalendarChange], Iterable[MovedDeadline]]
_recomputers: dict[str, Recomputer] = {}


def recomputer(name: str) -> Callable[[Recomputer], Recomputer]:
    """Register ``func`` as the recomputer called ``name`` (re-registering replaces it)."""

    def decorator(func: Recomputer) -> Recomputer:
        _recomputers[name] = func
        return func

    return decorator


def unregister(name: str) -> None:
    _recomputers.pop(name, None)


def registered() -> list[str]:
    return sorted(_recomputers)


def sort_moved(moved: Iterable[MovedDeadline]) -> list[MovedDeadline]:
    """Deadlines that moved earlier first, then the others, each by their new due date."""
    far = date.max
    return sorted(moved, key=lambda m: (not m.earlier, m.new_due or far, m.label))


def recompute_deadlines(change: CalendarChange) -> list[MovedDeadline]:
    """Run every registered recomputer for ``change``; return what moved, dangerous ones first."""
    from workflow.calendar import invalidate_calendar_cache

    invalidate_calendar_cache()
    moved: list[MovedDeadline] = []
    for name, func in sorted(_recomputers.items()):
        result = list(func(change))
        logger.info("calendar change: %s recomputed, %d deadline(s) moved", name, len(result))
        moved.extend(result)
    moved = sort_moved(moved)
    calendar_changed.send(sender=CalendarChange, change=change, moved=moved)
    return moved
