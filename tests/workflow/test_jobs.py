"""Background jobs: run once, report what happened in words, never leave a job hanging."""

import io
import os
import socket
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction

from workflow import jobs
from workflow.errors import NotAllowed
from workflow.jobs import JobFailed, JobOutcome
from workflow.models import AuditEvent, Job

pytestmark = pytest.mark.django_db
HERE = "tests.workflow.test_jobs"
calls: list[int] = []


def succeeds(job):
    calls.append(job.pk)
    return JobOutcome(message=f"已处理{job.params['n']}项。", url="/done/", data={"n": 3})


def refuses(job):
    raise JobFailed("该年度的复核已经启动过。")


def invalid(job):
    raise ValidationError({"year": "复核年度不能晚于今年。"})


def not_allowed(job):
    raise NotAllowed("您不是本机关的工作人员。")


def breaks(job):
    raise RuntimeError("disk full")


@pytest.fixture
def submit(settings, registrar, agency):
    settings.GONGKAI_JOBS = "queue"
    cache.clear()  # job ids come again after a rolled-back test; their progress must not

    def make(handler: str, **params) -> Job:
        return jobs.submit(
            kind=f"{HERE}.{handler}",
            title="测试任务",
            actor=registrar,
            agency=agency,
            params=params,
            total=3,
        )

    return make


def test_a_job_runs_once_and_reports(submit):
    calls.clear()
    job = submit("succeeds", n=3)
    assert job.status == "queued"
    done = jobs.run(job.pk)
    assert (done.status, done.message, done.result) == (
        "done",
        "已处理3项。",
        {"url": "/done/", "n": 3},
    )
    assert jobs.run(job.pk) is None  # already run: a second runner does nothing
    assert calls == [job.pk]
    state = jobs.status_of(done)
    assert state["finished"] and state["ok"] and state["url"] == "/done/"


@pytest.mark.parametrize(
    ("handler", "message"),
    [
        ("refuses", "该年度的复核已经启动过。"),
        ("invalid", "复核年度不能晚于今年。"),
        ("not_allowed", "您不是本机关的工作人员。"),
        ("breaks", jobs.SYSTEM_ERROR),  # the details go to the log, not to the user
    ],
)
def test_a_failed_job_says_why_in_words(submit, handler, message):
    job = jobs.run(submit(handler).pk)
    assert (job.status, job.message) == ("failed", message)
    state = jobs.status_of(job)
    assert state["finished"] and not state["ok"] and state["url"] == ""


def test_an_unknown_handler_fails_when_submitted(submit):
    with pytest.raises(ImportError):
        submit("no_such_handler")
    assert not Job.objects.exists()


def test_a_job_cut_off_is_shown_and_marked_so(submit):
    job = submit("succeeds", n=1)
    Job.objects.filter(pk=job.pk).update(status="running", started_at=job.created_at)
    job.refresh_from_db()
    assert not jobs.is_cut_off(job)
    later = job.created_at + jobs.stale_after() + timedelta(minutes=1)
    assert jobs.is_cut_off(job, later)
    assert jobs.status_of(job, later)["label"] == "已中断"
    with time_machine.travel(later, tick=False):
        jobs.run_queued()
    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", jobs.CUT_OFF)


def test_the_worker_command_runs_queued_jobs_oldest_first(submit):
    calls.clear()
    first, second = submit("succeeds", n=1), submit("succeeds", n=2)
    out = io.StringIO()
    call_command("run_jobs", "--once", stdout=out)
    assert "已运行2个后台任务" in out.getvalue()
    assert calls == [first.pk, second.pk]
    assert set(Job.objects.values_list("status", flat=True)) == {"done"}


def test_a_job_starts_only_after_its_transaction_commits(
    submit, settings, django_capture_on_commit_callbacks
):
    settings.GONGKAI_JOBS = "inline"
    calls.clear()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        submit("succeeds", n=1)
        raise RuntimeError("the request failed")
    assert calls == [] and not Job.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        job = submit("succeeds", n=1)
    assert calls == [job.pk]


@pytest.mark.django_db(transaction=True)
def test_in_thread_mode_the_job_runs_beside_the_request(settings, registrar, agency):
    settings.GONGKAI_JOBS = "thread"
    calls.clear()
    job = jobs.submit(
        kind=f"{HERE}.succeeds", title="测试任务", actor=registrar, agency=agency, params={"n": 5}
    )
    for worker in threading.enumerate():
        if worker.name == f"gongkai-job-{job.pk}":  # still running: wait for it
            worker.join(timeout=30)
    job.refresh_from_db()
    assert (job.status, job.message) == ("done", "已处理5项。")


reported: list[dict] = []


def reports_progress(job):
    report = jobs.progress_reporter(job, every=0)
    for done in (1, 2):
        report(done)
        reported.append(jobs.status_of(Job.objects.get(pk=job.pk)))
    return JobOutcome(message="完成。")


def test_a_running_job_shows_how_far_it_has_got(submit):
    # Long work shows progress: what the service reports reaches the waiting page's state.
    job = submit("reports_progress")
    queued = jobs.status_of(job)
    assert queued["percent"] is None and queued["progress"] == ""
    reported.clear()
    jobs.run(job.pk)
    assert [(s["done"], s["percent"], s["progress"]) for s in reported] == [
        (1, 33, "已处理 1 / 3 项"),
        (2, 66, "已处理 2 / 3 项"),
    ]
    finished = jobs.status_of(Job.objects.get(pk=job.pk))
    assert finished["ok"] and finished["percent"] is None  # done: the bar is full, not a share


def test_progress_never_claims_a_finished_job_before_it_ends(submit):
    job = submit("succeeds", n=3)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    job.refresh_from_db()
    jobs.progress_reporter(job, every=0)(3)
    state = jobs.status_of(job)
    assert state["done"] == 3 and state["percent"] == 99


def test_progress_is_reported_at_most_every_interval(submit):
    job = submit("succeeds", n=3)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    job.refresh_from_db()
    report = jobs.progress_reporter(job, every=3600)
    report(1)  # the first report is always written, however young the monotonic clock
    report(2)  # within the interval: not written
    assert jobs.progress_of(job) == 1


# -- a job whose process is gone (issue #10, point 6) ---------------------------------------------


def _owner_of_dead_process() -> str:
    """The owner token of a process that ran here and is gone (started, taken, then reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        owner = jobs.owner_of(process.pid)
    finally:
        process.kill()
        process.wait()
    return owner


def _running_job(submit, owner: str) -> Job:
    job = submit("succeeds", n=1)
    Job.objects.filter(pk=job.pk).update(status="running", started_at=job.created_at, owner=owner)
    job.refresh_from_db()
    return job


def test_the_runner_records_itself_as_the_owner(submit):
    job = jobs.run(submit("succeeds", n=1).pk)
    host, pid, token, namespace = job.owner.split("|")
    assert (host, int(pid)) == (socket.gethostname(), os.getpid())
    assert token == jobs.this_process().split("|")[2]
    assert namespace == os.readlink("/proc/self/ns/pid")


def test_a_job_whose_process_is_gone_is_cut_off_at_once_and_audited(submit):
    job = _running_job(submit, _owner_of_dead_process())
    assert jobs.is_cut_off(job)  # no two hours to wait
    assert jobs.status_of(job)["message"] == jobs.INTERRUPTED
    job = jobs.reap(job)
    assert (job.status, job.message) == (
        "failed",
        "办理中断（服务重启），未保存任何内容，请重新提交。",
    )
    event = AuditEvent.objects.get(action="job_cut_off")
    assert (event.object_id, event.from_state, event.to_state) == (str(job.pk), "running", "failed")
    assert event.agency_id == job.agency_id and event.reason == jobs.INTERRUPTED
    jobs.reap(job)
    assert AuditEvent.objects.filter(action="job_cut_off").count() == 1  # once


def test_the_sweep_marks_jobs_of_gone_processes_and_leaves_live_ones(submit):
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        foreign = _running_job(submit, jobs.owner_of(alive.pid))  # another live process
        gone = _running_job(submit, _owner_of_dead_process())
        assert not jobs.is_cut_off(foreign)
        assert jobs.sweep() == 1
        foreign.refresh_from_db()
        gone.refresh_from_db()
        assert foreign.status == "running"
        assert (gone.status, gone.message) == ("failed", jobs.INTERRUPTED)
    finally:
        alive.kill()
        alive.wait()


def test_a_pid_used_again_by_a_later_process_is_not_the_owner(submit):
    host, pid, token, namespace = jobs.this_process().split("|")
    boot, _, start = token.partition(":")
    # This pid, but a process that started before.
    earlier = f"{host}|{pid}|{boot}:{int(start) - 1}|{namespace}"
    assert jobs.is_cut_off(_running_job(submit, earlier))
    assert not jobs.is_cut_off(_running_job(submit, jobs.this_process()))


def test_a_job_of_another_host_or_container_waits_for_the_stale_limit(submit):
    # A process of another host, or of a container with the same host name but its own process
    # ids, cannot be looked at: not taken for gone.
    host, pid, token, _ = _owner_of_dead_process().split("|")
    for owner in ("another-host|1|x:1|pid:[1]", f"{host}|{pid}|{token}|pid:[4026531999]"):
        job = _running_job(submit, owner)
        assert not jobs.is_cut_off(job)
    assert jobs.sweep() == 0


def test_the_worker_and_the_dispatcher_sweep_when_they_start(submit):
    first = _running_job(submit, _owner_of_dead_process())
    call_command("run_jobs", "--once", stdout=io.StringIO())
    second = _running_job(submit, _owner_of_dead_process())
    call_command("run_dispatcher", "--once", stdout=io.StringIO())
    assert set(
        Job.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", "message")
    ) == {("failed", jobs.INTERRUPTED)}


def test_a_zombie_process_is_gone():
    """A pool process killed with its parent answers signals until it is reaped, but will never
    finish its job: the sweeper counts it as gone."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, not reaped: a zombie
        os.kill(child.pid, 0)  # it still answers a signal
        if not jobs._read(f"/proc/{child.pid}/stat"):
            pytest.skip("no /proc to read process states from")
        assert not jobs._alive(child.pid)
    finally:
        child.wait()
    assert not jobs._alive(child.pid)
