"""Letters of the attributes side, built from the records and rendered by the letter engine:

- the yearly review report (``review_report``) and the public list of changes
  (``review_changes``, also as CSV) from the figures stored when the review closed (DOMAIN §4.3);
- the determination letter (公函, ``attribute_letter``) of a drafting unit (DOMAIN §4.4).
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from attributes_app import rules
from attributes_app.letter_contexts import (
    AttributeLetterContext,
    ReviewChangeRow,
    ReviewChangesContext,
    ReviewReasonRow,
    ReviewReportContext,
    ReviewUnitRow,
    ShareYearRow,
    SignalRow,
)
from attributes_app.models import AttributeReview, Determination, DraftingUnit
from attributes_app.selectors import ReviewReport, report_of
from workflow.letters.contexts import AgencyInfo, CaseNumber
from workflow.models import Agency
from workflow.spreadsheets import csv_bytes


def _closed(review: AttributeReview) -> ReviewReport:
    if review.status != AttributeReview.Status.CLOSED or not review.report:
        raise ValidationError(
            f"{review.year}年度复核尚未结束；结束复核后才能出具复核报告和公开属性调整目录。"
        )
    return report_of(review)


def _local_date(value) -> date | None:
    return timezone.localtime(value).date() if value else None


def review_report_context(review: AttributeReview, *, addressee: str = "") -> ReviewReportContext:
    """The report letter of a closed review, from the figures stored when it closed."""
    report = _closed(review)
    return ReviewReportContext(
        agency=AgencyInfo.from_agency(review.agency),
        issue_date=_local_date(review.closed_at),
        addressee=addressee,
        year=review.year,
        opened_on=_local_date(review.opened_at),
        closed_on=_local_date(review.closed_at),
        total=report.total,
        flagged=report.flagged,
        reviewed=report.reviewed,
        kept=report.kept,
        changed=report.changed,
        withdrawn=report.withdrawn,
        to_proactive=report.changed_to.get(rules.PROACTIVE, 0),
        to_on_request=report.changed_to.get(rules.ON_REQUEST, 0),
        to_withheld=report.changed_to.get(rules.WITHHELD, 0),
        signals=[
            SignalRow(label=label, count=report.signals[code])
            for code, label in rules.SIGNAL_LABELS.items()
            if report.signals.get(code)
        ],
        by_reason=[
            ReviewReasonRow(label=row.label, kept=row.kept, changed=row.changed)
            for row in report.by_reason
        ],
        by_unit=[
            ReviewUnitRow(
                unit=row.unit,
                reviewed=row.reviewed,
                kept=row.kept,
                changed=row.changed,
                withdrawn=row.withdrawn,
            )
            for row in report.by_unit
        ],
        share_by_year=[
            ShareYearRow(year=row.year, total=row.total, non_proactive=row.non_proactive)
            for row in report.share_by_year
        ],
    )


def _change_rows(report: ReviewReport) -> list[ReviewChangeRow]:
    # The public list gives the reason's category, not the officers' own words: those are
    # internal working notes (they stay in the review's records).
    return [
        ReviewChangeRow(
            title=row.title,
            number=row.number,
            unit=row.unit,
            from_attribute=row.from_attribute,
            to_attribute=row.to_attribute,
            reason=rules.REVIEW_REASONS.get(row.reason_code, ""),
            decided_on=date.fromisoformat(row.decided_on) if row.decided_on else None,
        )
        for row in report.changes
    ]


def review_changes_context(review: AttributeReview) -> ReviewChangesContext:
    """The public list of changes (公开属性调整目录) of a closed review."""
    report = _closed(review)
    return ReviewChangesContext(
        agency=AgencyInfo.from_agency(review.agency),
        issue_date=_local_date(review.closed_at),
        year=review.year,
        rows=_change_rows(report),
    )


CSV_COLUMNS = [
    "序号",
    "文件标题",
    "文号",
    "起草单位",
    "原公开属性",
    "调整后的公开属性",
    "调整理由",
    "调整日期",
]


def review_changes_csv(review: AttributeReview) -> bytes:
    """The public list of changes as CSV (UTF-8 with BOM, so spreadsheet programs read it);
    titles and reasons reach the spreadsheet as text, never as formulas."""
    return csv_bytes(
        CSV_COLUMNS,
        (
            [
                index,
                row.title,
                row.number,
                row.unit,
                row.from_label,
                row.to_label,
                row.reason,
                row.decided_on.isoformat() if row.decided_on else "",
            ]
            for index, row in enumerate(_change_rows(_closed(review)), 1)
        ),
    )


# -- the determination letter (公函, DOMAIN §4.4) ------------------------------------------------


def issuer_name(agency: Agency, unit: DraftingUnit) -> str:
    """The name the letter goes out under: the drafting unit, named in full.

    A unit named as an organ of its own (孝义市自然资源局, drafting for the government) keeps its
    name; an internal office (综合科) is named after its agency (孝义市人民政府办公室综合科).
    """
    name = unit.name.strip()
    if name.startswith(agency.name) or _ORGAN.fullmatch(name):
        return name
    return f"{agency.name}{name}"


_ORGAN = re.compile(r".+?[省市县区州旗盟].*(局|委员会|委|厅|办公室|政府|中心|院|办)")


def letter_number_prefix(agency: Agency) -> str:
    """The 代字 of the agency's determination letters: 孝义市政府办属性函〔2026〕3号."""
    return f"{agency.short_name or agency.name}属性函"


def determination_letter_context(
    determination: Determination, *, year: int, sequence: int, actor=None
) -> AttributeLetterContext:
    """The 公函 of ``determination`` to the agency's disclosure office, numbered ``sequence``
    of ``year``. Issued in the drafting unit's name, addressed to the office (``office_name``)."""
    document = determination.document
    agency = document.agency
    contact = (actor.get_full_name() or actor.get_username()) if actor is not None else ""
    info = AgencyInfo.from_agency(agency, contact_person=contact)
    info.name = issuer_name(agency, document.drafting_unit)
    # The office's telephone would direct questions to the addressee, not to the unit.
    info.phone = ""
    request = determination.request
    return AttributeLetterContext(
        agency=info,
        issue_date=determination.decided_on,
        letter_number=CaseNumber(prefix=letter_number_prefix(agency), year=year, sequence=sequence),
        disclosure_office=agency.office_name,
        document_title=document.title,
        document_number=document.number,
        document_date=document.formed_on or document.issued_on,
        attribute=determination.attribute,
        reasons=determination.reasons,
        legal_basis=rules.legal_basis(determination.ground, determination.law)
        if determination.attribute in rules.NON_PROACTIVE
        else "",
        request_number=request.case_number if request is not None else "",
    )


__all__ = [
    "CSV_COLUMNS",
    "determination_letter_context",
    "issuer_name",
    "letter_number_prefix",
    "review_changes_context",
    "review_changes_csv",
    "review_report_context",
]
