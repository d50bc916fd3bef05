"""The document's final text exported with its attribute mark (DOMAIN §4.1).

GB/T 9704 prints the mark — （此件公开发布）, （此件依申请公开）, （此件不予公开） — as a 附注:
below the date, indented two characters, in parentheses. A DOCX gets a paragraph after its date
line (or at the end when no date line is found); a PDF is stamped one line below its date line,
found from the text positions, above a 版记 at the foot of the page (or below the last line when
there is no date line), or on a new A4 page when there is no room. The stamp
is set by WeasyPrint with the letters' body font, so the PDF embeds it.

A document whose attribute is not confirmed is not exported with a mark: the same rule as 不予发文.
"""

from __future__ import annotations

import logging
import math
import re
import zipfile
from dataclasses import dataclass
from html import escape
from io import BytesIO

from attributes_app import rules
from attributes_app.models import Document
from workflow.cn import cn_date

MM = 72 / 25.4
MARK_PT = 16  # 3号, the body size of GB/T 9704
CHAR_PITCH = 156 * MM / 28  # 28 characters fill the 156 mm text block
LINE_PITCH = 225 * MM / 22  # 22 lines fill the 225 mm text block
BOTTOM_MARGIN = 35 * MM  # the text block ends 35 mm above the bottom edge
TOP_MARGIN, LEFT_MARGIN = 37 * MM, 28 * MM
A4 = (210 * MM, 297 * MM)
ASCENT, DESCENT = 0.88, 0.12  # of the CJK body face, in ems

MARKS = frozenset(rules.ATTRIBUTE_MARKS.values())
_DATE_LINE = re.compile(
    r"(\d{4}年\d{1,2}月\d{1,2}日|[〇○零Ｏ0一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月"
    r"[一二三四五六七八九十]{1,3}日)"
)
_PAGE_NUMBER = re.compile(r"[-—－–\s]*\d{1,4}[-—－–\s]*|第\d{1,4}页(共\d{1,4}页)?")

# WeasyPrint reports every layout step at INFO.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONTENT_TYPES = {"pdf": "application/pdf", "docx": DOCX_TYPE}


class ExportRefused(Exception):
    """The text cannot be exported with a mark; the message says why, in Chinese."""


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def export_refusal(document: Document) -> str | None:
    """Why ``document`` may not be exported with its mark, or None.

    The mark states a confirmed attribute; a text without one is refused like a request to issue
    it (不予发文, DOMAIN §4.1).
    """
    if document.attribute_state == rules.CLASSIFIED:
        return "该文件已转为涉密文件，不在本系统保存和导出正文。"
    if document.attribute_state not in rules.CONFIRMED_STATES:
        transfer = document.archived
        if transfer is not None:
            return (
                f"该文件已于{cn_date(transfer.transferred_on)}移交{transfer.archive_name}，"
                "按照《中华人民共和国档案法》的规定利用，不再认定和加注公开属性。"
            )
        if document.is_issued and document.attribute_state == rules.UNDETERMINED:
            return (
                "不予导出：该文件已印发但未确定公开属性，须由起草单位以公函认定公开属性后，"
                "才能导出标注公开属性的正式文本。"
            )
        return rules.document_issue_refusal(document) or "不予导出：公开属性尚未确认。"
    if not document.file:
        return "该文件还没有上传正式文本（DOCX 或 PDF），请先上传。"
    return None


def file_type(data: bytes) -> str | None:
    """``pdf`` or ``docx`` read from the content (not the name), or None."""
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            return None
    return None


# -- DOCX -------------------------------------------------------------------------------------


def mark_docx(data: bytes, mark: str) -> bytes:
    """``data`` with ``mark`` as a paragraph after the last date line (or at the end).

    A paragraph that already holds a mark is reused: the same mark leaves the text as it is;
    another (the attribute changed since) is replaced, so a text never carries two marks.
    """
    from docx import Document as DocxDocument
    from docx.oxml.ns import qn
    from docx.shared import Pt

    try:
        document = DocxDocument(BytesIO(data))
    except Exception as error:  # python-docx raises many kinds on a damaged file
        raise ExportRefused(
            "正式文本的 DOCX 文件已损坏或不是 Word 文档，不能加注公开属性。"
        ) from error
    paragraphs = document.paragraphs
    existing = [p for p in paragraphs if _squash(p.text) in MARKS]
    if existing:
        paragraph = existing[-1]
        if _squash(paragraph.text) == mark:
            return data
        runs = paragraph.runs
        if not runs:  # the words sit in a field or a hyperlink: write a plain paragraph
            paragraph.clear()
            paragraph.add_run(mark)
        else:
            runs[0].text = mark
            for run in runs[1:]:
                run.text = ""
    else:
        dates = [p for p in paragraphs if _DATE_LINE.fullmatch(_squash(p.text))]
        anchor = dates[-1] if dates else None
        paragraph = document.add_paragraph()
        template_run = next((r for r in anchor.runs if r.text.strip()), None) if anchor else None
        run = paragraph.add_run(mark)
        size = MARK_PT
        if template_run is not None:
            rpr = template_run._r.rPr
            if rpr is not None:
                from copy import deepcopy

                run._r.insert(0, deepcopy(rpr))
            if template_run.font.size is not None:
                size = template_run.font.size.pt
        fmt = paragraph.paragraph_format
        fmt.first_line_indent = Pt(2 * size)
        paragraph._p.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), "200")
        if anchor is not None:
            anchor._p.addnext(paragraph._p)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# -- PDF --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextLine:
    """One line of text on a PDF page: its left edge, baseline (PDF user space) and size."""

    text: str
    x: float
    y: float
    size: float


def _multiply(a, b) -> list[float]:
    """Product of two PDF matrices [a b c d e f] (a applied first)."""
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def text_lines(page) -> list[TextLine]:
    """The lines of text of a pypdf page, top to bottom; page numbers (— 2 —) are left out:
    they sit below the text block and are not the document's last line."""
    pieces: list[tuple[str, float, float, float]] = []

    def visit(text, cm, tm, font_dict, font_size):
        if not text.strip():
            return
        matrix = _multiply(tm, cm)
        scale = math.hypot(matrix[2], matrix[3]) or 1
        pieces.append((text, matrix[4], matrix[5], float(font_size or 0) * scale))

    page.extract_text(visitor_text=visit)
    rows: dict[int, list[tuple[str, float, float, float]]] = {}
    for piece in pieces:
        rows.setdefault(round(piece[2] / 2), []).append(piece)
    lines = []
    for row in rows.values():
        text = _squash("".join(p[0] for p in sorted(row, key=lambda p: p[1])))
        if not text or _PAGE_NUMBER.fullmatch(text):
            continue
        lines.append(
            TextLine(
                text=text,
                x=min(p[1] for p in row),
                y=min(p[2] for p in row),
                size=max(p[3] for p in row),
            )
        )
    return sorted(lines, key=lambda line: -line.y)


def _overlay(width: float, height: float, mark: str, x: float, baseline: float):
    """A one-page PDF of ``width`` × ``height`` points with ``mark`` whose text starts at ``x``
    with its baseline ``baseline`` points above the bottom edge (fonts embedded)."""
    from pypdf import PdfReader
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from workflow.letters import fonts

    top = height - baseline - ASCENT * MARK_PT
    css = f"""
{fonts.font_face_css()}
@page {{ size: {width:.2f}pt {height:.2f}pt; margin: 0; }}
html, body {{ margin: 0; }}
.mark {{ position: absolute; left: {x:.2f}pt; top: {top:.2f}pt; white-space: nowrap;
  font-family: {fonts.font_stack("body")}; font-size: {MARK_PT}pt; line-height: {MARK_PT}pt;
  letter-spacing: {CHAR_PITCH - MARK_PT:.3f}pt; color: #000; }}
"""
    html = f'<html lang="zh-CN"><body><div class="mark">{escape(mark)}</div></body></html>'
    font_config = FontConfiguration()
    stylesheet = CSS(string=css, font_config=font_config)
    pdf = HTML(string=html).write_pdf(stylesheets=[stylesheet], font_config=font_config)
    return PdfReader(BytesIO(pdf)).pages[0]


def _mark_spots(pages) -> list[tuple[int, list[TextLine], int]]:
    """Where the mark may go, best first, as (page index, the page's lines, index of the line
    to stamp below): below the last 成文日期 line of the document (GB/T 9704 7.3.6), else below
    the last line of the last page. Turned pages and pages without text are skipped."""
    spots = []
    layouts = {}

    def lines_of(index: int) -> list[TextLine]:
        if index not in layouts:
            page = pages[index]
            layouts[index] = text_lines(page) if not (page.get("/Rotate") or 0) % 360 else []
        return layouts[index]

    for index in range(len(pages) - 1, -1, -1):
        lines = lines_of(index)
        dates = [i for i, line in enumerate(lines) if _DATE_LINE.fullmatch(line.text)]
        if dates:
            below = dates[-1]
            # Other 附注 already under the date (（联系人：…）) keep their place; the mark follows.
            while (
                below + 1 < len(lines)
                and lines[below + 1].text.startswith(("（", "("))
                and lines[below].y - lines[below + 1].y <= 1.6 * LINE_PITCH
            ):
                below += 1
            spots.append((index, lines, below))
            break
    last = len(pages) - 1
    if lines_of(last) and not spots:
        spots.append((last, lines_of(last), len(lines_of(last)) - 1))
    return spots


def mark_pdf(data: bytes, mark: str) -> bytes:
    """``data`` with ``mark`` stamped one line below its 成文日期 (the last line that is only a
    date) and any 附注 already there, indented two characters from the text's left edge, where
    the next line down (a 版记 at the foot of the page) leaves room; without a date line, below
    the last line of the last page. On a new A4 page when there is no room, no text layer (a
    scan) or the page is turned.

    The same mark already in the text leaves it as it is; another mark is refused, since a PDF's
    printed words cannot be taken out.
    """
    from pypdf import PdfReader, PdfWriter, Transformation
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted:
            raise ExportRefused("正式文本的 PDF 文件已加密，不能加注公开属性；请上传未加密的文件。")
        pages = list(reader.pages)
        if not pages:
            raise ExportRefused("正式文本的 PDF 文件没有页面。")
        words = _squash("".join(page.extract_text() or "" for page in pages))
    except (PdfReadError, ValueError, KeyError) as error:
        raise ExportRefused("正式文本的 PDF 文件已损坏，不能加注公开属性。") from error
    present = {m for m in MARKS if m in words}
    if mark in present:
        return data
    if present:
        raise ExportRefused(
            f"正式文本已印有“{'、'.join(sorted(present))}”，与现在的公开属性“{mark}”不一致；"
            "请上传未标注公开属性的正式文本。"
        )
    writer = PdfWriter(clone_from=reader)
    placed = False
    for index, lines, below in _mark_spots(reader.pages):
        page = writer.pages[index]
        box = page.mediabox
        left, bottom = float(box.left), float(box.bottom)
        width, height = float(box.width), float(box.height)
        anchor = lines[below]
        baseline = anchor.y - max(LINE_PITCH, 1.5 * anchor.size)
        x = min(line.x for line in lines) + 2 * CHAR_PITCH
        # Room: above the bottom margin and clear of the next line down (a 版记 at the foot).
        floor = bottom + BOTTOM_MARGIN
        if below + 1 < len(lines):
            following = lines[below + 1]
            floor = max(following.y + ASCENT * following.size + 2, bottom)
        if baseline - DESCENT * MARK_PT >= floor and x < left + width:
            overlay = _overlay(width, height, mark, x - left, baseline - bottom)
            page.merge_transformed_page(overlay, Transformation().translate(left, bottom))
            placed = True
            break
    if not placed:
        page = writer.add_blank_page(*A4)
        baseline = A4[1] - TOP_MARGIN - ASCENT * MARK_PT
        page.merge_page(_overlay(*A4, mark, LEFT_MARGIN + 2 * CHAR_PITCH, baseline))
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# -- the export -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkedText:
    data: bytes
    filename: str
    content_type: str


def _safe_name(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\r\n]+', "_", text).strip() or "正式文本"


def marked_text(document: Document) -> MarkedText:
    """The final text of ``document`` with its attribute mark; ``ExportRefused`` says why not."""
    refusal = export_refusal(document)
    if refusal:
        raise ExportRefused(refusal)
    try:
        with document.file.open("rb") as stored:
            data = stored.read()
    except OSError as error:
        raise ExportRefused("找不到正式文本的文件，请重新上传。") from error
    kind = file_type(data)
    if kind is None:
        raise ExportRefused("正式文本应为 DOCX 或 PDF 文件，才能加注公开属性；请重新上传。")
    mark = document.mark
    marked = mark_docx(data, mark) if kind == "docx" else mark_pdf(data, mark)
    name = _safe_name(document.number or document.title)
    return MarkedText(
        data=marked,
        filename=f"{name}{mark}.{kind}",
        content_type=CONTENT_TYPES[kind],
    )


__all__ = [
    "ExportRefused",
    "MarkedText",
    "export_refusal",
    "file_type",
    "mark_docx",
    "mark_pdf",
    "marked_text",
    "text_lines",
]
