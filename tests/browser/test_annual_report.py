"""The annual report in the browser (Art. 49–50; DOMAIN §6): the office head opens the report
for a year from the menu, sees a failing check on its cell, enters the missing figures and
explains the carry-over, publishes, and downloads the published version as DOCX."""

from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse
from docx import Document
from playwright.sync_api import expect

from requests_app.models import AnnualReport
from tests.browser.conftest import login
from tests.requests_app.annual_report.factories import make_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Y = 2025


@pytest.fixture
def cases(agency, registrar):
    return [
        make_request(
            agency,
            registrar,
            received=date(2025, 3, 2),
            concluded=date(2025, 3, 20),
            outcome="disclosed",
        ),
        make_request(agency, registrar, received=date(2025, 11, 3), org="business"),
    ]


def test_open_fix_a_failing_check_publish_and_download(
    page, live_server, agency, office_head, cases, shot
):
    login(page, live_server, "office_head")
    page.goto(f"{live_server.url}{reverse('requests:annual_report:index')}?year={Y}")
    page.click(f"#open-report-{agency.pk}")
    page.wait_for_selector("#report-head")
    assert f"{Y}年度政府信息公开工作年度报告" in page.inner_text("h1")
    shot("1-report")

    # A failing check: no 2024 report here to compare the carry-over with, figures missing.
    failing = page.locator("#checks .check-fail")
    assert failing.count() >= 2
    assert "本系统中没有已发布的2024年度报告" in page.inner_text("#checks")
    total_carried = page.locator("#ar-table-三 td.ar-bad").first
    expect(total_carried).to_be_visible()
    assert "上年结转" in page.inner_text("#cell-problems")
    assert page.locator("#publish-button").is_disabled()
    # The number's link lists the cases it counted.
    page.click("#ar-table-三 a[aria-label^='2，']")
    page.wait_for_selector("#cell-cases")
    assert cases[1].case_number in page.inner_text("#cell-cases")
    page.go_back()
    page.wait_for_selector("#figures-form")

    # Fix the data: the figures of table 二, with their source.
    for name, value, source in (
        ("licensing", "12", "政务服务系统统计"),
        ("penalty", "3", "行政执法系统统计"),
        ("coercion", "0", "行政执法系统统计"),
        ("fees", "1.5", "非税收入系统"),
    ):
        page.fill(f"#id_{name}", value)
        page.fill(f"#id_{name}_source", source)
    with page.expect_navigation():
        page.click("#save-figures")
    page.wait_for_selector("#entered-figures")
    assert "政务服务系统统计" in page.inner_text("#entered-figures")
    assert "“行政许可”尚未录入" not in page.inner_text("#checks")
    shot("2-figures")

    # Fix the explanation: why the carry-over cannot be compared; and write the parts of the
    # pre-filled texts still to be written.
    page.fill(
        "#id_carryover_note",
        "本机关2024年度报告未在本系统发布；该报告结转下年度继续办理0件，与本年上年结转一致。",
    )
    overview = page.input_value("#id_overview")
    assert "本年新收政府信息公开申请2件" in overview  # pre-filled from the numbers
    page.fill(
        "#id_overview",
        overview.replace("（请填写）", "本机关依托政府网站公开政府信息，监督保障制度健全。"),
    )
    page.fill("#id_problems", "依申请公开答复的说理还不够充分，下一年度将加强培训。")
    with page.expect_navigation():
        page.click("#save-texts")
    page.wait_for_selector("#report-head")
    assert page.locator("#checks .check-fail").count() == 0, page.inner_text("#checks")
    assert page.locator("#ar-table-三 td.ar-bad").count() == 0
    assert page.locator("#publish-button").is_enabled()
    shot("3-checks-pass")

    # Publish, then download the published version.
    with page.expect_navigation():
        page.click("#publish-button")
    page.wait_for_selector("#version-1-docx")
    report = AnnualReport.objects.get(agency=agency, year=Y)
    assert report.status == "published" and report.version == 1
    assert "已发布" in page.inner_text("#report-status")
    shot("4-published")
    with page.expect_download() as download:
        page.click("#version-1-docx")
    assert download.value.suggested_filename.endswith("（第1版）.docx")
    document = Document(Path(download.value.path()))
    lines = [p.text for p in document.paragraphs if p.text.strip()]
    assert lines[:2] == [agency.name, f"{Y}年度政府信息公开工作年度报告"]
    assert "（草稿，尚未发布）" not in lines
    table = document.tables[1]
    assert table.cell(0, 0).text.startswith("（本列数据的勾稽关系为")
    assert [table.cell(3, c).text for c in range(3, 10)] == ["1", "1", "0", "0", "0", "0", "2"]
