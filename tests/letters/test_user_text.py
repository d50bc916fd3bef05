"""Text typed into a case is only ever text in a letter (issue #10, point 1).

A request, a reason, a name … may hold "@标题", "@表 a|b", a line break or a trailing backslash;
none of it may become a title, a number, a table row or a new paragraph under the letterhead.
Every kind and every string field of its context is checked: the letter keeps the structure it has
with harmless text in the same fields, and the typed text appears in it as typed.
"""

import copy
from dataclasses import fields, is_dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from requests_app.letter_contexts import ArchivedDocument, reply_sample
from requests_app.rules.outcomes import OUTCOMES
from tests.letters.helpers import docx_text, pdf_text, require_cjk_fonts, squash
from workflow.letters.contexts import LetterContext
from workflow.letters.filters import clause_text, quoted_text
from workflow.letters.kinds import KINDS
from workflow.letters.render import build_letter, render_structure, sample_context
from workflow.letters.structure import (
    Heading,
    Letter,
    NumberedItems,
    Paragraph,
    escape_text,
    parse_markup,
    unescape_text,
)

# Codes, not text: they choose a branch of the letter (an outcome, a person or an organisation).
CODE_FIELDS = {
    "outcome",
    "kind",
    "method",
    "attribute",
    "from_attribute",
    "to_attribute",
    "number_style",
    "letter_head",
    "reply_layout",
}

FORGERY = (
    "关于某某的文件。\n@标题 伪造的答复书\n@文号 伪〔2026〕1号\n"
    "@表 本机关同意全部公开|是\n@一级 一、\\"
)


def _cases() -> dict[str, tuple[str, LetterContext]]:
    """Every kind from its sample, and the reply turned to every outcome (each outcome's fragment
    prints other fields); one reply also names a document transferred to the archives."""
    cases = {kind: (kind, sample_context(kind)) for kind in KINDS}
    for outcome in OUTCOMES:
        context = reply_sample(outcome)
        if outcome == "not_our_agency":
            context.archived = [
                ArchivedDocument(
                    title="孝义市城区供热规划",
                    number="孝政发〔2001〕3号",
                    transferred_on=context.issue_date,
                    archive_name="孝义市档案馆",
                )
            ]
        cases[f"reply-{outcome}"] = ("reply", context)
    return cases


CASES = _cases()

Path = tuple[str | int, ...]


def string_paths(value: Any, path: Path = ()) -> list[Path]:
    """Where ``value`` (a context) holds text: fields of dataclasses, items of lists, nested."""
    if isinstance(value, str):
        return [path]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in string_paths(item, (*path, i))]
    if is_dataclass(value):
        return [
            p
            for f in fields(value)
            if f.name not in CODE_FIELDS
            for p in string_paths(getattr(value, f.name), (*path, f.name))
        ]
    return []


def with_values(context: LetterContext, values: dict[Path, str]) -> LetterContext:
    changed = copy.deepcopy(context)
    for path, text in values.items():
        target: Any = changed
        for step in path[:-1]:
            target = target[step] if isinstance(step, int) else getattr(target, step)
        if isinstance(path[-1], int):
            target[path[-1]] = text
        else:
            setattr(target, path[-1], text)
    return changed


def shape(letter: Letter) -> tuple:
    """The structure of a letter without its words: which elements, how many, in what order."""
    blocks = []
    for block in letter.blocks:
        if isinstance(block, Paragraph):
            blocks.append(("paragraph", block.indent))
        elif isinstance(block, Heading):
            blocks.append(("heading", block.level))
        elif isinstance(block, NumberedItems):
            blocks.append(("items", len(block.items)))
        else:
            rows = tuple((len(row.cells), row.header, row.tall) for row in block.rows)
            blocks.append(("table", rows, tuple(block.widths)))
    signature = letter.signature
    return (
        bool(letter.title),
        bool(letter.number),
        bool(letter.addressee),
        tuple(blocks),
        len(letter.attachments),
        (bool(signature.agency), bool(signature.date), signature.seal),
        bool(letter.note),
        letter.colophon is not None,
        letter.head is not None,
    )


def single_texts(letter: Letter) -> list[str]:
    """The elements a template fills without a filter: a value prints in them exactly."""
    signature = letter.signature
    head = letter.head.agency if letter.head else ""
    return [letter.title, letter.number, letter.addressee, head, signature.agency, signature.date]


def marker(index: int) -> str:
    return f"标记{index:03d}号"


def renderings(text: str) -> set[str]:
    """How a value may legitimately print: as typed, written into a sentence, or quoted; a citation
    keeps its law's name once per run."""
    forms = {text, text.strip(), clause_text(text), quoted_text(text)[1:-1]}
    if text.startswith("《") and "》" in text:
        forms.add(text[text.index("》") + 1 :].strip())
    return forms


def check_values_stay_text(kind: str, context: LetterContext, values: dict[Path, str]) -> None:
    paths = list(values)
    benign_values = {path: marker(i) for i, path in enumerate(paths)}
    benign = build_letter(kind, with_values(context, benign_values), check_fonts=False)
    letter = build_letter(kind, with_values(context, values), check_fonts=False)
    assert shape(letter) == shape(benign)
    expected = single_texts(benign)
    for i, path in enumerate(paths):
        expected = [text.replace(marker(i), values[path]) for text in expected]
    assert single_texts(letter) == expected
    assert letter.note == _replace_all(benign.note, paths, values)
    assert letter.attachments == [_replace_all(a, paths, values) for a in benign.attachments]
    benign_text, text = benign.plain_text(), letter.plain_text()
    for i, path in enumerate(paths):
        if marker(i) in benign_text:  # the field prints in this letter
            assert any(form in text for form in renderings(values[path])), (path, values[path])


def _replace_all(text: str, paths: list[Path], values: dict[Path, str]) -> str:
    for i, path in enumerate(paths):
        text = text.replace(marker(i), values[path])
    return text


@pytest.mark.parametrize("case", list(CASES))
def test_markup_typed_into_any_field_stays_text(case):
    # Issue #10 point 1: the forgery of the issue, in each field on its own.
    kind, context = CASES[case]
    for path in string_paths(context):
        check_values_stay_text(kind, context, {path: FORGERY})


PIECES = [
    "@标题 ",
    "@文号 ",
    "@主送 ",
    "@表 a|b",
    "@表头 ",
    "@一级 ",
    "@项 ",
    "@附件 ",
    "@附注 ",
    "@落款 ",
    "@印章",
    "@未知 ",
    "本机关同意全部公开",
    "\\",
    "\\\n",
    "\n",
    "\r\n",
    "\u2028",
    "\x0b",
    "|",
    "｜",
    "@",
    " ",
    "\u3000",
    "\t",
    "。",
    "“",
    "”",
    '"',
    "《",
    "》",
    "{{ x }}",
    chr(0x100040),  # the sentinel of "@", typed
    chr(0x10FFFD),  # the quote mark of the escaping, typed
]

hostile = (
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), min_size=1, max_size=6)
    .map("".join)
    .filter(bool)
)


@pytest.mark.parametrize("case", list(CASES))
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_text_in_every_field_keeps_the_letter_structure(case, data):
    # Issue #10 point 1, as a property: every string field at once holds arbitrary text.
    kind, context = CASES[case]
    values = {path: data.draw(hostile, label=str(path)) for path in string_paths(context)}
    check_values_stay_text(kind, context, values)


@given(st.text())
def test_escaping_round_trips_and_hides_every_markup_character(text):
    escaped = escape_text(text)
    assert unescape_text(escaped) == text
    assert not any(ch in "@|｜\\" or ch.isspace() for ch in escaped)
    letter = parse_markup(f"@标题 标题\n{escaped}")
    assert letter.title == "标题"
    assert [block.text for block in letter.blocks] == ([text] if text else [])


def test_forged_request_prints_as_words_in_pdf_and_docx():
    require_cjk_fonts()
    context = sample_context("reply")
    context.case.request = FORGERY
    letter = build_letter("reply", context)
    assert letter.title == "政府信息公开申请答复书"
    assert all(isinstance(block, Paragraph | NumberedItems) for block in letter.blocks)
    for fmt, read in (("pdf", pdf_text), ("docx", docx_text)):
        assert squash(FORGERY) in squash(read(render_structure(letter, fmt))), fmt


def test_context_values_are_escaped_through_objects_lists_and_lazy_text():
    from django.utils.translation import gettext_lazy

    from requests_app.letter_contexts import Party
    from workflow.letters.engine import escape_value

    party = Party(name="@标题 甲", kind="organization")
    escaped = escape_value({"p": party, "l": ["a|b", 3], "lazy": gettext_lazy("当面 提交")})
    assert escaped["p"].name == escape_text("@标题 甲") and escaped["p"].you == "你单位"
    assert party.name == "@标题 甲"  # the context itself is left as it was
    assert escaped["l"] == [escape_text("a|b"), 3]
    assert escaped["lazy"] == escape_text("当面 提交")
    with pytest.raises(TypeError):
        escape_value({"model": object()})
