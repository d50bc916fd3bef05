"""Registration: numbering, receipt-date rules (Art. 31), applicant checks, clock, audit."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from requests_app.models import CaseCounter, InformationRequest
from requests_app.services import DuplicateSubmission, PossibleDuplicates, request_register
from tests.conftest import _persona, d
from workflow.errors import NotAllowed
from workflow.models import AuditEvent
from workflow.text_input import DESCRIPTION

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 5)


def register(actor, agency, data, today=TODAY):
    return request_register(actor=actor, agency=agency, data=data, today=today)


def test_registration_numbers_the_case_and_starts_the_clock(registrar, agency, walk_in):
    case = register(registrar, agency, walk_in())
    assert case.case_number == "孝政信申〔2026〕1号"  # GB/T 9704 style by default
    assert case.stage == InformationRequest.Stage.ACCEPT
    # Art. 33 ¶2: 20 working days after Monday 2026-03-02.
    assert case.due_date == d("2026-03-30")
    assert case.days_left == 17
    assert case.clock_explanation[0].startswith("2026年3月2日收到申请")
    event = AuditEvent.objects.get(action="request_registered")
    assert (event.actor, event.agency, event.to_state) == (registrar, agency, "accept")


def test_numbers_are_per_agency_and_year_and_follow_the_agency_style(
    registrar, agency, other_agency, walk_in
):
    agency.number_style = "with_di"
    agency.save()
    first = register(registrar, agency, walk_in())
    second = register(registrar, agency, walk_in())
    assert (first.sequence, second.sequence) == (1, 2)
    assert second.case_number == "孝政信申〔2026〕第2号"
    other_agency.staff.add(registrar)
    assert register(registrar, other_agency, walk_in()).sequence == 1
    next_year = register(
        registrar,
        agency,
        walk_in(arrival_date=d("2027-01-04"), receipt_date=d("2027-01-04")),
        today=d("2027-01-04"),
    )
    assert next_year.case_number == "孝政信申〔2027〕第1号"


def test_a_refused_registration_takes_no_number(registrar, agency, walk_in):
    register(registrar, agency, walk_in())
    with pytest.raises(ValidationError):
        register(registrar, agency, walk_in(id_number="110105194912310021"))
    assert register(registrar, agency, walk_in()).sequence == 2
    assert CaseCounter.objects.get(agency=agency, year=2026).last == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"receipt_date": d("2026-03-06"), "arrival_date": d("2026-03-06")},
            "receipt_date",
            "晚于今天",
        ),
        (
            {"channel": "online", "arrival_date": d("2026-03-03"), "receipt_date": d("2026-03-02")},
            "receipt_date",
            "不能早于到达日期",
        ),
        (
            {
                "channel": "in_person",
                "arrival_date": d("2026-03-02"),
                "receipt_date": d("2026-03-03"),
            },
            "receipt_date",
            "第三十一条",
        ),
        ({"id_number": "110105194912310021"}, "id_number", "校验码不正确"),
        ({"id_type": ""}, "id_type", "身份证件类型"),
        ({"description": " "}, "description", "特征性描述"),
        ({"phone": "", "email": "", "address": ""}, "phone", "至少填写一种联系方式"),
        ({"agent_name": "李律师"}, "power_of_attorney", "授权委托书"),
        (
            {"applicant_kind": "organization", "organization_kind": "", "credit_code": "X"},
            "organization_kind",
            "组织类别",
        ),
        (
            {
                "applicant_kind": "organization",
                "organization_kind": "business",
                "credit_code": "91140000MA0GRXXH81",
                "legal_representative": "王某",
            },
            "credit_code",
            "校验码不正确",
        ),
    ],
)
def test_bad_registrations_are_refused_naming_the_field(
    registrar, agency, walk_in, changes, field, message
):
    with pytest.raises(ValidationError) as refused:
        register(registrar, agency, walk_in(**changes))
    assert message in refused.value.message_dict[field][0]
    assert not InformationRequest.objects.exists()


def test_ordinary_letter_may_be_confirmed_after_it_arrived(registrar, agency, walk_in):
    # Art. 31(2): an ordinary letter counts from the day the office confirms with the applicant.
    case = register(
        registrar,
        agency,
        walk_in(
            channel="ordinary_letter",
            arrival_date=d("2026-03-02"),
            receipt_date=d("2026-03-04"),
            late_receipt_reason="到达当日无法联系申请人",
        ),
    )
    assert case.receipt_date == d("2026-03-04")
    assert case.due_date == d("2026-04-01")


def test_organisations_need_a_valid_credit_code_and_a_kind(registrar, agency, walk_in):
    from requests_app.identity import credit_code_check_char

    code = "91140000MA0GRXXH8"
    case = register(
        registrar,
        agency,
        walk_in(
            applicant_kind="organization",
            organization_kind="legal_service",
            applicant_name="山西某律师事务所",
            credit_code=code + credit_code_check_char(code),
            legal_representative="王某",
            id_type="",
            id_number="",
        ),
    )
    assert case.organization_kind == "legal_service"


def test_only_the_agencys_staff_can_register_for_it(outsider, agency, walk_in):
    with pytest.raises(NotAllowed, match="不是孝义市人民政府办公室的工作人员"):
        register(outsider, agency, walk_in())


def test_only_a_registrar_registers(handler, agency, walk_in):
    with pytest.raises(NotAllowed, match="需要由登记人员办理"):
        register(handler, agency, walk_in())
    assert not InformationRequest.objects.exists()


def test_an_api_client_cannot_register_directly(agency, walk_in, superuser):
    from workflow.api.clients import ClientData, client_create

    client, _ = client_create(
        actor=superuser,
        agency=agency,
        data=ClientData(name="热线", system_code="hotline", scopes=["requests:write"]),
    )
    with pytest.raises(NotAllowed, match="网上申请由登记人员确认后登记"):
        register(client.user, agency, walk_in())
    assert not InformationRequest.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_distinct_gap_free_numbers(registrar, agency, walk_in):
    count = 8
    results, errors = [], []
    barrier = threading.Barrier(count)

    def work():
        try:
            barrier.wait()
            results.append(register(registrar, agency, walk_in()).sequence)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == list(range(1, count + 1))
    numbers = InformationRequest.objects.values_list("case_number", flat=True)
    assert len(set(numbers)) == count


# -- one submission, one case -------------------------------------------------------------------

TOKEN = "0123456789abcdef0123456789abcdef"


def test_the_same_form_registered_twice_gives_the_first_case_and_takes_no_number(
    registrar, agency, walk_in
):
    first = request_register(
        actor=registrar, agency=agency, data=walk_in(), today=TODAY, submission_token=TOKEN
    )
    with pytest.raises(DuplicateSubmission) as again:
        request_register(
            actor=registrar, agency=agency, data=walk_in(), today=TODAY, submission_token=TOKEN
        )
    assert again.value.case == first
    assert "没有重复登记" in str(again.value)
    assert InformationRequest.objects.count() == 1
    assert CaseCounter.objects.get(agency=agency, year=2026).last == 1  # no gap (DOMAIN §3.8)


def test_the_database_refuses_a_second_case_with_one_token(registrar, agency, walk_in):
    first = request_register(
        actor=registrar, agency=agency, data=walk_in(), today=TODAY, submission_token=TOKEN
    )
    second = register(registrar, agency, walk_in())
    with pytest.raises(IntegrityError), transaction.atomic():
        InformationRequest.objects.filter(pk=second.pk).update(submission_token=TOKEN)
    assert InformationRequest.objects.get(submission_token=TOKEN) == first
    # Cases registered without a token (services, imports) do not collide with each other.
    assert InformationRequest.objects.filter(submission_token="").count() == 1


def _threads(count: int, work) -> tuple[list, list]:
    results, errors = [], []
    barrier = threading.Barrier(count)

    def run(index: int):
        try:
            barrier.wait()
            results.append(work(index))
        except Exception as error:  # collected and asserted by the caller
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_of_one_form_register_one_case(registrar, agency, walk_in):
    results, errors = _threads(
        6,
        lambda _: register_with(registrar, agency, walk_in(), submission_token=TOKEN),
    )
    case = InformationRequest.objects.get()
    assert [r.pk for r in results] == [case.pk]
    assert len(errors) == 5
    assert all(isinstance(e, DuplicateSubmission) and e.case.pk == case.pk for e in errors)
    assert CaseCounter.objects.get(agency=agency, year=2026).last == 1


@pytest.mark.django_db(transaction=True)
def test_two_officers_registering_one_walk_in_at_once_one_is_warned(
    registrar, django_user_model, agency, walk_in
):
    # Art. 36(6): the registrar is shown the applicant's other cases before registering again;
    # a case registered a moment ago by a colleague counts too.
    colleague = _persona(django_user_model, "registrar2", agency, "registrar")
    officers = [registrar, colleague]
    results, errors = _threads(
        2,
        lambda i: register_with(
            officers[i], agency, walk_in(), submission_token=f"{i:032x}", known_duplicates=set()
        ),
    )
    case = InformationRequest.objects.get()
    assert [r.pk for r in results] == [case.pk]
    [warned] = errors
    assert isinstance(warned, PossibleDuplicates)
    assert [c.pk for c in warned.cases] == [case.pk]


def test_a_case_registered_minutes_ago_by_a_colleague_is_shown_first(
    registrar, django_user_model, agency, walk_in
):
    colleague = _persona(django_user_model, "registrar2", agency, "registrar")
    first = register(colleague, agency, walk_in())
    with pytest.raises(PossibleDuplicates) as warned:
        register_with(registrar, agency, walk_in(), known_duplicates=set())
    assert warned.value.cases == [first]
    # Seen and confirmed: registered.
    second = register_with(registrar, agency, walk_in(), known_duplicates={first.pk})
    assert second.sequence == 2


def register_with(actor, agency, data, **kwargs):
    return request_register(actor=actor, agency=agency, data=data, today=TODAY, **kwargs)


def test_the_database_refuses_a_description_over_its_limit(registrar, agency, walk_in):
    # Issue #10 point 5: the limit holds below the forms and services too.
    case = request_register(actor=registrar, agency=agency, data=walk_in(), today=TODAY)
    cases = InformationRequest.objects.filter(pk=case.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        cases.update(description="申" * (DESCRIPTION + 1))
    cases.update(description="申" * DESCRIPTION)


def test_the_service_refuses_text_over_its_column_and_nul(registrar, agency, walk_in):
    with pytest.raises(ValidationError) as refused:
        request_register(
            actor=registrar,
            agency=agency,
            data=walk_in(description="申" * 5001, applicant_name="张\x00三"),
            today=TODAY,
        )
    assert refused.value.message_dict["description"] == [
        "所需政府信息的描述不能超过5000个字（现有5001个）。"
    ]
    assert "空字符" in refused.value.message_dict["applicant_name"][0]
    assert not InformationRequest.objects.exists()


def test_an_ordinary_letter_confirmed_after_its_arrival_is_registered_with_the_reason(
    registrar, agency, walk_in
):
    # Art. 31(2): the office confirms an ordinary letter with the applicant on the day it
    # arrives; a later confirmation day is the receipt date only with the reason recorded.
    late = {"channel": "ordinary_letter", "arrival_date": d("2026-03-02")}
    with pytest.raises(ValidationError) as refused:
        register(registrar, agency, walk_in(**late, receipt_date=d("2026-03-04")))
    assert "第三十一条第（二）项" in refused.value.message_dict["late_receipt_reason"][0]
    assert not InformationRequest.objects.exists()
    case = register(
        registrar,
        agency,
        walk_in(**late, receipt_date=d("2026-03-04"), late_receipt_reason="到达当日无法联系申请人"),
    )
    assert case.late_receipt_reason == "到达当日无法联系申请人"
    assert case.receipt_date == d("2026-03-04")
