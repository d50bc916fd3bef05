"""The public calendar over the API (no token): working days from the bundled State Council
notices, the n-th working day after a date, and the clock of a list of events — the same answers
the engine gives the case pages and the deadline calculator, cacheable, and a 422 in Chinese for
hostile input, never a 500."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from requests_app.clock_sync import evaluate_case, events_of
from tests.conftest import d
from workflow.api.calendar import MAX_AGE, MAX_DAYS, MAX_EVENTS
from workflow.calendar import get_calendar
from workflow.services import calendar_adjustment_delete, calendar_adjustment_save

pytestmark = pytest.mark.django_db

DAY = "/api/v1/calendar/day/"
ADD = "/api/v1/calendar/add/"
CLOCK = "/api/v1/calendar/clock/"
NOTICE_2026 = "国务院办公厅关于2026年部分节假日安排的通知"
ANONYMOUS_THROTTLE_KEY = "gk-api-throttle-anon-127.0.0.1"


@pytest.fixture(autouse=True)
def _fresh_anonymous_allowance():
    """These tests call the calendar anonymously many times a minute: each starts with the
    address's allowance unused (the throttle itself is tested below)."""
    cache.delete(ANONYMOUS_THROTTLE_KEY)
    yield
    cache.delete(ANONYMOUS_THROTTLE_KEY)


def clock(caller, body, **extra):
    """POST a clock question the way an integrator would: JSON, no Idempotency-Key."""
    return caller.post(CLOCK, body, key=None, **extra)


def event(kind, on, **changes):
    return {"kind": kind, "on": on, **changes}


# -- is a day a working day ---------------------------------------------------------------------


def test_national_day_2026_is_a_statutory_holiday(anonymous):
    response = anonymous.get(DAY, {"date": "2026-10-01"})
    assert response.status_code == 200
    body = response.json()
    assert body["working"] is False
    assert body["reason"] == "holiday"
    assert body["festival"] == "国庆节"
    assert body["weekday"] == "周四"
    assert body["provisional"] is False
    assert body["note"] == f"国庆节放假（{NOTICE_2026}）"
    assert body["explanation"] == f"2026年10月1日（周四）休息：国庆节放假（{NOTICE_2026}）。"


def test_a_make_up_saturday_is_a_working_day(anonymous):
    # 2026 notice: 国庆节 2026-10-10 (a Saturday) 上班; 春节 2026-02-14 (a Saturday) 上班.
    for saturday, festival in (("2026-10-10", "国庆节"), ("2026-02-14", "春节")):
        body = anonymous.get(DAY, {"date": saturday}).json()
        assert body["weekday"] == "周六"
        assert body["working"] is True
        assert body["reason"] == "makeup_workday"
        assert body["festival"] == festival
        assert body["note"] == f"{festival}调休上班（{NOTICE_2026}）"


def test_plain_weekday_and_weekend(anonymous):
    monday = anonymous.get(DAY, {"date": "2026-03-02"}).json()
    assert (monday["working"], monday["reason"], monday["festival"]) == (True, "workday", "")
    sunday = anonymous.get(DAY, {"date": "2026-03-08"}).json()
    assert (sunday["working"], sunday["reason"]) == (False, "weekend")
    assert sunday["explanation"] == "2026年3月8日（周日）是周末，休息。"


def test_a_year_without_a_notice_is_provisional(anonymous):
    # No 2027 notice is bundled: 春节 2027 (正月初一 = 2027-02-06) is off, provisionally.
    body = anonymous.get(DAY, {"date": "2027-02-06"}).json()
    assert body["working"] is False
    assert body["provisional"] is True
    assert body["reason"] == "provisional_holiday"
    assert "2027年的国务院节假日安排尚未发布" in body["explanation"]
    # A plain 2027 weekday is provisional too: the notice may yet make it a holiday.
    monday = anonymous.get(DAY, {"date": "2027-03-01"}).json()
    assert (monday["working"], monday["reason"], monday["provisional"]) == (True, "workday", True)
    assert monday["explanation"].startswith("2027年3月1日（周一）是工作日。注意：2027年")


def test_agency_applies_its_local_adjustments_only_when_asked(
    anonymous, admin_user, agency, other_agency
):
    calendar_adjustment_save(
        actor=admin_user, day=d("2026-03-04"), kind="off", reason="本市纪念日放假", agency=agency
    )
    national = anonymous.get(DAY, {"date": "2026-03-04"}).json()
    assert national["working"] is True
    assert national["agency"] is None
    local = anonymous.get(DAY, {"date": "2026-03-04", "agency": "xiaoyi"}).json()
    assert local["working"] is False
    assert local["reason"] == "adjustment"
    assert local["agency"] == "xiaoyi"
    assert "本市纪念日放假" in local["note"]
    # Another agency keeps the national day.
    assert anonymous.get(DAY, {"date": "2026-03-04", "agency": "fenyang"}).json()["working"]


def test_unknown_agency_is_a_422_naming_the_field(anonymous):
    response = anonymous.get(DAY, {"date": "2026-03-04", "agency": "nowhere"})
    assert response.status_code == 422
    assert response.json()["fields"]["agency"] == ["机关代码：没有代码为“nowhere”的机关。"]


# -- caching ------------------------------------------------------------------------------------


def test_answers_are_public_and_cacheable_with_an_etag(anonymous):
    response = anonymous.get(DAY, {"date": "2026-10-01"})
    assert response["Cache-Control"] == f"public, max-age={MAX_AGE}"
    etag = response["ETag"]
    assert etag.startswith('"')
    again = anonymous.get(DAY, {"date": "2026-10-01"}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert again["Cache-Control"] == f"public, max-age={MAX_AGE}"
    other_question = anonymous.get(ADD, {"start": "2026-09-30", "days": "5"})
    assert other_question["Cache-Control"] == f"public, max-age={MAX_AGE}"
    assert other_question["ETag"] != etag


def test_etag_changes_when_the_calendar_data_changes(anonymous, admin_user, agency):
    query = {"date": "2026-03-04", "agency": "xiaoyi"}
    before = anonymous.get(DAY, query)
    adjustment, _ = calendar_adjustment_save(
        actor=admin_user, day=d("2026-03-04"), kind="off", reason="本市纪念日放假", agency=agency
    )
    after = anonymous.get(DAY, query, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert after.json()["working"] is False
    calendar_adjustment_delete(actor=admin_user, adjustment_id=adjustment.pk, reason="撤销")
    restored = anonymous.get(DAY, query, HTTP_IF_NONE_MATCH=after["ETag"])
    assert restored.status_code == 200
    assert restored.json()["working"] is True


def test_anonymous_calls_are_limited_per_address(anonymous, settings):
    settings.GONGKAI_API_ANONYMOUS_RATE = "3/min"
    for _ in range(3):
        assert anonymous.get(DAY, {"date": "2026-10-01"}).status_code == 200
    refused = clock(anonymous, {"events": [event("start", "2026-03-02")]})
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert "秒后再试" in refused.json()["message"]
    assert int(refused["Retry-After"]) >= 1


def test_the_calendar_needs_no_token_and_ignores_one(api, anonymous):
    assert anonymous.get(DAY, {"date": "2026-10-01"}).status_code == 200
    assert api.get(DAY, {"date": "2026-10-01"}).status_code == 200


# -- add n working days ---------------------------------------------------------------------------


def test_adding_working_days_across_national_day(anonymous):
    body = anonymous.get(ADD, {"start": "2026-09-28", "days": "5"}).json()
    calendar = get_calendar()
    assert body["result"] == calendar.add_working_days(d("2026-09-28"), 5).isoformat()
    # 9-29, 9-30, then 10-1 to 10-7 off, 10-8, 10-9, and the make-up Saturday 10-10.
    assert body["result"] == "2026-10-10"
    assert body["result_weekday"] == "周六"
    assert body["provisional"] is False
    assert body["explanation"] == [
        "自2026年9月28日起计算5个工作日，2026年9月28日当日不计算在内，自次日起算。",
        f"2026年10月1日至2026年10月7日休息，不计入：国庆节放假（{NOTICE_2026}）。",
        f"2026年10月10日上班：国庆节调休上班（{NOTICE_2026}）。",
        "第5个工作日是2026年10月10日（周六），即期限的最后一天。",
    ]
    assert [day["date"] for day in body["special_days"]][:7] == [
        f"2026-10-0{n}" for n in range(1, 8)
    ]
    assert body["special_days"][-1]["reason"] == "makeup_workday"


@pytest.mark.parametrize(
    ("start", "days"),
    [
        ("2026-03-02", 20),
        ("2026-01-30", 20),
        ("2025-12-31", 1),
        ("2026-02-13", 3),
        ("2004-01-05", 366),
    ],
)
def test_adding_equals_the_engine(anonymous, start, days):
    body = anonymous.get(ADD, {"start": start, "days": days}).json()
    assert body["result"] == get_calendar().add_working_days(d(start), days).isoformat()


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.dates(min_value=d("2004-01-01"), max_value=d("2030-12-31")),
    days=st.integers(min_value=1, max_value=MAX_DAYS),
)
def test_adding_equals_the_engine_for_any_day(anonymous, start, days):
    cache.delete(ANONYMOUS_THROTTLE_KEY)
    calendar = get_calendar()
    body = anonymous.get(ADD, {"start": start.isoformat(), "days": days}).json()
    result = calendar.add_working_days(start, days)
    assert body["result"] == result.isoformat()
    assert calendar.working_days_between(start, result) == days
    assert body["provisional"] == bool(calendar.provisional_years_between(start, result))
    day = anonymous.get(DAY, {"date": start.isoformat()}).json()
    assert day["working"] is calendar.is_working_day(start)


def test_a_result_in_a_year_without_a_notice_is_provisional(anonymous):
    body = anonymous.get(ADD, {"start": "2026-12-20", "days": "20"}).json()
    assert body["result"].startswith("2027-")
    assert body["provisional"] is True
    assert body["provisional_years"] == [2027]
    assert body["explanation"][-1].startswith("注意：2027年的国务院节假日安排尚未发布")


def test_local_adjustments_move_the_result_for_that_agency(anonymous, admin_user, agency):
    calendar_adjustment_save(
        actor=admin_user, day=d("2026-03-04"), kind="off", reason="本市纪念日放假", agency=agency
    )
    national = anonymous.get(ADD, {"start": "2026-03-02", "days": "3"}).json()
    local = anonymous.get(ADD, {"start": "2026-03-02", "days": "3", "agency": "xiaoyi"}).json()
    assert national["result"] == "2026-03-05"
    assert local["result"] == "2026-03-06"
    assert any("本市纪念日放假" in line for line in local["explanation"])


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ({"start": "2026-03-02", "days": "-1"}, "days", "工作日数："),
        ({"start": "2026-03-02", "days": "0"}, "days", "工作日数："),
        ({"start": "2026-03-02", "days": str(MAX_DAYS + 1)}, "days", "工作日数："),
        ({"start": "2026-03-02", "days": "9" * 40}, "days", "工作日数："),
        ({"start": "2026-03-02", "days": "两天"}, "days", "工作日数："),
        ({"start": "0001-01-01", "days": "5"}, "start", "起算日期：1年1月1日超出工作日历的范围"),
        ({"start": "9999-12-31", "days": "5"}, "start", "起算日期：9999年12月31日超出"),
        ({"start": "2026-02-30", "days": "5"}, "start", "起算日期："),
        ({"start": "<script>", "days": "5"}, "start", "起算日期："),
        ({"days": "5"}, "start", "起算日期："),
    ],
)
def test_hostile_additions_are_422_naming_the_field(anonymous, query, field, words):
    response = anonymous.get(ADD, query)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"][field][0].startswith(words)
    assert body["message"] == body["fields"][field][0]


def test_a_result_beyond_the_calendar_is_a_422(anonymous):
    last = get_calendar().last_day
    response = anonymous.get(ADD, {"start": (last - timedelta(days=10)).isoformat(), "days": 300})
    assert response.status_code == 422
    assert "超出工作日历的范围" in response.json()["fields"]["days"][0]


def test_hostile_days_are_422(anonymous):
    for value in ("0001-01-01", "9999-12-31", "2026-13-01", ""):
        response = anonymous.get(DAY, {"date": value})
        assert response.status_code == 422, value
        assert response.json()["fields"]["date"][0].startswith("日期：")


# -- the clock of a list of events --------------------------------------------------------------


def test_clock_needs_no_idempotency_key_and_no_token(anonymous):
    response = clock(anonymous, {"events": [event("start", "2026-03-02")], "today": "2026-03-10"})
    assert response.status_code == 200
    body = response.json()
    assert body["due_date"] == "2026-03-30"
    assert body["days_left"] == 14
    assert response["Cache-Control"] == "no-store"


@pytest.mark.case(received=d("2026-03-02"))
def test_clock_equals_the_case_clock(anonymous, case):
    today = d("2026-03-20")
    state = evaluate_case(case, today=today)
    events = [
        {"kind": e.kind, "on": e.on.isoformat(), "days": e.days, "reason": e.reason}
        for e in events_of(case)
    ]
    body = clock(anonymous, {"events": events, "today": today.isoformat(), "agency": "xiaoyi"})
    body = body.json()
    assert body["due_date"] == state.due_date.isoformat()
    assert body["days_left"] == state.left
    assert body["used"] == state.used
    assert body["paused"] is state.paused
    assert body["provisional"] is state.provisional
    assert body["at_risk"] is state.at_risk
    assert body["explanation"] == state.explanation


def test_clock_equals_the_deadline_calculator_page(anonymous, client, handler):
    # The scenario of the calculator's own test (tests/workflow/test_views.py).
    body = clock(
        anonymous,
        {
            "today": "2026-03-30",
            "events": [
                event("start", "2026-03-02"),
                event("pause", "2026-03-10", reason="third_party"),
                event("resume", "2026-03-24"),
                event("extend", "2026-03-25", days=20),
            ],
        },
    ).json()
    client.force_login(handler)
    page = client.get(
        "/tools/deadline/",
        {
            "receipt_date": "2026-03-02",
            "today": "2026-03-30",
            "pause-TOTAL_FORMS": "3",
            "pause-INITIAL_FORMS": "0",
            "pause-0-reason": "third_party",
            "pause-0-start": "2026-03-10",
            "pause-0-end": "2026-03-24",
            "extension_date": "2026-03-25",
            "extension_days": "20",
        },
    ).content.decode()
    assert body["due_date"] == "2026-05-14"
    assert "答复期限：2026年5月14日" in page
    assert f"已用 {body['used']} 个工作日" in page
    assert body["extended_days"] == 20
    for line in body["explanation"]:
        assert line in page
    # The holidays met on the way, as the page lists them.
    notes = {day["note"] for day in body["special_days"]}
    assert f"清明节放假（{NOTICE_2026}）" in notes
    assert f"劳动节调休上班（{NOTICE_2026}）" in notes


def test_an_open_pause_has_no_due_date_yet(anonymous):
    body = clock(
        anonymous,
        {
            "today": "2026-03-20",
            "events": [
                event("start", "2026-03-02"),
                event("pause", "2026-03-10", reason="fee"),
            ],
        },
    ).json()
    assert body["paused"] is True
    assert body["due_date"] is None
    assert body["paused_since"] == "2026-03-10"
    assert body["days_left"] == 14
    assert (
        body["projected_due_date"]
        == get_calendar().add_working_days(d("2026-03-20"), 14).isoformat()
    )
    assert any("等待申请人缴纳信息处理费" in line for line in body["explanation"])


def test_clock_running_into_an_unpublished_year_is_provisional(anonymous):
    body = clock(
        anonymous, {"today": "2026-12-21", "events": [event("start", "2026-12-18")]}
    ).json()
    assert body["provisional"] is True
    assert body["provisional_years"] == [2027]
    assert any("2027年的国务院节假日安排尚未发布" in line for line in body["explanation"])


def test_at_risk_follows_the_agencys_setting(anonymous, agency):
    agency.at_risk_days = 15
    agency.save()
    question = {"today": "2026-03-10", "events": [event("start", "2026-03-02")]}
    assert clock(anonymous, question).json()["at_risk"] is False
    assert clock(anonymous, {**question, "agency": "xiaoyi"}).json()["at_risk"] is True


def test_a_sequence_the_rules_refuse_is_a_422_with_the_rule(anonymous):
    response = clock(
        anonymous,
        {
            "today": "2026-04-30",
            "events": [event("start", "2026-03-02"), event("extend", "2026-03-05", days=30)],
        },
    )
    assert response.status_code == 422
    message = response.json()["fields"]["events"][0]
    assert message.startswith("计时事件：")
    assert "最长不得超过20个工作日" in message
    assert "《条例》第三十三条第二款" in message


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"events": []}, "events", "计时事件："),
        ({"events": "start"}, "events", "计时事件："),
        ({}, "events", "计时事件："),
        (
            {"events": [event("start", "2026-03-02")] * (MAX_EVENTS + 1)},
            "events",
            f"计时事件：该字段不能超过 {MAX_EVENTS} 个元素",
        ),
        (
            {"events": [event("start", "2026-03-02")] * 10_000},
            "events",
            "计时事件：",
        ),
        ({"events": [event("start", "0001-01-01")]}, "events.0.on", "计时事件第1项的日期："),
        ({"events": [event("start", "9999-12-31")]}, "events.0.on", "计时事件第1项的日期："),
        (
            {"events": [event("start", "2026-03-02"), event("bogus", "2026-03-03")]},
            "events.1.kind",
            "计时事件第2项的事件类型：",
        ),
        (
            {
                "events": [
                    event("start", "2026-03-02"),
                    event("pause", "2026-03-03", reason="x\x00"),
                ]
            },
            "events.1.reason",
            "计时事件第2项的理由：",
        ),
        (
            {"events": [event("start\x00", "2026-03-02")]},
            "events.0.kind",
            "计时事件第1项的事件类型：",
        ),
        (
            {"events": [event("start", "2026-03-02"), event("extend", "2026-03-03", days=10**30)]},
            "events.1.days",
            "计时事件第2项的工作日数：",
        ),
        (
            {
                "events": [
                    event("start", "2026-03-02"),
                    event("defer", "2026-03-03", until="9999-12-31"),
                ]
            },
            "events.1.until",
            "计时事件第2项的延迟答复期限：",
        ),
        ({"events": [event("start", "2026-03-02")], "today": "9999-12-31"}, "today", "计算日："),
        ({"events": [event("start", "2026-03-02")], "today": "0001-01-01"}, "today", "计算日："),
        (
            {"events": [event("start", "2026-03-02")], "agency": "xiaoyi\x00"},
            "agency",
            "机关代码：",
        ),
        ({"events": [{"on": "2026-03-02"}]}, "events.0.kind", "计时事件第1项的事件类型："),
    ],
)
def test_hostile_clocks_are_422_naming_the_field(anonymous, body, field, words):
    response = clock(anonymous, body)
    assert response.status_code == 422, response.content
    answer = response.json()
    assert answer["code"] == "invalid"
    assert answer["fields"][field][0].startswith(words)


def test_a_body_that_is_not_json_is_a_400(anonymous):
    response = anonymous.post(CLOCK, "{", format=None, content_type="application/json", key=None)
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_event_kinds_match_the_case_records():
    from requests_app.models import ClockEntry
    from workflow.api.calendar import EVENT_KINDS
    from workflow.clock import Kind

    assert {code: str(label) for code, label in ClockEntry.Kind.choices} == EVENT_KINDS
    assert set(EVENT_KINDS) == {kind.value for kind in Kind}
