"""The rules of a document's disclosure attribute (公开属性, DOMAIN §4). Pure: no Django import.

Art. N = 《中华人民共和国政府信息公开条例》. What a lawyer should be able to read here:

- which attribute a document may carry and what a non-proactive one must give (reason and legal
  ground, DOMAIN §4.1; a normative document is always proactive, Art. 20(1));
- which proposals go to the disclosure office first (a policy document proposed non-proactive);
- when a request to issue a document is refused (不予发文) and why;
- the publication deadline of a proactive document (Art. 26, or the agency's stricter rule) and
  of a policy document's interpretation, with their at-risk day and provisional mark;
- the signals of the yearly review (DOMAIN §4.3) and the reasons a review decision may give.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Protocol

from attributes_app.letter_contexts import ATTRIBUTES
from workflow.cn import cn_date
from workflow.law_rank import law_rank_problem
from workflow.letters.regulation import REGULATION

# -- attributes and kinds -----------------------------------------------------------------------

PROACTIVE = "proactive"
ON_REQUEST = "on_request"
WITHHELD = "withheld"
#: code -> (label, the mark printed on the document), DOMAIN §4.1
ATTRIBUTE_LABELS: dict[str, str] = {code: label for code, (label, _) in ATTRIBUTES.items()}
ATTRIBUTE_MARKS: dict[str, str] = {code: mark for code, (_, mark) in ATTRIBUTES.items()}
NON_PROACTIVE = frozenset({ON_REQUEST, WITHHELD})

POLICY = "policy"
NORMATIVE = "normative"
#: 规章 (rules of ministries and of provincial and city governments): with the normative
#: documents, what Art. 20(1) publishes and table 二 of the annual report counts.
RULE = "rule"
OTHER_KIND = "other"
KIND_LABELS = {
    POLICY: "政策性文件",
    RULE: "规章",
    NORMATIVE: "行政规范性文件",
    OTHER_KIND: "其他公文",
}
#: The kinds Art. 20(1) requires to be published proactively.
ARTICLE_20_KINDS = frozenset({RULE, NORMATIVE})


def attribute_mark(attribute: str) -> str:
    """The words printed on the document: "（此件公开发布）" and so on (DOMAIN §4.1)."""
    return ATTRIBUTE_MARKS.get(attribute, "")


def needs_office_review(kind: str, attribute: str) -> bool:
    """A policy document proposed on-request or withheld goes to the disclosure office first."""
    return kind == POLICY and attribute in NON_PROACTIVE


def needs_interpretation(kind: str) -> bool:
    """A policy document's interpretation (政策解读) is published with it (DOMAIN §4.2)."""
    return kind == POLICY


#: ``interpretation_days`` of an agency whose policy has the interpretation approved with the
#: document and published with it (Xiaoyi: 同步审签; a document without it is sent back, 退文).
WITH_DOCUMENT = 0


def needs_interpretation_with_document(kind: str, interpretation_days: int) -> bool:
    """Whether a document must carry its interpretation material before it is issued."""
    return needs_interpretation(kind) and interpretation_days == WITH_DOCUMENT


# -- legal grounds of a non-proactive attribute -------------------------------------------------


@dataclass(frozen=True)
class Ground:
    code: str
    label: str
    article: str  # empty: the reason names its own law
    withheld: bool = True  # may ground a `withheld` attribute (else only `on_request`)
    # may ground an `on_request` attribute: not Arts. 14 and 15, whose information "不予公开" /
    # "不得公开" — a document resting on them is `withheld`
    on_request: bool = True


STATE_SECRET = "state_secret"
PROCESS_INFO = "process_info"
OTHER_LAW = "other_law"
LIMITED_SCOPE = "limited_scope"

GROUNDS: dict[str, Ground] = {
    g.code: g
    for g in (
        Ground("prohibited_by_law", "法律、行政法规禁止公开", "第十四条", on_request=False),
        Ground(
            "security_stability",
            "公开后可能危及国家安全、公共安全、经济安全、社会稳定",
            "第十四条",
            on_request=False,
        ),
        Ground(
            "third_party",
            "涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害",
            "第十五条",
            on_request=False,
        ),
        Ground(
            "internal_affairs",
            "内部事务信息（人事管理、后勤管理、内部工作流程等）",
            "第十六条第一款",
        ),
        Ground(
            PROCESS_INFO,
            "过程性信息（讨论记录、过程稿、磋商信函、请示报告等）",
            "第十六条第二款",
        ),
        Ground("enforcement_file", "行政执法案卷信息", "第十六条第二款"),
        Ground(OTHER_LAW, "其他法律、法规的规定", ""),
        # Not a ground for refusing disclosure: only that the document need not be published
        # proactively because it concerns specific persons or matters (outside Art. 19).
        Ground(
            LIMITED_SCOPE,
            "不属于应当主动公开的范围（不涉及公众利益调整、不需要公众广泛知晓或者参与决策）",
            "第十九条",
            withheld=False,
        ),
    )
}


def legal_basis(ground: str, law: str = "") -> str:
    """The citation of a non-proactive attribute: the Regulation's article, or the named law."""
    if ground == OTHER_LAW:
        return law.strip()
    found = GROUNDS.get(ground)
    return f"{REGULATION}{found.article}" if found else ""


def attribute_problems(
    *, kind: str, attribute: str, reasons: str = "", ground: str = "", law: str = ""
) -> dict[str, str]:
    """Every problem of a proposed attribute, by field, in Chinese (empty when acceptable).

    DOMAIN §4.1: on-request and withheld need a written reason with its legal ground (Art. 14,
    15, 16, or a named law); Art. 20(1): normative documents are published proactively. A document
    that is a state secret is classified and leaves the system: it gets no attribute. A document
    resting on Art. 14 or 15 must not be disclosed ("不予公开", "不得公开"), so it is `withheld`,
    never `on_request`; a named law that grounds `withheld` must have Art. 14's rank, a law or an
    administrative regulation (``law_rank_problem``).
    """
    errors: dict[str, str] = {}
    if attribute not in ATTRIBUTE_LABELS:
        errors["attribute"] = "请选择公开属性：主动公开、依申请公开或不予公开。"
        return errors
    if attribute == PROACTIVE:
        return errors
    if kind in ARTICLE_20_KINDS:
        errors["attribute"] = (
            f"{KIND_LABELS[kind]}应当主动公开（《条例》第二十条第（一）项），"
            "不能标注为依申请公开或不予公开。"
        )
    if not reasons.strip():
        errors["reasons"] = (
            f"拟{ATTRIBUTE_LABELS[attribute]}的，应当写明不主动公开的理由（未说明理由的不予发文）。"
        )
    if ground == STATE_SECRET:
        errors["ground"] = (
            "属于国家秘密的文件应当依法定密，按涉密文件管理并移出本系统，不标注公开属性。"
        )
    elif ground not in GROUNDS:
        errors["ground"] = (
            "请选择不主动公开的法律依据（《条例》第十四条、第十五条、第十六条或其他法律、法规）。"
        )
    elif attribute == WITHHELD and not GROUNDS[ground].withheld:
        errors["ground"] = (
            "“不属于应当主动公开的范围”只能作为依申请公开的理由；不予公开须依据《条例》第十四条、"
            "第十五条、第十六条或者法律、法规的规定。"
        )
    elif attribute == ON_REQUEST and not GROUNDS[ground].on_request:
        errors["ground"] = (
            f"依据《条例》{GROUNDS[ground].article}的信息应当不予公开，不能标注为依申请公开；"
            "请改为不予公开，或者选择其他依据。"
        )
    elif ground == OTHER_LAW and not law.strip():
        errors["law"] = "请写明所依据的法律、法规的名称和条款。"
    elif ground == OTHER_LAW and attribute == WITHHELD:
        problem = law_rank_problem(law)
        if problem:
            errors["law"] = f"不予公开只能依据法律、行政法规（《条例》第十四条）。{problem}"
    return errors


# -- states and the refusal to issue (不予发文) ---------------------------------------------------

UNDETERMINED = "undetermined"
PROPOSED = "proposed"
OFFICE_REVIEW = "office_review"
AWAITING_PUBLICATION = "awaiting_publication"
PUBLISHED = "published"
RESTRICTED = "restricted"
CLASSIFIED = "classified"

STATE_LABELS = {
    UNDETERMINED: "未确定公开属性",
    PROPOSED: "待起草单位负责人确认",
    OFFICE_REVIEW: "待政务公开工作机构审查",
    AWAITING_PUBLICATION: "待主动公开",
    PUBLISHED: "已主动公开",
    RESTRICTED: "不主动公开（依申请公开或不予公开）",
    CLASSIFIED: "已转为涉密文件",
}
#: States in which the attribute is confirmed (the document may be issued).
CONFIRMED_STATES = frozenset({AWAITING_PUBLICATION, PUBLISHED, RESTRICTED})


def issue_refusal(
    *,
    state: str,
    kind: str,
    attribute: str,
    reasons: str = "",
    ground: str = "",
    law: str = "",
    interpretation_missing: bool = False,
) -> str | None:
    """Why the document may not be issued (不予发文), or None when it may (DOMAIN §4.1).

    ``interpretation_missing``: the agency has a policy document's interpretation approved with
    it (``needs_interpretation_with_document``) and none is attached: the document is sent back.
    """
    if state == CLASSIFIED:
        return "该文件已转为涉密文件，不在本系统发文。"
    if state == UNDETERMINED or not attribute:
        return "不予发文：未提出公开属性建议（主动公开、依申请公开或不予公开）。"
    if state == OFFICE_REVIEW:
        return "不予发文：政策性文件拟不主动公开，尚待政务公开工作机构审查。"
    if state == PROPOSED:
        return "不予发文：公开属性建议尚未经起草单位负责人确认。"
    problems = attribute_problems(
        kind=kind, attribute=attribute, reasons=reasons, ground=ground, law=law
    )
    if problems:
        return "不予发文：" + "".join(problems.values())
    if interpretation_missing:
        return (
            "不予发文（退文）：本机关规定政策性文件的解读材料与文件同步审签、同时公开，"
            "请先上传政策解读材料。"
        )
    return None


class AttributeFacts(Protocol):
    """What a document says of its attribute (``attributes_app.models.Document`` has these)."""

    attribute_state: str
    kind: str
    attribute: str
    attribute_reasons: str
    attribute_ground: str
    attribute_law: str


def document_issue_refusal(
    document: AttributeFacts, *, interpretation_missing: bool = False
) -> str | None:
    """``issue_refusal`` of a document's own fields: the one place they are unpacked (issuing
    and exporting ask the same question)."""
    return issue_refusal(
        state=document.attribute_state,
        kind=document.kind,
        attribute=document.attribute,
        reasons=document.attribute_reasons,
        ground=document.attribute_ground,
        law=document.attribute_law,
        interpretation_missing=interpretation_missing,
    )


#: The secrecy status of a document nobody has decided yet (Document.Secrecy.UNDETERMINED).
SECRECY_UNDETERMINED = "undetermined"


def issue_prerequisites_refusal(*, has_text: bool, secrecy: str) -> str | None:
    """Why a document with a confirmed attribute still may not be issued: it is issued as its
    final text, and "neither secrecy nor attribute decided" is an error (DOMAIN §4.1)."""
    if not has_text:
        return "不予发文：尚未上传正式文本（DOCX 或 PDF），请先在“上传正式文本”中上传。"
    if secrecy == SECRECY_UNDETERMINED:
        return (
            "不予发文：尚未确定密级状态。非涉密的，请在“修改文稿”中将密级状态选为“非涉密”；"
            "涉密的，由保密审查人员转为涉密文件。"
        )
    return None


def in_error(*, issued: bool, secrecy: str, state: str, archived: bool) -> bool:
    """既不确定密级也不确定公开属性: an issued document with neither a secrecy status nor an
    attribute, the error the seeds ask to report (DOMAIN §4.1; Xiaoyi task 3). A document
    transferred to the archives is the archives' under the Archives Law and no longer counts."""
    return issued and secrecy == SECRECY_UNDETERMINED and state == UNDETERMINED and not archived


# -- deadlines (Art. 26; DOMAIN §4.2) -----------------------------------------------------------


class Calendar(Protocol):
    def add_working_days(self, day: date, n: int) -> date: ...
    def is_provisional(self, day: date) -> bool: ...


RULE_WORKING_DAYS = "working_days"
RULE_HOURS = "hours"


@dataclass(frozen=True)
class PublicationPolicy:
    """An agency's publication policy (DOMAIN §4.2), read from ``workflow.models.Agency``."""

    rule: str = RULE_WORKING_DAYS
    working_days: int = 20
    hours: int = 24
    at_risk_days: int = 2
    interpretation_days: int = 3


@dataclass(frozen=True)
class Deadline:
    """When something must be published: its last day, the instant it becomes overdue, the day
    from which it is at risk, whether a provisional calendar year was counted, and why."""

    due_on: date
    due_at: datetime
    at_risk_from: date
    provisional: bool
    explanation: str


def _end_of(day: date, tz: tzinfo) -> datetime:
    """The end of ``day`` in local time: the first instant of the next day."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def _provisional(calendar: Calendar, start: date, end: date) -> bool:
    """Whether a day counted in (start, end] lies in a year without an official schedule."""
    first = start + timedelta(days=1)
    return any(calendar.is_provisional(date(y, 1, 1)) for y in range(first.year, end.year + 1))


def _working_days_deadline(
    calendar: Calendar, start: date, n: int, at_risk_days: int, tz: tzinfo, what: str
) -> Deadline:
    due = calendar.add_working_days(start, n)
    provisional = _provisional(calendar, start, due)
    note = "（期间含尚未公布节假日安排的年份，期限为暂定）" if provisional else ""
    return Deadline(
        due_on=due,
        due_at=_end_of(due, tz),
        at_risk_from=calendar.add_working_days(due, -at_risk_days),
        provisional=provisional,
        explanation=f"{what}（{cn_date(start)}）起{n}个工作日内，即{cn_date(due)}前{note}",
    )


def publication_deadline(
    policy: PublicationPolicy,
    *,
    calendar: Calendar,
    tz: tzinfo,
    start_on: date,
    start_at: datetime | None,
    changed: bool = False,
    item_days: int | None = None,
) -> Deadline | None:
    """The deadline to publish a proactive document (Art. 26; DOMAIN §4.2).

    ``start_on``: the formation date (成文日期), or the day the attribute changed to proactive
    (``changed``: Art. 26 counts "from its formation or change"). ``start_at``: the instant of
    issuance (or of the change), which the hours rule counts from; None before issuance, when an
    hours-rule deadline is not known yet (None is returned unless a catalogue time limit applies).
    ``item_days``: the catalogue item's own time limit in working days; the earlier deadline wins,
    so a catalogue item never gives more time than the agency's policy.
    """
    basis = "属性变更之日" if changed else "成文之日"
    candidates: list[Deadline] = []
    if policy.rule == RULE_HOURS:
        if start_at is not None:
            due_at = start_at + timedelta(hours=policy.hours)
            local = due_at.astimezone(tz)
            last_day = (local - timedelta(microseconds=1)).date()
            when = "属性变更之时" if changed else "印发之时"
            candidates.append(
                Deadline(
                    due_on=last_day,
                    due_at=due_at,
                    at_risk_from=calendar.add_working_days(last_day, -policy.at_risk_days),
                    provisional=False,
                    explanation=(
                        f"自{when}（{cn_date(start_at.astimezone(tz).date())}"
                        f"{start_at.astimezone(tz):%H:%M}）起{policy.hours}小时内，即"
                        f"{cn_date(local.date())}{local:%H:%M}前（本机关规定）"
                    ),
                )
            )
    else:
        deadline = _working_days_deadline(
            calendar, start_on, policy.working_days, policy.at_risk_days, tz, f"自{basis}"
        )
        candidates.append(
            replace(deadline, explanation=deadline.explanation + "（《条例》第二十六条）")
        )
    if item_days:
        deadline = _working_days_deadline(
            calendar, start_on, item_days, policy.at_risk_days, tz, f"自{basis}"
        )
        candidates.append(
            replace(deadline, explanation=deadline.explanation + "（公开事项目录规定的时限）")
        )
    if not candidates:
        return None
    return min(candidates, key=lambda d: d.due_at)


def interpretation_deadline(
    policy: PublicationPolicy, *, calendar: Calendar, tz: tzinfo, published_on: date
) -> Deadline:
    """The interpretation of a policy document is published within N working days of the
    document's own publication (DOMAIN §4.2; Licheng 三(四): 3 working days); with 0
    (``WITH_DOCUMENT``, Xiaoyi) on the day of the document's publication."""
    if policy.interpretation_days == WITH_DOCUMENT:
        return Deadline(
            due_on=published_on,
            due_at=_end_of(published_on, tz),
            at_risk_from=published_on,
            provisional=False,
            explanation=f"政策解读与文件同时公开（本机关规定），即{cn_date(published_on)}",
        )
    return _working_days_deadline(
        calendar,
        published_on,
        policy.interpretation_days,
        policy.at_risk_days,
        tz,
        "政策解读自文件公开之日",
    )


@dataclass(frozen=True)
class DeadlineFlags:
    at_risk: bool
    overdue: bool


def deadline_flags(
    *, due_at: datetime | None, at_risk_from: date | None, now: datetime, today: date
) -> DeadlineFlags:
    """Overdue once ``now`` reaches the end of the period; at risk from ``at_risk_from`` on."""
    if due_at is None:
        return DeadlineFlags(at_risk=False, overdue=False)
    overdue = now >= due_at
    at_risk = not overdue and at_risk_from is not None and today >= at_risk_from
    return DeadlineFlags(at_risk=at_risk, overdue=overdue)


def republication_note(
    *,
    withdrawn_on: date,
    due_on: date | None,
    overdue: bool,
    republished_on: date | None = None,
    late: bool = False,
) -> str:
    """What a takedown means for the deadline, for the publication's explanation.

    A proactive document must stay public (Art. 26; DOMAIN §4.2): taking its page down (an error,
    a version replaced) reopens the duty to publish it, against the deadline it always had; the
    period is not counted again. Only a yearly review, a determination or its classification
    changes the attribute, and with it the duty. ``overdue``: whether that deadline has passed
    (now, or at the re-publication); ``late``: the re-publication was after it.
    """
    taken = f"公开页面已于{cn_date(withdrawn_on)}撤下"
    if due_on is None:
        due = "公开期限不因撤下而重新计算"
    else:
        due = f"公开期限（{cn_date(due_on)}）不因撤下而重新计算"
    if republished_on is not None:
        if late:
            return (
                f"{taken}，{cn_date(republished_on)}重新公开；{due}，"
                "重新公开时已超过期限，为逾期公开。"
            )
        return f"{taken}，{cn_date(republished_on)}在公开期限内重新公开。"
    if overdue:
        return f"{taken}，须重新公开；{due}，已经届满，现已逾期，重新公开即为逾期公开。"
    return f"{taken}，须在期限届满前重新公开；{due}。"


# -- the yearly review (年度复核, DOMAIN §4.3) ----------------------------------------------------

#: Request outcomes that count for the Art. 44 signal (DOMAIN §4.3).
DISCLOSING_OUTCOMES = ("disclosed", "partly_disclosed")
INVALID_VALIDITIES = frozenset({"expired", "repealed"})

SIGNAL_LABELS = {
    "requests": "多个申请人申请公开且已予公开（《条例》第四十四条）",
    "process_decided": "过程性信息所涉决定已经作出",
    "aged": "成文已满复核年限",
    "invalid": "文件已失效或废止",
}


@dataclass(frozen=True)
class ReviewSignals:
    requests: bool = False
    process_decided: bool = False
    aged: bool = False
    invalid: bool = False

    @property
    def any(self) -> bool:
        return self.requests or self.process_decided or self.aged or self.invalid

    def codes(self) -> list[str]:
        return [code for code in SIGNAL_LABELS if getattr(self, code)]


def age_cutoff(year: int, age_years: int) -> date:
    """Documents formed on or before this day are at least ``age_years`` old at the end of
    ``year``."""
    return date(year - age_years, 12, 31)


def review_signals(
    *,
    year: int,
    applicants: int,
    applicant_threshold: int,
    ground: str,
    process_decided_on: date | None,
    formed_on: date | None,
    age_years: int,
    validity: str,
) -> ReviewSignals:
    """The signals that a restricted document may have to change (DOMAIN §4.3).

    - requests: at least ``applicant_threshold`` distinct applicants asked for it and were given
      it (outcome disclosed or partly disclosed) — Art. 44;
    - process_decided: withheld as process information (Art. 16 ¶2) and the decision it prepared
      has been made by the end of the review year;
    - aged: formed at least ``age_years`` years before the end of the review year;
    - invalid: expired or repealed.
    """
    year_end = date(year, 12, 31)
    return ReviewSignals(
        requests=applicants >= applicant_threshold,
        process_decided=ground == PROCESS_INFO
        and process_decided_on is not None
        and process_decided_on <= year_end,
        aged=formed_on is not None and formed_on <= age_cutoff(year, age_years),
        invalid=validity in INVALID_VALIDITIES,
    )


KEEP = "keep"
CHANGE = "change"
VERDICT_LABELS = {KEEP: "维持", CHANGE: "变更"}

#: Why a review keeps or changes an attribute: the rows of the report's "by reason" table.
REVIEW_REASONS: dict[str, str] = {
    "requests": "多个申请人申请公开且已予公开（《条例》第四十四条）",
    "process_decided": "过程性信息所涉决定已经作出",
    "time_elapsed": "时过境迁，不主动公开的理由已不存在",
    "invalid": "文件已失效或废止，清理后公开",
    "circumstances": "情势变化",
    "reasons_stand": "不主动公开的理由仍然成立",
    "other": "其他",
}
KEEP_REASONS = frozenset({"reasons_stand", "other"})
CHANGE_REASONS = frozenset(REVIEW_REASONS) - {"reasons_stand"}


def review_verdict_problems(
    *,
    kind: str,
    current: str,
    verdict: str,
    attribute: str = "",
    reason_code: str | None = None,
    reasons: str = "",
    ground: str = "",
    law: str = "",
) -> dict[str, str]:
    """Every problem of a keep/change proposal or decision on a reviewed document, by field.

    ``reason_code`` None: a drafting unit's proposal, which gives its reasons in words only.
    """
    errors: dict[str, str] = {}
    if verdict not in VERDICT_LABELS:
        errors["verdict"] = "请选择维持原属性或变更属性。"
        return errors
    if not reasons.strip():
        errors["reasons"] = "请写明理由。"
    if verdict == KEEP:
        if reason_code is not None and reason_code not in KEEP_REASONS:
            errors["reason_code"] = "维持原属性的，理由类别应为“不主动公开的理由仍然成立”或“其他”。"
        return errors
    if reason_code is not None and reason_code not in CHANGE_REASONS:
        errors["reason_code"] = "请选择变更的理由类别。"
    if attribute == current:
        errors["attribute"] = "变更后的公开属性与现在相同；不变更的请选择“维持”。"
        return errors
    problems = attribute_problems(
        kind=kind, attribute=attribute, reasons=reasons, ground=ground, law=law
    )
    problems.pop("reasons", None)
    return {**errors, **problems}


@dataclass(frozen=True)
class ShareRow:
    """One year of the "shrink the non-proactive share" table (Xiaoyi task 3)."""

    year: int
    total: int
    non_proactive: int

    @property
    def share(self) -> float | None:
        return round(self.non_proactive / self.total, 4) if self.total else None


def share_rows(counts: Mapping[int, tuple[int, int]]) -> list[ShareRow]:
    """Rows by year from ``{year: (total, non_proactive)}``, oldest first."""
    return [ShareRow(year, *counts[year]) for year in sorted(counts)]
