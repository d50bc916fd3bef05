"""manage.py import_holidays: load a year's State Council holiday notice without a release."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workflow.cn import cn_date
from workflow.holiday_import import preview_import, read_schedule
from workflow.services import holiday_schedule_import


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

        preview = preview_import(schedule)
        for line in preview.lines:
            self.stdout.write(line)
        if preview.replaces_official:
            self.stdout.write(self.style.WARNING(f"{schedule.year}年已有官方安排，导入将替换它。"))
        else:
            self.stdout.write(f"{schedule.year}年目前按暂定日历计算，导入后改为官方安排。")
        if preview.changes:
            listed = "、".join(preview.change_lines())
            self.stdout.write(f"与现行日历相比有{len(preview.changes)}天变化：{listed}")
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
