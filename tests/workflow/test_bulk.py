"""insert_rows: many rows at once, with the model's defaults and prepared values."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from workflow.audit import audit, audit_bulk, audit_row
from workflow.bulk import insert_rows
from workflow.models import AuditEvent, CalendarAdjustment

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def test_rows_get_defaults_and_prepared_values(agency):
    at = datetime(2026, 3, 2, 9, 30, tzinfo=TZ)
    count = insert_rows(
        AuditEvent,
        [
            {"at": at, "action": "one", "object_type": "x", "agency_id": agency.pk},
            {"at": at, "action": "two", "object_type": "x", "data": {"n": 2, "名": "值"}},
        ],
    )
    assert count == 2
    one, two = AuditEvent.objects.order_by("action")
    assert (one.at, one.agency, one.reason, one.data, one.actor) == (at, agency, "", {}, None)
    assert two.data == {"n": 2, "名": "值"}


def test_choices_are_stored_as_their_values(agency):
    insert_rows(
        CalendarAdjustment,
        [
            {
                "agency_id": agency.pk,
                "day": date(2026, 3, 10),
                "kind": CalendarAdjustment.Kind.OFF,
                "reason": "测试",
                "created_at": datetime(2026, 3, 1, tzinfo=TZ),
                "updated_at": datetime(2026, 3, 1, tzinfo=TZ),
            }
        ],
    )
    assert CalendarAdjustment.objects.get().kind == "off"


def test_an_unknown_field_is_refused():
    with pytest.raises(ValueError, match="no field"):
        insert_rows(AuditEvent, [{"action": "x", "colour": "red"}])


def test_bulk_audit_rows_match_single_events(admin_user, agency):
    single = audit(actor=admin_user, action="a", obj=agency, agency=agency, reason="r")
    audit_bulk([audit_row(actor=admin_user, action="a", obj=agency, agency=agency, reason="r")])
    bulk = AuditEvent.objects.exclude(pk=single.pk).get()
    fields = (
        "actor_id",
        "agency_id",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "reason",
        "data",
    )
    assert [getattr(bulk, f) for f in fields] == [getattr(single, f) for f in fields]
