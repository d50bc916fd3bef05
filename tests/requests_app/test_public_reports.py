"""The published annual reports on the public side (Art. 49–50): the list, one version's page
with the tables of the 2021 format, its files; only published versions of this agency, and
nothing of what stands behind a number."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from docx import Document

from requests_app.annual_report.checks import GENERAL_NOTE
from requests_app.models import AnnualReport
from requests_app.services import figure_set, report_draft, report_publish, report_save
from tests.conftest import _persona
from tests.requests_app.annual_report.factories import make_request

pytestmark = pytest.mark.django_db
Y = 2025
TODAY = date(2026, 1, 20)


@pytest.fixture(autouse=True)
def _in_january():
    cache.clear()
    with time_machine.travel("2026-01-20 10:00 +0800", tick=False):
        yield
    cache.clear()


def publish(office_head, agency, *, reason: str = "", overview: str = ""):
    """Publish the agency's 2025 report through the services (the checks pass)."""
    for field, value in (("licensing", 12), ("penalty", 3), ("coercion", 0), ("fees", "1.25")):
        figure_set(
            actor=office_head,
            agency=agency,
            year=Y,
            field=field,
            value=value,
            source="业务系统统计",
            today=TODAY,
        )
    draft = report_draft(actor=office_head, agency=agency, year=Y, today=TODAY)
    texts = dict(draft.texts)
    texts["一"] = overview or texts["一"].replace(
        "（四）政府信息管理、平台建设和监督保障：（请填写）", ""
    )
    texts["五"] = "个别答复说理不够充分，已组织培训。"
    report_save(
        actor=office_head,
        report_id=draft.pk,
        texts=texts,
        carryover_notes={GENERAL_NOTE: "上年度报告在本系统外发布，结转下年度0件。"},
        correction_reason=reason or None,
    )
    return report_publish(actor=office_head, report_id=draft.pk)


@pytest.fixture
def cases(agency, registrar):
    first = make_request(
        agency,
        registrar,
        received=date(2025, 3, 2),
        concluded=date(2025, 3, 20),
        outcome="disclosed",
    )
    second = make_request(agency, registrar, received=date(2025, 12, 1), org="business")
    for case, name in ((first, "王晓明"), (second, "山西某某商贸有限公司")):
        case.applicant_name = name
        case.save(update_fields=["applicant_name"])
    return first, second


def page(agency, name="reports", *args):
    return reverse(f"public:{name}", kwargs={"agency_code": agency.code, **dict(args)})


def one(agency, year=Y, version=1):
    return page(agency, "report", ("year", year), ("version", version))


def file(agency, fmt, year=Y, version=1):
    return page(agency, "report_download", ("year", year), ("version", version), ("fmt", fmt))


def test_the_list_says_when_nothing_is_published(client, agency, office_head, cases):
    # A draft is never shown.
    report_draft(actor=office_head, agency=agency, year=Y, today=TODAY)
    html = client.get(page(agency)).content.decode()
    assert 'id="reports-none"' in html and f"{Y}年度报告" not in html
    assert client.get(one(agency)).status_code == 404
    assert client.get(file(agency, "pdf")).status_code == 404


def test_the_list_shows_each_published_version_and_marks_a_correction(
    client, agency, office_head, cases
):
    publish(office_head, agency)
    publish(office_head, agency, reason="更正表三中一件申请的办理结果")
    # The next draft is not listed.
    report_draft(actor=office_head, agency=agency, year=Y, today=TODAY)
    html = client.get(page(agency)).content.decode()
    assert 'id="report-2025-1"' in html and 'id="report-2025-2"' in html
    assert 'id="report-2025-3"' not in html
    assert "更正版" in html and "已由第2版更正" in html and "2026年1月20日" in html
    first = client.get(one(agency)).content.decode()
    assert 'id="report-superseded"' in first and one(agency, version=2) in first
    second = client.get(one(agency, version=2)).content.decode()
    assert "（更正版）" in second and 'id="report-superseded"' not in second
    assert client.get(one(agency, version=3)).status_code == 404


def test_a_report_page_shows_the_frozen_tables_and_texts_without_the_cases(
    client, agency, office_head, registrar, cases
):
    first, second = cases
    report = publish(office_head, agency, overview="本年度依法办理政府信息公开申请。")
    # The records change after publishing: the public page shows what was published.
    make_request(
        agency, registrar, received=date(2025, 6, 1), concluded=date(2025, 6, 9), outcome="not_held"
    )
    response = client.get(one(agency))
    assert response.status_code == 200
    html = response.content.decode()
    assert "2025年度政府信息公开工作年度报告" in html and "第1版" in html
    assert "本年度依法办理政府信息公开申请。" in html
    assert "三、收到和处理政府信息公开申请情况" in html and "（七）总计" in html
    assert "四、政府信息公开行政复议、行政诉讼情况" in html
    # Row 一 as published: a person and a business, 2 in all (the third case came later).
    row = html.split("一、本年新收政府信息公开申请数量</td>")[1].split("</tr>")[0]
    assert row == "".join(f'<td class="number">{n}</td>' for n in (1, 1, 0, 0, 0, 0, 2))
    assert report.snapshot  # the ids behind the numbers stay with the staff side
    # Nothing behind the numbers: no case numbers, no applicant, no staff link.
    for case in (first, second):
        assert case.case_number not in html and case.applicant_name not in html
    assert "/requests/" not in html and "cells/" not in html
    body = html.split('id="report-downloads"')[1].split("</p>", 1)[1].split("</article>")[0]
    assert "<a " not in body and "<table" in body
    assert office_head.username not in html


def test_another_agencys_year_and_version_are_404(
    client, django_user_model, agency, other_agency, office_head, cases
):
    publish(office_head, agency)
    assert client.get(one(other_agency)).status_code == 404
    assert client.get(file(other_agency, "pdf")).status_code == 404
    html = client.get(page(other_agency)).content.decode()
    assert 'id="reports-none"' in html
    # Their own published report does not show under ours either.
    head = _persona(django_user_model, "fy-head", other_agency, "office_head")
    theirs = publish(head, other_agency)
    assert theirs.version == 1
    listed = AnnualReport.objects.filter(status="published").count()
    assert listed == 2
    html = client.get(page(agency)).content.decode()
    assert html.count('id="report-2025-1"') == 1


@pytest.mark.parametrize(
    "path",
    [
        "/public/xiaoyi/reports/99999999999999999999999/1/",
        "/public/xiaoyi/reports/2025/99999999999999999999999/",
        "/public/xiaoyi/reports/2025/0/",
        "/public/xiaoyi/reports/abc/1/",
        "/public/xiaoyi/reports/2025/1/report.exe",
        "/public/nobody/reports/2025/1/",
        "/public/nobody/reports/",
    ],
)
def test_odd_addresses_are_404(client, agency, office_head, cases, path):
    publish(office_head, agency)
    assert client.get(path).status_code == 404


def test_the_files_are_the_published_version(client, agency, office_head, cases):
    publish(office_head, agency, overview="本年度依法办理政府信息公开申请。")
    response = client.get(file(agency, "docx"))
    assert response.status_code == 200
    assert response["Content-Security-Policy"]  # a file, sandboxed
    assert "%EF%BC%88%E7%AC%AC1%E7%89%88%EF%BC%89.docx" in response["Content-Disposition"]
    text = "\n".join(p.text for p in Document(BytesIO(response.content)).paragraphs)
    assert "本年度依法办理政府信息公开申请。" in text and "草稿" not in text
    pdf = client.get(file(agency, "pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_list_reads_no_frozen_data(
    client, agency, office_head, cases, django_assert_max_num_queries
):
    publish(office_head, agency)
    publish(office_head, agency, reason="更正")
    with django_assert_max_num_queries(4):
        response = client.get(page(agency))
    assert response.status_code == 200


def test_a_file_is_made_once_and_then_served_as_made(
    client, agency, office_head, cases, monkeypatch
):
    from requests_app.annual_report import output

    publish(office_head, agency)
    made = []
    real = output.render

    def counted(*args, **kwargs):
        made.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(output, "render", counted)
    first = client.get(file(agency, "xlsx"))
    second = client.get(file(agency, "xlsx"))
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and made == ["xlsx"]
