"""The annual report as files: DOCX (python-docx), PDF (WeasyPrint) and XLSX (openpyxl), laid
out like the format (国办公开办函〔2021〕30号).

Every output, the report page included, reads one layout of the three tables (``tables``):
each table a grid of cells with their row and column spans, so the merged header cells are the
same everywhere: table 三's top-left corner (``TABLE3_CORNER``) over the three header rows and
the three label columns, 申请人情况 over the seven number columns, 法人或其他组织 over its five;
table 四's three header lines (行政复议 | 行政诉讼, then 未经复议直接起诉 and 复议后起诉). A number
is printed as it is, 0 included: no cell is ever blank.

The fonts are the letters' (``workflow.letters.fonts``): the faces the PDF embeds, the names the
DOCX asks Word or WPS for, GB/T 9704's page (A4, 37/26/35/28 mm margins).

``render(data, fmt, agency=…)`` is all a caller needs; ``texts`` holds the words of parts 一, 五
and 六 (keys ``"一"``, ``"五"``, ``"六"``), ``draft`` marks a report not yet published.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from html import escape
from io import BytesIO
from typing import Any

from requests_app.annual_report.structure import (
    TABLE2_ITEMS,
    TABLE3_COLUMNS,
    TABLE3_CORNER,
    TABLE3_ROWS,
    TABLE4_COLUMNS,
    TABLE4_GROUPS,
    Cell,
    ReportData,
)
from workflow.letters.pdf import ThreadStylesheet

FORMATS = ("docx", "pdf", "xlsx")
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

#: The six parts, in order: (key, heading, kind).
PARTS: tuple[tuple[str, str, str], ...] = (
    ("一", "一、总体情况", "text"),
    ("二", "二、主动公开政府信息情况", "table"),
    ("三", "三、收到和处理政府信息公开申请情况", "table"),
    ("四", "四、政府信息公开行政复议、行政诉讼情况", "table"),
    ("五", "五、存在的主要问题及改进情况", "text"),
    ("六", "六、其他需要报告的事项", "text"),
)
TEXT_PARTS = tuple(key for key, _, kind in PARTS if kind == "text")
PART_HEADINGS = {key: heading for key, heading, _ in PARTS}
#: What a part without text says (a report is never printed with a part missing).
EMPTY_TEXT = "（本部分尚未填写。）"

#: Table 三's group heading of the outcome rows (a vertical cell over them, as in the format).
TABLE3_RESULTS = "三、本年度办理结果"
TABLE3_APPLICANTS = "申请人情况"
TABLE3_BODIES = "法人或其他组织"
TABLE4_RECONSIDERATION, TABLE4_LAWSUIT = "行政复议", "行政诉讼"


def report_title(year: int) -> str:
    """The report's title line: 2025年度政府信息公开工作年度报告."""
    return f"{year}年度政府信息公开工作年度报告"


def file_name(agency_name: str, year: int, fmt: str) -> str:
    """The download's file name: 《…2025年度政府信息公开工作年度报告》.docx, without the marks."""
    return f"{agency_name}{report_title(year)}.{fmt}"


# -- the layout shared by every output ---------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """Where a number sits in the data: ``table`` "二" / "三" / "四", ``key`` the row (table 二's
    row name, table 三's row key; "" for table 四) and ``index`` the column."""

    table: str
    key: str
    index: int

    @property
    def slug(self) -> str:
        """The reference as one URL-safe word: ``3-三（三）1-0`` (table, row, column)."""
        return f"{'二三四'.index(self.table) + 2}-{self.key}-{self.index}"


@dataclass(frozen=True)
class GridCell:
    """One cell of a table's grid at ``row``/``col`` (0-based) spanning ``rowspan``×``colspan``.

    ``kind``: ``head`` (a header cell), ``label`` (a row's name), ``number`` (a count) or
    ``amount`` (the fee total in 万元, a decimal as entered). Numbers carry their ``ref`` and the
    ``Cell`` with the ids behind them."""

    text: str
    row: int
    col: int
    kind: str
    rowspan: int = 1
    colspan: int = 1
    ref: Ref | None = None
    cell: Cell | None = None

    @property
    def is_number(self) -> bool:
        return self.kind in ("number", "amount")

    @property
    def number(self) -> int | Decimal:
        """The number as a number (the amount as a ``Decimal``; a malformed one as 0)."""
        assert self.cell is not None
        return as_number(self.cell.value)


@dataclass
class Grid:
    """A table laid out: ``columns`` wide, its first ``header_rows`` rows the header; ``rows``
    lists, row by row, the cells that start on that row (left to right)."""

    key: str
    title: str
    columns: int
    header_rows: int
    widths: tuple[float, ...]
    rows: list[list[GridCell]] = field(default_factory=list)

    def add(self, cell: GridCell) -> GridCell:
        while len(self.rows) <= cell.row:
            self.rows.append([])
        self.rows[cell.row].append(cell)
        return cell

    @property
    def cells(self) -> Iterator[GridCell]:
        for row in self.rows:
            yield from row

    @property
    def numbers(self) -> list[GridCell]:
        return [cell for cell in self.cells if cell.is_number]

    def at(self, row: int, col: int) -> GridCell | None:
        """The cell covering grid position (``row``, ``col``)."""
        for cell in self.cells:
            if cell.row <= row < cell.row + cell.rowspan and (
                cell.col <= col < cell.col + cell.colspan
            ):
                return cell
        return None

    @property
    def merges(self) -> list[GridCell]:
        return [cell for cell in self.cells if cell.rowspan > 1 or cell.colspan > 1]


def as_number(value: int | str | None) -> int | Decimal:
    """A cell's value as a number: an int as itself, the amount's text as a ``Decimal``."""
    if isinstance(value, int):
        return value
    try:
        number = Decimal(str(value or "0").strip() or "0")
    except InvalidOperation:
        return Decimal(0)
    return number if number.is_finite() else Decimal(0)


def printed(value: int | str | None) -> str:
    """How a number prints: as it is, 0 for nothing (never blank)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "0"
    return str(value).strip() if isinstance(value, str) else str(value)


def _cells(cells: list[Cell] | None, count: int) -> list[Cell]:
    """``count`` cells, missing ones as 0 (a report never prints a blank)."""
    cells = list(cells or [])
    return cells[:count] + [Cell(0)] * (count - len(cells[:count]))


def _number(grid: Grid, ref: Ref, cell: Cell, row: int, col: int, *, kind="number", span=1):
    return grid.add(GridCell(printed(cell.value), row, col, kind, 1, span, ref, cell))


def table2_grid(data: ReportData) -> Grid:
    """Table 二 as the format prints it: one table of four columns, each item of Art. 20 a
    heading across it, 信息内容 and its columns, then its rows; a one-number item's number
    spans the three number columns."""
    grid = Grid("二", PART_HEADINGS["二"], 4, 0, (34, 22, 22, 22))
    row = 0
    for item, columns, names in TABLE2_ITEMS:
        grid.add(GridCell(item, row, 0, "head", colspan=4))
        row += 1
        grid.add(GridCell("信息内容", row, 0, "head"))
        span = 3 // len(columns)
        for index, column in enumerate(columns):
            grid.add(GridCell(column, row, 1 + index * span, "head", colspan=span))
        row += 1
        for name in names:
            grid.add(GridCell(name, row, 0, "label"))
            kind = "amount" if "万元" in columns[0] else "number"
            for index, cell in enumerate(_cells(data.table2.get(name), len(columns))):
                column = 1 + index * span
                _number(grid, Ref("二", name, index), cell, row, column, kind=kind, span=span)
            row += 1
    return grid


def _group_spans() -> dict[str, int]:
    spans: dict[str, int] = {}
    current = ""
    for spec in TABLE3_ROWS:
        if spec.group and spec.group != TABLE3_RESULTS:
            current = spec.group
        elif not spec.key.startswith("三（") or spec.key in ("三（一）", "三（二）", "三（七）"):
            current = ""
        if current:
            spans[current] = spans.get(current, 0) + 1
    return spans


def table3_grid(data: ReportData) -> Grid:
    """Table 三: three header rows (the corner over them and the three label columns; 申请人情况
    over the seven number columns; 自然人 and 总计 down two rows, 法人或其他组织 over its five),
    then the 25 rows of numbers. 三、本年度办理结果 runs down the first label column beside its
    rows, each of （三）–（六） down the second beside its items."""
    grid = Grid("三", PART_HEADINGS["三"], 3 + len(TABLE3_COLUMNS), 3, (8, 11, 30) + (7.3,) * 7)
    grid.add(GridCell(TABLE3_CORNER, 0, 0, "head", rowspan=3, colspan=3))
    grid.add(GridCell(TABLE3_APPLICANTS, 0, 3, "head", colspan=7))
    grid.add(GridCell(TABLE3_COLUMNS[0], 1, 3, "head", rowspan=2))
    grid.add(GridCell(TABLE3_BODIES, 1, 4, "head", colspan=5))
    grid.add(GridCell(TABLE3_COLUMNS[6], 1, 9, "head", rowspan=2))
    for index, column in enumerate(TABLE3_COLUMNS[1:6]):
        grid.add(GridCell(column, 2, 4 + index, "head"))
    results = sum(1 for spec in TABLE3_ROWS if spec.key.startswith("三（"))
    groups = _group_spans()
    for offset, spec in enumerate(TABLE3_ROWS):
        row = 3 + offset
        if spec.group == TABLE3_RESULTS:
            grid.add(GridCell(TABLE3_RESULTS, row, 0, "label", rowspan=results))
        if not spec.key.startswith("三（"):
            grid.add(GridCell(spec.label, row, 0, "label", colspan=3))
        elif spec.key in ("三（一）", "三（二）", "三（七）"):
            grid.add(GridCell(spec.label, row, 1, "label", colspan=2))
        else:
            if spec.group:
                grid.add(GridCell(spec.group, row, 1, "label", rowspan=groups[spec.group]))
            grid.add(GridCell(spec.label, row, 2, "label"))
        cells = _cells(data.table3.get(spec.key), len(TABLE3_COLUMNS))
        for index, cell in enumerate(cells):
            _number(grid, Ref("三", spec.key, index), cell, row, 3 + index)
    return grid


def table4_grid(data: ReportData) -> Grid:
    """Table 四: 行政复议 over its five columns and 行政诉讼 over ten; the reconsideration's
    columns run down two rows, the lawsuit's split into 未经复议直接起诉 and 复议后起诉 (five
    each); then the one row of 15 numbers."""
    width = len(TABLE4_COLUMNS)
    grid = Grid("四", PART_HEADINGS["四"], 3 * width, 3, (1,) * (3 * width))
    grid.add(GridCell(TABLE4_RECONSIDERATION, 0, 0, "head", colspan=width))
    grid.add(GridCell(TABLE4_LAWSUIT, 0, width, "head", colspan=2 * width))
    for index, column in enumerate(TABLE4_COLUMNS):
        grid.add(GridCell(column, 1, index, "head", rowspan=2))
    for group_index, group in enumerate(TABLE4_GROUPS[1:], 1):
        grid.add(GridCell(group, 1, group_index * width, "head", colspan=width))
        for index, column in enumerate(TABLE4_COLUMNS):
            grid.add(GridCell(column, 2, group_index * width + index, "head"))
    for index, cell in enumerate(_cells(data.table4, 3 * width)):
        _number(grid, Ref("四", "", index), cell, 3, index)
    return grid


def tables(data: ReportData) -> list[Grid]:
    """Tables 二, 三 and 四, laid out."""
    return [table2_grid(data), table3_grid(data), table4_grid(data)]


def cell_at(data: ReportData, ref: Ref) -> Cell | None:
    """The cell ``ref`` names in ``data`` (None when there is none)."""
    if ref.table == "二":
        cells = data.table2.get(ref.key)
    elif ref.table == "三":
        cells = data.table3.get(ref.key)
    elif ref.table == "四" and not ref.key:
        cells = data.table4
    else:
        return None
    if cells is None or not 0 <= ref.index < len(cells):
        return None
    return cells[ref.index]


def parse_ref(slug: str) -> Ref | None:
    """``Ref.slug`` read back; None for anything else."""
    table, _, rest = slug.partition("-")
    key, _, index = rest.rpartition("-")
    if table not in ("2", "3", "4") or not index.isdigit() or len(index) > 3:
        return None
    return Ref("二三四"[int(table) - 2], key, int(index))


def cell_name(ref: Ref) -> str:
    """A number's place in words: 表三“（一）予以公开”行“自然人”列."""
    if ref.table == "二":
        for item, columns, names in TABLE2_ITEMS:
            if ref.key in names and ref.index < len(columns):
                return f"表二{item}“{ref.key}”的“{columns[ref.index]}”"
    elif ref.table == "三":
        labels = {spec.key: spec.label for spec in TABLE3_ROWS}
        if ref.key in labels and ref.index < len(TABLE3_COLUMNS):
            return f"表三“{labels[ref.key]}”行“{TABLE3_COLUMNS[ref.index]}”列"
    elif ref.table == "四" and ref.index < 3 * len(TABLE4_COLUMNS):
        group, column = divmod(ref.index, len(TABLE4_COLUMNS))
        return f"表四“{TABLE4_GROUPS[group]}”的“{TABLE4_COLUMNS[column]}”"
    return "表中的数字"


# -- the words ---------------------------------------------------------------------------------


def opening(year: int) -> str:
    """The paragraph before part 一: what the report is and the period its numbers cover."""
    return (
        "本年度报告根据《中华人民共和国政府信息公开条例》第四十九条、第五十条和《中华人民共和国"
        "政府信息公开工作年度报告格式》（国办公开办函〔2021〕30号）编制，"
        f"所列数据的统计期限为{year}年1月1日至{year}年12月31日。"
    )


def fee_sentence(fees: Mapping[str, Any]) -> str:
    """Part 六's sentence on the processing fees charged in the year (国办函〔2020〕109号)."""
    count = int(fees.get("count") or 0)
    amount = fees.get("amount", fees.get("yuan", 0)) or 0
    if not count and not as_number(amount):
        return "本年度未收取信息处理费。"
    return f"本年度共对{count}件政府信息公开申请收取信息处理费，合计{printed(amount)}元。"


def paragraphs(text: str | None) -> list[str]:
    """The paragraphs of an entered text (one a line; blank lines dropped)."""
    lines = [line.strip() for line in (text or "").replace("\r\n", "\n").split("\n")]
    return [line for line in lines if line]


def part_paragraphs(key: str, data: ReportData, texts: Mapping[str, str]) -> list[str]:
    """The paragraphs of text part ``key``; part 六 always speaks of the processing fees (the
    sentence is added when its text does not)."""
    lines = paragraphs(texts.get(key))
    if key == "六" and not any("信息处理费" in line for line in lines):
        lines.append(fee_sentence(data.fees))
    return lines or [EMPTY_TEXT]


@dataclass(frozen=True)
class Document:
    """What every output prints: the agency, the title, the parts in order."""

    agency: str
    year: int
    draft: bool
    data: ReportData
    texts: Mapping[str, str]

    @property
    def title(self) -> str:
        return report_title(self.year)

    def parts(self) -> Iterator[tuple[str, str, list[str] | Grid]]:
        grids = {grid.key: grid for grid in tables(self.data)}
        for key, heading, kind in PARTS:
            if kind == "table":
                yield key, heading, grids[key]
            else:
                yield key, heading, part_paragraphs(key, self.data, self.texts)


def _agency_name(agency, agency_id: int) -> str:
    """The agency's name: given (an ``Agency`` or its name), else read by ``agency_id``."""
    if agency is None:
        from workflow.models import Agency

        found = Agency.objects.filter(pk=agency_id).values_list("name", flat=True).first()
        return found or ""
    return str(getattr(agency, "name", agency))


def render(
    data: ReportData,
    fmt: str,
    *,
    agency=None,
    texts: Mapping[str, str] | None = None,
    draft: bool = False,
    **_ignored: Any,
) -> bytes:
    """The report as ``fmt`` ("docx", "pdf" or "xlsx") bytes.

    ``agency``: the ``Agency`` (or its name; read from ``data.agency_id`` when not given);
    ``texts``: parts 一, 五 and 六 by key ("一", "五", "六"), else ``data.texts``; ``draft``:
    print 草稿 under the title (a version not published). Other keywords are accepted and
    ignored, so callers may pass what they have."""
    name = _agency_name(agency, data.agency_id)
    words = dict(texts if texts is not None else getattr(data, "texts", None) or {})
    document = Document(name, data.year, draft, data, words)
    if fmt == "docx":
        return _docx(document)
    if fmt == "pdf":
        return _pdf(document)
    if fmt == "xlsx":
        return _xlsx(document)
    raise ValueError(f"不支持的格式：{fmt}（可选：{'、'.join(FORMATS)}）")


# -- PDF ---------------------------------------------------------------------------------------

DRAFT_MARK = "（草稿，尚未发布）"


def _grid_html(grid: Grid) -> str:
    total = sum(grid.widths)
    out = [f'<table class="t{grid.key}"><colgroup>']
    out += [f'<col style="width:{100 * w / total:.2f}%">' for w in grid.widths]
    out.append("</colgroup>")
    for index, row in enumerate(grid.rows):
        if index == 0 and grid.header_rows:
            out.append("<thead>")
        if index == grid.header_rows:
            out.append("</thead><tbody>" if grid.header_rows else "<tbody>")
        out.append("<tr>")
        for cell in row:
            tag = "th" if cell.kind == "head" else "td"
            spans = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
                f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
            )
            css = f' class="{cell.kind}"'
            out.append(f"<{tag}{spans}{css}>{escape(cell.text)}</{tag}>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def document_html(document: Document) -> str:
    """The report as HTML for the PDF (the stylesheet is applied separately)."""
    out = [
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{escape(document.agency + document.title)}</title></head><body>",
        '<h1 class="title">',
    ]
    if document.agency:
        out.append(f"{escape(document.agency)}<br>")
    out.append(f"{escape(document.title)}</h1>")
    if document.draft:
        out.append(f'<p class="draft">{DRAFT_MARK}</p>')
    out.append(f"<p>{escape(opening(document.year))}</p>")
    for _key, heading, content in document.parts():
        out.append(f"<h2>{escape(heading)}</h2>")
        if isinstance(content, Grid):
            out.append(_grid_html(content))
        else:
            out.extend(f"<p>{escape(line)}</p>" for line in content)
    out.append("</body></html>")
    return "".join(out)


def _css() -> str:
    from workflow.letters import fonts
    from workflow.letters.pdf import BODY_PT, CHAR_PITCH, LINE

    body, title = fonts.font_stack("body"), fonts.font_stack("title")
    heading = fonts.font_stack("heading")
    page_number = (
        f'content: "— " counter(page) " —"; font-family: {body}; font-size: 14pt;'
        " vertical-align: top; padding-top: 5.5mm;"
    )
    return f"""
{fonts.font_face_css()}
@page {{
  size: A4; margin: 37mm 26mm 35mm 28mm;
  @bottom-right {{ {page_number} padding-right: {CHAR_PITCH:.2f}pt; }}
}}
@page :left {{
  @bottom-right {{ content: none; }}
  @bottom-left {{ {page_number} padding-left: {CHAR_PITCH:.2f}pt; }}
}}
html {{ font-family: {body}; font-size: {BODY_PT}pt; line-height: {LINE:.3f}pt; color: #000; }}
body {{ margin: 0; }}
p {{ margin: 0; text-indent: 2em; text-align: justify; }}
p.draft {{ text-indent: 0; text-align: center; }}
h1.title {{ font-family: {title}; font-size: 22pt; font-weight: normal; line-height: 32pt;
  text-align: center; margin: 0 0 {LINE:.2f}pt 0; }}
h2 {{ font-family: {heading}; font-size: {BODY_PT}pt; font-weight: normal; margin: 0;
  text-indent: 2em; break-after: avoid; }}
table {{ width: 100%; border-collapse: collapse; table-layout: fixed;
  margin: 4pt 0 {LINE / 2:.2f}pt 0; }}
td, th {{ border: 0.75pt solid #000; padding: 1pt 2pt; font-size: 10.5pt; line-height: 13pt;
  font-weight: normal; vertical-align: middle; text-align: center; }}
th {{ font-family: {heading}; }}
td.label {{ text-align: left; }}
table.t三 th, table.t三 td {{ font-size: 9pt; line-height: 11.5pt; padding: 1pt 1.5pt; }}
table.t四 th, table.t四 td {{ font-size: 9pt; line-height: 11.5pt; padding: 1pt 1pt; }}
table.t三 th:first-child {{ text-align: left; }}
tr {{ break-inside: avoid; }}
"""


#: The report's stylesheet with the letters' fonts, parsed once per thread.
_STYLESHEET = ThreadStylesheet(lambda: _css())


def _pdf(document: Document) -> bytes:
    from weasyprint import HTML

    font_config, css = _STYLESHEET.get()
    html = HTML(string=document_html(document))
    return html.write_pdf(stylesheets=[css], font_config=font_config)


# -- DOCX --------------------------------------------------------------------------------------

TABLE_PT = 10.5  # 五号
DENSE_TABLE_PT = 9  # 小五: tables 三 and 四, ten and fifteen columns


def _docx(document: Document) -> bytes:
    from docx import Document as WordDocument
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    from workflow.letters import fonts
    from workflow.letters.docx import add_run, base_document, format_paragraph
    from workflow.letters.pdf import BODY_PT, LINE

    names = fonts.docx_font_names()
    word = WordDocument(BytesIO(base_document(False, tuple(sorted(names.items())))))
    word.core_properties.title = f"{document.agency}{document.title}"

    def paragraph(text: str, role: str = "body", *, indent: bool = True, align=None):
        para = word.add_paragraph()
        format_paragraph(
            para, indent_chars=2 if indent else 0, align=align or WD_ALIGN_PARAGRAPH.JUSTIFY
        )
        add_run(para, text, names[role], BODY_PT)
        return para

    for line in [document.agency, document.title] if document.agency else [document.title]:
        title = word.add_paragraph()
        format_paragraph(title, align=WD_ALIGN_PARAGRAPH.CENTER, line=36)
        add_run(title, line, names["title"], 22)
    word.paragraphs[-1].paragraph_format.space_after = Pt(LINE)
    if document.draft:
        paragraph(DRAFT_MARK, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph(opening(document.year))
    for _key, heading, content in document.parts():
        head = paragraph(heading, "heading")
        head.paragraph_format.keep_with_next = True
        if not isinstance(content, Grid):
            for line in content:
                paragraph(line)
            continue
        grid = content
        size = TABLE_PT if grid.key == "二" else DENSE_TABLE_PT
        table = word.add_table(rows=len(grid.rows), cols=grid.columns)
        table.style = word.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        total = sum(grid.widths)
        for row in table.rows:
            for col, cell in enumerate(row.cells):
                cell.width = Mm(156 * grid.widths[col] / total)
        for cell in grid.cells:
            target = table.cell(cell.row, cell.col)
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(
                    table.cell(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1)
                )
            target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            para = target.paragraphs[0]
            align = WD_ALIGN_PARAGRAPH.LEFT if cell.kind == "label" else WD_ALIGN_PARAGRAPH.CENTER
            format_paragraph(para, align=align, line=size * 1.3)
            add_run(para, cell.text, names["heading" if cell.kind == "head" else "body"], size)
        _repeat_header(table, grid.header_rows)
        word.add_paragraph()
    buffer = BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _repeat_header(table, rows: int) -> None:
    """Mark the header rows to repeat on each page a table runs onto."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for row in table.rows[:rows]:
        properties = row._tr.get_or_add_trPr()
        element = OxmlElement("w:tblHeader")
        element.set(qn("w:val"), "true")
        properties.append(element)


# -- XLSX --------------------------------------------------------------------------------------

SHEET_TITLES = {
    "二": "表二 主动公开政府信息情况",
    "三": "表三 收到和处理申请情况",
    "四": "表四 行政复议、行政诉讼情况",
}
#: The table's first row on its sheet: row 1 says whose report and which table.
XLSX_FIRST_ROW = 3


def _xlsx(document: Document) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    from workflow.spreadsheets import set_cell

    book = Workbook()
    book.remove(book.active)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(bold=True)
    for grid in tables(document.data):
        sheet = book.create_sheet(SHEET_TITLES[grid.key])
        caption = f"{document.agency}{document.title} {grid.title}"
        if document.draft:
            caption += DRAFT_MARK
        set_cell(sheet.cell(row=1, column=1), caption).font = bold
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=grid.columns)
        total = sum(grid.widths)
        for col, width in enumerate(grid.widths, 1):
            letter = get_column_letter(col)
            sheet.column_dimensions[letter].width = max(8, 120 * width / total)
        for cell in grid.cells:
            row, col = XLSX_FIRST_ROW + cell.row, 1 + cell.col
            target = sheet.cell(row=row, column=col)
            set_cell(target, cell.number if cell.is_number else cell.text)
            if cell.kind == "amount":
                target.number_format = "0.00##"
            if cell.rowspan > 1 or cell.colspan > 1:
                sheet.merge_cells(
                    start_row=row,
                    start_column=col,
                    end_row=row + cell.rowspan - 1,
                    end_column=col + cell.colspan - 1,
                )
            target.alignment = Alignment(
                horizontal="left" if cell.kind == "label" else "center",
                vertical="center",
                wrap_text=True,
            )
            if cell.kind == "head":
                target.font = bold
        for row in sheet.iter_rows(
            min_row=XLSX_FIRST_ROW,
            max_row=XLSX_FIRST_ROW + len(grid.rows) - 1,
            max_col=grid.columns,
        ):
            for target in row:
                target.border = border
        sheet.freeze_panes = sheet.cell(row=XLSX_FIRST_ROW + grid.header_rows, column=1)
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.orientation = "landscape" if grid.key == "四" else "portrait"
        sheet.page_setup.fitToWidth = 1
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
