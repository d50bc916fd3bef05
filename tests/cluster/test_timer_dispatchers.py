"""Two timer dispatchers sweeping the same due timers at once fire each timer exactly once.

An installation may run ``manage.py workflow_timers`` from several machines (cron on each web
server, or a dispatcher beside each). Here 60 applications whose correction period lapsed long
ago wait in the database; two real ``workflow_timers`` processes are started against it and held
on the same first timers until both are sweeping, then let go together. Each application must be
deemed abandoned once (Art. 30): one audit event, one reply with its own 文号, one task to serve
it, and the sum of the timers the two processes report fired is the number of timers.
"""

from __future__ import annotations

import re
from unittest import mock

import pytest
import time_machine
from django.db import connection, transaction
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from requests_app.audit_actions import RequestAction
from requests_app.flows import ACTIVE, RequestFlow, process_for, start_request_process, sync_process
from requests_app.models import CaseDocument, InformationRequest
from requests_app.services import request_ask_correction, request_register
from tests.cluster.harness import (
    NOT_ON_POSTGRESQL,
    child_environment,
    manage,
    on_postgresql,
    wait_for,
)
from tests.conftest import d, walk_in_registration
from tests.requests_app.flow_helpers import serve_notice
from workflow.models import AuditEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not on_postgresql(), reason=NOT_ON_POSTGRESQL),
]
R = InformationRequest
CASES = 60


def lapsed_corrections(registrar, handler, agency, count: int) -> list[R]:
    """``count`` applications asked for a correction in March 2026, the notice served the same
    day: their periods ended that month, so their timers are due now.

    The receipts' and notices' files are left to be rendered when first asked for (a state the
    letters support, ``IssuedLetter.pending``): rendering 120 PDFs here would test nothing."""
    cases = []
    with (
        mock.patch("workflow.letters.issuing.write_files"),
        time_machine.travel("2026-03-03 09:00 +0800", tick=False),
    ):
        for index in range(count):
            case = request_register(
                actor=registrar,
                agency=agency,
                data=walk_in_registration(applicant_name=f"申请人{index:03d}"),
                today=d("2026-03-02"),
            )
            start_request_process(case)
            request_ask_correction(
                actor=handler, case_id=case.pk, items=["请写明所需信息的文件名称或文号"]
            )
            sync_process(case)
            serve_notice(case, "correction", registrar, d("2026-03-03"))
            cases.append(case)
    return cases


def waiting_backends() -> int:
    """Connections of other processes to this database waiting for a lock."""
    with connection.cursor() as cursor:
        # The activity view is a snapshot per transaction: look again each time.
        cursor.execute("select pg_stat_clear_snapshot()")
        cursor.execute(
            "select count(distinct l.pid) from pg_locks l join pg_stat_activity a using (pid)"
            " where not l.granted and a.datname = current_database()"
        )
        return cursor.fetchone()[0]


def test_two_dispatchers_fire_each_due_timer_once(registrar, handler, agency, processes, tmp_path):
    cases = lapsed_corrections(registrar, handler, agency, CASES)
    timers = Task.objects.filter(
        flow_task=RequestFlow.correct__timeout, status=STATUS.SCHEDULED
    ).order_by("pk")
    assert timers.count() == CASES
    letters_before = {
        case.pk: CaseDocument.objects.filter(request=case, kind=CaseDocument.Kind.LETTER).count()
        for case in cases
    }
    env = child_environment(tmp_path)

    # Hold every case's process lock while both dispatchers start: each blocks on its first due
    # timer, so both are in the middle of the same sweep when the locks go.
    with transaction.atomic():
        list(Process.objects.select_for_update().filter(pk__in=timers.values("process_id")))
        for name in ("dispatcher-a", "dispatcher-b"):
            processes.start(name, manage("workflow_timers"), env)
        wait_for(
            lambda: waiting_backends() >= 2,
            timeout=120,
            what="both dispatchers to wait for the process lock",
        )
    fired = 0
    for name in ("dispatcher-a", "dispatcher-b"):
        assert processes.wait(name, timeout=600) == 0
        output = processes.children[name].output()
        counted = re.search(r"(\d+) timer\(s\) fired", output)
        assert counted, output
        fired += int(counted.group(1))
    assert fired == CASES

    numbers = []
    for case in cases:
        case = R.objects.get(pk=case.pk)
        assert (case.stage, case.outcome) == (R.Stage.SERVE, "abandoned_no_correction")
        abandoned = AuditEvent.objects.filter(
            action=RequestAction.REQUEST_DEEMED_ABANDONED, object_id=str(case.pk)
        )
        assert abandoned.count() == 1
        letters = CaseDocument.objects.filter(request=case, kind=CaseDocument.Kind.LETTER)
        assert letters.count() == letters_before[case.pk] + 1
        reply = letters.order_by("-pk").first()
        assert reply.number
        numbers.append(reply.number)
        process = process_for(case)
        timer_tasks = process.task_set.filter(flow_task=RequestFlow.correct__timeout)
        assert [t.status for t in timer_tasks] == [STATUS.DONE]
        serve = process.task_set.filter(flow_task=RequestFlow.serve)
        assert [t.status in ACTIVE for t in serve] == [True]
        assert not process.task_set.filter(status=STATUS.ERROR).exists()
    assert len(set(numbers)) == CASES, "a 文号 was given twice"
