"""The gallery samples tell the truth: derived dates come from the calendar, counts add up.

A sample's derived date is checked against the bundled national calendar (DOMAIN §2), counting
from the letter's date as if it were received that day (electronic service).
"""

from collections import Counter

import pytest
from django.conf import settings

from workflow.calendar import WorkingCalendar, _bundled
from workflow.letters.render import build_letter, sample_context


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return WorkingCalendar(_bundled(str(settings.HOLIDAYS_DIR)))


REQUEST_KINDS = [
    "receipt",
    "correction_notice",
    "third_party_consultation",
    "agency_consultation",
    "consultation_notice",
    "extension_notice",
    "reasons_request",
    "deferral_notice",
    "fee_notice",
    "reply",
    "reply_notice",
    "abandoned_notice",
    "not_processed_notice",
]


@pytest.mark.parametrize("kind", REQUEST_KINDS)
def test_reply_due_date_is_20_working_days_after_receipt(kind, calendar):
    # Art. 33: 20 working days from receipt, the day of receipt not counted.
    case = sample_context(kind).case
    assert case.due_date == calendar.add_working_days(case.receipt_date, 20)


def test_extension_date_is_the_original_due_date_plus_the_extension(calendar):
    # Art. 33(2): at most 20 more working days from the original deadline.
    context = sample_context("extension_notice")
    assert context.new_due_date == calendar.add_working_days(
        context.case.due_date, context.extension_days
    )


def test_the_reasons_period_runs_from_the_notice(calendar):
    # Art. 35: the agency's period for the applicant's reasons, from the notice.
    context = sample_context("reasons_request")
    assert context.reply_by == calendar.add_working_days(context.issue_date, context.period_days)


@pytest.mark.parametrize(
    ("kind", "field", "days"),
    [
        ("correction_notice", "correction_deadline", "period_days"),  # Art. 30
        ("third_party_consultation", "reply_by", 15),  # Art. 32
        ("agency_consultation", "reply_by", 15),  # Art. 34
        ("fee_notice", "pay_by", "pay_within_days"),  # Fee Rules Art. 6
    ],
)
def test_periods_from_receipt_have_no_date_in_the_letter_as_issued(kind, field, days):
    # DOMAIN §3.8: these periods run from the addressee's receipt, unknown when the letter is
    # issued: the samples carry no end date and the letter words the period as the law does.
    context = sample_context(kind)
    n = days if isinstance(days, int) else getattr(context, days)
    assert getattr(context, field) is None
    text = build_letter(kind, context).plain_text()
    assert f"{n}个工作日内" in text and "自收到本" in text


def test_abandonment_lapses_after_the_correction_period(calendar):
    # Art. 30: the correction period of the notice (15 working days) has run out.
    context = sample_context("abandoned_notice")
    correction = sample_context("correction_notice")
    assert context.notice_date == correction.issue_date
    assert context.lapsed_deadline == calendar.add_working_days(
        context.notice_date, correction.period_days
    )


def test_review_report_counts_add_up():
    # DOMAIN §4.3 step 4: reviewed = kept + changed; collected = reviewed + withdrawn; every
    # table sums to its total.
    r = sample_context("review_report")
    assert r.reviewed == r.kept + r.changed
    assert r.total == r.reviewed + r.withdrawn
    assert r.changed == r.to_proactive + r.to_on_request + r.to_withheld
    assert sum(row.kept for row in r.by_reason) == r.kept
    assert sum(row.changed for row in r.by_reason) == r.changed
    for name in ("reviewed", "kept", "changed", "withdrawn"):
        assert sum(getattr(row, name) for row in r.by_unit) == getattr(r, name), name
    assert r.flagged <= r.total
    assert all(row.count <= r.flagged for row in r.signals)


def test_list_of_changes_matches_the_review_report():
    # The public list of changes (DOMAIN §4.3 step 4) is the report's changed documents.
    report = sample_context("review_report")
    changes = sample_context("review_changes")
    assert changes.year == report.year
    assert len(changes.rows) == report.changed
    to = Counter(row.to_attribute for row in changes.rows)
    assert to == Counter(
        {"proactive": report.to_proactive, "on_request": report.to_on_request}
        | ({"withheld": report.to_withheld} if report.to_withheld else {})
    )
    by_reason = Counter(row.reason for row in changes.rows)
    assert by_reason == Counter({row.label: row.changed for row in report.by_reason if row.changed})
    by_unit = Counter(row.unit for row in changes.rows)
    assert by_unit == Counter({row.unit: row.changed for row in report.by_unit if row.changed})
    assert all(report.opened_on <= row.decided_on <= report.closed_on for row in changes.rows)
