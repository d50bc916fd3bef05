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

from requests_app.annual_report.checks import arithmetic_checks_of, checks_of_numbers
from requests_app.annual_report.conditions import among
from requests_app.annual_report.counting import Tally, figures, table2_of
from requests_app.annual_report.sources import document_rows
from requests_app.annual_report.structure import Cell, ReportData
from requests_app.annual_report.tally_store import kept_tallies
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
    #: The agency's counts now (tables 三 and 四 as ints; ``counting.Tally``).
    tally: Tally | None = None

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


def _sum_columns(rows: list[list[int]], width: int) -> list[int]:
    return [sum(column) for column in zip(*rows, strict=True)] if rows else [0] * width


def sum_tallies(
    tallies: list[Tally], table2s: list[dict[str, list[Cell]]], year: int
) -> ReportData:
    """The tables of several agencies added up (no ids), with the format's arithmetic checks."""
    table3_keys = list(Tally().table3)
    table3 = {key: _sum_columns([found.table3[key] for found in tallies], 7) for key in table3_keys}
    table4 = _sum_columns([found.table4 for found in tallies], 15)
    total = ReportData(agency_id=0, year=year)
    total.table3 = {key: [Cell(v) for v in values] for key, values in table3.items()}
    total.table4 = [Cell(v) for v in table4]
    if table2s:
        table2 = {}
        for name in table2s[0]:
            if name == "行政事业性收费":
                amount = sum(Decimal(str(rows[name][0].value)) for rows in table2s)
                table2[name] = [Cell(f"{amount.normalize():f}")]
            else:
                width = len(table2s[0][name])
                values = _sum_columns(
                    [[int(c.value) for c in rows[name]] for rows in table2s], width
                )
                table2[name] = [Cell(v) for v in values]
        total.table2 = table2
    for name in ("count", "amount"):
        total.fees[name] = sum(found.fees.get(name, 0) for found in tallies)
    for name in ("received", "concluded"):
        total.corrections[name] = sum(found.corrections.get(name, 0) for found in tallies)
    total.checks = arithmetic_checks_of(table3, table4)
    return total


def build_overview(agencies: Iterable, year: int, *, today: date | None = None) -> Overview:
    """The overview of ``agencies`` (Agency objects) for ``year``: a constant number of
    queries. The counts come from the kept tallies (``tally_store``), the same numbers as
    counting afresh."""
    today = today or timezone.localdate()
    agencies = list(agencies)
    ids = [agency.pk for agency in agencies]
    tallies = kept_tallies(ids, year)
    documents = document_rows(ids, year)
    entered = figures(ids, year)
    table2s = {agency: table2_of(documents[agency], entered.get(agency, {})) for agency in ids}
    checks = checks_of_numbers(
        {agency: (tallies[agency].table3, tallies[agency].table4) for agency in ids},
        entered,
        year,
    )
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
                failing=[check.name for check in checks[agency.pk] if not check.ok],
                tally=tallies[agency.pk],
            )
        )
    total = sum_tallies([tallies[a] for a in ids], [table2s[a] for a in ids], year)
    return Overview(year=year, total=total, agencies=rows)
