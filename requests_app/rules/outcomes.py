"""Outcome codes of DOMAIN §3.6 as the letters need them: labels, families, titles, remedy.

The request app's rules: pure data and functions, no Django import. ``Remedy`` is the letter
engine's (re-exported here).
"""

from dataclasses import dataclass

from workflow.letters.contexts import Remedy
from workflow.letters.regulation import REGULATION, Quote, quote

#: Refusals under Arts. 14–16 cite Art. 36(3) besides their ground: "决定不予公开的，告知申请人
#: 不予公开并说明理由".
REFUSAL_ARTICLE = "第三十六条第（三）项"


@dataclass(frozen=True)
class Outcome:
    """One outcome of DOMAIN §3.6.

    The remedy clause and the annual report's row are separate attributes: an Art. 36(7) referral
    is counted in row 三（三）8 among the refusals, yet it is not a refusal under Arts. 14–16 and
    carries the general remedy clause.
    """

    code: str
    label: str
    basis: str  # default citation, for the request workflow to pre-fill ``articles``
    family: str
    notice_title: str
    notice_kind: str  # the separate-notice layout's letter kind
    remedy: Remedy
    report_row: str  # the annual report's row (Report Format, table 三)
    quoted: tuple[str, ...] = ()  # the Regulation's articles the letter quotes word for word
    also_cited: tuple[str, ...] = ()  # further default citations after ``basis``

    @property
    def refusal(self) -> bool:
        """A refusal under Arts. 14–16 (the "不予公开" of 法释〔2025〕8号): 复议前置, and the
        letter cites Art. 36(3)."""
        return self.remedy == Remedy.PRIOR_RECONSIDERATION

    def quotes(self) -> list[Quote]:
        return [quote(article) for article in self.quoted]


_NOTICE = "reply_notice"
_NOT_PROCESSED = "not_processed_notice"
_ABANDONED = "abandoned_notice"
_P, _C = Remedy.PRIOR_RECONSIDERATION, Remedy.CHOICE
_REFUSAL = "政府信息不予公开告知书"


def _refusal(code: str, label: str, article: str, row: str) -> Outcome:
    return Outcome(
        code, label, article, "withheld", _REFUSAL, _NOTICE, _P, row, (article,), (REFUSAL_ARTICLE,)
    )


_OUTCOMES: tuple[Outcome, ...] = (
    Outcome(
        "already_public",
        "已主动公开",
        "第三十六条第（一）项",
        "disclosed",
        "政府信息公开告知书",
        _NOTICE,
        _C,
        "三（一）",
    ),
    Outcome(
        "disclosed",
        "予以公开",
        "第三十六条第（二）项",
        "disclosed",
        "政府信息公开告知书",
        _NOTICE,
        _C,
        "三（一）",
    ),
    Outcome(
        "partly_disclosed",
        "部分公开",
        "第三十七条",
        "partly",
        "政府信息部分公开告知书",
        _NOTICE,
        Remedy.MIXED,
        "三（二）",
    ),
    _refusal("withheld_state_secret", "不予公开（属于国家秘密）", "第十四条", "三（三）1"),
    _refusal(
        "withheld_prohibited_by_law",
        "不予公开（其他法律行政法规禁止公开）",
        "第十四条",
        "三（三）2",
    ),
    _refusal(
        "withheld_security_stability",
        "不予公开（危及“三安全一稳定”）",
        "第十四条",
        "三（三）3",
    ),
    _refusal("withheld_third_party", "不予公开（保护第三方合法权益）", "第十五条", "三（三）4"),
    _refusal(
        "withheld_internal_affairs",
        "不予公开（属于内部事务信息）",
        "第十六条第一款",
        "三（三）5",
    ),
    _refusal("withheld_process_info", "不予公开（属于过程性信息）", "第十六条第二款", "三（三）6"),
    _refusal(
        "withheld_enforcement_file",
        "不予公开（属于行政执法案卷）",
        "第十六条第二款",
        "三（三）7",
    ),
    # Art. 36(7) refers the applicant to the procedure of a law or administrative regulation: not
    # a refusal under Arts. 14–16, so the general remedy clause; the report still counts it in
    # 三（三）8.
    Outcome(
        "withheld_query_matter",
        "属于工商、不动产登记资料等查询事项",
        "第三十六条第（七）项",
        "referral",
        "政府信息公开申请告知书",
        _NOTICE,
        _C,
        "三（三）8",
        ("第三十六条第（七）项",),
    ),
    Outcome(
        "not_held",
        "本机关不掌握相关政府信息",
        "第三十六条第（四）项",
        "unable",
        "政府信息不存在告知书",
        _NOTICE,
        _C,
        "三（四）1",
    ),
    Outcome(
        "not_our_agency",
        "非本机关负责公开",
        "第三十六条第（五）项",
        "unable",
        "非本机关政府信息告知书",
        _NOTICE,
        _C,
        "三（四）1",
    ),
    Outcome(
        "needs_creation",
        "需要另行制作或加工分析",
        "第三十八条",
        "unable",
        "无法提供告知书",
        _NOTICE,
        _C,
        "三（四）2",
    ),
    Outcome(
        "still_unclear",
        "补正后申请内容仍不明确",
        "第三十条",
        "unable",
        "无法提供告知书",
        _NOTICE,
        _C,
        "三（四）3",
    ),
    Outcome(
        "petition",
        "信访、投诉、举报等诉求",
        "第三十九条第一款",
        "not_processed",
        "不予处理告知书",
        _NOT_PROCESSED,
        _C,
        "三（五）1",
    ),
    Outcome(
        "repeat",
        "重复申请",
        "第三十六条第（六）项",
        "not_processed",
        "不予处理告知书",
        _NOT_PROCESSED,
        _C,
        "三（五）2",
    ),
    Outcome(
        "publication",
        "要求提供公开出版物",
        "第三十九条第二款",
        "not_processed",
        "不予处理告知书",
        _NOT_PROCESSED,
        _C,
        "三（五）3",
    ),
    Outcome(
        "unreasonable_volume",
        "无正当理由大量、频繁申请",
        "第三十五条",
        "not_processed",
        "不予处理告知书",
        _NOT_PROCESSED,
        _C,
        "三（五）4",
    ),
    # Government information is what an agency has made or obtained (Art. 2) and only that is
    # provided (Art. 38): confirming or re-issuing it asks for something else.
    Outcome(
        "confirm_or_reissue",
        "要求行政机关确认或重新出具已获取信息",
        "第二条",
        "not_processed",
        "不予处理告知书",
        _NOT_PROCESSED,
        _C,
        "三（五）5",
        ("第二条", "第三十八条"),
        ("第三十八条",),
    ),
    Outcome(
        "abandoned_no_correction",
        "逾期不补正视为放弃申请",
        "第三十条",
        "abandoned",
        "视为放弃申请告知书",
        _ABANDONED,
        _C,
        "三（六）1",
    ),
    Outcome(
        "abandoned_no_payment",
        "逾期未缴纳信息处理费视为放弃申请",
        "《政府信息公开信息处理费管理办法》第六条",
        "abandoned",
        "视为放弃申请告知书",
        _ABANDONED,
        _C,
        "三（六）2",
    ),
    Outcome(
        "other", "其他处理情况", "", "other", "政府信息公开申请告知书", _NOTICE, _C, "三（六）3"
    ),
)

OUTCOMES: dict[str, Outcome] = {outcome.code: outcome for outcome in _OUTCOMES}


def get_outcome(code: str) -> Outcome:
    """The outcome for ``code``; ``KeyError`` with a Chinese message for an unknown code."""
    try:
        return OUTCOMES[code]
    except KeyError:
        raise KeyError(f"未知的办理结果代码：{code}") from None


def cited(article: str) -> str:
    """An article written in full for a letter: the Regulation's name unless another law's."""
    return article if article.startswith("《") else f"{REGULATION}{article}"


def default_articles(code: str) -> list[str]:
    """The articles an outcome normally rests on, written in full for a letter."""
    outcome = get_outcome(code)
    articles = [outcome.basis, *outcome.also_cited] if outcome.basis else []
    return [cited(article) for article in articles]


def missing_articles(code: str, articles: list[str]) -> list[str]:
    """The articles an outcome's letter must cite and ``articles`` lacks: a refusal under
    Arts. 14–16 cites Art. 36(3) ("决定不予公开的，告知申请人不予公开并说明理由")."""
    if not get_outcome(code).refusal:
        return []
    wanted = cited(REFUSAL_ARTICLE)
    for article in articles:
        text = "".join(str(article).split()).replace("(", "（").replace(")", "）")
        if text.startswith("《") and not text.startswith(REGULATION):
            continue  # another law's article
        if REFUSAL_ARTICLE in text or "第三十六条第三项" in text:
            return []
    return [wanted]


def with_required_articles(code: str, articles: list[str]) -> list[str]:
    """``articles`` followed by those the outcome's letter must also cite (Art. 36(3) for a
    refusal), so that a handler who cites only the ground is never turned away for it and a
    decision recorded before the rule still issues a complete letter."""
    return [*articles, *missing_articles(code, articles)]


def reply_kind(outcome: str, layout: str) -> str:
    """The letter kind that answers ``outcome`` under an agency's ``reply_layout``.

    ``single``: one 答复书 for every outcome; ``separate``: one notice per outcome family.
    """
    if layout == "single":
        return "reply"
    return get_outcome(outcome).notice_kind
