"""The 索引号 of a published document: given once, at its first publication, under the agency's
scheme of that day (``workflow.index_numbers``), and kept for good."""

from __future__ import annotations

from datetime import date

from attributes_app.models import Document, IndexNumberCounter
from workflow import index_numbers


def _next_sequence(agency_id: int, year: int) -> int:
    # The counter row stays locked until the caller's transaction ends: two publications at once
    # wait for each other here, and a number is never given twice nor skipped by a rollback.
    counter, _ = IndexNumberCounter.objects.select_for_update().get_or_create(
        agency_id=agency_id, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def assign_index_number(document: Document, *, published_on: date) -> str:
    """Give ``document`` (locked by the caller, inside its transaction) its index number if it
    has none yet, and return it. The year is that of the first publication.

    A scheme changed since may give a number an earlier scheme already gave (a literal year typed
    in, a shorter padding); such a number is passed over, so the numbers stay unique.
    """
    if document.index_number:
        return document.index_number
    agency = document.agency
    scheme = agency.index_number_scheme
    year = published_on.year if index_numbers.uses_year(scheme) else 0
    while True:
        number = index_numbers.format_number(
            scheme,
            agency_code=agency.code,
            year=published_on.year,
            sequence=_next_sequence(agency.pk, year),
        )
        if not Document.objects.filter(agency=agency, index_number=number).exists():
            break
    document.index_number = number
    document.save(update_fields=["index_number", "updated_at"])
    return number
