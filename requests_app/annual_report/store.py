"""Reads of the stored reports (``AnnualReport``): versions, last year's published report, the
frozen data of a published version."""

from __future__ import annotations

from collections.abc import Iterable

from requests_app.annual_report.conditions import among
from requests_app.annual_report.structure import ReportData
from requests_app.models import AnnualReport

PUBLISHED = AnnualReport.Status.PUBLISHED
DRAFT = AnnualReport.Status.DRAFT


def versions(agency, year: int):
    """All versions of an agency's report for a year, the draft (if any) last."""
    agency_id = getattr(agency, "pk", agency)
    return AnnualReport.objects.filter(agency_id=agency_id, year=year).order_by("version")


def latest_published(agency, year: int) -> AnnualReport | None:
    agency_id = getattr(agency, "pk", agency)
    return (
        AnnualReport.objects.filter(agency_id=agency_id, year=year, status=PUBLISHED)
        .defer("snapshot")
        .order_by("-version")
        .first()
    )


def draft_of(agency, year: int) -> AnnualReport | None:
    agency_id = getattr(agency, "pk", agency)
    return AnnualReport.objects.filter(agency_id=agency_id, year=year, status=DRAFT).first()


def published_data(report: AnnualReport) -> ReportData:
    """The numbers a published version froze (ids behind every cell included)."""
    return ReportData.from_snapshot(report.snapshot)


def last_year_reports(agency_ids: Iterable[int], year: int) -> dict[int, dict]:
    """For each agency, its latest published report of ``year - 1`` (id, version, summary):
    one query, without the snapshots."""
    found: dict[int, dict] = {}
    rows = (
        AnnualReport.objects.filter(
            among("agency_id", list(agency_ids)), year=year - 1, status=PUBLISHED
        )
        .order_by("agency_id", "-version")
        .values("agency_id", "id", "version", "summary")
    )
    for row in rows:
        found.setdefault(row["agency_id"], row)
    return found


def carryover_notes(agency_ids: Iterable[int], year: int) -> dict[int, dict[str, str]]:
    """The carry-over notes of each agency's newest version for ``year``, the draft if there is
    one (one query)."""
    rows = (
        AnnualReport.objects.filter(among("agency_id", list(agency_ids)), year=year)
        .order_by("agency_id", "-version")
        .values_list("agency_id", "carryover_notes")
    )
    found: dict[int, dict[str, str]] = {}
    for agency, notes in rows:
        found.setdefault(agency, dict(notes or {}))
    return found


def snapshots(report_ids: Iterable[int]) -> dict[int, dict]:
    return dict(AnnualReport.objects.filter(pk__in=list(report_ids)).values_list("id", "snapshot"))
