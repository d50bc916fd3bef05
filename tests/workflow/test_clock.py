"""The statutory clock (DOMAIN §3.4; Art. 30, 32, 33, 34; Fee Rules)."""

from datetime import date

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.conftest import d
from workflow.clock import ClockEvent, evaluate

E = ClockEvent


def run(events, calendar, today, **kw):
    return evaluate(events, calendar=calendar, today=d(today), **kw)


# Due dates worked out by hand from the State Council notices (2024: 国办发明电〔2023〕7号;
# 2026: 国办发明电〔2025〕7号) and, for 2027, from the provisional statutory holidays.
SCENARIOS = [
    # Art. 33 ¶2: DOMAIN §2's example — Monday 2024-03-04 + 20 working days.
    ("plain 20 days", [E("start", d("2024-03-04"))], "2024-03-04", "2024-04-01"),
    # Spring Festival 2026: Feb 15-23 off, Saturdays Feb 14 and Feb 28 are make-up working days.
    ("across Spring Festival", [E("start", d("2026-02-06"))], "2026-02-06", "2026-03-12"),
    # Mid-Autumn Sep 25-27 and National Day Oct 1-7 2026; Sun Sep 20 and Sat Oct 10 worked.
    ("across National Day", [E("start", d("2026-09-14"))], "2026-09-14", "2026-10-16"),
    # Art. 30: the corrected application's receipt restarts the 20 days.
    (
        "correction restarts",
        [E("start", d("2026-03-02")), E("start", d("2026-03-16"), reason="correction")],
        "2026-03-16",
        "2026-04-14",
    ),
    # DOMAIN §3.4's example. Art. 33 ¶3: a third-party consultation 03-10 → 03-24 removes the
    # days after 03-10 up to and including 03-24; Art. 33 ¶2 extension by 20 (Qingming Apr 6,
    # May Day May 1-5 off, Saturday May 9 worked). DOMAIN prints "due 2026-05-06"; counting by
    # its own rules gives 05-14 (6 days used before the pause, 34 after 03-24), which a
    # day-by-day count over chinese_calendar confirms.
    (
        "consultation and extension",
        [
            E("start", d("2026-03-02")),
            E("pause", d("2026-03-10"), reason="third_party"),
            E("resume", d("2026-03-24")),
            E("extend", d("2026-03-25"), days=20),
        ],
        "2026-03-30",
        "2026-05-14",
    ),
    # Into a provisional year: 2027-01-01 is off by the statutory rules.
    ("into 2027", [E("start", d("2026-12-14"))], "2026-12-14", "2027-01-12"),
    # Spring Festival 2027 (provisional): 除夕 Fri Feb 5 and 初一-初三 Feb 6-8 off, no make-up days.
    ("provisional Spring Festival", [E("start", d("2027-01-29"))], "2027-01-29", "2027-03-02"),
]


@pytest.mark.parametrize(
    ("name", "events", "today", "due"), SCENARIOS, ids=[s[0] for s in SCENARIOS]
)
def test_due_dates_of_worked_scenarios(national_calendar, name, events, today, due):
    state = run(events, national_calendar, today)
    assert state.due_date == d(due)
    assert national_calendar.is_working_day(state.due_date)


def test_receipt_day_itself_is_not_counted(national_calendar):
    # DOMAIN §2: counting starts the day after receipt, even when receipt is a working day.
    state = run([E("start", d("2026-03-02"))], national_calendar, "2026-03-02")
    assert state.used == 0
    assert state.left == 20
    assert "收到申请当日不计算在内" in state.explanation[0]


def test_receipt_on_a_holiday_counts_from_the_next_day(national_calendar):
    # Received on National Day (a day off): the 20 days start after it all the same.
    state = run([E("start", d("2026-10-03"))], national_calendar, "2026-10-03")
    assert state.due_date == d("2026-11-03")


def test_explanation_cites_articles_and_reads_aloud(national_calendar):
    state = run(SCENARIOS[4][1], national_calendar, "2026-03-30")
    text = "\n".join(state.explanation)
    assert "2026年3月2日收到申请" in text
    assert "2026年3月10日至2026年3月24日征求第三方意见，期间不计入答复期限" in text
    assert "《条例》第三十三条第三款" in text
    assert "答复期限延长20个工作日（《条例》第三十三条第二款）" in text
    assert "原答复期限为2026年4月14日，延长后的答复期限为2026年5月14日" in text
    assert state.original_due_date == d("2026-04-14")
    assert state.extended_days == 20
    assert state.limit == 40


def test_used_and_left_exclude_the_pause(national_calendar):
    state = run(SCENARIOS[4][1], national_calendar, "2026-03-30")
    # Mar 3-6, 9, 10 before the pause; Mar 25, 26, 27, 30 after it.
    assert state.used == 10
    assert state.left == 30
    assert not state.paused and not state.at_risk and not state.overdue


def test_open_pause_has_no_due_date_and_keeps_the_time_left(national_calendar):
    events = [E("start", d("2026-03-02")), E("pause", d("2026-03-10"), reason="agency")]
    state = run(events, national_calendar, "2026-03-20")
    assert state.paused
    assert state.due_date is None
    assert state.paused_since == d("2026-03-10")
    assert state.used == 6
    assert state.left == 14
    # If resumed today, 14 working days after 2026-03-20 (Apr 6 is Qingming).
    assert state.projected_due_date == d("2026-04-10")
    assert not state.overdue and not state.at_risk
    assert "计时暂停" in state.explanation[-1]
    assert "第三十四条" in state.explanation[-1]


def test_fee_notice_pauses_until_payment(national_calendar):
    # Fee Rules: from the fee notice to the payment the period does not run.
    events = [
        E("start", d("2026-03-02")),
        E("pause", d("2026-03-06"), reason="fee"),
        E("resume", d("2026-03-13")),
    ]
    state = run(events, national_calendar, "2026-03-13")
    assert state.used == 4
    assert state.due_date == national_calendar.add_working_days(d("2026-03-13"), 16)
    assert "《政府信息公开信息处理费管理办法》" in "".join(state.explanation)


def test_at_risk_and_overdue_flags(national_calendar):
    events = [E("start", d("2026-03-02"))]  # due 2026-03-30
    assert run(events, national_calendar, "2026-03-20").at_risk is False  # 6 left
    at_risk = run(events, national_calendar, "2026-03-23")  # 5 left
    assert at_risk.at_risk and at_risk.left == 5
    assert run(events, national_calendar, "2026-03-23", at_risk_days=3).at_risk is False
    due_day = run(events, national_calendar, "2026-03-30")
    assert due_day.left == 0 and due_day.at_risk and not due_day.overdue
    late = run(events, national_calendar, "2026-04-01")
    assert late.overdue and not late.at_risk
    assert late.overdue_days == 2
    assert "已超过答复期限2个工作日" in late.explanation[-1]


def test_stop_on_time_and_late(national_calendar):
    start = E("start", d("2026-03-02"))
    on_time = run(
        [start, E("stop", d("2026-03-30"), reason="送达")], national_calendar, "2026-05-01"
    )
    assert on_time.stopped and on_time.on_time and not on_time.overdue
    assert on_time.used == 20
    late = run([start, E("stop", d("2026-04-02"))], national_calendar, "2026-05-01")
    assert late.on_time is False and late.overdue
    assert "超过答复期限3个工作日" in late.explanation[-1]


def test_provisional_flag_when_the_period_reaches_a_year_without_a_notice(national_calendar):
    state = run([E("start", d("2026-12-14"))], national_calendar, "2026-12-14")
    assert state.provisional
    assert state.provisional_years == (2027,)
    assert "2027年的国务院节假日安排尚未发布" in "".join(state.explanation)
    assert not run([E("start", d("2026-11-02"))], national_calendar, "2026-11-02").provisional


def test_pause_started_on_the_due_date_gains_nothing(national_calendar):
    events = [
        E("start", d("2026-03-02")),
        E("pause", d("2026-03-30"), reason="third_party"),
        E("resume", d("2026-04-10")),
    ]
    state = run(events, national_calendar, "2026-04-10")
    assert state.due_date == d("2026-03-30")
    assert state.overdue
    assert "暂停不延后答复期限" in "".join(state.explanation)


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ([], "至少需要"),
        ([E("pause", d("2026-03-02"), reason="fee")], "第一个计时事件必须是收到申请"),
        ([E("start", d("2026-03-02")), E("resume", d("2026-03-05"))], "计时此前并未暂停"),
        (
            [
                E("start", d("2026-03-02")),
                E("pause", d("2026-03-03"), reason="agency"),
                E("pause", d("2026-03-04"), reason="third_party"),
            ],
            "不能再次暂停",
        ),
        (
            [
                E("start", d("2026-03-02")),
                E("extend", d("2026-03-10"), days=10),
                E("extend", d("2026-03-11"), days=5),
            ],
            "不能再次延长",
        ),
        ([E("start", d("2026-03-02")), E("extend", d("2026-03-10"), days=21)], "最长不得超过20"),
        ([E("start", d("2026-03-02")), E("extend", d("2026-03-10"), days=0)], "最长不得超过20"),
        ([E("start", d("2026-03-10")), E("extend", d("2026-03-02"), days=5)], "早于前一事件"),
        ([E("start", d("2026-03-02")), E("extend", d("2026-03-31"), days=5)], "不能再延期"),
        ([E("start", d("2026-03-02")), E("pause", d("2026-03-31"), reason="fee")], "不能再暂停"),
        (
            [E("start", d("2026-03-02")), E("pause", d("2026-03-05"), reason="lunch")],
            "没有法律依据",
        ),
        (
            [
                E("start", d("2026-03-02")),
                E("stop", d("2026-03-05")),
                E("extend", d("2026-03-06"), 5),
            ],
            "已经办结",
        ),
        ([E("start", d("2026-06-02"))], "晚于今天"),
        ([E("start", d("2026-03-02")), E("wait", d("2026-03-03"))], "未知的计时事件类型"),
    ],
)
def test_impossible_sequences_are_refused_with_a_reason(national_calendar, events, message):
    with pytest.raises(ValueError, match=message):
        evaluate(events, calendar=national_calendar, today=d("2026-05-01"))


# -- properties -------------------------------------------------------------------------------

days = st.dates(min_value=date(2004, 1, 1), max_value=date(2027, 12, 31))


@settings(max_examples=200, deadline=None)
@given(
    start=days,
    pause_at=st.integers(0, 19),
    pause_len=st.integers(0, 40),
    today_pad=st.integers(0, 10),
)
def test_a_pause_never_makes_the_due_date_earlier(
    national_calendar, start, pause_at, pause_len, today_pad
):
    cal = national_calendar
    plain = evaluate([E("start", start)], calendar=cal, today=start)
    pause = cal.add_working_days(start, pause_at) if pause_at else start
    resume = cal.add_working_days(pause, pause_len) if pause_len else pause
    events = [E("start", start), E("pause", pause, reason="third_party"), E("resume", resume)]
    paused = evaluate(events, calendar=cal, today=resume)
    assert paused.due_date >= plain.due_date
    # The working days removed are exactly the ones after the pause start up to the resume.
    assert cal.working_days_between(plain.due_date, paused.due_date) == cal.working_days_between(
        pause, resume
    )


@settings(max_examples=200, deadline=None)
@given(start=days, n=st.integers(1, 20), at=st.integers(0, 20))
def test_an_extension_of_n_adds_exactly_n_working_days(national_calendar, start, n, at):
    cal = national_calendar
    plain = evaluate([E("start", start)], calendar=cal, today=start)
    on = cal.add_working_days(start, at) if at else start
    assume(on <= plain.due_date)
    extended = evaluate([E("start", start), E("extend", on, days=n)], calendar=cal, today=on)
    assert cal.working_days_between(plain.due_date, extended.due_date) == n
    assert extended.original_due_date == plain.due_date


# -- Art. 35: reasons asked (no pause) and a later reply date -----------------------------------


def test_asking_for_reasons_does_not_pause_the_clock(national_calendar):
    # Art. 35 gives a later date as the remedy, not a stop of the count; the explanation says so.
    plain = run([E("start", d("2026-03-02"))], national_calendar, "2026-03-20")
    asked = run(
        [E("start", d("2026-03-02")), E("reasons", d("2026-03-03"))],
        national_calendar,
        "2026-03-20",
    )
    assert (asked.due_date, asked.used, asked.left) == (plain.due_date, plain.used, plain.left)
    assert not asked.paused
    line = asked.explanation[1]
    assert line.startswith("2026年3月3日要求申请人说明理由（《条例》第三十五条）")
    assert "不暂停" in line and "延迟答复的合理期限" in line


def test_a_deferral_fixes_the_due_date_and_explains_it(national_calendar):
    # Art. 35: reasonable but not answerable within the Art. 33 period → a later date.
    events = [
        E("start", d("2026-03-02")),
        E("reasons", d("2026-03-03")),
        E("defer", d("2026-03-20"), until=d("2026-05-15")),
    ]
    state = run(events, national_calendar, "2026-04-30")
    assert state.due_date == d("2026-05-15")
    assert state.original_due_date == d("2026-03-30")
    assert not state.overdue and not state.paused
    assert state.left == national_calendar.working_days_between(d("2026-04-30"), d("2026-05-15"))
    text = "".join(state.explanation)
    assert "确定延迟答复期限为2026年5月15日并告知申请人（《条例》第三十五条）" in text
    assert "按《条例》第三十三条计算的答复期限为2026年3月30日，延迟答复期限为2026年5月15日" in text
    late = run([*events, E("stop", d("2026-05-18"))], national_calendar, "2026-05-18")
    assert late.on_time is False and late.overdue
    on_time = run([*events, E("stop", d("2026-05-15"))], national_calendar, "2026-05-15")
    assert on_time.on_time


def test_a_deferral_after_an_extension_replaces_the_extended_date(national_calendar):
    events = [
        E("start", d("2026-03-02")),
        E("extend", d("2026-03-10"), days=10),  # → 2026-04-14
        E("defer", d("2026-03-20"), until=d("2026-05-15")),
    ]
    assert run(events, national_calendar, "2026-03-20").due_date == d("2026-05-15")
    too_soon = [*events[:2], E("defer", d("2026-03-20"), until=d("2026-04-10"))]
    with pytest.raises(ValueError, match="应晚于按第三十三条计算的答复期限2026年4月14日"):
        run(too_soon, national_calendar, "2026-03-20")


@pytest.mark.parametrize(
    ("events", "message"),
    [
        # Art. 33 ¶2 after Art. 35: the deferral already set the date.
        (
            [
                E("start", d("2026-03-02")),
                E("defer", d("2026-03-10"), until=d("2026-04-30")),
                E("extend", d("2026-03-11"), days=5),
            ],
            "不能再依照《条例》第三十三条第二款延期",
        ),
        (
            [
                E("start", d("2026-03-02")),
                E("defer", d("2026-03-10"), until=d("2026-04-30")),
                E("defer", d("2026-03-11"), until=d("2026-05-29")),
            ],
            "不能再次确定",
        ),
        ([E("start", d("2026-03-02")), E("defer", d("2026-03-10"))], "须写明延迟后的答复期限"),
        (
            [E("start", d("2026-03-02")), E("defer", d("2026-03-31"), until=d("2026-04-30"))],
            "不能再确定",
        ),
        (
            [E("start", d("2026-03-02")), E("defer", d("2026-03-10"), until=d("2026-03-30"))],
            "应晚于",
        ),
        (
            [E("start", d("2026-03-02")), E("defer", d("2026-03-10"), until=d("2026-04-05"))],
            "不是工作日",  # Qingming 2026
        ),
        (
            [
                E("start", d("2026-03-02")),
                E("defer", d("2026-03-10"), until=d("2026-04-30")),
                E("pause", d("2026-05-04"), reason="fee"),
            ],
            "不能再暂停",
        ),
    ],
)
def test_impossible_deferrals_are_refused_with_a_reason(national_calendar, events, message):
    with pytest.raises(ValueError, match=message):
        evaluate(events, calendar=national_calendar, today=d("2026-05-29"))


def test_a_deferral_while_paused_is_fixed_and_the_pause_does_not_move_it(national_calendar):
    events = [
        E("start", d("2026-03-02")),
        E("pause", d("2026-03-05"), reason="third_party"),
        E("defer", d("2026-03-10"), until=d("2026-04-30")),
    ]
    during = run(events, national_calendar, "2026-03-12")
    assert (during.due_date, during.paused) == (d("2026-04-30"), False)
    assert "不因此顺延" in "".join(during.explanation)
    after = run([*events, E("resume", d("2026-03-20"))], national_calendar, "2026-03-20")
    assert after.due_date == d("2026-04-30")


@settings(max_examples=200, deadline=None)
@given(
    start=days,
    at=st.integers(0, 20),
    beyond=st.integers(1, 60),
    pause_len=st.integers(0, 30),
)
def test_a_deferral_is_exactly_its_date_whatever_comes_after(
    national_calendar, start, at, beyond, pause_len
):
    cal = national_calendar
    plain = evaluate([E("start", start)], calendar=cal, today=start)
    on = cal.add_working_days(start, at) if at else start
    assume(on <= plain.due_date)
    until = cal.add_working_days(plain.due_date, beyond)
    events = [E("start", start), E("reasons", start), E("defer", on, until=until)]
    state = evaluate(events, calendar=cal, today=on)
    assert state.due_date == until
    assert state.original_due_date == plain.due_date
    assert state.left == cal.working_days_between(on, until)
    # A later pause (Art. 33 ¶3) does not move the date the agency fixed under Art. 35.
    resume = cal.add_working_days(on, pause_len) if pause_len else on
    assume(resume <= until)
    paused = evaluate(
        [*events, E("pause", on, reason="third_party"), E("resume", resume)],
        calendar=cal,
        today=resume,
    )
    assert paused.due_date == until
    with pytest.raises(ValueError):
        evaluate([*events, E("extend", on, days=1)], calendar=cal, today=on)


@settings(max_examples=200, deadline=None)
@given(start=days, at=st.integers(0, 40), today_pad=st.integers(0, 40))
def test_a_reasons_event_never_changes_the_count(national_calendar, start, at, today_pad):
    cal = national_calendar
    on = cal.add_working_days(start, at) if at else start
    today = cal.add_working_days(on, today_pad) if today_pad else on
    plain = evaluate([E("start", start)], calendar=cal, today=today)
    asked = evaluate([E("start", start), E("reasons", on)], calendar=cal, today=today)
    assert (asked.due_date, asked.used, asked.left, asked.overdue, asked.at_risk) == (
        plain.due_date,
        plain.used,
        plain.left,
        plain.overdue,
        plain.at_risk,
    )
