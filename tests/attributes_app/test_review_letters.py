"""The yearly review's report and public list of changes, from the closing figures (DOMAIN §4.3)."""

import csv
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError

from attributes_app.letters import (
    CSV_COLUMNS,
    review_changes_context,
    review_changes_csv,
    review_report_context,
)
from attributes_app.models import AttributeReview, ReviewItem
from attributes_app.services import (
    ReviewDecision,
    ReviewProposal,
    review_close,
    review_decide,
    review_open,
    review_propose,
)
from tests.attributes_app.helpers import INTERNAL, issued
from tests.letters.helpers import docx_text, pdf_fonts, pdf_text, require_cjk_fonts, squash
from workflow.letters.render import build_letter, render_letter

pytestmark = pytest.mark.django_db

CHANGE_REASONS = "相关工作已经完成，不主动公开的理由已不存在（内部讨论意见，不对外）"


@pytest.fixture(autouse=True)
def _fonts_and_time():
    require_cjk_fonts()
    with time_machine.travel("2026-11-20 09:00 +0800", tick=False):
        yield


@pytest.fixture
def review(draft, drafter, unit_head, legal_reviewer, agency):
    """The 2026 review of two withheld documents: one kept, one changed to proactive."""
    kept = issued(
        draft(title="内部人事安排的通知", number="孝政办发〔2026〕3号"),
        drafter=drafter,
        head=unit_head,
        attribute="withheld",
        **INTERNAL,
    )
    changed = issued(
        draft(title="老旧小区改造项目推进情况的报告", number="孝政办发〔2026〕5号"),
        drafter=drafter,
        head=unit_head,
        attribute="withheld",
        **INTERNAL,
    )
    review = review_open(actor=legal_reviewer, agency=agency, year=2026)
    items = {item.document_id: item for item in ReviewItem.objects.filter(review=review)}
    review_propose(
        actor=drafter,
        item_id=items[kept.pk].pk,
        proposal=ReviewProposal(verdict="keep", reasons="理由仍然成立"),
    )
    review_propose(
        actor=drafter,
        item_id=items[changed.pk].pk,
        proposal=ReviewProposal(verdict="change", attribute="proactive", reasons="可以公开"),
    )
    review_decide(
        actor=legal_reviewer,
        item_id=items[kept.pk].pk,
        decision=ReviewDecision(
            verdict="keep", reason_code="reasons_stand", reasons="不主动公开的理由仍然成立"
        ),
    )
    review_decide(
        actor=legal_reviewer,
        item_id=items[changed.pk].pk,
        decision=ReviewDecision(
            verdict="change",
            attribute="proactive",
            reason_code="time_elapsed",
            reasons=CHANGE_REASONS,
        ),
    )
    return review


def closed(review, legal_reviewer) -> AttributeReview:
    with time_machine.travel("2026-12-01 10:00 +0800", tick=False):
        review_close(actor=legal_reviewer, review_id=review.pk)
    return AttributeReview.objects.get(pk=review.pk)


def test_the_report_states_the_closing_figures(review, legal_reviewer):
    # DOMAIN §4.3 step 4: reviewed, kept, changed, by reason and unit; the share by year.
    context = review_report_context(closed(review, legal_reviewer))
    assert context.missing() == []
    assert (context.total, context.reviewed, context.kept, context.changed) == (2, 2, 1, 1)
    assert context.to_proactive == 1
    assert [(r.label, r.kept, r.changed) for r in context.by_reason] == [
        ("时过境迁，不主动公开的理由已不存在", 0, 1),
        ("不主动公开的理由仍然成立", 1, 0),
    ]
    assert [(u.unit, u.reviewed, u.kept, u.changed) for u in context.by_unit] == [
        ("综合科", 2, 1, 1)
    ]
    (share,) = context.share_by_year
    assert (share.year, share.total, share.non_proactive, share.share_text) == (
        2026,
        2,
        1,
        "50.0%",
    )
    pdf = render_letter("review_report", context, "pdf")
    text = squash(pdf_text(pdf))
    for fact in (
        "关于2026年度公开属性复核情况的报告",
        "纳入复核的文件共2件",
        "维持原公开属性1件",
        "变更公开属性1件（变更为主动公开1件",
        "综合科",
        "50.0%",
        "2026年12月1日",
    ):
        assert fact in text, fact
    assert all(pdf_fonts(pdf).values())
    assert "变更公开属性1件" in squash(docx_text(render_letter("review_report", context, "docx")))


def test_the_public_list_gives_the_reason_category_not_the_internal_words(review, legal_reviewer):
    review = closed(review, legal_reviewer)
    context = review_changes_context(review)
    assert context.missing() == []
    (row,) = context.rows
    assert (row.title, row.number, row.from_label, row.to_label) == (
        "老旧小区改造项目推进情况的报告",
        "孝政办发〔2026〕5号",
        "不予公开",
        "主动公开",
    )
    letter = build_letter("review_changes", context)
    assert letter.head is None  # a list for the portal, not a letter
    words = squash(letter.plain_text())
    assert "时过境迁，不主动公开的理由已不存在" in words
    assert "内部讨论意见" not in words
    assert "《老旧小区改造项目推进情况的报告》（孝政办发〔2026〕5号）" in docx_text(
        render_letter("review_changes", context, "docx")
    )
    assert all(pdf_fonts(render_letter("review_changes", context, "pdf")).values())
    rows = list(csv.reader(io.StringIO(review_changes_csv(review).decode("utf-8-sig"))))
    assert rows[0] == CSV_COLUMNS
    assert rows[1] == [
        "1",
        "老旧小区改造项目推进情况的报告",
        "孝政办发〔2026〕5号",
        "综合科",
        "不予公开",
        "主动公开",
        "时过境迁，不主动公开的理由已不存在",
        "2026-11-20",
    ]


def test_no_report_before_the_review_is_closed(review):
    with pytest.raises(ValidationError, match="尚未结束"):
        review_report_context(review)
    with pytest.raises(ValidationError, match="尚未结束"):
        review_changes_csv(review)


def test_the_files_are_for_the_legal_and_disclosure_offices_of_the_agency(
    client, review, legal_reviewer, office_head, handler, outsider
):
    base = f"/attributes/review_files/{review.pk}"
    client.force_login(legal_reviewer)
    refused = client.get(f"{base}/report.pdf")
    assert refused.status_code == 409 and "尚未结束" in refused.content.decode()
    closed(review, legal_reviewer)
    for url, kind in (
        (f"{base}/report.pdf", "application/pdf"),
        (f"{base}/report.docx", "wordprocessingml"),
        (f"{base}/changes.pdf", "application/pdf"),
        (f"{base}/changes.csv", "text/csv"),
    ):
        response = client.get(url)
        assert response.status_code == 200 and kind in response["Content-Type"], url
    client.force_login(office_head)
    assert client.get(f"{base}/changes.docx").status_code == 200
    assert client.get(f"{base}/report.csv").status_code == 404
    client.force_login(handler)
    assert client.get(f"{base}/report.pdf").status_code == 403
    client.force_login(outsider)
    assert client.get(f"{base}/report.pdf").status_code == 404


def test_the_list_of_changes_csv_never_hands_a_formula_to_the_portal(
    client, draft, drafter, unit_head, legal_reviewer, agency, unit
):
    # Issue #10 point 4: the list is published; titles and numbers typed by drafters stay text.
    hostile = {
        '=HYPERLINK("http://x","y")': "+1",
        "-2+3": "@SUM(A1)",
        "@关于印发的通知": "-2",
    }
    documents = [
        issued(
            draft(title=title, number=number),
            drafter=drafter,
            head=unit_head,
            attribute="withheld",
            **INTERNAL,
        )
        for title, number in hostile.items()
    ]
    review = review_open(actor=legal_reviewer, agency=agency, year=2026)
    for item in ReviewItem.objects.filter(review=review, document__in=documents):
        review_propose(
            actor=drafter,
            item_id=item.pk,
            proposal=ReviewProposal(verdict="change", attribute="proactive", reasons="可以公开"),
        )
        review_decide(
            actor=legal_reviewer,
            item_id=item.pk,
            decision=ReviewDecision(
                verdict="change",
                attribute="proactive",
                reason_code="time_elapsed",
                reasons="=1+1",
            ),
        )
    review = closed(review, legal_reviewer)
    client.force_login(legal_reviewer)
    response = client.get(f"/attributes/review_files/{review.pk}/changes.csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))[1:]
    assert sorted((row[1], row[2]) for row in rows) == sorted(
        ("'" + title, "'" + number) for title, number in hostile.items()
    )
    for row in rows:
        assert row[0].isdigit()  # the row number stays a number
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)
