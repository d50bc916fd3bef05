"""The official holiday schedules (国务院办公厅《关于YYYY年部分节假日安排的通知》) as data.

One TOML file per notice year lives in ``<repo>/holidays/`` (DOMAIN §2). This module reads,
validates and writes that format; it is pure Python (standard library only, no Django), so the
calendar, the admin import and the tests share one definition of a valid schedule.

File format::

    # 国务院办公厅关于2026年部分节假日安排的通知
    year = 2026

    [notice]
    title = "国务院办公厅关于2026年部分节假日安排的通知"
    number = "国办发明电〔2025〕7号"   # optional: omitted when the 文号 is unknown
    published = 2025-11-04             # the notice's date
    url = "https://www.gov.cn/..."     # optional

    [[festival]]
    name = "元旦"
    off = [[2026-01-01, 2026-01-03]]   # inclusive ranges of days off, weekend days included
    workdays = [2026-01-04]            # make-up working days (调休上班), weekend days only
    # optional, when a later notice set this festival (2015 抗战胜利70周年, 2019 劳动节, ...):
    # notice_title = "...", notice_number = "...", notice_published = 2019-03-22

Days set by a notice belong to that notice's file, even the last days of the previous December
that some notices give to 元旦 (e.g. the 2019 notice: 2018-12-30 to 2019-01-01 off).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from workflow.cn import cn_weekday

__all__ = [
    "DEFAULT_DIRECTORY",
    "Festival",
    "HolidayDataError",
    "YearSchedule",
    "iter_days",
    "load_bundled",
    "load_year_file",
    "parse_year_toml",
    "validate_schedule",
]

#: ``<repo root>/holidays``: the bundled schedules.
DEFAULT_DIRECTORY = Path(__file__).resolve().parent.parent / "holidays"

#: The festival whose days may lie at the end of the previous December.
NEW_YEAR = "元旦"
#: How many last days of the previous December a 元旦 arrangement may use.
CROSS_YEAR_DAYS = 7


class HolidayDataError(ValueError):
    """A holiday schedule is malformed or inconsistent (the message is Chinese, for users)."""


def iter_days(first: date, last: date) -> Iterator[date]:
    """Every day from ``first`` to ``last`` inclusive."""
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


@dataclass(frozen=True)
class Festival:
    """One numbered item of a notice: its days off and its make-up working days.

    ``notice_*`` are set only when this festival's arrangement comes from another notice than
    the year's (e.g. 国发明电〔2015〕1号 for the 2015 anniversary day, 国办发明电〔2019〕3号
    for 劳动节 2019).
    """

    name: str
    off: tuple[tuple[date, date], ...]
    workdays: tuple[date, ...]
    notice_title: str = ""
    notice_number: str = ""
    notice_published: date | None = None

    @property
    def days_off(self) -> tuple[date, ...]:
        """Every day of the off ranges, in order."""
        return tuple(day for first, last in self.off for day in iter_days(first, last))


@dataclass(frozen=True)
class YearSchedule:
    """The official schedule of one year, as set by the year's notice (and any later notice)."""

    year: int
    title: str
    number: str
    published: date | None
    url: str
    festivals: tuple[Festival, ...]

    @property
    def days_off(self) -> frozenset[date]:
        """All days inside the off ranges of all festivals."""
        return frozenset(day for festival in self.festivals for day in festival.days_off)

    @property
    def workdays(self) -> frozenset[date]:
        """All make-up working days (调休上班)."""
        return frozenset(day for festival in self.festivals for day in festival.workdays)

    def to_toml(self) -> str:
        """The schedule in the bundled file format; ``parse_year_toml`` reads it back unchanged."""
        lines = [f"# {self.title}" if self.title else f"# {self.year}年节假日安排", ""]
        lines.append(f"year = {self.year}")
        lines.append("")
        lines.append("[notice]")
        lines.append(f"title = {_toml_string(self.title)}")
        if self.number:
            lines.append(f"number = {_toml_string(self.number)}")
        if self.published is not None:
            lines.append(f"published = {self.published.isoformat()}")
        if self.url:
            lines.append(f"url = {_toml_string(self.url)}")
        for festival in self.festivals:
            lines.append("")
            lines.append("[[festival]]")
            lines.append(f"name = {_toml_string(festival.name)}")
            ranges = ", ".join(f"[{a.isoformat()}, {b.isoformat()}]" for a, b in festival.off)
            lines.append(f"off = [{ranges}]")
            work = ", ".join(day.isoformat() for day in festival.workdays)
            lines.append(f"workdays = [{work}]")
            if festival.notice_title:
                lines.append(f"notice_title = {_toml_string(festival.notice_title)}")
            if festival.notice_number:
                lines.append(f"notice_number = {_toml_string(festival.notice_number)}")
            if festival.notice_published is not None:
                lines.append(f"notice_published = {festival.notice_published.isoformat()}")
        return "\n".join(lines) + "\n"


def _toml_string(value: str) -> str:
    out = ['"']
    for char in value:
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


# -- reading -----------------------------------------------------------------------------------


def _where(source: str, year: int | None = None) -> str:
    if source and year is not None:
        return f"{source}（{year}年）"
    if source:
        return source
    if year is not None:
        return f"{year}年节假日安排"
    return "节假日安排"


def _fail(source: str, year: int | None, message: str) -> HolidayDataError:
    return HolidayDataError(f"{_where(source, year)}：{message}")


def _is_date(value: Any) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _text(table: dict[str, Any], key: str, what: str, *, src: str, year: int | None) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise _fail(src, year, f"{what}（{key}）应为文字")
    return value.strip()


def _optional_date(
    table: dict[str, Any], key: str, what: str, *, src: str, year: int | None
) -> date | None:
    value = table.get(key)
    if value is None:
        return None
    if not _is_date(value):
        raise _fail(src, year, f"{what}（{key}）应为日期，例如 2025-11-04，而不是 {value!r}")
    return value


def _festival(raw: Any, index: int, *, src: str, year: int) -> Festival:
    label = f"第{index}个节日"
    if not isinstance(raw, dict):
        raise _fail(src, year, f"{label}格式不对，应为 [[festival]] 表")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _fail(src, year, f"{label}缺少名称（name）")
    name = name.strip()
    label = f"节日“{name}”"
    unknown = set(raw) - {
        "name",
        "off",
        "workdays",
        "notice_title",
        "notice_number",
        "notice_published",
    }
    if unknown:
        raise _fail(src, year, f"{label}有无法识别的项：{'、'.join(sorted(unknown))}")

    off_raw = raw.get("off")
    if not isinstance(off_raw, list) or not off_raw:
        raise _fail(src, year, f"{label}缺少放假区间（off），应写作 [[首日, 末日], ...]")
    off: list[tuple[date, date]] = []
    for item in off_raw:
        if not (isinstance(item, list) and len(item) == 2 and all(_is_date(d) for d in item)):
            raise _fail(
                src, year, f"{label}的放假区间 {item!r} 格式不对，应为 [首日, 末日] 两个日期"
            )
        off.append((item[0], item[1]))

    work_raw = raw.get("workdays", [])
    if not isinstance(work_raw, list) or not all(_is_date(d) for d in work_raw):
        raise _fail(src, year, f"{label}的调休上班日（workdays）应为日期列表")

    return Festival(
        name=name,
        off=tuple(off),
        workdays=tuple(work_raw),
        notice_title=_text(raw, "notice_title", f"{label}的通知标题", src=src, year=year),
        notice_number=_text(raw, "notice_number", f"{label}的文号", src=src, year=year),
        notice_published=_optional_date(
            raw, "notice_published", f"{label}的通知日期", src=src, year=year
        ),
    )


def parse_year_toml(text: str, *, source: str = "") -> YearSchedule:
    """Parse and validate one schedule file's text; raise ``HolidayDataError`` if it is wrong.

    ``source`` names the text in error messages (a file name, "导入的2027年安排", ...).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(source, None, f"不是有效的 TOML：{exc}") from exc

    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int):
        raise _fail(source, None, "缺少年份（year），应为整数，例如 year = 2026")
    if not 1949 < year < 2200:
        raise _fail(source, None, f"年份 {year} 不合理")

    unknown = set(data) - {"year", "notice", "festival"}
    if unknown:
        raise _fail(source, year, f"有无法识别的项：{'、'.join(sorted(unknown))}")

    notice = data.get("notice")
    if not isinstance(notice, dict):
        raise _fail(source, year, "缺少 [notice] 部分（通知的标题、文号、日期）")
    unknown = set(notice) - {"title", "number", "published", "url"}
    if unknown:
        raise _fail(source, year, f"[notice] 有无法识别的项：{'、'.join(sorted(unknown))}")
    title = _text(notice, "title", "通知标题", src=source, year=year)
    if not title:
        raise _fail(source, year, "缺少通知标题（notice.title）")
    published = _optional_date(notice, "published", "通知日期", src=source, year=year)
    if published is None:
        raise _fail(source, year, "缺少通知日期（notice.published），例如 published = 2025-11-04")

    festivals_raw = data.get("festival")
    if not isinstance(festivals_raw, list) or not festivals_raw:
        raise _fail(source, year, "没有任何节日安排（[[festival]]）")
    festivals = tuple(
        _festival(raw, index, src=source, year=year)
        for index, raw in enumerate(festivals_raw, start=1)
    )

    schedule = YearSchedule(
        year=year,
        title=title,
        number=_text(notice, "number", "文号", src=source, year=year),
        published=published,
        url=_text(notice, "url", "链接", src=source, year=year),
        festivals=festivals,
    )
    validate_schedule(schedule, source=source)
    return schedule


def validate_schedule(
    schedule: YearSchedule, *, source: str = "", require_published: bool = True
) -> None:
    """Check the rules every schedule obeys; raise ``HolidayDataError`` naming what is wrong.

    - ranges run forwards (first <= last); no day off is listed twice;
    - make-up working days are Saturdays or Sundays, listed once, and are not days off;
    - every day lies in the schedule's year, except 元旦 days in the last 7 days of the previous
      December (notices set those, e.g. 2018-12-29 working for the 2019 元旦);
    - the notice has a title and (unless ``require_published`` is false) a date, and every notice
      date is before the end of the year it arranges.
    """
    year = schedule.year
    if not schedule.title:
        raise _fail(source, year, "缺少通知标题")
    if schedule.published is None:
        if require_published:
            raise _fail(source, year, "缺少通知日期")
    elif schedule.published > date(year, 12, 31):
        raise _fail(
            source,
            year,
            f"通知日期 {schedule.published.isoformat()} 晚于 {year} 年年底，不可能是该年的安排",
        )
    if not schedule.festivals:
        raise _fail(source, year, "没有任何节日安排")

    def check_in_year(day: date, festival: Festival, what: str) -> None:
        if day.year == year:
            return
        cross_year = (
            festival.name == NEW_YEAR
            and day.year == year - 1
            and day >= date(year - 1, 12, 31) - timedelta(days=CROSS_YEAR_DAYS - 1)
        )
        if not cross_year:
            raise _fail(
                source,
                year,
                f"节日“{festival.name}”的{what} {day.isoformat()} 不在 {year} 年内"
                f"（只有元旦可以使用上一年12月的最后{CROSS_YEAR_DAYS}天）",
            )

    off_owner: dict[date, str] = {}
    work_owner: dict[date, str] = {}
    for festival in schedule.festivals:
        if not festival.name:
            raise _fail(source, year, "有节日缺少名称")
        if not festival.off:
            raise _fail(source, year, f"节日“{festival.name}”没有放假区间")
        if festival.notice_published is not None and festival.notice_published > date(year, 12, 31):
            raise _fail(
                source,
                year,
                f"节日“{festival.name}”的通知日期 {festival.notice_published.isoformat()} "
                f"晚于 {year} 年年底",
            )
        for first, last in festival.off:
            if first > last:
                raise _fail(
                    source,
                    year,
                    f"节日“{festival.name}”的放假区间 {first.isoformat()} 至 {last.isoformat()} "
                    "首日晚于末日",
                )
            check_in_year(first, festival, "放假日")
            check_in_year(last, festival, "放假日")
            for day in iter_days(first, last):
                if day in off_owner:
                    other = off_owner[day]
                    where = "同一节日内" if other == festival.name else f"与节日“{other}”"
                    raise _fail(
                        source,
                        year,
                        f"放假日 {day.isoformat()} 重复：节日“{festival.name}”{where}重复列出",
                    )
                off_owner[day] = festival.name
        for day in festival.workdays:
            check_in_year(day, festival, "调休上班日")
            if day.weekday() < 5:
                raise _fail(
                    source,
                    year,
                    f"节日“{festival.name}”的调休上班日 {day.isoformat()} "
                    f"是{cn_weekday(day, '星期')}，"
                    "调休上班日只能是星期六或星期日",
                )
            if day in work_owner:
                raise _fail(source, year, f"调休上班日 {day.isoformat()} 重复列出")
            work_owner[day] = festival.name

    for day, name in sorted(work_owner.items()):
        if day in off_owner:
            raise _fail(
                source,
                year,
                f"{day.isoformat()} 既是节日“{name}”的调休上班日，"
                f"又是节日“{off_owner[day]}”的放假日",
            )


def load_year_file(path: str | Path) -> YearSchedule:
    """Read and validate one schedule file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise HolidayDataError(f"无法读取节假日安排文件 {path}：{exc}") from exc
    except UnicodeDecodeError as exc:
        raise HolidayDataError(f"节假日安排文件 {path} 不是 UTF-8 编码") from exc
    return parse_year_toml(text, source=path.name)


def load_bundled(directory: str | Path | None = None) -> dict[int, YearSchedule]:
    """All schedules of ``directory`` (default: ``<repo root>/holidays``), by year.

    Each file must be named after its ``year`` (``2026.toml``).
    """
    folder = Path(directory) if directory is not None else DEFAULT_DIRECTORY
    if not folder.is_dir():
        raise HolidayDataError(f"节假日安排目录不存在：{folder}")
    schedules: dict[int, YearSchedule] = {}
    for path in _toml_files(folder.iterdir()):
        schedule = load_year_file(path)
        if path.stem != str(schedule.year):
            raise HolidayDataError(
                f"{path.name}：文件名应与其中的年份一致，应命名为 {schedule.year}.toml"
            )
        schedules[schedule.year] = schedule
    return dict(sorted(schedules.items()))


def _toml_files(paths: Iterable[Path]) -> list[Path]:
    return sorted(p for p in paths if p.suffix == ".toml" and p.is_file())
