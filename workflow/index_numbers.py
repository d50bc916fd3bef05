"""The scheme of an agency's 索引号 (the index number of its government information catalogue).

A scheme is literal text with placeholders: ``{机构代码}`` (the agency's code), ``{年}`` (the
year, four digits) and ``{序号}`` (the running number; ``{序号:05}`` pads it to five digits).
The common national form ``机构代码/分类-年份-序号`` is written with the code typed in, e.g.
``11140000012345678X/{年}-{序号:05}``. The running number counts per year when the scheme has
``{年}``, and over all years otherwise, so that the numbers never repeat.

Pure functions, no Django: the agency's settings validate with them, the register formats with
them, and a migration may use them as they stand.
"""

from __future__ import annotations

import re

DEFAULT = "{机构代码}-{年}-{序号:05}"
#: The longest scheme and the longest number it may give (the stored column's width).
SCHEME_LIMIT = 60
NUMBER_LIMIT = 100

CODE, YEAR, SEQUENCE = "机构代码", "年", "序号"
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_SEQUENCE_FORMAT = re.compile(r"序号(?::0([1-9]))?")
#: Literal characters a number may hold: it is part of a web address and printed on pages, so
#: letters, digits and Chinese characters, and the separators of the usual forms.
_LITERAL_EXTRA = set("-_/〔〕")

LABEL = "索引号编排规则"


def scheme_problem(scheme: str) -> str | None:
    """Why ``scheme`` cannot number the agency's documents, in Chinese, or None."""
    if not scheme.strip():
        return f"请填写{LABEL}，例如 {DEFAULT}。"
    if "\x00" in scheme:
        return f"{LABEL}中有看不见的空字符（U+0000），请删去后再保存。"
    if len(scheme) > SCHEME_LIMIT:
        return f"{LABEL}不能超过{SCHEME_LIMIT}个字（现有{len(scheme)}个）。"
    sequences = 0
    for name in _PLACEHOLDER.findall(scheme):
        if _SEQUENCE_FORMAT.fullmatch(name):
            sequences += 1
        elif name not in (CODE, YEAR):
            return (
                f"{LABEL}中的“{{{name}}}”不是可用的占位符；"
                "可用 {机构代码}、{年}、{序号} 或 {序号:05}（序号补足5位）。"
            )
    if sequences == 0:
        return f"{LABEL}须含有序号 {{序号}}（或 {{序号:05}} 等），否则索引号会重复。"
    if sequences > 1:
        return f"{LABEL}只能含有一个序号。"
    literal = _PLACEHOLDER.sub("", scheme)
    if "{" in literal or "}" in literal:
        return f"{LABEL}中的花括号不成对；占位符写作 {{年}}、{{序号:05}} 这样。"
    odd = sorted({ch for ch in literal if not ch.isalnum() and ch not in _LITERAL_EXTRA})
    if odd:
        shown = "、".join("空格" if ch.isspace() else f"“{ch}”" for ch in odd[:5])
        return (
            f"{LABEL}中有不能用于索引号的字符（{shown}）；"
            "除占位符外只能用文字、字母、数字和 - _ / 〔 〕。"
        )
    if scheme.startswith("/") or scheme.endswith("/") or "//" in scheme:
        return f"{LABEL}不能以“/”开头或结尾，也不能有连续的“/”。"
    return None


def uses_year(scheme: str) -> bool:
    """Whether the running number starts again each year."""
    return "{" + YEAR + "}" in scheme


def format_number(scheme: str, *, agency_code: str, year: int, sequence: int) -> str:
    """The index number that ``scheme`` gives (a valid scheme: ``scheme_problem`` is None)."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name == CODE:
            return agency_code
        if name == YEAR:
            return f"{year:04d}"
        width = _SEQUENCE_FORMAT.fullmatch(name).group(1)  # type: ignore[union-attr]
        return f"{sequence:0{width}d}" if width else str(sequence)

    return _PLACEHOLDER.sub(value, scheme)
