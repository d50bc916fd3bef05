"""The annual report's counting rules, each written once as a query condition (``Q``) and
used both to count (``counting``) and to list the cases behind a cell (docs/annual-report.md
has them in words):

- a request counts in table 三 when it is an information request (``kind=disclosure``; Art. 41
  correction requests are reported in part 六);
- 一 (Report Format, table 三, row 一): received in the year (``receipt_date``);
- 二 (row 二): received before the year and not concluded at its start;
- 三 (rows （一）–（六）): concluded in the year (``concluded_on``), in the row of the outcome it
  was concluded with (``concluded_outcome``)
  (``requests_app.rules.outcomes``: a partial disclosure only under （二）);
- 四 (row 四): received by the year's end and not concluded at its end;
- table 四: challenges filed in the year, by their result as of 31 December;
- part 六: processing fees paid in the year.
"""

from __future__ import annotations

from datetime import date

from django.db.models import (
    Case,
    Field,
    ForeignObject,
    IntegerField,
    Lookup,
    Q,
    QuerySet,
    Value,
    When,
)

from requests_app.annual_report.structure import TABLE3_ROWS
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
        return concluded & (
            Q(concluded_outcome__in=codes) | ~Q(concluded_outcome__in=list(OUTCOMES))
        )
    return concluded & Q(concluded_outcome__in=codes)


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


class Among(Lookup):
    """``field__gk_among=ids``: on PostgreSQL ``field = ANY(%s)`` with the ids as one array
    parameter; elsewhere an ``IN`` list. An ``IN`` list of thousands of parameters costs the
    driver (and the ORM) a tenth of a second of each query; one array costs nothing."""

    lookup_name = "gk_among"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = [int(value) for value in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        if not values:
            return "1 = 0", list(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


Field.register_lookup(Among)
ForeignObject.register_lookup(Among)


def among(field: str, ids: list[int]) -> Q:
    """A filter "``field`` is one of ``ids``" (``Among``), for the small tables read for
    thousands of agencies at once."""
    return Q(**{f"{field}__gk_among": list(ids)})


def among_scanned(field: str, ids: list[int]) -> Q:
    """The same for the one big aggregate over the requests: an ``IN`` list, with which
    PostgreSQL scans the table in parallel (with an array it walks the agency index, slower
    for thousands of agencies)."""
    return Q(**{f"{field}__in": list(ids)})
