"""Each case's stored clock follows its events and the calendar (DOMAIN §2, §3.4)."""

import io
from datetime import date

import pytest
import time_machine

from requests_app.models import InformationRequest
from requests_app.services import request_register
from tests.conftest import d
from tests.workflow.test_services import _schedule_2027
from workflow.services import calendar_adjustment_save, holiday_schedule_import

pytestmark = pytest.mark.django_db


def test_a_local_day_off_moves_the_cases_of_that_agency_only(
    registrar, agency, other_agency, admin_user, walk_in
):
    other_agency.staff.add(registrar)
    ours = request_register(actor=registrar, agency=agency, data=walk_in(), today=date(2026, 3, 5))
    theirs = request_register(
        actor=registrar, agency=other_agency, data=walk_in(), today=date(2026, 3, 5)
    )
    _, moved = calendar_adjustment_save(
        actor=admin_user, day=d("2026-03-10"), kind="off", reason="本地纪念日", agency=agency
    )
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.due_date == d("2026-03-31")
    assert theirs.due_date == d("2026-03-30")
    assert [(m.label, m.old_due, m.new_due) for m in moved] == [
        (f"{ours.case_number} 张明华", d("2026-03-30"), d("2026-03-31"))
    ]


@time_machine.travel("2026-12-15 09:00 +0800", tick=False)
def test_importing_next_years_notice_recomputes_provisional_cases(
    registrar, agency, superuser, walk_in
):
    case = request_register(
        actor=registrar,
        agency=agency,
        data=walk_in(arrival_date=d("2026-12-14"), receipt_date=d("2026-12-14")),
    )
    assert (case.due_date, case.provisional) == (d("2027-01-12"), True)
    result = holiday_schedule_import(actor=superuser, schedule=_schedule_2027())
    case.refresh_from_db()
    assert case.due_date == d("2027-01-13")  # the made-up notice's bridging day 2027-01-04
    assert case.provisional is False
    assert any(m.label.startswith(case.case_number) for m in result.moved)


def test_closed_cases_are_not_recomputed(registrar, agency, admin_user, walk_in):
    case = request_register(actor=registrar, agency=agency, data=walk_in(), today=date(2026, 3, 5))
    InformationRequest.objects.filter(pk=case.pk).update(stage=InformationRequest.Stage.CLOSED)
    _, moved = calendar_adjustment_save(
        actor=admin_user, day=d("2026-03-10"), kind="off", reason="x", agency=agency
    )
    assert moved == []


def test_the_daily_refresh_moves_days_left_and_flags(registrar, agency, walk_in):
    from django.core.management import call_command

    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
        case = request_register(actor=registrar, agency=agency, data=walk_in())
    assert (case.days_left, case.overdue) == (20, False)
    with time_machine.travel("2026-03-23 09:00 +0800", tick=False):
        call_command("refresh_deadlines", stdout=io.StringIO())
        case.refresh_from_db()
        assert (case.days_left, case.at_risk) == (5, True)  # Art. 33 ¶2, at risk at 5 days
    with time_machine.travel("2026-04-01 09:00 +0800", tick=False):
        call_command("run_dispatcher", "--once", stdout=io.StringIO())
        case.refresh_from_db()
        assert (case.overdue, case.days_left) == (True, -2)


def test_the_daily_refresh_reads_each_case_again_under_its_lock(
    registrar, agency, walk_in, monkeypatch
):
    """A step completed between the refresh's listing and its turn for the case (here the reply
    served, which ends the clock) is seen: the refresh does not save a clock computed from the
    case as it was listed."""
    from requests_app.management.commands import refresh_deadlines

    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
        case = request_register(actor=registrar, agency=agency, data=walk_in())
    listed_calendar = refresh_deadlines.get_calendar

    def meanwhile(agency_id):
        InformationRequest.objects.filter(pk=case.pk).update(
            served_on=d("2026-03-20"), days_left=17, at_risk=False
        )
        return listed_calendar(agency_id)

    monkeypatch.setattr(refresh_deadlines, "get_calendar", meanwhile)
    with time_machine.travel("2026-03-23 09:00 +0800", tick=False):
        assert refresh_deadlines.refresh_open_cases() == 1
    case.refresh_from_db()
    assert (case.days_left, case.at_risk) == (17, False)
