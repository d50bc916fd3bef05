"""Why a day is or is not a working day (``DayInfo.reason`` and ``festival``), from the bundled
State Council notices: what the public calendar endpoint explains."""

from datetime import date

from workflow.calendar import DAY_REASONS, WorkingCalendar
from workflow.holiday_data import load_bundled


def test_reasons_of_2026_days(national_calendar):
    cases = {
        date(2026, 10, 1): (False, "holiday", "国庆节"),  # 国庆节 2026-10-01 to 10-07
        date(2026, 10, 3): (False, "holiday", "国庆节"),  # a Saturday inside the holiday
        date(2026, 10, 10): (True, "makeup_workday", "国庆节"),  # 调休 Saturday
        date(2026, 2, 14): (True, "makeup_workday", "春节"),
        date(2026, 3, 2): (True, "workday", ""),
        date(2026, 3, 7): (False, "weekend", ""),
        date(2027, 2, 6): (False, "provisional_holiday", "春节"),  # no 2027 notice bundled
    }
    for day, expected in cases.items():
        info = national_calendar.day_info(day)
        assert (info.working, info.reason, info.festival) == expected, day
        assert info.reason in DAY_REASONS


def test_an_adjustment_is_its_own_reason():
    calendar = WorkingCalendar(
        load_bundled(), adjustments={date(2026, 10, 10): (False, "本机关调整：不调休")}
    )
    info = calendar.day_info(date(2026, 10, 10))
    assert (info.working, info.reason, info.note) == (False, "adjustment", "本机关调整：不调休")
