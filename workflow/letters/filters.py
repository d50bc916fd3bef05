"""Template filters available in every letter template (no ``{% load %}`` needed).

Context strings reach a template escaped as markup data (``engine.escape_value``). A filter that
works on text restores its arguments first and escapes its result again, so it sees the words as
typed and what it returns stays data.
"""

import functools
from collections.abc import Callable
from datetime import date
from typing import Any

from django import template

from workflow.cn import cn_date as _cn_date
from workflow.letters.structure import escape_text, unescape_text

register = template.Library()


def _restored(value: Any) -> Any:
    if isinstance(value, str):
        return unescape_text(value)
    if isinstance(value, list | tuple):
        return [_restored(item) for item in value]
    return value


def _text_filter(function: Callable[..., str]) -> Callable[..., str]:
    @functools.wraps(function)
    def wrapper(*args: Any) -> str:
        return escape_text(function(*map(_restored, args)))

    return wrapper


@register.filter
def cn_date(value: date | None) -> str:
    """2026年3月5日; an empty date prints as a blank to fill in by hand."""
    if not value:
        return "　　　　年　　月　　日"
    return _cn_date(value)


@register.filter
def yuan(value: int | None) -> str:
    """An amount in yuan: 83460元."""
    return f"{int(value or 0)}元"


@register.filter
@_text_filter
def join_cn(values: list[str] | None, separator: str = "、") -> str:
    """Join a list with 、 (or the given separator)."""
    return separator.join(str(value) for value in values or [])


def cite_articles(values: list[str] | None) -> str:
    """Citations joined the way a legal text writes them: the law's name once per run.

    ["《条例》第三十七条", "《条例》第十五条", "《档案法》第二十八条"] →
    "《条例》第三十七条、第十五条，《档案法》第二十八条".
    """
    groups: list[tuple[str, list[str]]] = []
    for value in values or []:
        text = str(value).strip()
        law, rest = "", text
        if text.startswith("《") and "》" in text:
            law, rest = text[: text.index("》") + 1], text[text.index("》") + 1 :]
        if groups and law and groups[-1][0] == law and rest:
            groups[-1][1].append(rest)
        else:
            groups.append((law, [rest] if law else [text]))
    return "，".join(law + "、".join(parts) for law, parts in groups)


@register.filter
@_text_filter
def cite(values: list[str] | None) -> str:
    """Articles relied on, each law named once: 《条例》第三十七条、第十五条."""
    return cite_articles(values)


# Sentence punctuation a value may end with, which the letter's own sentence supplies.
_SENTENCE_END = "。．.，,；;：:、！!？? \t\r\n\u3000"
_NESTED_QUOTES = str.maketrans({"“": "‘", "”": "’", "「": "‘", "」": "’"})


def clause_text(value: Any) -> str:
    """``value`` written into a sentence: no blanks around it, no full stop or comma at its end."""
    return str(value or "").strip().rstrip(_SENTENCE_END)


def quoted_text(value: Any) -> str:
    """``value`` quoted inside a sentence: “…”, with quotes inside it turned into ‘…’.

    "关于“老旧小区”改造的文件。" → “关于‘老旧小区’改造的文件”. Straight double quotes alternate
    ‘ and ’.
    """
    text = clause_text(value).translate(_NESTED_QUOTES)
    parts = text.split('"')
    text = "".join(
        part + ("" if index == len(parts) - 1 else "‘’"[index % 2])
        for index, part in enumerate(parts)
    )
    return f"“{text}”"


@register.filter
@_text_filter
def clause(value: str | None) -> str:
    """Text that a template's sentence goes on after: 因{{ reason|clause }}，…"""
    return clause_text(value)


@register.filter
@_text_filter
def quote(value: str | None) -> str:
    """Text quoted in a sentence: 申请获取{{ case.request|quote }}。 → 申请获取“…”。"""
    return quoted_text(value)
