"""The letter kinds of DOMAIN §3.8, §4.3 and §4.4: code, Chinese name, template and context type."""

from dataclasses import dataclass

from workflow.letters import contexts as c


@dataclass(frozen=True)
class LetterKind:
    code: str
    label: str
    template: str
    context_class: type[c.LetterContext]
    one_page: bool = True  # the standard letter fits one page with a realistic sample
    form: bool = False  # a form (table), never printed with the 信函格式 head


_KINDS = (
    LetterKind("receipt", "登记回执", "receipt.txt", c.ReceiptContext),
    LetterKind(
        "correction_notice",
        "补正告知书",
        "correction_notice.txt",
        c.CorrectionContext,
        one_page=False,
    ),
    LetterKind(
        "third_party_consultation",
        "第三方意见征询函",
        "third_party_consultation.txt",
        c.ThirdPartyConsultationContext,
    ),
    LetterKind(
        "agency_consultation", "征求意见函", "agency_consultation.txt", c.AgencyConsultationContext
    ),
    LetterKind(
        "consultation_notice",
        "征求意见告知书",
        "consultation_notice.txt",
        c.ConsultationNoticeContext,
    ),
    LetterKind(
        "third_party_disclosure_notice",
        "决定公开告知书（第三方）",
        "third_party_disclosure_notice.txt",
        c.ThirdPartyDisclosureContext,
        one_page=False,
    ),
    LetterKind("extension_notice", "延期答复告知书", "extension_notice.txt", c.ExtensionContext),
    LetterKind(
        "reasons_request",
        "说明理由通知书",
        "reasons_request.txt",
        c.ReasonsRequestContext,
        one_page=False,
    ),
    LetterKind("deferral_notice", "延迟答复告知书", "deferral_notice.txt", c.DeferralContext),
    LetterKind(
        "fee_notice", "信息处理费缴费通知书", "fee_notice.txt", c.FeeContext, one_page=False
    ),
    LetterKind("reply", "政府信息公开申请答复书", "reply.txt", c.ReplyContext, one_page=False),
    LetterKind("reply_notice", "告知书（按结果分列）", "reply_notice.txt", c.ReplyContext),
    LetterKind("abandoned_notice", "视为放弃申请告知书", "abandoned_notice.txt", c.ReplyContext),
    LetterKind(
        "not_processed_notice", "不予处理告知书", "not_processed_notice.txt", c.ReplyContext
    ),
    LetterKind("service_proof", "送达回证", "service_proof.txt", c.ServiceProofContext, form=True),
    LetterKind(
        "handling_sheet",
        "政府信息公开申请办理单",
        "handling_sheet.txt",
        c.HandlingSheetContext,
        form=True,
    ),
    LetterKind(
        "attribute_letter", "公开属性认定函", "attribute_letter.txt", c.AttributeLetterContext
    ),
    LetterKind(
        "review_report",
        "公开属性年度复核报告",
        "review_report.txt",
        c.ReviewReportContext,
        one_page=False,
    ),
    LetterKind(
        "review_changes",
        "公开属性调整目录",
        "review_changes.txt",
        c.ReviewChangesContext,
        one_page=False,
        form=True,
    ),
)

KINDS: dict[str, LetterKind] = {kind.code: kind for kind in _KINDS}

# Letter families numbered apart, per agency and year (DOMAIN §3.8): code -> (Chinese name, the
# 代字 added to the agency's 登记编号前缀 when the agency sets no prefix of its own). Each issued
# letter of a family takes the next 文号 of its sequence, e.g. 孝政信申复〔2026〕3号.
FAMILIES: dict[str, tuple[str, str]] = {
    "reply": ("答复书", "复"),
    "notice": ("告知书", "告"),
    "letter": ("征求意见函", "函"),
}

# The family of each request letter. The 登记回执 states the case's 登记编号, and the forms
# (送达回证, 办理单) stay under it; they have no number of their own. The 公开属性认定函 and the
# review papers are numbered by the attribute workflow.
KIND_FAMILIES: dict[str, str] = {
    "reply": "reply",
    "reply_notice": "reply",
    "abandoned_notice": "reply",
    "not_processed_notice": "reply",
    "correction_notice": "notice",
    "consultation_notice": "notice",
    "third_party_disclosure_notice": "notice",
    "extension_notice": "notice",
    "reasons_request": "notice",
    "deferral_notice": "notice",
    "fee_notice": "notice",
    "third_party_consultation": "letter",
    "agency_consultation": "letter",
}

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


def get_kind(code: str) -> LetterKind:
    """The kind called ``code``; ``KeyError`` with a Chinese message listing the kinds."""
    try:
        return KINDS[code]
    except KeyError:
        raise KeyError(f"未知的文书种类：{code}（可用：{'、'.join(KINDS)}）") from None
