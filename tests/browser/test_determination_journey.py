"""A request names an older document without attribute; its drafting unit determines it by
letter; the case goes on (DOMAIN §4.4), in the browser."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from attributes_app.services import drafting_unit_save
from requests_app.flows import sync_process
from requests_app.services import request_accept, request_register
from tests.browser.conftest import login
from tests.conftest import _persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_determination_from_the_case_page_to_the_units_letter(
    page, live_server, agency, handler, registrar, office_head, admin_user, walk_in, shot
):
    from django.contrib.auth import get_user_model

    agency.office_name = "孝义市人民政府办公室（政务公开办）"
    agency.save()
    head = _persona(get_user_model(), "unit_head", agency, "drafting_unit_head")
    unit = drafting_unit_save(actor=admin_user, agency=agency, name="综合科", heads=[head])
    # The disclosure office enters the older document on the page for issued documents.
    login(page, live_server, "office_head")
    page.goto(f"{live_server.url}/attributes/documents/")
    with page.expect_navigation():
        page.click("#older-document")
    page.select_option("select[name=drafting_unit]", str(unit.pk))
    page.fill("input[name=title]", "关于城区老旧小区改造项目资金安排的通知")
    page.fill("input[name=number]", "孝政办发〔2019〕23号")
    page.fill("input[name=formed_on]", "2019-06-14")
    page.fill("input[name=issued_on]", "2019-06-12")  # a slip: before the formation date
    with page.expect_navigation():
        page.click("#save-draft")
    assert "印发日期不能早于成文日期" in page.locator("#field-issued_on").inner_text()
    assert page.input_value("input[name=title]") == "关于城区老旧小区改造项目资金安排的通知"
    page.fill("input[name=issued_on]", "2019-06-17")
    shot("older-document")
    with page.expect_navigation():
        page.click("#save-draft")
    assert "由综合科的负责人以公函认定公开属性" in page.inner_text("body")
    today = timezone.localdate()
    case = request_register(
        actor=registrar, agency=agency, data=walk_in(arrival_date=today, receipt_date=today)
    )
    request_accept(actor=handler, case_id=case.pk)
    sync_process(case)

    # The handler finds the document in the register from the case page and names it.
    login(page, live_server, "handler")
    page.goto(f"{live_server.url}/requests/cases/{case.pk}/")
    page.fill("#doc-q", "老旧小区")
    with page.expect_navigation():
        page.click("#register-search button[type=submit]")
    matches = page.locator("#register-matches")
    expect(matches.get_by_text("孝政办发〔2019〕23号")).to_be_visible()
    with page.expect_navigation():
        matches.locator("button[type=submit]").first.click()
    block = page.locator("#determination-block")
    assert "须由起草单位以公函认定公开属性后，才能提出办理意见" in block.inner_text()
    assert "未确定公开属性，待综合科认定" in page.locator("#named-list").inner_text()
    shot("case-waiting")

    # The unit's head lands on the work list, and answers from the list of determinations, by
    # letter. Of the case they see what the determination needs, not the applicant.
    login(page, live_server, "unit_head")
    assert page.url == f"{live_server.url}/attributes/work/"
    page.goto(f"{live_server.url}/attributes/determinations/")
    assert case.case_number in page.locator("#determinations").inner_text()
    assert page.locator("#determinations a[href^='/requests/']").count() == 0
    with page.expect_navigation():
        page.locator("#determinations").get_by_role("link", name="认定", exact=True).click()
    waiting = page.locator("#waiting").inner_text()
    assert case.case_number in waiting and case.description in waiting
    assert case.applicant_name not in page.inner_text("body")
    page.check("input[name=attribute][value=on_request]")
    page.fill("textarea[name=reasons]", "仅涉及特定项目单位的资金安排，不需要公众广泛知晓")
    page.select_option("select[name=ground]", "limited_scope")
    shot("answer")
    with page.expect_navigation():
        page.click("#determine")
    assert "孝义市政府办属性函〔" in page.locator("#determination").inner_text()
    letter = page.request.get(
        live_server.url + page.get_by_role("link", name="打开 PDF").get_attribute("href")
    )
    assert letter.body()[:5] == b"%PDF-"

    # The document's page shows the change with its letter (DOMAIN §4.4).
    page.goto(f"{live_server.url}/attributes/documents/")
    with page.expect_navigation():
        page.get_by_role("link", name="关于城区老旧小区改造项目资金安排的通知").first.click()
    history = page.locator("#history").inner_text()
    assert "孝义市政府办属性函〔" in history and "DOCX" in history
    shot("document-determined")

    # Back on the case: the attribute, the letter kept with the case, no more waiting.
    login(page, live_server, "handler")
    page.goto(f"{live_server.url}/requests/cases/{case.pk}/")
    assert "（此件依申请公开）" in page.locator("#named-list").inner_text()
    assert page.locator("#determination-block").count() == 0
    assert "公开属性认定函" in page.locator("#documents").inner_text()
    shot("case-determined")
