"""A letter with a required element missing is refused, naming every missing element (§3.8)."""

from dataclasses import replace

import pytest

from requests_app.letter_contexts import reply_sample
from workflow.letters.contexts import MissingLetterElements
from workflow.letters.render import LetterError, build_letter, render_letter, sample_context


def test_reply_without_organ_court_number_and_date_names_them_all():
    context = sample_context("reply")
    context.agency = replace(context.agency, reconsideration_organ="", court="")
    context.case = replace(context.case, number=None, receipt_date=None)
    context.articles = []
    with pytest.raises(MissingLetterElements) as refused:
        render_letter("reply", context, "pdf")
    assert refused.value.missing == [
        "行政复议机关",
        "管辖法院",
        "登记编号",
        "收到申请之日",
        "所依据的条款",
    ]
    assert "行政复议机关、管辖法院、登记编号、收到申请之日、所依据的条款" in str(refused.value)


def test_partial_disclosure_needs_each_withheld_parts_reason():
    context = sample_context("reply")
    context.withheld_parts[0].reason = ""
    with pytest.raises(MissingLetterElements, match="不予公开部分1的理由"):
        build_letter("reply", context)


def test_refusal_needs_its_reason():
    context = reply_sample("withheld_process_info")
    context.reason = ""
    with pytest.raises(MissingLetterElements, match="不予公开的理由"):
        build_letter("reply", context)


def test_not_held_needs_the_search_description():
    context = reply_sample("not_held")
    context.search_description = ""
    with pytest.raises(MissingLetterElements, match="检索情况"):
        build_letter("reply", context)


def test_letters_without_remedy_do_not_need_the_court():
    context = sample_context("extension_notice")
    context.agency = replace(context.agency, reconsideration_organ="", court="")
    assert build_letter("extension_notice", context).title


def test_third_party_disclosure_needs_the_remedy_organ():
    context = sample_context("third_party_disclosure_notice")
    context.agency = replace(context.agency, court="")
    with pytest.raises(MissingLetterElements, match="管辖法院"):
        build_letter("third_party_disclosure_notice", context)


def test_notice_refuses_an_outcome_it_does_not_carry():
    with pytest.raises(LetterError):
        build_letter("abandoned_notice", reply_sample("not_held"))


def test_wrong_context_type_is_refused():
    with pytest.raises(LetterError):
        build_letter("reply", sample_context("receipt"))


def test_reasons_request_names_what_it_lacks():
    # Art. 35: the notice says why, what to explain, how and by when.
    context = sample_context("reasons_request")
    context.grounds, context.items, context.how_to_answer, context.reply_by = "", [], "", None
    assert context.missing() == [
        "数量、频次明显超过合理范围的情况",
        "需要说明的事项",
        "说明方式",
        "说明期限",
    ]
    with pytest.raises(MissingLetterElements, match="说明期限"):
        build_letter("reasons_request", context)


def test_deferral_notice_names_what_it_lacks():
    # Art. 35: the later date and the reason it cannot be answered in time; no remedy clause.
    context = sample_context("deferral_notice")
    assert context.missing() == []
    context.agency = replace(context.agency, reconsideration_organ="", court="")
    assert build_letter("deferral_notice", context).title
    context.reason, context.new_due_date = "", None
    context.case = replace(context.case, due_date=None)
    assert context.missing() == ["原答复期限", "无法按期答复的理由", "延迟答复期限"]
    with pytest.raises(MissingLetterElements, match="延迟答复期限"):
        build_letter("deferral_notice", context)
