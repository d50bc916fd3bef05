"""The bundled holiday schedules (holidays/*.toml) and their loader/validator.

The schedules are checked day by day against two independent libraries from PyPI:

* ``chinese_calendar``: ``chinese_calendar.is_workday(day)``.
* python-holidays (``holidays.China``). Its default category ``PUBLIC`` holds the statutory
  holidays *and* the bridging days off, the latter as "substituted" holidays ("休息日（由 X 调休）",
  moved from weekend day X) plus observed days ("（补假）"); the weekend days worked are in the
  instance's ``weekend_workdays`` set. So a day is a working day for python-holidays when

      weekday (Mon-Fri) and day not in China(...)       or   weekend and day in weekend_workdays

  which is exactly ``China.is_working_day(day)``. The ``HALF_DAY`` category (妇女节, 青年节, ...)
  must not be added: those half days off for some citizens do not change the national working
  day. A notice's make-up day in the previous December (2005-12-31 for the 2006 元旦) is stored as
  a substitution of the *next* year; version 0.109 puts such days in ``weekend_workdays`` for
  every instance, older versions only for an instance that covers the next year, so we build one
  instance over 2003-2027.

Where the two libraries disagree, the notice decides and the data file says why (DOMAIN §2).
"""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar  # in the test extras, as is holidays: missing, they fail the run
import pytest

import holidays  # python-holidays (the folder of the same name holds no package)
from workflow.holiday_data import (
    DEFAULT_DIRECTORY,
    Festival,
    HolidayDataError,
    YearSchedule,
    load_bundled,
    load_year_file,
    parse_year_toml,
)

FIRST = date(2004, 1, 1)
LAST = date(2026, 12, 31)

#: Days on which python-holidays and chinese_calendar disagree, with the notice's verdict
#: (True = working day) and the notice that decides it.
DISAGREEMENTS = {
    # 国办发明电〔2005〕35号: “……1月2日（星期一）、3日（星期二），12月31日（星期六）上班。”
    # python-holidays: working (weekend_workdays); chinese_calendar: a plain Saturday.
    date(2005, 12, 31): (True, "国办发明电〔2005〕35号"),
}


@pytest.fixture(scope="module")
def bundled() -> dict[int, YearSchedule]:
    return load_bundled()


def _days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _working_from_files(schedules: dict[int, YearSchedule]):
    off: set[date] = set()
    work: set[date] = set()
    for schedule in schedules.values():
        off |= schedule.days_off
        work |= schedule.workdays

    def working(day: date) -> bool:
        return (day.weekday() < 5 and day not in off) or day in work

    return working


# -- the data against the two libraries ---------------------------------------------------------


def test_every_day_2004_to_2026_matches_both_libraries(bundled):
    working = _working_from_files(bundled)
    china = holidays.China(years=range(FIRST.year - 1, LAST.year + 2))
    problems = []
    for day in _days(FIRST, LAST):
        ours = working(day)
        python_holidays = china.is_working_day(day)
        calendar_lib = chinese_calendar.is_workday(day)
        if python_holidays != calendar_lib:
            if day not in DISAGREEMENTS:
                problems.append(
                    f"{day}: undocumented disagreement "
                    f"(python-holidays {python_holidays}, chinese_calendar {calendar_lib})"
                )
            elif ours != DISAGREEMENTS[day][0]:
                problems.append(f"{day}: ours {ours}, notice {DISAGREEMENTS[day]}")
        elif ours != python_holidays:
            problems.append(f"{day}: ours {ours}, both libraries {python_holidays}")
    assert not problems, "\n".join(problems)


def test_2005_12_31_is_a_make_up_working_day_by_the_2006_notice(bundled):
    day = date(2005, 12, 31)
    assert day.weekday() == 5  # a Saturday
    schedule = bundled[2006]
    assert schedule.number == "国办发明电〔2005〕35号"
    new_year = next(f for f in schedule.festivals if f.name == "元旦")
    assert day in new_year.workdays
    assert day not in bundled[2005].workdays
    assert _working_from_files(bundled)(day) is True
    # The two references disagree here; the notice decides (see 2006.toml).
    china = holidays.China(years=range(2003, 2008))
    assert china.is_working_day(day) is True
    assert chinese_calendar.is_workday(day) is False


@pytest.mark.parametrize(
    ("year", "days_off", "workdays"),
    [
        (2006, [], [date(2005, 12, 31)]),
        (2007, [], [date(2006, 12, 30), date(2006, 12, 31)]),
        (2008, [date(2007, 12, 30), date(2007, 12, 31)], [date(2007, 12, 29)]),
        (2012, [], [date(2011, 12, 31)]),
        (2019, [date(2018, 12, 30), date(2018, 12, 31)], [date(2018, 12, 29)]),
        (2023, [date(2022, 12, 31)], []),
    ],
)
def test_days_set_in_the_previous_december_belong_to_the_later_notice(
    bundled, year, days_off, workdays
):
    schedule = bundled[year]
    earlier = bundled[year - 1]
    for day in days_off:
        assert day in schedule.days_off
        assert day not in earlier.days_off
    for day in workdays:
        assert day in schedule.workdays
        assert day not in earlier.workdays
    december = {d for d in schedule.days_off | schedule.workdays if d.year == year - 1}
    assert december == set(days_off) | set(workdays)


def test_no_day_is_set_by_two_files(bundled):
    seen: dict[date, int] = {}
    for year, schedule in bundled.items():
        for day in schedule.days_off | schedule.workdays:
            assert day not in seen, f"{day} in {seen.get(day)}.toml and {year}.toml"
            seen[day] = year


def test_later_notices_are_recorded_on_their_festival(bundled):
    by_number = {
        f.notice_number: (year, f)
        for year, s in bundled.items()
        for f in s.festivals
        if f.notice_number
    }
    assert set(by_number) == {
        "国发明电〔2015〕1号",
        "国办发明电〔2019〕3号",
        "国办发明电〔2020〕1号",
    }
    year, anniversary = by_number["国发明电〔2015〕1号"]
    assert year == 2015
    assert anniversary.notice_published == date(2015, 5, 13)
    assert date(2015, 9, 3) in anniversary.days_off and date(2015, 9, 4) in anniversary.days_off
    assert anniversary.workdays == (date(2015, 9, 6),)
    year, labour = by_number["国办发明电〔2019〕3号"]
    assert (year, labour.off) == (2019, ((date(2019, 5, 1), date(2019, 5, 4)),))
    year, extension = by_number["国办发明电〔2020〕1号"]
    assert (year, extension.off) == (2020, ((date(2020, 1, 31), date(2020, 2, 2)),))
    assert date(2020, 2, 1) not in bundled[2020].workdays  # worked no more after the extension


# -- the bundled files themselves ---------------------------------------------------------------


def test_every_year_2004_to_2026_is_bundled():
    assert list(load_bundled()) == list(range(2004, 2027))
    assert load_bundled(str(DEFAULT_DIRECTORY)) == load_bundled(DEFAULT_DIRECTORY)


def test_the_holidays_folder_is_data_only():
    names = {p.name for p in DEFAULT_DIRECTORY.iterdir()}
    assert names == {f"{year}.toml" for year in range(2004, 2027)}


def test_every_bundled_year_has_title_and_published_date(bundled):
    for year, schedule in bundled.items():
        assert schedule.title == f"国务院办公厅关于{year}年部分节假日安排的通知"
        assert schedule.published is not None
        assert schedule.published.year == year - 1, year  # notices come out the year before
        if schedule.number:
            assert schedule.number.startswith(f"国办发明电〔{year - 1}〕"), year
            assert schedule.number.endswith("号")


def test_unverified_numbers_are_left_out_and_say_so(bundled):
    for year in (2004, 2005, 2008):
        assert bundled[year].number == ""
        text = (DEFAULT_DIRECTORY / f"{year}.toml").read_text(encoding="utf-8")
        assert "# 文号 not verified" in text


@pytest.mark.parametrize("year", range(2004, 2027))
def test_to_toml_round_trips(bundled, year):
    schedule = bundled[year]
    text = schedule.to_toml()
    assert parse_year_toml(text, source=f"{year}.toml") == schedule
    raw = tomllib.loads(text)
    assert raw["year"] == year
    assert raw["notice"]["title"] == schedule.title


def test_properties():
    festival = Festival("春节", ((date(2026, 2, 15), date(2026, 2, 17)),), (date(2026, 2, 14),))
    schedule = YearSchedule(2026, "t", "", date(2025, 11, 4), "", (festival,))
    assert festival.days_off == (date(2026, 2, 15), date(2026, 2, 16), date(2026, 2, 17))
    assert schedule.days_off == frozenset(festival.days_off)
    assert schedule.workdays == frozenset({date(2026, 2, 14)})


def test_to_toml_escapes_strings():
    festival = Festival('带"引号"\\的节', ((date(2026, 1, 1), date(2026, 1, 1)),), ())
    schedule = YearSchedule(2026, 'A "title"', "", date(2025, 11, 4), "", (festival,))
    assert parse_year_toml(schedule.to_toml()) == schedule


# -- validation: each rule rejects a crafted file ------------------------------------------------

GOOD = """
year = 2026
[notice]
title = "国务院办公厅关于2026年部分节假日安排的通知"
number = "国办发明电〔2025〕7号"
published = 2025-11-04
[[festival]]
name = "元旦"
off = [[2026-01-01, 2026-01-03]]
workdays = [2026-01-04]
[[festival]]
name = "春节"
off = [[2026-02-15, 2026-02-23]]
workdays = [2026-02-14, 2026-02-28]
"""


def _with(festivals: str, *, header: str | None = None) -> str:
    head = (
        header
        if header is not None
        else """
year = 2026
[notice]
title = "国务院办公厅关于2026年部分节假日安排的通知"
published = 2025-11-04
"""
    )
    return head + festivals


def test_the_good_file_loads():
    schedule = parse_year_toml(GOOD, source="2026.toml")
    assert schedule.year == 2026
    assert schedule.number == "国办发明电〔2025〕7号"
    assert [f.name for f in schedule.festivals] == ["元旦", "春节"]
    assert date(2026, 2, 20) in schedule.days_off


def _rejects(text: str, *fragments: str, source: str = "2026.toml") -> str:
    with pytest.raises(HolidayDataError) as info:
        parse_year_toml(text, source=source)
    message = str(info.value)
    assert message.startswith(source), message
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_error_is_a_value_error():
    assert issubclass(HolidayDataError, ValueError)


def test_make_up_day_must_be_a_weekend_day():
    text = _with(
        '[[festival]]\nname = "元旦"\noff = [[2026-01-01, 2026-01-03]]\nworkdays = [2026-01-05]\n'
    )
    _rejects(text, "2026-01-05", "星期一", "只能是星期六或星期日", "元旦")


def test_make_up_day_must_not_be_a_day_off():
    text = _with(
        '[[festival]]\nname = "元旦"\noff = [[2026-01-01, 2026-01-04]]\nworkdays = [2026-01-04]\n'
    )
    _rejects(text, "2026-01-04", "既是", "调休上班日", "放假日")


def test_make_up_day_listed_twice():
    text = _with(
        '[[festival]]\nname = "元旦"\noff = [[2026-01-01, 2026-01-03]]\nworkdays = [2026-01-04]\n'
        '[[festival]]\nname = "春节"\noff = [[2026-02-15, 2026-02-23]]\nworkdays = [2026-01-04]\n'
    )
    _rejects(text, "调休上班日 2026-01-04 重复")


def test_overlapping_ranges_of_two_festivals():
    text = _with(
        '[[festival]]\nname = "中秋节"\noff = [[2026-09-25, 2026-10-01]]\nworkdays = []\n'
        '[[festival]]\nname = "国庆节"\noff = [[2026-10-01, 2026-10-07]]\nworkdays = []\n'
    )
    _rejects(text, "2026-10-01", "重复", "国庆节", "中秋节")


def test_day_listed_twice_within_one_festival():
    text = _with(
        '[[festival]]\nname = "端午节"\n'
        "off = [[2026-06-19, 2026-06-21], [2026-06-21, 2026-06-22]]\nworkdays = []\n"
    )
    _rejects(text, "2026-06-21", "同一节日内")


def test_range_must_run_forwards():
    text = _with('[[festival]]\nname = "清明节"\noff = [[2026-04-06, 2026-04-04]]\nworkdays = []\n')
    _rejects(text, "2026-04-06", "首日晚于末日")


def test_days_must_lie_in_the_year():
    text = _with('[[festival]]\nname = "春节"\noff = [[2027-02-05, 2027-02-06]]\nworkdays = []\n')
    _rejects(text, "2027-02-05", "不在 2026 年内")


def test_new_year_may_use_the_last_seven_days_of_the_previous_december():
    ok = _with(
        '[[festival]]\nname = "元旦"\noff = [[2025-12-31, 2026-01-01]]\nworkdays = [2025-12-27]\n'
    )
    assert date(2025, 12, 27) in parse_year_toml(ok).workdays
    too_early = _with(
        '[[festival]]\nname = "元旦"\noff = [[2026-01-01, 2026-01-01]]\nworkdays = [2025-12-20]\n'
    )
    _rejects(too_early, "2025-12-20", "不在 2026 年内", "最后7天")
    not_new_year = _with(
        '[[festival]]\nname = "春节"\noff = [[2025-12-31, 2026-01-01]]\nworkdays = []\n'
    )
    _rejects(not_new_year, "2025-12-31", "不在 2026 年内")


def test_year_is_required():
    text = GOOD.replace("year = 2026\n", "")
    with pytest.raises(HolidayDataError, match="缺少年份"):
        parse_year_toml(text, source="x.toml")


def test_notice_is_required():
    text = _with(
        '[[festival]]\nname = "元旦"\noff = [[2026-01-01, 2026-01-01]]\nworkdays = []\n',
        header="year = 2026\n",
    )
    _rejects(text, "缺少 [notice]")


def test_title_is_required():
    _rejects(GOOD.replace('title = "国务院办公厅关于2026年部分节假日安排的通知"\n', ""), "通知标题")


def test_published_is_required():
    _rejects(GOOD.replace("published = 2025-11-04\n", ""), "缺少通知日期")


def test_published_must_be_a_date():
    _rejects(GOOD.replace("published = 2025-11-04", 'published = "2025-11-04"'), "应为日期")


def test_published_before_the_end_of_the_year():
    _rejects(GOOD.replace("published = 2025-11-04", "published = 2027-01-02"), "晚于 2026 年年底")


def test_festival_notice_published_before_the_end_of_the_year():
    text = GOOD + "notice_published = 2027-03-22\n"
    _rejects(text, "春节", "2027-03-22", "晚于 2026 年年底")


def test_festival_needs_name_and_ranges():
    _rejects(_with("[[festival]]\noff = [[2026-01-01, 2026-01-01]]\n"), "缺少名称")
    _rejects(_with('[[festival]]\nname = "元旦"\nworkdays = []\n'), "元旦", "缺少放假区间")
    _rejects(_with('[[festival]]\nname = "元旦"\noff = [[2026-01-01]]\n'), "格式不对")


def test_festivals_are_required():
    _rejects(_with(""), "没有任何节日安排")


def test_unknown_keys_are_rejected():
    _rejects(GOOD + "offf = []\n", "无法识别", "offf")


def test_invalid_toml():
    _rejects("year = = 2026", "不是有效的 TOML")


def test_message_names_the_year_when_there_is_no_source():
    with pytest.raises(HolidayDataError, match=r"^2026年节假日安排："):
        parse_year_toml(GOOD.replace("published = 2025-11-04\n", ""))


def test_load_year_file_and_file_name_rule(tmp_path: Path):
    (tmp_path / "2026.toml").write_text(GOOD, encoding="utf-8")
    assert load_year_file(tmp_path / "2026.toml").year == 2026
    assert list(load_bundled(tmp_path)) == [2026]
    (tmp_path / "2027.toml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(HolidayDataError, match=r"2027\.toml.*文件名应与其中的年份一致"):
        load_bundled(tmp_path)


def test_load_year_file_names_the_file(tmp_path: Path):
    path = tmp_path / "2026.toml"
    path.write_text(GOOD.replace("workdays = [2026-01-04]", "workdays = [2026-01-05]"), "utf-8")
    with pytest.raises(HolidayDataError, match=r"^2026\.toml（2026年）：.*只能是星期六或星期日"):
        load_year_file(path)
    with pytest.raises(HolidayDataError, match="无法读取"):
        load_year_file(tmp_path / "missing.toml")


def test_missing_directory():
    with pytest.raises(HolidayDataError, match="目录不存在"):
        load_bundled("/nonexistent/holidays")
