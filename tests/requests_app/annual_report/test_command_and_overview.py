"""manage.py annual_report (JSON), and a supervising government's overview."""

import json
from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from requests_app.annual_report.overview import build_overview
from requests_app.annual_report.structure import TABLE3_COLUMNS, TABLE3_ROWS
from requests_app.models import AnnualReport
from tests.requests_app.annual_report.factories import make_challenge, make_request

pytestmark = pytest.mark.django_db
Y = 2025


def d(text: str) -> date:
    return date.fromisoformat(text)


def run(*args) -> dict:
    out = StringIO()
    call_command("annual_report", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_json_has_the_issues_shape(agency, registrar):
    case = make_request(
        agency,
        registrar,
        received=d("2025-03-01"),
        org="legal_service",
        concluded=d("2025-03-10"),
        outcome="repeat",
    )
    make_challenge(case, registrar, kind="lawsuit_direct", filed=d("2025-05-01"))
    found = run("--agency", "xiaoyi", "--year", "2025", "--format", "json")
    assert found["table3"]["columns"] == list(TABLE3_COLUMNS)
    assert [row["label"] for row in found["table3"]["rows"]] == [s.label for s in TABLE3_ROWS]
    rows = {row["label"]: row["values"] for row in found["table3"]["rows"]}
    assert rows["一、本年新收政府信息公开申请数量"] == [0, 0, 0, 0, 1, 0, 1]
    assert rows["2.重复申请"] == [0, 0, 0, 0, 1, 0, 1]
    assert found["table4"] == [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    assert set(found["table2"]) == {
        "规章",
        "行政规范性文件",
        "行政许可",
        "行政处罚",
        "行政强制",
        "行政事业性收费",
    }
    assert {"name", "ok", "detail"} == set(found["checks"][0])


def test_the_command_writes_a_file_and_refuses_unknown_agencies_and_missing_outputs(
    agency, tmp_path
):
    target = tmp_path / "report.json"
    call_command(
        "annual_report",
        "--agency",
        "xiaoyi",
        "--year",
        "2025",
        "--out",
        str(target),
        stderr=StringIO(),
    )
    assert json.loads(target.read_text(encoding="utf-8"))["year"] == 2025
    with pytest.raises(CommandError, match="没有代码为"):
        call_command("annual_report", "--agency", "nowhere", "--year", "2025")
    with pytest.raises(CommandError, match="没有已发布的"):
        call_command("annual_report", "--agency", "xiaoyi", "--year", "2025", "--published")


def test_docx_pdf_xlsx_need_the_output_module(agency, monkeypatch):
    from requests_app.management.commands import annual_report as command

    monkeypatch.setattr(command, "OUTPUT_MODULE", "requests_app.annual_report.no_such_output")
    with pytest.raises(CommandError, match="DOCX"):
        call_command("annual_report", "--agency", "xiaoyi", "--year", "2025", "--format", "docx")


def test_the_overview_sums_the_agencies_and_tells_who_is_late(
    agency, other_agency, registrar, office_head, django_assert_max_num_queries
):
    make_request(agency, registrar, received=d("2025-03-01"))
    make_request(other_agency, registrar, received=d("2025-04-01"), org="business")
    tz = ZoneInfo("Asia/Shanghai")
    AnnualReport.objects.create(
        agency=other_agency,
        year=Y,
        version=1,
        status="published",
        created_by=office_head,
        created_at=datetime(2026, 2, 3, tzinfo=tz),
        published_at=datetime(2026, 2, 3, 9, tzinfo=tz),
    )
    # A constant number: the kept tallies' bookkeeping (tally_store) and the counts of the rest.
    with django_assert_max_num_queries(20):
        overview = build_overview([agency, other_agency], Y, today=d("2026-02-10"))
    assert [c.value for c in overview.total.table3["一"]] == [1, 1, 0, 0, 0, 0, 2]
    assert all(check.ok for check in overview.total.checks)
    ours, theirs = overview.agencies
    assert (ours.status, theirs.status) == ("逾期未发布", "逾期发布")
    assert theirs.version == 1 and theirs.first_published_on == d("2026-02-03")
    assert "表二：行政许可、行政处罚、行政强制和行政事业性收费的数字已录入" in ours.failing
    early = build_overview([agency], Y, today=d("2026-01-15"))
    assert early.agencies[0].status == "未发布"
