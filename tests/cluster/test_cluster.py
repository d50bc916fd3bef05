"""The installation as it runs in production, on one machine: two gunicorn web servers, a Celery
worker and beat, two timer dispatchers, PostgreSQL and Redis, driven over HTTP by officers.

The driver registers 200 applications and moves them on, posting many steps twice at once, one
copy to each server (a double click behind a load balancer): exactly one may take effect. It
imports older documents in the background (a Celery job) and kills the worker with SIGKILL in the
middle of the import, then starts it again; and it lets the correction period of some cases run
out, for the dispatchers to fire their timers while the others work. Afterwards every case, job
and timer is checked: nothing done twice (task, 文号, audit event, imported document), nothing
lost (every job done, every due timer fired once).

Skipped, with the reason, unless the tests run on PostgreSQL with Redis, gunicorn and Celery.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from attributes_app.models import Document, DraftingUnit
from attributes_app.older_sheet import COLUMNS
from requests_app.audit_actions import RequestAction
from requests_app.flows import ACTIVE, RequestFlow, process_for
from requests_app.models import CaseDocument, InformationRequest, NoticeService
from tests.cluster.driver import Officer, at_once, location, registration, step
from tests.cluster.harness import (
    NOT_ON_POSTGRESQL,
    child_environment,
    free_port,
    manage,
    on_postgresql,
    redis_url,
    tool,
    wait_for,
)
from tests.requests_app.flow_helpers import REG, url
from workflow.models import Agency, AuditEvent, Job

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not on_postgresql(), reason=NOT_ON_POSTGRESQL),
]
R = InformationRequest
CASES = 200
PASSWORD = "cluster-pw"
UNITS = ["综合科", "法规科", "财务科"]
#: Rows of the first import (the one whose worker is killed) and of the second.
IMPORTS = (3000, 500)


def form_errors(page: str) -> str:
    """What a page that came back instead of a redirect says is wrong (its form's messages)."""
    found = re.findall(r'class="[^"]*(?:error|invalid)[^"]*"[^>]*>\s*([^<]{1,300})', page)
    return "; ".join(found) or page[-3000:]


def closing_connection(work):
    """``work`` for a thread of the pool: its own database connection is closed when it is done,
    so none is left open when the test database is dropped."""

    def run(*args):
        try:
            return work(*args)
        finally:
            connection.close()

    return run


def every_nth(index: int, n: int, offset: int = 0) -> bool:
    return index % n == offset


# The path of each case (index 0..199), chosen to keep the run within a few minutes:
# - every 5th (40): the correction is asked, then its period runs out → deemed abandoned by a timer;
# - every 10th + 1 (20): accepted, proposed (not held), approved, served;
# - the others (140): accepted, then wait for the handler's proposal.
def lapses(index: int) -> bool:
    return every_nth(index, 5)


def goes_to_service(index: int) -> bool:
    return every_nth(index, 10, 1)


@pytest.fixture
def redis_run():
    """The Redis of the run and a name of the run's own, for its queue and cache keys (nothing of
    another run, or of a neighbour on the same Redis, is taken or flushed); its keys are removed
    afterwards."""
    url = redis_url()
    if url is None:
        pytest.skip("needs Redis (GONGKAI_TEST_REDIS_URL or REDIS_URL, default 127.0.0.1:6379)")
    for name in ("gunicorn", "celery"):
        if tool(name) is None:
            pytest.skip(f"needs {name} (pip install -e '.[test]')")
    run = f"gongkai-test-{uuid.uuid4().hex[:8]}"
    yield url, run
    import redis

    client = redis.Redis.from_url(url)
    for key in client.scan_iter(match=f"*{run}*", count=1000):
        client.delete(key)


def officer(username: str, role: str, agency: Agency):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create(username=username, first_name=username)
    # Few iterations: the servers check it quickly, then store it again with their own.
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    user.save()
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    agency.staff.add(user)
    return user


def older_documents(rows: int, batch: int) -> bytes:
    """A spreadsheet (CSV) of ``rows`` older documents, each 文号 of its own."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.header for c in COLUMNS])
    for n in range(rows):
        values = {
            "drafting_unit": UNITS[n % len(UNITS)],
            "title": f"关于第{batch}批第{n + 1}项工作的通知",
            "number": f"集政发〔2019〕{batch * 100_000 + n + 1}号",
            "kind": "其他公文",
            "formed_on": "2019-04-03",
            "issued_on": "2019-04-08",
            "secrecy": "非涉密",
        }
        writer.writerow([values.get(c.key, "") for c in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def test_the_cluster_does_everything_once(redis_run, processes, tmp_path):
    agency = Agency.objects.create(
        name="集群市人民政府办公室",
        short_name="集群市政府办",
        code="cluster",
        case_number_prefix="集信申",
        # Named in the replies' notice of remedies (a reply cannot be issued without them).
        reconsideration_organ="集群市人民政府",
        court="集群市人民法院",
    )
    for name in UNITS:
        DraftingUnit.objects.create(agency=agency, name=name)
    registrar = officer("registrar", "registrar", agency)
    handler = officer("handler", "handler", agency)
    head = officer("office_head", "office_head", agency)

    # -- the processes ----------------------------------------------------------------------
    redis, run = redis_run
    ports = [free_port(), free_port()]
    servers = [f"http://127.0.0.1:{port}" for port in ports]
    env = child_environment(
        tmp_path,
        DEBUG="0",
        SECRET_KEY=f"{run}-not-secret",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        REDIS_URL=redis,
        CELERY_BROKER_URL=redis,
        GONGKAI_CELERY_QUEUE=run,
        GONGKAI_CACHE_PREFIX=run,
        GONGKAI_JOBS="celery",
        GONGKAI_SESSIONS="cache",
        GUNICORN_WORKERS="2",
        GUNICORN_THREADS="4",
        GUNICORN_ACCESS_LOG="",
    )
    for index, port in enumerate(ports):
        processes.start(
            f"web-{'ab'[index]}",
            [tool("gunicorn"), "-c", "config/gunicorn.conf.py", "config.wsgi"],
            {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        )
    worker = [tool("celery"), "-A", "config", "worker", "--loglevel", "INFO", "--concurrency", "2"]
    worker += ["--hostname", f"{run}@%h", "--without-gossip", "--without-mingle"]
    processes.start("worker", worker, env)
    beat = [tool("celery"), "-A", "config", "beat", "--loglevel", "INFO"]
    processes.start("beat", [*beat, "--schedule", str(tmp_path / "beat-schedule")], env)
    for name in ("dispatcher-a", "dispatcher-b"):
        processes.start(name, manage("run_dispatcher", "--interval", "5"), env)

    def healthy(server: str) -> bool:
        import requests

        try:
            return requests.get(f"{server}/healthz", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    for server in servers:
        wait_for(lambda s=server: healthy(s), timeout=180, what=f"{server}/healthz to answer 200")
    wait_for(
        lambda: "ready" in processes.children["worker"].output(),
        timeout=180,
        what="the Celery worker to be ready",
    )

    # -- real logins; each browser session then goes to either server ------------------------
    a, b = servers
    clerk, officer_h, officer_o = (
        Officer(u.username, PASSWORD) for u in (registrar, handler, head)
    )
    clerk.login(a)
    officer_h.login(b)
    officer_o.login(a)
    pool = ThreadPoolExecutor(max_workers=6)
    today = timezone.localdate()

    # -- background jobs: an import whose worker is killed in the middle, then another -------
    def import_older(batch: int, rows: int, *, kill: bool) -> int:
        index = reverse("attributes:documents:older_import:index")
        upload = officer_o.post(
            a,
            index,
            {"agency": str(agency.pk)},
            files={"file": (f"第{batch}批.csv", older_documents(rows, batch), "text/csv")},
        )
        assert upload.status_code == 302, form_errors(upload.text)
        confirm = officer_o.post(
            b, location(upload), {}
        )  # checked on one server, confirmed on the other
        assert confirm.status_code == 302, form_errors(confirm.text)
        job = Job.objects.get(pk=int(location(confirm).rstrip("/").split("/")[-1]))
        if kill:
            wait_for(
                lambda: Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).exists(),
                timeout=180,
                what=f"the import job {job.pk} to start",
                every=0.05,
            )
            processes.kill("worker")
            processes.restart("worker")
        status_url = reverse("attributes:documents:older_import:job_status", args=[job.pk])

        def finished():
            answer = officer_o.get(a, status_url)  # the job's page polls this, as a browser does
            assert answer.status_code == 200, answer.status_code
            return answer.json()["finished"]

        wait_for(finished, timeout=300, what=f"the import job {job.pk} to finish", every=1)
        return job.pk

    def imports() -> list[int]:
        return [
            import_older(1, IMPORTS[0], kill=True),
            import_older(2, IMPORTS[1], kill=False),
        ]

    jobs_done = pool.submit(closing_connection(imports))

    # -- 200 registrations; every 4th sent to both servers at once ----------------------------
    register_url = reverse("requests:register:index")

    def register(index: int) -> str:
        token = uuid.uuid4().hex
        form = registration(agency.pk, index, token, today)
        if every_nth(index, 4):
            twin = clerk.twin()
            outcomes = at_once(
                lambda: clerk.post(a, register_url, form), lambda: twin.post(b, register_url, form)
            )
            assert [o.error for o in outcomes] == [None, None]
            notices = sorted(location(o.response).rpartition("notice=")[2] for o in outcomes)
            assert [o.response.status_code for o in outcomes] == [302, 302]
            assert notices == ["registered", "resubmitted"], notices
        else:
            response = clerk.post(servers[index % 2], register_url, form)
            assert response.status_code == 302, form_errors(response.text)
            assert location(response).endswith("notice=registered")
        return token

    tokens = list(pool.map(register, range(CASES)))
    cases = {index: R.objects.get(submission_token=token) for index, token in enumerate(tokens)}

    # -- a step posted twice at once, once to each server --------------------------------------
    def open_task(case, node) -> Task:
        return process_for(case).task_set.get(
            flow_task=getattr(RequestFlow, node), status__in=ACTIVE
        )

    def twice(person: Officer, task: Task, data: dict, *, read_messages: bool = False) -> None:
        if task.owner_id is None:
            taken = person.post(a, url(task, "assign"), {})
            assert taken.status_code == 302, taken.status_code
        target = url(task, "execute")
        # Two windows of the officer's session (each thread of the driver has its own, so that
        # the messages each page leaves are read by that window only).
        one, two = person.twin(), person.twin()
        outcomes = at_once(lambda: one.post(a, target, data), lambda: two.post(b, target, data))
        assert [o.error for o in outcomes] == [None, None]
        codes = [o.response.status_code for o in outcomes]
        assert codes == [302, 302], [form_errors(o.response.text) for o in outcomes]
        if read_messages:
            # The page each window goes on to: one of them says the step was already done.
            windows = (one, two)
            pages = [
                w.get(s, location(o.response))
                for w, s, o in zip(windows, (a, b), outcomes, strict=True)
            ]
            assert [page.status_code for page in pages] == [200, 200]
            assert sum("已经办理，无需重复提交" in page.text for page in pages) == 1

    accept_tasks = {i: open_task(case, "accept") for i, case in cases.items()}

    def accept(index: int) -> None:
        if lapses(index):
            data = step("correction", items="请写明所需信息的文件名称或文号", period_days="15")
        else:
            data = step("accept")
        twice(officer_h, accept_tasks[index], data, read_messages=every_nth(index, 10, 2))

    list(pool.map(accept, cases))

    # The correction notices were served long ago: their periods have run out (time moved on by
    # setting the dates, as if 40 days had passed). The dispatchers fire the timers from here.
    lapsed = [i for i in cases if lapses(i)]
    for index in lapsed:
        case = R.objects.get(pk=cases[index].pk)
        assert case.stage == R.Stage.CORRECT
        long_ago = today - timedelta(days=40)
        ended = today - timedelta(days=1)
        NoticeService.objects.filter(request=case, notice="correction").update(
            served_on=long_ago, received_on=long_ago, method="direct", period_end=ended
        )
        R.objects.filter(pk=case.pk).update(correction_deadline=ended)
        process_for(case).task_set.filter(
            flow_task=RequestFlow.correct__timeout, status=STATUS.SCHEDULED
        ).update(scheduled=timezone.now() - timedelta(minutes=1))

    # The cases that go on to service: proposed once, approved and served twice at once.
    onward = [i for i in cases if goes_to_service(i)]

    def to_service(index: int) -> None:
        case = cases[index]
        propose = open_task(case, "propose")
        proposal = step(
            "propose",
            outcome="not_held",
            articles=f"{REG}第三十六条第（四）项",
            search_description="检索了2025年全部收文和发文",
        )
        if propose.owner_id is None:
            officer_h.post(b, url(propose, "assign"), {})
        response = officer_h.post(b, url(propose, "execute"), proposal)
        assert response.status_code == 302, form_errors(response.text)
        twice(officer_o, open_task(case, "approve"), step("approve", comment=""))
        served = step("serve", method="electronic", served_on=today.isoformat())
        twice(clerk, open_task(case, "serve"), served)

    list(pool.map(closing_connection(to_service), onward))

    # -- everything settles: the jobs finish, the timers fire ---------------------------------
    job_ids = jobs_done.result(timeout=600)
    wait_for(
        lambda: (
            R.objects.filter(pk__in=[cases[i].pk for i in lapsed], stage=R.Stage.SERVE).count()
            == len(lapsed)
        ),
        timeout=300,
        what="the dispatchers to fire every lapsed correction timer",
        every=1,
    )
    pool.shutdown()

    # -- nothing done twice, nothing lost -----------------------------------------------------
    assert R.objects.filter(agency=agency).count() == CASES
    registered = AuditEvent.objects.filter(action=RequestAction.REQUEST_REGISTERED, agency=agency)
    assert Counter(registered.values_list("object_id", flat=True)) == Counter(
        {str(case.pk): 1 for case in cases.values()}
    )
    for index, case in cases.items():
        case = R.objects.get(pk=case.pk)
        process = process_for(case)
        tasks = Counter(t.flow_task.name for t in process.task_set.all())
        open_tasks = [
            t.flow_task.name
            for t in process.task_set.filter(flow_task_type="HUMAN", status__in=ACTIVE)
        ]
        events = Counter(
            AuditEvent.objects.filter(
                object_id=str(case.pk), object_type="requests_app.informationrequest"
            ).values_list("action", flat=True)
        )
        assert not process.task_set.filter(status=STATUS.ERROR).exists(), index
        # One of each letter: the receipt; the correction notice and the notice that the
        # application is deemed abandoned; or the reply.
        kinds = Counter(
            CaseDocument.objects.filter(request=case, kind=CaseDocument.Kind.LETTER).values_list(
                "letter_kind", flat=True
            )
        )
        assert max(kinds.values()) == 1, kinds
        assert len(kinds) == (3 if lapses(index) else 2 if goes_to_service(index) else 1), kinds
        assert tasks["accept"] == 1, (index, tasks)
        if lapses(index):
            assert (case.stage, case.outcome) == (R.Stage.SERVE, "abandoned_no_correction")
            assert events[RequestAction.REQUEST_DEEMED_ABANDONED] == 1, events
            assert tasks["correct"] == 1 and tasks["correct__timeout"] == 1, tasks
            assert open_tasks == ["serve"], open_tasks
        elif goes_to_service(index):
            assert case.stage == R.Stage.ARCHIVE, case.stage
            assert events[RequestAction.DECISION_APPROVED] == 1, events
            assert events[RequestAction.REQUEST_SERVED] == 1, events
            assert (tasks["approve"], tasks["serve"]) == (1, 1), tasks
            assert open_tasks == ["archive"], open_tasks
        else:
            assert case.stage == R.Stage.PROPOSE, case.stage
            assert events[RequestAction.REQUEST_ACCEPTED] == 1, events
            assert open_tasks == ["propose"], open_tasks
    letters = CaseDocument.objects.filter(request__agency=agency, kind=CaseDocument.Kind.LETTER)
    numbers = Counter(letters.exclude(number="").values_list("number", flat=True))
    assert numbers and max(numbers.values()) == 1, numbers.most_common(3)

    first, second = (Job.objects.get(pk=pk) for pk in job_ids)
    assert (first.status, second.status) == (Job.Status.DONE, Job.Status.DONE), (
        first.message,
        second.message,
    )
    assert first.attempts == 2  # killed once, then run again in full
    for batch, rows in enumerate(IMPORTS, 1):
        titles = Document.objects.filter(agency=agency, title__startswith=f"关于第{batch}批")
        assert titles.count() == rows
        assert titles.values("number").distinct().count() == rows
    imported = AuditEvent.objects.filter(action="document_registered", agency=agency).count()
    assert imported == sum(IMPORTS)
    assert AuditEvent.objects.filter(action="job_requeued", object_id=str(first.pk)).count() == 1
    # Nothing left behind: no timer due and not fired, no job waiting.
    assert not Task.objects.filter(
        flow_task_type="TIMER", status=STATUS.SCHEDULED, scheduled__lte=timezone.now()
    ).exists()
    assert not Job.objects.exclude(status__in=[Job.Status.DONE]).exists()
