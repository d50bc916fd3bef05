"""Table 二: the document register's rows and the figures the disclosure office enters
(Report Format, table 二; docs/annual-report.md, "Table 二")."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from attributes_app.models import Document
from requests_app.annual_report.counting import build_report
from requests_app.models import ReportFigure
from requests_app.services import figure_set, figures_import_csv
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db
Y = 2025
TODAY = date(2026, 1, 20)


def d(text: str) -> date:
    return date.fromisoformat(text)


def document(agency, user, kind, issued, validity="in_force", changed=None):
    unit = agency.drafting_units.first() or agency.drafting_units.create(name="综合科")
    return Document.objects.create(
        agency=agency,
        drafting_unit=unit,
        title="某某办法",
        kind=kind,
        issued_on=issued,
        validity=validity,
        validity_changed_on=changed,
        created_by=user,
        created_at=timezone.now(),
    )


def test_rules_and_normative_documents_issued_repealed_and_in_force(agency, office_head):
    """Report Format, table 二, 第二十条第（一）项: 本年制发件数, 本年废止件数, 现行有效件数."""
    a = document(agency, office_head, "rule", d("2025-04-01"))
    document(agency, office_head, "rule", d("2023-04-01"), "repealed", d("2025-06-30"))
    document(agency, office_head, "normative", d("2022-01-01"), "amended", d("2024-03-01"))
    document(agency, office_head, "normative", d("2021-01-01"), "expired", d("2024-12-31"))
    document(agency, office_head, "normative", d("2026-01-05"))  # next year
    document(agency, office_head, "policy", d("2025-04-01"))  # not an Art. 20(1) kind
    data = build_report(agency, Y)
    assert [c.value for c in data.table2["规章"]] == [1, 1, 1]
    assert [c.value for c in data.table2["行政规范性文件"]] == [0, 0, 1]
    assert build_report(agency, Y, with_ids=True).table2["规章"][0].ids == (a.pk,)


def test_entered_figures_fill_table_two_with_their_source(agency, handler):
    figure_set(
        actor=handler,
        agency=agency,
        year=Y,
        field="licensing",
        value="1,520",
        source="审批系统",
        today=TODAY,
    )
    figure_set(
        actor=handler,
        agency=agency,
        year=Y,
        field="fees",
        value="12.3400",
        source="财政非税系统",
        today=TODAY,
    )
    data = build_report(agency, Y)
    assert data.table2["行政许可"][0].value == 1520
    assert data.table2["行政事业性收费"][0].value == "12.34"
    assert data.table2["行政处罚"][0].value == 0
    check = next(c for c in data.checks if c.name.startswith("表二"))
    assert not check.ok and "行政处罚、行政强制" in check.detail
    figure_set(
        actor=handler,
        agency=agency,
        year=Y,
        field="licensing",
        value="1521",
        source="更正",
        today=TODAY,
    )
    event = AuditEvent.objects.filter(action="report_figure_entered").order_by("id").last()
    assert (event.from_state, event.to_state, event.reason) == ("1520", "1521", "更正")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("licensing", "1.5", "应为整数"),
        ("licensing", "-1", "不能是负数"),
        ("penalty", "abc<script>", "应为数字"),
        ("fees", "1.23456", "最多保留四位小数"),
        ("fees", "1e30", "数值过大"),
        ("coercion", "NaN", "不能是负数"),
    ],
)
def test_bad_figures_are_refused_in_chinese(agency, handler, field, value, message):
    with pytest.raises(ValidationError, match=message):
        figure_set(
            actor=handler, agency=agency, year=Y, field=field, value=value, source="x", today=TODAY
        )
    assert not ReportFigure.objects.exists()


def test_a_figure_needs_its_source_and_a_real_year(agency, handler):
    with pytest.raises(ValidationError, match="数据来源"):
        figure_set(
            actor=handler, agency=agency, year=Y, field="penalty", value=1, source=" ", today=TODAY
        )
    with pytest.raises(ValidationError, match="报告年度"):
        figure_set(
            actor=handler,
            agency=agency,
            year=2099,
            field="penalty",
            value=1,
            source="x",
            today=TODAY,
        )


def test_csv_import_reports_every_problem_by_row_and_saves_nothing_then(agency, handler):
    content = (
        "年度,项目,数值,数据来源\n"
        "2025,行政许可,1520,审批系统\n"
        "2025,行政审批,3,x\n"
        "2025,行政处罚,2.5,执法系统\n"
        "2025,行政许可,1,重复\n"
        "2025,行政强制,0,\n"
    ).encode()
    result = figures_import_csv(actor=handler, agency=agency, content=content, today=TODAY)
    assert result.saved == []
    assert [p.split("：")[0] for p in result.problems] == ["第3行", "第4行", "第5行", "第6行"]
    assert "行政审批" in result.problems[0]
    assert "与第2行重复" in result.problems[2]
    assert not ReportFigure.objects.exists()


def test_csv_import_saves_all_rows_when_all_are_right(agency, handler):
    content = (
        "\ufeff年度,项目,数值,数据来源\n2025,行政许可,1520,审批系统\n2025,行政事业性收费,3.5,财政\n"
    )
    result = figures_import_csv(
        actor=handler, agency=agency, content=content.encode("utf-8"), today=TODAY
    )
    assert result.problems == []
    saved = {f.field: f for f in ReportFigure.objects.filter(agency=agency, year=Y)}
    assert saved["licensing"].value == 1520 and saved["licensing"].source == "审批系统（CSV导入）"
    assert saved["fees"].value == 3.5
    assert AuditEvent.objects.filter(action="report_figures_imported").count() == 1
    gbk = "年度,项目,数值,数据来源\n2025,行政处罚,7,执法\n".encode("gb18030")
    assert figures_import_csv(actor=handler, agency=agency, content=gbk, today=TODAY).problems == []


def test_csv_import_refuses_a_wrong_header_or_nul(agency, handler):
    result = figures_import_csv(actor=handler, agency=agency, content=b"a,b\n1,2\n", today=TODAY)
    assert result.problems == ["第1行应为表头：年度,项目,数值,数据来源。"]
    result = figures_import_csv(actor=handler, agency=agency, content="年度\x00", today=TODAY)
    assert result.problems and result.problems[0].startswith("文件")
