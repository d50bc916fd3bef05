"""Rows for the annual report's tests, written straight to the tables (the counting reads only
the dates, the applicant's kind and the outcome; the services that set them are tested in
``test_conclusion``)."""

from __future__ import annotations

from datetime import date
from itertools import count

from django.utils import timezone

from requests_app.models import Challenge, Fee, InformationRequest

_numbers = count(1)


def make_request(
    agency,
    user,
    *,
    received: date,
    concluded: date | None = None,
    outcome: str = "",
    org: str = "",
    kind: str = InformationRequest.Kind.DISCLOSURE,
) -> InformationRequest:
    n = next(_numbers)
    return InformationRequest.objects.create(
        agency=agency,
        year=received.year,
        sequence=n,
        case_number=f"测〔{received.year}〕{n}号",
        kind=kind,
        channel="in_person",
        arrival_date=received,
        receipt_date=received,
        applicant_kind="organization" if org else "person",
        organization_kind=org,
        applicant_name="申请人",
        description="某项信息",
        form_wanted="electronic",
        delivery="email",
        stage="closed" if concluded else "propose",
        outcome=outcome if concluded else "",
        concluded_on=concluded,
        created_by=user,
        created_at=timezone.now(),
    )


def make_challenge(
    case, user, *, kind: str, filed: date, result: str = "pending", concluded: date | None = None
) -> Challenge:
    return Challenge.objects.create(
        request=case,
        kind=kind,
        body="某市人民政府",
        filed_on=filed,
        result=result,
        concluded_on=concluded,
        created_by=user,
        created_at=timezone.now(),
    )


def make_paid_fee(case, user, *, amount: int, paid: date) -> Fee:
    return Fee.objects.create(
        request=case,
        method="per_page",
        quantity=40,
        amount=amount,
        payment_method="转账",
        notice_on=paid,
        status=Fee.Status.PAID,
        settled_on=paid,
        created_by=user,
        created_at=timezone.now(),
    )
