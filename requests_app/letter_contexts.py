"""The request letters' contexts and kinds (DOMAIN §3.8): what each letter about an information
request states, which kinds there are, which family numbers them, which outcomes a separate notice
carries, and the samples turned to each outcome.

The letter engine (``workflow.letters``) knows none of this: ``register_letters()``, called from
``RequestsAppConfig.ready()``, registers the kinds and the outcome variants of their samples.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from requests_app.rules import fees
from requests_app.rules.outcomes import (
    OUTCOMES,
    default_articles,
    get_outcome,
    with_required_articles,
)
from workflow.letters.contexts import (
    CaseNumber,
    LetterContext,
    LetterError,
    Remedy,
)
from workflow.letters.kinds import LetterKind, SampleVariants, register_kind, register_variants
from workflow.letters.render import sample_context, sample_data


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

    def check_kind(self, kind: LetterKind) -> None:
        """An unknown outcome is refused (``KeyError``), and a separate notice carries only its
        own outcomes (``NOTICE_OUTCOMES``)."""
        outcome = getattr(self, "outcome", "")
        if outcome:
            get_outcome(outcome)
        allowed = NOTICE_OUTCOMES.get(kind.code)
        if allowed is not None and outcome not in allowed:
            raise LetterError(f"{kind.label}不适用于办理结果“{outcome}”。")


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
    # A reply made again on a reconsideration decision's or a court's order (责令重新答复): the
    # sentence that cites it (``services.challenges.ordered_anew``); empty for a first reply.
    ordered_anew: str = ""

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


# -- the kinds (DOMAIN §3.8, §4.4) ------------------------------------------------------------

# Which outcomes each separate notice may carry (the 答复书 carries them all).
NOTICE_OUTCOMES = {
    "abandoned_notice": {"abandoned_no_correction", "abandoned_no_payment"},
    "not_processed_notice": {
        "petition",
        "repeat",
        "publication",
        "unreasonable_volume",
        "confirm_or_reissue",
    },
}

# The family of each request letter (``workflow.letters.kinds.FAMILIES``). The 登记回执 states the
# case's 登记编号, and the forms (送达回证, 办理单) stay under it; they have no number of their own.
LETTER_KINDS = (
    LetterKind("receipt", "登记回执", "receipt.txt", ReceiptContext),
    LetterKind(
        "correction_notice",
        "补正告知书",
        "correction_notice.txt",
        CorrectionContext,
        one_page=False,
        family="notice",
    ),
    LetterKind(
        "third_party_consultation",
        "第三方意见征询函",
        "third_party_consultation.txt",
        ThirdPartyConsultationContext,
        family="letter",
    ),
    LetterKind(
        "agency_consultation",
        "征求意见函",
        "agency_consultation.txt",
        AgencyConsultationContext,
        family="letter",
    ),
    LetterKind(
        "consultation_notice",
        "征求意见告知书",
        "consultation_notice.txt",
        ConsultationNoticeContext,
        family="notice",
    ),
    LetterKind(
        "third_party_disclosure_notice",
        "决定公开告知书（第三方）",
        "third_party_disclosure_notice.txt",
        ThirdPartyDisclosureContext,
        one_page=False,
        family="notice",
    ),
    LetterKind(
        "extension_notice",
        "延期答复告知书",
        "extension_notice.txt",
        ExtensionContext,
        family="notice",
    ),
    LetterKind(
        "reasons_request",
        "说明理由通知书",
        "reasons_request.txt",
        ReasonsRequestContext,
        one_page=False,
        family="notice",
    ),
    LetterKind(
        "deferral_notice", "延迟答复告知书", "deferral_notice.txt", DeferralContext, family="notice"
    ),
    LetterKind(
        "fee_notice",
        "信息处理费缴费通知书",
        "fee_notice.txt",
        FeeContext,
        one_page=False,
        family="notice",
    ),
    LetterKind(
        "reply",
        "政府信息公开申请答复书",
        "reply.txt",
        ReplyContext,
        one_page=False,
        family="reply",
    ),
    LetterKind(
        "reply_notice", "告知书（按结果分列）", "reply_notice.txt", ReplyContext, family="reply"
    ),
    LetterKind(
        "abandoned_notice",
        "视为放弃申请告知书",
        "abandoned_notice.txt",
        ReplyContext,
        family="reply",
    ),
    LetterKind(
        "not_processed_notice",
        "不予处理告知书",
        "not_processed_notice.txt",
        ReplyContext,
        family="reply",
    ),
    LetterKind("service_proof", "送达回证", "service_proof.txt", ServiceProofContext, form=True),
    LetterKind(
        "handling_sheet",
        "政府信息公开申请办理单",
        "handling_sheet.txt",
        HandlingSheetContext,
        form=True,
    ),
)


# -- samples turned to an outcome (the gallery, template overrides) ----------------------------

# Filled in when a sample is turned to another outcome, so every outcome's fragment can render.
_OUTCOME_FILLER = {
    "reason": "（示例）理由的具体说明。",
    "where_published": "孝义市人民政府门户网站“政府信息公开”专栏",
    "search_description": "（示例）在本机关公文系统和档案中以申请所述名称为关键词进行了检索",
    "special_law": "《不动产登记暂行条例》第二十七条",
    "competent_agency": "孝义市不动产登记中心",
    "earlier_reply": "（示例）本机关已于2026年1月30日对相同申请作出答复",
    "proper_channel": "孝义市12345政务服务便民热线",
    "notice_date": "2026-03-10",
    "lapsed_deadline": "2026-03-31",
}


def reply_sample(outcome: str, kind: str = "reply") -> LetterContext:
    """The reply sample turned to ``outcome``, with every field that outcome may need filled."""
    get_outcome(outcome)
    data = sample_data("reply")
    data.update(_OUTCOME_FILLER)
    data["outcome"] = outcome
    if outcome == "withheld_prohibited_by_law":
        data["special_law"] = "《中华人民共和国统计法》第二十五条"
    data["articles"] = default_articles(outcome) or ["《中华人民共和国政府信息公开条例》第三十六条"]
    if outcome != "partly_disclosed":
        data["withheld_parts"] = []
    if outcome not in ("disclosed", "partly_disclosed", "already_public"):
        data["provided"] = []
    return sample_context(kind, **{k: v for k, v in data.items() if k != "agency"})


OUTCOME_VARIANTS = SampleVariants(
    kind="reply",
    labels={code: outcome.label for code, outcome in OUTCOMES.items()},
    offered={"reply": None, "reply_notice": None, **NOTICE_OUTCOMES},
    build=reply_sample,
    template="outcomes/{}.txt",
    # These include the outcome's fragment: an override is checked under every outcome.
    shared_templates=("reply.txt", "reply_notice.txt"),
    checked=("reply", *NOTICE_OUTCOMES),
)


def register_letters() -> None:
    """Register the request letters' kinds and the outcome variants of their samples."""
    for kind in LETTER_KINDS:
        register_kind(kind)
    register_variants(OUTCOME_VARIANTS)
