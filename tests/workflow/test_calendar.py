"""The working-day calendar's API (DOMAIN §2): counting, provisional years, adjustments, cache."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import d
from workflow.calendar import (
    CalendarRangeError,
    WorkingCalendar,
    get_calendar,
    provisional_days_off,
)


def test_counting_leaves_the_start_day_out(national_calendar):
    # DOMAIN §2: received Monday 2024-03-04 → 20 working days end on 2024-04-01.
    assert national_calendar.add_working_days(d("2024-03-04"), 20) == d("2024-04-01")
    assert national_calendar.working_days_between(d("2024-03-04"), d("2024-04-01")) == 20
    assert national_calendar.add_working_days(d("2024-03-04"), 0) == d("2024-03-04")


def test_make_up_saturday_counts_and_holiday_weekday_does_not(national_calendar):
    cal = national_calendar
    assert cal.is_working_day(d("2026-02-14"))  # Saturday, 春节调休上班
    assert not cal.is_working_day(d("2026-02-16"))  # Monday, 春节
    assert not cal.is_working_day(d("2026-10-01"))
    assert cal.is_working_day(d("2026-09-20"))  # Sunday, 国庆调休上班
    assert "调休上班" in cal.day_info(d("2026-02-14")).note
    assert "国务院办公厅关于2026年部分节假日安排的通知" in cal.day_info(d("2026-10-01")).note


def test_negative_counts_go_back(national_calendar):
    cal = national_calendar
    assert cal.add_working_days(d("2026-03-02"), -1) == d("2026-02-28")  # make-up Saturday
    assert cal.add_working_days(d("2026-03-01"), -1) == d("2026-02-28")
    assert cal.add_working_days(d("2026-02-24"), -1) == d("2026-02-14")


def test_official_and_provisional_years(national_calendar):
    cal = national_calendar
    assert not cal.is_provisional(d("2026-12-31"))
    assert cal.is_provisional(d("2027-01-01"))
    assert cal.provisional_years_between(d("2026-12-01"), d("2027-02-01")) == [2027]


def test_provisional_2027_uses_the_2024_statutory_holidays_only():
    # Decree No. 795: 元旦1, 春节4 (除夕+初一至初三), 清明1, 劳动节2, 端午1, 中秋1, 国庆3 = 13 days.
    days = provisional_days_off(2027)
    assert len(days) == 13
    assert {
        d("2027-01-01"),
        d("2027-02-05"),  # 除夕
        d("2027-02-06"),  # 正月初一
        d("2027-02-07"),
        d("2027-02-08"),
        d("2027-04-05"),  # 清明 solar term
        d("2027-05-01"),
        d("2027-05-02"),
        d("2027-06-09"),  # 端午 (五月初五)
        d("2027-09-15"),  # 中秋 (八月十五)
        d("2027-10-01"),
        d("2027-10-02"),
        d("2027-10-03"),
    } == set(days)


def test_provisional_2027_guesses_no_make_up_days(national_calendar):
    cal = national_calendar
    for day in (date(2027, 1, 1) + timedelta(n) for n in range(365)):
        if day.weekday() >= 5:
            assert not cal.is_working_day(day), day
        else:
            assert cal.is_working_day(day) == (day not in provisional_days_off(2027)), day
    assert cal.day_info(d("2027-02-08")).note == "春节（法定节假日，暂定）"


def test_dates_outside_the_calendar_are_refused_clearly(national_calendar):
    with pytest.raises(CalendarRangeError, match="超出工作日历的范围"):
        national_calendar.is_working_day(d("2003-12-31"))
    with pytest.raises(CalendarRangeError, match="超出工作日历的范围"):
        national_calendar.add_working_days(national_calendar.last_day, 5)


def test_working_days_in_lists_the_counted_days(national_calendar):
    days = national_calendar.working_days_in(d("2026-09-30"), d("2026-10-12"))
    assert days == [d("2026-10-08"), d("2026-10-09"), d("2026-10-10"), d("2026-10-12")]


def test_adjustments_override_the_national_schedule(national_calendar):
    base = national_calendar
    cal = WorkingCalendar(
        base.schedules,
        adjustments={d("2026-03-04"): (False, "本地纪念日"), d("2026-03-07"): (True, "补班")},
    )
    assert not cal.is_working_day(d("2026-03-04"))
    assert cal.is_working_day(d("2026-03-07"))
    # Same count of working days in the week, so the 20-day due date is unchanged…
    assert cal.add_working_days(d("2026-03-02"), 20) == base.add_working_days(d("2026-03-02"), 20)
    # …but a period ending inside the week shifts.
    assert cal.add_working_days(d("2026-03-02"), 2) == d("2026-03-05")


# -- properties (hypothesis) ----------------------------------------------------------------

any_day = st.dates(min_value=date(2004, 1, 1), max_value=date(2030, 12, 31))
counts = st.integers(min_value=0, max_value=60)


@settings(max_examples=500, deadline=None)
@given(day=any_day, n=counts)
def test_between_inverts_add(national_calendar, day, n):
    assert (
        national_calendar.working_days_between(day, national_calendar.add_working_days(day, n)) == n
    )


@settings(max_examples=500, deadline=None)
@given(day=any_day, n=st.integers(min_value=1, max_value=60))
def test_result_is_a_working_day_after_the_start(national_calendar, day, n):
    result = national_calendar.add_working_days(day, n)
    assert result > day
    assert national_calendar.is_working_day(result)


@settings(max_examples=500, deadline=None)
@given(a=any_day, b=any_day, n=counts, m=counts)
def test_add_is_monotonic(national_calendar, a, b, n, m):
    cal = national_calendar
    if a <= b:
        assert cal.add_working_days(a, n) <= cal.add_working_days(b, n)
    if n < m:
        assert cal.add_working_days(a, n) < cal.add_working_days(a, m)


@settings(max_examples=300, deadline=None)
@given(day=any_day, n=counts)
def test_add_matches_a_day_by_day_count(national_calendar, day, n):
    cal = national_calendar
    current, counted = day, 0
    while counted < n:
        current += timedelta(days=1)
        counted += cal.is_working_day(current)
    assert cal.add_working_days(day, n) == current


# -- the project's calendars (database) -------------------------------------------------------


@pytest.mark.django_db
def test_get_calendar_applies_the_agencys_adjustments_only_to_it(agency, other_agency, admin_user):
    from workflow.services import calendar_adjustment_save

    day = d("2026-03-04")
    assert get_calendar(agency).is_working_day(day)
    calendar_adjustment_save(
        actor=admin_user, day=day, kind="off", reason="本自治县成立纪念日", agency=agency
    )
    assert not get_calendar(agency).is_working_day(day)
    assert get_calendar(agency.pk).day_info(day).note == "本机关调整：本自治县成立纪念日"
    assert get_calendar(other_agency).is_working_day(day)
    assert get_calendar(None).is_working_day(day)


@pytest.mark.django_db
def test_national_correction_applies_to_every_agency_but_local_rows_win(
    agency, admin_user, superuser
):
    from workflow.services import calendar_adjustment_save

    day = d("2026-03-05")
    calendar_adjustment_save(actor=superuser, day=day, kind="off", reason="更正", agency=None)
    assert not get_calendar(agency).is_working_day(day)
    calendar_adjustment_save(
        actor=admin_user, day=day, kind="working", reason="照常", agency=agency
    )
    assert get_calendar(agency).is_working_day(day)
    assert not get_calendar(None).is_working_day(day)


@pytest.mark.django_db
def test_get_calendar_is_cached_until_the_revision_moves(
    agency, admin_user, django_assert_num_queries
):
    from workflow.services import calendar_adjustment_save

    first = get_calendar(agency)
    with django_assert_num_queries(1):  # only the revision check
        assert get_calendar(agency) is first
    calendar_adjustment_save(
        actor=admin_user, day=d("2026-03-06"), kind="off", reason="x", agency=agency
    )
    assert get_calendar(agency) is not first
