"""The attribute workflow's letter contexts and kinds: the 公开属性认定函 of a drafting unit
(DOMAIN §4.4) and the yearly review's report and list of changes (DOMAIN §4.3 step 4).

``register_letters()``, called from ``AttributesAppConfig.ready()``, registers the kinds with the
letter engine (``workflow.letters``). Their numbers are given by the attribute workflow, not by
the request letters' families.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workflow.letters.contexts import CaseNumber, LetterContext
from workflow.letters.kinds import LetterKind, register_kind

ATTRIBUTES = {
    "proactive": ("主动公开", "（此件公开发布）"),
    "on_request": ("依申请公开", "（此件依申请公开）"),
    "withheld": ("不予公开", "（此件不予公开）"),
}


@dataclass(kw_only=True)
class AttributeLetterContext(LetterContext):
    """公函 from a drafting unit setting the attribute of an older document (DOMAIN §4.4)."""

    letter_number: CaseNumber | None = None
    disclosure_office: str = ""
    document_title: str = ""
    document_number: str = ""
    document_date: date | None = None
    attribute: str = ""
    reasons: str = ""
    legal_basis: str = ""
    request_number: str = ""

    def number_text(self) -> str:
        number = self.letter_number
        return number.format(self.agency.number_style) if number else ""

    def requirements(self) -> list[tuple[str, Any]]:
        required = [
            *super().requirements(),
            ("函件编号", self.letter_number),
            ("主送的政府信息公开工作机构", self.disclosure_office),
            ("文件标题", self.document_title),
            ("公开属性", self.attribute if self.attribute in ATTRIBUTES else ""),
        ]
        if self.attribute in ("on_request", "withheld"):
            required += [("认定理由", self.reasons), ("法律依据", self.legal_basis)]
        return required

    def template_context(self) -> dict[str, Any]:
        label, mark = ATTRIBUTES.get(self.attribute, ("", ""))
        return {**super().template_context(), "attribute_label": label, "attribute_mark": mark}


@dataclass(kw_only=True)
class SignalRow:
    """One kind of yearly-review signal and how many documents carried it."""

    label: str
    count: int = 0


@dataclass(kw_only=True)
class ReviewReasonRow:
    label: str
    kept: int = 0
    changed: int = 0


@dataclass(kw_only=True)
class ReviewUnitRow:
    unit: str
    reviewed: int = 0
    kept: int = 0
    changed: int = 0
    withdrawn: int = 0


@dataclass(kw_only=True)
class ShareYearRow:
    """Documents formed in ``year`` with a confirmed attribute, and how many are not proactive."""

    year: int
    total: int = 0
    non_proactive: int = 0

    @property
    def share(self) -> float | None:
        return self.non_proactive / self.total if self.total else None

    @property
    def share_text(self) -> str:
        share = self.share
        return "—" if share is None else f"{share * 100:.1f}%"


def share_trend(rows: list[ShareYearRow]) -> str:
    """How the share moved between the last two years with documents, in words."""
    known = [row for row in rows if row.share is not None]
    if len(known) < 2:
        return ""
    before, last = known[-2], known[-1]
    points = (last.share - before.share) * 100
    if abs(points) < 0.05:
        return f"{last.year}年与{before.year}年持平"
    way = "下降" if points < 0 else "上升"
    return f"{last.year}年比{before.year}年{way}{abs(points):.1f}个百分点"


@dataclass(kw_only=True)
class ReviewReportContext(LetterContext):
    """年度复核报告 (DOMAIN §4.3 step 4): numbers reviewed, kept and changed, by reason and by
    drafting unit, and the share of non-proactive documents by year (Xiaoyi task 3)."""

    year: int | None = None
    addressee: str = ""
    opened_on: date | None = None
    closed_on: date | None = None
    total: int = 0
    flagged: int = 0
    reviewed: int = 0
    kept: int = 0
    changed: int = 0
    withdrawn: int = 0
    to_proactive: int = 0
    to_on_request: int = 0
    to_withheld: int = 0
    signals: list[SignalRow] = field(default_factory=list)
    by_reason: list[ReviewReasonRow] = field(default_factory=list)
    by_unit: list[ReviewUnitRow] = field(default_factory=list)
    share_by_year: list[ShareYearRow] = field(default_factory=list)

    def requirements(self) -> list[tuple[str, Any]]:
        return [
            *super().requirements(),
            ("复核年度", self.year),
            ("复核结束日期", self.closed_on),
        ]

    def template_context(self) -> dict[str, Any]:
        return {**super().template_context(), "share_trend": share_trend(self.share_by_year)}


@dataclass(kw_only=True)
class ReviewChangeRow:
    """One document whose attribute a yearly review changed, as the public list shows it."""

    title: str
    number: str = ""
    unit: str = ""
    from_attribute: str = ""
    to_attribute: str = ""
    reason: str = ""
    decided_on: date | None = None

    @property
    def from_label(self) -> str:
        return ATTRIBUTES.get(self.from_attribute, ("", ""))[0]

    @property
    def to_label(self) -> str:
        return ATTRIBUTES.get(self.to_attribute, ("", ""))[0]


@dataclass(kw_only=True)
class ReviewChangesContext(LetterContext):
    """公开属性调整目录: the documents whose attribute the yearly review changed, for the
    agency's portal (DOMAIN §4.3 step 4)."""

    year: int | None = None
    rows: list[ReviewChangeRow] = field(default_factory=list)

    def requirements(self) -> list[tuple[str, Any]]:
        required = [*super().requirements(), ("复核年度", self.year)]
        for index, row in enumerate(self.rows, 1):
            required += [
                (f"第{index}件的文件标题", row.title),
                (f"第{index}件调整后的公开属性", row.to_label),
                (f"第{index}件的调整日期", row.decided_on),
            ]
        return required


LETTER_KINDS = (
    LetterKind(
        "attribute_letter", "公开属性认定函", "attribute_letter.txt", AttributeLetterContext
    ),
    LetterKind(
        "review_report",
        "公开属性年度复核报告",
        "review_report.txt",
        ReviewReportContext,
        one_page=False,
    ),
    LetterKind(
        "review_changes",
        "公开属性调整目录",
        "review_changes.txt",
        ReviewChangesContext,
        one_page=False,
        form=True,
    ),
)


def register_letters() -> None:
    """Register the attribute workflow's letter kinds."""
    for kind in LETTER_KINDS:
        register_kind(kind)
