"""The letter structure: what a template produces and both renderers consume.

A ``Letter`` is deliberately small. Everything a Chinese agency letter needs is here, and nothing
about how it looks: the PDF and DOCX renderers decide the GB/T 9704 layout.

Templates write the structure as *letter markup*, one element a line (see ``parse_markup``):

    @标题 政府信息公开申请答复书        title
    @文号 孝政信申〔2026〕17号           number (flush right under the head, or centred)
    @主送 张三                          addressee (printed followed by "：")
    any other line                      a body paragraph, first line indented two characters
    @无缩进 text                        a paragraph without the indent
    @一级 一、…  / @二级 （一）…          headings (黑体 / 楷体)
    @项 text                            numbered items 1. 2. 3. (numbering restarts after a gap)
    @表宽 30|70                          relative column widths of the next table
    @表头 a|b|c   @表 a|b|c             table header row / row
    @表留白 a|b                          a row with room to write or sign in
    @附件 name                           attachment list entry
    @落款 agency   @日期 2026年3月5日    signature block
    @印章                               seal placeholder over the signature
    @附注 联系人：…                      note under the date, printed in parentheses
    @抄送 …   @印发 机关|日期           版记

A line ending in a backslash continues on the next non-blank line. Blank lines are ignored.

Values are data, template literals are structure. ``escape_text`` turns the characters the markup
gives a meaning (``@``, ``|``, ``｜``, ``\\`` and every kind of white space, line breaks included)
into private sentinel characters; the engine applies it to every string of a context before a
template sees it, and ``parse_markup`` restores the characters inside the text it has already cut
into elements. So a request reading ``@标题 同意公开`` prints as those words, never as a title.
"""

from dataclasses import dataclass, field


@dataclass
class Paragraph:
    text: str
    indent: bool = True


@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class NumberedItems:
    items: list[str] = field(default_factory=list)


@dataclass
class TableRow:
    cells: list[str]
    header: bool = False
    tall: bool = False


@dataclass
class Table:
    rows: list[TableRow] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)

    @property
    def columns(self) -> int:
        return max((len(row.cells) for row in self.rows), default=0)


Block = Paragraph | Heading | NumberedItems | Table


@dataclass
class Signature:
    agency: str = ""
    date: str = ""
    seal: bool = False


@dataclass
class Colophon:
    """版记: copies to (抄送) and the printing office and date (印发)."""

    cc: str = ""
    printer: str = ""
    printed_on: str = ""


@dataclass
class LetterHead:
    """The 信函格式 head: the agency's name in red over a red double rule."""

    agency: str


@dataclass
class Letter:
    """One letter, ready for either renderer."""

    title: str = ""
    number: str = ""
    addressee: str = ""
    blocks: list[Block] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    signature: Signature = field(default_factory=Signature)
    note: str = ""
    colophon: Colophon | None = None
    head: LetterHead | None = None
    # A draft or preview (the gallery, a template's preview): only it shows where the seal goes;
    # an issued letter leaves the space blank for the real seal.
    draft: bool = False

    def texts(self) -> list[tuple[str, str]]:
        """Every text of the letter with where a reader finds it (in Chinese), in reading order."""
        found = [("版头", self.head.agency if self.head else ""), ("文号", self.number)]
        found += [("标题", self.title), ("主送", self.addressee)]
        paragraphs = rows = 0
        for block in self.blocks:
            if isinstance(block, Paragraph):
                paragraphs += 1
                found.append((f"正文第{paragraphs}段", block.text))
            elif isinstance(block, Heading):
                found.append(("正文小标题", block.text))
            elif isinstance(block, NumberedItems):
                found += [(f"正文所列第{i}项", item) for i, item in enumerate(block.items, 1)]
            else:
                for row in block.rows:
                    rows += 1
                    found += [(f"表格第{rows}行", cell) for cell in row.cells]
        found += [(f"附件{i}", name) for i, name in enumerate(self.attachments, 1)]
        found += [("落款", self.signature.agency), ("成文日期", self.signature.date)]
        found.append(("附注", self.note))
        if self.colophon:
            colophon = self.colophon
            found += [("版记", t) for t in (colophon.cc, colophon.printer, colophon.printed_on)]
        return [(where, text) for where, text in found if text]

    def plain_text(self) -> str:
        """All the words of the letter in reading order (for search, tests and previews)."""
        parts = [self.head.agency if self.head else "", self.number, self.title]
        parts.append(f"{self.addressee}：" if self.addressee else "")
        for block in self.blocks:
            if isinstance(block, Paragraph | Heading):
                parts.append(block.text)
            elif isinstance(block, NumberedItems):
                parts.extend(f"{i}. {item}" for i, item in enumerate(block.items, 1))
            else:
                parts.extend(" ".join(row.cells) for row in block.rows)
        parts.extend(self.attachments)
        parts += [self.signature.agency, self.signature.date, self.note]
        if self.colophon:
            parts += [self.colophon.cc, self.colophon.printer, self.colophon.printed_on]
        return "\n".join(part for part in parts if part)


# Sentinels live in Supplementary Private Use Area-B, which no letter font draws and no keyboard
# types: a special character c becomes chr(_SENTINEL_BASE + ord(c)). A sentinel typed by someone
# (or the quote mark itself) is kept as the quote mark followed by it, so the mapping is reversible.
_SENTINEL_BASE = 0x100000
_QUOTE = chr(0x10FFFD)


def _is_special(char: str) -> bool:
    return char in "@|｜\\" or char.isspace()


_SENTINELS = {
    chr(code): chr(_SENTINEL_BASE + code) for code in range(0x10000) if _is_special(chr(code))
}
_RESTORE = {sentinel: char for char, sentinel in _SENTINELS.items()}
_ESCAPE_TABLE = str.maketrans(
    {**_SENTINELS, **{s: _QUOTE + s for s in _RESTORE}, _QUOTE: _QUOTE + _QUOTE}
)
_NEEDS_QUOTE = frozenset([*_RESTORE, _QUOTE])


def escape_text(text: str) -> str:
    """``text`` as data in letter markup: it can never start, end, split or continue an element."""
    return text.translate(_ESCAPE_TABLE)


def unescape_text(text: str) -> str:
    """The inverse of ``escape_text`` (text outside any escaped value is left as it is)."""
    if not any(char in _NEEDS_QUOTE for char in text):
        return text
    out = []
    chars = iter(text)
    for char in chars:
        if char == _QUOTE:
            out.append(next(chars, ""))
        else:
            out.append(_RESTORE.get(char, char))
    return "".join(out)


class MarkupError(ValueError):
    """The letter markup produced by a template is not valid; the message is Chinese."""


_SINGLE = {"@标题": "title", "@文号": "number", "@主送": "addressee", "@附注": "note"}


def _cells(text: str) -> list[str]:
    return [unescape_text(cell.strip()) for cell in text.replace("｜", "|").split("|")]


def _join_continued(text: str) -> list[tuple[int, str]]:
    lines: list[tuple[int, str]] = []
    pending = ""
    pending_no = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if not pending:
            pending_no = number
        if line.endswith("\\"):
            pending += line[:-1].rstrip()
            continue
        lines.append((pending_no, pending + line))
        pending = ""
    if pending:
        lines.append((pending_no, pending))
    return lines


def parse_markup(text: str) -> Letter:
    """Parse letter markup (see the module docstring) into a ``Letter``.

    Raises ``MarkupError`` naming the line of an unknown ``@`` element or a malformed one.
    """
    letter = Letter()
    items: NumberedItems | None = None
    table: Table | None = None
    widths: list[int] = []
    for number, line in _join_continued(text):
        directive, _, rest = line.partition(" ")
        rest = rest.strip()
        if not line.startswith("@"):
            directive, rest = "", line
        text = unescape_text(rest)  # values were escaped: they are text, whatever they hold
        if directive != "@项":
            items = None
        if directive not in ("@表", "@表头", "@表留白"):
            table = None
        if directive in _SINGLE:
            setattr(letter, _SINGLE[directive], text)
        elif directive == "":
            letter.blocks.append(Paragraph(text))
        elif directive == "@无缩进":
            letter.blocks.append(Paragraph(text, indent=False))
        elif directive in ("@一级", "@二级"):
            letter.blocks.append(Heading(text, 1 if directive == "@一级" else 2))
        elif directive == "@项":
            if items is None:
                items = NumberedItems()
                letter.blocks.append(items)
            items.items.append(text)
        elif directive == "@表宽":
            try:
                widths = [int(cell) for cell in _cells(rest)]
            except ValueError:
                raise MarkupError(f"第{number}行：@表宽 应为以“|”分隔的整数，如 30|70。") from None
        elif directive in ("@表", "@表头", "@表留白"):
            if table is None:
                table = Table(widths=widths)
                widths = []
                letter.blocks.append(table)
            table.rows.append(
                TableRow(_cells(rest), header=directive == "@表头", tall=directive == "@表留白")
            )
        elif directive == "@附件":
            letter.attachments.append(text)
        elif directive == "@落款":
            letter.signature.agency = text
        elif directive == "@日期":
            letter.signature.date = text
        elif directive == "@印章":
            letter.signature.seal = True
        elif directive in ("@抄送", "@印发"):
            colophon = letter.colophon or Colophon()
            if directive == "@抄送":
                colophon.cc = text
            else:
                cells = [*_cells(rest), ""]
                colophon.printer, colophon.printed_on = cells[0], cells[1]
            letter.colophon = colophon
        else:
            raise MarkupError(f"第{number}行：未知的文书元素“{unescape_text(directive)}”。")
    if not letter.title:
        raise MarkupError("文书缺少标题（@标题）。")
    return letter
