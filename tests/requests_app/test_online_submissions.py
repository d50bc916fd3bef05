"""Online applications wait in the 待确认 list until the registrar confirms or returns them.

Art. 31(3): an application submitted online is received on the day both sides confirm it
(以双方确认之日): the case, its number and its clock begin with the registrar's confirmation.
"""

from __future__ import annotations

from dataclasses import fields

import pytest
import time_machine
from django.core.exceptions import ValidationError

from requests_app.models import SUBMITTED_FIELDS, InformationRequest, OnlineSubmission
from requests_app.services import (
    OnlineApplication,
    PossibleDuplicates,
    Registration,
    SubmissionStale,
    request_register,
    submission_confirm,
    submission_create,
    submission_return,
)
from tests.conftest import _persona, d, walk_in_registration
from tests.requests_app.test_concurrent_completion import race
from workflow.api.clients import ClientData, client_create
from workflow.errors import NotAllowed
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db
S = OnlineSubmission
SUBMITTED = "2026-03-02 21:30 +0800"  # a Monday evening
CONFIRMED = d("2026-03-03")  # the registrar confirms on Tuesday


def application(**changes) -> OnlineApplication:
    values = {
        "applicant_kind": "person",
        "applicant_name": "张明华",
        "id_type": "resident_id",
        "id_number": "11010519491231002x",
        "phone": "13800000000",
        "email": "zhang@example.com",
        "description": "2025年孝义市城区老旧小区改造项目的资金拨付明细",
        "form_wanted": "electronic",
        "delivery": "email",
    }
    values.update(changes)
    return OnlineApplication(**values)


@pytest.fixture
def portal(superuser, agency):
    """The agency's online platform, an API client."""
    client, _ = client_create(
        actor=superuser,
        agency=agency,
        data=ClientData(name="政务服务网", system_code="portal", scopes=["requests:write"]),
    )
    return client


@pytest.fixture
def other_portal(superuser, other_agency):
    client, _ = client_create(
        actor=superuser,
        agency=other_agency,
        data=ClientData(name="汾阳政务服务网", system_code="portal", scopes=["requests:write"]),
    )
    return client


def submit(portal, agency, at: str = SUBMITTED, **changes) -> OnlineSubmission:
    external_ref = changes.pop("external_ref", "")
    with time_machine.travel(at, tick=False):
        return submission_create(
            actor=portal.user, agency=agency, data=application(**changes), external_ref=external_ref
        )


def test_the_submitted_fields_are_the_registrations_without_channel_and_dates():
    registration = {f.name for f in fields(Registration)}
    confirmation = {"channel", "arrival_date", "receipt_date", "late_receipt_reason"}
    assert {f.name for f in fields(OnlineApplication)} == registration - confirmation
    assert set(SUBMITTED_FIELDS) == registration - confirmation


# -- submitting -----------------------------------------------------------------------------------


def test_a_submission_waits_numbered_but_not_received(portal, agency):
    # Art. 31(3): no case, no case number, no clock until the registrar confirms.
    submission = submit(portal, agency, external_ref="ZW-0042")
    assert submission.status == S.Status.PENDING
    assert submission.number == "网申2026-000001"
    assert submission.submitted_on == d("2026-03-02")
    assert (submission.source, submission.external_ref) == (portal, "ZW-0042")
    assert submission.id_number == "11010519491231002X"
    assert InformationRequest.objects.count() == 0
    event = AuditEvent.objects.get(action="submission_received")
    assert (event.actor, event.to_state) == (portal.user, "pending")
    assert "政务服务网" in event.reason and "ZW-0042" in event.reason


def test_numbers_run_per_agency_and_year_without_gaps(portal, other_portal, agency, other_agency):
    first = submit(portal, agency)
    with pytest.raises(ValidationError):
        submit(portal, agency, description="")  # refused: takes no number
    second = submit(portal, agency)
    elsewhere = submit(other_portal, other_agency)
    next_year = submit(portal, agency, at="2027-01-04 09:00 +0800")
    assert [first.number, second.number] == ["网申2026-000001", "网申2026-000002"]
    assert elsewhere.number == "网申2026-000001"
    assert next_year.number == "网申2027-000001"


def test_the_registration_forms_rules_refuse_a_submission(portal, agency):
    with pytest.raises(ValidationError) as refused:
        submit(
            portal,
            agency,
            id_number="110105194912310021",
            description="  ",
            form_wanted="telepathy",
            email="not-an-address",
            postcode="12",
        )
    errors = refused.value.message_dict
    assert "校验码" in errors["id_number"][0]
    assert errors["description"] == [
        "请填写申请获取的政府信息的名称、文号或者便于查询的其他特征性描述。"
    ]
    assert errors["form_wanted"] == ["请选择获取信息的方式（《条例》第四十条）。"]
    assert errors["email"] == ["请输入有效的电子邮箱地址，例如 zhang@example.com。"]
    assert errors["postcode"] == ["邮政编码为6位数字。"]
    assert S.objects.count() == 0


def test_a_delivery_needs_its_contact(portal, agency):
    with pytest.raises(ValidationError) as refused:
        submit(portal, agency, delivery="post", address="")
    assert refused.value.message_dict["address"] == ["选择邮寄送达的，请填写通讯地址。"]


def test_hostile_text_is_refused_with_the_fields_name(portal, agency):
    with pytest.raises(ValidationError) as refused:
        submit(
            portal,
            agency,
            applicant_name="张\x00明华",
            description="x" * 5001,
            external_ref="a\nb",
        )
    errors = refused.value.message_dict
    assert "申请人姓名或名称中有看不见的空字符" in errors["applicant_name"][0]
    assert errors["description"] == ["所需政府信息的描述不能超过5000个字（现有5001个）。"]
    assert "来源系统的编号不能含有换行" in errors["external_ref"][0]


def test_a_clients_reference_is_taken_once(portal, other_portal, agency, other_agency):
    first = submit(portal, agency, external_ref="ZW-0042")
    with pytest.raises(ValidationError) as again:
        submit(portal, agency, external_ref="ZW-0042")
    assert again.value.api_code == "duplicate"
    assert first.number in again.value.message_dict["external_ref"][0]
    # Another client's numbering is its own.
    assert submit(other_portal, other_agency, external_ref="ZW-0042").external_ref == "ZW-0042"
    assert S.objects.filter(source=portal).count() == 1


def test_a_client_submits_only_to_its_own_agency(other_portal, agency):
    with pytest.raises(NotAllowed, match="只能向本机关提交"):
        submit(other_portal, agency)


def test_officers_register_in_person_applications_themselves(registrar, agency):
    with pytest.raises(NotAllowed, match="登记申请"):
        submission_create(actor=registrar, agency=agency, data=application())


def test_the_public_form_submits_without_a_source(agency):
    # Issue #16: the applicant, not signed in.
    with time_machine.travel(SUBMITTED, tick=False):
        submission = submission_create(actor=None, agency=agency, data=application())
    assert submission.source is None and submission.query_code_hash == ""
    assert AuditEvent.objects.get(action="submission_received").actor is None
    with pytest.raises(ValidationError) as refused:
        submission_create(actor=None, agency=agency, data=application(), external_ref="x")
    assert "external_ref" in refused.value.message_dict


# -- confirming -----------------------------------------------------------------------------------


def test_confirmation_registers_the_case_received_on_the_day_confirmed(portal, agency, registrar):
    submission = submit(portal, agency)
    with time_machine.travel("2026-03-03 09:15 +0800", tick=False):
        case = submission_confirm(actor=registrar, submission_id=submission.pk)
    # Art. 31(3): arrived Monday evening, received on Tuesday, the day both sides confirm; the
    # 20 working days (Art. 33) count from Wednesday.
    assert (case.channel, case.arrival_date, case.receipt_date) == (
        "online",
        d("2026-03-02"),
        CONFIRMED,
    )
    assert case.due_date == d("2026-03-31")
    assert (case.applicant_name, case.id_number) == ("张明华", "11010519491231002X")
    assert case.documents.filter(kind="letter").exists()  # the receipt letter
    submission.refresh_from_db()
    assert (submission.status, submission.case, submission.decided_by) == (
        "confirmed",
        case,
        registrar,
    )
    event = AuditEvent.objects.get(action="submission_confirmed")
    assert (event.actor, event.from_state, event.to_state) == (registrar, "pending", "confirmed")
    assert case.case_number in event.reason and "2026年3月3日" in event.reason
    # The case's history says where it came from: the proof of its receipt date.
    history = AuditEvent.objects.get(action="online_submission_confirmed")
    assert (history.object_type, history.object_id) == (
        "requests_app.informationrequest",
        str(case.pk),
    )
    assert submission.number in history.reason and "2026年3月2日21:30提交" in history.reason


def test_a_second_confirmation_names_the_case(portal, agency, registrar):
    submission = submit(portal, agency)
    case = submission_confirm(actor=registrar, submission_id=submission.pk, today=CONFIRMED)
    with pytest.raises(SubmissionStale, match=f"确认登记为{case.case_number}"):
        submission_confirm(actor=registrar, submission_id=submission.pk, today=CONFIRMED)
    assert InformationRequest.objects.count() == 1


@pytest.mark.parametrize("who", ["handler", "office_head", "outsider"])
def test_only_the_agencys_registrar_confirms(portal, agency, who, request):
    submission = submit(portal, agency)
    actor = request.getfixturevalue(who)
    with pytest.raises(NotAllowed):
        submission_confirm(actor=actor, submission_id=submission.pk, today=CONFIRMED)
    with pytest.raises(NotAllowed):
        submission_return(actor=actor, submission_id=submission.pk, reason="投诉")
    assert S.objects.get().status == S.Status.PENDING


def test_an_api_client_never_confirms_even_its_own_submission(portal, agency):
    submission = submit(portal, agency)
    with pytest.raises(NotAllowed, match="接口客户端只能提交网上申请"):
        submission_confirm(actor=portal.user, submission_id=submission.pk, today=CONFIRMED)
    with pytest.raises(NotAllowed, match="接口客户端只能提交网上申请"):
        submission_return(actor=portal.user, submission_id=submission.pk, reason="投诉")


def test_a_case_of_the_applicant_registered_meanwhile_stops_the_confirmation(
    portal, agency, registrar
):
    submission = submit(portal, agency)
    # The registrar saw no earlier case; a colleague registers the same applicant's walk-in.
    request_register(
        actor=registrar,
        agency=agency,
        data=walk_in_registration(arrival_date=CONFIRMED, receipt_date=CONFIRMED),
        today=CONFIRMED,
    )
    with pytest.raises(PossibleDuplicates):
        submission_confirm(
            actor=registrar, submission_id=submission.pk, today=CONFIRMED, known_duplicates=set()
        )
    assert S.objects.get().status == S.Status.PENDING
    assert InformationRequest.objects.count() == 1


# -- returning ------------------------------------------------------------------------------------


def test_returning_needs_a_reason_and_ends_the_submission(portal, agency, registrar):
    submission = submit(portal, agency)
    with pytest.raises(ValidationError) as refused:
        submission_return(actor=registrar, submission_id=submission.pk, reason="  ")
    assert "请填写退回的理由" in refused.value.message_dict["reason"][0]
    reason = "属于投诉事项，请拨打12345政务服务便民热线。"
    submission_return(actor=registrar, submission_id=submission.pk, reason=reason)
    submission.refresh_from_db()
    assert (submission.status, submission.return_reason) == ("returned", reason)
    event = AuditEvent.objects.get(action="submission_returned")
    assert (event.actor, event.from_state, event.to_state, event.reason) == (
        registrar,
        "pending",
        "returned",
        reason,
    )
    with pytest.raises(SubmissionStale, match=r"已由registrar于.*退回（属于投诉事项"):
        submission_confirm(actor=registrar, submission_id=submission.pk, today=CONFIRMED)
    assert InformationRequest.objects.count() == 0


# -- two registrars at once -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_registrars_confirming_at_once_register_one_case(
    portal, agency, registrar, django_user_model
):
    second = _persona(django_user_model, "registrar_2", agency, "registrar")
    submission = submit(portal, agency)
    outcomes = race(
        *(
            lambda actor=actor: submission_confirm(
                actor=actor, submission_id=submission.pk, today=CONFIRMED
            )
            for actor in (registrar, second)
        )
    )
    errors = [o.error for o in outcomes]
    assert sum(e is None for e in errors) == 1, errors
    (won,) = [o.value for o in outcomes if o.error is None]
    (lost,) = [e for e in errors if e is not None]
    assert isinstance(lost, SubmissionStale), lost
    assert f"确认登记为{won.case_number}" in str(lost)
    assert InformationRequest.objects.count() == 1
    assert AuditEvent.objects.filter(action="submission_confirmed").count() == 1
    assert S.objects.get().case == won


@pytest.mark.django_db(transaction=True)
def test_a_return_and_a_confirmation_at_once_keep_one(portal, agency, registrar):
    submission = submit(portal, agency)
    outcomes = race(
        lambda: submission_confirm(actor=registrar, submission_id=submission.pk, today=CONFIRMED),
        lambda: submission_return(actor=registrar, submission_id=submission.pk, reason="投诉"),
    )
    errors = [o.error for o in outcomes]
    assert sum(e is None for e in errors) == 1, errors
    assert all(isinstance(e, SubmissionStale) for e in errors if e is not None)
    final = S.objects.get()
    assert InformationRequest.objects.count() == (1 if final.status == "confirmed" else 0)


def test_the_day_submitted_is_the_agencys_day(portal, agency):
    # 07:30 in Shanghai is still the day before in UTC: the arrival day is Shanghai's.
    submission = submit(portal, agency, at="2026-03-03 07:30 +0800")
    assert submission.submitted_on == d("2026-03-03")
