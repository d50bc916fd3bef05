"""What changed between two reports, cell by cell: the next draft against the published
version (a corrected report says what it corrects)."""

from __future__ import annotations

from dataclasses import dataclass

from requests_app.annual_report.counting import build_report
from requests_app.annual_report.store import latest_published, published_data
from requests_app.annual_report.structure import (
    TABLE2_ITEMS,
    TABLE3_COLUMNS,
    TABLE3_ROWS,
    TABLE4_COLUMNS,
    TABLE4_GROUPS,
    Cell,
    ReportData,
)
from requests_app.models import AnnualReport


@dataclass(frozen=True)
class CellChange:
    """One cell that differs: where (``table`` 二/三/四/六, ``key`` the row, ``column`` its
    index), in words (``label``), the two values, and the ids that entered or left it (when
    both sides carry ids)."""

    table: str
    key: str
    column: int
    label: str
    old: int | str
    new: int | str
    added: tuple[int, ...] = ()
    removed: tuple[int, ...] = ()


def _change(table, key, column, label, old: Cell, new: Cell) -> CellChange | None:
    same_value = str(old.value) == str(new.value)
    added = tuple(sorted(set(new.ids) - set(old.ids))) if new.ids or old.ids else ()
    removed = tuple(sorted(set(old.ids) - set(new.ids))) if new.ids or old.ids else ()
    if same_value and not (added or removed):
        return None
    return CellChange(table, key, column, label, old.value, new.value, added, removed)


def report_diff(old: ReportData, new: ReportData, *, compare_ids: bool = True) -> list[CellChange]:
    """The cells of ``new`` that differ from ``old``, in the format's order. With
    ``compare_ids`` (both sides counted with ids) a cell whose number is the same but whose
    cases changed is listed too."""
    changes: list[CellChange] = []

    def add(table, key, column, label, a: Cell, b: Cell) -> None:
        if not compare_ids or not (old.with_ids and new.with_ids):
            a, b = Cell(a.value), Cell(b.value)
        found = _change(table, key, column, label, a, b)
        if found:
            changes.append(found)

    for _item, columns, rows in TABLE2_ITEMS:
        for name in rows:
            for column, heading in enumerate(columns):
                if name in old.table2 and name in new.table2:
                    add(
                        "二",
                        name,
                        column,
                        f"表二 {name} {heading}",
                        old.table2[name][column],
                        new.table2[name][column],
                    )
    for spec in TABLE3_ROWS:
        for column, heading in enumerate(TABLE3_COLUMNS):
            add(
                "三",
                spec.key,
                column,
                f"表三 {spec.label} {heading}",
                old.table3[spec.key][column],
                new.table3[spec.key][column],
            )
    for column in range(15):
        group, position = divmod(column, 5)
        add(
            "四",
            "",
            column,
            f"表四 {TABLE4_GROUPS[group]} {TABLE4_COLUMNS[position]}",
            old.table4[column],
            new.table4[column],
        )
    for name, label in (("count", "收取信息处理费件数"), ("amount", "收取信息处理费金额（元）")):
        a, b = old.fees.get(name, 0), new.fees.get(name, 0)
        if a != b:
            changes.append(CellChange("六", name, 0, label, a, b))
    return changes


def changes_since_published(agency, year: int) -> list[CellChange] | None:
    """What the next draft changes: the latest published version against the numbers now
    (counted with ids, so a cell whose cases changed is listed too); None when nothing of that
    year was published."""
    found = latest_published(agency, year)
    if found is None:
        return None
    report = AnnualReport.objects.get(pk=found.pk)  # with its snapshot
    return report_diff(published_data(report), build_report(agency, year, with_ids=True))
