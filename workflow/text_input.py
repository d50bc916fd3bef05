"""Text a person types: how long each kind may be, and what is taken out of it.

The limits are in characters (a Chinese character is one), chosen from what real applications
and letters hold, with room to spare; each model column and each form field uses one of them,
and the database refuses longer text too (``max_length`` on a ``CharField``, a check constraint
on a ``TextField``). A form says "所需政府信息的描述不能超过5000个字（现有150000个）" under the
field.

Names and titles (one line) lose the invisible characters that can make them read as something
else: the bidirectional controls (U+202E makes "申请书[U+202E]fdp.exe" show as "申请书exe.pdf")
and the zero-width characters (张[U+200B]三 shows as 张三 but is another name to a search or a
duplicate check). Longer text loses only the bidirectional controls: nothing in Chinese needs
them, and they would reorder the words a letter prints; a zero-width joiner inside an emoji is
left there.
U+0000 (NUL) is refused in a form, naming the field: PostgreSQL cannot store it, and it is never
typed on purpose (it comes with text pasted from a damaged file).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django import forms
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

# -- limits, in characters -------------------------------------------------------------------------

#: A person's or an organisation's name, a drafting unit, an archive (registered names of
#: organisations run to about 60 characters).
NAME = 100
#: A person's name where only a person's goes (contact, agent, legal representative).
PERSON_NAME = 50
#: A document's title: GB/T 9704 titles are rarely over 100; joint notices with long names of
#: the issuing organs need more.
TITLE = 300
#: A case document's or an uploaded file's name.
FILE_NAME = 200
#: A 文号 or a letter's number.
NUMBER = 60
#: A postal address.
ADDRESS = 200
#: A phone number, an identity document's number.
PHONE = 40
ID_NUMBER = 40
#: A one-line note or reason: 免收理由, 审批意见, 撤回方式和说明, 邮件号码, 说明方式.
NOTE = 200
#: A web address (where a document was published, its interpretation).
URL = 500
#: A law and its article (《中华人民共和国政府信息公开条例》第十四条…), or several of them.
LAW = 300
#: Reasons, opinions, comments, a review's decision: a few paragraphs of a letter.
REASON = 2000
#: What an applicant asks for (《条例》第二十九条): a page or two, a list of documents included;
#: an application longer than that comes as an attached file.
DESCRIPTION = 5000
#: What a third party is asked about (the request's description and the agency's question).
MATTER = 5000
#: The applicant's own explanation of reasons (《条例》第三十五条), as long as a description.
ANSWER = 5000
#: A search box: the lists' filter forms say so under the box; a query read from the URL
#: alone (``search_text``) is cut.
SEARCH = 100


def too_long(label: str, limit: int, length: int) -> str:
    """ "所需政府信息的描述不能超过5000个字（现有150000个）。" """
    return f"{label}不能超过{limit}个字（现有{length}个）。"


NUL_MESSAGE = (
    "{label}中有看不见的空字符（U+0000），通常是从损坏的文件中复制带来的。"
    "请删去这个字符（或重新输入这一项）后再提交。"
)


# -- cleaning --------------------------------------------------------------------------------------

#: Bidirectional controls: ALM, LRM, RLM, the embeddings and overrides, the isolates.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
#: Zero-width characters that can split a name without showing: ZWSP, ZWNJ, ZWJ, WJ, BOM.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
_INVISIBLE = re.compile(f"[{BIDI_CONTROLS}{ZERO_WIDTH}]")


def strip_bidi(text: str) -> str:
    """``text`` without bidirectional control characters."""
    return _BIDI.sub("", text)


def clean_name(text: str) -> str:
    """A name or a title (one line) without the invisible characters that could make it read
    as something else: bidirectional controls and zero-width characters."""
    return _INVISIBLE.sub("", text)


def search_text(value: str | None) -> str:
    """A search query from a URL: without NUL and invisible characters, cut to ``SEARCH``."""
    return clean_name((value or "").replace("\x00", "")).strip()[:SEARCH]


# -- forms -----------------------------------------------------------------------------------------


def _short_label(field: forms.Field) -> str:
    # "材料名称（可不填）" → "材料名称": the note is for the form, not for the message.
    label = str(field.label or "这一项")
    return re.sub(r"[（(][^（()）]*[)）]$", "", label).strip() or label


def _cleaning(to_python: Callable, clean: Callable[[str], str], *, strip: bool) -> Callable:
    def cleaned(value):
        value = to_python(value)
        if not isinstance(value, str):
            return value
        value = clean(value)
        return value.strip() if strip else value

    return cleaned


def apply_text_rules(field: forms.CharField, *, default_limit: int | None = None) -> None:
    """Give ``field`` (a form's own copy) the rules of typed text: a limit (``default_limit``
    when it has none), the messages naming it in Chinese, and the cleaning of invisible
    characters (names and titles: ``clean_name``; longer text: ``strip_bidi``)."""
    label = _short_label(field)
    multi_line = isinstance(field.widget, forms.Textarea)
    if field.max_length is None:
        field.max_length = default_limit or (REASON if multi_line else NOTE)
        field.validators.append(MaxLengthValidator(field.max_length))
        if not field.widget.is_hidden:
            field.widget.attrs.update(field.widget_attrs(field.widget))
    field.error_messages["max_length"] = (
        f"{label}不能超过%(limit_value)d个字（现有%(show_value)d个）。"
    )
    field.error_messages["null_characters_not_allowed"] = NUL_MESSAGE.format(label=label)
    if not field.widget.is_hidden:
        clean = strip_bidi if multi_line else clean_name
        field.to_python = _cleaning(field.to_python, clean, strip=field.strip)


class TextRulesMixin:
    """A form whose text fields follow the rules of typed text (``apply_text_rules``); fields
    a form adds after its ``__init__`` get them before it is cleaned."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._apply_text_rules()

    def _apply_text_rules(self) -> None:
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not getattr(field, "text_rules", False):
                apply_text_rules(field)
                field.text_rules = True

    def full_clean(self):
        self._apply_text_rules()
        super().full_clean()


# -- models ----------------------------------------------------------------------------------------


class BoundedTextField(models.TextField):
    """A ``TextField`` with a ``max_length`` that model validation checks (a plain
    ``TextField`` passes it only to its form field); the model's ``length_checks`` make the
    database refuse longer text too."""

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        self.validators.append(MaxLengthValidator(max_length))


def length_checks(prefix: str, **limits: int) -> list[models.CheckConstraint]:
    """Check constraints that keep each named text column within its limit (in characters),
    named ``<prefix>_<field>_length``."""
    return [
        models.CheckConstraint(
            condition=LessThanOrEqual(Length(field), limit), name=f"{prefix}_{field}_length"
        )
        for field, limit in limits.items()
    ]


__all__ = [
    "BIDI_CONTROLS",
    "NUL_MESSAGE",
    "ZERO_WIDTH",
    "BoundedTextField",
    "TextRulesMixin",
    "apply_text_rules",
    "clean_name",
    "length_checks",
    "search_text",
    "strip_bidi",
    "too_long",
]
