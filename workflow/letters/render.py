"""The letter pipeline: context → checks → template → letter structure → PDF or DOCX.

letter = build_letter("reply", context)             # refuses when anything required is missing
pdf = render_letter("reply", context, "pdf")        # bytes
docx = render_letter("reply", context, "docx", overrides={"reply.txt": "..."})
"""

import json
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from workflow.letters.contexts import LetterContext, LetterError, MissingLetterElements, from_data
from workflow.letters.engine import TEMPLATES_DIR, render_markup
from workflow.letters.kinds import get_kind
from workflow.letters.structure import Letter, LetterHead, parse_markup

FORMATS = ("pdf", "docx")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
SAMPLES_DIR = TEMPLATES_DIR / "samples"


class UnprintableCharacters(LetterError):
    """The letter's text holds characters its fonts cannot draw: refused rather than printed as
    boxes. ``found`` lists (character, where, excerpt); the message names each one in Chinese."""

    def __init__(self, found: list[tuple[str, str, str]]):
        self.found = found
        self.characters = [char for char, _, _ in found]
        described = "；".join(
            f"{_char_label(char)}，见{where}“{excerpt}”" for char, where, excerpt in found
        )
        super().__init__(
            f"文书中有字体无法显示的字符，不能生成：{described}。"
            "请改用规范汉字或删去这些字符后再出具。"
        )


def _char_label(char: str) -> str:
    code = f"U+{ord(char):04X}"
    if unicodedata.category(char)[0] in "CZ":  # invisible or a control: the code alone
        return code
    return f"“{char}”（{code}）"


def _excerpt(text: str, index: int, reach: int = 8) -> str:
    start, end = max(index - reach, 0), index + reach + 1
    piece = " ".join(text[start:end].split())
    return ("…" if start else "") + piece + ("…" if end < len(text) else "")


def check_characters(letter: Letter) -> None:
    """Refuse (``UnprintableCharacters``) a letter with characters the letter fonts lack."""
    from workflow.letters.fonts import undrawable

    texts = letter.texts()
    missing = undrawable("".join(text for _, text in texts))
    if not missing:
        return
    found = []
    for char in missing:
        where, text = next((w, t) for w, t in texts if char in t)
        found.append((char, where, _excerpt(text, text.index(char))))
    raise UnprintableCharacters(found)


def _check_kind_fits(kind_code: str, context: LetterContext) -> None:
    kind = get_kind(kind_code)
    if not isinstance(context, kind.context_class):
        raise LetterError(
            f"{kind.label}需要 {kind.context_class.__name__} 类型的内容，而不是 "
            f"{type(context).__name__}。"
        )
    context.check_kind(kind)  # the app's own rule (a notice carries only some outcomes)


def build_letter(
    kind_code: str,
    context: LetterContext,
    *,
    overrides: Mapping[str, str] | None = None,
    check_fonts: bool = True,
    draft: bool = False,
) -> Letter:
    """The letter structure of ``kind_code`` for ``context``.

    Raises ``MissingLetterElements`` (listing every missing element, in Chinese) before anything
    is rendered, ``LetterError`` for a context that does not fit the kind,
    ``UnprintableCharacters`` (a ``LetterError``) for characters the fonts cannot draw unless
    ``check_fonts`` is false, and ``MarkupError`` or ``TemplateSyntaxError`` for a broken template.
    ``draft``: a preview, not a letter to issue; it marks the seal's place.
    """
    _check_kind_fits(kind_code, context)
    context.check()
    kind = get_kind(kind_code)
    markup = render_markup(kind.template, context.template_context(), overrides)
    letter = parse_markup(markup)
    letter.draft = draft
    if context.agency.letter_head == "letter" and not kind.form:
        letter.head = LetterHead(context.agency.name)
    if check_fonts:
        check_characters(letter)
    return letter


def render_structure(letter: Letter, fmt: str) -> bytes:
    """Render a letter structure to ``fmt`` (``pdf`` or ``docx``)."""
    if fmt == "pdf":
        from workflow.letters.pdf import render_pdf

        return render_pdf(letter)
    if fmt == "docx":
        from workflow.letters.docx import render_docx

        return render_docx(letter)
    raise LetterError(f"不支持的格式：{fmt}（可用：pdf、docx）")


def render_letter(
    kind_code: str,
    context: LetterContext,
    fmt: str,
    *,
    overrides: Mapping[str, str] | None = None,
    draft: bool = False,
) -> bytes:
    """Render one letter to PDF or DOCX bytes (see ``build_letter`` for the refusals)."""
    if fmt not in FORMATS:
        raise LetterError(f"不支持的格式：{fmt}（可用：pdf、docx）")
    letter = build_letter(kind_code, context, overrides=overrides, draft=draft)
    return render_structure(letter, fmt)


def context_from_data(kind_code: str, data: dict[str, Any]) -> LetterContext:
    """Build the context of ``kind_code`` from JSON-like data (dates as YYYY-MM-DD)."""
    return from_data(get_kind(kind_code).context_class, data)


def sample_data(kind_code: str) -> dict[str, Any]:
    """The bundled sample context of a kind, as JSON data."""
    get_kind(kind_code)
    path = Path(SAMPLES_DIR / f"{kind_code}.json")
    return json.loads(path.read_text(encoding="utf-8"))


def sample_context(kind_code: str, **changes: Any) -> LetterContext:
    """The bundled sample context of a kind; ``changes`` replace top-level fields."""
    data = sample_data(kind_code)
    data.update(changes)
    return context_from_data(kind_code, data)


__all__ = [
    "CONTENT_TYPES",
    "FORMATS",
    "LetterError",
    "MissingLetterElements",
    "UnprintableCharacters",
    "build_letter",
    "check_characters",
    "context_from_data",
    "render_letter",
    "render_structure",
    "sample_context",
    "sample_data",
]
