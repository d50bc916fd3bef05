"""Drafts, checks and publishing of the annual report (docs/annual-report.md, "Publishing")."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from requests_app.annual_report.checks import (
    CARRYOVER,
    FIGURES,
    GENERAL_NOTE,
    carryover_difference,
)
from requests_app.annual_report.counting import build_report
from requests_app.annual_report.diff import changes_since_published, report_diff
from requests_app.annual_report.store import published_data
from requests_app.models import AnnualReport, InformationRequest
from requests_app.services import figure_set, report_draft, report_publish, report_save
from tests.requests_app.annual_report.factories import make_request
from workflow.errors import NotAllowed, Stale
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db
Y = 2025
TODAY = date(2026, 1, 20)


def d(text: str) -> date:
    return date.fromisoformat(text)


def enter_figures(actor, agency, year=Y):
    for field, value in (("licensing", 12), ("penalty", 3), ("coercion", 0), ("fees", "1.25")):
        figure_set(
            actor=actor,
            agency=agency,
            year=year,
            field=field,
            value=value,
            source="业务系统统计",
            today=TODAY,
        )


def ready_draft(office_head, agency, year=Y):
    """A draft that passes every check: figures entered, the carry-over explained."""
    enter_figures(office_head, agency, year)
    draft = report_draft(actor=office_head, agency=agency, year=year, today=TODAY)
    texts = dict(draft.texts)
    texts["一"] = texts["一"].replace("（四）政府信息管理、平台建设和监督保障：（请填写）", "")
    texts["五"] = "个别答复说理不够充分，已组织培训。"
    return report_save(
        actor=office_head,
        report_id=draft.pk,
        texts=texts,
        carryover_notes={GENERAL_NOTE: "上年度报告在本系统外发布，结转下年度0件，与本年一致。"},
    )


def test_a_draft_is_prefilled_with_sentences_whose_numbers_are_the_tables(
    agency, office_head, registrar
):
    make_request(
        agency, registrar, received=d("2025-03-01"), concluded=d("2025-03-20"), outcome="disclosed"
    )
    make_request(agency, registrar, received=d("2025-12-20"))
    draft = report_draft(actor=office_head, agency=agency, year=Y, today=TODAY)
    assert draft.version == 1 and draft.status == "draft"
    assert "本年新收政府信息公开申请2件" in draft.text_overview
    assert "予以公开1件" in draft.text_overview
    assert "结转下年度继续办理1件" in draft.text_overview
    assert "收取信息处理费0件" in draft.text_other
    assert report_draft(actor=office_head, agency=agency, year=Y, today=TODAY) == draft


def test_publishing_freezes_the_numbers_and_later_changes_do_not_change_them(
    agency, office_head, registrar
):
    case = make_request(
        agency, registrar, received=d("2025-03-01"), concluded=d("2025-03-20"), outcome="disclosed"
    )
    draft = ready_draft(office_head, agency)
    published = report_publish(actor=office_head, report_id=draft.pk)
    assert published.status == "published" and published.published_by == office_head
    frozen = published_data(published)
    assert frozen.table3["三（一）"][6].value == 1
    assert frozen.table3["三（一）"][6].ids == (case.pk,)
    assert frozen.texts["五"] == "个别答复说理不够充分，已组织培训。"
    assert published.summary["table3"]["rows"][0]["values"][6] == 1
    # The records change after publishing: the published report does not.
    InformationRequest.objects.filter(pk=case.pk).update(outcome="partly_disclosed")
    make_request(agency, registrar, received=d("2025-05-01"))
    again = AnnualReport.objects.get(pk=published.pk)
    assert published_data(again).table3["三（一）"][6].value == 1
    assert published_data(again).table3["一"][6].value == 1
    event = AuditEvent.objects.get(action="report_published")
    assert (event.from_state, event.to_state, event.actor) == ("draft", "published", office_head)


def test_a_published_version_cannot_be_edited_and_a_correction_is_a_new_version(
    agency, office_head, registrar
):
    make_request(
        agency, registrar, received=d("2025-03-01"), concluded=d("2025-03-20"), outcome="disclosed"
    )
    first = report_publish(actor=office_head, report_id=ready_draft(office_head, agency).pk)
    with pytest.raises(Stale, match="不能再修改"):
        report_save(actor=office_head, report_id=first.pk, texts={"五": "改"})
    late = make_request(
        agency, registrar, received=d("2025-06-01"), concluded=d("2025-06-10"), outcome="not_held"
    )
    second = report_draft(actor=office_head, agency=agency, year=Y, today=TODAY)
    assert second.version == 2
    assert second.texts == first.texts  # the correction starts from the published texts
    changes = report_diff(published_data(first), build_report(agency, Y, with_ids=True))
    assert changes_since_published(agency, Y) == changes
    changed = {(c.table, c.key, c.column): (c.old, c.new) for c in changes}
    assert changed[("三", "一", 6)] == (1, 2)
    assert changed[("三", "三（四）1", 0)] == (0, 1)
    assert next(c for c in changes if c.key == "三（四）1" and c.column == 6).added == (late.pk,)
    assert ("三", "三（一）", 6) not in changed
    # A correction needs its reason, and its texts must match the new numbers.
    with pytest.raises(ValidationError) as refused:
        report_publish(actor=office_head, report_id=second.pk)
    messages = " ".join(refused.value.messages)
    assert "更正理由" in messages
    assert "“新收政府信息公开申请1件”与表三第一项总计（2）不一致" in messages
    report_save(
        actor=office_head,
        report_id=second.pk,
        correction_reason="补录一件漏登的申请",
        texts={"一": "本年新收政府信息公开申请2件，本机关不掌握相关政府信息1件。"},
    )
    published = report_publish(actor=office_head, report_id=second.pk)
    assert published.version == 2
    assert [r.version for r in AnnualReport.objects.filter(agency=agency, year=Y)] == [1, 2]
    assert published_data(AnnualReport.objects.get(pk=first.pk)).table3["一"][6].value == 1


def test_a_report_whose_checks_fail_is_not_published(agency, office_head, registrar):
    draft = report_draft(actor=office_head, agency=agency, year=Y, today=TODAY)
    with pytest.raises(ValidationError) as refused:
        report_publish(actor=office_head, report_id=draft.pk)
    messages = refused.value.messages
    assert messages[0] == "年度报告不能发布："
    assert any(FIGURES in m for m in messages)
    assert any(CARRYOVER in m and "本系统中没有已发布的2024年度报告" in m for m in messages)
    assert any("（请填写" in m for m in messages)
    assert AnnualReport.objects.get(pk=draft.pk).status == "draft"


def test_this_years_carryover_is_checked_against_last_years_published_report_case_by_case(
    agency, office_head, registrar
):
    """Report Format, table 三, row 二 equals last year's published row 四, or each case that
    makes the difference is explained."""
    open_case = make_request(agency, registrar, received=d("2024-12-20"))
    report_publish(actor=office_head, report_id=ready_draft(office_head, agency, 2024).pk)
    assert next(c for c in build_report(agency, Y).checks if c.name == CARRYOVER).ok
    # A request of 2024 registered late: this year's 二 is now one more than last year's 四.
    late = make_request(agency, registrar, received=d("2024-12-28"))
    check = next(c for c in build_report(agency, Y).checks if c.name == CARRYOVER)
    assert not check.ok
    assert late.case_number in check.detail and open_case.case_number not in check.detail
    assert carryover_difference(agency, Y) == ([late.pk], [])
    draft = report_draft(actor=office_head, agency=agency, year=Y, today=TODAY)
    report_save(
        actor=office_head, report_id=draft.pk, carryover_notes={str(late.pk): "2025年1月补登"}
    )
    assert next(c for c in build_report(agency, Y).checks if c.name == CARRYOVER).ok


def test_only_the_office_head_publishes_and_staff_of_the_agency_edit(
    agency, office_head, handler, registrar, outsider
):
    draft = report_draft(actor=handler, agency=agency, year=Y, today=TODAY)
    report_save(actor=handler, report_id=draft.pk, texts={"五": "无"})
    with pytest.raises(NotAllowed, match="政务公开工作机构负责人"):
        report_publish(actor=handler, report_id=draft.pk)
    with pytest.raises(NotAllowed):
        report_save(actor=registrar, report_id=draft.pk, texts={"五": "无"})
    with pytest.raises(NotAllowed, match="其他机关"):
        report_save(actor=outsider, report_id=draft.pk, texts={"五": "无"})
    with pytest.raises(NotAllowed, match="其他机关"):
        figure_set(
            actor=outsider, agency=agency, year=Y, field="penalty", value=1, source="x", today=TODAY
        )


def test_texts_are_checked_for_nul_and_length(agency, office_head):
    draft = report_draft(actor=office_head, agency=agency, year=Y, today=TODAY)
    with pytest.raises(ValidationError) as refused:
        report_save(actor=office_head, report_id=draft.pk, texts={"五": "a\x00b"})
    assert "text_problems" in refused.value.message_dict
    with pytest.raises(ValidationError, match="不能超过20000个字"):
        report_save(actor=office_head, report_id=draft.pk, texts={"五": "字" * 20001})
    with pytest.raises(ValidationError, match="不是案件编号"):
        report_save(actor=office_head, report_id=draft.pk, carryover_notes={"<script>": "x"})
