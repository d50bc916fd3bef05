"""Driving the request process through its task URLs, as officers do with a browser."""

from __future__ import annotations

from django.urls import get_resolver
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

import workflow.urls  # noqa: F401  (node URLs reverse only once the URLconf is loaded)
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
