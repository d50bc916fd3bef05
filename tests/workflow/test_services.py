"""Calendar changes: local adjustments and imported notices are audited and move deadlines."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tests.conftest import d
from workflow import deadlines
from workflow.calendar import get_calendar
from workflow.deadlines import CalendarChange, MovedDeadline
from workflow.holiday_data import Festival, YearSchedule
from workflow.models import AuditEvent, CalendarAdjustment, HolidaySchedule
from workflow.services import (
    calendar_adjustment_delete,
    calendar_adjustment_save,
    holiday_schedule_import,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored_deadlines():
    """A stand-in for a module that stores deadlines: 20 working days from each start date.

    It registers itself through the public hook exactly as the requests app does, and records
    every change it was called with.
    """
    store = {
        "A": (d("2026-03-02"), None),
        "B": (d("2026-12-14"), None),
        "C": (d("2026-06-01"), None),
        "D": (d("2027-01-25"), None),
    }
    calls: list[CalendarChange] = []

    def due(start, agency_id=None):
        return get_calendar(agency_id).add_working_days(start, 20)

    for key, (start, _) in store.items():
        store[key] = (start, due(start))

    @deadlines.recomputer("test-store")
    def recompute(change: CalendarChange):
        calls.append(change)
        moved = []
        for key, (start, old) in store.items():
            if not change.affects(start, max(old, date(start.year + 1, 12, 31)), None):
                continue
            new = due(start)
            if new != old:
                store[key] = (start, new)
                moved.append(MovedDeadline("test-store", key, old, new))
        return moved

    yield store, calls
    deadlines.unregister("test-store")


def test_adjustment_is_audited_with_who_when_from_to_why(agency, admin_user):
    adjustment, _ = calendar_adjustment_save(
        actor=admin_user, day=d("2026-03-04"), kind="off", reason="本地纪念日", agency=agency
    )
    event = AuditEvent.objects.get(action="calendar_adjustment_saved")
    assert event.actor == admin_user
    assert event.agency == agency
    assert event.object_id == str(adjustment.pk)
    assert event.from_state == ""
    assert event.to_state == "2026-03-04 休息日：本地纪念日"
    assert event.reason == "本地纪念日"

    calendar_adjustment_save(
        actor=admin_user,
        day=d("2026-03-04"),
        kind="working",
        reason="改为上班",
        agency=agency,
        adjustment_id=adjustment.pk,
    )
    change = AuditEvent.objects.filter(action="calendar_adjustment_saved").order_by("id").last()
    assert change.from_state == "2026-03-04 休息日：本地纪念日"
    assert change.to_state == "2026-03-04 工作日：改为上班"

    calendar_adjustment_delete(actor=admin_user, adjustment_id=adjustment.pk, reason="撤销")
    assert not CalendarAdjustment.objects.exists()
    assert AuditEvent.objects.filter(action="calendar_adjustment_deleted", reason="撤销").exists()


def test_adjustment_needs_a_reason_and_is_unique_per_agency_and_day(agency, admin_user, superuser):
    with pytest.raises(ValidationError, match="请填写调整理由"):
        calendar_adjustment_save(
            actor=admin_user, day=d("2026-03-04"), kind="off", reason=" ", agency=agency
        )
    calendar_adjustment_save(
        actor=admin_user, day=d("2026-03-04"), kind="off", reason="a", agency=agency
    )
    with pytest.raises(ValidationError, match="已有该机关的调整记录"):
        calendar_adjustment_save(
            actor=admin_user, day=d("2026-03-04"), kind="off", reason="b", agency=agency
        )
    calendar_adjustment_save(
        actor=superuser, day=d("2026-03-04"), kind="off", reason="c", agency=None
    )
    with pytest.raises(ValidationError, match="已有全部机关的调整记录"):
        calendar_adjustment_save(
            actor=superuser, day=d("2026-03-04"), kind="off", reason="d", agency=None
        )


def test_audit_log_is_append_only(agency, admin_user):
    calendar_adjustment_save(
        actor=admin_user, day=d("2026-03-04"), kind="off", reason="a", agency=agency
    )
    event = AuditEvent.objects.get()
    event.reason = "tampered"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()


def test_adjustment_recomputes_the_deadlines_that_depend_on_the_day(stored_deadlines, superuser):
    store, calls = stored_deadlines
    before = store["A"][1]
    _, moved = calendar_adjustment_save(
        actor=superuser, day=d("2026-03-04"), kind="off", reason="停电", agency=None
    )
    assert calls[-1].days == frozenset({d("2026-03-04")})
    assert [m.label for m in moved] == ["A"]
    assert moved[0].old_due == before
    assert store["A"][1] == get_calendar(None).add_working_days(d("2026-03-02"), 20)
    assert store["A"][1] > before


def _schedule_2027() -> YearSchedule:
    # A made-up 2027 notice for the test (the real one is not published yet): a bridging Monday
    # off after 元旦 and a make-up Saturday before 春节, which the provisional calendar cannot know.
    return YearSchedule(
        year=2027,
        title="国务院办公厅关于2027年部分节假日安排的通知",
        number="国办发明电〔2026〕99号",
        published=date(2026, 11, 20),
        url="",
        festivals=(
            Festival(name="元旦", off=((d("2027-01-01"), d("2027-01-04")),), workdays=()),
            Festival(
                name="春节", off=((d("2027-02-05"), d("2027-02-08")),), workdays=(d("2027-01-30"),)
            ),
        ),
    )


def test_importing_a_notice_recomputes_and_lists_moved_deadlines_earlier_first(
    stored_deadlines, superuser
):
    store, _ = stored_deadlines
    # Provisional: B (from 2026-12-14) is due 2027-01-12, D (from 2027-01-25) 2027-02-24.
    assert (store["B"][1], store["D"][1]) == (d("2027-01-12"), d("2027-02-24"))
    assert get_calendar(None).is_provisional(d("2027-01-12"))

    result = holiday_schedule_import(actor=superuser, schedule=_schedule_2027(), source_text="…")

    assert not result.replaced
    cal = get_calendar(None)
    assert not cal.is_provisional(d("2027-01-12"))
    assert cal.is_working_day(d("2027-01-30"))
    assert not cal.is_working_day(d("2027-01-04"))
    # The made-up notice names only two festivals, so the provisional weekday holidays of the
    # others become working days too: every changed day is reported.
    assert result.changed_days == [
        d("2027-01-04"),
        d("2027-01-30"),
        d("2027-04-05"),
        d("2027-06-09"),
        d("2027-09-15"),
        d("2027-10-01"),
    ]
    # D moved earlier (a make-up Saturday): the dangerous one comes first.
    assert [(m.label, m.old_due, m.new_due) for m in result.moved] == [
        ("D", d("2027-02-24"), d("2027-02-23")),
        ("B", d("2027-01-12"), d("2027-01-13")),
    ]
    assert HolidaySchedule.objects.get(year=2027).number == "国办发明电〔2026〕99号"
    event = AuditEvent.objects.get(action="holiday_schedule_imported")
    assert event.from_state == "暂定（无官方安排）"
    assert "2027-01-30" in event.data["workdays"]


def test_importing_the_same_year_again_replaces_it(superuser):
    holiday_schedule_import(actor=superuser, schedule=_schedule_2027())
    again = holiday_schedule_import(actor=superuser, schedule=_schedule_2027())
    assert again.replaced
    assert again.changed_days == []
    assert HolidaySchedule.objects.count() == 1


def test_moved_deadlines_are_sorted_dangerous_first():
    later = MovedDeadline("s", "later", d("2027-01-10"), d("2027-01-12"))
    earlier_b = MovedDeadline("s", "earlier-b", d("2027-03-10"), d("2027-03-01"))
    earlier_a = MovedDeadline("s", "earlier-a", d("2027-02-10"), d("2027-02-05"))
    ordered = deadlines.sort_moved([later, earlier_b, earlier_a])
    assert [m.label for m in ordered] == ["earlier-a", "earlier-b", "later"]


def test_calendar_changed_signal_is_sent(agency, admin_user):
    received = []

    def listener(sender, change, moved, **kwargs):
        received.append(change)

    deadlines.calendar_changed.connect(listener)
    try:
        calendar_adjustment_save(
            actor=admin_user, day=d("2026-03-04"), kind="off", reason="x", agency=agency
        )
    finally:
        deadlines.calendar_changed.disconnect(listener)
    assert received and received[0].agency_id == agency.pk
