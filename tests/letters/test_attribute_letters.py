"""The letters of the attributes side: review report, list of changes, the Archives Law paragraph
(DOMAIN §4.3, §4.4)."""

from datetime import date

import pytest

from attributes_app.letter_contexts import ShareYearRow, share_trend
from requests_app.letter_contexts import ArchivedDocument, reply_sample
from workflow.letters.render import build_letter, sample_context

ARCHIVED = ArchivedDocument(
    title="关于城区土地征收补偿标准的通知",
    number="孝政发〔2005〕12号",
    transferred_on=date(2016, 5, 10),
    archive_name="孝义市档案馆",
)


@pytest.mark.parametrize("kind", ["reply", "reply_notice"])
def test_both_reply_layouts_carry_the_archives_law_paragraph(kind):
    context = reply_sample("not_our_agency", kind)
    context.archived = [ARCHIVED]
    text = build_letter(kind, context).plain_text()
    assert (
        "根据《中华人民共和国政府信息公开条例》第三十六条第（五）项的规定，现将有关情况告知如下。"
        in text
    )
    assert "已于2016年5月10日移交孝义市档案馆，本机关不再保存。" in text
    assert "请您依照《中华人民共和国档案法》的规定，向孝义市档案馆申请查阅利用。" in text


def test_the_paragraph_joins_any_outcome_and_names_each_archive_once():
    context = reply_sample("disclosed")
    context.archived = [
        ARCHIVED,
        ArchivedDocument(
            title="另一份文件", transferred_on=date(2017, 1, 3), archive_name="孝义市档案馆"
        ),
        ArchivedDocument(
            title="第三份文件", transferred_on=date(2018, 1, 3), archive_name="吕梁市档案馆"
        ),
    ]
    text = build_letter("reply", context).plain_text()
    assert "向孝义市档案馆、吕梁市档案馆申请查阅利用" in text
    assert "《另一份文件》已于2017年1月3日移交孝义市档案馆" in text
    assert "档案法" not in build_letter("reply", reply_sample("disclosed")).plain_text()


def test_a_transferred_document_without_date_or_archive_stops_the_letter():
    context = reply_sample("not_our_agency")
    context.archived = [ArchivedDocument(title="关于某事的通知")]
    assert context.missing() == ["已移交档案馆的文件1的移交日期", "已移交档案馆的文件1的档案馆"]


def test_the_report_needs_its_year_and_closing_date():
    context = sample_context("review_report", year=None, closed_on=None)
    assert context.missing() == ["复核年度", "复核结束日期"]
    changes = sample_context("review_changes")
    changes.rows[0].decided_on = None
    assert changes.missing() == ["第1件的调整日期"]


def test_the_share_trend_in_words():
    # Xiaoyi task 3: shrink the share of non-proactive documents year by year.
    rows = [ShareYearRow(year=2024, total=100, non_proactive=20)]
    assert share_trend(rows) == ""
    rows.append(ShareYearRow(year=2025, total=80, non_proactive=12))
    assert share_trend(rows) == "2025年比2024年下降5.0个百分点"
    rows.append(ShareYearRow(year=2026, total=0))
    assert (
        share_trend(rows) == "2025年比2024年下降5.0个百分点"
    )  # a year without documents is skipped
    rows.append(ShareYearRow(year=2027, total=50, non_proactive=10))
    assert share_trend(rows) == "2027年比2025年上升5.0个百分点"
