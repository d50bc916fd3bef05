"""Driving the request process through its task URLs, as officers do with a browser."""

from __future__ import annotations

from django.urls import get_resolver
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

import config.urls  # noqa: F401  (node URLs reverse only once the URLconf is loaded)
from requests_app.flows import ACTIVE, process_for, start_request_process
from requests_app.models import InformationRequest
from requests_app.services import request_register
from tests.conftest import d

REG = "《中华人民共和国政府信息公开条例》"


def register(registrar, agency, walk_in, **changes) -> InformationRequest:
    """Register through the service and start the process, as ``request_register`` will."""
    case = request_register(
        actor=registrar, agency=agency, data=walk_in(**changes), today=d("2026-03-02")
    )
    start_request_process(case)
    return case


def refreshed(case) -> InformationRequest:
    return InformationRequest.objects.get(pk=case.pk)


def open_tasks(case) -> list[str]:
    """Names of the open human tasks of the case's process, oldest first."""
    return [
        task.flow_task.name
        for task in process_for(case)
        .task_set.filter(flow_task_type="HUMAN", status__in=ACTIVE)
        .order_by("pk")
    ]


def task(case, name: str) -> Task:
    return process_for(case).task_set.get(
        flow_task_type="HUMAN", status__in=ACTIVE, flow_task=_node(name)
    )


def _node(name: str):
    from requests_app.flows import RequestFlow

    return getattr(RequestFlow, name)


def url(task_: Task, action: str) -> str:
    # Node URLs reverse through their parents, which are set once the URLconf is resolved.
    get_resolver().url_patterns  # noqa: B018
    return task_.flow_task.reverse(action, args=[task_.process_id, task_.pk])


def assign(client, user, task_: Task):
    client.force_login(user)
    response = client.post(url(task_, "assign"))
    assert response.status_code == 302, response.content[:500]
    task_.refresh_from_db()
    assert (task_.owner, task_.status) == (user, STATUS.ASSIGNED)
    return response


def execute(client, user, task_: Task, action: str, **fields):
    """POST one action of a task page; field names without the form prefix."""
    client.force_login(user)
    data = {"_action": action}
    for key, value in fields.items():
        data[f"{action}-{key}"] = value
    return client.post(url(task_, "execute"), data)


def step(client, user, case, name: str, action: str, **fields):
    """Take the task ``name`` of ``case`` when it is in the queue, then do ``action``."""
    current = task(case, name)
    if current.owner_id is None:
        assign(client, user, current)
    response = execute(client, user, current, action, **fields)
    assert response.status_code == 302, response.content.decode()[:3000]
    current.refresh_from_db()
    assert current.status == STATUS.DONE
    return response


# -- cases at each stage, driven through the services ------------------------------------------

#: The stages a case can be left at by ``advance``, in the order a case passes them.
STAGES = (
    "accept",
    "correct",
    "consult",
    "propose",
    "fee",
    "legal_review",
    "approve",
    "serve",
    "archive",
    "closed",
)


def not_held(*, needs_legal_review: bool = False):
    """A proposal that the information is not held (Art. 36(4)), with its search described."""
    from requests_app.services import Proposal

    return Proposal(
        outcome="not_held",
        articles=[f"{REG}第三十六条第（四）项"],
        search_description="检索了2025年全部收文和发文",
        needs_legal_review=needs_legal_review,
    )


def advance(case, stage: str, staff: dict, *, today=None) -> InformationRequest:
    """Drive ``case`` through the services, as its officers would, until it is at ``stage``
    (a name of ``STAGES``; ``legal_review`` is the approval stage with legal review pending),
    then line the process up. ``staff`` maps role codes to users of the case's agency."""
    from requests_app import services
    from requests_app.flows import sync_process

    today = today or d("2026-03-03")
    handler, registrar = staff["handler"], staff["registrar"]
    if stage == "accept":
        return refreshed(case)
    if stage == "correct":
        services.request_ask_correction(
            actor=handler, case_id=case.pk, items=["请写明所需信息的文件名称或文号"], today=today
        )
    else:
        services.request_accept(actor=handler, case_id=case.pk, today=today)
    if stage == "consult":
        services.consultation_send(
            actor=handler,
            case_id=case.pk,
            party="third_party",
            party_name="某某建设有限公司",
            matter="项目合同金额",
            sent_on=today,
            today=today,
        )
    elif stage == "fee":
        services.fee_notice(
            actor=handler,
            case_id=case.pk,
            method="per_page",
            quantity=100,
            payment_method="转账至指定账户",
            today=today,
        )
    elif stage in ("legal_review", "approve", "serve", "archive", "closed"):
        services.decision_propose(
            actor=handler,
            case_id=case.pk,
            proposal=not_held(needs_legal_review=stage == "legal_review"),
            today=today,
        )
        if stage in ("serve", "archive", "closed"):
            services.decision_approve(actor=staff["office_head"], case_id=case.pk, today=today)
        if stage in ("archive", "closed"):
            services.request_serve(
                actor=registrar, case_id=case.pk, method="electronic", served_on=today, today=today
            )
        if stage == "closed":
            services.request_archive(actor=registrar, case_id=case.pk, today=today)
    sync_process(case)
    return refreshed(case)


SECRECY_OPINION = "经审查，拟公开的信息不涉及国家秘密，同意公开。"


def secrecy_cleared(case, reviewer, *, today=None):
    """Art. 17 ¶2: the secrecy review that clears a disclosing proposal before its approval
    (recorded by the office head in an agency without a secrecy reviewer)."""
    from requests_app.services import decision_record_secrecy_review

    return decision_record_secrecy_review(
        actor=reviewer, case_id=case.pk, passed=True, opinion=SECRECY_OPINION, today=today
    )


def serve_notice(
    case, notice: str, registrar, on, *, method="direct", tracking_number="", today=None
):
    """Record the service of the case's first unserved notice of kind ``notice`` (DOMAIN §3.8):
    the periods of Arts. 30, 32, 34 and the Fee Rules run from its receipt."""
    from requests_app.models import NoticeService
    from requests_app.services import notice_record_service

    service = (
        NoticeService.objects.filter(request=case, notice=notice, served_on__isnull=True)
        .order_by("id")
        .first()
    )
    assert service is not None, f"no unserved {notice} notice"
    return notice_record_service(
        actor=registrar,
        service_id=service.pk,
        method=method,
        served_on=on,
        tracking_number=tracking_number,
        today=today or on,
    )
