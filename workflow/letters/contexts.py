"""Typed letter contexts: the facts a letter states, independent of any app's models.

The engine's part: what every letter has (``LetterContext``: the issuing agency, the issue date,
the remedy clause), the case number's parts, and building a context from JSON. The apps subclass
``LetterContext`` for their own letters (``requests_app.letter_contexts``,
``attributes_app.letter_contexts``) and register them with their kinds (``kinds.register_kind``).
Each context knows which of its elements are required (``missing()``), so that a letter lacking
the reconsideration organ, the case number or the articles relied on is never issued (DOMAIN §3.8).
"""

import types
import typing
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from workflow.letters.kinds import LetterKind


class MissingLetterElements(ValueError):
    """A letter cannot be issued because required elements are missing."""

    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__("文书缺少必需内容，不能生成：" + "、".join(missing))


class LetterError(ValueError):
    """A letter cannot be produced from this context (wrong kind, wrong outcome …)."""


class Remedy(StrEnum):
    """Which remedy clause a letter carries (DOMAIN §3.8)."""

    PRIOR_RECONSIDERATION = "prior"  # 复议前置: Administrative Reconsideration Law 2023, Art. 23
    CHOICE = "choice"  # 复议 60 days or suit 6 months: Administrative Litigation Law, Art. 46
    MIXED = "mixed"  # partial disclosure: 复议前置 for the withheld parts, choice for the rest


@dataclass(kw_only=True)
class AgencyInfo:
    """The issuing agency and its letter settings (mirrors ``workflow.models.Agency``)."""

    name: str
    office_name: str = ""
    phone: str = ""
    address: str = ""
    postcode: str = ""
    contact_person: str = ""
    reconsideration_organ: str = ""
    court: str = ""
    court_after_reconsideration: str = ""  # when the reconsideration organ changed the act
    number_style: str = "plain"  # plain: 〔2026〕17号 / with_di: 〔2026〕第17号
    letter_head: str = "letter"  # letter: 信函格式 red head / plain
    reply_layout: str = "single"  # single: 答复书 / separate: one notice per outcome
    # Assumed receipt of a notice sent by post: the N-th working day after 交邮之日 (DOMAIN §3.8);
    # None: the recorded service date counts.
    postal_receipt_days: int | None = None

    @classmethod
    def from_agency(cls, agency: Any, *, contact_person: str = "") -> "AgencyInfo":
        """Build from a ``workflow.models.Agency`` (or anything with the same attributes)."""
        # Agency keeps the office's contacts as office_phone/office_address/office_postcode.
        renamed = {
            "phone": "office_phone",
            "address": "office_address",
            "postcode": "office_postcode",
        }
        names = [f.name for f in fields(cls) if f.name != "contact_person"]
        return cls(
            contact_person=contact_person,
            **{n: getattr(agency, renamed.get(n, n)) for n in names},
        )


@dataclass(kw_only=True)
class CaseNumber:
    """登记编号 parts; printed as 孝政信申〔2026〕17号 or 〔2026〕第17号 per the agency."""

    prefix: str
    year: int
    sequence: int

    def format(self, style: str = "plain") -> str:
        """The number in the agency's style: no 第 and no zero padding unless ``with_di``."""
        di = "第" if style == "with_di" else ""
        return f"{self.prefix}〔{self.year}〕{di}{self.sequence}号"


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str | list | tuple | dict):
        return bool(value)
    return True


@dataclass(kw_only=True)
class LetterContext:
    """What every letter has: the issuing agency, the issue date and the remedy it carries."""

    agency: AgencyInfo
    issue_date: date
    remedy: ClassVar[Remedy | None] = None

    def remedy_clause(self) -> Remedy | None:
        """The remedy clause this letter ends with, or ``None``."""
        return self.remedy

    def requirements(self) -> list[tuple[str, Any]]:
        """(Chinese name, value) of every element this letter cannot go out without."""
        required: list[tuple[str, Any]] = [
            ("机关名称", self.agency.name),
            ("成文日期", self.issue_date),
        ]
        if self.remedy_clause() is not None:
            required += [
                ("行政复议机关", self.agency.reconsideration_organ),
                ("管辖法院", self.agency.court),
            ]
        return required

    def missing(self) -> list[str]:
        """Names of the required elements that are empty, in the order a reader meets them."""
        return [name for name, value in self.requirements() if not _present(value)]

    def check(self) -> None:
        """Refuse (``MissingLetterElements``) when anything required is missing."""
        missing = self.missing()
        if missing:
            raise MissingLetterElements(missing)

    def check_kind(self, kind: "LetterKind") -> None:
        """Refuse (``LetterError``) to be issued as ``kind`` beyond what the context's type
        says: the app's own rule (a separate notice carries only some outcomes). Nothing here."""

    def number_text(self) -> str:
        return ""

    def template_context(self) -> dict[str, Any]:
        """The variables a template sees: every field, plus ``number`` and ``remedy``."""
        context = {f.name: getattr(self, f.name) for f in fields(self)}
        context["number"] = self.number_text()
        context["remedy"] = str(self.remedy_clause() or "")
        return context


# -- building contexts from JSON (samples, the render_letter command) -------------------------


class ContextDataError(ValueError):
    """A JSON context does not fit its dataclass; the message says where."""


def _build(tp: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        (inner,) = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        return _build(inner, value, where)
    if tp is date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            raise ContextDataError(f"{where}：日期应写作 YYYY-MM-DD，而不是 {value!r}") from None
    if origin is list:
        (inner,) = typing.get_args(tp)
        if not isinstance(value, list):
            raise ContextDataError(f"{where}：应为列表")
        return [_build(inner, item, f"{where}[{i}]") for i, item in enumerate(value)]
    if is_dataclass(tp):
        if not isinstance(value, dict):
            raise ContextDataError(f"{where}：应为对象")
        return from_data(tp, value, where)
    return value


def from_data(cls: type, data: dict[str, Any], where: str = "context") -> Any:
    """Build dataclass ``cls`` from JSON-like ``data`` (dates as ISO strings), strictly."""
    hints = typing.get_type_hints(cls)
    known = {f.name for f in fields(cls) if f.init}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ContextDataError(f"{where}：未知的字段 {', '.join(unknown)}")
    kwargs = {name: _build(hints[name], value, f"{where}.{name}") for name, value in data.items()}
    try:
        return cls(**kwargs)
    except TypeError as error:
        raise ContextDataError(f"{where}：{error}") from None
