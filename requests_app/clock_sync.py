"""Keep each case's stored clock (due date, flags, explanation) in step with its events.

The clock itself is the pure ``workflow.clock``; this module feeds it a case's ``ClockEntry`` rows
and the agency's calendar, stores what the inbox shows, and registers the recomputer that the
calendar calls when a notice is imported or a day adjusted (``workflow.deadlines``).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from requests_app.models import Consultation, Fee, InformationRequest, NoticeService
from requests_app.process import process_lock, rearm_timers
from requests_app.webhooks import clock_flags_raised
from workflow import deadlines
from workflow.calendar import get_calendar
from workflow.clock import ClockEvent, ClockState, evaluate, notice_period_end
from workflow.models import Agency

STORED_FIELDS = [
    "due_date",
    "days_left",
    "at_risk",
    "overdue",
    "paused",
    "provisional",
    "clock_explanation",
    "clock_computed_on",
]


def events_of(request) -> list[ClockEvent]:
    return [
        ClockEvent(kind=e.kind, on=e.on, days=e.days, reason=e.reason, until=e.until)
        for e in request.clock_entries.order_by("on", "id")
    ]


def evaluate_case(
    request, *, today: date, events: list[ClockEvent] | None = None, calendar=None
) -> ClockState:
    """The clock of ``request`` on ``today`` (``events`` overrides the stored ones: a preview).

    ``calendar`` saves the lookup when many cases of one agency are evaluated in a row.
    """
    agency: Agency = request.agency
    return evaluate(
        events if events is not None else events_of(request),
        calendar=calendar or get_calendar(agency.pk),
        today=today,
        at_risk_days=agency.at_risk_days,
    )


def apply_state(request, state: ClockState, today: date) -> None:
    request.due_date = state.due_date
    request.days_left = state.left
    request.at_risk = state.at_risk
    request.overdue = state.overdue
    request.paused = state.paused
    request.provisional = state.provisional
    request.clock_explanation = state.explanation
    request.clock_computed_on = today


def sync_clock(request, *, today: date | None = None, calendar=None) -> ClockState:
    """Recompute and save the stored clock of ``request``."""
    today = today or timezone.localdate()
    state = evaluate_case(request, today=today, calendar=calendar)
    was_at_risk, was_overdue = request.at_risk, request.overdue
    apply_state(request, state, today)
    # The periods that run from a notice's receipt (DOMAIN §3.8), as the case page explains them.
    request.clock_explanation = [
        *state.explanation,
        *(service.explanation for service in request.notice_services.order_by("issued_on", "id")),
    ]
    request.save(update_fields=STORED_FIELDS)
    clock_flags_raised(request, was_at_risk=was_at_risk, was_overdue=was_overdue)
    return state


# -- periods that run from a notice's receipt (DOMAIN §3.8) -------------------------------------


def notice_is_open(service: NoticeService) -> bool:
    """Whether the notice's period still matters: its wait is not over (its service may still be
    recorded or corrected)."""
    case = service.request
    if service.notice == NoticeService.Notice.CORRECTION:
        return case.stage == InformationRequest.Stage.CORRECT
    if service.notice == NoticeService.Notice.FEE:
        fee = Fee.objects.filter(request=case).first()
        return (
            case.stage == InformationRequest.Stage.FEE
            and fee is not None
            and fee.status == Fee.Status.PENDING
        )
    return (
        case.stage == InformationRequest.Stage.CONSULT
        and service.consultation is not None
        and service.consultation.is_open
    )


def set_period_end(case, service: NoticeService, end: date | None) -> None:
    """Store the end of the period that runs from ``service``'s notice where the case keeps it."""
    if service.notice == NoticeService.Notice.CORRECTION:
        case.correction_deadline = end
        case.save(update_fields=["correction_deadline"])
    elif service.notice == NoticeService.Notice.FEE:
        Fee.objects.filter(request=case).update(pay_by=end)
    else:
        Consultation.objects.filter(pk=service.consultation_id).update(limit_date=end)


def refresh_notice_periods(request, calendar) -> list[tuple[object, date | None, date]]:
    """Recompute the ends of the open periods that run from a notice's service (DOMAIN §3.8)
    after a calendar change; return ``(notice, old end, new end)`` for those that moved. Records
    presumed at the upgrade keep their ends. Call under the case's process lock."""
    moved = []
    served = request.notice_services.filter(served_on__isnull=False, presumed=False)
    for service in served.select_related("consultation"):
        service.request = request
        if not notice_is_open(service):
            continue
        received, end = notice_period_end(
            calendar,
            served_on=service.served_on,
            days=service.period_days,
            by_post=service.method == "post",
            postal_receipt_days=request.agency.postal_receipt_days,
        )
        if (received, end) == (service.received_on, service.period_end):
            continue
        moved.append((service, service.period_end, end))
        service.received_on, service.period_end = received, end
        service.save(update_fields=["received_on", "period_end"])
        set_period_end(request, service, end)
    return moved


@deadlines.recomputer("requests")
def recompute_requests(change: deadlines.CalendarChange) -> list[deadlines.MovedDeadline]:
    """Recompute every open case whose counting can reach a changed day; report moved ones."""
    if not change.days:
        return []
    today = timezone.localdate()
    first_changed = min(change.days)
    cases = InformationRequest.objects.exclude(stage=InformationRequest.Stage.CLOSED).filter(
        receipt_date__lt=max(change.days)
    )
    if change.agency_id is not None:
        cases = cases.filter(agency_id=change.agency_id)
    # A case whose due date is before the first changed day cannot move (its counting ended
    # earlier), unless it is paused: then its due date is still open.
    cases = cases.exclude(due_date__lt=first_changed, paused=False)
    moved: list[deadlines.MovedDeadline] = []
    calendars: dict[int, object] = {}
    for case in cases.select_related("agency").iterator(chunk_size=500):
        if case.agency_id not in calendars:
            calendars[case.agency_id] = get_calendar(case.agency_id)
        calendar = calendars[case.agency_id]
        # The process first, then the case (as task pages and timers do): timers may move.
        with process_lock(case.pk), transaction.atomic():
            notices = refresh_notice_periods(case, calendar)
            if notices:
                rearm_timers(case)
            moved.extend(
                deadlines.MovedDeadline(
                    source="requests",
                    label=f"{case.case_number} {notice.period_label}（{notice}）",
                    old_due=old_end,
                    new_due=new_end,
                    agency_id=case.agency_id,
                )
                for notice, old_end, new_end in notices
            )
            old = case.due_date
            state = sync_clock(case, today=today, calendar=calendar)
            if state.due_date != old:
                moved.append(
                    deadlines.MovedDeadline(
                        source="requests",
                        label=f"{case.case_number} {case.applicant_name}",
                        old_due=old,
                        new_due=state.due_date,
                        agency_id=case.agency_id,
                    )
                )
    return moved
