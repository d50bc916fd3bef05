"""The annual report's pages: an agency's report with its links, checks, forms, publishing,
versions and files; the list behind a number; the supervising government's overview; and who
sees what (another agency's id is a 404)."""

import re
from datetime import date
from io import BytesIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from requests_app.annual_report.output import Ref
from requests_app.models import AnnualReport, ReportFigure
from tests.conftest import _persona
from tests.requests_app.annual_report.factories import make_challenge, make_request
from workflow.models import Agency

pytestmark = pytest.mark.django_db
Y = 2025
# Before the deadline of the 2025 report (31 January 2026).
JANUARY = "2026-01-15 10:00 +0800"


@pytest.fixture(autouse=True)
def _in_january():
    with time_machine.travel(JANUARY, tick=False):
        yield


def url(agency, name="report", *args):
    return reverse(f"requests:annual_report:{name}", args=[agency.pk, Y, *args])


@pytest.fixture
def cases(agency, registrar):
    """Two requests received in 2025 (a person's, disclosed; a business's, still open) and a
    reconsideration of the first, upheld."""
    first = make_request(
        agency,
        registrar,
        received=date(2025, 3, 2),
        concluded=date(2025, 3, 20),
        outcome="disclosed",
    )
    first.applicant_name = "王晓明"
    first.save(update_fields=["applicant_name"])
    second = make_request(agency, registrar, received=date(2025, 12, 1), org="business")
    make_challenge(
        first,
        registrar,
        kind="reconsideration",
        filed=date(2025, 5, 6),
        result="upheld",
        concluded=date(2025, 7, 1),
    )
    return first, second


@pytest.fixture
def supervisor(django_user_model, agency):
    city = Agency.objects.create(name="吕梁市人民政府", code="lvliang")
    agency.parent = city
    agency.save()
    return _persona(django_user_model, "city_head", city, "office_head")


FIGURES = {
    "licensing": "12",
    "licensing_source": "政务服务系统统计",
    "penalty": "3",
    "penalty_source": "执法系统统计",
    "coercion": "0",
    "coercion_source": "执法系统统计",
    "fees": "1.25",
    "fees_source": "财政非税收入系统",
}


def _ready(client, agency):
    """Enter the figures and explain the carry-over (no 2024 report here)."""
    assert client.post(url(agency, "action", "figures"), FIGURES).status_code == 302
    response = client.post(
        url(agency, "action", "texts"),
        {
            "overview": "本年新收政府信息公开申请2件。",
            "problems": "无。",
            "other": "本年度未收取信息处理费。",
            "carryover_note": "本机关2024年度报告未在本系统发布，上年结转为0件，与该报告一致。",
        },
    )
    assert response.status_code == 302


def test_the_report_shows_the_tables_with_a_link_behind_every_count(
    client, office_head, cases, agency
):
    client.force_login(office_head)
    response = client.get(url(agency))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{agency.name}2025年度政府信息公开工作年度报告" in html
    assert "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）" in html
    link = url(agency, "cell", Ref("三", "一", 6).slug)
    assert f'href="{link}"' in html
    assert f'href="{url(agency, "cell", Ref("四", "", 0).slug)}"' in html
    # Entered figures of table 二 have no list behind them.
    assert url(agency, "cell", Ref("二", "行政许可", 0).slug) not in html
    # The deadline is explained.
    assert "2026年1月31日前" in html


def test_failing_checks_are_shown_on_their_cells_and_block_publishing(
    client, office_head, cases, agency
):
    client.force_login(office_head)
    html = client.get(url(agency)).content.decode()
    assert "✗ 未通过" in html
    assert 'class="number ar-bad"' in html  # row 二's total: no 2024 report to compare with
    assert f'id="cell-{Ref("三", "二", 6).slug}"' in html
    assert "本系统中没有已发布的2024年度报告" in html
    assert "“行政许可”尚未录入" in html
    assert 'id="publish-button" disabled' in html


def test_the_list_behind_a_number_names_the_cases(client, office_head, cases, agency):
    first, second = cases
    client.force_login(office_head)
    html = client.get(url(agency, "cell", Ref("三", "一", 6).slug)).content.decode()
    assert "这个数字是 <strong>2</strong>" in html
    for case in cases:
        assert reverse("requests:cases:detail", kwargs={"pk": case.pk}) in html
    html = client.get(url(agency, "cell", Ref("三", "一", 1).slug)).content.decode()
    assert second.case_number in html and first.case_number not in html
    html = client.get(url(agency, "cell", Ref("四", "", 0).slug)).content.decode()
    assert "行政复议" in html and first.case_number in html and "结果维持" in html


@pytest.mark.parametrize("ref", ["9-一-0", "3-五-0", "3-一-99", "x", "4-一-0"])
def test_an_unknown_number_is_404(client, office_head, agency, ref):
    client.force_login(office_head)
    assert client.get(url(agency, "cell", ref)).status_code == 404


def test_another_agencys_report_is_404(client, outsider, agency, cases):
    client.force_login(outsider)
    assert client.get(url(agency)).status_code == 404
    assert client.get(url(agency, "cell", Ref("三", "一", 6).slug)).status_code == 404
    assert client.get(url(agency, "download", "docx")).status_code == 404
    assert client.post(url(agency, "action", "figures"), FIGURES).status_code == 404
    assert not ReportFigure.objects.exists()


def test_a_bad_year_is_404(client, office_head, agency):
    client.force_login(office_head)
    for year in (1999, 2099):
        path = reverse("requests:annual_report:report", args=[agency.pk, year])
        assert client.get(path).status_code == 404


def test_the_figures_form_saves_with_sources_and_refuses_bad_input_in_chinese(
    client, office_head, agency
):
    client.force_login(office_head)
    bad = dict(FIGURES, licensing="-1", penalty="abc", coercion="1.5", fees_source="")
    response = client.post(url(agency, "action", "figures"), bad)
    assert response.status_code == 200
    html = response.content.decode()
    assert "行政许可不能是负数" in html
    assert "行政处罚应为数字" in html
    assert "行政强制是件数，应为整数" in html
    assert "请写明行政事业性收费的数据来源" in html
    assert not ReportFigure.objects.exists()
    response = client.post(url(agency, "action", "figures"), dict(FIGURES, penalty="a\x00"))
    assert response.status_code == 200 and not ReportFigure.objects.exists()
    assert client.post(url(agency, "action", "figures"), FIGURES).status_code == 302
    saved = {f.field: (f.value, f.source) for f in ReportFigure.objects.all()}
    assert saved["fees"][0] == pytest.approx(1.25) and saved["licensing"][1] == "政务服务系统统计"
    html = client.get(url(agency)).content.decode()
    assert "政务服务系统统计" in html and "“行政许可”尚未录入" not in html


def test_the_csv_import_saves_all_or_lists_every_problem(client, office_head, agency):
    client.force_login(office_head)
    bad = "年度,项目,数值,数据来源\n2025,行政许可,x,系统\n2025,其他,1,系统\n".encode()
    response = client.post(
        url(agency, "action", "import"), {"file": SimpleUploadedFile("f.csv", bad)}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "第2行" in html and "第3行" in html and not ReportFigure.objects.exists()
    good = "年度,项目,数值,数据来源\n2025,行政许可,7,审批系统\n2025,行政事业性收费,0.5,财政\n"
    response = client.post(
        url(agency, "action", "import"),
        {"file": SimpleUploadedFile("f.csv", good.encode("gb18030"))},
    )
    assert response.status_code == 302
    assert ReportFigure.objects.count() == 2


def test_texts_are_prefilled_and_saved_as_the_draft(client, office_head, cases, agency):
    client.force_login(office_head)
    html = client.get(url(agency)).content.decode()
    assert "本年新收政府信息公开申请2件" in html  # pre-filled from the numbers
    response = client.post(
        url(agency, "action", "texts"),
        {"overview": "<script>x</script>总体", "problems": "", "other": "", "carryover_note": ""},
    )
    assert response.status_code == 302
    draft = AnnualReport.objects.get()
    assert draft.status == "draft" and draft.text_overview == "<script>x</script>总体"
    html = client.get(url(agency)).content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;总体" in html


def test_the_office_head_publishes_then_the_version_and_its_files_are_listed(
    client, office_head, cases, agency, registrar
):
    client.force_login(office_head)
    _ready(client, agency)
    html = client.get(url(agency)).content.decode()
    assert 'id="publish-button" disabled' not in html, html.split('id="publish"')[1][:2000]
    response = client.post(url(agency, "action", "publish"), {})
    assert response.status_code == 302
    report = AnnualReport.objects.get()
    assert report.status == "published" and report.version == 1
    html = client.get(url(agency)).content.decode()
    assert "已发布" in html and 'id="version-1-docx"' in html
    # The version's file holds the frozen texts, without the draft mark.
    download = client.get(url(agency, "download", "docx") + "?version=1")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    text = [p.text for p in Document(BytesIO(download.content)).paragraphs]
    assert "本年新收政府信息公开申请2件。" in text and "（草稿，尚未发布）" not in text
    # A request registered later changes the live numbers, not the published version.
    make_request(agency, registrar, received=date(2025, 12, 30))
    html = client.get(url(agency)).content.decode()
    assert "表三 一、本年新收政府信息公开申请数量 总计：已发布2，现为3" in html
    frozen = client.get(url(agency) + "?version=1").content.decode()
    assert "第1版" in frozen and 'id="figures-form"' not in frozen


def test_a_handler_edits_but_may_not_publish(client, handler, cases, agency):
    client.force_login(handler)
    html = client.get(url(agency)).content.decode()
    assert 'id="texts-form"' in html and 'id="publish-button"' not in html
    assert "政务公开工作机构负责人" in html
    assert client.post(url(agency, "action", "publish"), {}).status_code == 403
    assert not AnnualReport.objects.filter(status="published").exists()


@pytest.mark.parametrize("fmt", ["docx", "pdf", "xlsx"])
def test_the_current_draft_downloads_in_every_format(client, office_head, cases, agency, fmt):
    client.force_login(office_head)
    response = client.get(url(agency, "download", fmt))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "sandbox"
    assert len(response.content) > 1000
    assert client.get(url(agency, "download", "odt")).status_code == 404


def test_a_supervisor_reads_the_report_without_forms_or_applicants(
    client, supervisor, cases, agency
):
    client.force_login(supervisor)
    html = client.get(url(agency)).content.decode()
    assert 'id="figures-form"' not in html and 'id="publish-button"' not in html
    assert "上级政府" in html
    first, _ = cases
    html = client.get(url(agency, "cell", Ref("三", "一", 6).slug)).content.decode()
    assert first.case_number in html
    assert reverse("requests:cases:detail", kwargs={"pk": first.pk}) not in html
    assert first.applicant_name not in html
    assert client.post(url(agency, "action", "texts"), {"overview": "x"}).status_code == 403


def test_the_overview_lists_each_agencys_status_totals_checks_and_their_sum(
    client, supervisor, cases, agency, office_head, django_user_model, registrar
):
    bureau = Agency.objects.create(name="孝义市教育局", code="edu", parent=agency.parent)
    make_request(bureau, registrar, received=date(2025, 6, 1))
    client.force_login(office_head)
    _ready(client, agency)
    assert client.post(url(agency, "action", "publish"), {}).status_code == 302
    overview = reverse("requests:annual_report:overview") + f"?year={Y}"
    with time_machine.travel("2026-02-10 10:00 +0800", tick=False):
        client.force_login(supervisor)
        html = client.get(overview).content.decode()
    assert "共2个机关：已发布1个，逾期（逾期发布或逾期未发布）1个，核对未通过1个。" in html
    row = html.split(f'id="overview-{bureau.pk}"')[1].split("</tr>")[0]
    assert "逾期未发布" in row and "已超过2026年1月31日的公布期限" in row
    row = html.split(f'id="overview-{agency.pk}"')[1].split("</tr>")[0]
    assert "已按时发布" in row and "于2026年1月15日首次发布" in row and "逾期" not in row
    assert "行政许可" not in row  # its figures were entered: that check passes
    # The sum of the tables: 2 + 1 requests received.
    sums = html.split("所属机关合计")[1]
    assert "（本列数据的勾稽关系为" in sums
    assert f'id="cell-{Ref("三", "一", 6).slug}">3</td>' in sums
    assert f'id="cell-{Ref("三", "一", 1).slug}">1</td>' in sums  # the business


def test_the_overview_is_refused_to_a_user_without_supervision_or_agency(client, django_user_model):
    client.force_login(_persona(django_user_model, "nobody", None, "handler"))
    assert client.get(reverse("requests:annual_report:overview")).status_code == 403
    assert client.get(reverse("requests:annual_report:index")).status_code == 403


def test_the_index_lists_the_users_agencies_with_their_status(client, office_head, agency):
    client.force_login(office_head)
    html = client.get(reverse("requests:annual_report:index")).content.decode()
    assert agency.name in html and "未编制" in html and "应于2026年1月31日前发布" in html


@pytest.mark.parametrize(
    ("now", "year"),
    [
        ("2026-01-15 10:00 +0800", 2025),
        ("2026-11-30 10:00 +0800", 2025),
        ("2026-12-01 09:00 +0800", 2026),
    ],
)
def test_the_index_opens_on_the_report_being_prepared(client, office_head, now, year):
    """In January last year's report is due; from 1 December, when the dashboard reminds of it,
    this year's is prepared."""
    with time_machine.travel(now, tick=False):
        client.force_login(office_head)
        html = client.get(reverse("requests:annual_report:index")).content.decode()
    assert f'<h1 class="vf-card__title">{year}年度政府信息公开工作年度报告</h1>' in html
    assert f"{year}年度报告的公布期限为{year + 1}年1月31日" in html


@pytest.fixture
def rules_issued():
    """A source of table 二 that counts two rules issued (register ids 11 and 12)."""
    from requests_app.annual_report.sources import (
        register_table2_source,
        unregister_table2_source,
    )
    from requests_app.annual_report.structure import Cell

    def source(agency_ids, year, with_ids):
        ids = (11, 12) if with_ids else ()
        row = [Cell(2, ids), Cell(0), Cell(2, ids)]
        return {agency: {"规章": row} for agency in agency_ids}

    register_table2_source(source)
    yield
    unregister_table2_source(source)


def test_table_two_documents_link_to_the_register_and_entered_figures_do_not(
    client, office_head, agency, rules_issued
):
    client.force_login(office_head)
    html = client.get(url(agency)).content.decode()
    issued = url(agency, "cell", Ref("二", "规章", 0).slug)
    assert f'href="{issued}"' in html
    html = client.get(issued).content.decode()
    assert "这个数字是 <strong>2</strong>" in html
    for pk in (11, 12):
        assert f'href="{reverse("attributes:documents:detail", args=[pk])}"' in html
    entered = url(agency, "cell", Ref("二", "行政许可", 0).slug)
    assert client.get(entered).status_code == 404


@pytest.mark.parametrize(
    "query", ["?version=abc", "?version=99999999999999999999", "?version=1", "?version=-1"]
)
def test_a_bad_or_unknown_version_is_404(client, office_head, agency, query):
    client.force_login(office_head)
    assert client.get(url(agency) + query).status_code == 404
    assert client.get(url(agency, "download", "pdf") + query).status_code == 404
    assert client.get(url(agency, "cell", Ref("三", "一", 6).slug) + query).status_code == 404


@pytest.mark.parametrize("year", ["abc", "99999999999999999999", "１２３４", "-2025"])
def test_a_bad_year_in_the_query_is_404(client, office_head, year):
    client.force_login(office_head)
    index = reverse("requests:annual_report:index")
    assert client.get(index, {"year": year}).status_code == 404


def test_huge_and_markup_figures_get_field_messages(client, office_head, agency):
    client.force_login(office_head)
    data = dict(FIGURES, licensing="9" * 40, fees="1e30", penalty_source="<b>x</b>" * 100)
    response = client.post(url(agency, "action", "figures"), data)
    assert response.status_code == 200
    html = response.content.decode()
    errors = re.findall(r'class="gk-error" role="alert">([^<]*)<', html)
    assert errors == [
        "行政许可（件）：行政许可不能超过30个字（现有40个）。",
        "行政处罚的数据来源：行政处罚的数据来源不能超过200个字（现有800个）。",
        "行政事业性收费（万元）：行政事业性收费（万元）数值过大，请核对单位是否为万元。",
    ]
    assert not ReportFigure.objects.exists()


def test_a_correction_is_published_as_a_new_version_with_its_reason(
    client, office_head, cases, agency, registrar
):
    client.force_login(office_head)
    _ready(client, agency)
    assert client.post(url(agency, "action", "publish"), {}).status_code == 302
    html = client.get(url(agency)).content.decode()
    assert "此后数字没有变化" in html and 'id="publish-button" disabled' in html
    assert 'id="download-published-docx"' in html
    # The carry-over note of the published version is offered again.
    assert "本机关2024年度报告未在本系统发布" in html
    make_request(agency, registrar, received=date(2025, 12, 30))
    html = client.get(url(agency)).content.decode()
    # The text quoting the old count blocks the correction until it is corrected too.
    assert "与表三第一项总计（3）不一致" in html and 'id="publish-button" disabled' in html
    texts = {
        "overview": "本年新收政府信息公开申请3件。",
        "problems": "无。",
        "other": "无。",
        "carryover_note": "本机关2024年度报告未在本系统发布，上年结转为0件。",
    }
    assert client.post(url(agency, "action", "texts"), texts).status_code == 302
    html = client.get(url(agency)).content.decode()
    assert 'id="publish-button" disabled' not in html and "更正理由" in html
    assert "“一、总体情况”的文字已改动" in html
    response = client.post(url(agency, "action", "publish"), {"correction_reason": ""})
    assert response.status_code == 200
    assert "请写明更正理由" in response.content.decode()
    response = client.post(
        url(agency, "action", "publish"), {"correction_reason": "漏计12月30日收到的申请"}
    )
    assert response.status_code == 302
    second = AnnualReport.objects.get(version=2)
    assert second.status == "published" and second.correction_reason == "漏计12月30日收到的申请"
    html = client.get(url(agency)).content.decode()
    assert "漏计12月30日收到的申请" in html and 'id="version-2-pdf"' in html


def test_the_anonymous_are_sent_to_the_login_page(client, agency):
    for path in (
        url(agency),
        url(agency, "download", "docx"),
        url(agency, "cell", Ref("三", "一", 6).slug),
        reverse("requests:annual_report:overview"),
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_menu_offers_the_annual_report_to_the_request_roles(client, office_head, agency):
    client.force_login(office_head)
    html = client.get(reverse("requests:cases:index")).content.decode()
    assert f'href="{reverse("requests:annual_report:index")}"' in html and "年度报告" in html


def test_a_change_of_cases_behind_the_same_number_is_said():
    from requests_app.annual_report.diff import CellChange
    from requests_app.views.annual_report import change_lines

    found = [
        CellChange("三", "一", 0, "表三 一、本年新收政府信息公开申请数量 自然人", 2, 2, (7,), (5,))
    ]
    assert change_lines(found) == [
        "表三 一、本年新收政府信息公开申请数量 自然人：已发布2，现为2（新计入1件，不再计入1件）"
    ]
    assert change_lines(None) == []
