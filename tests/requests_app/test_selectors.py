"""Who sees which case, the case list's filters and order, and the duplicate check (Art. 36(6))."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from requests_app.models import InformationRequest
from requests_app.selectors import case_list, possible_duplicates, visible_requests
from requests_app.services import request_register
from tests.conftest import d

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 5)
R = InformationRequest


def register(actor, agency, data):
    return request_register(actor=actor, agency=agency, data=data, today=TODAY)


def bulk_cases(agency, count: int, *, creator, first: int = 1, **values) -> list[R]:
    """Cases straight into the table, for lists (the clock fields are set, not computed)."""
    now = timezone.now()
    cases = []
    for sequence in range(first, first + count):
        fields = {
            "agency": agency,
            "year": 2026,
            "sequence": sequence,
            "case_number": f"{agency.code}〔2026〕{sequence}号",
            "channel": R.Channel.IN_PERSON,
            "arrival_date": d("2026-03-02"),
            "receipt_date": d("2026-03-02"),
            "applicant_name": f"申请人{sequence}",
            "id_type": R.IdType.PASSPORT,
            "id_number": f"E{sequence:08d}",
            "phone": "13800000000",
            "description": f"第{sequence}件申请的政府信息",
            "form_wanted": R.Form.ELECTRONIC,
            "delivery": R.Delivery.EMAIL,
            "stage": R.Stage.ACCEPT,
            "due_date": d("2026-03-30") + timedelta(days=sequence % 7),
            "days_left": 10,
            "created_by": creator,
            "created_at": now,
        }
        fields.update(values)
        cases.append(R(**fields))
    return R.objects.bulk_create(cases)


def numbers(cases) -> list[str]:
    return [case.case_number for case in cases]


def test_users_see_only_their_agencies_cases(registrar, outsider, agency, other_agency):
    mine = bulk_cases(agency, 2, creator=registrar)
    theirs = bulk_cases(other_agency, 1, creator=outsider)
    assert set(visible_requests(registrar)) == set(mine)
    assert set(visible_requests(outsider)) == set(theirs)
    assert not visible_requests(AnonymousUser()).exists()


def test_staff_of_two_agencies_see_both(registrar, outsider, agency, other_agency):
    bulk_cases(agency, 2, creator=registrar)
    bulk_cases(other_agency, 3, creator=outsider)
    other_agency.staff.add(registrar)
    assert visible_requests(registrar).count() == 5
    assert case_list(registrar, {"agency": str(other_agency.pk)}).count() == 3


def test_the_list_is_sorted_by_due_date_with_open_pauses_last(registrar, agency):
    late, paused, early = bulk_cases(agency, 3, creator=registrar)
    R.objects.filter(pk=late.pk).update(due_date=d("2026-04-10"))
    R.objects.filter(pk=paused.pk).update(due_date=None, paused=True)
    R.objects.filter(pk=early.pk).update(due_date=d("2026-03-20"))
    assert list(case_list(registrar, {})) == [early, late, paused]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"stage": "consult"}, ["c"]),
        ({"flags": ["overdue"]}, ["b"]),
        ({"flags": ["at_risk", "overdue"]}, ["a", "b"]),  # any of the flags
        ({"flags": ["paused"]}, ["c"]),
        ({"flags": ["provisional"]}, ["a"]),
        ({"channel": "online"}, ["b"]),
        ({"outcome": "open"}, ["a", "c"]),
        ({"outcome": "disclosed"}, ["b"]),
        ({"applicant_kind": "organization"}, ["c"]),
        ({"received_from": d("2026-03-03")}, ["b", "c"]),
        ({"received_to": d("2026-03-03")}, ["a", "b"]),
        ({"received_from": d("2026-03-03"), "received_to": d("2026-03-03")}, ["b"]),
        ({"q": "XYZ"}, ["a"]),  # case number, any case
        ({"q": "华远"}, ["c"]),  # applicant name
        ({"q": "拆迁补偿"}, ["b"]),  # description
        ({"q": "  "}, ["a", "b", "c"]),
        ({"stage": "", "flags": [], "q": ""}, ["a", "b", "c"]),
    ],
)
def test_each_filter_narrows_the_list(registrar, agency, filters, expected):
    a, b, c = bulk_cases(agency, 3, creator=registrar)
    R.objects.filter(pk=a.pk).update(
        case_number="XYZ〔2026〕1号", at_risk=True, provisional=True, due_date=d("2026-03-20")
    )
    R.objects.filter(pk=b.pk).update(
        channel="online",
        arrival_date=d("2026-03-03"),
        receipt_date=d("2026-03-03"),
        overdue=True,
        outcome="disclosed",
        description="旧城改造拆迁补偿标准",
        due_date=d("2026-03-21"),
    )
    R.objects.filter(pk=c.pk).update(
        stage="consult",
        paused=True,
        due_date=None,
        receipt_date=d("2026-03-04"),
        arrival_date=d("2026-03-04"),
        applicant_kind="organization",
        organization_kind="business",
        applicant_name="山西华远商贸有限公司",
    )
    names = {a.pk: "a", b.pk: "b", c.pk: "c"}
    assert [names[case.pk] for case in case_list(registrar, filters)] == expected


def test_the_handler_filter_finds_assigned_and_unassigned_cases(registrar, handler, agency):
    assigned, unassigned = bulk_cases(agency, 2, creator=registrar)
    R.objects.filter(pk=assigned.pk).update(handler=handler)
    assert list(case_list(registrar, {"handler": str(handler.pk)})) == [assigned]
    assert list(case_list(registrar, {"handler": "none"})) == [unassigned]


# Art. 36(6): the registrar is shown the same applicant's earlier applications.


def test_duplicates_match_the_id_number_whatever_the_name(registrar, agency, walk_in):
    earlier = register(registrar, agency, walk_in(applicant_name="张明华"))
    register(registrar, agency, walk_in(id_number="110101199003074477", applicant_name="张明华"))
    found = possible_duplicates(agency, id_number="11010519491231002x", applicant_name="张华")
    assert found == [earlier]


def test_duplicates_match_the_credit_code(registrar, agency, walk_in):
    company = register(
        registrar,
        agency,
        walk_in(
            applicant_kind="organization",
            organization_kind="business",
            applicant_name="山西华远商贸有限公司",
            id_type="",
            id_number="",
            credit_code="91140000MA0GRXXH89",
            legal_representative="李强",
        ),
    )
    found = possible_duplicates(agency, credit_code="91140000ma0grxxh89", applicant_name="华远")
    assert found == [company]
    assert found[0].outcome == ""  # the outcome is loaded with the case, for the registrar


def test_duplicates_match_the_name_only_when_no_number_is_given(registrar, agency, walk_in):
    earlier = register(registrar, agency, walk_in())
    assert possible_duplicates(agency, applicant_name="张明华") == [earlier]
    assert possible_duplicates(agency, id_number="E12345678", applicant_name="张明华") == []
    assert possible_duplicates(agency) == []


def test_duplicates_are_per_agency_newest_first_at_most_ten(
    registrar, agency, other_agency, walk_in
):
    cases = [register(registrar, agency, walk_in()) for _ in range(12)]
    other_agency.staff.add(registrar)
    register(registrar, other_agency, walk_in())
    found = possible_duplicates(agency, id_number="11010519491231002X")
    assert numbers(found) == numbers(reversed(cases))[:10]
    found = possible_duplicates(agency, id_number="11010519491231002X", exclude_pk=cases[-1].pk)
    assert cases[-1] not in found
