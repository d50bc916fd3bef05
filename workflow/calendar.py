"""The working-day calendar (工作日, DOMAIN §2).

The pure part (``WorkingCalendar``, ``provisional_days_off``) imports nothing from Django: it takes
the official schedules and the local adjustments as plain values. ``get_calendar`` is the one entry
point for the rest of the project; it reads the database (imported notices, adjustments) and caches
one calendar per agency until the calendar's data changes.

Counting (DOMAIN §2, national practice): "within N working days from day D" leaves D itself out and
ends at the end of the N-th working day after D, whether or not D is a working day.
"""

from __future__ import annotations

import bisect
import functools
import threading
from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, cast

from lunar_python import Lunar

from workflow.holiday_data import iter_days

if TYPE_CHECKING:
    from workflow.holiday_data import YearSchedule
    from workflow.models import Agency

FIRST_YEAR = 2004
#: How many years after the last official schedule the calendar reaches (provisionally).
PROVISIONAL_HORIZON_YEARS = 10

__all__ = [
    "DAY_REASONS",
    "CalendarRangeError",
    "DayInfo",
    "WorkingCalendar",
    "get_calendar",
    "invalidate_calendar_cache",
    "iter_days",
    "provisional_days_off",
]


class CalendarRangeError(ValueError):
    """A date outside the years the calendar knows."""


#: Why a day is or is not a working day (``DayInfo.reason``), with its words for people.
DAY_REASONS: dict[str, str] = {
    "workday": "工作日（周一至周五）",
    "weekend": "周末",
    "holiday": "法定节假日放假（国务院办公厅通知）",
    "provisional_holiday": "法定节假日（当年安排尚未发布，暂定）",
    "makeup_workday": "调休上班",
    "adjustment": "本机关调整或管理员更正",
}


@dataclass(frozen=True)
class DayInfo:
    """What the calendar knows of one day, for display: ``reason`` is a key of ``DAY_REASONS``,
    ``festival`` the holiday's name where one is involved."""

    day: date
    working: bool
    provisional: bool
    note: str
    reason: str = ""
    festival: str = ""


@functools.lru_cache(maxsize=256)
def provisional_days_off(year: int) -> dict[date, str]:
    """Statutory holidays of ``year`` under the 2024 revision of the holiday rules.

    《全国年节及纪念日放假办法》 as revised by State Council Decree No. 795 (in force 2025-01-01):
    元旦 1 day, 春节 4 days (除夕 and 正月初一至初三), 清明 1 day (the solar term), 劳动节 May 1-2,
    端午 1 day (五月初五), 中秋 1 day (八月十五), 国庆 Oct 1-3. Used only for a year that has no
    official notice yet; no make-up working days are guessed (DOMAIN §2).
    """
    spring = Lunar.fromYmd(year, 1, 1).getSolar()
    spring_day = date(spring.getYear(), spring.getMonth(), spring.getDay())
    qingming = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    dragon = Lunar.fromYmd(year, 5, 5).getSolar()
    mid_autumn = Lunar.fromYmd(year, 8, 15).getSolar()
    days: dict[date, str] = {date(year, 1, 1): "元旦"}
    for offset, label in ((-1, "春节（除夕）"), (0, "春节"), (1, "春节"), (2, "春节")):
        days[spring_day + timedelta(days=offset)] = label
    days[date(qingming.getYear(), qingming.getMonth(), qingming.getDay())] = "清明节"
    days[date(year, 5, 1)] = "劳动节"
    days[date(year, 5, 2)] = "劳动节"
    days[date(dragon.getYear(), dragon.getMonth(), dragon.getDay())] = "端午节"
    days[date(mid_autumn.getYear(), mid_autumn.getMonth(), mid_autumn.getDay())] = "中秋节"
    for d in (1, 2, 3):
        days[date(year, 10, d)] = "国庆节"
    return days


class WorkingCalendar:
    """Working days from the official schedules, provisional years and local adjustments.

    Every query is O(1) or O(log n): the constructor builds, once, a running count of working
    days for each day of the covered range and the list of working days by ordinal.
    """

    def __init__(
        self,
        schedules: Mapping[int, YearSchedule],
        *,
        adjustments: Mapping[date, tuple[bool, str]] | None = None,
        last_year: int | None = None,
    ) -> None:
        self.schedules = dict(schedules)
        self.official_years = frozenset(self.schedules)
        last_official = max(self.official_years, default=FIRST_YEAR - 1)
        self.first_day = date(FIRST_YEAR, 1, 1)
        self.last_day = date(last_year or last_official + PROVISIONAL_HORIZON_YEARS, 12, 31)
        self._base = self.first_day.toordinal()
        self._notes: dict[date, str] = {}
        self._reasons: dict[date, tuple[str, str]] = {}
        self._adjustments = dict(adjustments or {})

        status = self._national_status()
        for day, (working, reason) in self._adjustments.items():
            if self.first_day <= day <= self.last_day:
                status[day.toordinal() - self._base] = working
                self._notes[day] = reason
                self._reasons[day] = ("adjustment", "")

        size = len(status)
        cumulative = array("l", bytes(8 * size))
        working_offsets = array("l")
        running = 0
        for offset in range(size):
            if status[offset]:
                running += 1
                working_offsets.append(offset)
            cumulative[offset] = running
        self._working = status
        self._cumulative = cumulative
        self._working_offsets = working_offsets

    def _national_status(self) -> bytearray:
        size = self.last_day.toordinal() - self._base + 1
        status = bytearray(size)
        for offset in range(size):
            status[offset] = ((self._base + offset) % 7) not in (6, 0)  # ordinal 1 is a Monday
        for year in range(self.first_day.year, self.last_day.year + 1):
            if year in self.schedules:
                continue
            for day, name in provisional_days_off(year).items():
                self._set(
                    status, day, False, f"{name}（法定节假日，暂定）", ("provisional_holiday", name)
                )
        # Official schedules last, in year order: a notice may set the end of the previous
        # December (元旦 arrangements), and it is the latest word on those days.
        for year in sorted(self.schedules):
            schedule = self.schedules[year]
            for festival in schedule.festivals:
                source = festival.notice_title or schedule.title
                for first, last in festival.off:
                    for day in iter_days(first, last):
                        self._set(
                            status,
                            day,
                            False,
                            f"{festival.name}放假（{source}）",
                            ("holiday", festival.name),
                        )
                for day in festival.workdays:
                    self._set(
                        status,
                        day,
                        True,
                        f"{festival.name}调休上班（{source}）",
                        ("makeup_workday", festival.name),
                    )
        return status

    def _set(
        self, status: bytearray, day: date, working: bool, note: str, reason: tuple[str, str]
    ) -> None:
        offset = day.toordinal() - self._base
        if 0 <= offset < len(status):
            status[offset] = working
            self._notes[day] = note
            self._reasons[day] = reason

    def _offset(self, day: date) -> int:
        offset = day.toordinal() - self._base
        if not 0 <= offset < len(self._working):
            raise CalendarRangeError(
                f"日期{day.year}年{day.month}月{day.day}日超出工作日历的范围"
                f"（{self.first_day.year}年至{self.last_day.year}年）。"
            )
        return offset

    # -- public API -------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """True when government offices work on ``day`` under the schedule in force."""
        return bool(self._working[self._offset(day)])

    def is_provisional(self, day: date) -> bool:
        """True when ``day``'s year has no official schedule yet (DOMAIN §2, provisional years)."""
        return day.year not in self.official_years

    def working_days_between(self, start: date, end: date) -> int:
        """Working days d with ``start < d <= end`` (negative when ``end`` is before ``start``)."""
        return self._cumulative[self._offset(end)] - self._cumulative[self._offset(start)]

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after ``day`` (``day`` itself never counts; n < 0 goes back)."""
        if n == 0:
            return day
        before = self._cumulative[self._offset(day)]  # working days up to and including `day`
        if n > 0:
            index = before + n - 1
        else:
            index = before + n - (1 if self._working[self._offset(day)] else 0)
        if not 0 <= index < len(self._working_offsets):
            raise CalendarRangeError(
                f"从{day.year}年{day.month}月{day.day}日起算{n}个工作日超出工作日历的范围"
                f"（{self.first_day.year}年至{self.last_day.year}年）。"
            )
        return date.fromordinal(self._base + self._working_offsets[index])

    def next_working_day(self, day: date) -> date:
        """The first working day after ``day``."""
        return self.add_working_days(day, 1)

    def working_days_in(self, start: date, end: date) -> list[date]:
        """The working days d with ``start < d <= end``, in order (for display, not arithmetic)."""
        lo = bisect.bisect_right(self._working_offsets, self._offset(start))
        hi = bisect.bisect_right(self._working_offsets, self._offset(end))
        return [date.fromordinal(self._base + o) for o in self._working_offsets[lo:hi]]

    def day_info(self, day: date) -> DayInfo:
        """Whether ``day`` is a working day, whether that is provisional, and why (for people)."""
        working = self.is_working_day(day)
        note = self._notes.get(day)
        reason, festival = self._reasons.get(day, ("", ""))
        if note is None:
            note = "工作日" if working else "周末"
            reason = "workday" if working else "weekend"
        return DayInfo(
            day=day,
            working=working,
            provisional=self.is_provisional(day),
            note=note,
            reason=reason,
            festival=festival,
        )

    def provisional_years_between(self, start: date, end: date) -> list[int]:
        """The years touched by [start, end] that have no official schedule."""
        return [y for y in range(start.year, end.year + 1) if y not in self.official_years]


# -- the project's calendars --------------------------------------------------------------------

_cache: dict[tuple[int | None, int], WorkingCalendar] = {}
_cache_lock = threading.Lock()


def _official_schedules() -> dict[int, YearSchedule]:
    from django.conf import settings

    from workflow.holiday_data import parse_year_toml
    from workflow.models import HolidaySchedule

    schedules = dict(_bundled(str(settings.HOLIDAYS_DIR)))
    for row in HolidaySchedule.objects.all():
        schedules[row.year] = parse_year_toml(row.schedule_toml, source=f"导入的{row.year}年安排")
    return schedules


@functools.lru_cache(maxsize=4)
def _bundled(directory: str) -> dict[int, YearSchedule]:
    from workflow.holiday_data import load_bundled

    return load_bundled(directory)


def _adjustments_for(agency_id: int | None) -> dict[date, tuple[bool, str]]:
    from workflow.models import CalendarAdjustment

    rows = CalendarAdjustment.objects.filter(agency__isnull=True)
    if agency_id is not None:
        rows = CalendarAdjustment.objects.filter(agency_id=agency_id) | rows
    result: dict[date, tuple[bool, str]] = {}
    # Agency-specific rows win over national corrections of the same day.
    for row in rows.order_by("agency_id").values("day", "kind", "reason", "agency_id"):
        if row["day"] in result and row["agency_id"] is None:
            continue
        working = row["kind"] == "working"
        label = "本机关调整" if row["agency_id"] else "管理员更正"
        result[row["day"]] = (working, f"{label}：{row['reason']}")
    return result


def current_revision() -> int:
    from workflow.models import CalendarRevision

    value = CalendarRevision.objects.values_list("revision", flat=True).first()
    return value or 0


def get_calendar(agency: Agency | int | None = None) -> WorkingCalendar:
    """The working calendar in force for ``agency`` (an Agency, its id, or None for national).

    Cached per agency; the cache is rebuilt when ``CalendarRevision`` moves, which every change
    of an adjustment or an imported schedule does (see ``workflow.services``).
    """
    agency_id = cast("int | None", getattr(agency, "pk", agency))
    key = (agency_id, current_revision())
    calendar = _cache.get(key)
    if calendar is not None:
        return calendar
    calendar = WorkingCalendar(_official_schedules(), adjustments=_adjustments_for(agency_id))
    with _cache_lock:
        for stale in [k for k in _cache if k[0] == agency_id]:
            del _cache[stale]
        _cache[key] = calendar
    return calendar


def invalidate_calendar_cache() -> None:
    """Forget every built calendar in this process (tests, and after a data reload)."""
    with _cache_lock:
        _cache.clear()
    _bundled.cache_clear()
