"""The request process (DOMAIN §3.1) through its task URLs, timers and out-of-band changes."""

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from viewflow.workflow.status import PROCESS, STATUS

from requests_app.flows import RequestFlow, process_for, start_request_process, sync_process
from requests_app.models import Consultation, InformationRequest
from requests_app.services import (
    consultation_send,
    request_accept,
    request_ask_correction,
    request_withdraw,
)
from tests.conftest import d
from tests.requests_app.flow_helpers import (
    REG,
    assign,
    execute,
    open_tasks,
    refreshed,
    serve_notice,
    step,
    task,
    url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.case(process=True)]
S = InformationRequest.Stage


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_registration_starts_the_process_with_an_accept_task_in_the_handlers_queue(case):
    process = process_for(case)
    assert process.flow_class is RequestFlow
    assert process.artifact == case
    assert open_tasks(case) == ["accept"]
    assert task(case, "accept").owner is None
    assert start_request_process(case) == process  # idempotent


@time_machine.travel("2026-03-03 09:00 +0800", tick=False)
def test_full_lifecycle_through_the_task_pages(
    client, case, handler, office_head, legal_reviewer, registrar, secrecy_reviewer
):
    page = client.get(url(task(case, "accept"), "index"))
    assert page.status_code == 302  # anonymous → login

    step(client, handler, case, "accept", "accept")
    assert refreshed(case).stage == S.PROPOSE
    # Handler tasks go straight to the case's handler.
    assert task(case, "propose").owner == handler

    page = client.get(url(task(case, "propose"), "execute"))
    assert page.status_code == 200
    text = page.content.decode()
    assert case.case_number in text and "答复期限" in text and "提出办理意见" in text

    # Art. 32: consult a third party; the clock pauses.
    step(
        client,
        handler,
        case,
        "propose",
        "consult",
        party="third_party",
        party_name="某某公司",
        matter="合同金额",
        sent_on="2026-03-03",
    )
    assert refreshed(case).stage == S.CONSULT
    consultation = Consultation.objects.get(request=case)
    step(
        client,
        handler,
        case,
        "consult",
        "reply",
        consultation=consultation.pk,
        reply="agree",
        replied_on="2026-03-03",
    )
    assert refreshed(case).stage == S.PROPOSE

    proposal = {
        "outcome": "partly_disclosed",
        "articles": f"{REG}第三十七条\n{REG}第十五条",
        "withheld_0_description": "身份证号码",
        "withheld_0_reason": "个人隐私",
        "withheld_0_basis": f"{REG}第十五条",
        "provided": "资金拨付明细表",
        "provide_form": "electronic",
    }
    step(client, handler, case, "propose", "propose", **proposal)
    assert refreshed(case).stage == S.APPROVE
    assert open_tasks(case) == ["approve"]

    # The office head returns it once (loop back to the handler)...
    step(client, office_head, case, "approve", "return", comment="请补充检索说明")
    assert refreshed(case).stage == S.PROPOSE
    assert task(case, "propose").owner == handler

    # ...the handler flags it for legal review; the legal reviewer goes first (DOMAIN §3.1).
    step(client, handler, case, "propose", "propose", **proposal, needs_legal_review="on")
    assert open_tasks(case) == ["legal_review"]
    step(client, legal_reviewer, case, "legal_review", "approve", comment="合法")
    assert refreshed(case).stage == S.APPROVE
    assert open_tasks(case) == ["approve"]
    # Art. 17 ¶2: the secrecy reviewer clears what is disclosed, on their own page.
    client.force_login(secrecy_reviewer)
    review = reverse("secrecy:replies:review", args=[case.pk])
    response = client.post(review, {"conclusion": "cleared", "opinion": "不涉及国家秘密"})
    assert response.status_code == 302
    step(client, office_head, case, "approve", "approve")
    assert (refreshed(case).stage, refreshed(case).outcome) == (S.SERVE, "partly_disclosed")

    step(client, registrar, case, "serve", "serve", method="electronic", served_on="2026-03-03")
    assert refreshed(case).stage == S.ARCHIVE
    assert open_tasks(case) == ["archive"]

    step(client, registrar, case, "archive", "archive")
    closed = refreshed(case)
    assert closed.stage == S.CLOSED
    process = process_for(case)
    assert process.status == PROCESS.DONE
    assert open_tasks(case) == []
    names = [
        t.flow_task.name for t in process.task_set.filter(flow_task_type="HUMAN").order_by("pk")
    ]
    assert names == [
        "accept",
        "propose",
        "consult",
        "propose",
        "approve",
        "propose",
        "legal_review",
        "approve",
        "serve",
        "archive",
    ]


@time_machine.travel("2026-03-03 09:00 +0800", tick=False)
def test_a_service_error_comes_back_under_its_field_and_keeps_the_input(client, case, handler):
    step(client, handler, case, "accept", "accept")
    response = execute(
        client,
        handler,
        task(case, "propose"),
        "propose",
        outcome="partly_disclosed",
        articles=f"{REG}第三十七条",
        reason="保留这段文字",
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "逐项列明不予公开的部分" in text  # Art. 37, under withheld_parts
    assert "保留这段文字" in text
    assert refreshed(case).stage == S.PROPOSE
    assert task(case, "propose").status == STATUS.ASSIGNED


@time_machine.travel("2026-03-03 09:00 +0800", tick=False)
def test_a_bad_date_is_a_chinese_message_not_a_500(client, case, handler):
    step(client, handler, case, "accept", "accept")
    response = execute(
        client,
        handler,
        task(case, "propose"),
        "consult",
        party="third_party",
        party_name="某某公司",
        matter="合同",
        sent_on="3月3日",
    )
    assert response.status_code == 200
    assert "请按“年-月-日”填写日期" in response.content.decode()


@time_machine.travel("2026-03-03 09:00 +0800", tick=False)
def test_double_submission_has_one_effect(client, case, handler):
    accept = task(case, "accept")
    assign(client, handler, accept)
    first = execute(client, handler, accept, "accept")
    second = execute(client, handler, accept, "accept")
    assert first.status_code == 302
    assert second.status_code == 302  # a message, not an error page
    follow = client.get(second["Location"])
    assert "已经办理" in follow.content.decode()
    assert open_tasks(case) == ["propose"]
    process = process_for(case)
    assert process.task_set.filter(flow_task=RequestFlow.propose).count() == 1


@time_machine.travel("2026-03-03 09:00 +0800", tick=False)
def test_a_task_taken_by_another_officer_cannot_be_taken_again(
    client, case, handler, django_user_model, agency
):
    from django.contrib.auth.models import Group

    colleague = django_user_model.objects.create_user(username="colleague", password="pw")
    colleague.groups.add(Group.objects.get(name="handler"))
    agency.staff.add(colleague)
    accept = task(case, "accept")
    assign(client, handler, accept)
    client.force_login(colleague)
    response = client.post(url(accept, "assign"))
    assert response.status_code == 302
    assert "已由" in client.get(response["Location"]).content.decode()
    accept.refresh_from_db()
    assert accept.owner == handler


def test_correction_then_recorded_correction_goes_back_to_accept(client, case, handler, registrar):
    with time_machine.travel("2026-03-03 09:00 +0800", tick=False):
        step(client, handler, case, "accept", "correction", items="请写明文件名称\n请写明年份")
        assert refreshed(case).stage == S.CORRECT
        assert open_tasks(case) == ["correct"]
        step(client, registrar, case, "correct", "record", received_on="2026-03-03")
        assert refreshed(case).stage == S.ACCEPT
        assert open_tasks(case) == ["accept"]
        # The correction timer was disarmed with its task.
        timer = process_for(case).task_set.get(flow_task=RequestFlow.correct__timeout)
        assert timer.status == STATUS.CANCELED


def test_correction_timer_deems_the_application_abandoned(case, handler, registrar):
    # Art. 30: no correction within the period → deemed abandoned, notice issued, to service.
    with time_machine.travel("2026-03-03 09:00 +0800", tick=False):
        request_ask_correction(actor=handler, case_id=case.pk, items=["请写明文件名称"])
        sync_process(case)
        assert open_tasks(case) == ["correct"]
        serve_notice(case, "correction", registrar, d("2026-03-03"))
    deadline = refreshed(case).correction_deadline
    with time_machine.travel(f"{deadline.isoformat()} 23:59 +0800", tick=False):
        call_command("workflow_timers")
        assert refreshed(case).stage == S.CORRECT  # not before the day after the deadline
    with time_machine.travel(f"{deadline.isoformat()} 23:59 +0800", tick=False) as traveller:
        traveller.shift(60 * 2)  # 00:01 the next day
        call_command("workflow_timers")
    lapsed = refreshed(case)
    assert (lapsed.stage, lapsed.outcome) == (S.SERVE, "abandoned_no_correction")
    assert open_tasks(case) == ["serve"]
    assert process_for(case).task_set.get(flow_task=RequestFlow.correct).status == STATUS.CANCELED


def test_consultation_timer_lapses_each_consultation_and_returns_to_the_handler(
    case, handler, registrar
):
    with time_machine.travel("2026-03-03 09:00 +0800", tick=False):
        request_accept(actor=handler, case_id=case.pk)
        first = consultation_send(
            actor=handler, case_id=case.pk, party="third_party", party_name="甲公司", matter="合同"
        )
        sync_process(case)
        assert open_tasks(case) == ["consult"]
        serve_notice(case, "third_party", registrar, d("2026-03-03"))
    with time_machine.travel("2026-03-05 09:00 +0800", tick=False):
        # A second consultation, sent from the consult task page.
        from django.test import Client

        client = Client()
        step(
            client,
            handler,
            case,
            "consult",
            "send",
            party="agency",
            party_name="乙局",
            matter="联合制作的文件",
            sent_on="2026-03-05",
        )
        assert open_tasks(case) == ["consult"]
        serve_notice(case, "agency", registrar, d("2026-03-05"))
    first = Consultation.objects.get(pk=first.pk)
    second = Consultation.objects.exclude(pk=first.pk).get(request=case)
    assert first.limit_date < second.limit_date
    with time_machine.travel(f"{first.limit_date.isoformat()} 12:00 +0800", tick=False) as t:
        call_command("workflow_timers")
        assert Consultation.objects.get(pk=first.pk).reply == Consultation.Reply.PENDING
        t.shift(60 * 60 * 12 + 60)
        call_command("workflow_timers")
    # The first lapsed (Art. 32: no reply); the second is still open: back to a consult task.
    assert Consultation.objects.get(pk=first.pk).reply == Consultation.Reply.NO_REPLY
    assert refreshed(case).stage == S.CONSULT
    assert open_tasks(case) == ["consult"]
    with time_machine.travel(f"{second.limit_date.isoformat()} 23:59 +0800", tick=False) as t:
        t.shift(120)
        call_command("workflow_timers")
    # Art. 34: another agency's silence is consent; the last one closes → propose.
    assert Consultation.objects.get(pk=second.pk).reply == Consultation.Reply.NO_REPLY
    assert refreshed(case).stage == S.PROPOSE
    assert open_tasks(case) == ["propose"]


def test_withdrawal_mid_way_cancels_the_task_and_routes_to_service(case, handler, registrar):
    with time_machine.travel("2026-03-03 09:00 +0800", tick=False):
        request_accept(actor=handler, case_id=case.pk)
        consultation_send(
            actor=handler, case_id=case.pk, party="third_party", party_name="甲公司", matter="合同"
        )
        sync_process(case)
        assert open_tasks(case) == ["consult"]
        request_withdraw(actor=registrar, case_id=case.pk, on=d("2026-03-03"), reason="书面撤回")
        sync_process(case)
        assert (refreshed(case).stage, refreshed(case).outcome) == (S.SERVE, "other")
        assert open_tasks(case) == ["serve"]
        process = process_for(case)
        assert process.task_set.get(flow_task=RequestFlow.consult).status == STATUS.CANCELED
        # Its timer is disarmed too, so it can never fire into a second task.
        timer = process.task_set.get(flow_task=RequestFlow.consult__timeout)
        assert timer.status == STATUS.CANCELED
        sync_process(case)  # a second sync changes nothing
        assert open_tasks(case) == ["serve"]


@time_machine.travel("2026-03-03 09:00 +0800", tick=False)
def test_a_task_left_behind_by_an_outside_change_says_so_and_lines_up(
    client, case, handler, registrar
):
    accept = task(case, "accept")
    assign(client, handler, accept)
    # A service called outside the task, without sync_process (e.g. a script or an older path).
    request_ask_correction(actor=handler, case_id=case.pk, items=["请写明年份"])
    response = execute(client, handler, accept, "accept")
    assert response.status_code == 302
    assert "不能受理" in client.get(response["Location"]).content.decode()
    assert open_tasks(case) == ["correct"]


def test_fee_timer_deems_the_application_abandoned(client, case, handler, registrar):
    # Fee Rules: no payment within 20 working days of the notice → deemed abandoned.
    with time_machine.travel("2026-03-03 09:00 +0800", tick=False):
        step(client, handler, case, "accept", "accept")
        step(
            client,
            handler,
            case,
            "propose",
            "fee",
            method="per_page",
            quantity="100",
            payment_method="转账至指定账户",
        )
        assert open_tasks(case) == ["fee"]
        serve_notice(case, "fee", registrar, d("2026-03-03"))
    pay_by = refreshed(case).fee.pay_by
    with time_machine.travel(f"{pay_by.isoformat()} 23:59 +0800", tick=False) as traveller:
        call_command("workflow_timers")
        assert refreshed(case).stage == S.FEE
        traveller.shift(120)
        call_command("workflow_timers")
    lapsed = refreshed(case)
    assert (lapsed.stage, lapsed.outcome) == (S.SERVE, "abandoned_no_payment")
    assert open_tasks(case) == ["serve"]
