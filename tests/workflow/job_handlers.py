"""Job handlers for the tests that run a real Celery worker (``test_celery_jobs``): the worker
imports them by their dotted path, as it does the apps' handlers.

Each commits one audit event (``test_effect``) in the job's transaction: counting those events
counts the tries whose work was saved. ``log`` (a file) gets one line per try started, saved or
not; ``wait_for`` (a file) holds the try, its transaction open, until that file exists.
"""

import os
import time
from pathlib import Path

from django.db import transaction

from workflow.audit import audit
from workflow.jobs import JobOutcome


def _effect(job) -> None:
    audit(actor=None, action="test_effect", obj=job, agency=job.agency_id)


def _wait_for(path: Path, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > end:
            raise TimeoutError(f"{path} did not appear")
        time.sleep(0.05)


def effect(job):
    with transaction.atomic():
        _effect(job)
        if job.params.get("log"):
            with open(job.params["log"], "a", encoding="ascii") as log:
                log.write(f"{os.getpid()}\n")
        if job.params.get("wait_for"):
            _wait_for(Path(job.params["wait_for"]))
    return JobOutcome(message="已完成。")


def flaky(job):
    """Outbound work whose other side answers only from try ``succeed_on`` on."""
    if job.attempts < job.params["succeed_on"]:
        raise ConnectionError(f"第{job.attempts}次：对方没有响应")
    with transaction.atomic():
        _effect(job)
    return JobOutcome(message="已送达。")
