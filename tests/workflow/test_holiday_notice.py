"""Parsing the pasted text of a holiday notice (workflow.holiday_notice.parse_notice).

tests/workflow/notices/YYYY.txt hold the notices of 2016-2026 as published (title, 文号, the
numbered lines, the date). Parsing each must give the bundled schedule of that year — after the
later notices that changed a year are applied (2019 劳动节, 2020 春节 extension), exactly as the
bundled file records them on the festival that carries its own ``notice_number``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from workflow.holiday_data import HolidayDataError, YearSchedule, load_bundled, parse_year_toml
from workflow.holiday_notice import parse_notice

NOTICES = Path(__file__).resolve().parent / "notices"


@pytest.fixture(scope="module")
def bundled() -> dict[int, YearSchedule]:
    return load_bundled()


def _consolidated(parsed: YearSchedule, bundled: YearSchedule) -> tuple[set, set]:
    """The parsed year notice with the bundled festivals set by later notices applied."""
    later = [f for f in bundled.festivals if f.notice_number]
    later_off = {day for f in later for day in f.days_off}
    days_off = set(parsed.days_off) | later_off
    workdays = (set(parsed.workdays) - later_off) | {day for f in later for day in f.workdays}
    return days_off, workdays


def test_there_is_a_notice_text_for_every_year_since_2016():
    assert sorted(p.stem for p in NOTICES.glob("*.txt")) == [str(y) for y in range(2016, 2027)]


@pytest.mark.parametrize("year", range(2016, 2027))
def test_notice_text_gives_the_bundled_schedule(bundled, year):
    parsed = parse_notice((NOTICES / f"{year}.txt").read_text(encoding="utf-8"))
    expected = bundled[year]
    assert parsed.year == year
    assert parsed.title == expected.title
    assert parsed.number == expected.number
    assert parsed.published == expected.published
    days_off, workdays = _consolidated(parsed, expected)
    assert days_off == expected.days_off
    assert workdays == expected.workdays
    # Festival by festival, for the festivals no later notice changed.
    later = {f.name for f in expected.festivals if f.notice_number}
    later_off = {day for f in expected.festivals if f.notice_number for day in f.days_off}
    by_name = {f.name: f for f in expected.festivals}
    parsed_names = {f.name for f in parsed.festivals}
    names = [f.name for f in expected.festivals if not f.notice_number or f.name in parsed_names]
    assert [f.name for f in parsed.festivals] == names
    for festival in parsed.festivals:
        if festival.name in later:
            continue
        assert festival.off == by_name[festival.name].off, festival.name
        kept = tuple(d for d in festival.workdays if d not in later_off)
        assert kept == by_name[festival.name].workdays, festival.name


@pytest.mark.parametrize("year", range(2016, 2027))
def test_parsed_schedule_saves_and_loads(year):
    parsed = parse_notice((NOTICES / f"{year}.txt").read_text(encoding="utf-8"))
    assert parse_year_toml(parsed.to_toml()) == parsed


def test_2020_text_still_lists_february_1_as_worked(bundled):
    parsed = parse_notice((NOTICES / "2020.txt").read_text(encoding="utf-8"))
    assert date(2020, 2, 1) in parsed.workdays  # as first published
    assert date(2020, 2, 1) in bundled[2020].days_off  # after 国办发明电〔2020〕1号


# -- edge cases ---------------------------------------------------------------------------------


def _one(line: str, year: int = 2026):
    schedule = parse_notice(line, year=year)
    assert len(schedule.festivals) == 1
    return schedule.festivals[0]


def test_range_within_one_month():
    festival = _one("一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。")
    assert festival.name == "元旦"
    assert festival.off == ((date(2026, 1, 1), date(2026, 1, 3)),)
    assert festival.workdays == (date(2026, 1, 4),)


def test_range_across_months():
    festival = _one(
        "七、国庆节、中秋节：9月29日至10月6日放假调休，共8天。10月7日（星期六）、10月8日（星期日）上班。",
        2023,
    )
    assert festival.name == "国庆节、中秋节"
    assert festival.off == ((date(2023, 9, 29), date(2023, 10, 6)),)
    assert festival.workdays == (date(2023, 10, 7), date(2023, 10, 8))


def test_range_across_years_with_explicit_years():
    festival = _one(
        "一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班。",
        2019,
    )
    assert festival.off == ((date(2018, 12, 30), date(2019, 1, 1)),)
    assert festival.workdays == (date(2018, 12, 29),)


def test_range_across_years_without_years():
    festival = _one("一、元旦：12月30日至1月1日放假调休，共3天。12月29日（星期六）上班。", 2019)
    assert festival.off == ((date(2018, 12, 30), date(2019, 1, 1)),)
    assert festival.workdays == (date(2018, 12, 29),)


def test_single_day_joined_to_the_weekend():
    festival = _one("三、清明节：4月5日放假，与周末连休。", 2019)
    assert festival.off == ((date(2019, 4, 5), date(2019, 4, 5)),)
    assert festival.workdays == ()


def test_single_day_with_a_compensatory_day():
    assert _one("四、劳动节：5月1日放假，5月2日（星期一）补休。", 2016).off == (
        (date(2016, 5, 1), date(2016, 5, 2)),
    )
    assert _one("五、端午节：6月20日放假，6月22日（星期一）补休。", 2015).off == (
        (date(2015, 6, 20), date(2015, 6, 20)),
        (date(2015, 6, 22), date(2015, 6, 22)),
    )


def test_one_day_not_moved():
    festival = _one("一、元旦：1月1日（周三）放假1天，不调休。", 2025)
    assert festival.off == ((date(2025, 1, 1), date(2025, 1, 1)),)


def test_lunar_remarks_and_two_make_up_days():
    festival = _one(
        "二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。"
        "2月14日（周六）、2月28日（周六）上班。"
    )
    assert festival.off == ((date(2026, 2, 15), date(2026, 2, 23)),)
    assert festival.workdays == (date(2026, 2, 14), date(2026, 2, 28))


def test_make_up_days_in_two_months_and_without_month():
    festival = _one(
        "七、国庆节：10月1日至7日放假调休，共7天。9月28日（周日）、10月11日（周六）上班。", 2025
    )
    assert festival.workdays == (date(2025, 9, 28), date(2025, 10, 11))
    festival = _one(
        "二、春节：2月13日至19日放假调休，共7天。2月20日（星期六）、21日（星期日）上班。", 2010
    )
    assert festival.workdays == (date(2010, 2, 20), date(2010, 2, 21))


def test_encouragement_is_not_a_day_off():
    festival = _one(
        "二、春节：2月10日至17日放假调休，共8天。2月4日（星期日）、2月18日（星期日）上班。"
        "鼓励各单位结合带薪年休假等制度落实，安排职工在除夕（2月9日）休息。",
        2024,
    )
    assert date(2024, 2, 9) not in festival.days_off
    assert festival.workdays == (date(2024, 2, 4), date(2024, 2, 18))


def test_half_width_punctuation_gives_the_same_result():
    full = "一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。"
    half = "一、元旦:1月1日(周四)至3日(周六)放假调休,共3天.1月4日(周日)上班."
    assert parse_notice(full, year=2026) == parse_notice(half, year=2026)
    fullwidth_digits = (
        "一、元旦：１月１日（星期四）至３日（星期六）放假调休，共３天。１月４日（星期日）上班。"
    )
    assert parse_notice(fullwidth_digits, year=2026) == parse_notice(full, year=2026)


def test_bad_count_names_the_festival():
    with pytest.raises(ValueError, match=r"节日“春节”.*共9天.*共10天"):
        _one("二、春节：2月15日至23日放假调休，共10天。2月14日（周六）上班。")


def test_wrong_weekday_is_an_error():
    with pytest.raises(ValueError, match=r"2026-01-04 是星期日，原文却写作星期六"):
        _one("一、元旦：1月1日至3日放假调休，共3天。1月4日（周六）上班。")


def test_unparseable_line_is_quoted():
    line = "一、元旦1月1日放假"
    with pytest.raises(ValueError, match="无法解析节日行：“一、元旦1月1日放假”"):
        parse_notice(line, year=2026)
    with pytest.raises(ValueError, match=r"节日“春节”.*没有找到放假日期.*二、春节：放假很多天。"):
        parse_notice("二、春节：放假很多天。", year=2026)
    with pytest.raises(ValueError, match=r"无法理解“2月15日和2月16日放假”"):
        parse_notice("二、春节：2月15日和2月16日放假。", year=2026)


def test_rule_violations_are_value_errors():
    with pytest.raises(HolidayDataError, match="只能是星期六或星期日"):
        _one("一、元旦：1月1日至3日放假调休，共3天。1月5日上班。")
    assert issubclass(HolidayDataError, ValueError)


def test_no_festival_lines():
    with pytest.raises(ValueError, match="没有找到任何节日安排"):
        parse_notice("国务院办公厅关于2026年部分节假日安排的通知\n节假日期间……", year=None)


def test_year_comes_from_the_title_and_the_argument_overrides_it():
    text = "国务院办公厅关于2026年部分节假日安排的通知\n一、元旦：1月1日放假。"
    assert parse_notice(text).year == 2026
    assert parse_notice(text).festivals[0].off[0][0] == date(2026, 1, 1)
    overridden = parse_notice(text, year=2027)
    assert overridden.year == 2027
    assert overridden.title == "国务院办公厅关于2027年部分节假日安排的通知"
    assert overridden.festivals[0].off[0][0] == date(2027, 1, 1)
    with pytest.raises(ValueError, match="请指定年份"):
        parse_notice("一、元旦：1月1日放假。")


def test_title_split_over_two_lines():
    text = "国务院办公厅关于2026年\n部分节假日安排的通知\n一、元旦：1月1日放假。"
    assert parse_notice(text).year == 2026


def test_number_and_date_are_captured_when_present():
    text = (
        "国务院办公厅关于2026年部分节假日安排的通知\n国办发明电[2025]7号\n"
        "一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。\n"
        "国务院办公厅\n二〇二五年十一月四日\n"
    )
    schedule = parse_notice(text)
    assert schedule.number == "国办发明电〔2025〕7号"
    assert schedule.published == date(2025, 11, 4)
    one_line = text.replace("国务院办公厅\n二〇二五年十一月四日", "国务院办公厅 2025年11月4日")
    assert parse_notice(one_line).published == date(2025, 11, 4)
    bare = parse_notice("一、元旦：1月1日放假。", year=2026)
    assert (bare.number, bare.published) == ("", None)


def test_festival_line_wrapped_onto_the_next_line():
    text = (
        "二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。\n"
        "2月14日（周六）、2月28日（周六）上班。\n"
        "三、清明节：\n4月4日（周六）至6日（周一）放假，共3天。\n"
        "节假日期间，各地区、各部门要妥善安排好值班。\n"
    )
    schedule = parse_notice(text, year=2026)
    assert [f.name for f in schedule.festivals] == ["春节", "清明节"]
    assert schedule.festivals[0].workdays == (date(2026, 2, 14), date(2026, 2, 28))
    assert schedule.festivals[1].off == ((date(2026, 4, 4), date(2026, 4, 6)),)


def test_published_after_the_year_is_rejected():
    with pytest.raises(HolidayDataError, match="晚于 2026 年年底"):
        parse_notice("一、元旦：1月1日放假。\n2027年1月5日", year=2026)


def _written(day: date, year: int, previous: date | None = None) -> str:
    """A date as the notices write it, with its weekday (周X)."""
    weekday = "一二三四五六日"[day.weekday()]
    if day.year != year or (previous is not None and previous.year != day.year):
        text = f"{day.year}年{day.month}月{day.day}日"
    elif previous is not None and previous.month == day.month:
        text = f"{day.day}日"
    else:
        text = f"{day.month}月{day.day}日"
    return f"{text}（周{weekday}）"


@pytest.mark.parametrize("year", range(2004, 2027))
def test_every_bundled_festival_written_in_the_notice_pattern_parses_back(bundled, year):
    """Each single-range festival of the data, written as a post-2016 notice line, round-trips."""
    numerals = "一二三四五六七八九十"
    for index, festival in enumerate(bundled[year].festivals):
        if len(festival.off) != 1:
            continue
        first, last = festival.off[0]
        days = last.toordinal() - first.toordinal() + 1
        if first == last:
            line = f"{_written(first, year)}放假，共1天。"
        else:
            line = f"{_written(first, year)}至{_written(last, year, first)}放假调休，共{days}天。"
        if festival.workdays:
            line += "、".join(_written(d, year) for d in festival.workdays) + "上班。"
        text = f"{numerals[index]}、{festival.name}：{line}"
        parsed = parse_notice(text, year=year).festivals[0]
        assert (parsed.name, parsed.off, parsed.workdays) == (
            festival.name,
            festival.off,
            festival.workdays,
        ), text
