"""PDF renderer: a ``Letter`` → HTML in the GB/T 9704 layout → WeasyPrint.

Page: A4, margins 37 mm top, 28 mm left, 26 mm right, 35 mm bottom, leaving the 156 × 225 mm text
block. Body 16 pt on a fixed pitch of 225 mm / 22 lines, with the characters narrowed by the
letter spacing so that 28 of them fill 156 mm. Page numbers "— 2 —" from page 2, 14 pt, 7 mm
below the text block, right on odd pages and left on even ones.
"""

import atexit
import logging
import threading
from collections.abc import Callable
from html import escape
from typing import ClassVar

from workflow.letters import fonts
from workflow.letters.structure import Heading, Letter, NumberedItems, Paragraph, Table

MM = 72 / 25.4
LINE_PITCH = 225 * MM / 22  # 28.99 pt: 22 lines fill the text block
LINE = LINE_PITCH - 0.05  # a hair under, so 22 lines never spill for rounding
CHAR_PITCH = 156 * MM / 28  # 15.79 pt: 28 characters fill the text block
BODY_PT = 16
TRACKING = CHAR_PITCH - BODY_PT - 0.005
RED = "#e60012"

# GB/T 9704 7.3.3: "附件：" two characters in, then "1." and the name; a name that wraps goes on
# under its own first character. The number takes this many character widths.
ATTACHMENT_NO = 1.5

# GB/T 9704 7.3.5.1: when the space left cannot hold the signature and date, the line and character
# spacing are adjusted. A letter whose end would open a page of its own is set again this much
# tighter (22 lines become about 23.3, 28 characters about 28.5) and kept so if it then ends a page
# earlier.
TIGHT_LINE = 27.9
TIGHT_TRACKING = TRACKING - 0.28
_TIGHT = (
    f"html {{ line-height: {TIGHT_LINE:.2f}pt; }} "
    f"body {{ letter-spacing: {TIGHT_TRACKING:.3f}pt; }}"
)

# WeasyPrint reports every layout step at INFO; letters are rendered often.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def _css() -> str:
    body, title = fonts.font_stack("body"), fonts.font_stack("title")
    heading, kai = fonts.font_stack("heading"), fonts.font_stack("kai")
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
@page :first {{ @bottom-right {{ content: none; }} @bottom-left {{ content: none; }} }}
html {{ font-family: {body}; font-size: {BODY_PT}pt; line-height: {LINE:.3f}pt; color: #000; }}
body {{ margin: 0; letter-spacing: {TRACKING:.3f}pt; }}
p {{ margin: 0; text-indent: {2 * CHAR_PITCH:.2f}pt; text-align: justify; }}
p.flush {{ text-indent: 0; }}
.head {{ margin: 0 -7mm; text-align: center; }}
.head-name {{ font-family: {title}; color: {RED}; font-size: 26pt; line-height: 27pt;
  letter-spacing: 2pt; white-space: nowrap; }}
.rule-top {{ margin-top: 4mm; border-top: 1.1mm solid {RED}; height: 0.6mm;
  border-bottom: 0.35mm solid {RED}; }}
.number {{ text-indent: 0; text-align: right; }}
.number-centred {{ text-indent: 0; text-align: center; }}
h1.title {{ font-family: {title}; font-size: 22pt; font-weight: normal; line-height: 32pt;
  text-align: center; margin: {LINE:.2f}pt 0 {LINE:.2f}pt 0; letter-spacing: 0.5pt; }}
h2 {{ font-family: {heading}; font-size: {BODY_PT}pt; font-weight: normal; margin: 0;
  text-indent: {2 * CHAR_PITCH:.2f}pt; }}
h3 {{ font-family: {kai}; font-size: {BODY_PT}pt; font-weight: normal; margin: 0;
  text-indent: {2 * CHAR_PITCH:.2f}pt; }}
table {{ width: 100%; border-collapse: collapse; table-layout: fixed; margin: 0;
  letter-spacing: 0; }}
td, th {{ border: 0.75pt solid #000; padding: 0.8mm 1.5mm; font-size: 14pt; line-height: 20pt;
  text-align: left; vertical-align: middle; font-weight: normal; }}
th {{ font-family: {heading}; text-align: center; }}
tr.tall td {{ height: 20mm; vertical-align: top; }}
table.dense td, table.dense th {{ font-size: 12pt; line-height: 17pt; }}
.attachments {{ margin-top: {LINE:.2f}pt; break-before: avoid; break-inside: avoid; }}
.closing {{ break-before: avoid; break-inside: avoid; }}
.attachments p {{ padding-left: {(5 + ATTACHMENT_NO) * CHAR_PITCH:.2f}pt;
  text-indent: -{ATTACHMENT_NO * CHAR_PITCH:.2f}pt; }}
.attachments p.first {{ text-indent: -{(3 + ATTACHMENT_NO) * CHAR_PITCH:.2f}pt; }}
.attachments.single p {{ padding-left: {5 * CHAR_PITCH:.2f}pt;
  text-indent: -{3 * CHAR_PITCH:.2f}pt; }}
.attachments .no {{ display: inline-block; width: {ATTACHMENT_NO * CHAR_PITCH:.2f}pt;
  text-indent: 0; }}
.signature {{ margin-top: {1.5 * LINE:.2f}pt; text-align: right; }}
.sig-inner {{ display: inline-block; position: relative; text-align: center;
  margin-right: {4 * CHAR_PITCH:.2f}pt; }}
.sig-inner p {{ text-indent: 0; text-align: center; white-space: nowrap; }}
.sig-agency {{ margin: 0 -12em; }}
.seal {{ position: absolute; left: 50%; top: 50%; width: 42mm;
  margin-left: -21mm; margin-top: -23mm; border: 0.6pt dashed #f0a0a0; border-radius: 50%;
  color: #f0a0a0; font-size: 10pt; line-height: 12pt; padding-top: 15mm; height: 27mm;
  letter-spacing: 4pt; text-align: center; }}
.colophon {{ margin-top: {LINE:.2f}pt; font-size: 14pt; line-height: 24pt; letter-spacing: 0; }}
.colophon.ruled {{ border-top: 0.35mm solid #000; border-bottom: 0.35mm solid #000; }}
.colophon p {{ text-indent: 0; padding: 0 {CHAR_PITCH:.2f}pt; }}
.colophon p + p {{ border-top: 0.25mm solid #000; }}
"""


# 信函格式, first page: the agency name 30 mm from the top edge; the lower red double rule (thin
# over thick, 170 mm) 20 mm from the bottom edge; the text may run down to 26 mm above it.
_FIRST_PAGE_HEAD = (
    "@page :first { margin-top: 30mm; margin-bottom: 25mm; "
    '@bottom-center { content: ""; width: 170mm; margin: 6mm -7mm 0 -7mm; height: 0.6mm; '
    f"border-top: 0.35mm solid {RED}; border-bottom: 1.1mm solid {RED}; vertical-align: top; }} }}"
)


class ThreadStylesheet:
    """A WeasyPrint font configuration and parsed stylesheet, built once per thread from
    ``css()`` and reused (warm renders). The letters have one; other documents laid out with
    the letters' fonts (the annual report) have theirs."""

    _instances: ClassVar[list["ThreadStylesheet"]] = []

    def __init__(self, css: Callable[[], str]):
        self._css = css
        self._local = threading.local()
        ThreadStylesheet._instances.append(self)

    def get(self):
        """``(font_config, css)`` for this thread."""
        local = self._local
        if getattr(local, "css", None) is None:
            from weasyprint import CSS
            from weasyprint.text.fonts import FontConfiguration

            local.font_config = FontConfiguration()
            local.css = CSS(string=self._css(), font_config=local.font_config)
        return local.font_config, local.css


@atexit.register
def _release() -> None:
    # Drop the font configurations before interpreter shutdown tears down WeasyPrint's FFI.
    for stylesheet in ThreadStylesheet._instances:
        stylesheet._local.__dict__.clear()


_STYLESHEET = ThreadStylesheet(lambda: _css())


def _text_width(text: str) -> float:
    """Width of ``text`` in body characters: half-width characters count as half."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1 for ch in text)


def _block_html(block) -> str:
    if isinstance(block, Paragraph):
        return f"<p{'' if block.indent else ' class=flush'}>{escape(block.text)}</p>"
    if isinstance(block, Heading):
        tag = "h2" if block.level == 1 else "h3"
        return f"<{tag}>{escape(block.text)}</{tag}>"
    if isinstance(block, NumberedItems):
        return "".join(f"<p>{i}. {escape(item)}</p>" for i, item in enumerate(block.items, 1))
    assert isinstance(block, Table)
    parts = ['<table class="dense">' if block.columns >= 4 else "<table>"]
    if block.widths:
        total = sum(block.widths) or 1
        parts.append(
            "<colgroup>"
            + "".join(f'<col style="width:{100 * w / total:.1f}%">' for w in block.widths)
            + "</colgroup>"
        )
    columns = block.columns
    for row in block.rows:
        cell = "th" if row.header else "td"
        cells = list(row.cells)
        html_cells = []
        for index, text in enumerate(cells):
            span = columns - len(cells) + 1 if index == len(cells) - 1 else 1
            colspan = f' colspan="{span}"' if span > 1 else ""
            html_cells.append(f"<{cell}{colspan}>{escape(text)}</{cell}>")
        parts.append(f"<tr{' class=tall' if row.tall else ''}>{''.join(html_cells)}</tr>")
    parts.append("</table>")
    return "".join(parts)


def letter_html(letter: Letter, *, tight: bool = False) -> str:
    """The letter as an HTML document (the stylesheet is applied separately); ``tight``: with
    the closer line and character spacing of GB/T 9704 7.3.5.1."""
    out = ['<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">']
    if letter.head:
        out.append(f"<style>{_FIRST_PAGE_HEAD}</style>")
    if tight:
        out.append(f"<style>{_TIGHT}</style>")
    out.append(f"<title>{escape(letter.title)}</title></head><body>")
    if letter.head:
        out.append(
            f'<div class="head"><div class="head-name">{escape(letter.head.agency)}</div>'
            '<div class="rule-top"></div></div>'
        )
        if letter.number:
            out.append(f'<p class="number">{escape(letter.number)}</p>')
    out.append(f'<h1 class="title">{escape(letter.title)}</h1>')
    if letter.number and not letter.head:
        out.append(f'<p class="number-centred">{escape(letter.number)}</p>')
    if letter.addressee:
        out.append(f'<p class="flush">{escape(letter.addressee)}：</p>')
    out.extend(_block_html(block) for block in letter.blocks)
    if letter.attachments:
        many = len(letter.attachments) > 1
        out.append(f'<div class="attachments{"" if many else " single"}">')
        for index, name in enumerate(letter.attachments, 1):
            number = f'<span class="no">{index}.</span>' if many else ""
            if index == 1:
                out.append(f'<p class="first">附件：{number}{escape(name)}</p>')
            else:
                out.append(f"<p>{number}{escape(name)}</p>")
        out.append("</div>")
    # The signature block and the note under it stay together and never open a page of their
    # own: they go over with the end of the body (GB/T 9704 7.3.5).
    closing = []
    signature = letter.signature
    if signature.agency or signature.date:
        width = max(_text_width(signature.date), 1) * CHAR_PITCH
        seal = '<div class="seal">印章位置</div>' if signature.seal and letter.draft else ""
        closing.append(
            f'<div class="signature"><div class="sig-inner" style="width:{width:.1f}pt">'
            f'{seal}<p class="sig-agency">{escape(signature.agency)}</p>'
            f"<p>{escape(signature.date)}</p></div></div>"
        )
    if letter.note:
        closing.append(f"<p>（{escape(letter.note)}）</p>")
    if closing:
        out.append(f'<div class="closing">{"".join(closing)}</div>')
    if letter.colophon:
        colophon = letter.colophon
        ruled = letter.head is None
        lines = []
        if colophon.cc:
            lines.append(f"<p>抄送：{escape(colophon.cc)}</p>")
        if ruled and (colophon.printer or colophon.printed_on):
            lines.append(
                f'<p>{escape(colophon.printer)}<span style="float:right">'
                f"{escape(colophon.printed_on)}印发</span></p>"
            )
        if lines:
            out.append(f'<div class="colophon{" ruled" if ruled else ""}">{"".join(lines)}</div>')
    out.append("</body></html>")
    return "".join(out)


def layout(letter: Letter, *, tight: bool = False):
    """WeasyPrint's laid-out document of ``letter`` (``tight``: see ``letter_html``)."""
    from weasyprint import HTML

    font_config, css = _STYLESHEET.get()
    html = HTML(string=letter_html(letter, tight=tight))
    return html.render(stylesheets=[css], font_config=font_config)


def render_pdf(letter: Letter) -> bytes:
    """Render ``letter`` to PDF bytes with embedded, subsetted fonts.

    A letter running onto another page is set again with the closer spacing of GB/T 9704
    7.3.5.1; when that ends it a page earlier (its end, signature and date no longer open a
    page), the closer setting is kept."""
    document = layout(letter)
    if len(document.pages) > 1:
        closer = layout(letter, tight=True)
        if len(closer.pages) < len(document.pages):
            document = closer
    return document.write_pdf()
