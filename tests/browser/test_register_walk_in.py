"""A registrar registers a walk-in application in the browser and lands on the case page."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from requests_app.models import InformationRequest
from tests.browser.conftest import login
from tests.requests_app import files

SCAN = {"name": "申请表扫描件.pdf", "mimeType": "application/pdf", "buffer": files.pdf(2)}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_registrar_registers_a_walk_in_application(page, live_server, registrar, handler, shot):
    login(page, live_server, "registrar")
    page.goto(f"{live_server.url}/requests/")
    expect(page.locator("h1", has_text="申请台账")).to_be_visible()
    shot("1-empty-list")
    page.click("#new-request")
    page.wait_for_selector("#register-form")
    # The walk-in defaults are there; the organisation's fields are hidden for a person.
    assert page.input_value("input[name=receipt_date]") == timezone.localdate().isoformat()
    assert page.is_checked("input[name=applicant_kind][value=person]")
    expect(page.locator("#organization-fields")).to_be_hidden()
    page.fill("input[name=applicant_name]", "张明华")
    page.fill("input[name=id_number]", "110105194912310021")  # wrong check digit
    page.fill("input[name=phone]", "13800000000")
    page.fill("input[name=email]", "zhang@example.com")
    page.fill("textarea[name=description]", "2025年孝义市城区老旧小区改造项目的资金拨付明细")
    assert "每个不超过20 MB" in page.inner_text("#field-application_files")
    page.set_input_files("input[name=application_files]", [SCAN])
    shot("2-form")
    page.click("#register")
    page.wait_for_selector("#form-errors")
    assert "校验码" in page.locator("#field-id_number").inner_text()
    assert page.input_value("textarea[name=description]").startswith("2025年孝义市")
    # A browser never fills a file input in again: the form says so.
    assert "已选择的文件没有保存" in page.inner_text("#files-again")
    assert "请重新选择文件" in page.inner_text("#field-application_files")
    assert "请重新选择文件" not in page.inner_text("#field-id_proof_files")
    shot("3-error")
    page.fill("input[name=id_number]", "11010519491231002X")
    page.set_input_files("input[name=application_files]", [SCAN])
    page.click("#register")
    page.wait_for_selector("#case-number")
    case = InformationRequest.objects.get()
    scan = case.documents.get(kind="application")
    assert (scan.original_name, scan.size) == ("申请表扫描件.pdf", len(SCAN["buffer"]))
    uploads = page.inner_text("#upload-list")
    assert "申请书扫描件" in uploads and "申请表扫描件.pdf" in uploads
    href = page.get_attribute("#upload-list a", "href")
    opened = page.request.get(f"{live_server.url}{href}")
    assert opened.status == 200 and opened.body() == SCAN["buffer"]
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
    expect(page.locator("#organization-fields")).to_be_visible()
    expect(page.locator("#person-fields")).to_be_hidden()
    shot("organisation")
