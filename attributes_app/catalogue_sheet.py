"""The catalogue of disclosure items as an XLSX workbook: the template, the export of the working
copy or of a published version, and the reading of a filled-in sheet with every problem named by
row and column (the same ``Problem`` as the older-documents import).

The headers are the standard columns (``attributes_app.catalogue``), with the pilot area first
and the optional working-day limit last. Text always goes into a cell as text, never as a formula
(``workflow.spreadsheets.set_cell``); a cell that holds a formula in the uploaded file is read as
the formula's text and stored as text, never evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from attributes_app import catalogue, older_sheet
from attributes_app.older_sheet import Problem, SheetRefused, column_letter, is_blank
from attributes_app.services.catalogue import (
    MAX_DAYS,
    TEXT_LIMITS,
    CatalogueItemData,
    catalogue_item_problems,
    item_key,
)
from workflow.spreadsheets import append_row, set_cell, xlsx_bytes

SHEET_TITLE = "公开事项目录"
NOTES_TITLE = "填写说明"
MAX_ROWS = 3000
#: A cell longer than this is not read whole (the problem says how long it is).
MAX_CELL = 20_000


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    explain: str
    width: int = 16
    words: tuple[str, ...] = ()


LEVEL_WORDS = ("县级", "乡级", "县级、乡级")

COLUMNS: tuple[Column, ...] = (
    Column(
        "area",
        "领域",
        True,
        "26个试点领域之一，从下拉列表中选择（名称与列表一字不差）。",
        14,
        tuple(catalogue.pilot_areas()),
    ),
    Column("first_level", "一级事项", True, "按本领域标准指引的一级事项填写，最多100个字。", 18),
    Column(
        "name",
        "二级事项",
        True,
        "事项名称，最多200个字；同一领域、同一一级事项下不能重名（重名的行会修改已有事项）。",
        24,
    ),
    Column("content", "公开内容（要素）", True, "最多2000个字，可以分行。", 40),
    Column(
        "legal_basis",
        "公开依据",
        True,
        "法律、法规、规章和规范性文件的名称及条款，最多2000个字。",
        40,
    ),
    Column(
        "time_limit",
        "公开时限",
        True,
        "按标准目录的写法，例如：自信息形成或者变更之日起20个工作日内。"
        "填写了“公开时限（工作日）”的可以不填。",
        24,
    ),
    Column("body", "公开主体", True, "负责公开的机关或单位，最多200个字。", 18),
    Column(
        "channels",
        "公开渠道和载体",
        True,
        "可以选多个，用顿号（、）分开：" + "、".join(catalogue.CHANNELS.values()) + "。",
        28,
        tuple(catalogue.CHANNELS.values()),
    ),
    Column(
        "audience", "公开对象", True, "全社会或特定群体。", 12, tuple(catalogue.AUDIENCES.values())
    ),
    Column("method", "公开方式", True, "主动或依申请。", 12, tuple(catalogue.METHODS.values())),
    Column("levels", "公开层级", True, "县级、乡级，或“县级、乡级”。", 12, LEVEL_WORDS),
    Column(
        "publication_days",
        "公开时限（工作日）",
        False,
        f"可不填。1至{MAX_DAYS}的整数：关联这个事项的文件按这个期限主动公开"
        "（比本机关的期限长时仍按本机关的期限）。",
        14,
    ),
)
HEADERS = tuple(c.header for c in COLUMNS)
BY_HEADER = {c.header: c for c in COLUMNS}
BY_KEY = {c.key: c for c in COLUMNS}
#: A service's field → the column that shows its problem.
FIELD_COLUMN = {"default_attribute": "method", "levels": "levels"}


# -- writing --------------------------------------------------------------------------------------


def row_values(row: dict[str, Any]) -> list[Any]:
    """A snapshot row (``services.catalogue.snapshot_of``) as the cells of one line."""
    return [
        row["area"],
        row["first_level"],
        row["name"],
        row["content"],
        row["legal_basis"],
        row["time_limit"],
        row["body"],
        "、".join(catalogue.labels(row["channels"], catalogue.CHANNELS)),
        catalogue.AUDIENCES.get(row["audience"], ""),
        catalogue.METHODS.get(row["method"], ""),
        "、".join(catalogue.labels(row["levels"], catalogue.LEVELS)),
        row["publication_days"],
    ]


def workbook_bytes(rows: Sequence[dict[str, Any]], *, caption: str = "") -> bytes:
    """The catalogue (or the empty template when ``rows`` is empty) as an XLSX workbook: the
    sheet of items with lists to choose the words from, and a sheet explaining the columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(COLUMNS, 1):
        cell = set_cell(sheet.cell(row=1, column=index), column.header)
        cell.font = bold
        cell.fill = fill
        sheet.column_dimensions[column_letter(index - 1)].width = column.width
    for row in rows:
        for cell in append_row(sheet, row_values(row)):
            cell.alignment = wrap
    sheet.freeze_panes = "A2"
    last = MAX_ROWS + 1
    # The words of a column come from a hidden sheet: a list typed into the rule itself may not
    # pass 255 characters, and a channel label holds "/" and "（" that a typed list mangles.
    lists = workbook.create_sheet("可选项")
    lists.sheet_state = "hidden"
    for index, column in enumerate(COLUMNS):
        if not column.words:
            continue
        list_letter = column_letter(index)
        for number, word in enumerate(column.words, 1):
            set_cell(lists.cell(row=number, column=index + 1), word)
        letter = column_letter(index)
        several = column.key == "channels"
        validation = DataValidation(
            type="list",
            formula1=f"'可选项'!${list_letter}$1:${list_letter}${len(column.words)}",
            allow_blank=True,
            # Several channels are typed with 、: the list helps, it does not refuse.
            showErrorMessage=not several,
            errorTitle=f"{column.header}有误",
            error=f"请从列表中选择：{'、'.join(column.words)}。",
        )
        validation.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(validation)

    notes = workbook.create_sheet(NOTES_TITLE, 1)
    append_row(notes, ["列名", "是否必填", "填写说明"])
    for cell in notes[1]:
        cell.font = bold
        cell.fill = fill
    for column in COLUMNS:
        append_row(notes, [column.header, "必填" if column.required else "可不填", column.explain])
    append_row(notes, [])
    for line in (
        caption,
        f"第一行是列名，请不要修改；从第二行起每行一个事项，一次最多{MAX_ROWS}行，空行跳过。",
        "领域、一级事项和二级事项都相同的行修改目录中已有的事项，其他行新增事项；"
        "表格中没有的事项保持不变。",
        "任何一行有问题，整个文件都不会导入，页面会逐行列出问题。导入后目录成为新的草稿，"
        "发布后公众才能看到。",
        "试点领域名单来源：" + catalogue.pilot_area_source(),
    ):
        if line:
            append_row(notes, [line])
    for row in notes.iter_rows(min_row=2, max_row=len(COLUMNS) + 1):
        for cell in row:
            cell.alignment = wrap
    for letter, width in (("A", 20), ("B", 10), ("C", 80)):
        notes.column_dimensions[letter].width = width
    return xlsx_bytes(workbook)


# -- reading ---------------------------------------------------------------------------------


@dataclass
class CatalogueCheck:
    """What a file holds: the items it can import, or every problem (then nothing is saved)."""

    items: list[CatalogueItemData] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0

    @property
    def clean(self) -> bool:
        return not self.problems

    def by_area(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.area] = counts.get(item.area, 0) + 1
        return sorted(counts.items(), key=lambda pair: catalogue.area_order(pair[0]))


def _text(value: Any) -> str:
    """A cell as text (numbers without a spurious ".0"); a NUL stays, so that it is named."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _header(value: Any) -> str:
    text = re.sub(r"\s+", "", _text(value))
    return text.strip("*＊")


def _open_rows(upload, name: str) -> Iterator[tuple[int, list[Any]]]:
    shown = PurePath(name or "").name or "这个文件"
    kind = older_sheet.sniff(upload, name)
    if kind != "xlsx":
        raise SheetRefused(f"请上传Excel工作簿（.xlsx）：“{shown}”不是。可以先下载模板填写。")
    from openpyxl import load_workbook

    try:
        # Not data_only: a formula cell is read as its text ("=HYPERLINK(…)") and kept as text.
        workbook = load_workbook(upload, read_only=True, data_only=False)
    except Exception:
        raise SheetRefused(
            f"无法读取“{shown}”，文件可能已损坏。请在Excel中打开并重新保存为.xlsx后上传。"
        ) from None
    try:
        names = workbook.sheetnames
        sheet = workbook[SHEET_TITLE] if SHEET_TITLE in names else workbook.worksheets[0]
        number = 0
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
                if number > MAX_ROWS + 1 + 10_000:
                    break  # a sheet formatted down to the last row: the count check says it
                yield number, list(values)
        except SheetRefused:
            raise
        except Exception:
            raise SheetRefused(
                f"读取“{shown}”的第{number + 1}行时出错，文件可能已损坏。"
                "请在Excel中重新保存后上传。"
            ) from None
    finally:
        workbook.close()
        upload.seek(0)


def check_file(upload, name: str) -> CatalogueCheck:
    """Read ``upload`` and check every row; ``SheetRefused`` when it is no XLSX workbook."""
    return check_rows(_open_rows(upload, name))


def check_rows(numbered_rows: Iterable[tuple[int, list[Any]]]) -> CatalogueCheck:
    """Check the rows of a sheet (``(row number, values)``, the header row first)."""
    check = CatalogueCheck()
    positions: dict[str, int] | None = None
    seen: dict[tuple[str, str, str], int] = {}
    rows = 0
    for number, values in numbered_rows:
        if positions is None:
            if all(is_blank(v) for v in values):
                continue
            positions = _read_header(number, values, check.problems)
            if check.problems:
                return check  # without the columns, the rows cannot be read
            continue
        if all(is_blank(v) for v in values):
            check.skipped += 1
            continue
        rows += 1
        if rows > MAX_ROWS:
            check.problems.append(
                Problem(0, "", f"一次最多导入{MAX_ROWS}个事项，这个文件更多。请分成几个文件。")
            )
            return check
        data, problems = _parse_row(positions, number, values)
        if data is not None and not problems:
            key = item_key(data.area, data.first_level, data.name)
            if key in seen:
                problems.append(
                    Problem(
                        number,
                        "二级事项",
                        f"与第{seen[key]}行的领域、一级事项和二级事项都相同，同一个事项只能有一行。",
                        column_letter(positions["name"]),
                    )
                )
            seen.setdefault(key, number)
        check.problems.extend(problems)
        if data is not None and not problems:
            check.items.append(data)
    if positions is None:
        check.problems.append(Problem(0, "", "文件中没有内容。请使用模板，第一行是列名。"))
    elif not rows:
        check.problems.append(Problem(0, "", "文件中只有列名，没有事项。"))
    if check.problems:
        check.items = []
    return check


def _read_header(number: int, values: list[Any], problems: list[Problem]) -> dict[str, int]:
    names = "、".join(HEADERS)
    positions, found = older_sheet.header_positions(
        number,
        [_header(value) for value in values],
        columns=COLUMNS,
        by_header=BY_HEADER,
        unknown=lambda text: f"不认识列名“{text}”。请使用模板中的列名：{names}。",
        missing=lambda column: f"缺少“{column.header}”列。第一行应是列名：{names}。",
    )
    problems.extend(found)
    return positions


def _allowed(words: Sequence[str]) -> str:
    return "、".join(words[:-1]) + "或" + words[-1]


def _parse_row(
    positions: dict[str, int], number: int, values: list[Any]
) -> tuple[CatalogueItemData | None, list[Problem]]:
    problems: list[Problem] = []
    named: set[str] = set()

    def problem(key: str, message: str) -> None:
        column = BY_KEY[key]
        index = positions.get(key)
        named.add(key)
        problems.append(
            Problem(
                number, column.header, message, column_letter(index) if index is not None else ""
            )
        )

    cells: dict[str, str] = {}
    for key, index in positions.items():
        value = values[index] if index < len(values) else None
        text = _text(value)
        if len(text) > MAX_CELL:
            label = BY_KEY[key].header
            limit = TEXT_LIMITS.get(key, (label, 200))[1]
            problem(key, f"{label}不能超过{limit}个字（现有{len(text)}个）。")
            text = ""
        elif "\x00" in text:
            problem(key, older_sheet.NUL_PROBLEM)
            text = ""
        cells[key] = text.strip()
    for index, value in enumerate(values):
        if index not in positions.values() and not is_blank(value):
            problems.append(
                Problem(
                    number,
                    "",
                    f"{column_letter(index)}列没有列名，其中的内容不会导入。请删除，或放到相应的列中。",
                    column_letter(index),
                )
            )

    channels, unknown = catalogue.channel_codes(cells.get("channels", ""))
    if unknown and "channels" not in named:
        problem(
            "channels",
            f"“{'、'.join(unknown)[:60]}”不是可以填写的公开渠道和载体，请从以下选择（多个用顿号分开）："
            + "、".join(catalogue.CHANNELS.values())
            + "。",
        )
    audience = _word(cells.get("audience", ""), catalogue.AUDIENCES, {})
    if audience is None and "audience" not in named:
        problem(
            "audience",
            f"“{cells['audience'][:40]}”不是可以填写的公开对象，请填写全社会或特定群体。",
        )
    method = _word(cells.get("method", ""), catalogue.METHODS, catalogue.METHOD_ALIASES)
    if method is None and "method" not in named:
        problem("method", f"“{cells['method'][:40]}”不是可以填写的公开方式，请填写主动或依申请。")
    levels: list[str] = []
    level_text = cells.get("levels", "")
    by_level = {label: code for code, label in catalogue.LEVELS.items()} | catalogue.LEVEL_ALIASES
    bad_levels = [w for w in catalogue.split_words(level_text) if w not in by_level]
    if bad_levels and "levels" not in named:
        problem(
            "levels", f"“{'、'.join(bad_levels)[:40]}”不是公开层级，请填写{_allowed(LEVEL_WORDS)}。"
        )
    else:
        levels = [by_level[w] for w in catalogue.split_words(level_text)]
    days: int | None = None
    days_text = cells.get("publication_days", "")
    if days_text and "publication_days" not in named:
        if re.fullmatch(r"\d{1,3}", days_text):
            days = int(days_text)
        else:
            problem(
                "publication_days", f"“{days_text[:20]}”不是整数，请填写1至{MAX_DAYS}的整数或不填。"
            )
    data = CatalogueItemData(
        area=cells.get("area", ""),
        first_level=cells.get("first_level", ""),
        name=cells.get("name", ""),
        content=cells.get("content", ""),
        legal_basis=cells.get("legal_basis", ""),
        time_limit=cells.get("time_limit", ""),
        body=cells.get("body", ""),
        channels=channels,
        audience=audience or "",
        default_attribute=method or "",
        level_county="county" in levels,
        level_township="township" in levels,
        publication_days=days,
    ).cleaned()
    for key, message in catalogue_item_problems(data).items():
        column = FIELD_COLUMN.get(key, key)
        if column in BY_KEY and column not in named:
            if key == "area" and data.area:
                message = f"“{data.area[:40]}”不是26个试点领域之一，请从下拉列表中选择。"
            problem(column, message)
    return (None if problems else data), problems


def _word(text: str, names: dict[str, str], aliases: dict[str, str]) -> str | None:
    """The code of a word (``""`` for an empty cell: its own problem says it is required)."""
    if not text:
        return ""
    by_label = {label: code for code, label in names.items()} | aliases
    return by_label.get(text)
