"""Where table 二's document counts come from: a registry the document register fills.

The requests app does not know the attributes app (the apps' imports go one way); the attributes
app registers its counter from its ``AppConfig.ready()``::

    from requests_app.annual_report.sources import register_table2_source
    register_table2_source(count_documents)

A source is called with the agencies' ids, the year and whether ids are wanted, and returns for
each agency a dict of rows (``"规章"``, ``"行政规范性文件"``) to three ``Cell`` (本年制发,
本年废止, 现行有效). It must count with a constant number of queries whatever the number of
agencies. Without a source the rows are zeros.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from requests_app.annual_report.structure import Cell

#: The rows of 第二十条第（一）项 a source fills.
DOCUMENT_ROWS: tuple[str, ...] = ("规章", "行政规范性文件")

Table2Source = Callable[[list[int], int, bool], dict[int, dict[str, list[Cell]]]]

_SOURCES: list[Table2Source] = []


def register_table2_source(source: Table2Source) -> None:
    """Add a source of table 二's document rows (once; registering it again does nothing)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def unregister_table2_source(source: Table2Source) -> None:
    if source in _SOURCES:
        _SOURCES.remove(source)


def document_rows(
    agency_ids: Iterable[int], year: int, *, with_ids: bool = False
) -> dict[int, dict[str, list[Cell]]]:
    """For each agency, the rows 规章 and 行政规范性文件 (three cells each); zeros where no
    source counts them. Several sources add up."""
    ids = list(agency_ids)
    rows: dict[int, dict[str, list[Cell]]] = {
        agency: {name: [Cell(0), Cell(0), Cell(0)] for name in DOCUMENT_ROWS} for agency in ids
    }
    for source in _SOURCES:
        for agency, found in source(ids, year, with_ids).items():
            if agency not in rows:
                continue
            for name, cells in found.items():
                if name not in rows[agency]:
                    continue
                rows[agency][name] = [
                    Cell(int(old.value) + int(new.value), old.ids + new.ids)
                    for old, new in zip(rows[agency][name], cells, strict=True)
                ]
    return rows
