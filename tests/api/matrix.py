"""Every operation of the API, what it needs and how to call it on an object of one's own agency
(``tests/api/test_permission_matrix.py`` checks each one; ``test_schemathesis.py`` draws its
path ids from here). A new operation without a row here fails the matrix test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.api.seeding import Seeds

Values = Callable[[Seeds], dict]


def nothing(seeds: Seeds) -> dict:
    return {}


@dataclass(frozen=True)
class Entry:
    #: The scope the operation needs; None: public (no token).
    scope: str | None
    #: Path parameters naming objects of ``seeds``' agency.
    path: Values = nothing
    #: A valid JSON body (or form fields with ``multipart``) for an own object.
    body: Values | None = None
    query: Values = nothing
    multipart: bool = False
    #: Statuses a client with the scope gets on its own object (with this body).
    ok: tuple[int, ...] = (200,)
    #: ``If-Match``: read the object first (GET on the same path) and send its ETag.
    if_match: bool = False
    #: How another agency's client is kept out: "404" (the object is not found), "list" (a list
    #: without our objects: ``hidden`` names the seeds' kinds that must not appear), or "none"
    #: (the operation names no object of an agency: it acts on the caller's own).
    other: str = "404"
    hidden: tuple[str, ...] = field(default_factory=tuple)


#: "METHOD /api/v1/path/{param}/" → Entry.
TABLE: dict[str, Entry] = {}
