"""The pure rules of disclosure attributes (DOMAIN §4): no database."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from attributes_app import rules
from tests.conftest import d

TZ = ZoneInfo("Asia/Shanghai")
ART26 = rules.PublicationPolicy(rule=rules.RULE_WORKING_DAYS, working_days=20, at_risk_days=2)
XIAOYI = rules.PublicationPolicy(rule=rules.RULE_HOURS, hours=24, at_risk_days=2)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


# -- what an attribute needs (DOMAIN §4.1) -------------------------------------------------------


def test_proactive_needs_no_reason():
    assert rules.attribute_problems(kind="other", attribute="proactive") == {}


@pytest.mark.parametrize("attribute", ["on_request", "withheld"])
def test_non_proactive_needs_reasons_and_legal_ground(attribute):
    # DOMAIN §4.1: on_request and withheld need a written reason with its legal ground.
    problems = rules.attribute_problems(kind="other", attribute=attribute)
    assert set(problems) == {"reasons", "ground"}
    assert "不予发文" in problems["reasons"]


def test_a_named_law_must_be_named():
    problems = rules.attribute_problems(
        kind="other", attribute="withheld", reasons="涉及未公开的统计资料", ground="other_law"
    )
    assert problems == {"law": "请写明所依据的法律、法规的名称和条款。"}
    assert (
        rules.attribute_problems(
            kind="other",
            attribute="withheld",
            reasons="涉及未公开的统计资料",
            ground="other_law",
            law="《中华人民共和国统计法》第三十九条",
        )
        == {}
    )


def test_state_secrets_are_classified_not_withheld():
    # DOMAIN §4.1: documents that must stay closed are handled as classified and leave the system.
    problems = rules.attribute_problems(
        kind="other", attribute="withheld", reasons="涉及国家秘密", ground="state_secret"
    )
    assert "定密" in problems["ground"]


def test_outside_proactive_scope_grounds_on_request_only():
    # Art. 19 scope is a reason not to publish proactively, not a reason to refuse disclosure.
    ok = rules.attribute_problems(
        kind="other", attribute="on_request", reasons="仅涉及特定企业", ground="limited_scope"
    )
    refused = rules.attribute_problems(
        kind="other", attribute="withheld", reasons="仅涉及特定企业", ground="limited_scope"
    )
    assert ok == {}
    assert "第十四条" in refused["ground"]


def test_normative_documents_are_always_proactive():
    # Art. 20(1): 规范性文件 are published proactively.
    problems = rules.attribute_problems(
        kind="normative", attribute="on_request", reasons="x", ground="third_party"
    )
    assert "第二十条" in problems["attribute"]


@pytest.mark.parametrize("ground", ["prohibited_by_law", "security_stability", "third_party"])
def test_articles_14_and_15_ground_withheld_only(ground):
    # Art. 14 "不予公开", Art. 15 "不得公开": such a document is withheld, never on request.
    refused = rules.attribute_problems(
        kind="other", attribute="on_request", reasons="涉及企业报价", ground=ground
    )
    assert "不能标注为依申请公开" in refused["ground"]
    assert (
        rules.attribute_problems(
            kind="other", attribute="withheld", reasons="涉及企业报价", ground=ground
        )
        == {}
    )


@pytest.mark.parametrize("ground", ["internal_affairs", "process_info", "enforcement_file"])
def test_article_16_grounds_either_restricted_attribute(ground):
    # Art. 16: "可以不予公开" — the agency may still give it on request.
    for attribute in ("on_request", "withheld"):
        assert (
            rules.attribute_problems(
                kind="other", attribute=attribute, reasons="内部流程", ground=ground
            )
            == {}
        )


def test_another_law_grounding_withheld_must_be_a_law_or_administrative_regulation():
    # Art. 14: only 法律、行政法规 prohibit disclosure; a local rule cannot ground `withheld`.
    def problems(attribute: str, law: str) -> dict[str, str]:
        return rules.attribute_problems(
            kind="other", attribute=attribute, reasons="依法不得公开", ground="other_law", law=law
        )

    assert problems("withheld", "《中华人民共和国档案法》第二十七条") == {}
    assert problems("withheld", "《不动产登记暂行条例》第二十七条") == {}
    refused = problems("withheld", "《山西省政务公开规定》第十条")
    assert "地方性法规或者地方政府规章" in refused["law"]
    assert "第十四条" in refused["law"]
    assert "部门规章" in problems("withheld", "《政府信息公开信息处理费管理办法》第六条")["law"]
    # on request rests on no refusal, so a local rule may explain it
    assert problems("on_request", "《山西省政务公开规定》第十条") == {}


@pytest.mark.parametrize(
    "citation",
    [
        "《中华人民共和国统计法》第二十五条",
        "《中华人民共和国档案法》第二十七条第一款",
        "《不动产登记暂行条例》第二十七条",
        "《城市市容和环境卫生管理条例》第十条",  # 城市 is not a place
        "《市场主体登记管理条例》第三十五条",
        "《自然保护区条例》第二条",
        "《国务院关于在线政务服务的若干规定》第五条",
        "《全国人民代表大会常务委员会关于加强网络信息保护的决定》第二条",
        "《中华人民共和国统计法》第25条",
    ],
)
def test_laws_and_administrative_regulations_are_accepted(citation):
    assert rules.law_rank_problem(citation) is None


@pytest.mark.parametrize(
    ("citation", "says"),
    [
        ("", "请写明法律、行政法规的名称和条款"),
        ("统计法第二十五条", "书名号"),
        ("《中华人民共和国档案法》", "具体条款"),
        ("《山西省政务公开条例》第十条", "地方性法规"),  # local regulations are also 条例
        ("《太原市城市市容管理条例》第三条", "地方性法规"),
        ("《延边朝鲜族自治州自治条例》第一条", "地方性法规"),
        ("《广西壮族自治区政府信息公开规定》第十条", "地方性法规"),
        ("《不动产登记资料查询暂行办法》第三条", "部门规章"),
        ("《山西省实施〈中华人民共和国档案法〉办法》第五条", "地方性法规"),
        ("《某市档案管理实施细则》第五条", "部门规章"),
        ("《关于做好信息公开工作的通知》第二条", "部门规章"),
        ("《政府信息公开工作指引》第二条", "无法确认"),
    ],
)
def test_other_rules_are_refused_with_the_reason(citation, says):
    problem = rules.law_rank_problem(citation)
    assert problem is not None and says in problem


def test_a_policy_document_without_its_interpretation_is_sent_back():
    # Xiaoyi: the interpretation is approved with the policy document (同步审签), else 退文.
    assert rules.needs_interpretation_with_document("policy", rules.WITH_DOCUMENT)
    assert not rules.needs_interpretation_with_document("policy", 3)
    assert not rules.needs_interpretation_with_document("other", rules.WITH_DOCUMENT)
    refusal = rules.issue_refusal(
        state="awaiting_publication",
        kind="policy",
        attribute="proactive",
        interpretation_missing=True,
    )
    assert refusal is not None and "退文" in refusal and "政策解读材料" in refusal


def test_legal_basis_cites_the_article_or_the_named_law():
    assert rules.legal_basis("process_info") == ("《中华人民共和国政府信息公开条例》第十六条第二款")
    assert rules.legal_basis("other_law", "《档案法》第二十七条") == "《档案法》第二十七条"


def test_only_policy_documents_proposed_non_proactive_go_to_the_office():
    # DOMAIN §4.1: a policy document proposed on_request/withheld is reviewed first.
    assert rules.needs_office_review("policy", "withheld")
    assert rules.needs_office_review("policy", "on_request")
    assert not rules.needs_office_review("policy", "proactive")
    assert not rules.needs_office_review("other", "withheld")


def test_marks_printed_on_documents():
    assert rules.attribute_mark("proactive") == "（此件公开发布）"
    assert rules.attribute_mark("on_request") == "（此件依申请公开）"
    assert rules.attribute_mark("withheld") == "（此件不予公开）"


# -- 不予发文 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "attribute", "expected"),
    [
        ("undetermined", "", "未提出公开属性建议"),
        ("proposed", "proactive", "尚未经起草单位负责人确认"),
        ("office_review", "withheld", "尚待政务公开工作机构审查"),
        ("classified", "", "涉密"),
    ],
)
def test_issuing_without_a_confirmed_attribute_is_refused(state, attribute, expected):
    refusal = rules.issue_refusal(state=state, kind="policy", attribute=attribute)
    assert expected in refusal


def test_issuing_a_restricted_document_without_reasons_is_refused():
    # Xiaoyi task 3: 未说明不主动公开理由的，不予发文.
    refusal = rules.issue_refusal(state="restricted", kind="other", attribute="on_request")
    assert refusal.startswith("不予发文：")
    assert "理由" in refusal


def test_a_confirmed_attribute_may_be_issued():
    assert (
        rules.issue_refusal(state="awaiting_publication", kind="other", attribute="proactive")
        is None
    )
    assert (
        rules.issue_refusal(
            state="restricted",
            kind="other",
            attribute="withheld",
            reasons="内部人事安排",
            ground="internal_affairs",
        )
        is None
    )


# -- publication deadlines (Art. 26; DOMAIN §4.2) -------------------------------------------------


def test_twenty_working_days_from_formation(national_calendar):
    # Art. 26: within 20 working days of formation; formed Monday 2026-03-02.
    deadline = rules.publication_deadline(
        ART26, calendar=national_calendar, tz=TZ, start_on=d("2026-03-02"), start_at=None
    )
    assert deadline.due_on == d("2026-03-30")
    assert deadline.due_at == at("2026-03-31 00:00")
    assert deadline.at_risk_from == d("2026-03-26")  # two working days before the last day
    assert not deadline.provisional
    assert "第二十六条" in deadline.explanation


def test_working_days_skip_the_national_day_holiday_and_count_the_make_up_saturday(
    national_calendar,
):
    # 2026 notice: Oct 1-7 off, Saturday Oct 10 a working day. Formed Monday 2026-09-28.
    deadline = rules.publication_deadline(
        ART26, calendar=national_calendar, tz=TZ, start_on=d("2026-09-28"), start_at=None
    )
    assert deadline.due_on == d("2026-10-30")


def test_a_deadline_reaching_a_year_without_a_notice_is_provisional(national_calendar):
    # DOMAIN §2: a deadline depending on a provisional day is marked provisional.
    deadline = rules.publication_deadline(
        ART26, calendar=national_calendar, tz=TZ, start_on=d("2026-12-15"), start_at=None
    )
    assert deadline.due_on.year == 2027
    assert deadline.provisional
    assert "暂定" in deadline.explanation


def test_hours_rule_counts_natural_hours_from_issuance_even_over_a_holiday(national_calendar):
    # Xiaoyi: within 24 hours of issuance; hours run through the National Day holiday.
    deadline = rules.publication_deadline(
        XIAOYI,
        calendar=national_calendar,
        tz=TZ,
        start_on=d("2026-09-28"),
        start_at=at("2026-09-30 10:15"),
    )
    assert deadline.due_at == at("2026-10-01 10:15")
    assert deadline.due_on == d("2026-10-01")
    assert not deadline.provisional
    assert "24小时" in deadline.explanation


def test_hours_rule_has_no_deadline_before_issuance(national_calendar):
    assert (
        rules.publication_deadline(
            XIAOYI, calendar=national_calendar, tz=TZ, start_on=d("2026-03-02"), start_at=None
        )
        is None
    )


def test_a_change_counts_from_the_day_of_the_change(national_calendar):
    # Art. 26: "自该政府信息形成或者变更之日起".
    deadline = rules.publication_deadline(
        ART26,
        calendar=national_calendar,
        tz=TZ,
        start_on=d("2026-03-02"),
        start_at=at("2026-03-02 09:00"),
        changed=True,
    )
    assert deadline.due_on == d("2026-03-30")
    assert "属性变更之日" in deadline.explanation


def test_a_catalogue_time_limit_applies_only_when_earlier(national_calendar):
    # DOMAIN §5: the catalogue item proposes its time limit; the earlier deadline wins.
    shorter = rules.publication_deadline(
        ART26,
        calendar=national_calendar,
        tz=TZ,
        start_on=d("2026-03-02"),
        start_at=None,
        item_days=5,
    )
    longer = rules.publication_deadline(
        ART26,
        calendar=national_calendar,
        tz=TZ,
        start_on=d("2026-03-02"),
        start_at=None,
        item_days=30,
    )
    assert shorter.due_on == d("2026-03-09")
    assert "公开事项目录" in shorter.explanation
    assert longer.due_on == d("2026-03-30")


def test_interpretation_with_the_document_is_due_on_its_publication_day(national_calendar):
    # Xiaoyi: interpretation_days 0 — approved with the document and published with it.
    deadline = rules.interpretation_deadline(
        rules.PublicationPolicy(interpretation_days=rules.WITH_DOCUMENT),
        calendar=national_calendar,
        tz=TZ,
        published_on=d("2026-02-13"),
    )
    assert deadline.due_on == d("2026-02-13")
    assert deadline.due_at == at("2026-02-14T00:00")
    assert "与文件同时公开" in deadline.explanation


def test_interpretation_within_three_working_days_across_the_spring_festival(national_calendar):
    # Licheng 三(四): interpretation within 3 working days of the document's publication.
    # Published Friday 2026-02-13: Saturday 14th is a make-up working day, 15th-23rd are off.
    deadline = rules.interpretation_deadline(
        rules.PublicationPolicy(interpretation_days=3),
        calendar=national_calendar,
        tz=TZ,
        published_on=d("2026-02-13"),
    )
    assert deadline.due_on == d("2026-02-25")


def test_flags_at_risk_then_overdue():
    deadline = {"due_at": at("2026-03-31 00:00"), "at_risk_from": d("2026-03-26")}
    early = rules.deadline_flags(**deadline, now=at("2026-03-25 12:00"), today=d("2026-03-25"))
    risky = rules.deadline_flags(**deadline, now=at("2026-03-26 08:00"), today=d("2026-03-26"))
    last_day = rules.deadline_flags(**deadline, now=at("2026-03-30 23:59"), today=d("2026-03-30"))
    late = rules.deadline_flags(**deadline, now=at("2026-03-31 00:00"), today=d("2026-03-31"))
    assert (early.at_risk, early.overdue) == (False, False)
    assert (risky.at_risk, risky.overdue) == (True, False)
    assert (last_day.at_risk, last_day.overdue) == (True, False)
    assert (late.at_risk, late.overdue) == (False, True)


# -- the yearly review (DOMAIN §4.3) --------------------------------------------------------------


def signals(**changes):
    values = {
        "year": 2026,
        "applicants": 0,
        "applicant_threshold": 3,
        "ground": "internal_affairs",
        "process_decided_on": None,
        "formed_on": d("2025-06-01"),
        "age_years": 5,
        "validity": "in_force",
    }
    values.update(changes)
    return rules.review_signals(**values)


def test_no_signal_for_a_recent_document_nobody_asked_for():
    assert not signals().any


def test_art_44_signal_from_the_threshold_of_distinct_applicants():
    # Art. 44: several applicants asking for the same information.
    assert not signals(applicants=2).requests
    assert signals(applicants=3).requests
    assert signals(applicants=2, applicant_threshold=2).requests


def test_process_information_whose_decision_is_made():
    # Art. 16 ¶2: process information; the reason lapses once the decision is made.
    assert not signals(ground="process_info").process_decided
    assert signals(ground="process_info", process_decided_on=d("2026-05-01")).process_decided
    assert not signals(ground="process_info", process_decided_on=d("2027-01-05")).process_decided
    assert not signals(ground="third_party", process_decided_on=d("2026-05-01")).process_decided


def test_age_counted_to_the_end_of_the_review_year():
    assert signals(formed_on=d("2021-12-31")).aged
    assert not signals(formed_on=d("2022-01-01")).aged
    assert not signals(formed_on=None).aged


@pytest.mark.parametrize(
    ("validity", "flagged"),
    [("expired", True), ("repealed", True), ("amended", False), ("in_force", False)],
)
def test_expired_and_repealed_documents_are_flagged(validity, flagged):
    assert signals(validity=validity).invalid is flagged


def test_review_decision_rules():
    ok_keep = rules.review_verdict_problems(
        kind="other",
        current="withheld",
        verdict="keep",
        reason_code="reasons_stand",
        reasons="仍属内部事务信息",
    )
    bad_keep = rules.review_verdict_problems(
        kind="other", current="withheld", verdict="keep", reason_code="requests", reasons="x"
    )
    same = rules.review_verdict_problems(
        kind="other",
        current="withheld",
        verdict="change",
        attribute="withheld",
        reason_code="circumstances",
        reasons="x",
    )
    no_ground = rules.review_verdict_problems(
        kind="other",
        current="withheld",
        verdict="change",
        attribute="on_request",
        reason_code="circumstances",
        reasons="情势变化",
    )
    assert ok_keep == {}
    assert "reason_code" in bad_keep
    assert "相同" in same["attribute"]
    assert set(no_ground) == {"ground"}


def test_share_rows_by_year():
    rows = rules.share_rows({2025: (10, 4), 2024: (8, 6), 2026: (0, 0)})
    assert [(r.year, r.share) for r in rows] == [(2024, 0.75), (2025, 0.4), (2026, None)]


def test_an_issued_document_with_neither_secrecy_nor_attribute_is_in_error():
    # DOMAIN §4.1: "既不确定密级也不确定公开属性" is the error to report; a draft is not yet one,
    # a decided secrecy or attribute ends it, and a transfer makes it the archives' document.
    error = {"issued": True, "secrecy": "undetermined", "state": "undetermined", "archived": False}
    assert rules.in_error(**error)
    assert not rules.in_error(**{**error, "issued": False})
    assert not rules.in_error(**{**error, "secrecy": "non_secret"})
    assert not rules.in_error(**{**error, "state": rules.RESTRICTED})
    assert not rules.in_error(**{**error, "archived": True})
