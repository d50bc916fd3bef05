"""Counting the annual report from the records (docs/annual-report.md has the rules in words;
``conditions`` has them as query conditions, once).

The fast path counts with aggregate queries, a constant number of them whatever the number of
agencies and cases (GROUP BY the applicant's columns and the outcome, conditional counts for the
rows); the ids behind the cells are fetched only when asked (``with_ids=True``: publishing, or
one cell's list with ``cases_behind``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, QuerySet, Sum

from requests_app.annual_report.checks import report_checks_many
from requests_app.annual_report.conditions import (
    CHALLENGE_GROUPS,
    FIGURE_ROWS,
    ORGANIZATION_COLUMNS,
    OTHER_ROW,
    OUTCOME_KEYS,
    TOTAL,
    R,
    among,
    among_scanned,
    challenge_column,
    column_of,
    column_q,
    counted_challenges,
    counted_requests,
    paid_fees,
    row_of,
    row_q,
    rule_q,
)
from requests_app.annual_report.sources import document_rows
from requests_app.annual_report.structure import TABLE3_ROWS, Cell, ReportData
from requests_app.models import Challenge, InformationRequest, ReportFigure

__all__ = [
    "CHALLENGE_GROUPS",
    "FIGURE_ROWS",
    "ORGANIZATION_COLUMNS",
    "OTHER_ROW",
    "OUTCOME_KEYS",
    "TOTAL",
    "Tally",
    "build_report",
    "build_reports",
    "cases_behind",
    "challenges_behind",
    "column_of",
    "counted_requests",
    "row_of",
    "rule_q",
    "tally",
]


# -- counting --------------------------------------------------------------------------------------


@dataclass
class Tally:
    """One agency's numbers as plain ints (the fast path; ``ReportData`` adds the ids)."""

    table3: dict[str, list[int]] = field(
        default_factory=lambda: {spec.key: [0] * 7 for spec in TABLE3_ROWS}
    )
    table4: list[int] = field(default_factory=lambda: [0] * 15)
    fees: dict[str, int] = field(default_factory=lambda: {"count": 0, "amount": 0})
    corrections: dict[str, int] = field(default_factory=lambda: {"received": 0, "concluded": 0})


#: PostgreSQL's sort memory for the report's aggregate (the groups of 1,000,000 requests).
REPORT_WORK_MEM = "64MB"


def _rows(query: QuerySet) -> list[tuple]:
    """The rows of a values_list query of plain columns and counts, read without the ORM's
    per-row converters (thousands of groups). On PostgreSQL the one big aggregate gets the
    memory to sort its groups in memory, and no JIT compilation (it costs more than it saves
    on a query of a second)."""
    sql, params = query.query.sql_with_params()
    with transaction.atomic(using=query.db), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        return cursor.fetchall()


def tally(agency_ids: Iterable[int], year: int) -> dict[int, Tally]:
    """Tables 三 and 四, the fees and the correction requests of each agency, without ids: three
    aggregate queries whatever the number of agencies."""
    ids = list(agency_ids)
    tallies = {agency: Tally() for agency in ids}
    # One scan of the requests, grouped by agency, kind, applicant and the outcome they were
    # concluded with (``concluded_outcome``: a reply ordered anew does not move them), with one
    # conditional count per part of table 三 (the correction requests are counted apart).
    groups = (
        R.objects.filter(rule_q("base", year), among_scanned("agency_id", ids))
        .values("agency_id", "kind", "applicant_kind", "organization_kind", "concluded_outcome")
        .annotate(  # the rules of conditions.rule_q, once
            new=Count("id", filter=rule_q("一", year)),
            carried=Count("id", filter=rule_q("二", year)),
            concluded=Count("id", filter=rule_q("三", year)),
            open=Count("id", filter=rule_q("四", year)),
        )
        .order_by()
    )
    disclosure = R.Kind.DISCLOSURE
    keys = ("agency_id", "kind", "applicant_kind", "organization_kind", "concluded_outcome")
    columns: dict[tuple[str, str], int] = {}
    rows_of: dict[str, str] = {}
    for agency, kind, applicant, organization, outcome, new, carried, done, left in _rows(
        groups.values_list(*keys, "new", "carried", "concluded", "open")
    ):
        found = tallies[agency]
        if kind != disclosure:
            found.corrections["received"] += new
            found.corrections["concluded"] += done
            continue
        table = found.table3
        column = columns.get((applicant, organization))
        if column is None:
            column = columns[(applicant, organization)] = column_of(applicant, organization)
        if new:
            row = table["一"]
            row[column] += new
            row[TOTAL] += new
        if carried:
            row = table["二"]
            row[column] += carried
            row[TOTAL] += carried
        if done:
            key = rows_of.get(outcome)
            if key is None:
                key = rows_of[outcome] = row_of(outcome)
            row = table[key]
            row[column] += done
            row[TOTAL] += done
            row = table["三（七）"]
            row[column] += done
            row[TOTAL] += done
        if left:
            row = table["四"]
            row[column] += left
            row[TOTAL] += left
    challenges = (
        counted_challenges(year)
        .filter(among("request__agency_id", ids))
        .annotate(column=challenge_column(year))
        .values("request__agency_id", "kind", "column")
        .annotate(n=Count("id"))
        .order_by()
    )
    for group in challenges:
        table4 = tallies[group["request__agency_id"]].table4
        first = 5 * CHALLENGE_GROUPS[group["kind"]]
        table4[first + group["column"]] += group["n"]
        table4[first + 4] += group["n"]
    fees = (
        paid_fees(year)
        .filter(among("request__agency_id", ids))
        .values("request__agency_id")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by()
    )
    for group in fees:
        tallies[group["request__agency_id"]].fees = {
            "count": group["n"],
            "amount": int(group["amount"] or 0),
        }
    return tallies


def table3_ids(agency_id: int, year: int) -> dict[str, list[list[int]]]:
    """The ids behind every cell of table 三 (four queries, one per part)."""
    ids: dict[str, list[list[int]]] = {spec.key: [[] for _ in range(7)] for spec in TABLE3_ROWS}
    base = counted_requests().filter(rule_q("base", year), agency_id=agency_id)
    for part in ("一", "二", "三", "四"):
        rows = base.filter(rule_q(part, year)).values_list(
            "id", "applicant_kind", "organization_kind", "concluded_outcome"
        )
        for pk, applicant, organization, outcome in rows.order_by("id"):
            column = column_of(applicant, organization)
            keys = (row_of(outcome), "三（七）") if part == "三" else (part,)
            for key in keys:
                ids[key][column].append(pk)
                ids[key][TOTAL].append(pk)
    return ids


def table4_ids(agency_id: int, year: int) -> list[list[int]]:
    ids: list[list[int]] = [[] for _ in range(15)]
    rows = (
        counted_challenges(year)
        .filter(request__agency_id=agency_id)
        .annotate(column=challenge_column(year))
        .values_list("id", "kind", "column")
        .order_by("id")
    )
    for pk, kind, column in rows:
        first = 5 * CHALLENGE_GROUPS[kind]
        ids[first + column].append(pk)
        ids[first + 4].append(pk)
    return ids


def figure_value(field_name: str, value: Decimal) -> int | str:
    """A figure as the report prints it: a count as an int, the fees in 万元 as a decimal
    string without trailing zeros."""
    if field_name != ReportFigure.Field.FEES:
        return int(value)
    text = f"{value.normalize():f}"
    return text


def figures(agency_ids: Iterable[int], year: int) -> dict[int, dict[str, ReportFigure]]:
    found: dict[int, dict[str, ReportFigure]] = defaultdict(dict)
    for figure in ReportFigure.objects.filter(among("agency_id", list(agency_ids)), year=year):
        found[figure.agency_id][figure.field] = figure
    return found


def table2_of(
    documents: dict[str, list[Cell]], entered: dict[str, ReportFigure]
) -> dict[str, list[Cell]]:
    table2 = dict(documents)
    for field_name, row in FIGURE_ROWS.items():
        figure = entered.get(field_name)
        value = (
            figure_value(field_name, figure.value)
            if figure
            else (0 if row != "行政事业性收费" else "0")
        )
        table2[row] = [Cell(value)]
    return table2


def build_report(agency, year: int, *, with_ids: bool = False, checks: bool = True) -> ReportData:
    """The report of ``agency`` (an Agency or its id) for ``year`` from the records as they are
    now, with its checks (``checks.report_checks``). ``with_ids``: every cell carries the ids of
    the cases, challenges or documents behind it (publishing; slower)."""
    agency_id = getattr(agency, "pk", agency)
    data = build_reports([agency_id], year, with_ids=with_ids, checks=checks)[agency_id]
    return data


#: Cells without ids are values only and immutable: the small ones are shared.
_SHARED: list[Cell] = [Cell(value) for value in range(1000)]


def _plain_cells(values: list[int], shared: list[Cell] = _SHARED) -> list[Cell]:
    return [shared[v] if v < 1000 else Cell(v) for v in values]


def build_reports(
    agency_ids: Iterable[int], year: int, *, with_ids: bool = False, checks: bool = True
) -> dict[int, ReportData]:
    """``build_report`` for many agencies with a constant number of queries (without ids)."""
    ids = list(agency_ids)
    tallies = tally(ids, year)
    documents = document_rows(ids, year, with_ids=with_ids)
    entered = figures(ids, year)
    reports: dict[int, ReportData] = {}
    for agency_id in ids:
        counts = tallies[agency_id]
        if with_ids:
            ids3 = table3_ids(agency_id, year)
            ids4 = table4_ids(agency_id, year)
            fee_ids = tuple(
                paid_fees(year)
                .filter(request__agency_id=agency_id)
                .order_by("request_id")
                .values_list("request_id", flat=True)
            )
        else:
            ids3, ids4, fee_ids = None, None, ()
        if ids3 is not None and ids4 is not None:
            table3 = {
                key: [Cell(value, tuple(ids3[key][column])) for column, value in enumerate(values)]
                for key, values in counts.table3.items()
            }
            table4 = [
                Cell(value, tuple(ids4[column])) for column, value in enumerate(counts.table4)
            ]
        else:
            table3 = {key: _plain_cells(values) for key, values in counts.table3.items()}
            table4 = _plain_cells(counts.table4)
        reports[agency_id] = ReportData(
            agency_id=agency_id,
            year=year,
            table2=table2_of(documents[agency_id], entered.get(agency_id, {})),
            table3=table3,
            table4=table4,
            fees=dict(counts.fees),
            corrections=dict(counts.corrections),
            fee_ids=fee_ids,
            with_ids=with_ids,
        )
    if checks:
        numbers = {agency: (tallies[agency].table3, tallies[agency].table4) for agency in ids}
        for agency_id, found in report_checks_many(reports, entered, numbers).items():
            reports[agency_id].checks = found
    return reports


def cases_behind(agency, year: int, key: str, column: int) -> QuerySet[InformationRequest]:
    """The cases behind one cell of table 三 (``key`` a ``TABLE3_ROWS`` key, ``column`` 0–6),
    counted now: the same conditions as the counts. A published report's cell lists the ids it
    froze (``Cell.ids``) instead."""
    if key not in {spec.key for spec in TABLE3_ROWS} or not 0 <= column <= TOTAL:
        return R.objects.none()
    agency_id = getattr(agency, "pk", agency)
    return (
        counted_requests()
        .filter(rule_q("base", year), agency_id=agency_id)
        .filter(row_q(key, year), column_q(column))
        .order_by("receipt_date", "id")
    )


def challenges_behind(agency, year: int, column: int) -> QuerySet[Challenge]:
    """The reconsiderations and lawsuits behind one cell of table 四 (column 0–14)."""
    if not 0 <= column < 15:
        return Challenge.objects.none()
    agency_id = getattr(agency, "pk", agency)
    group, position = divmod(column, 5)
    kind = next(k for k, g in CHALLENGE_GROUPS.items() if g == group)
    found = counted_challenges(year).filter(request__agency_id=agency_id, kind=kind)
    if position < 4:
        found = found.annotate(column=challenge_column(year)).filter(column=position)
    return found.order_by("filed_on", "id")
