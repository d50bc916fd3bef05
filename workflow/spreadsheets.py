"""Every CSV and XLSX file the application writes goes through here, so that what a person
typed (a title, a reason, a unit's name) reaches a spreadsheet program as text, never as a
formula (CSV/formula injection).

A cell whose text starts with ``= + - @``, a tab or a carriage return is one Excel, WPS and
LibreOffice may run as a formula (``=HYPERLINK(…)``, ``-2+3``, ``@SUM(A1)``). In CSV such text gets
a leading apostrophe, the mark spreadsheet programs read as "this is text"; in XLSX it is
written as a string cell with the quote prefix set, so it shows exactly as typed and stays
text when edited. Numbers the application itself puts in a cell (a row number, a count, a
negative amount) are Python numbers and stay numbers: only text is neutralised, so ``"-2"``
typed by a person stays the text ``-2``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

#: How a cell's text may start for a spreadsheet program to take it as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_formula_like(value: Any) -> bool:
    """Whether ``value`` is text a spreadsheet program could run as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def inert(value: Any) -> Any:
    """``value`` as a CSV cell no spreadsheet program runs: formula-like text gets a leading
    apostrophe; numbers, dates and other text are left as they are; None is an empty cell."""
    if value is None:
        return ""
    if is_formula_like(value):
        return "'" + value
    return value


def csv_bytes(header: Sequence[Any] | None, rows: Iterable[Sequence[Any]]) -> bytes:
    """``header`` (when given) and ``rows`` as CSV, every cell through ``inert``; UTF-8 with
    the BOM, which Excel needs to read Chinese text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header is not None:
        writer.writerow([inert(cell) for cell in header])
    for row in rows:
        writer.writerow([inert(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


_XLSX_VALUES = (str, int, float, Decimal, date, datetime)


def set_cell(cell, value: Any):
    """Put ``value`` in the openpyxl ``cell``: text always as a string cell (openpyxl would
    otherwise store text starting with ``=`` as a formula), with the quote prefix when it looks
    like one; numbers and dates as themselves. Returns the cell."""
    if isinstance(value, bool) or (value is not None and not isinstance(value, _XLSX_VALUES)):
        value = str(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True
    return cell


def append_row(sheet, values: Sequence[Any]) -> list:
    """Write ``values`` on a new row at the foot of ``sheet`` (as openpyxl's ``append``), each
    through ``set_cell``; returns the cells. An empty ``values`` leaves an empty row."""
    sheet.append([None] * len(values))
    row = sheet._current_row  # the row ``append`` just wrote, even when it holds no value
    return [
        set_cell(sheet.cell(row=row, column=index), value) for index, value in enumerate(values, 1)
    ]


def xlsx_bytes(workbook) -> bytes:
    """An openpyxl workbook saved to bytes."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


__all__ = [
    "CSV_CONTENT_TYPE",
    "FORMULA_STARTS",
    "XLSX_CONTENT_TYPE",
    "append_row",
    "csv_bytes",
    "inert",
    "is_formula_like",
    "set_cell",
    "xlsx_bytes",
]
