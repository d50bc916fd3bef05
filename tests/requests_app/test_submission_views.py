"""The registrar's 网上申请待确认 pages: who sees them, and confirming or returning from them."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from requests_app.models import InformationRequest, OnlineSubmission
from requests_app.services import OnlineApplication, submission_confirm, submission_create
from requests_app.services.submissions import RETURN_REASONS
from tests.conftest import _persona

pytestmark = pytest.mark.django_db
LIST = "/requests/submissions/"


@pytest.fixture(autouse=True)
def _on_a_working_day():
    with time_machine.travel("2026-03-03 10:00 +0800", tick=False):
        yield


def submit(agency, **changes) -> OnlineSubmission:
    values = {
        "applicant_kind": "person",
        "applicant_name": "张明华",
        "id_type": "resident_id",
        "id_number": "11010519491231002X",
        "phone": "13800000000",
        "description": "2025年孝义市城区老旧小区改造项目的资金拨付明细",
        "form_wanted": "electronic",
        "delivery": "collect",
    }
    values.update(changes)
    # The public form's way in (issue #16): no client needed for the pages.
    return submission_create(actor=None, agency=agency, data=OnlineApplication(**values))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_menu_shows_the_registrar_how_many_wait(registrar, agency):
    submit(agency)
    submit(agency, applicant_name="李四")
    page = signed_in(registrar).get(LIST).content.decode()
    assert 'id="menu-submissions"' in page
    assert 'aria-label="2项"' in page


def test_other_roles_do_not_see_the_list(handler, agency):
    submission = submit(agency)
    client = signed_in(handler)
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{submission.pk}/").status_code == 403
    assert 'id="menu-submissions"' not in client.get("/requests/").content.decode()


def test_another_agencys_submission_is_not_found(django_user_model, other_agency, agency):
    submission = submit(agency)
    stranger = _persona(django_user_model, "registrar_other", other_agency, "registrar")
    client = signed_in(stranger)
    assert client.get(f"{LIST}{submission.pk}/").status_code == 404
    response = client.post(f"{LIST}{submission.pk}/", {"action": "confirm"})
    assert response.status_code == 404
    assert OnlineSubmission.objects.get().status == "pending"


def test_confirming_leads_to_the_registered_case(registrar, agency):
    submission = submit(agency)
    response = signed_in(registrar).post(f"{LIST}{submission.pk}/", {"action": "confirm"})
    case = InformationRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/requests/cases/{case.pk}/?notice=registered"
    assert case.receipt_date.isoformat() == "2026-03-03"


def test_a_confirmation_after_anothers_names_the_case(registrar, agency):
    submission = submit(agency)
    client = signed_in(registrar)
    page = client.get(f"{LIST}{submission.pk}/")  # the page is open …
    assert "确认登记" in page.content.decode()
    case = submission_confirm(actor=registrar, submission_id=submission.pk)  # … someone confirms
    response = client.post(f"{LIST}{submission.pk}/", {"action": "confirm"})
    assert response.status_code == 409
    assert f"确认登记为{case.case_number}" in response.content.decode()
    assert InformationRequest.objects.count() == 1


def test_returning_with_a_standard_reason(registrar, agency):
    submission = submit(agency)
    client = signed_in(registrar)
    response = client.post(f"{LIST}{submission.pk}/", {"action": "return", "preset": "0"})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == "returned"
    assert submission.return_reason == RETURN_REASONS[0][1]
    page = client.get(response["Location"]).content.decode()
    assert f"网上申请{submission.number}（张明华）已退回" in page


def test_returning_without_a_reason_keeps_it_pending(registrar, agency):
    submission = submit(agency)
    response = signed_in(registrar).post(
        f"{LIST}{submission.pk}/", {"action": "return", "preset": "other", "reason": "  "}
    )
    assert response.status_code == 200
    assert "请填写退回的理由" in response.content.decode()
    assert OnlineSubmission.objects.get().status == "pending"


def test_a_reason_with_nul_is_refused_by_name(registrar, agency):
    submission = submit(agency)
    response = signed_in(registrar).post(
        f"{LIST}{submission.pk}/", {"action": "return", "reason": "投诉\x00"}
    )
    assert response.status_code == 200
    assert "看不见的空字符" in response.content.decode()
    assert OnlineSubmission.objects.get().status == "pending"


def test_markup_in_a_submission_is_shown_as_text(registrar, agency):
    submission = submit(agency, applicant_name="<script>alert(1)</script>")
    for url in (LIST, f"{LIST}{submission.pk}/"):
        page = signed_in(registrar).get(url).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_list_asks_a_fixed_number_of_queries(registrar, agency, django_assert_max_num_queries):
    for index in range(30):
        submit(agency, applicant_name=f"申请人{index}")
    client = signed_in(registrar)
    client.get(LIST)  # warm the per-process caches (calendar, menu)
    with django_assert_max_num_queries(25):
        page = client.get(LIST)
    assert page.content.decode().count("网申2026-") >= 30


def test_the_same_applicants_other_pending_submission_is_pointed_out(registrar, agency):
    first = submit(agency)
    second = submit(agency)
    submit(agency, applicant_name="李四", id_number="110105194912310011")
    page = signed_in(registrar).get(f"{LIST}{second.pk}/").content.decode()
    shown = page[page.index('id="also-pending"') :]
    assert "还有 1 件待确认的网上申请" in shown and first.number in shown
