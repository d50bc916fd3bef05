"""The legal content of the letters: remedy, citations, quoted articles, wording (issue #11)."""

from dataclasses import replace

import pytest

from requests_app.letter_contexts import reply_sample
from requests_app.rules.outcomes import OUTCOMES, Remedy, default_articles, missing_articles
from tests.letters.helpers import docx_text, squash
from workflow.letters.contexts import MissingLetterElements
from workflow.letters.regulation import ARTICLE_TEXT, REGULATION
from workflow.letters.render import build_letter, render_letter, sample_context

REFUSALS = [code for code, o in OUTCOMES.items() if o.family == "withheld"]


def text_of(kind: str, context) -> str:
    return squash(docx_text(render_letter(kind, context, "docx")))


# -- Art. 36(7): a referral, not a refusal ------------------------------------------------------


def test_query_matter_is_a_referral_with_the_general_remedy_clause():
    # DOMAIN §3.8: Art. 36(7) refers the applicant to a law or administrative regulation; the
    # 复议前置 of Administrative Reconsideration Law Art. 23(1)(4) covers Arts. 14–16 only.
    outcome = OUTCOMES["withheld_query_matter"]
    assert outcome.remedy == Remedy.CHOICE
    assert outcome.report_row == "三（三）8"  # the annual report still counts it there
    assert outcome.notice_title != "政府信息不予公开告知书"
    for kind in ("reply", "reply_notice"):
        context = reply_sample("withheld_query_matter", kind)
        text = text_of(kind, context)
        assert "六个月内向孝义市人民法院提起行政诉讼" in text
        assert "应当先申请行政复议" not in text
        assert "不予公开" not in text
        assert "《不动产登记暂行条例》第二十七条" in text


def test_report_rows_are_kept_apart_from_the_remedy():
    # Report Format table 三: every outcome has its row, whatever its remedy clause.
    assert all(o.report_row.startswith("三（") for o in OUTCOMES.values())
    rows = {
        code: o.report_row for code, o in OUTCOMES.items() if o.report_row.startswith("三（三）")
    }
    assert sorted(rows.values()) == [f"三（三）{n}" for n in range(1, 9)]


def test_query_matter_and_prohibited_by_law_need_the_law_named():
    # Art. 14 and Art. 36(7): the letter names the law or administrative regulation.
    for outcome in ("withheld_query_matter", "withheld_prohibited_by_law"):
        context = reply_sample(outcome)
        context.special_law = ""
        with pytest.raises(MissingLetterElements, match="法律、行政法规及条款"):
            build_letter("reply", context)


def test_prohibited_by_law_letter_names_the_prohibiting_law():
    text = text_of("reply", reply_sample("withheld_prohibited_by_law"))
    assert "属于《中华人民共和国统计法》第二十五条禁止公开的政府信息" in text


# -- confirm or re-issue: Arts. 2 and 38, never Art. 36 as a whole ------------------------------


def test_confirm_or_reissue_rests_on_articles_2_and_38():
    assert default_articles("confirm_or_reissue") == [
        f"{REGULATION}第二条",
        f"{REGULATION}第三十八条",
    ]
    text = text_of(
        "not_processed_notice", reply_sample("confirm_or_reissue", "not_processed_notice")
    )
    assert squash(ARTICLE_TEXT["第二条"]) in text  # "制作或者获取的…信息"
    assert squash(ARTICLE_TEXT["第三十八条"]) in text
    assert "第三十六条" not in text


# -- refusals under Arts. 14–16 --------------------------------------------------------------


@pytest.mark.parametrize("outcome", REFUSALS)
def test_refusals_cite_article_36_3_and_quote_their_ground(outcome):
    # Art. 36(3): "决定不予公开的，告知申请人不予公开并说明理由"; the better letters quote the
    # article relied on, not only its number.
    assert f"{REGULATION}第三十六条第（三）项" in default_articles(outcome)
    context = reply_sample(outcome)
    text = text_of("reply", context)
    assert "第三十六条第（三）项" in text
    (ground,) = OUTCOMES[outcome].quoted
    assert squash(f"{ground}规定：“{ARTICLE_TEXT[ground]}”") in text
    assert "应当先申请行政复议" in text  # 复议前置


def test_a_refusal_recorded_without_article_36_3_still_cites_it():
    # Art. 36(3); a decision recorded before the rule (or typed with the ground only) is completed
    # by the letter, never refused or printed without it.
    context = reply_sample("withheld_process_info")
    context.articles = [f"{REGULATION}第十六条第二款"]
    text = build_letter("reply", context).plain_text()
    assert "第十六条第二款" in text
    assert "第三十六条第（三）项" in text
    assert text.count("第三十六条第（三）项") == 1


def test_article_36_3_may_be_written_in_the_common_variants():
    for written in ("第三十六条第(三)项", f"{REGULATION}第三十六条第三项"):
        assert missing_articles("withheld_third_party", ["第十五条", written]) == []
    # another law's Art. 36 is not the Regulation's
    assert missing_articles(
        "withheld_third_party", ["《中华人民共和国某某法》第三十六条第（三）项"]
    )
    assert missing_articles("not_held", []) == []


# -- the court after reconsideration (Administrative Litigation Law Arts. 15(1), 26) ------------


def test_prior_clause_names_no_court_after_reconsideration_unless_configured():
    context = reply_sample("withheld_third_party")
    text = text_of("reply", context)
    assert "十五日内依法向人民法院提起行政诉讼" in text
    assert "孝义市人民法院" not in text  # the reconsideration organ may be the defendant
    context.agency = replace(context.agency, court_after_reconsideration="吕梁市中级人民法院")
    text = text_of("reply", context)
    assert (
        "十五日内向孝义市人民法院提起行政诉讼（行政复议机关改变原行政行为的，"
        "向吕梁市中级人民法院提起）"
    ) in text


def test_mixed_clause_keeps_the_court_for_the_disclosed_part():
    text = text_of("reply", sample_context("reply"))  # partial disclosure
    assert "十五日内依法向人民法院提起行政诉讼" in text
    assert "六个月内向孝义市人民法院提起行政诉讼" in text


# -- wording -------------------------------------------------------------------------------------


def test_fee_notice_uses_the_fee_rules_words_for_the_top_band():
    # 国办函〔2020〕109号: 201 pages and above at 40 yuan; "200页以上" would include page 200.
    text = text_of("fee_notice", sample_context("fee_notice"))
    assert "201页以上的部分，每页40元" in text
    assert "200页以上" not in text


def test_receipt_says_a_correction_restarts_the_period():
    # Art. 30: "答复期限自行政机关收到补正的申请之日起计算" — it restarts, it is not deducted.
    text = text_of("receipt", sample_context("receipt"))
    assert "自收到补正的申请之日起重新计算" in text
    assert "补正申请和缴纳信息处理费的时间不计算在内" not in text


def test_reasons_request_sample_asks_no_purpose():
    # Art. 35 asks why the volume or frequency is so high; the 2019 revision removed the
    # "特殊需要" test, so the use of the information is never asked.
    context = sample_context("reasons_request")
    assert not [item for item in context.items if "用途" in item]
    assert "用途" not in text_of("reasons_request", context)
