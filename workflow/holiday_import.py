"""Reading and previewing a holiday notice before it is imported (command and admin share this)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date

from workflow.calendar import WorkingCalendar, get_calendar
from workflow.cn import cn_date, cn_weekday
from workflow.holiday_data import HolidayDataError, YearSchedule, parse_year_toml
from workflow.holiday_notice import parse_notice
from workflow.services import schedule_changes


def day_with_weekday(day: date) -> str:
    return f"{cn_date(day)}（{cn_weekday(day)}）"


def read_schedule(text: str, *, year: int | None = None, source: str = "") -> YearSchedule:
    """A year file (TOML) or the pasted text of a notice, whichever ``text`` is.

    Raises ``ValueError`` (``HolidayDataError`` included) with a Chinese message.
    """
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return parse_notice(text, year=year)
    schedule = parse_year_toml(text, source=source)
    if year is not None and schedule.year != year:
        raise HolidayDataError(f"{source}是{schedule.year}年的安排，与指定的{year}年不一致。")
    return schedule


def describe_schedule(schedule: YearSchedule) -> list[str]:
    """What was parsed, one line a festival, for a person to check before confirming."""
    lines = [f"通知：{schedule.title}"]
    if schedule.number:
        lines.append(f"文号：{schedule.number}")
    if schedule.published:
        lines.append(f"发布日期：{cn_date(schedule.published)}")
    for festival in schedule.festivals:
        spans = "、".join(
            f"{day_with_weekday(first)}至{day_with_weekday(last)}（{(last - first).days + 1}天）"
            if first != last
            else f"{day_with_weekday(first)}（1天）"
            for first, last in festival.off
        )
        work = "、".join(day_with_weekday(d) for d in festival.workdays) or "无"
        lines.append(f"{festival.name}：放假 {spans}；调休上班 {work}")
    lines.append(
        f"合计：放假{len(schedule.days_off)}天（含周末），调休上班{len(schedule.workdays)}天。"
    )
    return lines


@dataclass(frozen=True)
class Preview:
    schedule: YearSchedule
    lines: list[str]
    replaces_official: bool
    changes: list[tuple[date, bool]]  # (day, working after the import)

    def change_lines(self) -> list[str]:
        return [
            f"{cn_date(d)}改为{'工作日' if working else '休息日'}" for d, working in self.changes
        ]


def preview_import(schedule: YearSchedule) -> Preview:
    """What importing ``schedule`` would change in the national calendar (nothing is saved)."""
    current = get_calendar(None)
    after = WorkingCalendar({**current.schedules, schedule.year: schedule})
    changed = schedule_changes(current, after, schedule)
    return Preview(
        schedule=schedule,
        lines=describe_schedule(schedule),
        replaces_official=schedule.year in current.official_years,
        changes=[(d, after.is_working_day(d)) for d in changed],
    )
