"""Counting the annual report from the records (docs/annual-report.md has the rules in words).

The fast path counts with aggregate queries, a constant number of them whatever the number of
agencies and cases (GROUP BY the applicant's columns and the outcome, conditional counts for the
rows); the ids behind the cells are fetched only when asked (``with_ids=True``: publishing, or
one cell's list with ``cases_behind``).

Every rule is written once here, as a query condition (``Q``), and used both to count and to
list the cases behind a cell:

- a request counts in table 三 when it is an information request (``kind=disclosure``; Art. 41
  correction requests are reported in part 六);
- 一 (Report Format, table 三, row 一): received in the year (``receipt_date``);
- 二 (row 二): received before the year and not concluded at its start;
- 三 (rows （一）–（六）): concluded in the year (``concluded_on``), in the row of its outcome
  (``requests_app.rules.outcomes``: a partial disclosure only under （二）);
- 四 (row 四): received by the year's end and not concluded at its end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When

from requests_app.annual_report.sources import document_rows
from requests_app.annual_report.structure import TABLE3_ROWS, Cell, ReportData
from requests_app.models import Challenge, Fee, InformationRequest, ReportFigure
from requests_app.rules.outcomes import OUTCOMES

R = InformationRequest

#: Table 三's six applicant columns (then 总计, column 6), by ``organization_kind``; a person is
#: column 0.
ORGANIZATION_COLUMNS: dict[str, int] = {
    R.OrganizationKind.BUSINESS: 1,
    R.OrganizationKind.RESEARCH: 2,
    R.OrganizationKind.NONPROFIT: 3,
    R.OrganizationKind.LEGAL_SERVICE: 4,
    R.OrganizationKind.OTHER: 5,
}
TOTAL = 6
#: The rows of the outcomes (（一）–（六）) and the row a concluded case without a known outcome
#: goes to (（六）3 其他; the services never conclude a case without one).
OUTCOME_KEYS: tuple[str, ...] = tuple(
    spec.key for spec in TABLE3_ROWS if spec.key.startswith("三") and spec.key != "三（七）"
)
OTHER_ROW = "三（六）3"
#: Table 二's rows the disclosure office enters, by ``ReportFigure.Field``.
FIGURE_ROWS: dict[str, str] = {
    ReportFigure.Field.LICENSING: "行政许可",
    ReportFigure.Field.PENALTY: "行政处罚",
    ReportFigure.Field.COERCION: "行政强制",
    ReportFigure.Field.FEES: "行政事业性收费",
}


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def column_of(applicant_kind: str, organization_kind: str) -> int:
    """The applicant's column of table 三 (0 自然人 … 5 其他)."""
    if applicant_kind == R.ApplicantKind.PERSON:
        return 0
    return ORGANIZATION_COLUMNS.get(organization_kind, 5)


def row_of(outcome: str) -> str:
    """The row of table 三 a concluded case counts in: its outcome's ``report_row``."""
    found = OUTCOMES.get(outcome)
    return found.report_row if found else OTHER_ROW


# -- the rules, once -------------------------------------------------------------------------------


def counted_requests() -> QuerySet[InformationRequest]:
    """The requests table 三 counts: information requests, not Art. 41 correction requests."""
    return R.objects.filter(kind=R.Kind.DISCLOSURE)


def rule_q(part: str, year: int) -> Q:
    """The condition of a part of table 三: ``一``, ``二``, ``三`` (concluded in the year) or
    ``四``; and ``base``, the requests that count in the year at all (一 + 二 = 三 + 四 of them)."""
    start, end = year_bounds(year)
    open_at_start = Q(concluded_on__isnull=True) | Q(concluded_on__gte=start)
    open_at_end = Q(concluded_on__isnull=True) | Q(concluded_on__gt=end)
    rules = {
        "base": Q(receipt_date__lte=end) & open_at_start,
        "一": Q(receipt_date__gte=start, receipt_date__lte=end),
        "二": Q(receipt_date__lt=start) & open_at_start,
        "三": Q(concluded_on__gte=start, concluded_on__lte=end),
        "四": Q(receipt_date__lte=end) & open_at_end,
    }
    return rules[part]


def column_q(column: int) -> Q:
    if column == TOTAL:
        return Q()
    if column == 0:
        return Q(applicant_kind=R.ApplicantKind.PERSON)
    kinds = [kind for kind, col in ORGANIZATION_COLUMNS.items() if col == column]
    return Q(applicant_kind=R.ApplicantKind.ORGANIZATION, organization_kind__in=kinds)


def row_q(key: str, year: int) -> Q:
    """The condition of one row of table 三 (``TABLE3_ROWS`` keys)."""
    if key in ("一", "二", "四"):
        return rule_q(key, year)
    concluded = rule_q("三", year)
    if key == "三（七）":
        return concluded
    codes = [code for code, outcome in OUTCOMES.items() if outcome.report_row == key]
    if key == OTHER_ROW:
        return concluded & (Q(outcome__in=codes) | ~Q(outcome__in=list(OUTCOMES)))
    return concluded & Q(outcome__in=codes)


def challenge_column(year: int) -> Case:
    """Table 四's column (0 维持, 1 纠正, 2 其他, 3 尚未审结) of a challenge as of 31 December: a
    result reached after that day counts as 尚未审结."""
    _, end = year_bounds(year)
    decided = Q(concluded_on__isnull=False, concluded_on__lte=end)
    C = Challenge.Result
    return Case(
        When(decided & Q(result=C.UPHELD), then=Value(0)),
        When(decided & Q(result=C.CORRECTED), then=Value(1)),
        When(decided & Q(result=C.OTHER), then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )


#: Table 四's groups by ``Challenge.kind``, in the format's order.
CHALLENGE_GROUPS: dict[str, int] = {
    Challenge.Kind.RECONSIDERATION: 0,
    Challenge.Kind.LAWSUIT_DIRECT: 1,
    Challenge.Kind.LAWSUIT_AFTER: 2,
}


def counted_challenges(year: int) -> QuerySet[Challenge]:
    """Table 四 counts the reconsiderations and lawsuits filed in the year."""
    start, end = year_bounds(year)
    return Challenge.objects.filter(filed_on__gte=start, filed_on__lte=end)


def paid_fees(year: int) -> QuerySet[Fee]:
    """Part 六: the processing fees paid in the year (``settled_on``)."""
    start, end = year_bounds(year)
    return Fee.objects.filter(status=Fee.Status.PAID, settled_on__gte=start, settled_on__lte=end)


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


def _add(row: list[int], column: int, n: int) -> None:
    row[column] += n
    row[TOTAL] += n


def tally(agency_ids: Iterable[int], year: int) -> dict[int, Tally]:
    """Tables 三 and 四, the fees and the correction requests of each agency, without ids: four
    aggregate queries whatever the number of agencies."""
    ids = list(agency_ids)
    tallies = {agency: Tally() for agency in ids}
    groups = (
        counted_requests()
        .filter(rule_q("base", year), agency_id__in=ids)
        .values("agency_id", "applicant_kind", "organization_kind", "outcome")
        .annotate(
            new=Count("id", filter=rule_q("一", year)),
            carried=Count("id", filter=rule_q("二", year)),
            concluded=Count("id", filter=rule_q("三", year)),
            open=Count("id", filter=rule_q("四", year)),
        )
        .order_by()
    )
    for group in groups:
        table = tallies[group["agency_id"]].table3
        column = column_of(group["applicant_kind"], group["organization_kind"])
        _add(table["一"], column, group["new"])
        _add(table["二"], column, group["carried"])
        _add(table[row_of(group["outcome"])], column, group["concluded"])
        _add(table["三（七）"], column, group["concluded"])
        _add(table["四"], column, group["open"])
    challenges = (
        counted_challenges(year)
        .filter(request__agency_id__in=ids)
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
        .filter(request__agency_id__in=ids)
        .values("request__agency_id")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by()
    )
    for group in fees:
        tallies[group["request__agency_id"]].fees = {
            "count": group["n"],
            "amount": int(group["amount"] or 0),
        }
    start, end = year_bounds(year)
    corrections = (
        R.objects.filter(kind=R.Kind.CORRECTION, agency_id__in=ids)
        .filter(Q(receipt_date__gte=start) | Q(concluded_on__gte=start))
        .values("agency_id")
        .annotate(
            received=Count("id", filter=Q(receipt_date__gte=start, receipt_date__lte=end)),
            concluded=Count("id", filter=Q(concluded_on__gte=start, concluded_on__lte=end)),
        )
        .order_by()
    )
    for group in corrections:
        tallies[group["agency_id"]].corrections = {
            "received": group["received"],
            "concluded": group["concluded"],
        }
    return tallies


def table3_ids(agency_id: int, year: int) -> dict[str, list[list[int]]]:
    """The ids behind every cell of table 三 (four queries, one per part)."""
    ids: dict[str, list[list[int]]] = {spec.key: [[] for _ in range(7)] for spec in TABLE3_ROWS}
    base = counted_requests().filter(rule_q("base", year), agency_id=agency_id)
    for part in ("一", "二", "三", "四"):
        rows = base.filter(rule_q(part, year)).values_list(
            "id", "applicant_kind", "organization_kind", "outcome"
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
    for figure in ReportFigure.objects.filter(agency_id__in=list(agency_ids), year=year):
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


def build_reports(
    agency_ids: Iterable[int], year: int, *, with_ids: bool = False, checks: bool = True
) -> dict[int, ReportData]:
    """``build_report`` for many agencies with a constant number of queries (without ids)."""
    from requests_app.annual_report.checks import report_checks_many

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
        table3 = {
            key: [
                Cell(value, tuple(ids3[key][column]) if ids3 else ())
                for column, value in enumerate(values)
            ]
            for key, values in counts.table3.items()
        }
        table4 = [
            Cell(value, tuple(ids4[column]) if ids4 else ())
            for column, value in enumerate(counts.table4)
        ]
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
        for agency_id, found in report_checks_many(reports, entered).items():
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
