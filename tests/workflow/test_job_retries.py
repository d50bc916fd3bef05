"""Outbound work tried again with back-off, lost jobs handed on again, and the ``celery`` mode's
choices made without a broker (what is sent is caught here; ``test_celery_jobs`` runs a real
worker)."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from tests.workflow.test_jobs import _owner_of_dead_process
from workflow import jobs
from workflow.models import AuditEvent, Job
from workflow.tasks import run_job

pytestmark = pytest.mark.django_db
HANDLERS = "tests.workflow.job_handlers"


@pytest.fixture
def outbound(settings, registrar, agency, django_capture_on_commit_callbacks):
    settings.GONGKAI_JOBS = "inline"

    def make(handler: str = "flaky", *, max_attempts: int = 5, backoff: int = 60, **params):
        with django_capture_on_commit_callbacks(execute=True):
            return jobs.submit_outbound(
                f"{HANDLERS}.{handler}",
                params,
                agency=agency,
                title="推送办理结果",
                actor=registrar,
                max_attempts=max_attempts,
                backoff=backoff,
            )

    return make


def effects(job: Job) -> int:
    return AuditEvent.objects.filter(action="test_effect", object_id=str(job.pk)).count()


def sweep() -> None:
    call_command("sweep_leftovers", "--jobs-only", stdout=io.StringIO())


def test_outbound_work_is_tried_again_after_a_doubling_back_off_and_done_once(outbound):
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False) as clock:
        job = outbound(succeed_on=3)  # the first try fails at the commit
        job.refresh_from_db()
        assert (job.status, job.attempts, job.last_error) == (
            "queued",
            1,
            "ConnectionError: 第1次：对方没有响应",
        )
        assert job.next_attempt_at == timezone.now() + timedelta(seconds=60)
        clock.shift(59)
        sweep()  # not yet due
        job.refresh_from_db()
        assert job.attempts == 1
        clock.shift(1)
        sweep()  # the second try fails: the next in 120 seconds
        job.refresh_from_db()
        assert (job.status, job.attempts) == ("queued", 2)
        assert job.next_attempt_at == timezone.now() + timedelta(seconds=120)
        assert jobs.run(job.pk) is None  # a runner that comes early does not take it
        clock.shift(120)
        sweep()
        sweep()  # and a sweep after it is done changes nothing
    job.refresh_from_db()
    assert (job.status, job.attempts, job.message, effects(job)) == ("done", 3, "已送达。", 1)
    retries = AuditEvent.objects.filter(action="job_retry", object_id=str(job.pk)).order_by("pk")
    assert [(e.from_state, e.to_state, e.data["delay_seconds"]) for e in retries] == [
        ("running", "queued", 60),
        ("running", "queued", 120),
    ]
    assert not AuditEvent.objects.filter(action="job_gave_up").exists()


def test_outbound_work_gives_up_after_its_last_try_and_says_so(outbound):
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False) as clock:
        job = outbound(succeed_on=99, max_attempts=2, backoff=5)
        clock.shift(5)
        sweep()
        clock.shift(3600)
        sweep()  # no third try
    job.refresh_from_db()
    assert (job.status, job.attempts, job.message) == ("failed", 2, jobs.SYSTEM_ERROR)
    assert job.last_error == "ConnectionError: 第2次：对方没有响应" and effects(job) == 0
    gave_up = AuditEvent.objects.get(action="job_gave_up", object_id=str(job.pk))
    assert (gave_up.from_state, gave_up.to_state, gave_up.data["attempts"]) == (
        "running",
        "failed",
        2,
    )
    assert gave_up.reason == job.last_error and gave_up.agency_id == job.agency_id


def test_outbound_work_refused_for_good_is_not_tried_again(outbound, monkeypatch):
    job = outbound("flaky", succeed_on=1, max_attempts=3)
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 1)  # through at the first try: no retry

    def refuses(job):
        raise jobs.JobFailed("对方拒收：收件地址无效。")

    monkeypatch.setattr("tests.workflow.job_handlers.flaky", refuses)
    job = outbound("flaky", succeed_on=1, max_attempts=3)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.message) == ("failed", 1, "对方拒收：收件地址无效。")
    assert AuditEvent.objects.get(action="job_gave_up", object_id=str(job.pk)).reason == (
        "对方拒收：收件地址无效。"
    )


def test_the_back_off_is_capped_at_the_stale_limit(settings):
    settings.GONGKAI_JOB_STALE_MINUTES = 10
    job = Job(retry_backoff=60, attempts=4)
    assert jobs.retry_delay(job) == timedelta(minutes=8)
    job.attempts = 5
    assert jobs.retry_delay(job) == timedelta(minutes=10)


def test_the_queue_worker_takes_a_retry_only_when_it_is_due(outbound, settings):
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False) as clock:
        settings.GONGKAI_JOBS = "queue"
        job = outbound(succeed_on=2, backoff=30)
        call_command("run_jobs", "--once", stdout=io.StringIO())  # the first try
        clock.shift(29)
        call_command("run_jobs", "--once", stdout=io.StringIO())
        job.refresh_from_db()
        assert (job.status, job.attempts) == ("queued", 1)
        assert jobs.resend_lost() == 0  # the queue worker's own business
        clock.shift(1)
        call_command("run_jobs", "--once", stdout=io.StringIO())
    job.refresh_from_db()
    assert (job.status, job.attempts, effects(job)) == ("done", 2, 1)


def test_a_job_nobody_took_is_run_by_the_sweeper(settings, registrar, agency):
    settings.GONGKAI_JOBS = "thread"
    # Queued by a web process that died before its thread started: never handed on.
    job = Job.objects.create(
        kind=f"{HANDLERS}.effect",
        title="测试任务",
        agency=agency,
        created_by=registrar,
        created_at=timezone.now(),
    )
    sweep()
    job.refresh_from_db()
    assert job.status == "queued"  # it may still be on its way
    with time_machine.travel(timezone.now() + timedelta(minutes=10, seconds=1)):
        sweep()
    job.refresh_from_db()
    assert (job.status, job.attempts, effects(job)) == ("done", 1, 1)
    assert job.sent_at is not None


def test_outbound_work_cut_off_by_a_restart_is_tried_again_by_the_sweeper(outbound, settings):
    settings.GONGKAI_JOBS = "thread"
    job = Job.objects.create(
        kind=f"{HANDLERS}.flaky",
        title="推送办理结果",
        agency_id=Job._meta.get_field("agency").related_model.objects.get().pk,
        created_at=timezone.now(),
        params={"succeed_on": 1},
        max_attempts=3,
        status="running",
        started_at=timezone.now(),
        owner=_owner_of_dead_process(),  # the web process died mid-send
        attempts=1,
    )
    sweep()  # queued again (its process is gone), then run as it is due
    job.refresh_from_db()
    assert (job.status, job.attempts, effects(job)) == ("done", 2, 1)
    assert AuditEvent.objects.filter(action="job_requeued", object_id=str(job.pk)).count() == 1
    assert not AuditEvent.objects.filter(action="job_cut_off").exists()


# -- the celery mode, its messages caught ---------------------------------------------------------


@pytest.fixture
def sent(settings, monkeypatch):
    settings.GONGKAI_JOBS = "celery"
    messages: list[tuple[tuple, dict]] = []

    def apply_async(args, **options):
        messages.append((args, options))

    monkeypatch.setattr(run_job, "apply_async", apply_async)
    return messages


def _running(registrar, agency, owner: str, status: str = "running", **fields) -> Job:
    return Job.objects.create(
        kind=f"{HANDLERS}.effect",
        title="测试任务",
        agency=agency,
        created_by=registrar,
        created_at=timezone.now(),
        status=status,
        started_at=timezone.now(),
        owner=owner,
        attempts=1,
        **fields,
    )


def test_in_celery_mode_a_job_is_sent_after_the_commit(
    sent, registrar, agency, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = jobs.submit(kind=f"{HANDLERS}.effect", title="t", actor=registrar, agency=agency)
    assert sent == []
    for callback in callbacks:
        callback()
    assert sent == [((job.pk,), {"countdown": None})]
    job.refresh_from_db()
    assert job.sent_at is not None


def test_in_celery_mode_a_job_whose_worker_is_gone_is_queued_again_and_sent(
    sent, registrar, agency
):
    job = jobs.reap(_running(registrar, agency, _owner_of_dead_process()))
    assert (job.status, job.owner, job.last_error) == ("queued", "", jobs.INTERRUPTED)
    assert sent == [((job.pk,), {"countdown": None})]
    event = AuditEvent.objects.get(action="job_requeued")
    assert (event.from_state, event.to_state, event.data["attempts"]) == ("running", "queued", 1)
    assert jobs.status_of(job)["label"] == "排队中"


def test_in_celery_mode_the_redelivered_message_runs_the_cut_off_job_itself(
    sent, registrar, agency
):
    job = _running(registrar, agency, _owner_of_dead_process())
    run_job(job.pk)  # the lost try's message, handed on again
    job.refresh_from_db()
    assert (job.status, job.attempts, effects(job)) == ("done", 2, 1)
    assert sent == []  # it ran the job itself: nothing more to send
    run_job(job.pk)  # yet another delivery: nothing
    assert effects(job) == 1


def test_in_celery_mode_a_job_cut_off_on_its_second_try_is_failed(sent, registrar, agency):
    job = _running(registrar, agency, _owner_of_dead_process(), max_attempts=1)
    Job.objects.filter(pk=job.pk).update(attempts=2)
    run_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.message, effects(job)) == ("failed", jobs.INTERRUPTED, 0)
    assert AuditEvent.objects.filter(action="job_cut_off").count() == 1 and sent == []


def test_in_celery_mode_a_job_still_running_elsewhere_is_left_alone(sent, registrar, agency):
    job = _running(registrar, agency, "another-host|1|x:1|pid:[1]")
    run_job(job.pk)
    assert jobs.sweep() == 0
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 1) and sent == []


def test_in_celery_mode_a_retry_delivered_early_waits_out_its_back_off(sent, registrar, agency):
    job = _running(registrar, agency, "", status="queued", next_attempt_at=None)
    Job.objects.filter(pk=job.pk).update(next_attempt_at=timezone.now() + timedelta(seconds=90))
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == "queued" and effects(job) == 0
    [(args, options)] = sent
    assert args == (job.pk,) and 85 < options["countdown"] <= 90


def test_in_celery_mode_a_broker_down_leaves_the_job_queued_for_the_sweeper(
    settings, registrar, agency, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    settings.GONGKAI_JOBS = "celery"

    def broker_down(args, **options):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(run_job, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.submit(kind=f"{HANDLERS}.effect", title="t", actor=registrar, agency=agency)
    job.refresh_from_db()
    assert (job.status, job.sent_at) == ("queued", None)
    assert "could not be sent to the broker" in caplog.text
    assert list(jobs.lost(timezone.now() + timedelta(minutes=11))) == [job]
