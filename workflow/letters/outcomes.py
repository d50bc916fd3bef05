"""Outcome codes of DOMAIN §3.6 as the letters need them: labels, families, titles, remedy.

Pure data and functions, no Django import.
"""

from dataclasses import dataclass
from enum import StrEnum

REGULATION = "《中华人民共和国政府信息公开条例》"


class Remedy(StrEnum):
    """Which remedy clause a letter carries (DOMAIN §3.8)."""

    PRIOR_RECONSIDERATION = "prior"  # 复议前置: Administrative Reconsideration Law 2023, Art. 23
    CHOICE = "choice"  # 复议 60 days or suit 6 months: Administrative Litigation Law, Art. 46
    MIXED = "mixed"  # partial disclosure: 复议前置 for the withheld parts, choice for the rest


@dataclass(frozen=True)
class Outcome:
    code: str
    label: str
    basis: str  # default citation, for the request workflow to pre-fill ``articles``
    family: str
    notice_title: str
    notice_kind: str  # the separate-notice layout's letter kind
    remedy: Remedy


_NOTICE = "reply_notice"
_NOT_PROCESSED = "not_processed_notice"
_ABANDONED = "abandoned_notice"
_P, _C = Remedy.PRIOR_RECONSIDERATION, Remedy.CHOICE

_ROWS: tuple[tuple[str, str, str, str, str, str, Remedy], ...] = (
    (
        "already_public",
        "已主动公开",
        "第三十六条第（一）项",
        "disclosed",
        "政府信息公开告知书",
        _NOTICE,
        _C,
    ),
    (
        "disclosed",
        "予以公开",
        "第三十六条第（二）项",
        "disclosed",
        "政府信息公开告知书",
        _NOTICE,
        _C,
    ),
    (
        "partly_disclosed",
        "部分公开",
        "第三十七条",
        "partly",
        "政府信息部分公开告知书",
        _NOTICE,
        Remedy.MIXED,
    ),
    (
        "withheld_state_secret",
        "不予公开（属于国家秘密）",
        "第十四条",
        "withheld",
        "政府信息不予公开告知书",
        _NOTICE,
        _P,
    ),
    (
        "withheld_prohibited_by_law",
        "不予公开（其他法律行政法规禁止公开）",
        "第十四条",
        "withheld",
        "政府信息不予公开告知书",
        _NOTICE,
        _P,
    ),
    (
        "withheld_security_stability",
        "不予公开（危及“三安全一稳定”）",
        "第十四条",
        "withheld",
        "政府信息不予公开告知书",
        _NOTICE,
        _P,
    ),
    (
        "withheld_third_party",
        "不予公开（保护第三方合法权益）",
        "第十五条",
        "withheld",
        "政府信息不予公开告知书",
        _NOTICE,
        _P,
    ),
    (
        "withheld_internal_affairs",
        "不予公开（属于内部事务信息）",
        "第十六条第一款",
        "withheld",
        "政府信息不予公开告知书",
        _NOTICE,
        _P,
    ),
    (
        "withheld_process_info",
        "不予公开（属于过程性信息）",
        "第十六条第二款",
        "withheld",
        "政府信息不予公开告知书",
        _NOTICE,
        _P,
    ),
    (
        "withheld_enforcement_file",
        "不予公开（属于行政执法案卷）",
        "第十六条第二款",
        "withheld",
        "政府信息不予公开告知书",
        _NOTICE,
        _P,
    ),
    (
        "withheld_query_matter",
        "不予公开（属于行政查询事项）",
        "第三十六条第（七）项",
        "withheld",
        "政府信息不予公开告知书",
        _NOTICE,
        _P,
    ),
    (
        "not_held",
        "本机关不掌握相关政府信息",
        "第三十六条第（四）项",
        "unable",
        "政府信息不存在告知书",
        _NOTICE,
        _C,
    ),
    (
        "not_our_agency",
        "非本机关负责公开",
        "第三十六条第（五）项",
        "unable",
        "非本机关政府信息告知书",
        _NOTICE,
        _C,
    ),
    (
        "needs_creation",
        "需要另行制作或加工分析",
        "第三十八条",
        "unable",
        "无法提供告知书",
        _NOTICE,
        _C,
    ),
    (
        "still_unclear",
        "补正后申请内容仍不明确",
        "第三十条",
        "unable",
        "无法提供告知书",
        _NOTICE,
        _C,
    ),
    (
        "petition",
        "信访、投诉、举报等诉求",
        "第三十九条第一款",
        "not_processed",
        "不予处理告知书",
        _NOT_PROCESSED,
        _C,
    ),
    (
        "repeat",
        "重复申请",
        "第三十六条第（六）项",
        "not_processed",
        "不予处理告知书",
        _NOT_PROCESSED,
        _C,
    ),
    (
        "publication",
        "要求提供公开出版物",
        "第三十九条第二款",
        "not_processed",
        "不予处理告知书",
        _NOT_PROCESSED,
        _C,
    ),
    (
        "unreasonable_volume",
        "无正当理由大量、频繁申请",
        "第三十五条",
        "not_processed",
        "不予处理告知书",
        _NOT_PROCESSED,
        _C,
    ),
    (
        "confirm_or_reissue",
        "要求行政机关确认或重新出具已获取信息",
        "第三十六条",
        "not_processed",
        "不予处理告知书",
        _NOT_PROCESSED,
        _C,
    ),
    (
        "abandoned_no_correction",
        "逾期不补正视为放弃申请",
        "第三十条",
        "abandoned",
        "视为放弃申请告知书",
        _ABANDONED,
        _C,
    ),
    (
        "abandoned_no_payment",
        "逾期未缴纳信息处理费视为放弃申请",
        "《政府信息公开信息处理费管理办法》第六条",
        "abandoned",
        "视为放弃申请告知书",
        _ABANDONED,
        _C,
    ),
    ("other", "其他处理情况", "", "other", "政府信息公开申请告知书", _NOTICE, _C),
)

OUTCOMES: dict[str, Outcome] = {row[0]: Outcome(*row) for row in _ROWS}


def get_outcome(code: str) -> Outcome:
    """The outcome for ``code``; ``KeyError`` with a Chinese message for an unknown code."""
    try:
        return OUTCOMES[code]
    except KeyError:
        raise KeyError(f"未知的办理结果代码：{code}") from None


def default_articles(code: str) -> list[str]:
    """The article an outcome normally rests on, written in full for a letter."""
    basis = get_outcome(code).basis
    if not basis:
        return []
    return [basis if basis.startswith("《") else f"{REGULATION}{basis}"]


def reply_kind(outcome: str, layout: str) -> str:
    """The letter kind that answers ``outcome`` under an agency's ``reply_layout``.

    ``single``: one 答复书 for every outcome; ``separate``: one notice per outcome family.
    """
    if layout == "single":
        return "reply"
    return get_outcome(outcome).notice_kind
