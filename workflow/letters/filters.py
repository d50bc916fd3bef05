"""Template filters available in every letter template (no ``{% load %}`` needed)."""

from datetime import date

from django import template

from workflow.cn import cn_date as _cn_date

register = template.Library()


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
def cite(values: list[str] | None) -> str:
    """Articles relied on, each law named once: 《条例》第三十七条、第十五条."""
    return cite_articles(values)
