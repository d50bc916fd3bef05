"""Celery tasks of the requests (``celery -A config beat`` schedules them; docs/jobs.md).

- ``refresh_deadlines`` (daily, just after midnight): one ``refresh_agency_deadlines`` task per
  agency with open cases, so that a large agency does not hold up the others and a failure is
  limited to one agency (a later run, or ``manage.py refresh_deadlines``, catches up);
- ``sweep_leftovers`` (hourly): ``manage.py sweep_leftovers``: jobs of gone processes, files
  no case document refers to;
- ``keep_report_tallies`` (nightly, after the deadlines): the annual report's counts of every
  agency that changed, kept for the supervisors' overviews (``annual_report.tally_store``).

The annual report's reminder has no periodic part: it is computed when the dashboard is shown.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.management import call_command
from django.utils import timezone

from requests_app.annual_report.tally_store import keep_all
from requests_app.management.commands.refresh_deadlines import open_cases, refresh_open_cases

logger = logging.getLogger(__name__)


@shared_task(name="requests_app.refresh_deadlines", ignore_result=True)
def refresh_deadlines() -> int:
    """Send one ``refresh_agency_deadlines`` per agency with open cases; return how many."""
    agencies = open_cases().order_by("agency_id").values_list("agency_id", flat=True).distinct()
    count = 0
    for agency_id in agencies:
        refresh_agency_deadlines.delay(agency_id)
        count += 1
    return count


@shared_task(
    name="requests_app.refresh_agency_deadlines",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def refresh_agency_deadlines(agency_id: int) -> int:
    """Recompute one agency's open cases as of today (each case in its own transaction, so a
    second delivery only does the same again)."""
    count = refresh_open_cases(agency_id=agency_id)
    logger.info("deadlines of agency %s refreshed: %s cases", agency_id, count)
    return count


@shared_task(name="requests_app.sweep_leftovers", ignore_result=True)
def sweep_leftovers() -> None:
    call_command("sweep_leftovers")


@shared_task(name="requests_app.keep_report_tallies", ignore_result=True)
def keep_report_tallies() -> int:
    """Count and keep what no longer holds of every agency's annual-report tallies (one short
    transaction per batch of agencies; a second run finds nothing to do)."""
    return keep_all(timezone.localdate())
