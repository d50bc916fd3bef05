"""Parse the pasted text of a State Council holiday notice into a ``YearSchedule`` (DOMAIN §2).

The notices since 2016 follow one pattern (and those of 2010-2015 nearly so)::

    国务院办公厅关于2026年部分节假日安排的通知
    国办发明电〔2025〕7号
    ……
    一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。
    2月14日（周六）、2月28日（周六）上班。
    三、清明节：4月4日（周六）至6日（周一）放假，共3天。
    ……
    国务院办公厅
    2025年11月4日

Each numbered line gives the days off (a range "X至Y", a single day "X放假", a compensatory day
"Y（星期一）补休"), optionally "共N天" (checked against the range) and the make-up working days
("…上班"). Weekdays written in parentheses (周四, 星期四) are checked against the dates. The result
is validated like a bundled file, so the caller can show it and save it with ``to_toml()``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from workflow.holiday_data import (
    NEW_YEAR,
    Festival,
    YearSchedule,
    validate_schedule,
)

__all__ = ["parse_notice"]

_CN_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "Ｏ": 0,
    "O": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_WEEKDAY_NAMES = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_ORDINALS = "一二三四五六七八九十"

_TITLE_RE = re.compile(r"(?:国务院办公厅)?关于(\d{4})年部分节假日安排的通知")
_NUMBER_RE = re.compile(
    r"(国办发明电|国发明电)\s*[〔\[［(（【]\s*(\d{4})\s*[〕\]］)）】]\s*(?:第\s*)?(\d+)\s*号"
)
_ARABIC_DATE_LINE_RE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_CN_DATE_LINE_RE = re.compile(
    r"^([〇○零ＯO一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$"
)
_FESTIVAL_RE = re.compile(rf"^([{_ORDINALS}]+)\s*[、.]\s*(.*)$")
_FESTIVAL_BODY_RE = re.compile(r"^([^:]{1,40}?)\s*:\s*(.*)$")
# A date: optional year, optional month, day; then optional remarks in parentheses.
_DATE_RE = re.compile(
    r"(?:(\d{4})\s*年\s*)?(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日((?:\s*\([^()]*\))*)"
)
_RANGE_SEP_RE = re.compile(r"^\s*(?:至|到|—+|–|-|－|~|～)\s*$")
_COUNT_RE = re.compile(r"共\s*(\d+)\s*天")
_DAYS_OFF_COUNT_RE = re.compile(r"放假\s*(\d+)\s*天")
_WEEKDAY_RE = re.compile(r"(?:星期|周)([一二三四五六日天])")


@dataclass
class _DateRef:
    """A date as written in a clause."""

    day: date
    explicit_year: bool
    start: int
    end: int


class _Context:
    """Year and month carried from one date to the next within one festival line."""

    def __init__(self, year: int, festival: str, line: str) -> None:
        self.year = year
        self.month: int | None = None
        self.festival = festival
        self.line = line

    def error(self, message: str) -> ValueError:
        return ValueError(f"节日“{self.festival}”：{message}（原文：“{self.line}”）")

    def dates(self, clause: str) -> list[_DateRef]:
        """The dates of ``clause``; a missing year or month is carried from the previous date."""
        refs: list[_DateRef] = []
        for match in _DATE_RE.finditer(clause):
            year_text, month_text, day_text, remarks = match.groups()
            explicit_year = year_text is not None
            year = int(year_text) if explicit_year else self.year
            if month_text is not None:
                month = int(month_text)
            elif self.month is not None:
                month = self.month
            else:
                raise self.error(f"“{match.group(0).strip()}”缺少月份")
            if not explicit_year and self.festival == NEW_YEAR and month == 12:
                # 元旦 arrangements may use the end of the previous December (DOMAIN §2).
                year -= 1
            try:
                day = date(year, month, int(day_text))
            except ValueError:
                raise self.error(f"“{match.group(0).strip()}”不是有效日期") from None
            written = _WEEKDAY_RE.findall(remarks or "")
            if written and _WEEKDAY_NAMES[written[-1]] != day.weekday():
                actual = "一二三四五六日"[day.weekday()]
                raise self.error(f"{day.isoformat()} 是星期{actual}，原文却写作星期{written[-1]}")
            self.month = month
            if explicit_year:
                self.year = year
            refs.append(_DateRef(day, explicit_year, match.start(), match.end()))
        return refs


def _normalize(text: str) -> str:
    """Half-width punctuation and digits (NFKC); '。' and '；' become '.'."""
    text = unicodedata.normalize("NFKC", text)
    return text.replace("。", ".").replace(";", ".").replace("\u3000", " ")


def _split(text: str, separators: str) -> list[str]:
    """Split ``text`` at ``separators`` that are not inside parentheses."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        if char in separators and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def _cn_number(text: str) -> int:
    """二〇二五 → 2025 (digit by digit); 十一 → 11, 二十四 → 24, 三十 → 30."""
    if "十" not in text:
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    tens, _, units = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def _date_line(line: str) -> date | None:
    """The date of a line that holds only a date (the notice's date), e.g. 2025年11月4日."""
    compact = re.sub(r"\s+", "", unicodedata.normalize("NFKC", line))
    compact = re.sub(r"^(?:国务院办公厅|国务院)", "", compact)
    if match := _ARABIC_DATE_LINE_RE.match(compact):
        year, month, day = (int(g) for g in match.groups())
    elif match := _CN_DATE_LINE_RE.match(compact):
        year, month, day = (_cn_number(g) for g in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _merge(ranges: list[tuple[date, date]]) -> tuple[tuple[date, date], ...]:
    """Sort and join ranges that touch (5月1日放假，5月2日补休 → 5月1日至2日)."""
    merged: list[tuple[date, date]] = []
    for first, last in sorted(ranges):
        if merged and first.toordinal() <= merged[-1][1].toordinal() + 1:
            if last > merged[-1][1]:
                merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    return tuple(merged)


def _off_clause(clause: str, refs: list[_DateRef], ctx: _Context) -> tuple[date, date]:
    """The range of days off that one clause names: "X至Y放假调休" or "X放假" / "Y补休"."""
    if not any(word in clause for word in ("放假", "补休", "调休")):
        raise ctx.error(f"无法理解“{clause}”")
    if len(refs) == 1:
        return refs[0].day, refs[0].day
    if len(refs) == 2 and _RANGE_SEP_RE.match(clause[refs[0].end : refs[1].start]):
        first, last = refs[0].day, refs[1].day
        if last < first and not refs[0].explicit_year and first.month == 12:
            first = first.replace(year=first.year - 1)
        if last < first:
            raise ctx.error(f"放假区间 {first.isoformat()} 至 {last.isoformat()} 首尾颠倒")
        return first, last
    raise ctx.error(f"无法理解“{clause}”")


def _parse_festival(name: str, body: str, line: str, year: int) -> Festival:
    """One numbered line: its days off, make-up working days and 共N天 check."""
    ctx = _Context(year, name, line)
    off: list[tuple[date, date]] = []
    workdays: list[date] = []
    count: int | None = None
    for sentence in _split(body, "."):
        if sentence.startswith("鼓励"):
            continue  # 2024: “鼓励各单位……安排职工在除夕（2月9日）休息” gives no day off
        for clause in _split(sentence, ","):
            if match := _COUNT_RE.search(clause) or _DAYS_OFF_COUNT_RE.search(clause):
                count = int(match.group(1))
            refs = ctx.dates(clause)
            if not refs:
                continue  # 与周末连休, 不调休, 共3天 ...
            if "上班" in clause:
                workdays.extend(ref.day for ref in refs)
            else:
                off.append(_off_clause(clause, refs, ctx))
    if not off:
        raise ctx.error("没有找到放假日期")
    merged = _merge(off)
    if count is not None:
        total = sum(last.toordinal() - first.toordinal() + 1 for first, last in merged)
        if total != count:
            raise ctx.error(f"放假日期共{total}天，与原文“共{count}天”不符")
    return Festival(name=name, off=merged, workdays=tuple(workdays))


def parse_notice(text: str, *, year: int | None = None) -> YearSchedule:
    """Parse a holiday notice's text (title, 文号, numbered festival lines, date).

    ``year`` is required when the text has no title "关于YYYY年部分节假日安排的通知", and overrides
    it otherwise. A festival line may wrap onto following lines. Raises ``ValueError`` with a
    Chinese message quoting the line when a festival line cannot be understood, a "共N天" count
    or a written weekday does not match the dates, or the result breaks a schedule rule
    (``HolidayDataError``, itself a ``ValueError``).
    """
    compact = re.sub(r"\s+", "", text)
    title_match = _TITLE_RE.search(compact)
    if year is None and title_match:
        year = int(title_match.group(1))
    if year is None:
        raise ValueError("未找到通知标题中的年份（“关于YYYY年部分节假日安排的通知”），请指定年份")

    number = ""
    if match := _NUMBER_RE.search(unicodedata.normalize("NFKC", compact)):
        office, number_year, serial = match.groups()
        number = f"{office}〔{number_year}〕{int(serial)}号"

    published: date | None = None
    entries: list[list[str]] = []  # [name, body, original text]
    in_list = False
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        raw = raw.strip()
        if not raw:
            continue
        if (found := _date_line(raw)) is not None:
            published = found
            in_list = False
            continue
        line = _normalize(raw)
        if festival_match := _FESTIVAL_RE.match(line):
            body_match = _FESTIVAL_BODY_RE.match(festival_match.group(2).strip())
            name = re.sub(r"[\s\"“”'‘’]", "", body_match.group(1)) if body_match else ""
            if not name:
                raise ValueError(f"无法解析节日行：“{raw}”（应为“一、元旦：1月1日……放假……”）")
            entries.append([name, body_match.group(2).strip(), raw])
            in_list = True
        elif in_list and _DATE_RE.search(line):
            entries[-1][1] += line  # the festival line wraps onto this one
            entries[-1][2] += raw
        else:
            in_list = False

    if not entries:
        raise ValueError("没有找到任何节日安排（应为“一、元旦：……”这样的编号行）")
    festivals = []
    for name, body, original in entries:
        if not body:
            raise ValueError(f"无法解析节日行：“{original}”（没有放假日期）")
        festivals.append(_parse_festival(name, body, original, year))

    schedule = YearSchedule(
        year=year,
        title=f"国务院办公厅关于{year}年部分节假日安排的通知",
        number=number,
        published=published,
        url="",
        festivals=tuple(festivals),
    )
    validate_schedule(schedule, source="通知文本", require_published=False)
    return schedule
