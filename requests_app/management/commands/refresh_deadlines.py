"""manage.py refresh_deadlines: recompute every open case's stored clock as of today.

Days left, at-risk and overdue change with the date even when nothing happens on a case; run this
once a day (the dispatcher of ``make run`` does it at the first tick of each day).
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from requests_app.clock_sync import sync_clock
from requests_app.models import InformationRequest
from workflow.calendar import get_calendar


def open_cases():
    """The cases whose stored clock moves with the date: not closed, the reply not yet served."""
    return InformationRequest.objects.exclude(stage=InformationRequest.Stage.CLOSED).filter(
        served_on__isnull=True
    )


def refresh_open_cases(*, write=None, agency_id: int | None = None) -> int:
    """Recompute the open cases' clocks as of today (only ``agency_id``'s when given)."""
    today = timezone.localdate()
    cases = open_cases().order_by("pk")
    if agency_id is not None:
        cases = cases.filter(agency_id=agency_id)
    total = cases.count()
    done = 0
    calendars = {}
    for case_id, case_agency in cases.values_list("pk", "agency_id").iterator(chunk_size=500):
        if case_agency not in calendars:
            calendars[case_agency] = get_calendar(case_agency)
        with transaction.atomic():
            # Read again under the case's lock: a step completed meanwhile (a pause, a reply)
            # is seen, and its clock is not overwritten by one computed from the old state.
            locked = open_cases().select_for_update(of=("self",)).select_related("agency")
            case = locked.filter(pk=case_id).first()
            if case is not None:
                sync_clock(case, today=today, calendar=calendars[case_agency])
        done += 1
        if write and (done % 1000 == 0 or done == total):
            write(f"已重新计算 {done}/{total} 件")
    return done


class Command(BaseCommand):
    help = "按今天重新计算所有未办结申请的答复期限、剩余工作日和临期、超期标志。"

    def handle(self, *args, **options):
        count = refresh_open_cases(write=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"完成：{count}件未办结申请的期限已按今天更新。"))
