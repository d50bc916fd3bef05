"""manage.py import_holidays: a year file or the pasted notice text, shown, confirmed, loaded."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import d
from workflow.calendar import get_calendar
from workflow.models import AuditEvent, HolidaySchedule

pytestmark = pytest.mark.django_db

# A made-up 2027 notice in the pattern of the real ones (the real one is not published yet).
NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
国办发明电〔2026〕99号

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院批准，现将2027年元旦、春节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至12日（农历正月初七、周五）放假调休，共8天。1月30日（周六）、2月20日（周六）上班。

国务院办公厅
2026年11月20日
"""


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_holidays", *args, stdout=out)
    return out.getvalue()


def test_pasted_notice_text_is_parsed_shown_and_loaded(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text(NOTICE_2027, encoding="utf-8")
    assert get_calendar(None).is_provisional(d("2027-02-09"))

    output = run(str(path), "--yes")

    assert "通知：国务院办公厅关于2027年部分节假日安排的通知" in output
    assert "文号：国办发明电〔2026〕99号" in output
    assert "春节：放假 2027年2月5日（周五）至2027年2月12日（周五）（8天）" in output
    assert "调休上班 2027年1月30日（周六）、2027年2月20日（周六）" in output
    assert "2027年目前按暂定日历计算" in output
    assert "2027年1月30日改为工作日" in output
    assert "已导入2027年节假日安排" in output
    cal = get_calendar(None)
    assert not cal.is_provisional(d("2027-02-09"))
    assert not cal.is_working_day(d("2027-02-09"))
    assert cal.is_working_day(d("2027-02-20"))
    row = HolidaySchedule.objects.get(year=2027)
    assert row.source_text == NOTICE_2027
    assert AuditEvent.objects.filter(action="holiday_schedule_imported").count() == 1


def test_year_file_can_be_imported_and_replaces_the_bundled_year(tmp_path, settings):
    source = Path(settings.HOLIDAYS_DIR) / "2026.toml"
    output = run(str(source), "--yes")
    assert "2026年已有官方安排，导入将替换它" in output
    assert "与现行日历相比没有变化" in output
    assert HolidaySchedule.objects.filter(year=2026).exists()


def test_without_yes_and_without_a_terminal_nothing_is_loaded(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text(NOTICE_2027, encoding="utf-8")
    with pytest.raises(CommandError, match="需要确认"):
        run(str(path))
    assert not HolidaySchedule.objects.exists()


def test_confirmation_no_loads_nothing(tmp_path, monkeypatch):
    path = tmp_path / "notice.txt"
    path.write_text(NOTICE_2027, encoding="utf-8")
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert "未导入" in run(str(path))
    assert not HolidaySchedule.objects.exists()


def test_unparseable_text_is_refused_with_the_reason(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text(
        "国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：随便放几天。\n", encoding="utf-8"
    )
    with pytest.raises(CommandError, match="无法解析"):
        run(str(path), "--yes")
    assert not HolidaySchedule.objects.exists()


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        run(str(tmp_path / "nope.txt"), "--yes")


# -- the same in the admin, for administrators who do not use a terminal ----------------------

IMPORT_URL = "/admin/workflow/holidayschedule/import/"


def test_admin_pastes_the_notice_previews_and_confirms(client, superuser):
    # The State Council calendar is the whole installation's: a superuser imports it.
    client.force_login(superuser)
    changelist = client.get("/admin/workflow/holidayschedule/").content.decode()
    assert "导入节假日通知" in changelist

    preview = client.post(IMPORT_URL, {"text": NOTICE_2027}).content.decode()
    assert "请核对解析结果" in preview
    assert "文号：国办发明电〔2026〕99号" in preview
    assert "2027年1月30日改为工作日" in preview
    assert not HolidaySchedule.objects.exists()  # nothing saved before confirmation

    done = client.post(IMPORT_URL, {"text": NOTICE_2027, "confirm": "yes"})
    assert done.status_code == 302
    assert HolidaySchedule.objects.get(year=2027).imported_by == superuser
    assert AuditEvent.objects.get(action="holiday_schedule_imported").actor == superuser


def test_admin_import_explains_what_could_not_be_parsed(client, superuser):
    client.force_login(superuser)
    page = client.post(IMPORT_URL, {"text": "一、元旦：随便放几天。", "year": "2027"})
    assert page.status_code == 200
    assert "无法解析" in page.content.decode()
    assert not HolidaySchedule.objects.exists()


def test_import_page_is_refused_without_the_permission(client, handler):
    handler.is_staff = True
    handler.save()
    client.force_login(handler)
    assert client.get(IMPORT_URL).status_code == 403
