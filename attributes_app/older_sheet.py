"""The spreadsheet of older documents (已印发文件清单): its columns, reading XLSX and CSV files,
turning a row into ``DocumentData`` with every problem named by row and column, and the
template an officer fills in.

No database here: the agency's drafting units come in as a mapping from name to id, and the
checks that need the register (a 文号 already used) are ``attributes_app.older_import``'s.

The file's type is read from its content, not its name: an XLSX workbook is a ZIP holding
``xl/workbook.xml``; anything else must be text, UTF-8 (with or without the BOM Excel writes
for "CSV UTF-8") or GB18030 (what Excel saves as "CSV" on a Chinese Windows).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError

from attributes_app import rules
from attributes_app.models import Document
from attributes_app.services import DocumentData, document_problems
from workflow.spreadsheets import append_row, csv_bytes, set_cell, xlsx_bytes
from workflow.text_input import clean_name

MB = 1024 * 1024
EXTENSIONS = (".xlsx", ".csv")
ACCEPT = ",".join(EXTENSIONS)
#: What a workbook may unpack to: a 20,000-row sheet is a few MB; more is not a register.
MAX_UNPACKED = 300 * MB
#: Rows read at most, empty ones included (a sheet formatted down to row 1,048,576).
MAX_SCANNED_ROWS = 200_000
SHEET_TITLE = "文件清单"
NOTES_TITLE = "填写说明"
EXAMPLE_TITLE = "（示例，导入前请删除本行）关于城区土地征收补偿标准的通知"


class SheetRefused(ValidationError):
    """The file cannot be read as the spreadsheet of older documents; the message says why."""


@dataclass(frozen=True)
class Column:
    """One column of the spreadsheet: its header, what it holds, and how it is explained."""

    key: str  # a ``DocumentData`` field, or ``drafting_unit`` (the unit's name)
    header: str
    kind: str  # "text", "date" or "word" (one of ``words``)
    required: bool
    explain: str
    example: Any
    width: int = 14
    words: tuple[str, ...] = ()
    blank: str = ""  # what an empty cell means, for a column of words


KIND_WORDS = {label: code for code, label in rules.KIND_LABELS.items()}
SECRECY_WORDS = {
    "非涉密": Document.Secrecy.NON_SECRET.value,
    "未确定密级": Document.Secrecy.UNDETERMINED.value,
}
#: Words that say the document is classified: refused, it leaves this system (DOMAIN §4.1).
CLASSIFIED_WORDS = ("涉密", "秘密", "机密", "绝密")
VALIDITY_WORDS = {label: code for code, label in Document.Validity.choices}

COLUMNS: tuple[Column, ...] = (
    Column(
        "drafting_unit",
        "起草单位",
        "text",
        True,
        "本机关已有的起草单位的名称，与“起草单位”管理中的名称一字不差。",
        "综合科",
        width=16,
    ),
    Column("title", "文件标题", "text", True, "文件的完整标题，最多300个字。", EXAMPLE_TITLE, 48),
    Column(
        "number",
        "文号",
        "text",
        False,
        "例如孝政发〔2015〕12号；没有文号的（如会议纪要）可以不填。本机关的文号不能重复。",
        "孝政发〔2015〕12号",
        20,
    ),
    Column(
        "kind",
        "文件类型",
        "word",
        False,
        "政策性文件、规章、行政规范性文件或其他公文；不填为其他公文。",
        "行政规范性文件",
        words=tuple(KIND_WORDS),
        blank="不填为其他公文",
    ),
    Column(
        "formed_on",
        "成文日期",
        "date",
        True,
        "文件落款的日期，写作2015-04-08、2015/4/8或2015年4月8日，也可以是Excel的日期单元格。",
        date(2015, 4, 3),
        12,
    ),
    Column(
        "issued_on",
        "印发日期",
        "date",
        True,
        "版记中的印发日期，写法同成文日期；不能早于成文日期，不能晚于今天。",
        date(2015, 4, 8),
        12,
    ),
    Column(
        "secrecy",
        "密级状态",
        "word",
        False,
        "非涉密或未确定密级；不填为未确定密级（将列入“既未定密也未确定公开属性”清单）。"
        "涉密文件不在本系统登记。",
        "非涉密",
        12,
        words=tuple(SECRECY_WORDS),
        blank="不填为未确定密级",
    ),
    Column(
        "validity",
        "效力状态",
        "word",
        False,
        "有效、已修改、已失效或已废止；不填为有效。",
        "已废止",
        12,
        words=tuple(VALIDITY_WORDS),
        blank="不填为有效",
    ),
    Column(
        "validity_changed_on",
        "修改失效废止日期",
        "date",
        False,
        "效力状态为已修改、已失效或已废止时必填，不能早于印发日期；有效的文件不填。",
        date(2021, 6, 30),
        16,
    ),
    Column(
        "validity_note",
        "效力说明",
        "text",
        False,
        "可以不填，最多300个字。例如：被孝政发〔2021〕7号文件废止。",
        "被孝政发〔2021〕7号文件废止",
        28,
    ),
    Column("effective_on", "施行日期", "date", False, "可以不填。", date(2015, 5, 1), 12),
)
BY_HEADER = {c.header: c for c in COLUMNS}
BY_KEY = {c.key: c for c in COLUMNS}


def column_letter(index: int) -> str:
    """The spreadsheet's name of the 0-based column ``index``: A … Z, AA …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True)
class Problem:
    """One problem of the file: its row (0 for the file as a whole), column and what is wrong."""

    row: int
    column: str
    message: str
    letter: str = ""

    def where(self) -> str:
        """ "第5行 成文日期（E列）" as the page and the problem list say it."""
        if not self.row:
            return "整个文件"
        if not self.column:
            return f"第{self.row}行"
        letter = f"（{self.letter}列）" if self.letter else ""
        return f"第{self.row}行 {self.column}{letter}"

    def as_data(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "letter": self.letter,
            "message": self.message,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Problem:
        return cls(data["row"], data["column"], data["message"], data.get("letter", ""))


# -- reading the file ---------------------------------------------------------------------------


@dataclass
class Table:
    """The rows of the file: ``(row number, values)``, the header row included."""

    kind: str  # "xlsx" or "csv"
    rows: Iterator[tuple[int, list[Any]]]
    encoding: str = ""


def _head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    return head


def _refuse(message: str) -> SheetRefused:
    return SheetRefused(message, code="unreadable")


def sniff(upload, name: str) -> str:
    """ "xlsx" or "csv" from the content of ``upload``; ``SheetRefused`` with why it is neither,
    or when the content does not match the name's extension."""
    shown = PurePath(name or "").name or "这个文件"
    extension = PurePath(shown).suffix.lower()
    if getattr(upload, "size", None) == 0:
        raise _refuse(f"“{shown}”是空文件，请重新选择。")
    head = _head(upload)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise _refuse(
            f"“{shown}”是旧版Excel（.xls）文件或设置了打开密码的文件。请在Excel中取消密码，"
            "用“另存为”保存为“Excel工作簿（*.xlsx）”或“CSV（逗号分隔）”后再上传。"
        )
    if head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(upload, shown)
    elif head.startswith(b"%PDF"):
        raise _refuse(f"“{shown}”是PDF文件。请上传填好的Excel工作簿（.xlsx）或CSV文件。")
    else:
        kind = "csv"
    if extension not in EXTENSIONS:
        raise _refuse("请上传Excel工作簿（.xlsx）或CSV文件，可以先下载模板填写。")
    if f".{kind}" != extension:
        what = "Excel工作簿" if kind == "xlsx" else "文本（CSV）"
        raise _refuse(
            f"“{shown}”的内容是{what}，与扩展名{extension}不符，可能已损坏或被改了扩展名。"
            "请在Excel中重新保存后上传。"
        )
    return kind


def _zip_kind(upload, shown: str) -> str:
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(f"“{shown}”已损坏，无法打开。请在Excel中重新保存后上传。") from None
    finally:
        upload.seek(0)
    names = {entry.filename for entry in entries}
    if "word/document.xml" in names:
        raise _refuse(f"“{shown}”是Word文件。请上传填好的Excel工作簿（.xlsx）或CSV文件。")
    if "xl/workbook.xml" not in names:
        raise _refuse(f"“{shown}”不是Excel工作簿（.xlsx）。请在Excel中另存为.xlsx后上传。")
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED:
        raise _refuse(f"“{shown}”解压后超过{MAX_UNPACKED // MB}MB，不像文件清单，请核对。")
    return "xlsx"


def decode_text(data: bytes, shown: str) -> tuple[str, str]:
    """The text of a CSV file and its encoding: UTF-8 (BOM or not), else GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _refuse(
            f"“{shown}”是UTF-16编码的文本（Excel的“Unicode文本”）。请另存为“CSV UTF-8（逗号分隔）”"
            "或“CSV（逗号分隔）”后上传。"
        )
    head = data[:4096]
    # Text holds a stray NUL at most (named by row and column later, ``nul_cells``); a head
    # where one byte in eight is NUL is a binary file or UTF-16 without its BOM.
    if head.count(b"\x00") * 8 > len(head):
        raise _refuse(f"“{shown}”不是文本文件，也不是Excel工作簿，请核对后重新选择。")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            try:
                return data.decode("gb18030"), "GB18030"
            except UnicodeDecodeError:
                pass
    raise _refuse(f"无法识别“{shown}”的文字编码。请在Excel中另存为“CSV UTF-8（逗号分隔）”后上传。")


@contextmanager
def open_table(upload, name: str) -> Iterator[Table]:
    """The rows of ``upload`` (a file object), closed on leaving; ``SheetRefused`` when the
    file is not an XLSX workbook or a readable CSV."""
    shown = PurePath(name or "").name or "这个文件"
    kind = sniff(upload, name)
    if kind == "csv":
        text, encoding = decode_text(upload.read(), shown)
        upload.seek(0)
        reader = csv.reader(io.StringIO(text, newline=""))
        yield Table("csv", _csv_rows(reader, shown), encoding)
        return
    from openpyxl import load_workbook

    try:
        # data_only: a formula's value as Excel last computed it, not the formula.
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception:
        raise _refuse(
            f"无法读取“{shown}”，文件可能已损坏。请在Excel中打开并重新保存为.xlsx后上传。"
        ) from None
    try:
        if not workbook.worksheets:
            raise _refuse(f"“{shown}”中没有工作表。")
        # The template's sheet by its name, else the first: the notes sheet is never read.
        names = workbook.sheetnames
        sheet = workbook[SHEET_TITLE] if SHEET_TITLE in names else workbook.worksheets[0]
        yield Table("xlsx", _xlsx_rows(sheet, shown))
    finally:
        workbook.close()
        upload.seek(0)


def _csv_rows(reader, shown: str) -> Iterator[tuple[int, list[Any]]]:
    try:
        yield from enumerate(reader, 1)
    except csv.Error:
        raise _refuse(
            f"“{shown}”第{reader.line_num}行的格式有误（引号不配对等），请在Excel中重新保存后上传。"
        ) from None


def _xlsx_rows(sheet, shown: str) -> Iterator[tuple[int, list[Any]]]:
    number = 0
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            yield number, list(values)
    except SheetRefused:
        raise
    except Exception:
        raise _refuse(
            f"读取“{shown}”的第{number + 1}行时出错，文件可能已损坏。请在Excel中重新保存后上传。"
        ) from None


# -- a row of the file ----------------------------------------------------------------------------


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a spurious ".0", dates as 2015-04-08."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    # A line break typed in a cell (Alt+Enter) is layout, not part of a title or a number; a
    # NUL is named by ``nul_cells``; invisible characters could make a title read as another.
    return clean_name(re.sub(r"[\r\n\x00]+", "", str(value))).strip()


_DATE = re.compile(
    r"^(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*(?:-|/|\.|月)\s*(\d{1,2})\s*日?"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
)


def parse_date(value: Any) -> tuple[date | None, str]:
    """A date cell or text (2015-04-08, 2015/4/8, 2015年4月8日) and, when it is none, why."""
    if is_blank(value):
        return None, ""
    if isinstance(value, datetime):
        return value.date(), ""
    if isinstance(value, date):
        return value, ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return None, (
            f"“{cell_text(value)}”是数字，不是日期。请把单元格设为日期格式，"
            "或写作2015-04-08、2015/4/8、2015年4月8日。"
        )
    text = str(value).strip()
    match = _DATE.match(text)
    if not match:
        return None, f"“{text}”不是日期，请写作2015-04-08、2015/4/8或2015年4月8日。"
    year, month, day = (int(part) for part in match.groups())
    try:
        parsed = date(year, month, day)
    except ValueError:
        return None, f"“{text}”不是有效的日期（没有这一天），请核对。"
    if year < 1900:
        return None, f"“{text}”的年份有误，请核对。"
    return parsed, ""


def _word(column: Column, value: Any, words: Mapping[str, str], default: str) -> tuple[str, str]:
    text = cell_text(value)
    if not text:
        return default, ""
    if text in words:
        return words[text], ""
    allowed = "、".join(column.words[:-1]) + "或" + column.words[-1]
    blank = f"；{column.blank}" if column.blank else ""
    return "", f"“{text}”不是可以填写的{column.header}，请填写{allowed}{blank}。"


def _classified(text: str) -> bool:
    return not text.startswith("非") and any(word in text for word in CLASSIFIED_WORDS)


@dataclass
class ParsedRow:
    """A row of the file as a document, with its problems (none: it can be imported)."""

    row: int
    data: DocumentData | None
    unit_name: str
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Header:
    """Where each column is in the file (0-based index by column key)."""

    positions: dict[str, int]
    row: int


def header_positions(
    number: int,
    texts: Sequence[str],
    *,
    columns: Sequence[Any],
    by_header: Mapping[str, Any],
    unknown: Callable[[str], str],
    missing: Callable[[Any], str],
) -> tuple[dict[str, int], list[Problem]]:
    """Where each column of a spreadsheet's header row is (0-based index by column key), and
    what is wrong with the row: a name it does not know (``unknown``'s words), a column named
    twice, a required column missing (``missing``'s words). ``texts``: the row's cells read as
    column names; ``columns`` have ``key``, ``header`` and ``required``."""
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    for index, text in enumerate(texts):
        if not text:
            continue
        letter = column_letter(index)
        column = by_header.get(text)
        if column is None:
            problems.append(Problem(number, text[:40], unknown(text[:40]), letter))
        elif column.key in positions:
            first = column_letter(positions[column.key])
            problems.append(
                Problem(number, text, f"“{text}”列出现了两次（另一列是{first}列）。", letter)
            )
        else:
            positions[column.key] = index
    for column in columns:
        if column.required and column.key not in positions:
            problems.append(Problem(number, column.header, missing(column)))
    return positions, problems


def read_header(number: int, values: list[Any]) -> tuple[Header, list[Problem]]:
    """The columns named in the header row, and what is wrong with it (a missing required
    column, a name it does not know, a column named twice)."""
    names = "、".join(BY_HEADER)
    positions, problems = header_positions(
        number,
        [_header_text(value) for value in values],
        columns=COLUMNS,
        by_header=BY_HEADER,
        unknown=lambda text: (
            f"不认识列名“{text}”，这一列的内容不会导入。请删除这一列，或改用模板中的列名（{names}）。"
        ),
        missing=lambda column: f"缺少“{column.header}”列。第一行应是列名，请使用模板（{names}）。",
    )
    return Header(positions, number), problems


def _header_text(value: Any) -> str:
    # "文号（选填）", "成文日期*": the name before any note.
    text = cell_text(value).replace("\n", "")
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"[（(][^（()）]*[)）]$", "", text)
    return text.strip("*＊")


NUL_PROBLEM = (
    "这一格中有看不见的空字符（U+0000），通常是导出或复制时带来的，不能保存。"
    "请在Excel中重新输入这一格（或删去这个字符）后重新保存上传。"
)


def nul_cells(header: Header | None, number: int, values: list[Any]) -> list[Problem]:
    """A problem for each cell of the row holding U+0000 (the header row too): PostgreSQL
    cannot store it, so the file is refused there, by row and column, not in the import."""
    names = {index: key for key, index in header.positions.items()} if header else {}
    problems = []
    for index, value in enumerate(values):
        if not isinstance(value, str) or "\x00" not in value:
            continue
        # The header row names its own column; a cell outside the columns has no name.
        key = names.get(index)
        column = _header_text(value) if header is None else BY_KEY[key].header if key else ""
        problems.append(Problem(number, column, NUL_PROBLEM, column_letter(index)))
    return problems


def unknown_cells(header: Header, number: int, values: list[Any]) -> list[Problem]:
    """Values in columns without a header: they would be lost, so they are a problem."""
    known = set(header.positions.values())
    return [
        Problem(
            number,
            "",
            f"{column_letter(index)}列没有列名，其中的内容“{cell_text(value)[:20]}”不会导入。"
            "请删除，或放到相应的列中。",
            column_letter(index),
        )
        for index, value in enumerate(values)
        if index not in known and not is_blank(value)
    ]


def parse_row(
    header: Header,
    number: int,
    values: list[Any],
    *,
    units: Mapping[str, int],
    inactive: set[str],
    agency_name: str,
    today: date,
) -> ParsedRow:
    """The document a (non-empty) row describes, every problem named by row and column: the
    words and dates it holds, the same checks as the register's page (``document_problems``),
    the drafting unit among ``units`` (name → id, the agency's active units)."""
    cells = {
        key: values[index] if index < len(values) else None
        for key, index in header.positions.items()
    }
    problems: list[Problem] = []

    def problem(key: str, message: str) -> None:
        column = BY_KEY[key]
        index = header.positions.get(key)
        letter = column_letter(index) if index is not None else ""
        problems.append(Problem(number, column.header, message, letter))

    unit_name = cell_text(cells.get("drafting_unit"))
    unit_id = units.get(unit_name)
    if not unit_name:
        problem("drafting_unit", "请填写起草单位。")
    elif unit_name in inactive:
        problem("drafting_unit", f"起草单位“{unit_name}”已停用，不能再登记文件；请核对单位名称。")
    elif unit_id is None:
        known = "、".join(list(units)[:12]) or "（本机关还没有起草单位，请系统管理员先添加）"
        more = "等" if len(units) > 12 else ""
        problem(
            "drafting_unit",
            f"{agency_name}没有名为“{unit_name}”的起草单位（现有：{known}{more}）。",
        )
    dates: dict[str, date | None] = {}
    for key in ("formed_on", "issued_on", "validity_changed_on", "effective_on"):
        dates[key], message = parse_date(cells.get(key))
        if message:
            problem(key, message)
        elif dates[key] is None and BY_KEY[key].required:
            problem(key, f"请填写{BY_KEY[key].header}。")
    kind, message = _word(BY_KEY["kind"], cells.get("kind"), KIND_WORDS, rules.OTHER_KIND)
    if message:
        problem("kind", message)
    secrecy_text = cell_text(cells.get("secrecy"))
    secrecy, message = _word(
        BY_KEY["secrecy"], secrecy_text, SECRECY_WORDS, Document.Secrecy.UNDETERMINED.value
    )
    if message and _classified(secrecy_text):
        secrecy = Document.Secrecy.CLASSIFIED.value  # document_problems says why it is refused
    elif message:
        problem("secrecy", message)
    validity, message = _word(
        BY_KEY["validity"], cells.get("validity"), VALIDITY_WORDS, Document.Validity.IN_FORCE
    )
    if message:
        problem("validity", message)
    if validity == Document.Validity.IN_FORCE and dates["validity_changed_on"]:
        problem(
            "validity_changed_on",
            "效力状态是“有效”，却填写了修改、失效或废止日期。请把效力状态改为已修改、已失效或"
            "已废止，或者删去这个日期。",
        )
    title = cell_text(cells.get("title"))
    if title == EXAMPLE_TITLE:
        problem("title", "这是模板中的示例行，请删除这一行，或改为真实的文件。")
    data = DocumentData(
        title=title,
        drafting_unit_id=unit_id or 0,
        kind=kind or rules.OTHER_KIND,
        number=cell_text(cells.get("number")),
        formed_on=dates["formed_on"],
        issued_on=dates["issued_on"],
        secrecy=secrecy or Document.Secrecy.UNDETERMINED.value,
        effective_on=dates["effective_on"],
        validity=validity or Document.Validity.IN_FORCE,
        validity_changed_on=dates["validity_changed_on"],
        validity_note=cell_text(cells.get("validity_note")),
    )
    already = {p.column for p in problems}
    for key, message in document_problems(data, today=today).items():
        column = BY_KEY.get(key)
        if column is None or column.header in already:
            continue  # the cell's own problem says it better (a word or a date not understood)
        if key == "validity" and data.issued_on is None:
            continue  # "请填写印发日期" already says it
        problem(key, message)
    return ParsedRow(
        row=number, data=None if problems else data, unit_name=unit_name, problems=problems
    )


# -- the template ---------------------------------------------------------------------------------


def template_csv(unit: str) -> bytes:
    """The template as CSV: the header and the example row (UTF-8 with BOM, for Excel)."""
    return csv_bytes([c.header for c in COLUMNS], [[_example(c, unit) for c in COLUMNS]])


def _example(column: Column, unit: str) -> str:
    if column.key == "drafting_unit":
        return unit
    value = column.example
    return value.isoformat() if isinstance(value, date) else str(value)


def template_xlsx(unit: str, units: list[str], *, max_rows: int) -> bytes:
    """The template as an XLSX workbook: the sheet to fill (header, one example row, date
    cells, lists to choose the words from) and a second sheet explaining every column."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(COLUMNS, 1):
        cell = set_cell(sheet.cell(row=1, column=index), column.header)
        cell.font = bold
        cell.fill = fill
        example = set_cell(
            sheet.cell(row=2, column=index),
            unit if column.key == "drafting_unit" else column.example,
        )
        if column.kind == "date":
            example.number_format = "yyyy-mm-dd"
        else:
            example.number_format = "@"
        sheet.column_dimensions[column_letter(index - 1)].width = column.width
    sheet.freeze_panes = "A2"
    last = max_rows + 1
    for index, column in enumerate(COLUMNS):
        if column.kind != "word":
            continue
        letter = column_letter(index)
        validation = DataValidation(
            type="list",
            formula1='"' + ",".join(column.words) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=f"{column.header}有误",
            error=f"请从列表中选择：{'、'.join(column.words)}。",
        )
        validation.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(validation)

    notes = workbook.create_sheet(NOTES_TITLE)
    append_row(notes, ["列名", "是否必填", "填写说明", "可以填写的内容"])
    for cell in notes[1]:
        cell.font = bold
        cell.fill = fill
    for column in COLUMNS:
        allowed = "、".join(column.words) if column.words else ""
        if column.key == "drafting_unit" and units:
            allowed = "、".join(units)
        append_row(
            notes,
            [column.header, "必填" if column.required else "可不填", column.explain, allowed],
        )
    append_row(notes, [])
    for line in (
        f"第一行是列名，请不要修改；从第二行起每行一份文件，一次最多{max_rows}行。",
        "第二行是示例，导入前请删除或改为真实的文件。",
        "空行会被跳过；任何一行有问题，整个文件都不会导入，页面会逐行列出问题。",
        "导入的文件没有公开属性：需要时由起草单位负责人以公函认定。正式文本在文件页面逐份上传。",
        "也可以保存为CSV（UTF-8或Excel默认的中文编码均可）后上传。",
    ):
        append_row(notes, [line])
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in notes.iter_rows(min_row=2, max_row=len(COLUMNS) + 1):
        for cell in row:
            cell.alignment = wrap
    for letter, width in (("A", 18), ("B", 10), ("C", 60), ("D", 40)):
        notes.column_dimensions[letter].width = width
    return xlsx_bytes(workbook)
