"""A registrar registers a walk-in application in the browser and lands on the case page."""

import pytest
from django.utils import timezone

from requests_app.models import InformationRequest
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_registrar_registers_a_walk_in_application(page, live_server, registrar, handler, shot):
    login(page, live_server, "registrar")
    page.goto(f"{live_server.url}/requests/")
    assert page.locator("h1", has_text="申请台账").is_visible()
    shot("1-empty-list")
    page.click("#new-request")
    page.wait_for_selector("#register-form")
    # The walk-in defaults are there; the organisation's fields are hidden for a person.
    assert page.input_value("input[name=receipt_date]") == timezone.localdate().isoformat()
    assert page.is_checked("input[name=applicant_kind][value=person]")
    assert page.locator("#organization-fields").is_hidden()
    page.fill("input[name=applicant_name]", "张明华")
    page.fill("input[name=id_number]", "110105194912310021")  # wrong check digit
    page.fill("input[name=phone]", "13800000000")
    page.fill("input[name=email]", "zhang@example.com")
    page.fill("textarea[name=description]", "2025年孝义市城区老旧小区改造项目的资金拨付明细")
    shot("2-form")
    page.click("#register")
    page.wait_for_selector("#form-errors")
    assert "校验码" in page.locator("#field-id_number").inner_text()
    assert page.input_value("textarea[name=description]").startswith("2025年孝义市")
    shot("3-error")
    page.fill("input[name=id_number]", "11010519491231002X")
    page.click("#register")
    page.wait_for_selector("#case-number")
    case = InformationRequest.objects.get()
    assert page.inner_text("#case-number") == case.case_number
    assert f"{case.due_date.year}年{case.due_date.month}月{case.due_date.day}日" in page.inner_text(
        "#clock"
    )
    assert "已登记" in page.content()
    shot("4-case")
    page.goto(f"{live_server.url}/requests/")
    assert case.case_number in page.inner_text("#cases")
    shot("5-list")


def test_an_organisation_shows_its_own_fields(page, live_server, registrar, shot):
    login(page, live_server, "registrar")
    page.goto(f"{live_server.url}/requests/register/")
    page.check("input[name=applicant_kind][value=organization]")
    assert page.locator("#organization-fields").is_visible()
    assert page.locator("#person-fields").is_hidden()
    shot("organisation")
