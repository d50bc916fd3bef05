"""A registrar finds the online applications in the menu, returns a complaint to 12345 and
confirms an application: the case is received on the day of confirmation (Art. 31(3))."""

import pytest
import time_machine
from playwright.sync_api import expect

from requests_app.models import InformationRequest, OnlineSubmission
from requests_app.services import OnlineApplication, request_register, submission_create
from tests.browser.conftest import login
from tests.conftest import walk_in_registration
from workflow.api.clients import ClientData, client_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def application(**changes) -> OnlineApplication:
    values = {
        "applicant_kind": "person",
        "applicant_name": "张明华",
        "id_type": "resident_id",
        "id_number": "11010519491231002X",
        "phone": "13800000000",
        "email": "zhang@example.com",
        "description": "2025年孝义市城区老旧小区改造项目的资金拨付明细",
        "form_wanted": "electronic",
        "delivery": "email",
    }
    values.update(changes)
    return OnlineApplication(**values)


def test_registrar_returns_a_complaint_and_confirms_an_application(
    page, live_server, registrar, superuser, agency, shot
):
    portal, _ = client_create(
        actor=superuser,
        agency=agency,
        data=ClientData(name="政务服务网", system_code="portal", scopes=["requests:write"]),
    )
    with time_machine.travel("2026-03-02 21:30 +0800", tick=False):
        request_register(
            actor=registrar,
            agency=agency,
            data=walk_in_registration(description="2024年的同类资金明细"),
            today=walk_in_registration().receipt_date,
        )
        complaint = submission_create(
            actor=portal.user,
            agency=agency,
            data=application(
                applicant_name="李四",
                id_number="110105194912310011",
                description="小区门口道路破损多日无人维修，要求尽快处理",
            ),
            external_ref="ZW-0041",
        )
        wanted = submission_create(
            actor=portal.user, agency=agency, data=application(), external_ref="ZW-0042"
        )

    login(page, live_server, "registrar")
    menu = page.locator("#menu-submissions")
    expect(menu).to_contain_text("网上申请待确认")
    assert menu.locator(".gk-count").inner_text() == "2"
    menu.click()
    page.wait_for_selector("#pending-submissions")
    rows = page.locator("#pending-submissions tbody tr")
    expect(rows).to_have_count(2)
    assert complaint.number in rows.nth(0).inner_text()  # oldest first
    assert "政务服务网" in rows.nth(0).inner_text()
    shot("1-list")

    # Not an information request: returned with the proper channel.
    page.click(f"text={complaint.number}")
    page.wait_for_selector("#submission-facts")
    assert "道路破损" in page.inner_text("#description")
    page.click("#return summary")
    page.click("#return-button")
    page.wait_for_selector("#field-reason .gk-error")
    assert "请填写退回的理由" in page.inner_text("#field-reason")
    page.check("input[name=preset][value='0']")
    shot("2-return")
    page.click("#return-button")
    page.wait_for_selector("#notice")
    assert "12345" in page.inner_text("#notice")
    expect(page.locator("#pending-submissions tbody tr")).to_have_count(1)
    assert page.locator("#menu-submissions .gk-count").inner_text() == "1"

    # The application: the earlier case of the applicant is shown before confirming.
    page.click(f"text={wanted.number}")
    page.wait_for_selector("#duplicates")
    assert "2024年的同类资金明细" in page.inner_text("#duplicates")
    explained = page.inner_text("#receipt-explained")
    assert "收到申请之日为今天" in explained and "第三十一条第（三）项" in explained
    shot("3-detail")
    page.click("#confirm-button")
    page.wait_for_selector("#confirm-errors")
    assert "已核对，仍然登记" in page.inner_text("#confirm-errors")
    page.check("input[name=confirm_duplicates]")
    page.click("#confirm-button")
    page.wait_for_selector("#case-number")
    case = InformationRequest.objects.get(online_submission=wanted.pk)
    assert page.inner_text("#case-number") == case.case_number
    assert "已登记" in page.inner_text("#notice")
    assert case.channel == "online"
    assert case.receipt_date > case.arrival_date  # received the day confirmed, not submitted
    shot("4-case")
    assert OnlineSubmission.objects.filter(status="pending").count() == 0
    page.goto(f"{live_server.url}/requests/submissions/")
    page.wait_for_selector("#no-submissions")
    assert case.case_number in page.inner_text("#recent-submissions")
    shot("5-done")
