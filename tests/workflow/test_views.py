"""The deadline calculator page (期限计算器) and the admin of calendar adjustments."""

import pytest
from django.urls import reverse

from tests.conftest import d
from workflow.models import AuditEvent, CalendarAdjustment

pytestmark = pytest.mark.django_db
URL = "/tools/deadline/"


def calculate(client, **params):
    query = {
        "receipt_date": "",
        "today": "2026-03-30",
        "pause-TOTAL_FORMS": "3",
        "pause-INITIAL_FORMS": "0",
    }
    query.update(params)
    return client.get(URL, query)


def test_calculator_requires_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_calculator_is_in_the_site_menu(client, handler):
    client.force_login(handler)
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "期限计算器" in html
    assert 'name="receipt_date"' in html


def test_calculator_gives_due_date_days_left_and_explanation(client, handler):
    client.force_login(handler)
    response = calculate(
        client,
        receipt_date="2026-03-02",
        **{
            "pause-0-reason": "third_party",
            "pause-0-start": "2026-03-10",
            "pause-0-end": "2026-03-24",
            "extension_date": "2026-03-25",
            "extension_days": "20",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "答复期限：2026年5月14日" in html
    assert "已用 10 个工作日" in html
    assert "2026年3月10日至2026年3月24日征求第三方意见" in html
    assert "《条例》第三十三条第三款" in html
    # Every date is explained: the holidays met on the way are listed with their notice.
    assert "清明节放假（国务院办公厅关于2026年部分节假日安排的通知）" in html
    assert "劳动节调休上班" in html


def test_calculator_warns_about_a_provisional_year(client, handler):
    client.force_login(handler)
    html = calculate(client, receipt_date="2026-12-14", today="2026-12-14").content.decode()
    assert "答复期限：2027年1月12日（暂定）" in html
    assert "2027年的国务院节假日安排尚未发布" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"receipt_date": "2026-02-30"}, "收到申请之日：请输入有效的日期"),
        ({"receipt_date": ""}, "收到申请之日：请填写这个日期"),
        (
            {"receipt_date": "2026-03-02", "extension_date": "2026-03-05"},
            "延期需要同时填写告知日期和延长的工作日数",
        ),
        (
            {"receipt_date": "2026-03-02", "extension_date": "2026-03-05", "extension_days": "30"},
            "最长不得超过20个工作日",
        ),
        (
            {
                "receipt_date": "2026-03-02",
                "extension_date": "2026-04-20",
                "extension_days": "5",
                "today": "2026-04-30",
            },
            "不能再延期",
        ),
        (
            {"receipt_date": "2026-03-02", "pause-0-start": "2026-03-10"},
            "请选择暂停原因",
        ),
        (
            {
                "receipt_date": "2026-03-02",
                "pause-0-reason": "fee",
                "pause-0-start": "2026-03-10",
                "pause-0-end": "2026-03-05",
            },
            "恢复计时日期不能早于暂停开始日期",
        ),
        ({"receipt_date": "2026-04-02", "today": "2026-03-30"}, "晚于今天"),
        ({"receipt_date": "1999-01-04", "today": "1999-02-01"}, "超出工作日历的范围"),
    ],
)
def test_bad_input_gets_a_clear_chinese_message(client, handler, params, message):
    client.force_login(handler)
    response = calculate(client, **params)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'id="result"' not in html


def test_calculator_uses_the_chosen_agencys_local_days(client, handler, agency, admin_user):
    from workflow.services import calendar_adjustment_save

    calendar_adjustment_save(
        actor=admin_user, day=d("2026-03-04"), kind="off", reason="本地纪念日", agency=agency
    )
    client.force_login(handler)
    national = calculate(client, receipt_date="2026-03-02", today="2026-03-02").content.decode()
    local = calculate(
        client, receipt_date="2026-03-02", today="2026-03-02", agency=str(agency.pk)
    ).content.decode()
    assert "答复期限：2026年3月30日" in national
    assert "答复期限：2026年3月31日" in local
    assert "本机关调整：本地纪念日" in local


def test_calculator_refuses_an_agency_the_user_does_not_belong_to(client, outsider, agency):
    client.force_login(outsider)
    html = calculate(client, receipt_date="2026-03-02", agency=str(agency.pk)).content.decode()
    assert 'id="result"' not in html
    assert "按哪个机关的日历计算" in html


def test_admin_adds_an_adjustment_through_the_service(client, admin_user, agency):
    client.force_login(admin_user)
    url = reverse("admin:workflow_calendaradjustment_add")
    response = client.post(
        url, {"agency": agency.pk, "day": "2026-03-04", "kind": "off", "reason": "本地纪念日"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    adjustment = CalendarAdjustment.objects.get()
    assert adjustment.created_by == admin_user
    assert AuditEvent.objects.filter(action="calendar_adjustment_saved", actor=admin_user).exists()


def test_admin_rejects_a_duplicate_day_on_the_form(client, admin_user, agency):
    client.force_login(admin_user)
    url = reverse("admin:workflow_calendaradjustment_add")
    data = {"agency": agency.pk, "day": "2026-03-04", "kind": "off", "reason": "a"}
    client.post(url, data)
    response = client.post(url, data | {"reason": "b"})
    assert response.status_code == 200
    assert "该机关在这一天已有调整记录" in response.content.decode()
    assert CalendarAdjustment.objects.count() == 1


def test_only_administrators_reach_the_calendar_admin(client, handler):
    client.force_login(handler)
    response = client.get(reverse("admin:workflow_calendaradjustment_changelist"))
    assert response.status_code == 302  # to the admin login: handlers are not staff


def test_login_page_is_chinese_and_names_the_platform(client):
    html = client.get("/accounts/login/").content.decode()
    assert "<title>登录 - 公开 · 政府信息公开工作平台</title>" in html
    assert "公开 · 政府信息公开工作平台" in html
    assert "用户名" in html and "密码" in html
    assert "Demo" not in html and "Django Material" not in html


def test_site_frame_is_chinese(client, handler):
    client.force_login(handler)
    html = client.get(URL).content.decode()
    assert "退出登录" in html
    assert "Log out" not in html


def test_every_frame_links_the_platforms_icon(client, handler, admin_user):
    # Without a linked icon a browser asks for /favicon.ico on every page, a 404 in the log.
    from django.contrib.staticfiles import finders
    from django.templatetags.static import static

    icon = f'<link rel="icon" href="{static("workflow/favicon.svg")}" type="image/svg+xml">'
    assert finders.find("workflow/favicon.svg")
    assert icon in client.get("/accounts/login/").content.decode()  # the lock screen
    assert icon in client.get("/public/").content.decode()  # the public side
    client.force_login(handler)
    html = client.get(URL).content.decode()  # the staff frame
    assert html.count('rel="icon"') == 1 and icon in html
    client.force_login(admin_user)
    html = client.get(reverse("admin:workflow_calendaradjustment_changelist")).content.decode()
    assert icon in html  # the admin
