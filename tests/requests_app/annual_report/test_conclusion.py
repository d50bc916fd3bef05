"""The conclusion date (办结日期) the annual report counts a request by, set once by the
services (docs/annual-report.md, "The conclusion date"; Report Format, table 三, rows 三 and 四)."""

import importlib
from datetime import date
from types import SimpleNamespace

import pytest

from requests_app.models import InformationRequest
from requests_app.services import (
    request_ask_correction,
    request_correction_lapsed,
    request_serve,
    request_withdraw,
)
from tests.conftest import d
from tests.requests_app.flow_helpers import advance, serve_notice
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db


def refreshed(case):
    return InformationRequest.objects.get(pk=case.pk)


def test_a_reply_concludes_the_request_on_the_day_it_is_served(
    case, handler, office_head, registrar
):
    staff = {"handler": handler, "registrar": registrar, "office_head": office_head}
    advance(case, "serve", staff, today=d("2026-03-03"))
    assert refreshed(case).concluded_on is None  # decided, not yet served: still open
    request_serve(
        actor=registrar,
        case_id=case.pk,
        method="electronic",
        served_on=d("2026-03-05"),
        today=d("2026-03-06"),
    )
    assert refreshed(case).concluded_on == d("2026-03-05")
    served = AuditEvent.objects.get(action="request_served")
    assert served.data == {"concluded_on": "2026-03-05"}


def test_a_new_reply_after_a_reopening_does_not_move_the_date(
    case, handler, office_head, registrar
):
    """A court or reconsideration ordering a new reply does not make a new request: a case
    that was concluded keeps that date when its new reply is served."""
    staff = {"handler": handler, "registrar": registrar, "office_head": office_head}
    advance(case, "serve", staff, today=d("2026-03-03"))
    # As a reopened case: concluded once before, its new reply now to be served.
    InformationRequest.objects.filter(pk=case.pk).update(concluded_on=d("2026-03-03"))
    request_serve(
        actor=registrar,
        case_id=case.pk,
        method="electronic",
        served_on=d("2026-06-01"),
        today=d("2026-06-01"),
    )
    again = refreshed(case)
    assert (again.served_on, again.concluded_on) == (d("2026-06-01"), d("2026-03-03"))
    assert not AuditEvent.objects.get(action="request_served").data


def test_a_withdrawal_concludes_on_the_day_the_applicant_withdrew(case, registrar):
    request_withdraw(
        actor=registrar,
        case_id=case.pk,
        on=d("2026-03-04"),
        reason="书面撤回",
        today=d("2026-03-06"),
    )
    assert refreshed(case).concluded_on == d("2026-03-04")


def test_deemed_abandonment_concludes_on_the_day_the_request_is_ended(case, handler, registrar):
    request_ask_correction(actor=handler, case_id=case.pk, items=["x"], today=d("2026-03-03"))
    serve_notice(case, "correction", registrar, d("2026-03-03"))
    deadline = refreshed(case).correction_deadline
    ended = date.fromordinal(deadline.toordinal() + 1)
    request_correction_lapsed(case_id=case.pk, today=ended)
    assert refreshed(case).concluded_on == ended
    # The notice of abandonment served later does not move it.
    request_serve(
        actor=registrar,
        case_id=case.pk,
        method="electronic",
        served_on=date.fromordinal(ended.toordinal() + 3),
        today=date.fromordinal(ended.toordinal() + 3),
    )
    assert refreshed(case).concluded_on == ended


def test_the_backfill_reads_each_kind_of_ending():
    """The data migration's rule for cases concluded before the date was kept."""
    migration = importlib.import_module("requests_app.migrations.0017_annual_report")
    rule = migration.conclusion_of

    def case(**values):
        base = {"outcome": "disclosed", "served_on": None, "stage": "archive", "closed_on": None}
        return SimpleNamespace(**{**base, **values})

    withdrawn = SimpleNamespace(
        reason="申请人于2025年3月4日撤回申请（书面撤回）。", decided_on=d("2025-03-06")
    )
    abandoned = SimpleNamespace(reason="", decided_on=d("2025-04-01"))
    assert rule(case(served_on=d("2025-05-01")), None) == d("2025-05-01")
    assert rule(case(outcome="other", stage="serve"), withdrawn) == d("2025-03-04")
    assert rule(case(outcome="abandoned_no_correction", stage="serve"), abandoned) == d(
        "2025-04-01"
    )
    # A closed case without a served date: its archive date.
    assert rule(case(stage="closed", closed_on=d("2025-06-30")), None) == d("2025-06-30")
    # Decided but not served: still open.
    assert rule(case(stage="serve"), None) is None


def test_the_backfill_fills_existing_rows(case, handler, office_head, registrar):
    from django.apps import apps

    staff = {"handler": handler, "registrar": registrar, "office_head": office_head}
    advance(case, "archive", staff, today=d("2026-03-03"))
    InformationRequest.objects.filter(pk=case.pk).update(concluded_on=None)
    migration = importlib.import_module("requests_app.migrations.0017_annual_report")
    migration.backfill_concluded_on(apps, None)
    assert refreshed(case).concluded_on == d("2026-03-03")
