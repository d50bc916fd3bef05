"""What apps above the requests app add to a case, registered from their ``AppConfig.ready()``.

The requests app imports no other app: the document register (``attributes_app``) depends on
it, not the other way round. Where handling a request needs the register — the documents a case
names, shown on the case page and in the accept and propose tasks; the determinations a proposal
waits for; the reply's Archives Law paragraph for documents transferred to the archives — the
register registers a ``CaseExtension`` here, and the requests app asks every registered one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from requests_app.letter_contexts import ArchivedDocument
    from requests_app.models import InformationRequest


@dataclass(frozen=True)
class CaseExtension:
    """One app's additions to a case; ``order`` places its panel (smaller first).

    - ``panel(context, case, task=...)``: HTML (safe) of a section of the case page, and of the
      accept and propose task pages when ``task`` is true;
    - ``propose_block(case)``: why the case cannot be proposed yet, or None;
    - ``archived_documents(case)``: documents the request concerns that were transferred to the
      archives, for the reply letter.
    """

    name: str
    order: int = 100
    panel: Callable[..., str] | None = None
    propose_block: Callable[[InformationRequest], str | None] | None = None
    archived_documents: Callable[[InformationRequest], list[ArchivedDocument]] | None = None


# Keyed by name, so that a second ``ready()`` replaces rather than repeats.
_EXTENSIONS: dict[str, CaseExtension] = {}


def register_case_extension(extension: CaseExtension) -> None:
    _EXTENSIONS[extension.name] = extension


def _extensions() -> list[CaseExtension]:
    return sorted(_EXTENSIONS.values(), key=lambda e: (e.order, e.name))


def case_panels(context: Any, case: InformationRequest, *, task: bool = False) -> list[str]:
    """The registered sections of the case page (or of a task page, ``task``)."""
    return [e.panel(context, case, task=task) for e in _extensions() if e.panel is not None]


def propose_blocks(case: InformationRequest) -> list[str]:
    """Why ``case`` cannot be proposed yet, one sentence per reason (empty: it can)."""
    blocks = (e.propose_block(case) for e in _extensions() if e.propose_block is not None)
    return [block for block in blocks if block]


def archived_documents(case: InformationRequest) -> list[ArchivedDocument]:
    """The documents ``case`` concerns that are held by the archives (the reply names them)."""
    found: list[ArchivedDocument] = []
    for extension in _extensions():
        if extension.archived_documents is not None:
            found.extend(extension.archived_documents(case))
    return found
