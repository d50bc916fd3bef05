"""The ``celery`` mode of the background jobs against a real broker and a real worker process.

``celery -A config worker`` runs beside the test, on the test's PostgreSQL database (it must see
the rows the test commits: transactional tests), with Redis as the broker
(``GONGKAI_TEST_REDIS_URL``, default ``redis://127.0.0.1:6379/15``) and once with RabbitMQ
(``GONGKAI_TEST_AMQP_URL``). Each test has a queue of its own, so that tests run side by side
never take each other's messages. The job is done once: sent once, sent twice, its worker process
killed mid-job, the whole worker killed, never sent at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from workflow import jobs
from workflow.models import AuditEvent, Job
from workflow.tasks import run_job, sweep_jobs

pytestmark = pytest.mark.django_db(transaction=True)

HANDLERS = "tests.workflow.job_handlers"
REDIS_URL = os.environ.get("GONGKAI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
AMQP_URL = os.environ.get("GONGKAI_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
BASE_DIR = Path(django_settings.BASE_DIR)


def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    default = {"redis": 6379, "amqp": 5672}.get(parts.scheme, 0)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default), 2):
            return True
    except OSError:
        return False


def wait_for(condition: Callable[[], object], what: str, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"waited {timeout} s for: {what}")
        time.sleep(0.05)


def _database_url() -> str:
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(str(db['PASSWORD']), safe='')}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


def _needs(broker: str) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (DATABASE_URL=postgres://…): the worker process must see the "
            "rows the test commits"
        )
    if not _reachable(broker):
        pytest.skip(f"no broker at {urlsplit(broker).netloc.rpartition('@')[2]}")


class Worker:
    """``celery -A config worker`` in a process group of its own, on the test's database."""

    def __init__(self, broker: str, queue: str, log: Path):
        self.broker, self.queue, self.log = broker, queue, log
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "GONGKAI_JOBS": "celery",
            "CELERY_BROKER_URL": self.broker,
            "GONGKAI_CELERY_QUEUE": self.queue,
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("REDIS_URL", None)
        command = [sys.executable, "-m", "celery", "-A", "config", "worker"]
        options = ["--concurrency=2", "--loglevel=INFO", "--without-gossip", "--without-mingle"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*command, *options, "--without-heartbeat", "-n", f"{self.queue}@%h"],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once (a machine's crash, the OOM killer)."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # a warm shutdown
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def restart(self) -> Worker:
        self.kill()
        return self.start()


def _connect(app, broker: str) -> None:
    """Send this process's messages to ``broker`` from now on (new connections, new producers)."""
    app.conf.broker_url = broker
    app._pool = None
    app.amqp._producer_pool = None


def _drop_queue(broker: str, queue: str) -> None:
    from kombu import Connection, Exchange, Queue

    try:
        with Connection(broker, connect_timeout=3) as conn:
            Queue(queue, Exchange(queue), queue)(conn.default_channel).delete()
    except Exception:  # a queue never declared; a broker gone meanwhile: nothing to leave behind
        pass
    if urlsplit(broker).scheme == "redis":  # the exchange's bindings too (keys named after it)
        import redis

        client = redis.Redis.from_url(broker, socket_connect_timeout=3)
        for key in client.scan_iter(match=f"*{queue}*"):
            client.delete(key)
        # A killed worker's unacknowledged message, kept for the visibility timeout.
        for tag, entry in client.hgetall("unacked").items():
            if json.loads(entry)[-1] == queue:  # [message, exchange, routing key]
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)


@contextlib.contextmanager
def _worker_on(broker: str, log: Path):
    """A worker on ``broker`` with a queue of its own; this process sends there meanwhile."""
    from config.celery import app

    _needs(broker)
    queue = f"gongkai-test-{uuid.uuid4().hex[:12]}"
    saved = app.conf.broker_url, app.conf.task_default_queue
    app.conf.task_default_queue = queue
    _connect(app, broker)
    worker = Worker(broker, queue, log).start()
    try:
        yield worker
    finally:
        worker.stop()
        _drop_queue(broker, queue)
        app.conf.task_default_queue = saved[1]
        _connect(app, saved[0])


@pytest.fixture(scope="module")
def redis_worker(django_db_setup, tmp_path_factory):
    """One Redis worker for the module's tests (it takes seconds to start on a busy machine)."""
    with _worker_on(REDIS_URL, tmp_path_factory.mktemp("celery") / "worker.log") as worker:
        yield worker


@pytest.fixture
def worker(redis_worker, settings):
    settings.GONGKAI_JOBS = "celery"
    return redis_worker


@pytest.fixture
def submit(registrar, agency, tmp_path):
    def make(handler: str = "effect", **params) -> Job:
        return jobs.submit(
            kind=f"{HANDLERS}.{handler}",
            title="测试任务",
            actor=registrar,
            agency=agency,
            params=params,
        )

    return make


def effects(job: Job) -> int:
    return AuditEvent.objects.filter(action="test_effect", object_id=str(job.pk)).count()


def state(job: Job) -> str:
    job.refresh_from_db()
    return job.status


def wait_done(job: Job, worker: Worker, timeout: float = 30) -> None:
    try:
        wait_for(lambda: state(job) in ("done", "failed"), f"job {job.pk} to end", timeout)
    except AssertionError as error:
        raise AssertionError(f"{error}\n--- worker log ---\n{worker.output()}") from None
    assert job.status == "done", (job.status, job.message, job.last_error, worker.output())


def lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def test_a_job_submitted_is_run_once_by_the_worker(worker, submit):
    job = submit()
    wait_done(job, worker)
    assert (job.attempts, effects(job)) == (1, 1)
    assert job.owner.split("|")[0] == socket.gethostname() and job.sent_at is not None


def test_a_message_delivered_twice_runs_the_job_once(worker, submit, tmp_path):
    release, log = tmp_path / "release", tmp_path / "tries"
    ended = worker.output().count("succeeded in")
    job = submit(wait_for=str(release), log=str(log))
    run_job.delay(job.pk)  # a second message for the same job
    run_job.delay(job.pk)  # and a third
    # The worker has two processes: one takes the job; the other takes both duplicates, finds
    # the job taken and does nothing.
    wait_for(lambda: len(lines(log)) == 1, "the first try to start")
    wait_for(
        lambda: worker.output().count("succeeded in") == ended + 2,
        "the duplicates to end while the job runs",
    )
    assert state(job) == "running"
    release.touch()
    wait_done(job, worker)
    assert (job.attempts, effects(job), len(lines(log))) == (1, 1, 1)


def test_a_worker_process_killed_mid_job_is_run_again_once(worker, submit, tmp_path):
    release, log = tmp_path / "release", tmp_path / "tries"
    job = submit(wait_for=str(release), log=str(log))
    wait_for(lambda: len(lines(log)) == 1, "the job to start")
    job.refresh_from_db()
    pid = int(job.owner.split("|")[1])
    assert pid == int(lines(log)[0]) and pid != worker.process.pid  # a pool process
    os.kill(pid, signal.SIGKILL)  # the OOM killer, mid-transaction
    release.touch()
    # The worker hands the message back (reject_on_worker_lost); its next delivery finds the job
    # "running" for a process that is gone, queues it again and runs it.
    wait_done(job, worker)
    assert (job.attempts, effects(job), len(lines(log))) == (2, 1, 2)
    requeued = AuditEvent.objects.get(action="job_requeued", object_id=str(job.pk))
    assert (requeued.from_state, requeued.to_state) == ("running", "queued")
    assert not AuditEvent.objects.filter(action="job_cut_off").exists()


def test_a_job_killed_on_its_last_try_is_reported_cut_off(worker, submit, tmp_path):
    release, log = tmp_path / "release", tmp_path / "tries"
    job = submit(wait_for=str(release), log=str(log))
    for tries in (1, 2):  # the first kill is run again; the second is the end of it
        wait_for(lambda tries=tries: len(lines(log)) == tries, f"try {tries} to start")
        job.refresh_from_db()
        os.kill(int(job.owner.split("|")[1]), signal.SIGKILL)
    wait_for(lambda: state(job) == "failed", "the job to be marked cut off")
    assert (job.message, job.attempts, effects(job)) == (jobs.INTERRUPTED, 2, 0)
    assert AuditEvent.objects.filter(action="job_cut_off", object_id=str(job.pk)).count() == 1


def test_a_job_never_sent_is_sent_again_by_the_sweeper(worker, submit):
    from config.celery import app

    _connect(app, "redis://127.0.0.1:9/0")  # the broker is down at the commit
    started = time.monotonic()
    try:
        job = submit()  # the page is served all the same, without a long wait
    finally:
        _connect(app, worker.broker)
    assert time.monotonic() - started < 10
    job.refresh_from_db()
    assert (job.status, job.sent_at) == ("queued", None)
    assert jobs.resend_lost() == 0  # not yet: it may still be on its way
    later = timezone.now() + jobs.resend_after() + timedelta(seconds=1)
    assert jobs.resend_lost(now=later) == 1
    wait_done(job, worker)
    assert (job.attempts, effects(job)) == (1, 1)


def test_outbound_work_is_tried_again_with_back_off_until_it_gets_through(
    worker, registrar, agency
):
    job = jobs.submit_outbound(
        f"{HANDLERS}.flaky",
        {"succeed_on": 3},
        agency=agency,
        title="推送办理结果",
        actor=registrar,
        max_attempts=5,
        backoff=1,
    )
    wait_done(job, worker)
    assert (job.attempts, effects(job)) == (3, 1)
    retries = AuditEvent.objects.filter(action="job_retry", object_id=str(job.pk))
    assert [event.data["delay_seconds"] for event in retries.order_by("pk")] == [1, 2]
    assert job.last_error == "ConnectionError: 第2次：对方没有响应"


def test_a_whole_worker_killed_mid_job_is_run_again_by_the_sweeper(worker, submit, tmp_path):
    release, log = tmp_path / "release", tmp_path / "tries"
    job = submit(wait_for=str(release), log=str(log))
    wait_for(lambda: len(lines(log)) == 1, "the job to start")
    worker.restart()  # SIGKILL to the worker and its pool: nobody hands the message back
    release.touch()
    # A process killed by a signal is gone a moment later, not at once.
    wait_for(lambda: jobs.owner_gone(Job.objects.get(pk=job.pk)), "the killed process to be gone")
    # The message waits in Redis for its visibility timeout (hours); the sweeper (beat, every
    # minute) finds the job's process gone, queues the job again and sends it.
    sweep_jobs.delay()
    wait_done(job, worker)
    assert (job.attempts, effects(job), len(lines(log))) == (2, 1, 2)
    assert AuditEvent.objects.filter(action="job_requeued", object_id=str(job.pk)).count() == 1


def test_the_worker_runs_jobs_from_a_rabbitmq_broker(settings, submit, tmp_path):
    settings.GONGKAI_JOBS = "celery"
    with _worker_on(AMQP_URL, tmp_path / "worker.log") as worker:
        first, second = submit(), submit()
        run_job.delay(first.pk)  # delivered twice: run once
        wait_done(first, worker)
        wait_done(second, worker)
    assert (first.attempts, effects(first), second.attempts, effects(second)) == (1, 1, 1, 1)
