"""Stored publication deadlines: computed by ``attributes_app.rules`` from the agency's policy and
calendar, stored on ``Publication`` for lists, and recomputed when the calendar changes (the
"attributes" recomputer of ``workflow.deadlines``).

Only the deadline itself is stored (last day, overdue instant, at-risk day, provisional mark);
whether a publication is at risk or overdue is read against "now" by the selectors, so the flags
never go stale and need no daily refresh.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from attributes_app import rules
from attributes_app.models import Document, Publication
from workflow import deadlines
from workflow.calendar import get_calendar
from workflow.models import Agency

DUE_FIELDS = ["due_on", "due_at", "at_risk_from", "provisional", "explanation"]
INTERPRETATION_FIELDS = [
    "interpretation_due_on",
    "interpretation_due_at",
    "interpretation_at_risk_from",
    "interpretation_provisional",
    "interpretation_explanation",
]


def policy_of(agency: Agency) -> rules.PublicationPolicy:
    """The agency's publication policy (DOMAIN §4.2) as the pure rules take it."""
    return rules.PublicationPolicy(
        rule=agency.publication_rule,
        working_days=agency.publication_working_days,
        hours=agency.publication_hours,
        at_risk_days=agency.publication_at_risk_days,
        interpretation_days=agency.interpretation_days,
    )


def publication_due(
    publication: Publication, *, document: Document, agency: Agency, calendar=None
) -> rules.Deadline | None:
    item = document.catalogue_item
    return rules.publication_deadline(
        policy_of(agency),
        calendar=calendar or get_calendar(agency.pk),
        tz=timezone.get_default_timezone(),
        start_on=publication.start_on,
        start_at=publication.start_at,
        changed=publication.changed,
        item_days=item.publication_days if item is not None else None,
    )


def apply_due(publication: Publication, deadline: rules.Deadline | None) -> None:
    publication.due_on = deadline.due_on if deadline else None
    publication.due_at = deadline.due_at if deadline else None
    publication.at_risk_from = deadline.at_risk_from if deadline else None
    publication.provisional = deadline.provisional if deadline else False
    publication.explanation = deadline.explanation if deadline else "印发后起算"


def apply_interpretation(publication: Publication, deadline: rules.Deadline | None) -> None:
    publication.interpretation_due_on = deadline.due_on if deadline else None
    publication.interpretation_due_at = deadline.due_at if deadline else None
    publication.interpretation_at_risk_from = deadline.at_risk_from if deadline else None
    publication.interpretation_provisional = deadline.provisional if deadline else False
    publication.interpretation_explanation = deadline.explanation if deadline else ""


def interpretation_due(
    publication: Publication, *, agency: Agency, calendar=None
) -> rules.Deadline | None:
    if not publication.interpretation_required or publication.published_on is None:
        return None
    return rules.interpretation_deadline(
        policy_of(agency),
        calendar=calendar or get_calendar(agency.pk),
        tz=timezone.get_default_timezone(),
        published_on=publication.published_on,
    )


def new_publication(
    document: Document,
    *,
    source: str,
    start_on: date,
    start_at: datetime | None,
    changed: bool,
    now: datetime,
    calendar=None,
    review_item=None,
    determination=None,
) -> Publication:
    """An unsaved publication obligation for ``document``, with its deadline computed."""
    publication = Publication(
        document=document,
        agency_id=document.agency_id,
        source=source,
        start_on=start_on,
        start_at=start_at,
        changed=changed,
        review_item=review_item,
        determination=determination,
        interpretation_required=rules.needs_interpretation(document.kind),
        created_at=now,
    )
    apply_due(
        publication,
        publication_due(publication, document=document, agency=document.agency, calendar=calendar),
    )
    return publication


def sync_publication(publication: Publication, *, calendar=None) -> None:
    """Recompute and save both stored deadlines of ``publication``."""
    document = publication.document
    agency = document.agency
    apply_due(
        publication,
        publication_due(publication, document=document, agency=agency, calendar=calendar),
    )
    apply_interpretation(
        publication, interpretation_due(publication, agency=agency, calendar=calendar)
    )
    publication.save(update_fields=DUE_FIELDS + INTERPRETATION_FIELDS)


@deadlines.recomputer("attributes")
def recompute_publications(change: deadlines.CalendarChange) -> list[deadlines.MovedDeadline]:
    """Recompute every open publication or interpretation deadline that can reach a changed day."""
    if not change.days:
        return []
    first, last = min(change.days), max(change.days)
    open_rows = Publication.objects.filter(withdrawn_on__isnull=True)
    if change.agency_id is not None:
        open_rows = open_rows.filter(agency_id=change.agency_id)
    publications = open_rows.filter(published_on__isnull=True, start_on__lt=last).exclude(
        due_on__lt=first
    )
    interpretations = open_rows.filter(
        interpretation_required=True,
        interpretation_published_on__isnull=True,
        published_on__isnull=False,
        published_on__lt=last,
    ).exclude(interpretation_due_on__lt=first)
    moved: list[deadlines.MovedDeadline] = []
    calendars: dict[int, object] = {}
    rows = (publications | interpretations).select_related(
        "document__agency", "document__catalogue_item"
    )
    for publication in rows.order_by("pk").iterator(chunk_size=500):
        if publication.agency_id not in calendars:
            calendars[publication.agency_id] = get_calendar(publication.agency_id)
        old = (publication.due_on, publication.interpretation_due_on)
        with transaction.atomic():
            sync_publication(publication, calendar=calendars[publication.agency_id])
        title = publication.document.title
        if publication.published_on is None and publication.due_on != old[0]:
            moved.append(
                deadlines.MovedDeadline(
                    source="attributes",
                    label=f"《{title}》主动公开",
                    old_due=old[0],
                    new_due=publication.due_on,
                    agency_id=publication.agency_id,
                )
            )
        if publication.interpretation_due_on != old[1]:
            moved.append(
                deadlines.MovedDeadline(
                    source="attributes",
                    label=f"《{title}》政策解读",
                    old_due=old[1],
                    new_due=publication.interpretation_due_on,
                    agency_id=publication.agency_id,
                )
            )
    return moved
