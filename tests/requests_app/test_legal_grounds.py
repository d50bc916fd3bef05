"""A proposal names the grounds its letter needs (issue #11): Art. 36(3) for refusals, the law or
administrative regulation for Arts. 14 and 36(7); an Art. 35 notice asks no purpose."""

import pytest
from django.core.exceptions import ValidationError

from requests_app.models import InformationRequest
from requests_app.services import Proposal, decision_propose, request_ask_reasons
from tests.conftest import d

pytestmark = pytest.mark.django_db
S = InformationRequest.Stage
REG = "《中华人民共和国政府信息公开条例》"


def propose(case, handler, **proposal):
    return decision_propose(
        actor=handler, case_id=case.pk, proposal=Proposal(**proposal), today=d("2026-03-04")
    )


def refused(case, handler, **proposal) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        propose(case, handler, **proposal)
    assert InformationRequest.objects.get(pk=case.pk).stage == S.ACCEPT
    return error.value.message_dict


def test_a_refusal_cites_article_36_3(case, handler):
    # Art. 36(3): "决定不予公开的，告知申请人不予公开并说明理由" — added to the ground the handler
    # cites, once, whichever way it was written.
    decision = propose(
        case,
        handler,
        outcome="withheld_internal_affairs",
        articles=[f"{REG}第十六条第一款"],
        reason="所申请信息为本机关内部人事管理信息。",
    )
    assert decision.articles == [f"{REG}第十六条第一款", f"{REG}第三十六条第（三）项"]


def test_a_refusal_citing_article_36_3_itself_keeps_it_once(case, handler):
    decision = propose(
        case,
        handler,
        outcome="withheld_internal_affairs",
        articles=[f"{REG}第十六条第一款", "第三十六条第(三)项"],
        reason="所申请信息为本机关内部人事管理信息。",
    )
    assert decision.articles == [f"{REG}第十六条第一款", "第三十六条第(三)项"]


@pytest.mark.parametrize(
    ("outcome", "articles"),
    [
        ("withheld_prohibited_by_law", ["第十四条", "第三十六条第（三）项"]),  # Art. 14
        ("withheld_query_matter", ["第三十六条第（七）项"]),  # Art. 36(7)
    ],
)
def test_the_law_must_be_a_law_or_administrative_regulation(case, handler, outcome, articles):
    values = {
        "outcome": outcome,
        "articles": [f"{REG}{a}" for a in articles],
        "reason": "依法说明的理由。",
    }
    assert "法律、行政法规" in refused(case, handler, **values)["special_law"][0]
    errors = refused(case, handler, **values, special_law="《不动产登记资料查询暂行办法》第三条")
    assert "部门规章" in errors["special_law"][0]
    errors = refused(case, handler, **values, special_law="《山西省不动产登记条例》第十条")
    assert "地方性法规" in errors["special_law"][0]
    law = (
        "《中华人民共和国统计法》第二十五条"
        if outcome == "withheld_prohibited_by_law"
        else "《不动产登记暂行条例》第二十七条"
    )
    decision = propose(case, handler, **values, special_law=law)
    assert decision.details["special_law"] == law


def test_a_query_matter_needs_no_refusal_reason(case, handler):
    # Art. 36(7) is a referral: no 不予公开 reason, no Art. 36(3).
    decision = propose(
        case,
        handler,
        outcome="withheld_query_matter",
        articles=[f"{REG}第三十六条第（七）项"],
        special_law="《不动产登记暂行条例》第二十七条",
        competent_agency="孝义市不动产登记中心",
    )
    assert decision.outcome == "withheld_query_matter"


def test_confirm_or_reissue_proposes_with_articles_2_and_38(case, handler):
    decision = propose(
        case,
        handler,
        outcome="confirm_or_reissue",
        articles=[f"{REG}第二条", f"{REG}第三十八条"],
        reason="申请人要求本机关对已获取的复印件加盖印章确认。",
    )
    assert decision.articles == [f"{REG}第二条", f"{REG}第三十八条"]


@pytest.mark.parametrize("item", ["申请获取上述政府信息的用途", "说明申请的目的"])
def test_reasons_notice_never_asks_the_purpose(case, handler, item):
    # Art. 35 asks only why the volume or frequency is so high; the 2019 revision removed the
    # "根据自身生产、生活、科研等特殊需要" condition of the old Art. 13.
    with pytest.raises(ValidationError) as error:
        request_ask_reasons(
            actor=handler,
            case_id=case.pk,
            grounds="一个月内提交申请40件，其中30件内容相同",
            items=["反复提交相同申请的原因", item],
            how_to_answer="书面说明",
            today=d("2026-03-03"),
        )
    assert "第2项要求说明所需信息的用途" in error.value.message_dict["items"][0]
