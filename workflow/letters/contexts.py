"""Typed letter contexts: the facts a letter states, independent of any request model.

The request and attribute workflows fill these dataclasses; the letter templates read them.
Each context knows which of its elements are required (``missing()``), so that a letter lacking
the reconsideration organ, the case number or the articles relied on is never issued (DOMAIN §3.8).
"""

import types
import typing
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from typing import Any, ClassVar

from workflow.letters import fees
from workflow.letters.outcomes import Remedy, get_outcome, with_required_articles


class MissingLetterElements(ValueError):
    """A letter cannot be issued because required elements are missing."""

    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__("文书缺少必需内容，不能生成：" + "、".join(missing))


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


@dataclass(kw_only=True)
class Party:
    """An applicant, third party or other addressee."""

    name: str = ""
    kind: str = "person"  # person / organization
    address: str = ""
    postcode: str = ""
    phone: str = ""

    @property
    def you(self) -> str:
        """How a letter addresses the party: 您 for a person, 你单位 for an organisation."""
        return "你单位" if self.kind == "organization" else "您"


# How a letter's opening says a request came in ("收到您……的政府信息公开申请"), per channel as
# ``requests_app`` names them; any other channel (a platform's name, say) reads "通过……提交".
SUBMISSION_PHRASES = {
    "当面提交": "当面提交",
    "邮寄（需签收）": "以邮寄方式提交",
    "邮寄": "以邮寄方式提交",
    "平常信函": "以平常信函方式提交",
    "互联网": "通过互联网提交",
    "传真": "以传真方式提交",
}


def submission_phrase(channel: str) -> str:
    """The words between "收到您" and "的政府信息公开申请" for ``channel``."""
    channel = channel.strip()
    if not channel:
        return "提交"
    if channel in SUBMISSION_PHRASES:
        return SUBMISSION_PHRASES[channel]
    if channel.endswith("提交"):
        return channel
    if channel.startswith(("通过", "以", "经")):
        return f"{channel}提交"
    return f"通过{channel}提交"


@dataclass(kw_only=True)
class CaseFacts:
    """The facts of a request that letters repeat."""

    number: CaseNumber | None = None
    receipt_date: date | None = None
    channel: str = ""  # 当面提交 / 邮寄（需签收） / 平常信函 / 互联网 / 传真, or a platform's name
    request: str = ""  # 申请获取的政府信息，as the applicant described it
    due_date: date | None = None
    query_code: str = ""

    @property
    def submission(self) -> str:
        """How the request came in, for a sentence: 当面提交, 以邮寄方式提交, 通过互联网提交 …"""
        return submission_phrase(self.channel)


@dataclass(kw_only=True)
class WithheldPart:
    description: str
    reason: str = ""
    basis: str = ""


@dataclass(kw_only=True)
class ArchivedDocument:
    """A document the request concerns that was transferred to a national archives: it is used
    under the Archives Law, and the reply says where to apply (DOMAIN §4.4)."""

    title: str
    number: str = ""
    transferred_on: date | None = None
    archive_name: str = ""


@dataclass(kw_only=True)
class HandlingStep:
    step: str
    who: str = ""
    when: date | None = None
    opinion: str = ""
    signature: str = ""


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

    def number_text(self) -> str:
        return ""

    def template_context(self) -> dict[str, Any]:
        """The variables a template sees: every field, plus ``number`` and ``remedy``."""
        context = {f.name: getattr(self, f.name) for f in fields(self)}
        context["number"] = self.number_text()
        context["remedy"] = str(self.remedy_clause() or "")
        return context


@dataclass(kw_only=True)
class RequestLetter(LetterContext):
    """A letter about one information request, normally addressed to the applicant."""

    case: CaseFacts
    applicant: Party
    # The letter's own 文号 (given when it is issued, per agency, year and family); without one
    # the letter carries the case's 登记编号 (the receipt and the forms).
    letter_number: CaseNumber | None = None

    def case_number_text(self) -> str:
        """The case's 登记编号 in the agency's style; the letter's body states it."""
        number = self.case.number
        return number.format(self.agency.number_style) if number else ""

    def number_text(self) -> str:
        if self.letter_number is not None:
            return self.letter_number.format(self.agency.number_style)
        return self.case_number_text()

    def requirements(self) -> list[tuple[str, Any]]:
        return [
            *super().requirements(),
            ("登记编号", self.case.number),
            ("收到申请之日", self.case.receipt_date),
            ("申请人", self.applicant.name),
        ]

    def template_context(self) -> dict[str, Any]:
        return {
            **super().template_context(),
            "you": self.applicant.you,
            "case_number": self.case_number_text(),
        }


@dataclass(kw_only=True)
class ReceiptContext(RequestLetter):
    """登记回执 (Art. 31, 45)."""

    arrival_date: date | None = None
    late_receipt_reason: str = ""  # Art. 31(2): why the receipt date is later than the arrival
    wanted_form: str = ""

    def requirements(self) -> list[tuple[str, Any]]:
        return [*super().requirements(), ("答复期限", self.case.due_date)]


@dataclass(kw_only=True)
class CorrectionContext(RequestLetter):
    """补正告知书 (Art. 30): everything to correct, at once, and the period."""

    items: list[str] = field(default_factory=list)
    # The period runs from the applicant's receipt: its end is known only once the notice is
    # served, so the letter states the date only when it is given (DOMAIN §3.8).
    correction_deadline: date | None = None
    period_days: int = 15

    def requirements(self) -> list[tuple[str, Any]]:
        return [
            *super().requirements(),
            ("需要补正的事项", self.items),
            ("补正期限", self.period_days),
        ]


@dataclass(kw_only=True)
class ThirdPartyConsultationContext(RequestLetter):
    """第三方意见征询函 (Art. 32): the applicant is not named to the third party."""

    third_party: Party
    information: str = ""
    reason: str = ""
    reply_by: date | None = None

    def requirements(self) -> list[tuple[str, Any]]:
        return [
            *super().requirements(),
            ("被征求意见的第三方", self.third_party.name),
            ("涉及的政府信息", self.information),
        ]


@dataclass(kw_only=True)
class AgencyConsultationContext(RequestLetter):
    """征求意见函 to a co-producing agency (Art. 34): silence counts as consent."""

    consulted_agency: str = ""
    information: str = ""
    reply_by: date | None = None

    def requirements(self) -> list[tuple[str, Any]]:
        return [
            *super().requirements(),
            ("被征求意见的机关", self.consulted_agency),
            ("涉及的政府信息", self.information),
        ]


@dataclass(kw_only=True)
class ConsultationNoticeContext(RequestLetter):
    """征求意见告知书 to the applicant (Art. 33(3)): the clock is paused."""

    consulted: list[str] = field(default_factory=list)
    sent_on: date | None = None

    def requirements(self) -> list[tuple[str, Any]]:
        return [
            *super().requirements(),
            ("征求意见对象", self.consulted),
            ("发出征求意见之日", self.sent_on),
        ]


@dataclass(kw_only=True)
class ThirdPartyDisclosureContext(RequestLetter):
    """Notice to a third party that the agency discloses over its objection (Art. 32)."""

    remedy: ClassVar[Remedy | None] = Remedy.CHOICE
    third_party: Party
    objection_date: date | None = None
    information: str = ""
    reasons: str = ""
    articles: list[str] = field(default_factory=list)
    disclosure_date: date | None = None

    def requirements(self) -> list[tuple[str, Any]]:
        return [
            *super().requirements(),
            ("第三方", self.third_party.name),
            ("决定公开的政府信息", self.information),
            ("决定公开的理由", self.reasons),
            ("所依据的条款", self.articles),
        ]


@dataclass(kw_only=True)
class ExtensionContext(RequestLetter):
    """延期答复告知书 (Art. 33(2)): approved, sent before the original deadline."""

    reason: str = ""
    extension_days: int = 20
    new_due_date: date | None = None

    def requirements(self) -> list[tuple[str, Any]]:
        return [
            *super().requirements(),
            ("原答复期限", self.case.due_date),
            ("延期理由", self.reason),
            ("延期后的答复期限", self.new_due_date),
        ]


@dataclass(kw_only=True)
class ReasonsRequestContext(RequestLetter):
    """说明理由通知书 (Art. 35): what makes the volume or frequency look beyond reason, what to
    explain, how and by when; no answer or no reasonable one means the request is not processed."""

    grounds: str = ""
    items: list[str] = field(default_factory=list)
    how_to_answer: str = ""
    reply_by: date | None = None
    period_days: int = 15

    def requirements(self) -> list[tuple[str, Any]]:
        return [
            *super().requirements(),
            ("数量、频次明显超过合理范围的情况", self.grounds),
            ("需要说明的事项", self.items),
            ("说明方式", self.how_to_answer),
            ("说明期限", self.reply_by),
        ]

    def template_context(self) -> dict[str, Any]:
        # The facts are written into a sentence: their own closing punctuation would double up.
        return {**super().template_context(), "grounds": self.grounds.strip().rstrip("。；，,;. ")}


@dataclass(kw_only=True)
class DeferralContext(RequestLetter):
    """延迟答复告知书 (Art. 35): the reasons are accepted, the reply cannot be made within the
    Art. 33 period; the agency fixes a reasonable later date and tells the applicant."""

    reasons_received_on: date | None = None
    reason: str = ""
    new_due_date: date | None = None

    def requirements(self) -> list[tuple[str, Any]]:
        return [
            *super().requirements(),
            ("原答复期限", self.case.due_date),
            ("无法按期答复的理由", self.reason),
            ("延迟答复期限", self.new_due_date),
        ]


@dataclass(kw_only=True)
class FeeContext(RequestLetter):
    """信息处理费缴费通知 (Fee Rules Art. 6): basis, standard, amount and how to pay."""

    method: str = "per_page"
    quantity: int = 0
    earlier_this_month: int = 0  # per-piece: the applicant's earlier applications this month
    reduction: int = 0
    reduction_reason: str = ""
    payment_method: str = ""
    pay_within_days: int = 20
    pay_by: date | None = None

    def calculation(self) -> fees.FeeCalculation | None:
        """The fee, band by band; ``None`` while the quantity is not known."""
        if self.quantity < 1:
            return None
        if self.method == fees.FeeMethod.PER_PIECE:
            return fees.fee_per_piece(
                earlier_this_month=self.earlier_this_month,
                count=self.quantity,
                reduction=self.reduction,
            )
        return fees.fee_per_page(self.quantity, reduction=self.reduction)

    def requirements(self) -> list[tuple[str, Any]]:
        required = [
            *super().requirements(),
            ("收费数量", self.calculation()),
            ("缴费方式", self.payment_method),
            ("缴费期限", self.pay_within_days),
        ]
        if self.reduction:
            required.append(("减免理由", self.reduction_reason))
        return required

    def template_context(self) -> dict[str, Any]:
        return {**super().template_context(), "fee": self.calculation()}


@dataclass(kw_only=True)
class ReplyContext(RequestLetter):
    """The decision on a request (Arts. 30, 35–39), for the 答复书 and the separate notices."""

    outcome: str
    articles: list[str] = field(default_factory=list)
    provided: list[str] = field(default_factory=list)
    form: str = ""  # Art. 40: paper, electronic, viewing on site
    where_published: str = ""
    withheld_parts: list[WithheldPart] = field(default_factory=list)
    reason: str = ""
    search_description: str = ""
    competent_agency: str = ""
    competent_agency_contact: str = ""
    special_law: str = ""  # the law or administrative regulation, with its article, that
    # prohibits disclosure (Art. 14) or governs the query (Art. 36(7))
    earlier_reply: str = ""
    proper_channel: str = ""
    notice_date: date | None = None  # the correction or fee notice, for deemed abandonment
    lapsed_deadline: date | None = None
    archived: list[ArchivedDocument] = field(default_factory=list)

    def remedy_clause(self) -> Remedy | None:
        return get_outcome(self.outcome).remedy

    def requirements(self) -> list[tuple[str, Any]]:
        outcome = get_outcome(self.outcome)
        required = super().requirements()
        if self.outcome != "other":  # a withdrawal ends the case on the applicant's word
            required.append(("所依据的条款", self.articles))
        if self.outcome == "partly_disclosed":
            required.append(("不予公开的部分", self.withheld_parts))
            for index, part in enumerate(self.withheld_parts, 1):
                required.append((f"不予公开部分{index}的理由", part.reason))
                required.append((f"不予公开部分{index}的依据", part.basis))
        elif outcome.family == "withheld":
            required.append(("不予公开的理由", self.reason))
        if self.outcome == "already_public":
            required.append(("已公开的途径", self.where_published))
        if self.outcome == "not_held":
            required.append(("检索情况", self.search_description))
        if self.outcome == "withheld_prohibited_by_law":
            required.append(("禁止公开的法律、行政法规及条款", self.special_law))
        if self.outcome == "withheld_query_matter":
            required.append(("查询所依据的法律、行政法规及条款", self.special_law))
        if outcome.family == "abandoned":
            required += [
                ("告知书发出之日", self.notice_date),
                ("期限届满之日", self.lapsed_deadline),
            ]
        for index, archived in enumerate(self.archived, 1):
            required.append((f"已移交档案馆的文件{index}的移交日期", archived.transferred_on))
            required.append((f"已移交档案馆的文件{index}的档案馆", archived.archive_name))
        return required

    def template_context(self) -> dict[str, Any]:
        outcome = get_outcome(self.outcome)
        return {
            **super().template_context(),
            "outcome_label": outcome.label,
            "family": outcome.family,
            "notice_title": outcome.notice_title,
            "outcome_template": f"outcomes/{self.outcome}.txt",
            "quotes": outcome.quotes(),
            # a refusal under Arts. 14–16 always cites Art. 36(3) too
            "articles": with_required_articles(self.outcome, self.articles),
            "archive_names": "、".join(dict.fromkeys(a.archive_name for a in self.archived)),
        }


@dataclass(kw_only=True)
class ServiceProofContext(RequestLetter):
    """送达回证: a table the server and the recipient complete and sign."""

    document_title: str = ""
    document_number: str = ""
    recipient: str = ""
    address: str = ""
    method: str = ""
    served_on: date | None = None
    server: str = ""
    witness: str = ""
    remarks: str = ""

    def requirements(self) -> list[tuple[str, Any]]:
        return [*super().requirements(), ("送达文书名称", self.document_title)]


@dataclass(kw_only=True)
class LetterRow:
    """A letter issued in the case, as the handling sheet lists it."""

    title: str
    number: str = ""
    issued_on: date | None = None


@dataclass(kw_only=True)
class HandlingSheetContext(RequestLetter):
    """政府信息公开申请办理单: every step, who, when, opinion and signature; every letter issued
    in the case with its 文号."""

    steps: list[HandlingStep] = field(default_factory=list)
    outcome: str = ""
    letters: list[LetterRow] = field(default_factory=list)

    def template_context(self) -> dict[str, Any]:
        label = get_outcome(self.outcome).label if self.outcome else ""
        return {**super().template_context(), "outcome_label": label}


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
