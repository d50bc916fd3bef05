"""manage.py import_holidays: load a year's State Council holiday notice without a release."""

import sys
import tomllib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workflow.calendar import WorkingCalendar, get_calendar
from workflow.cn import cn_date
from workflow.holiday_data import HolidayDataError, YearSchedule, parse_year_toml
from workflow.holiday_notice import parse_notice
from workflow.services import holiday_schedule_import, schedule_changes

WEEKDAYS = "一二三四五六日"


def _day(d) -> str:
    return f"{cn_date(d)}（周{WEEKDAYS[d.weekday()]}）"


def read_schedule(text: str, *, year: int | None, source: str) -> YearSchedule:
    """A year file (TOML) or the pasted text of a notice, whichever ``text`` is."""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return parse_notice(text, year=year)
    schedule = parse_year_toml(text, source=source)
    if year is not None and schedule.year != year:
        raise HolidayDataError(f"{source}是{schedule.year}年的安排，与 --year {year} 不一致。")
    return schedule


def describe_schedule(schedule: YearSchedule) -> list[str]:
    lines = [f"通知：{schedule.title}"]
    if schedule.number:
        lines.append(f"文号：{schedule.number}")
    if schedule.published:
        lines.append(f"发布日期：{cn_date(schedule.published)}")
    for festival in schedule.festivals:
        spans = "、".join(
            f"{_day(first)}至{_day(last)}（{(last - first).days + 1}天）"
            if first != last
            else f"{_day(first)}（1天）"
            for first, last in festival.off
        )
        work = "、".join(_day(d) for d in festival.workdays) or "无"
        lines.append(f"  {festival.name}：放假 {spans}；调休上班 {work}")
    lines.append(
        f"合计：放假{len(schedule.days_off)}天（含周末），调休上班{len(schedule.workdays)}天。"
    )
    return lines


class Command(BaseCommand):
    help = (
        "导入国务院办公厅的年度节假日安排：可以是年度数据文件（TOML），也可以是通知原文"
        "（粘贴的文本文件，或用 - 从标准输入读取）。"
        "显示解析结果，确认后导入，并重新计算受影响的期限。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "source", help="年度数据文件（.toml）或通知原文文本文件；- 表示标准输入"
        )
        parser.add_argument("--year", type=int, help="年度（通知原文中没有标题时必填）")
        parser.add_argument("--yes", action="store_true", help="不询问，直接导入（用于脚本）")

    def handle(self, *args, source, year, yes, **options):
        if source == "-":
            text = sys.stdin.read()
            name = "标准输入"
        else:
            path = Path(source)
            if not path.is_file():
                raise CommandError(f"找不到文件：{source}")
            try:
                text = path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError:
                raise CommandError(f"{source} 不是 UTF-8 编码的文本文件。") from None
            name = path.name
        try:
            schedule = read_schedule(text, year=year, source=name)
        except ValueError as error:
            raise CommandError(f"无法解析 {name}：{error}") from None

        for line in describe_schedule(schedule):
            self.stdout.write(line)

        current = get_calendar(None)
        preview = WorkingCalendar({**current.schedules, schedule.year: schedule})
        changed = schedule_changes(current, preview, schedule)
        if schedule.year in current.official_years:
            self.stdout.write(self.style.WARNING(f"{schedule.year}年已有官方安排，导入将替换它。"))
        else:
            self.stdout.write(f"{schedule.year}年目前按暂定日历计算，导入后改为官方安排。")
        if changed:
            listed = "、".join(
                f"{cn_date(d)}改为{'工作日' if preview.is_working_day(d) else '休息日'}"
                for d in changed
            )
            self.stdout.write(f"与现行日历相比有{len(changed)}天变化：{listed}")
        else:
            self.stdout.write("与现行日历相比没有变化。")

        if not yes:
            if not sys.stdin.isatty() or source == "-":
                raise CommandError("需要确认：请在终端中运行并回答，或加上 --yes。")
            answer = input("确认导入？[y/N] ").strip().lower()
            if answer not in {"y", "yes", "是"}:
                self.stdout.write("未导入。")
                return

        result = holiday_schedule_import(actor=None, schedule=schedule, source_text=text)
        self.stdout.write(self.style.SUCCESS(f"已导入{schedule.year}年节假日安排。"))
        if result.moved:
            self.stdout.write(
                f"{len(result.moved)}个已保存的期限重新计算后发生变化（提前的在前）："
            )
            for moved in result.moved:
                old = cn_date(moved.old_due) if moved.old_due else "—"
                new = cn_date(moved.new_due) if moved.new_due else "—"
                flag = "【提前】" if moved.earlier else ""
                self.stdout.write(f"  {flag}{moved.label}：{old} → {new}")
        else:
            self.stdout.write("没有已保存的期限因此变化。")
