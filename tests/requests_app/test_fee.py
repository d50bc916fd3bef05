"""Processing fees (Fee Rules; DOMAIN §3.7): notice, pause, payment, waiver, lapse."""

import pytest
from django.core.exceptions import ValidationError

from requests_app.models import CaseDocument, Fee, InformationRequest
from requests_app.services import (
    fee_lapsed,
    fee_notice,
    fee_paid,
    fee_waive,
    request_accept,
    request_register,
)
from tests.conftest import d
from tests.requests_app.flow_helpers import serve_notice
from workflow.errors import NotAllowed

pytestmark = [pytest.mark.django_db, pytest.mark.case(accepted=d("2026-03-03"))]
S = InformationRequest.Stage


def notice(handler, case, **changes):
    values = {
        "method": "per_page",
        "quantity": 120,
        "payment_method": "转账至孝义市财政局非税收入账户",
        "today": d("2026-03-05"),
    }
    values.update(changes)
    return fee_notice(actor=handler, case_id=case.pk, **values)


def test_per_page_fee_is_progressive_and_pauses_the_clock(case, handler, registrar):
    # 1-30 free, 31-100 at 10 yuan, 101-120 at 20 yuan: 70×10 + 20×20 = 1100 yuan.
    fee = notice(handler, case)
    assert fee.amount == 1100
    assert fee.pay_by is None  # Fee Rules: counted from the notice's receipt, not yet served
    serve_notice(case, "fee", registrar, d("2026-03-05"))
    fee.refresh_from_db()
    assert fee.pay_by == d("2026-04-02")  # 20 working days from the day after its receipt
    waiting = InformationRequest.objects.get(pk=case.pk)
    assert waiting.stage == S.FEE and waiting.paused and waiting.due_date is None
    assert CaseDocument.objects.filter(request=case, letter_kind="fee_notice").exists()


def test_payment_resumes_the_clock(case, handler, registrar):
    notice(handler, case)
    fee_paid(actor=registrar, case_id=case.pk, paid_on=d("2026-03-12"), today=d("2026-03-12"))
    resumed = InformationRequest.objects.get(pk=case.pk)
    assert resumed.stage == S.PROPOSE and not resumed.paused
    # 3 working days used before the notice (Mar 3, 4, 5); 17 left from Mar 13.
    assert resumed.due_date == d("2026-04-07")


def test_per_piece_counts_the_applicants_earlier_applications_this_month(
    registrar, handler, agency, walk_in
):
    for _ in range(10):
        request_register(actor=registrar, agency=agency, data=walk_in(), today=d("2026-03-02"))
    eleventh = request_register(
        actor=registrar, agency=agency, data=walk_in(), today=d("2026-03-02")
    )
    request_accept(actor=handler, case_id=eleventh.pk, today=d("2026-03-03"))
    fee = notice(handler, eleventh, method="per_piece", quantity=1)
    assert (fee.earlier_this_month, fee.amount) == (10, 100)  # the 11th this month: 100 yuan


def test_nothing_to_charge_is_refused(case, handler):
    with pytest.raises(ValidationError, match="无需发出收费通知"):
        notice(handler, case, quantity=30)


def test_reduction_needs_a_reason(case, handler):
    with pytest.raises(ValidationError, match="减免收费的，请写明理由"):
        notice(handler, case, reduction=100)


def test_waiver_by_the_office_head_with_a_reason(case, handler, office_head):
    notice(handler, case)
    with pytest.raises(NotAllowed):
        fee_waive(actor=handler, case_id=case.pk, reason="低保", today=d("2026-03-06"))
    fee_waive(
        actor=office_head, case_id=case.pk, reason="申请人为最低生活保障对象", today=d("2026-03-06")
    )
    fee = Fee.objects.get(request=case)
    assert fee.status == Fee.Status.WAIVED and fee.waiver_reason == "申请人为最低生活保障对象"
    assert InformationRequest.objects.get(pk=case.pk).stage == S.PROPOSE


def test_no_payment_in_20_working_days_is_deemed_abandoned(case, handler, registrar):
    notice(handler, case)
    serve_notice(case, "fee", registrar, d("2026-03-05"))
    assert fee_lapsed(case_id=case.pk, today=d("2026-04-02")) is None
    fee_lapsed(case_id=case.pk, today=d("2026-04-03"))
    lapsed = InformationRequest.objects.get(pk=case.pk)
    assert (lapsed.stage, lapsed.outcome) == (S.SERVE, "abandoned_no_payment")
    assert Fee.objects.get(request=case).status == Fee.Status.LAPSED
    assert CaseDocument.objects.filter(request=case, letter_kind="reply").exists()
