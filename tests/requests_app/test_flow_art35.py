"""The Art. 35 step in the request process: its tasks, who takes them, its timer; and the
case page's actions for a deferral and the Art. 32 notices (DOMAIN §3.1, §3.3)."""

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from viewflow.workflow.status import STATUS

from requests_app.flows import RequestFlow, process_for
from requests_app.models import Consultation, InformationRequest, ReasonsRequest
from tests.conftest import _persona, d
from tests.requests_app.flow_helpers import (
    REG,
    assign,
    execute,
    open_tasks,
    refreshed,
    secrecy_cleared,
    step,
    task,
    url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.case(process=True)]
S = InformationRequest.Stage
ASK = {
    "grounds": "2026年2月至3月共提交申请42件，其中35件内容相同",
    "items": "反复提交相同申请的原因\n能否合并申请或者缩小申请范围",
    "how_to_answer": "书面说明",
    "period_days": "15",
}


def detail(case) -> str:
    return reverse("requests:cases:detail", kwargs={"pk": case.pk})


def ask_through_the_accept_task(client, handler, case):
    step(client, handler, case, "accept", "reasons", **ASK)


@time_machine.travel("2026-03-03 09:00 +0800", tick=False)
def test_asking_for_reasons_puts_a_registrar_task_in_the_queue(
    client, case, handler, registrar, django_user_model, agency
):
    # Art. 35: the handler asks at acceptance; the registrar records what comes back. Two
    # registrars: the task waits in their queue (with one, it goes to that one directly).
    _persona(django_user_model, "registrar_2", agency, "registrar")
    assign(client, handler, task(case, "accept"))
    page = client.get(url(task(case, "accept"), "execute")).content.decode()
    assert "要求说明理由" in page and "第三十五条" in page
    ask_through_the_accept_task(client, handler, case)
    assert refreshed(case).stage == S.REASONS
    assert open_tasks(case) == ["reasons"]
    waiting = task(case, "reasons")
    assert waiting.owner is None
    # The handler cannot take the registrar's task; the registrar can.
    client.force_login(handler)
    assert client.post(url(waiting, "assign")).status_code == 403
    assign(client, registrar, waiting)
    page = client.get(url(waiting, "execute")).content.decode()
    assert "2026年3月24日" in page  # the period for the answer
    assert "答复期限照常计算" in page


@time_machine.travel("2026-03-03 09:00 +0800", tick=False)
def test_the_answer_goes_to_the_handler_who_decides_and_the_head_approves_the_deferral(
    client, case, handler, registrar, office_head
):
    # Art. 35 and Art. 33 ¶2 through the task pages and the case page (DOMAIN §1 roles).
    ask_through_the_accept_task(client, handler, case)
    step(
        client,
        registrar,
        case,
        "reasons",
        "record",
        answered_on="2026-03-03",
        answer="用于学术研究，需要逐年比对。",
    )
    assert open_tasks(case) == ["reasons_decide"]
    decide = task(case, "reasons_decide")
    assert decide.owner == handler  # straight to the case's handler
    client.force_login(registrar)
    assert client.get(url(decide, "execute")).status_code in (302, 403)
    # A bad date comes back under its field with what was typed; the task stays.
    response = execute(
        client, handler, decide, "deferred", later_date="2026-04-04", note="约3000页需逐页审查"
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "不是工作日" in text and "约3000页需逐页审查" in text
    step(
        client,
        handler,
        case,
        "reasons_decide",
        "deferred",
        later_date="2026-04-30",
        note="约3000页需逐页审查",
    )
    assert refreshed(case).stage == S.PROPOSE
    assert open_tasks(case) == ["propose"]

    # The case page offers the approval to the office head only (DOMAIN §1).
    for user in (handler, registrar):
        client.force_login(user)
        page = client.get(detail(case)).content.decode()
        assert 'id="action-deferral_approve"' not in page
        assert "要求说明理由（《条例》第三十五条）" in page
    client.force_login(handler)
    page = client.get(detail(case)).content.decode()
    assert 'id="action-extension_ask"' not in page  # Art. 33 ¶2 after Art. 35: refused
    response = client.post(reverse("requests:cases:action", args=[case.pk, "extension_ask"]))
    assert response.status_code == 302
    assert "这项操作现在不能办理" in client.get(response["Location"]).content.decode()
    client.force_login(office_head)
    page = client.get(detail(case)).content.decode()
    assert 'id="action-deferral_approve"' in page and 'id="action-deferral_refuse"' in page
    response = client.post(reverse("requests:cases:action", args=[case.pk, "deferral_approve"]))
    assert response.status_code == 302
    approved = refreshed(case)
    assert approved.due_date == d("2026-04-30")
    page = client.get(detail(case)).content.decode()
    assert "延迟答复告知书" in page
    assert 'id="action-deferral_approve"' not in page
    # A second approval from a stale page: a message, not an error page.
    response = client.post(reverse("requests:cases:action", args=[case.pk, "deferral_approve"]))
    assert response.status_code == 302
    assert refreshed(case).clock_entries.filter(kind="defer").count() == 1


def test_the_timer_lapses_the_reasons_and_hands_the_case_to_the_handler(client, case, handler):
    # Art. 35: no reasons in the period → the handler proposes "not processed".
    with time_machine.travel("2026-03-03 09:00 +0800", tick=False):
        ask_through_the_accept_task(client, handler, case)
    reply_by = ReasonsRequest.objects.get(request=case).reply_by
    assert reply_by == d("2026-03-24")
    with time_machine.travel("2026-03-24 23:59 +0800", tick=False) as traveller:
        call_command("workflow_timers")
        assert open_tasks(case) == ["reasons"]  # not before the day after the period
        traveller.shift(120)
        call_command("workflow_timers")
        assert ReasonsRequest.objects.get(request=case).status == "lapsed"
        assert open_tasks(case) == ["reasons_decide"]
        timer = process_for(case).task_set.get(flow_task=RequestFlow.reasons__timeout)
        assert timer.status == STATUS.DONE
        assert process_for(case).task_set.get(flow_task=RequestFlow.reasons).status == (
            STATUS.CANCELED
        )
        client.force_login(handler)
        page = client.get(url(task(case, "reasons_decide"), "execute")).content.decode()
        assert "逾期未说明" in page
        step(client, handler, case, "reasons_decide", "unreasonable")
    proposed = refreshed(case)
    assert (proposed.stage, proposed.decision.outcome) == (S.APPROVE, "unreasonable_volume")
    assert open_tasks(case) == ["approve"]


@time_machine.travel("2026-03-03 09:00 +0800", tick=False)
def test_recording_the_answer_disarms_the_timer(client, case, handler, registrar):
    # Art. 35: an answer in time means the lapse can never fire.
    ask_through_the_accept_task(client, handler, case)
    step(client, registrar, case, "reasons", "record", answered_on="2026-03-03", answer="研究")
    timer = process_for(case).task_set.get(flow_task=RequestFlow.reasons__timeout)
    assert timer.status == STATUS.CANCELED


@time_machine.travel("2026-03-03 09:00 +0800", tick=False)
def test_an_outsider_gets_404_on_the_reasons_task(client, case, handler, outsider):
    # DOMAIN §1: nobody sees another agency's case.
    ask_through_the_accept_task(client, handler, case)
    waiting = task(case, "reasons")
    client.force_login(outsider)
    for action in ("index", "assign", "execute"):
        assert client.post(url(waiting, action)).status_code == 404
    assert client.get(detail(case)).status_code == 404


@time_machine.travel("2026-03-05 09:00 +0800", tick=False)
def test_the_proposal_page_asks_for_public_interest_reasons_only_after_an_objection(
    client, case, handler, office_head
):
    # Art. 32 on the propose task page.
    step(client, handler, case, "accept", "accept")
    page = client.get(url(task(case, "propose"), "execute")).content.decode()
    assert "public_interest_reasons" not in page
    step(
        client,
        handler,
        case,
        "propose",
        "consult",
        party="third_party",
        party_name="甲建设公司",
        matter="施工合同金额",
        sent_on="2026-03-05",
    )
    consultation = Consultation.objects.get(request=case)
    step(
        client,
        handler,
        case,
        "consult",
        "reply",
        consultation=consultation.pk,
        reply="object",
        replied_on="2026-03-05",
        reasons="商业秘密",
    )
    proposal = {
        "outcome": "disclosed",
        "articles": f"{REG}第三十六条第（二）项",
        "provide_form": "electronic",
    }
    response = execute(client, handler, task(case, "propose"), "propose", **proposal)
    assert response.status_code == 200
    text = response.content.decode()
    assert "不公开可能对公共利益造成重大影响的理由" in text and "甲建设公司" in text
    step(
        client,
        handler,
        case,
        "propose",
        "propose",
        **proposal,
        public_interest_reasons="涉及财政资金使用，公共利益重大。",
    )
    secrecy_cleared(case, office_head)  # Art. 17 ¶2
    step(client, office_head, case, "approve", "approve")
    page = client.get(detail(case)).content.decode()
    assert "决定公开告知书（致甲建设公司）" in page
    assert 'id="consultations"' in page and "2026年3月5日出具" in page
