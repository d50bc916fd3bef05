"""Two officers (or one double click) completing the same step at the same moment.

Each test starts its requests or service calls on real threads, each with its own database
connection, released together by a barrier. Exactly one of them may take effect (one audit
event, one letter, one process step); the other is told so in Chinese: a redirect with a
message, a form error or ``StaleCase``, never a server error or a leaked lock error.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.status import STATUS

from requests_app import services
from requests_app.flows import RequestFlow, process_for
from requests_app.models import CaseDocument, Consultation, InformationRequest
from requests_app.views import BUSY
from tests.conftest import _persona, d
from tests.requests_app.flow_helpers import advance, open_tasks, refreshed, register, task, url
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)
R = InformationRequest
TODAY = "2026-03-03"


@pytest.fixture(autouse=True)
def _on_a_working_day():
    with time_machine.travel(f"{TODAY} 09:00 +0800", tick=False):
        yield


@pytest.fixture
def staff(registrar, handler, office_head, legal_reviewer):
    return {
        "registrar": registrar,
        "handler": handler,
        "office_head": office_head,
        "legal_reviewer": legal_reviewer,
    }


@pytest.fixture
def second_office_head(django_user_model, agency):
    return _persona(django_user_model, "office_head_2", agency, "office_head")


def case_at(stage: str, staff, agency, walk_in) -> R:
    return advance(register(staff["registrar"], agency, walk_in), stage, staff)


@dataclass
class Outcome:
    value: object = None
    error: BaseException | None = None


def race(*calls) -> list[Outcome]:
    """Run ``calls`` at once on threads of their own; what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    outcomes = [Outcome() for _ in calls]

    def run(index: int, call) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index].value = call()
        except BaseException as error:  # collected and asserted by the test
            outcomes[index].error = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    return outcomes


def taken(task_, user) -> None:
    """``user`` has ``task_``: taken from the queue, unless it went to them directly (the only
    officer of the agency with its role)."""
    task_.refresh_from_db()
    if task_.owner_id is None:
        task_.flow_task.activation_class(task_).assign(user)
    assert task_.owner_id == user.pk


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def same_session(client: Client) -> Client:
    """A second handle on the same browser session: a double click."""
    twin = Client(raise_request_exception=False)
    twin.cookies = client.cookies
    return twin


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def events(case, action: str) -> int:
    return AuditEvent.objects.filter(object_id=str(case.pk), action=action).count()


def letters(case, kind: str) -> int:
    return CaseDocument.objects.filter(request=case, letter_kind__startswith=kind).count()


def steps(case, node: str) -> int:
    """How many tasks of ``node`` the case's process has created."""
    return process_for(case).task_set.filter(flow_task=getattr(RequestFlow, node)).count()


def post_data(action: str, **fields) -> dict:
    return {"_action": action, **{f"{action}-{key}": value for key, value in fields.items()}}


def one_done_one_told(outcomes: list[Outcome], told: str) -> None:
    """Both requests answered with a redirect, no error; one says ``told``."""
    assert [o.error for o in outcomes] == [None, None]
    responses = [o.value for o in outcomes]
    assert [r.status_code for r in responses] == [302, 302], [r.content[:300] for r in responses]
    messages = [" ".join(said(r)) for r in responses]
    assert sum(told in m for m in messages) == 1, messages


# -- (a) two officers, the same task page ----------------------------------------------------


def test_two_office_heads_taking_the_same_approval_at_once_one_gets_it(
    staff, agency, walk_in, second_office_head
):
    # DOMAIN §1: the approval is the office head's; one of them, not both.
    case = case_at("approve", staff, agency, walk_in)
    approve = task(case, "approve")
    first, second = signed_in(staff["office_head"]), signed_in(second_office_head)
    target = url(approve, "assign")
    outcomes = race(lambda: first.post(target), lambda: second.post(target))
    one_done_one_told(outcomes, "已由")
    approve.refresh_from_db()
    assert approve.status == STATUS.ASSIGNED
    assert approve.owner in (staff["office_head"], second_office_head)
    # 领取并办理: the winner goes on to the task, the other to the case; one take is recorded.
    targets = sorted(o.value.url for o in outcomes)
    assert url(approve, "execute") in targets
    assert events(case, "task_taken") == 1


@pytest.mark.parametrize(
    ("stage", "node", "role", "data", "action", "letter"),
    [
        (
            "approve",
            "approve",
            "office_head",
            post_data("approve", comment=""),
            "decision_approved",
            "reply",
        ),
        ("accept", "accept", "handler", post_data("accept"), "request_accepted", None),
    ],
    ids=["approve", "accept"],
)
def test_two_sessions_completing_the_same_task_at_once_complete_it_once(
    staff, agency, walk_in, stage, node, role, data, action, letter
):
    # The officer has the task open in two browsers (or on two computers) and sends both.
    case = case_at(stage, staff, agency, walk_in)
    current = task(case, node)
    officer = staff[role]
    taken(current, officer)
    one, two = signed_in(officer), signed_in(officer)
    target = url(current, "execute")
    outcomes = race(lambda: one.post(target, data), lambda: two.post(target, data))
    one_done_one_told(outcomes, "已经办理")
    assert events(case, action) == 1
    if letter:
        assert letters(case, letter) == 1
    assert steps(case, node) == 1
    assert len(open_tasks(case)) == 1


def test_approval_and_withdrawal_at_once_only_one_happens(staff, agency, walk_in):
    # The office head approves while the registrar records the applicant's withdrawal: the
    # case ends one way or the other, never both, and nobody sees an error page.
    case = case_at("approve", staff, agency, walk_in)
    approve = task(case, "approve")
    taken(approve, staff["office_head"])
    head, clerk = signed_in(staff["office_head"]), signed_in(staff["registrar"])
    withdraw = reverse("requests:cases:action", kwargs={"pk": case.pk, "action": "withdraw"})
    outcomes = race(
        lambda: head.post(url(approve, "execute"), post_data("approve", comment="")),
        lambda: clerk.post(withdraw, {"on": TODAY, "reason": "申请人书面撤回"}),
    )
    assert [o.error for o in outcomes] == [None, None]
    approved, withdrawn = (o.value for o in outcomes)
    assert (approved.status_code, withdrawn.status_code) == (302, 302)
    assert events(case, "decision_approved") + events(case, "request_withdrawn") == 1
    assert letters(case, "reply") == 1
    after = refreshed(case)
    assert after.stage == R.Stage.SERVE
    assert open_tasks(case) == ["serve"]
    if events(case, "request_withdrawn"):
        assert after.outcome == "other"
        assert "“审批”已不需要办理" in " ".join(said(approved))
    else:
        assert after.outcome == "not_held"
        assert "不能登记撤回" in " ".join(said(withdrawn))


def test_fee_waiver_and_payment_at_once_settle_the_fee_once(staff, agency, walk_in):
    # Fee Rules: the fee is either waived (office head, case page) or paid (registrar, task);
    # the clock resumes once.
    case = case_at("fee", staff, agency, walk_in)
    fee = task(case, "fee")
    taken(fee, staff["registrar"])
    clerk, head = signed_in(staff["registrar"]), signed_in(staff["office_head"])
    waive = reverse("requests:cases:action", kwargs={"pk": case.pk, "action": "fee_waive"})
    outcomes = race(
        lambda: clerk.post(url(fee, "execute"), post_data("paid", paid_on=TODAY)),
        lambda: head.post(waive, {"reason": "申请人为低保对象"}),
    )
    assert [o.error for o in outcomes] == [None, None]
    assert [o.value.status_code for o in outcomes] == [302, 302]
    assert events(case, "fee_paid") + events(case, "fee_waived") == 1
    assert case.clock_entries.filter(kind="resume").count() == 1
    assert refreshed(case).stage == R.Stage.PROPOSE
    assert open_tasks(case) == ["propose"]


# -- (b) two service calls ----------------------------------------------------------------------


def _only_one_succeeded(outcomes: list[Outcome]) -> Outcome:
    errors = [o.error for o in outcomes if o.error is not None]
    assert len(errors) == 1, [o.error for o in outcomes]
    assert isinstance(errors[0], services.StaleCase), repr(errors[0])
    assert "请刷新" in str(errors[0]) or "已经记录" in str(errors[0])
    return next(o for o in outcomes if o.error is None)


def test_two_approvals_at_once_issue_one_reply(staff, agency, walk_in, second_office_head):
    case = case_at("approve", staff, agency, walk_in)
    outcomes = race(
        lambda: services.decision_approve(actor=staff["office_head"], case_id=case.pk),
        lambda: services.decision_approve(actor=second_office_head, case_id=case.pk),
    )
    _only_one_succeeded(outcomes)
    assert events(case, "decision_approved") == 1
    assert letters(case, "reply") == 1
    assert refreshed(case).stage == R.Stage.SERVE


def test_two_services_recorded_at_once_are_recorded_once(staff, agency, walk_in):
    # DOMAIN §3.8: one service date per reply.
    case = case_at("serve", staff, agency, walk_in)

    def serve():
        return services.request_serve(
            actor=staff["registrar"], case_id=case.pk, method="electronic", served_on=d(TODAY)
        )

    outcomes = race(serve, serve)
    _only_one_succeeded(outcomes)
    assert events(case, "request_served") == 1
    assert case.clock_entries.filter(kind="stop").count() == 1
    assert refreshed(case).stage == R.Stage.ARCHIVE


def test_the_same_consultation_reply_recorded_twice_at_once_counts_once(staff, agency, walk_in):
    # Art. 32: one answer per consultation; the clock resumes once.
    case = case_at("consult", staff, agency, walk_in)
    consultation = Consultation.objects.get(request=case)

    def reply(actor):
        return lambda: services.consultation_record_reply(
            actor=actor,
            consultation_id=consultation.pk,
            reply="agree",
            replied_on=d(TODAY),
        )

    outcomes = race(reply(staff["handler"]), reply(staff["registrar"]))
    _only_one_succeeded(outcomes)
    assert events(case, "consultation_closed") == 1
    assert case.clock_entries.filter(kind="resume").count() == 1
    assert refreshed(case).stage == R.Stage.PROPOSE


def test_the_last_two_consultation_replies_at_once_close_the_consultation_once(
    staff, agency, walk_in
):
    # DOMAIN §3.5: the clock is paused until the last reply; two replies arriving together
    # must neither both resume it nor both leave it paused.
    case = case_at("consult", staff, agency, walk_in)
    services.consultation_send(
        actor=staff["handler"],
        case_id=case.pk,
        party="agency",
        party_name="汾阳市自然资源局",
        matter="联合制作的文件",
        sent_on=d(TODAY),
    )
    first, second = Consultation.objects.filter(request=case).order_by("pk")

    def reply(consultation):
        return lambda: services.consultation_record_reply(
            actor=staff["handler"],
            consultation_id=consultation.pk,
            reply="agree",
            replied_on=d(TODAY),
        )

    outcomes = race(reply(first), reply(second))
    assert [o.error for o in outcomes] == [None, None]
    assert events(case, "consultation_closed") == 1
    assert events(case, "consultation_replied") == 1
    assert case.clock_entries.filter(kind="resume").count() == 1
    assert refreshed(case).stage == R.Stage.PROPOSE


# -- (c) a double click: the same user, the same session -------------------------------------


def test_a_double_click_on_accept_accepts_once(staff, agency, walk_in):
    case = case_at("accept", staff, agency, walk_in)
    accept = task(case, "accept")
    taken(accept, staff["handler"])
    browser = signed_in(staff["handler"])
    twin = same_session(browser)
    target = url(accept, "execute")
    outcomes = race(
        lambda: browser.post(target, post_data("accept")),
        lambda: twin.post(target, post_data("accept")),
    )
    one_done_one_told(outcomes, "已经办理")
    assert events(case, "request_accepted") == 1
    assert steps(case, "propose") == 1
    assert open_tasks(case) == ["propose"]


def test_a_double_click_on_the_extension_approval_approves_once(staff, agency, walk_in):
    # Art. 33 ¶2: one extension, one notice to the applicant.
    case = case_at("propose", staff, agency, walk_in)
    services.extension_ask(actor=staff["handler"], case_id=case.pk, days=10, reason="需要调取档案")
    browser = signed_in(staff["office_head"])
    twin = same_session(browser)
    target = reverse("requests:cases:action", kwargs={"pk": case.pk, "action": "extension_approve"})
    outcomes = race(lambda: browser.post(target, {}), lambda: twin.post(target, {}))
    assert [o.error for o in outcomes] == [None, None]
    assert [o.value.status_code for o in outcomes] == [302, 302]
    told = [" ".join(said(o.value)) for o in outcomes]
    assert told.count("已办理：批准延期。") == 1, told
    other = next(text for text in told if text != "已办理：批准延期。")
    assert "延期已于" in other or "这项操作现在不能办理" in other, told
    assert events(case, "extension_approved") == 1
    assert letters(case, "extension_notice") == 1


def test_a_double_click_on_taking_a_task_takes_it_once(staff, agency, walk_in):
    case = case_at("accept", staff, agency, walk_in)
    accept = task(case, "accept")
    browser = signed_in(staff["handler"])
    twin = same_session(browser)
    target = url(accept, "assign")
    outcomes = race(lambda: browser.post(target), lambda: twin.post(target))
    assert [o.error for o in outcomes] == [None, None]
    assert [o.value.status_code for o in outcomes] == [302, 302]
    told = sorted(" ".join(said(o.value)) for o in outcomes)
    assert "您已领取“受理审查”。" in told, told
    accept.refresh_from_db()
    assert (accept.owner, accept.status) == (staff["handler"], STATUS.ASSIGNED)


# -- a lock held too long --------------------------------------------------------------------


@pytest.fixture
def busy_process(monkeypatch):
    """From the call on, no process lock can be had (someone's step holds it past every retry)."""

    @contextmanager
    def never(flow_class, process_pk):
        raise FlowLockFailed(f"Lock failed for {flow_class}")
        yield  # pragma: no cover

    return lambda: monkeypatch.setattr(RequestFlow, "lock_impl", never)


def test_a_task_whose_case_stays_locked_says_so_and_changes_nothing(
    staff, agency, walk_in, busy_process
):
    case = case_at("accept", staff, agency, walk_in)
    accept = task(case, "accept")
    taken(accept, staff["handler"])
    busy_process()
    response = signed_in(staff["handler"]).post(url(accept, "execute"), post_data("accept"))
    assert response.status_code == 302
    assert said(response) == [BUSY]
    assert refreshed(case).stage == R.Stage.ACCEPT
    assert open_tasks(case) == ["accept"]


def test_a_withdrawal_whose_case_stays_locked_says_so_and_changes_nothing(
    staff, agency, walk_in, busy_process
):
    case = case_at("accept", staff, agency, walk_in)
    withdraw = reverse("requests:cases:action", kwargs={"pk": case.pk, "action": "withdraw"})
    busy_process()
    response = signed_in(staff["registrar"]).post(
        withdraw, {"on": TODAY, "reason": "申请人书面撤回"}
    )
    assert response.status_code == 302
    assert said(response) == [BUSY]
    assert refreshed(case).stage == R.Stage.ACCEPT
    assert events(case, "request_withdrawn") == 0
