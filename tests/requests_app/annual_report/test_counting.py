"""Table 三, 四 and part 六 counted from the records (Report Format, 国办公开办函〔2021〕30号;
docs/annual-report.md)."""

from datetime import date

import pytest

from requests_app.annual_report.counting import (
    build_report,
    build_reports,
    cases_behind,
    challenges_behind,
)
from requests_app.annual_report.structure import TABLE3_ROWS
from tests.requests_app.annual_report.factories import make_challenge, make_paid_fee, make_request

pytestmark = pytest.mark.django_db
Y = 2025


def d(text: str) -> date:
    return date.fromisoformat(text)


def row(data, key):
    return [cell.value for cell in data.table3[key]]


def test_row_one_counts_requests_received_in_the_year_by_receipt_date(agency, registrar):
    """Report Format, table 三, row 一: 本年新收 — by the receipt date (Art. 31)."""
    make_request(agency, registrar, received=d("2025-01-01"))
    make_request(agency, registrar, received=d("2025-12-31"), org="business")
    make_request(agency, registrar, received=d("2024-12-31"))
    make_request(agency, registrar, received=d("2026-01-01"))
    data = build_report(agency, Y)
    assert row(data, "一") == [1, 1, 0, 0, 0, 0, 2]


def test_columns_follow_the_applicant_kind(agency, registrar):
    """Report Format, table 三, columns: 自然人, then the five kinds of 法人或其他组织, 总计."""
    for org in ("", "business", "research", "nonprofit", "legal_service", "other", "other"):
        make_request(agency, registrar, received=d("2025-03-01"), org=org)
    assert row(build_report(agency, Y), "一") == [1, 1, 1, 1, 1, 2, 7]


def test_row_two_counts_requests_received_before_and_open_at_the_start(agency, registrar):
    """Report Format, table 三, row 二: 上年结转 — received before 1 January and not concluded
    on that day (a case concluded on 1 January was still open at the start of the year)."""
    make_request(agency, registrar, received=d("2024-12-20"))  # still open
    make_request(
        agency, registrar, received=d("2024-12-20"), concluded=d("2025-01-01"), outcome="disclosed"
    )
    make_request(
        agency, registrar, received=d("2024-12-20"), concluded=d("2024-12-31"), outcome="disclosed"
    )
    data = build_report(agency, Y)
    assert row(data, "二")[6] == 2
    assert row(data, "三（一）")[6] == 1


def test_row_three_counts_by_outcome_in_the_year_of_conclusion(agency, registrar):
    """Report Format, table 三, row 三: 本年度办理结果 by the outcome's row; （七） their sum."""
    make_request(
        agency,
        registrar,
        received=d("2025-02-01"),
        concluded=d("2025-03-01"),
        outcome="already_public",
    )
    make_request(
        agency,
        registrar,
        received=d("2025-02-01"),
        concluded=d("2025-03-01"),
        outcome="not_our_agency",
    )
    make_request(
        agency,
        registrar,
        received=d("2025-02-01"),
        concluded=d("2025-03-01"),
        outcome="withheld_third_party",
    )
    make_request(
        agency,
        registrar,
        received=d("2025-02-01"),
        concluded=d("2025-03-01"),
        outcome="abandoned_no_payment",
    )
    make_request(
        agency, registrar, received=d("2025-12-01"), concluded=d("2026-01-05"), outcome="disclosed"
    )
    data = build_report(agency, Y)
    assert row(data, "三（一）")[6] == 1
    assert row(data, "三（四）1")[6] == 1
    assert row(data, "三（三）4")[6] == 1
    assert row(data, "三（六）2")[6] == 1
    assert row(data, "三（七）")[6] == 4
    assert row(data, "四")[6] == 1  # concluded after 31 December: carried to the next year


def test_a_partial_disclosure_counts_only_under_two(agency, registrar):
    """Report Format, table 三, row 三（二）: 区分处理的，只计这一情形，不计其他情形."""
    make_request(
        agency,
        registrar,
        received=d("2025-02-01"),
        concluded=d("2025-03-01"),
        outcome="partly_disclosed",
    )
    data = build_report(agency, Y)
    assert row(data, "三（二）")[6] == 1
    assert sum(row(data, key)[6] for key in ("三（一）", "三（三）1", "三（三）4")) == 0
    assert row(data, "三（七）")[6] == 1


def test_row_four_counts_requests_open_at_the_end(agency, registrar):
    """Report Format, table 三, row 四: 结转下年度继续办理; 一 + 二 = 三（七） + 四 per column."""
    make_request(agency, registrar, received=d("2024-11-01"))
    make_request(agency, registrar, received=d("2025-12-30"), org="research")
    make_request(
        agency,
        registrar,
        received=d("2025-05-30"),
        org="research",
        concluded=d("2025-06-10"),
        outcome="repeat",
    )
    data = build_report(agency, Y)
    assert row(data, "四") == [1, 0, 1, 0, 0, 0, 2]
    for column in range(7):
        assert row(data, "一")[column] + row(data, "二")[column] == (
            row(data, "三（七）")[column] + row(data, "四")[column]
        )


def test_correction_requests_are_not_in_table_three_but_in_part_six(agency, registrar):
    """Art. 41 requests to correct one's records are not 政府信息公开申请: reported in part 六."""
    make_request(agency, registrar, received=d("2025-03-01"), kind="correction")
    make_request(
        agency,
        registrar,
        received=d("2025-03-01"),
        kind="correction",
        concluded=d("2025-03-20"),
        outcome="other",
    )
    data = build_report(agency, Y)
    assert row(data, "一")[6] == 0
    assert data.corrections == {"received": 2, "concluded": 1}


def test_other_agencies_cases_are_not_counted(agency, other_agency, registrar):
    make_request(other_agency, registrar, received=d("2025-03-01"))
    assert row(build_report(agency, Y), "一")[6] == 0


def test_cells_list_their_cases_when_asked(agency, registrar):
    """Every cell links to the cases behind it: the ids when counted with ids, and the same
    cases from ``cases_behind``."""
    a = make_request(
        agency, registrar, received=d("2025-02-01"), concluded=d("2025-03-01"), outcome="disclosed"
    )
    b = make_request(agency, registrar, received=d("2025-02-01"), org="nonprofit")
    fast = build_report(agency, Y)
    assert fast.table3["一"][6].ids == ()
    data = build_report(agency, Y, with_ids=True)
    assert data.table3["一"][6].ids == (a.pk, b.pk)
    assert data.table3["一"][3].ids == (b.pk,)
    assert data.table3["三（一）"][0].ids == (a.pk,)
    assert data.table3["三（七）"][6].ids == (a.pk,)
    assert data.table3["四"][3].ids == (b.pk,)
    for spec in TABLE3_ROWS:
        for column in range(7):
            listed = list(cases_behind(agency, Y, spec.key, column).values_list("id", flat=True))
            assert tuple(sorted(listed)) == data.table3[spec.key][column].ids, (spec.key, column)


def test_table_four_counts_challenges_filed_in_the_year_by_result_at_year_end(agency, registrar):
    """Report Format, table 四: filed in the year; a result reached after 31 December counts as
    尚未审结; each group's 总计 = its four columns."""
    case = make_request(
        agency, registrar, received=d("2025-01-05"), concluded=d("2025-02-01"), outcome="not_held"
    )
    make_challenge(
        case,
        registrar,
        kind="reconsideration",
        filed=d("2025-03-01"),
        result="upheld",
        concluded=d("2025-05-01"),
    )
    make_challenge(
        case,
        registrar,
        kind="reconsideration",
        filed=d("2025-11-01"),
        result="corrected",
        concluded=d("2026-01-10"),
    )
    make_challenge(
        case,
        registrar,
        kind="lawsuit_direct",
        filed=d("2025-04-01"),
        result="corrected",
        concluded=d("2025-08-01"),
    )
    make_challenge(
        case,
        registrar,
        kind="lawsuit_after",
        filed=d("2025-06-01"),
        result="other",
        concluded=d("2025-12-31"),
    )
    make_challenge(
        case,
        registrar,
        kind="lawsuit_after",
        filed=d("2024-06-01"),
        result="other",
        concluded=d("2025-02-01"),
    )
    data = build_report(agency, Y)
    assert [c.value for c in data.table4] == [1, 0, 0, 1, 2, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1]
    assert all(check.ok for check in data.checks if check.name.startswith("表四"))
    with_ids = build_report(agency, Y, with_ids=True)
    for column in range(15):
        listed = challenges_behind(agency, Y, column).values_list("id", flat=True)
        assert tuple(sorted(listed)) == with_ids.table4[column].ids, column
    assert len(with_ids.table4[3].ids) == 1  # the one decided in 2026: pending on 31 December


def test_part_six_counts_fees_paid_in_the_year(agency, registrar):
    """Part 六: 收取信息处理费的情况 — the fees paid in the year (count and yuan)."""
    a = make_request(agency, registrar, received=d("2025-02-01"))
    b = make_request(agency, registrar, received=d("2025-02-01"))
    c = make_request(agency, registrar, received=d("2024-02-01"))
    make_paid_fee(a, registrar, amount=700, paid=d("2025-03-01"))
    make_paid_fee(b, registrar, amount=1300, paid=d("2025-12-31"))
    make_paid_fee(c, registrar, amount=100, paid=d("2024-03-01"))
    assert build_report(agency, Y).fees == {"count": 2, "amount": 2000}
    assert build_report(agency, Y, with_ids=True).fee_ids == (a.pk, b.pk)


def test_many_agencies_count_with_a_constant_number_of_queries(agency, other_agency, registrar):
    """The same queries for two agencies as for one (PostgreSQL adds its two SET LOCALs for the
    big aggregate; still a constant)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for target in (agency, other_agency):
        for _ in range(3):
            make_request(
                target,
                registrar,
                received=d("2025-02-01"),
                concluded=d("2025-03-01"),
                outcome="disclosed",
            )
    with CaptureQueriesContext(connection) as one:
        build_reports([agency.pk], Y)
    with CaptureQueriesContext(connection) as two:
        reports = build_reports([agency.pk, other_agency.pk], Y)
    assert len(two.captured_queries) == len(one.captured_queries) <= 12
    assert reports[other_agency.pk].table3["三（七）"][6].value == 3
