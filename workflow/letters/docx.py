"""DOCX renderer: a ``Letter`` → python-docx, with the same page set-up as the PDF.

Word and WPS pick CJK glyphs from the ``w:eastAsia`` font of a run, so every style and run names
its East-Asian font explicitly. The document grid is set to 22 lines of 28 characters, so the text
lands where GB/T 9704 puts it when an officer edits the letter.
"""

from functools import lru_cache
from io import BytesIO

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from workflow.letters import fonts
from workflow.letters.pdf import ATTACHMENT_NO, BODY_PT, CHAR_PITCH, LINE, RED, _text_width
from workflow.letters.structure import Heading, Letter, NumberedItems, Paragraph, Table

TITLE_PT = 22
TABLE_PT = 14
DENSE_PT = 12  # tables of four or more columns
RED_RGB = RGBColor.from_string(RED.lstrip("#").upper())

__all__ = ["render_docx"]


def _set_fonts(rpr_parent, name: str, size: float | None = None) -> None:
    """Name ``name`` for every script (w:eastAsia included) on a run or style element."""
    rpr = rpr_parent.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attribute), name)
    rfonts.set(qn("w:hint"), "eastAsia")
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            element = rpr.find(qn(tag))
            if element is None:
                element = OxmlElement(tag)
                rpr.append(element)
            element.set(qn("w:val"), str(round(size * 2)))


def format_paragraph(
    paragraph, *, indent_chars: float = 0, align=None, line: float = LINE, before=0.0
):
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line)
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(0)
    if align is not None:
        fmt.alignment = align
    if indent_chars:
        fmt.first_line_indent = Pt(indent_chars * CHAR_PITCH)
        ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
        ind.set(qn("w:firstLineChars"), str(int(indent_chars * 100)))
    return fmt


def add_run(paragraph, text: str, font: str, size: float, color: RGBColor | None = None):
    run = paragraph.add_run(text)
    _set_fonts(run._r, font, size)
    if color is not None:
        run.font.color.rgb = color
    return run


def _border(paragraph, side: str, style: str, size_eighths: int, color: str = "000000") -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), style)
    edge.set(qn("w:sz"), str(size_eighths))
    edge.set(qn("w:space"), "1")
    edge.set(qn("w:color"), color)
    borders.append(edge)


def _page_number(paragraph, font: str) -> None:
    add_run(paragraph, "— ", font, TABLE_PT)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    _set_fonts(run, font, TABLE_PT)
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    add_run(paragraph, " —", font, TABLE_PT)


def _setup_page(document, head: bool, names: dict[str, str]) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(22)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    # A line grid only. 28 characters of 16 pt are 448 pt, wider than the 156 mm (442.2 pt) text
    # block, so GB/T 9704 letters condense the characters slightly (see _styles); a character
    # grid (linesAndChars) with a pitch under the font size is laid out two cells a character
    # by LibreOffice, so it is not used.
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE * 20)))
    # Page numbers from page 2: odd pages right, even pages left, one character from the edge.
    section.different_first_page_header_footer = True
    document.settings.odd_and_even_pages_header_footer = True
    odd = section.footer.paragraphs[0]
    format_paragraph(odd, align=WD_ALIGN_PARAGRAPH.RIGHT, line=TABLE_PT * 1.5)
    odd.paragraph_format.right_indent = Pt(CHAR_PITCH)
    _page_number(odd, names["body"])
    even = section.even_page_footer.paragraphs[0]
    format_paragraph(even, align=WD_ALIGN_PARAGRAPH.LEFT, line=TABLE_PT * 1.5)
    even.paragraph_format.left_indent = Pt(CHAR_PITCH)
    _page_number(even, names["body"])
    first = section.first_page_footer.paragraphs[0]
    if head:  # 信函格式: the lower red double rule, thin over thick, on page 1
        format_paragraph(first, line=2)
        first.paragraph_format.left_indent = Mm(-7)
        first.paragraph_format.right_indent = Mm(-7)
        _border(first, "top", "thinThickSmallGap", 24, RED.lstrip("#"))


def _document_defaults(document) -> None:
    """Body size and Chinese language as the document defaults.

    Word and WPS measure the character grid (``w:docGrid w:charSpace``) from the default font size;
    left at python-docx's 11 pt, every 16 pt character would take two grid cells.
    """
    styles = document.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for tag in ("w:sz", "w:szCs"):
        element = rpr.find(qn(tag))
        if element is None:
            element = OxmlElement(tag)
            rpr.append(element)
        element.set(qn("w:val"), str(round(BODY_PT * 2)))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


#: Condensed character spacing in twentieths of a point: 28 × (16 − 0.25) pt = 441 pt ≤ 442.2 pt.
CONDENSE_TWIPS = -5


def _styles(document, names: dict[str, str]) -> None:
    _document_defaults(document)
    normal = document.styles["Normal"]
    _set_fonts(normal.element, names["body"], BODY_PT)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(CONDENSE_TWIPS))
    normal.element.get_or_add_rPr().append(spacing)
    normal.font.color.rgb = RGBColor(0, 0, 0)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.widow_control = False


def _body_paragraph(document, text: str, names, *, indent: bool = True, role: str = "body"):
    paragraph = document.add_paragraph()
    format_paragraph(paragraph, indent_chars=2 if indent else 0, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    add_run(paragraph, text, names[role], BODY_PT)
    return paragraph


def _keep_with_next(paragraphs) -> None:
    for paragraph in paragraphs:
        paragraph.paragraph_format.keep_with_next = True


def _table(document, block: Table, names: dict[str, str]) -> None:
    columns = max(block.columns, 1)
    table = document.add_table(rows=0, cols=columns)
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = block.widths if len(block.widths) == columns else [1] * columns
    total = sum(widths)
    size = DENSE_PT if columns >= 4 else TABLE_PT
    for row in block.rows:
        cells = table.add_row().cells
        if len(row.cells) < columns:
            cells[len(row.cells) - 1].merge(cells[columns - 1])
        if row.tall:
            table.rows[-1].height = Mm(22)
            table.rows[-1].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        for index, text in enumerate(row.cells):
            cell = cells[index]
            cell.width = Mm(156 * widths[index] / total)
            paragraph = cell.paragraphs[0]
            align = WD_ALIGN_PARAGRAPH.CENTER if row.header else WD_ALIGN_PARAGRAPH.LEFT
            format_paragraph(paragraph, align=align, line=size * 1.4)
            role = "heading" if row.header else "body"
            add_run(paragraph, text, names[role], size)


@lru_cache(maxsize=8)
def base_document(head: bool, names: tuple[tuple[str, str], ...]) -> bytes:
    """An empty letter with styles, page set-up and footers, built once per head style and fonts."""
    document = Document()
    font_names = dict(names)
    _styles(document, font_names)
    _setup_page(document, head, font_names)
    for paragraph in list(document.paragraphs):
        paragraph._p.getparent().remove(paragraph._p)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render_docx(letter: Letter) -> bytes:
    """Render ``letter`` to DOCX bytes."""
    names = fonts.docx_font_names()
    base = base_document(letter.head is not None, tuple(sorted(names.items())))
    document = Document(BytesIO(base))
    document.core_properties.title = letter.title

    if letter.head:
        name = document.add_paragraph()
        format_paragraph(name, align=WD_ALIGN_PARAGRAPH.CENTER, line=34)
        name.paragraph_format.left_indent = Mm(-7)
        name.paragraph_format.right_indent = Mm(-7)
        add_run(name, letter.head.agency, names["title"], 26, RED_RGB)
        _border(name, "bottom", "thickThinSmallGap", 24, RED.lstrip("#"))
        if letter.number:
            number = document.add_paragraph()
            format_paragraph(number, align=WD_ALIGN_PARAGRAPH.RIGHT, before=4)
            add_run(number, letter.number, names["body"], BODY_PT)
    title = document.add_paragraph()
    format_paragraph(title, align=WD_ALIGN_PARAGRAPH.CENTER, line=36, before=LINE)
    title.paragraph_format.space_after = Pt(LINE)
    add_run(title, letter.title, names["title"], TITLE_PT)
    if letter.number and not letter.head:
        number = document.add_paragraph()
        format_paragraph(number, align=WD_ALIGN_PARAGRAPH.CENTER)
        add_run(number, letter.number, names["body"], BODY_PT)
    if letter.addressee:
        _body_paragraph(document, f"{letter.addressee}：", names, indent=False)

    body_end = len(document.paragraphs)
    for block in letter.blocks:
        if isinstance(block, Paragraph):
            _body_paragraph(document, block.text, names, indent=block.indent)
        elif isinstance(block, Heading):
            role = "heading" if block.level == 1 else "kai"
            _body_paragraph(document, block.text, names, role=role)
        elif isinstance(block, NumberedItems):
            for index, item in enumerate(block.items, 1):
                _body_paragraph(document, f"{index}. {item}", names)
        else:
            _table(document, block, names)

    signature = letter.signature
    closing = bool(letter.attachments or signature.agency or signature.date or letter.note)
    if closing and letter.blocks:
        # The end of the body goes over with the signature block (GB/T 9704 7.3.5): its last
        # paragraph, at least two lines of it, keeps with what follows.
        if isinstance(letter.blocks[-1], Table):
            last_row = document.tables[-1].rows[-1]
            _keep_with_next(p for cell in last_row.cells for p in cell.paragraphs)
        elif len(document.paragraphs) > body_end:
            last = document.paragraphs[-1]
            last.paragraph_format.keep_with_next = True
            last.paragraph_format.widow_control = True
    # GB/T 9704 7.3.3: "附件：" two characters in; a wrapped name goes on under its own first
    # character (a hanging indent; the number is followed by a tab to the name's column).
    many = len(letter.attachments) > 1
    number_width = ATTACHMENT_NO if many else 0
    for index, name in enumerate(letter.attachments, 1):
        label = f"{index}.\t{name}" if many else name
        paragraph = document.add_paragraph()
        fmt = format_paragraph(paragraph, before=LINE if index == 1 else 0.0)
        fmt.left_indent = Pt((5 + number_width) * CHAR_PITCH)
        hang = number_width + (3 if index == 1 else 0)
        fmt.first_line_indent = Pt(-hang * CHAR_PITCH)
        add_run(paragraph, f"附件：{label}" if index == 1 else label, names["body"], BODY_PT)
        paragraph.paragraph_format.keep_with_next = bool(
            signature.agency or signature.date or letter.note or index < len(letter.attachments)
        )

    if signature.agency or signature.date:
        date_width = _text_width(signature.date)
        shift = (date_width - _text_width(signature.agency)) / 2
        agency = document.add_paragraph()
        format_paragraph(agency, align=WD_ALIGN_PARAGRAPH.RIGHT, before=1.5 * LINE)
        agency.paragraph_format.right_indent = Pt(max(4 + shift, 0) * CHAR_PITCH)
        add_run(agency, signature.agency, names["body"], BODY_PT)
        date = document.add_paragraph()
        format_paragraph(date, align=WD_ALIGN_PARAGRAPH.RIGHT)
        date.paragraph_format.right_indent = Pt(4 * CHAR_PITCH)
        add_run(date, signature.date, names["body"], BODY_PT)
        _keep_with_next([agency, date] if letter.note else [agency])
    if letter.note:
        note = _body_paragraph(document, f"（{letter.note}）", names)
        note.paragraph_format.keep_together = True
    if letter.colophon:
        ruled = letter.head is None
        lines = []
        if letter.colophon.cc:
            lines.append(f"抄送：{letter.colophon.cc}")
        if ruled and (letter.colophon.printer or letter.colophon.printed_on):
            lines.append(f"{letter.colophon.printer}　　{letter.colophon.printed_on}印发")
        for index, text in enumerate(lines):
            paragraph = document.add_paragraph()
            format_paragraph(paragraph, line=24, before=LINE if index == 0 else 0)
            paragraph.paragraph_format.left_indent = Pt(CHAR_PITCH)
            add_run(paragraph, text, names["body"], TABLE_PT)
            if ruled:
                _border(paragraph, "top", "single", 8 if index == 0 else 6)
                if index == len(lines) - 1:
                    _border(paragraph, "bottom", "single", 8)

    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
