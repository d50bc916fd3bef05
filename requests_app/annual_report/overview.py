"""A supervising government's view of the agencies below it (``workflow.selectors.
supervised_agencies``): their tables summed, and each agency's report status — published or
not, late (first published after 31 January of the next year, Art. 49), failing checks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Max, Min
from django.utils import timezone

from requests_app.annual_report.checks import arithmetic_checks
from requests_app.annual_report.conditions import among
from requests_app.annual_report.counting import Tally, build_reports
from requests_app.annual_report.structure import Cell, ReportData
from requests_app.models import AnnualReport


def deadline(year: int) -> date:
    """The day the report for ``year`` is due: 31 January of the next year (Art. 49)."""
    return date(year + 1, 1, 31)


@dataclass
class AgencyStatus:
    agency_id: int
    name: str
    code: str
    published: bool
    version: int | None  # the latest published version
    first_published_on: date | None
    late: bool  # first published after the deadline
    overdue: bool  # not published and the deadline has passed
    failing: list[str] = field(default_factory=list)  # the checks the numbers now fail
    data: ReportData | None = None

    @property
    def status(self) -> str:
        if self.published:
            return "逾期发布" if self.late else "已按时发布"
        return "逾期未发布" if self.overdue else "未发布"


@dataclass
class Overview:
    year: int
    total: ReportData
    agencies: list[AgencyStatus]

    @property
    def published(self) -> int:
        return sum(1 for row in self.agencies if row.published)

    @property
    def late(self) -> int:
        return sum(1 for row in self.agencies if row.late or row.overdue)


def _sum_cells(cells: list[list[Cell]]) -> list[Cell]:
    return [Cell(sum(int(c.value) for c in column)) for column in zip(*cells, strict=True)]


def sum_reports(reports: list[ReportData], year: int) -> ReportData:
    """The tables of several reports added up (no ids), with the format's arithmetic checks."""
    total = ReportData(agency_id=0, year=year)
    if not reports:
        empty = Tally()
        total.table3 = {k: [Cell(v) for v in values] for k, values in empty.table3.items()}
        total.table4 = [Cell(0)] * 15
    else:
        first = reports[0]
        total.table3 = {key: _sum_cells([r.table3[key] for r in reports]) for key in first.table3}
        total.table4 = _sum_cells([r.table4 for r in reports])
        table2 = {}
        for name in first.table2:
            if name == "行政事业性收费":
                amount = sum(Decimal(str(r.table2[name][0].value)) for r in reports)
                table2[name] = [Cell(f"{amount.normalize():f}")]
            else:
                table2[name] = _sum_cells([r.table2[name] for r in reports])
        total.table2 = table2
    for name in ("count", "amount"):
        total.fees[name] = sum(r.fees.get(name, 0) for r in reports)
    for name in ("received", "concluded"):
        total.corrections[name] = sum(r.corrections.get(name, 0) for r in reports)
    total.checks = arithmetic_checks(total)
    return total


def build_overview(agencies: Iterable, year: int, *, today: date | None = None) -> Overview:
    """The overview of ``agencies`` (Agency objects) for ``year``: a constant number of queries."""
    today = today or timezone.localdate()
    agencies = list(agencies)
    ids = [agency.pk for agency in agencies]
    reports = build_reports(ids, year)
    published = {
        row["agency_id"]: row
        for row in AnnualReport.objects.filter(
            among("agency_id", ids), year=year, status=AnnualReport.Status.PUBLISHED
        )
        .values("agency_id")
        .annotate(version=Max("version"), first=Min("published_at"))
        .order_by()
    }
    due = deadline(year)
    rows = []
    for agency in agencies:
        found = published.get(agency.pk)
        first_on = timezone.localdate(found["first"]) if found and found["first"] else None
        rows.append(
            AgencyStatus(
                agency_id=agency.pk,
                name=agency.name,
                code=agency.code,
                published=found is not None,
                version=found["version"] if found else None,
                first_published_on=first_on,
                late=first_on is not None and first_on > due,
                overdue=found is None and today > due,
                failing=[check.name for check in reports[agency.pk].checks if not check.ok],
                data=reports[agency.pk],
            )
        )
    return Overview(year=year, total=sum_reports(list(reports.values()), year), agencies=rows)
