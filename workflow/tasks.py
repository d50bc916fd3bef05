"""Celery tasks of the engine (``GONGKAI_JOBS=celery``; the app is ``config.celery``).

``run_job`` runs one background job (``workflow.jobs``). Its message is acknowledged only when
the task has ended (``acks_late``) and is handed on again when the worker process running it was
lost (``reject_on_worker_lost``), so a message may arrive more than once: the job's row decides
(``jobs.run`` claims a queued job by changing its status; a second delivery finds it claimed and
does nothing). A delivery that finds its job still "running" for a process that is gone (the
worker process was killed mid-job) queues it again and runs it (``jobs.rerun_cut_off``): nothing of
the lost try was saved, its transaction never committed.

The periodic tasks (``config.celery`` schedules them with ``celery -A config beat``): fire the due
workflow timers, and sweep the jobs (cut off, lost); a worker also sweeps when it starts.
"""

from __future__ import annotations

import io
import logging

from celery import shared_task
from celery.signals import worker_ready
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from workflow import jobs
from workflow.models import Job

logger = logging.getLogger(__name__)


@shared_task(name=jobs.RUN_JOB_TASK, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_job(job_id: int) -> None:
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        return
    if job.status == Job.Status.RUNNING and jobs.owner_gone(job):
        # This message is the lost try's, handed on again: run it now, or report it cut off.
        if not jobs.rerun_cut_off(job, send=False):
            jobs.reap(job)
            return
    elif job.status == Job.Status.QUEUED and job.next_attempt_at:
        wait = (job.next_attempt_at - timezone.now()).total_seconds()
        if wait > 0:  # delivered before its back-off ended: wait the rest of it
            jobs.start(job_id, countdown=wait)
            return
    jobs.run(job_id)


@shared_task(name="workflow.sweep_jobs", ignore_result=True)
def sweep_jobs() -> None:
    """Jobs of gone processes: cut off or run again; queued jobs nobody took: handed on."""
    marked = jobs.sweep()
    sent = jobs.resend_lost()
    if marked or sent:
        logger.info("jobs swept: %s cut off or queued again, %s handed on again", marked, sent)


@worker_ready.connect
def sweep_when_ready(**_) -> None:
    """A worker that starts marks its own host's jobs left by gone processes first (queued again
    and re-sent, or failed), as ``run_jobs`` does: after a machine's restart its jobs are taken
    up at once, where only this host can tell that their processes are gone."""
    try:
        jobs.sweep()
    except Exception:  # the database not there yet: beat's sweep does it within the minute
        logger.exception("the sweep at the worker's start failed")
    finally:
        connection.close()


@shared_task(name="workflow.fire_timers", ignore_result=True)
def fire_timers() -> None:
    """Fire the due workflow timers (viewflow's ``workflow_timers``, under the process lock).
    The command prints its count whatever the verbosity; a worker would log that every minute
    as a warning, so it is logged at info, and only when a timer fired."""
    out = io.StringIO()
    call_command("workflow_timers", verbosity=0, stdout=out)
    said = out.getvalue().strip()
    if said and not said.startswith("0 "):
        logger.info("%s", said)


@shared_task(name="workflow.forget_idempotency_keys", ignore_result=True)
def forget_idempotency_keys() -> int:
    """Delete the API's idempotency keys older than ``GONGKAI_API_IDEMPOTENCY_DAYS`` days."""
    from workflow.api.idempotency import forget_old_keys

    deleted = forget_old_keys()
    if deleted:
        logger.info("idempotency keys forgotten: %s", deleted)
    return deleted
