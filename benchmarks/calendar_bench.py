"""Due dates by the calendar's index against the obvious day-by-day loop.

Computes 200,000 random (date, n ≤ 60) due dates with ``WorkingCalendar.add_working_days`` and
with a loop over ``chinese_calendar.is_workday`` in the same run, checks that both agree, and
prints the rates and their ratio (last line ``ratio: N``). Run: ``.venv/bin/python
benchmarks/calendar_bench.py [--count N]``.
"""

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import chinese_calendar

from workflow.calendar import WorkingCalendar
from workflow.holiday_data import load_bundled

# chinese_calendar has 2005-12-31 as a plain Saturday; the 2006 notice made it a working day
# (国办发明电〔2005〕35号), and the project's data follows the notice.
NOTICE_DECIDES = {date(2005, 12, 31): True}


def loop_due(day: date, n: int) -> date:
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        working = NOTICE_DECIDES.get(day)
        if working is None:
            working = chinese_calendar.is_workday(day)
        if working:
            counted += 1
    return day


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    first = date(2004, 1, 1).toordinal()
    last = date(2026, 9, 30).toordinal()  # + 60 working days stays inside chinese_calendar's data
    cases = [
        (date.fromordinal(rng.randint(first, last)), rng.randint(0, 60)) for _ in range(args.count)
    ]

    started = time.perf_counter()
    calendar = WorkingCalendar(load_bundled())
    build = time.perf_counter() - started

    started = time.perf_counter()
    indexed = [calendar.add_working_days(day, n) for day, n in cases]
    indexed_seconds = time.perf_counter() - started

    started = time.perf_counter()
    looped = [loop_due(day, n) for day, n in cases]
    loop_seconds = time.perf_counter() - started

    mismatches = sum(a != b for a, b in zip(indexed, looped, strict=True))
    print(f"cases: {args.count}")
    print(f"calendar_build: {build * 1000:.1f} ms")
    print(f"indexed_rate: {args.count / indexed_seconds:,.0f} due dates/s")
    print(f"loop_rate: {args.count / loop_seconds:,.0f} due dates/s")
    print(f"mismatches: {mismatches}")
    print(f"ratio: {loop_seconds / indexed_seconds:.0f}")
    if mismatches:
        sys.exit(1)


if __name__ == "__main__":
    main()
