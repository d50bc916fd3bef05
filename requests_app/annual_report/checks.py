"""The report's checks (Report Format; docs/annual-report.md, "Checks"): a report whose checks
fail cannot be published.

The arithmetic checks read only the report's numbers (``ReportData``), so they check a frozen
snapshot as well as a live count. The carry-over check compares this year's row 二 with last
year's published row 四 and, where they differ, lists the cases that make the difference: each
needs a note on the draft (``AnnualReport.carryover_notes``).
"""

from __future__ import annotations

from collections.abc import Mapping

from requests_app.annual_report.conditions import FIGURE_ROWS, counted_requests, rule_q
from requests_app.annual_report.store import carryover_notes, last_year_reports, snapshots
from requests_app.annual_report.structure import (
    TABLE3_COLUMNS,
    TABLE3_ROWS,
    TABLE4_COLUMNS,
    TABLE4_GROUPS,
    Check,
    ReportData,
)
from requests_app.models import InformationRequest

SUM_OF_COLUMNS = "表三：各行六类申请人之和等于总计"
SUM_OF_RESULTS = "表三：（七）总计等于（一）至（六）各项之和"
BALANCE = "表三：第一项加第二项之和等于第三项（七）总计加第四项之和（每一列）"
CARRYOVER = "表三：上年结转等于上年度已发布报告的结转下年度继续办理"
TABLE4_TOTALS = "表四：每组的总计等于结果维持、结果纠正、其他结果、尚未审结之和"
FIGURES = "表二：行政许可、行政处罚、行政强制和行政事业性收费的数字已录入"

#: A note on the draft that explains the whole carry-over at once, used when last year's report
#: was not published in this system.
GENERAL_NOTE = "general"

LABELS = {spec.key: spec.label for spec in TABLE3_ROWS}
_RESULT_KEYS = [
    spec.key for spec in TABLE3_ROWS if spec.key.startswith("三") and spec.key != "三（七）"
]


def _values(data: ReportData, key: str) -> list[int]:
    return [int(cell.value) for cell in data.table3[key]]


def numbers_of(data: ReportData) -> tuple[dict[str, list[int]], list[int]]:
    """Tables 三 and 四 of ``data`` as plain ints."""
    table3 = {key: [int(cell.value) for cell in cells] for key, cells in data.table3.items()}
    return table3, [int(cell.value) for cell in data.table4]


def arithmetic_checks(data: ReportData) -> list[Check]:
    """The identities of tables 三 and 四 (Report Format)."""
    return arithmetic_checks_of(*numbers_of(data))


_PASSED = {name: Check(name, True) for name in (SUM_OF_COLUMNS, SUM_OF_RESULTS, BALANCE)}
_PASSED[TABLE4_TOTALS] = Check(TABLE4_TOTALS, True)
_COLUMNS = range(7)


def _check(name: str, wrong: list[str]) -> Check:
    return Check(name, False, "；".join(wrong)) if wrong else _PASSED[name]


_ALL_PASSED = [_PASSED[name] for name in (SUM_OF_COLUMNS, SUM_OF_RESULTS, BALANCE, TABLE4_TOTALS)]


def _holds(table3: dict[str, list[int]], table4: list[int]) -> bool:
    """Whether every identity holds (the common case, asked of thousands of agencies at once;
    ``arithmetic_checks_of`` then says which fail and how)."""
    for values in table3.values():
        if sum(values[:6]) != values[6]:
            return False
    parts = [sum(column) for column in zip(*(table3[key] for key in _RESULT_KEYS), strict=True)]
    if parts != table3["三（七）"]:
        return False
    new, carried, done, left = (table3[key] for key in ("一", "二", "三（七）", "四"))
    if any(a + b != c + d for a, b, c, d in zip(new, carried, done, left, strict=True)):
        return False
    return all(sum(table4[i : i + 4]) == table4[i + 4] for i in (0, 5, 10))


def arithmetic_checks_of(table3: dict[str, list[int]], table4: list[int]) -> list[Check]:
    """The identities of tables 三 and 四 on plain ints (``numbers_of``)."""
    if _holds(table3, table4):
        return list(_ALL_PASSED)
    wrong = []
    for spec in TABLE3_ROWS:
        values = table3[spec.key]
        six = values[0] + values[1] + values[2] + values[3] + values[4] + values[5]
        if six != values[6]:
            wrong.append(f"{spec.label}：六类之和{six}，总计{values[6]}")
    checks = [_check(SUM_OF_COLUMNS, wrong)]

    wrong = []
    total = table3["三（七）"]
    parts = [0] * 7
    for key in _RESULT_KEYS:
        row = table3[key]
        for column in _COLUMNS:
            parts[column] += row[column]
    for column, label in enumerate(TABLE3_COLUMNS):
        if parts[column] != total[column]:
            wrong.append(f"{label}列：各项之和{parts[column]}，（七）总计{total[column]}")
    checks.append(_check(SUM_OF_RESULTS, wrong))

    wrong = []
    new, carried, done, left = (table3[key] for key in ("一", "二", "三（七）", "四"))
    for column, label in enumerate(TABLE3_COLUMNS):
        before = new[column] + carried[column]
        after = done[column] + left[column]
        if before != after:
            wrong.append(f"{label}列：一加二为{before}，三（七）加四为{after}")
    checks.append(_check(BALANCE, wrong))

    wrong = []
    for group, name in enumerate(TABLE4_GROUPS):
        four = table4[5 * group : 5 * group + 4]
        if sum(four) != table4[5 * group + 4]:
            wrong.append(f"{name}：四项之和{sum(four)}，{TABLE4_COLUMNS[4]}{table4[5 * group + 4]}")
    checks.append(_check(TABLE4_TOTALS, wrong))
    return checks


def figures_check(entered: Mapping[str, object]) -> Check:
    missing = [row for field, row in FIGURE_ROWS.items() if field not in entered]
    if missing:
        return Check(
            FIGURES,
            False,
            f"尚未录入：{'、'.join(missing)}（没有的请录入0，并写明数据来源）",
        )
    return Check(FIGURES, True)


def carryover_check_of(
    carried: list[int],
    year: int,
    last: list[int] | None,
    notes: Mapping[str, str],
    difference: tuple[list[int], list[int]] | None = None,
    case_numbers: Mapping[int, str] | None = None,
) -> Check:
    """This year's row 二 (``carried``) against row 四 of last year's published report
    (``last``; None when there is none). ``notes``: the draft's carry-over notes;
    ``difference``: the cases in this year's 二 and not in last year's 四, and those in last
    year's 四 and not in this year's 二 (computed only when the numbers differ)."""
    if last is None:
        if str(notes.get(GENERAL_NOTE, "")).strip():
            return Check(
                CARRYOVER,
                True,
                f"本系统中没有已发布的{year - 1}年度报告；已说明：{notes[GENERAL_NOTE]}",
            )
        return Check(
            CARRYOVER,
            False,
            f"本系统中没有已发布的{year - 1}年度报告，无法核对上年结转数（{carried[6]}件）。"
            "请写明上年度报告结转下年度继续办理的数量与本年上年结转数是否一致，不一致的逐件说明。",
        )
    if last == carried:
        return Check(CARRYOVER, True)
    numbers = "；".join(
        f"{label}：本年上年结转{carried[i]}，上年度报告结转下年度{last[i]}"
        for i, label in enumerate(TABLE3_COLUMNS)
        if carried[i] != last[i]
    )
    if difference is None:
        if str(notes.get(GENERAL_NOTE, "")).strip():
            return Check(CARRYOVER, True, f"{numbers}。已说明：{notes[GENERAL_NOTE]}")
        return Check(CARRYOVER, False, f"{numbers}。请逐件说明差异。")
    added, removed = difference
    unexplained = [pk for pk in [*added, *removed] if not str(notes.get(str(pk), "")).strip()]
    if not unexplained:
        return Check(CARRYOVER, True, f"{numbers}。差异已逐件说明。")
    return Check(
        CARRYOVER,
        False,
        f"{numbers}。本年新计入上年结转的案件{len(added)}件，上年度报告结转而本年未计入的"
        f"{len(removed)}件，其中{len(unexplained)}件尚未说明"
        f"（{'、'.join((case_numbers or {}).get(pk, f'案件{pk}') for pk in unexplained[:20])}"
        f"{'等' if len(unexplained) > 20 else ''}）。",
    )


def report_checks_many(
    reports: dict[int, ReportData],
    entered: Mapping[int, Mapping[str, object]],
    numbers: Mapping[int, tuple[dict[str, list[int]], list[int]]] | None = None,
) -> dict[int, list[Check]]:
    """The checks of each report, with a constant number of queries: last year's published
    reports and this year's drafts' notes are read for all agencies at once; the cases behind a
    carry-over difference only for the agencies where the numbers differ. ``numbers``: the
    reports' tables as ints when the caller has them (``counting.Tally``)."""
    if not reports:
        return {}
    year = next(iter(reports.values())).year
    if numbers is None:
        numbers = {agency: numbers_of(data) for agency, data in reports.items()}
    return checks_of_numbers(numbers, entered, year)


def checks_of_numbers(
    numbers: Mapping[int, tuple[dict[str, list[int]], list[int]]],
    entered: Mapping[int, Mapping[str, object]],
    year: int,
) -> dict[int, list[Check]]:
    """``report_checks_many`` on tables 三 and 四 as plain ints, by agency."""
    if not numbers:
        return {}
    ids = list(numbers)
    previous = last_year_reports(ids, year)
    notes = carryover_notes(ids, year)
    differing = [
        agency
        for agency in ids
        if agency in previous
        and previous[agency]["four"] is not None
        and previous[agency]["four"] != numbers[agency][0]["二"]
    ]
    differences, case_numbers = _differences(differing, year, previous) if differing else ({}, {})
    result = {}
    for agency, (table3, table4) in numbers.items():
        last = previous.get(agency)
        result[agency] = [
            *arithmetic_checks_of(table3, table4),
            carryover_check_of(
                table3["二"],
                year,
                last["four"] if last else None,
                notes.get(agency, {}),
                differences.get(agency),
                case_numbers,
            ),
            figures_check(entered.get(agency, {})),
        ]
    return result


def carryover_difference(agency, year: int) -> tuple[list[int], list[int]] | None:
    """The cases that make this year's 二 differ from last year's published 四: (in 二 only,
    in last year's 四 only), or None when there is no published report with ids to compare
    (for the page that asks a note for each)."""
    agency_id = getattr(agency, "pk", agency)
    previous = last_year_reports([agency_id], year)
    if agency_id not in previous:
        return None
    return _differences([agency_id], year, previous)[0].get(agency_id)


def _differences(
    agency_ids: list[int], year: int, previous: dict[int, dict]
) -> tuple[dict[int, tuple[list[int], list[int]]], dict[int, str]]:
    """For each agency, the cases in this year's 二 and not in last year's published 四, and the
    other way round, and the case numbers of those (three queries). A snapshot without ids
    gives no case-by-case difference."""

    frozen = snapshots([previous[a]["id"] for a in agency_ids])
    now: dict[int, set[int]] = {agency: set() for agency in agency_ids}
    rows = (
        counted_requests()
        .filter(rule_q("base", year), rule_q("二", year), agency_id__in=agency_ids)
        .values_list("agency_id", "id")
    )
    for agency, pk in rows:
        now[agency].add(pk)
    found = {}
    for agency in agency_ids:
        snapshot = frozen.get(previous[agency]["id"]) or {}
        if not snapshot.get("with_ids"):
            continue
        last = set(snapshot["table3"]["四"][6][1])
        found[agency] = (sorted(now[agency] - last), sorted(last - now[agency]))
    wanted = [pk for added, removed in found.values() for pk in (*added, *removed)][:1000]
    numbers = dict(
        InformationRequest.objects.filter(pk__in=wanted).values_list("id", "case_number")
    )
    return found, numbers
