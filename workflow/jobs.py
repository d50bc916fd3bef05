"""Background jobs: an action too long for one page load, run after the request that asked for it.

``submit`` records a ``Job`` and starts it once the asking transaction commits; the page that
asked then shows the job's state (``workflow.job_views``), polling until it is done. A job's
``kind`` is the dotted path of its handler, a function ``handler(job) -> JobOutcome`` that calls
one service. Handlers raise ``JobFailed`` (or a ``ValidationError`` / ``NotAllowed`` / ``Stale``
from the service) with a message for the person who asked; anything else is logged and reported as a
system error. The service runs in one transaction, so a failed job has changed nothing.

How jobs start (setting ``GONGKAI_JOBS``):

- ``"thread"`` (default): in a thread of the web process, right after the commit;
- ``"inline"``: in the request itself, after the commit (tests, or a deployment without threads);
- ``"queue"``: left queued for ``manage.py run_jobs`` (a worker beside the server);
- ``"celery"``: sent to a Celery broker (Redis or RabbitMQ) after the commit, run by
  ``celery -A config worker`` (``workflow.tasks.run_job``).

Whatever the mode, the ``Job`` row is the record of truth: a runner claims a queued job by
changing its status (``run``), so a job handed on twice (a duplicate delivery, a re-send) still
runs once. A job queued and not handed on for ``GONGKAI_JOB_RESEND_MINUTES`` (the broker was down
at the commit, the web process died before its thread started) is handed on again by
``resend_lost``, which the sweepers run every minute.

Outbound work that may fail and succeed later (``submit_outbound``) is tried again after a
back-off that doubles, until its ``max_attempts``; the retries and the giving up are audited.

The runner that claims a job records itself as the job's ``owner``: host name, process id, when that
process started and its process-id namespace. A job whose owner is a process of this host that is
gone (a restart, a crash) is cut off at once: ``reap`` marks it failed (and audits it) when its page
or the "one at a time" check looks at it, and ``sweep`` does so for all of them when ``run_jobs`` or
``run_dispatcher`` starts and on each of their rounds. A job of another host, or one without owner,
is shown as cut off after ``GONGKAI_JOB_STALE_MINUTES``. Nothing was saved by a cut-off job (its
transaction never committed).

In the ``celery`` mode a job whose process is gone is not failed but queued again and re-sent,
once (``rerun_cut_off``): the worker process was lost (killed, out of memory), the broker hands the
message on again (late acknowledgement), and the job is done once after all. A job cut off again
(one that kills its worker each time) is marked failed as in the other modes. Outbound work is
queued again in every mode while it has tries left.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from workflow.after_commit import after_commit
from workflow.errors import NotAllowed, Stale
from workflow.models import Agency, Job
from workflow.request_context import current as current_log_context
from workflow.request_context import log_context

logger = logging.getLogger(__name__)

SYSTEM_ERROR = (
    "系统出现错误，任务没有完成，也没有作出任何改动。请稍后重试；仍不成功的，请联系系统管理员。"
)
CUT_OFF = "任务在办理中被中断（服务重启等），没有作出任何改动，请重新提交。"
INTERRUPTED = "办理中断（服务重启），未保存任何内容，请重新提交。"
RUN_JOB_TASK = "workflow.run_job"  # workflow.tasks.run_job


class JobFailed(Exception):
    """The job could not do what was asked; the message says why, for the person who asked."""


@dataclass(frozen=True)
class JobOutcome:
    """What a finished job tells: a sentence, and where to see the result."""

    message: str
    url: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def submit(
    *,
    kind: str,
    title: str,
    actor,
    agency: Agency,
    params: dict[str, Any] | None = None,
    total: int | None = None,
    max_attempts: int = 1,
    retry_backoff: int = 0,
) -> Job:
    """Record a job and start it when the current transaction commits."""
    import_string(kind)  # a wrong handler path fails here, in the request, not in the thread
    job = Job.objects.create(
        kind=kind,
        title=title,
        agency=agency,
        created_by=actor,
        created_at=timezone.now(),
        params=params or {},
        total=total,
        max_attempts=max_attempts,
        retry_backoff=retry_backoff,
    )
    transaction.on_commit(lambda: start(job.pk))
    return job


def submit_outbound(
    kind: str,
    params: dict[str, Any],
    *,
    agency: Agency,
    title: str,
    actor=None,
    max_attempts: int = 5,
    backoff: int = 60,
) -> Job:
    """Record outbound work (a message to another system: a webhook, an e-mail, an SMS) and send
    it when the current transaction commits, in whatever mode ``GONGKAI_JOBS`` says.

    Its handler ``kind(job) -> JobOutcome`` raises on failure: ``JobFailed`` gives up at once (the
    other side refused for good); any other exception is tried again after ``backoff`` seconds,
    then 2×, 4× … (at most ``GONGKAI_JOB_STALE_MINUTES``), until ``max_attempts`` tries; then the
    job is failed with its last error, and that is audited (``job_gave_up``). A try may be made
    again after a lost worker, so the other side should accept the same message twice (the job's
    id is a fit idempotency key)."""
    if max_attempts < 1 or backoff < 0:
        raise ValueError("max_attempts must be at least 1 and backoff not negative")
    return submit(
        kind=kind,
        title=title,
        actor=actor,
        agency=agency,
        params=params,
        max_attempts=max_attempts,
        retry_backoff=backoff,
    )


def mode() -> str:
    return getattr(settings, "GONGKAI_JOBS", "thread")


def start(job_id: int, *, countdown: float | None = None) -> bool:
    """Hand job ``job_id`` to its runner as ``GONGKAI_JOBS`` says (in ``queue`` mode the worker
    finds it itself). Return False when it could not be handed on (the broker is down): it stays
    queued, and ``resend_lost`` hands it on later."""
    current = mode()
    if current == "inline":
        _mark_sent(job_id)
        run(job_id)
    elif current == "thread":
        _mark_sent(job_id)
        threading.Thread(
            target=_run_in_thread, args=(job_id,), name=f"gongkai-job-{job_id}", daemon=True
        ).start()
    elif current == "celery":
        try:
            send_to_broker(job_id, countdown=countdown)
        except Exception:
            # Never a failed page for a broker that is down: the job waits for the re-send.
            logger.exception(
                "job %s could not be sent to the broker; it is sent again later", job_id
            )
            return False
        _mark_sent(job_id)
    return True


def send_to_broker(job_id: int, *, countdown: float | None = None) -> None:
    """Send "run job ``job_id``" (``workflow.tasks.run_job``, by name) to the Celery broker."""
    from celery import current_app

    current_app.send_task(RUN_JOB_TASK, args=(job_id,), countdown=countdown)


def _mark_sent(job_id: int) -> None:
    Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(sent_at=timezone.now())


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        run(job_id)
    finally:
        # The thread's own connection: close it, or it lingers until the process ends.
        connection.close()


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "".join(m for messages in error.message_dict.values() for m in messages)
    return "".join(error.messages)


def _due(now: datetime) -> Q:
    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)


def run(job_id: int) -> Job | None:
    """Run a queued job (once: the first runner to claim it runs it); return it when run.

    A job whose retry is not yet due is not claimed. Its log lines carry the job's id (and the
    request's, when it runs inside one: ``inline``)."""
    asking = current_log_context()
    with log_context(job=job_id, request_id=asking.request_id if asking else ""):
        return _run(job_id)


def _run(job_id: int) -> Job | None:
    now = timezone.now()
    claimed = Job.objects.filter(_due(now), pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING,
        started_at=now,
        owner=this_process(),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    job = Job.objects.select_related("agency", "created_by").get(pk=job_id)
    status, message, result, error = Job.Status.FAILED, SYSTEM_ERROR, {}, ""
    try:
        outcome: JobOutcome = import_string(job.kind)(job)
    except JobFailed as failed:
        message = str(failed)
    except ValidationError as invalid:
        message = _messages(invalid)
    except (NotAllowed, Stale) as refused:
        message = str(refused)
    except Exception as unexpected:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        error = f"{type(unexpected).__name__}: {unexpected}"[:2000]
        if job.attempts < job.max_attempts:
            _retry_later(job, error)
            job.refresh_from_db()
            return job
    else:
        status, message = Job.Status.DONE, outcome.message
        result = {"url": outcome.url, **outcome.data}
    finished = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, owner=job.owner)
    with transaction.atomic():
        finished.update(
            status=status,
            message=message,
            result=result,
            finished_at=timezone.now(),
            last_error=error or F("last_error"),
        )
        if job.max_attempts > 1 and status == Job.Status.FAILED:
            _audit_job(
                job,
                "job_gave_up",
                Job.Status.RUNNING,
                Job.Status.FAILED,
                reason=error or message,
                attempts=job.attempts,
            )
    job.refresh_from_db()
    return job


def retry_delay(job: Job) -> timedelta:
    """The wait before the next try of ``job`` after its ``job.attempts``-th failed: the back-off,
    doubled at each try, at most the stale limit."""
    seconds = job.retry_backoff * 2 ** max(0, job.attempts - 1)
    return min(timedelta(seconds=seconds), stale_after())


def _retry_later(job: Job, error: str) -> None:
    """Queue ``job`` again for a try after its back-off, audited, and hand it on to wait."""
    delay = retry_delay(job)
    with transaction.atomic():
        again = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, owner=job.owner).update(
            status=Job.Status.QUEUED,
            owner="",
            started_at=None,
            sent_at=None,
            next_attempt_at=timezone.now() + delay,
            last_error=error,
        )
        if again:
            _audit_job(
                job,
                "job_retry",
                Job.Status.RUNNING,
                Job.Status.QUEUED,
                reason=error,
                attempts=job.attempts,
                delay_seconds=int(delay.total_seconds()),
            )
    if again and mode() == "celery":
        # The broker holds it until it is due; the other modes' sweepers find it due themselves.
        start(job.pk, countdown=delay.total_seconds())


def _audit_job(job: Job, action: str, from_state: str, to_state: str, reason: str, **data) -> None:
    from workflow.audit import audit

    audit(
        actor=None,
        action=action,
        obj=job,
        agency=job.agency_id,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data={"kind": job.kind, "owner": job.owner, **data},
    )


def _progress_key(job_id: int) -> str:
    return f"gongkai:job-progress:{job_id}"


def progress_reporter(job: Job, *, every: float = 0.5) -> Callable[[int], None]:
    """A callback for the job's service: ``report(done)`` records how many of ``job.total`` are
    done, at most every ``every`` seconds. It goes to the cache, not the job's row: the service's
    transaction is still open, so nobody else would see the row change before the end. With the
    default per-process cache the waiting page sees it when it is served by the same process
    (``runserver``, one worker, the ``thread`` mode); several processes need ``REDIS_URL``."""
    last: list[float | None] = [None]  # the monotonic clock may start near 0 (a fresh boot)

    def report(done: int) -> None:
        now = time.monotonic()
        if last[0] is None or now - last[0] >= every:
            last[0] = now
            cache.set(_progress_key(job.pk), done, timeout=int(stale_after().total_seconds()))

    return report


def progress_of(job: Job) -> int | None:
    """How many of ``job.total`` a running job has reported done, if it reported."""
    if job.status != Job.Status.RUNNING or not job.total:
        return None
    done = cache.get(_progress_key(job.pk))
    return None if done is None else min(int(done), job.total)


def stale_after() -> timedelta:
    return timedelta(minutes=getattr(settings, "GONGKAI_JOB_STALE_MINUTES", 120))


# -- who runs a job, and whether it is still there ------------------------------------------------


def _read(path: str) -> str:
    try:
        with open(path, encoding="ascii") as handle:
            return handle.read().strip()
    except OSError:
        return ""


def _started(pid: int) -> str:
    """When process ``pid`` started, in clock ticks since boot ('' when not known: no /proc)."""
    stat = _read(f"/proc/{pid}/stat")
    # The fields after the command name, which is in brackets and may hold spaces.
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else ""


def _boot_id() -> str:
    return _read("/proc/sys/kernel/random/boot_id")


def _pid_namespace() -> str:
    """Which process ids this process sees (containers sharing a host name may not see each
    other's processes)."""
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""


def owner_of(pid: int) -> str:
    """The owner token of process ``pid`` of this host: ``host|pid|boot:start|pid namespace``."""
    return f"{socket.gethostname()}|{pid}|{_boot_id()}:{_started(pid)}|{_pid_namespace()}"


def this_process() -> str:
    return owner_of(os.getpid())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    # A killed process whose parent died with it stays a zombie until it is reaped: it still
    # answers the signal, yet it will never finish its job.
    state = _read(f"/proc/{pid}/stat").rpartition(")")[2].split()[:1]
    return state not in (["Z"], ["X"])


def owner_gone(job: Job) -> bool:
    """The process that claimed ``job`` was of this host and is no longer there (or its pid now
    belongs to a process started later). Owners of other hosts cannot be seen: False."""
    host, pid_text, token, namespace = [*(job.owner or "").split("|"), "", "", "", ""][:4]
    if not host or host != socket.gethostname() or not pid_text.isdigit():
        return False
    if namespace != _pid_namespace():
        return False  # another container of the same name: its processes are not ours to see
    pid = int(pid_text)
    if not _alive(pid):
        return True
    boot, _, start = token.partition(":")
    if boot and start:
        return owner_of(pid) != job.owner  # the pid was given to another process since
    return False


def is_cut_off(job: Job, now: datetime | None = None) -> bool:
    """A job still "running" whose process is gone, or long after any job could take."""
    if job.status != Job.Status.RUNNING:
        return False
    now = now or timezone.now()
    stale = job.started_at is not None and now - job.started_at > stale_after()
    return stale or owner_gone(job)


def _mark_cut_off(job: Job, message: str) -> bool:
    """Mark a running ``job`` failed with ``message`` and audit it (once: False if another did)."""
    with transaction.atomic():
        marked = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, owner=job.owner).update(
            status=Job.Status.FAILED, message=message, finished_at=timezone.now()
        )
        if marked:
            _audit_job(job, "job_cut_off", Job.Status.RUNNING, Job.Status.FAILED, reason=message)
    return bool(marked)


def rerun_cut_off(job: Job, *, send: bool = True) -> bool:
    """Queue a job whose process is gone again, when it has a try left; audited
    (``job_requeued``). In the ``celery`` mode an ordinary job has one more try and is re-sent
    at once (unless ``send`` is False: the caller runs it); in the other modes only outbound work
    is tried again (up to its ``max_attempts``), by the sweeper. Return False (nothing done) when
    there is no try left, or when another did it first."""
    current = mode()
    if current == "celery":
        tries = max(job.max_attempts, 2)
    elif job.max_attempts > 1:  # outbound work
        tries = job.max_attempts
    else:
        return False
    if job.attempts >= tries:
        return False
    with transaction.atomic():
        again = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, owner=job.owner).update(
            status=Job.Status.QUEUED,
            owner="",
            started_at=None,
            sent_at=None,
            next_attempt_at=timezone.now(),
            last_error=INTERRUPTED,
        )
        if again:
            _audit_job(
                job,
                "job_requeued",
                Job.Status.RUNNING,
                Job.Status.QUEUED,
                reason=INTERRUPTED,
                attempts=job.attempts,
            )
            if send and current == "celery":
                after_commit(lambda: start(job.pk))
    return bool(again)


def _cut_off(job: Job) -> bool:
    """A job whose process is gone: run again (``rerun_cut_off``) or marked failed."""
    return rerun_cut_off(job) or _mark_cut_off(job, INTERRUPTED)


def reap(job: Job) -> Job:
    """``job`` as it stands, marked cut off first when its process is gone (the waiting page and
    the "one at a time" checks call this, so the officer can submit again at once); queued again
    instead when it has a try left (``rerun_cut_off``)."""
    if job.status == Job.Status.RUNNING and owner_gone(job):
        _cut_off(job)
        job.refresh_from_db()
    return job


def sweep(now: datetime | None = None) -> int:
    """Mark every running job whose process is gone, or that ran past the stale limit, cut off
    (a job whose process is gone is queued again instead when it has a try left:
    ``rerun_cut_off``). Return how many were marked or queued again."""
    now = now or timezone.now()
    marked = 0
    for job in Job.objects.filter(status=Job.Status.RUNNING):
        if owner_gone(job):
            marked += _cut_off(job)
        elif job.started_at is not None and now - job.started_at > stale_after():
            marked += _mark_cut_off(job, CUT_OFF)
    return marked


def resend_after() -> timedelta:
    return timedelta(minutes=getattr(settings, "GONGKAI_JOB_RESEND_MINUTES", 10))


def lost(now: datetime | None = None):
    """Queued jobs that are due and were not handed on in the last ``GONGKAI_JOB_RESEND_MINUTES``
    (never, or their message or thread was lost)."""
    now = now or timezone.now()
    before = now - resend_after()
    waiting = Q(next_attempt_at__isnull=True, created_at__lt=before) | Q(next_attempt_at__lte=now)
    unsent = Q(sent_at__isnull=True) | Q(sent_at__lt=before)
    return Job.objects.filter(waiting, unsent, status=Job.Status.QUEUED).order_by(
        "created_at", "pk"
    )


def resend_lost(now: datetime | None = None) -> int:
    """Hand on again the queued jobs that are due and that nobody took (``lost``): a broker down
    at the commit, a web process gone before its thread started, a retry whose time has come.
    In the ``celery`` mode they are sent to the broker again; in the ``thread`` and ``inline``
    modes the sweeper runs them itself, one after the other (a thread would die with a sweeper
    run from cron); in the ``queue`` mode ``run_jobs`` takes them anyway. Return how many."""
    current = mode()
    if current == "queue":
        return 0
    handed = 0
    for job_id in lost(now).values_list("pk", flat=True):
        if current == "celery":
            handed += start(job_id)
        else:
            _mark_sent(job_id)
            handed += run(job_id) is not None
    return handed


def run_queued(*, limit: int | None = None) -> int:
    """Run the jobs waiting in the queue, oldest first; mark cut-off ones. Return how many ran."""
    sweep()
    ran = 0
    queued = Job.objects.filter(_due(timezone.now()), status=Job.Status.QUEUED)
    ids = queued.order_by("created_at", "pk")
    for job_id in ids.values_list("pk", flat=True)[:limit]:
        if run(job_id) is not None:
            ran += 1
    return ran


def status_of(job: Job, now: datetime | None = None) -> dict[str, Any]:
    """The job's state as the waiting page shows it (also its JSON for polling)."""
    now = now or timezone.now()
    cut_off = is_cut_off(job, now)
    gone = cut_off and owner_gone(job)
    end = job.finished_at or now
    begun = job.started_at or job.created_at
    return {
        "status": Job.Status.FAILED if cut_off else job.status,
        "label": "已中断" if cut_off else job.get_status_display(),
        "finished": cut_off or job.status in (Job.Status.DONE, Job.Status.FAILED),
        "ok": job.status == Job.Status.DONE,
        "seconds": max(0, int((end - begun).total_seconds())),
        "message": (INTERRUPTED if gone else CUT_OFF) if cut_off else job.message,
        "url": job.result.get("url", "") if job.status == Job.Status.DONE else "",
        **_progress_fields(job, cut_off),
    }


def _progress_fields(job: Job, cut_off: bool) -> dict[str, Any]:
    done = None if cut_off else progress_of(job)
    if done is None:
        return {"done": None, "percent": None, "progress": ""}
    percent = min(99, done * 100 // job.total)  # 100 only when the job has really finished
    return {"done": done, "percent": percent, "progress": f"已处理 {done} / {job.total} 项"}
