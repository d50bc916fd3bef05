"""Reads of the stored reports (``AnnualReport``): versions, last year's published report, the
frozen data of a published version."""

from __future__ import annotations

from collections.abc import Iterable

from requests_app.annual_report.conditions import among
from requests_app.annual_report.structure import TABLE3_ROWS, ReportData
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


#: Where row 四 (结转下年度继续办理) is in a report's summary JSON (``table3.rows``).
_FOUR = [spec.key for spec in TABLE3_ROWS].index("四")
_FOUR_PATH = f"summary__table3__rows__{_FOUR}__values"


def last_year_reports(agency_ids: Iterable[int], year: int) -> dict[int, dict]:
    """For each agency, its latest published report of ``year - 1``: ``id``, ``version`` and
    ``four``, its row 四 (seven ints). One query, reading only that row of each summary."""
    found: dict[int, dict] = {}
    rows = (
        AnnualReport.objects.filter(
            among("agency_id", list(agency_ids)), year=year - 1, status=PUBLISHED
        )
        .order_by("agency_id", "-version")
        .values_list("agency_id", "id", "version", _FOUR_PATH)
    )
    for agency, pk, version, four in rows:
        if agency not in found:
            values = [int(v) for v in four] if isinstance(four, list) else None
            found[agency] = {"id": pk, "version": version, "four": values}
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
