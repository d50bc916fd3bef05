"""Chinese formatting shared by the clock, the letters and the pages (pure, no Django)."""

from datetime import date


def cn_date(day: date) -> str:
    """A date as official letters write it: 2026年3月5日 (Arabic numerals, no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def cn_date_range(first: date, last: date) -> str:
    """Two dates as "2026年3月10日至2026年3月24日"."""
    return f"{cn_date(first)}至{cn_date(last)}"


WEEKDAYS = "一二三四五六日"


def cn_weekday(day: date, prefix: str = "周") -> str:
    """The day of the week as notices write it: 周四 (or 星期四 with ``prefix="星期"``)."""
    return prefix + WEEKDAYS[day.weekday()]
